/* A patrol member's page: today's route and stops on a small map (from /patrol/me/data),
   and the browser's position (when the member allows it) put into every 打卡 form. */
(function () {
  "use strict";
  var COLOURS = { todo: "#b23b3b", arrived: "#c77d0a", checked: "#2f7d32" };
  var box = document.querySelector("[data-member-map]");
  var state = document.querySelector("[data-geo-state]");
  var map = null, me = null, last = null;

  function label(text) {  /* names come from the county's data: shown as text, never as HTML */
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function drawMap(day) {
    if (!box || !window.L) { return; }
    map = L.map(box, { zoomControl: true, attributionControl: !!box.dataset.tiles });
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "" }).addTo(map);
    }
    var layers = [];
    day.routes.forEach(function (r) {
      layers.push(L.geoJSON(r.geometry, { style: { color: "#1f5fa8", weight: 4 } }).bindTooltip(label(r.name)));
    });
    if (day.trail.length > 1) {
      layers.push(L.polyline(day.trail.map(function (p) { return [p[1], p[0]]; }),
        { color: "#7a3fa0", weight: 3, dashArray: "4 4" }).bindTooltip(label("今天的轨迹")));
    }
    day.stops.forEach(function (s) {
      layers.push(L.circleMarker([s.lat, s.lon], { radius: 8, color: "#fff", weight: 2, fillOpacity: 0.9,
        fillColor: COLOURS[s.state] || "#555" }).bindTooltip(label(s.name + "（" + s.state_label + "）")));
    });
    if (day.team.lon !== null && day.team.lat !== null) {
      layers.push(L.circleMarker([day.team.lat, day.team.lon], { radius: 5, color: "#333", weight: 2,
        fillColor: "#fff", fillOpacity: 1 }).bindTooltip(label("驻地")));
    }
    var group = L.featureGroup(layers).addTo(map);
    if (layers.length) { map.fitBounds(group.getBounds().pad(0.1)); } else { map.setView([33.8, 111.6], 11); }
    if (last) { showMe(last); }
  }

  function showMe(c) {
    last = c;
    if (!map) { return; }
    if (!me) {
      me = L.circleMarker([c.latitude, c.longitude], { radius: 7, color: "#fff", weight: 3, fillColor: "#1a73e8",
        fillOpacity: 1 }).bindTooltip(label("我的位置")).addTo(map);
    }
    me.setLatLng([c.latitude, c.longitude]);
  }

  function located(pos) {
    var c = pos.coords;
    document.querySelectorAll("[data-geo]").forEach(function (input) {
      var key = input.dataset.geo;
      input.value = key === "lon" ? c.longitude.toFixed(6) : key === "lat" ? c.latitude.toFixed(6)
        : Math.round(c.accuracy || 0);
    });
    if (state) {
      state.textContent = "定位：已开启（精度约 " + Math.round(c.accuracy || 0) + " 米）";
      state.classList.add("on");
    }
    showMe(c);
  }

  function notLocated() {
    if (state) { state.textContent = "定位：不可用（仍可打卡，不记录位置）"; }
  }

  /* A photo larger than MAX_PX (or over 2 MB) is made smaller in the browser before it is
     sent (less to upload on a phone's network); the server re-encodes it anyway and strips
     its metadata. Anything not a JPEG/PNG/WebP picture is sent as it is, for the server to judge. */
  var MAX_PX = 1600;

  function shrink(file) {
    if (!file || !/^image\/(jpeg|png|webp)$/.test(file.type) || !window.FileReader) { return Promise.resolve(null); }
    return new Promise(function (done) {
      var reader = new FileReader();
      reader.onerror = function () { done(null); };
      reader.onload = function () {
        var img = new Image();
        img.onerror = function () { done(null); };
        img.onload = function () {
          var scale = Math.min(1, MAX_PX / Math.max(img.naturalWidth, img.naturalHeight));
          if (scale === 1 && file.size < 2e6) { done(null); return; }
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.naturalWidth * scale);
          canvas.height = Math.round(img.naturalHeight * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          canvas.toBlob(function (blob) { done(blob); }, "image/jpeg", 0.85);
        };
        img.src = reader.result;  /* a data: URL (the CSP allows data: images, not blob:) */
      };
      reader.readAsDataURL(file);
    });
  }

  function refused(form, text) {
    var out = form.querySelector(".checkin-error");
    if (!out) {
      out = document.createElement("p");
      out.className = "checkin-error";
      out.setAttribute("role", "alert");
      form.appendChild(out);
    }
    out.textContent = "未能打卡：" + text;
    var button = form.querySelector("button[type=submit]");
    button.disabled = false;
    button.textContent = "提交打卡";
  }

  function submit(ev) {
    var form = ev.target;
    if (!window.fetch || !window.FormData || !window.Promise) { return; }  /* the plain form post */
    ev.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = "正在提交…";
    var data = new FormData(form);
    var input = form.querySelector("input[type=file]");
    shrink(input && input.files[0]).then(function (blob) {
      if (blob) { data.set("photo", blob, "photo.jpg"); }
      return fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json" } });
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (resp.ok) {
          window.location.assign(window.location.pathname + "?saved=" + encodeURIComponent(body.stop || "") + "#stops");
        } else {
          refused(form, body.message || ("服务器答复 " + resp.status));
        }
      });
    }).catch(function () { refused(form, "网络不通，请稍后再试"); });
  }

  document.querySelectorAll("form.checkin-form").forEach(function (form) {
    form.addEventListener("submit", submit);
  });

  if (box) {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (day) { if (day) { drawMap(day); } })
      .catch(function () { box.textContent = "地图暂时无法加载"; });
  }
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(located, notLocated, { enableHighAccuracy: true, maximumAge: 30000,
      timeout: 20000 });
  } else {
    notLocated();
  }
})();
