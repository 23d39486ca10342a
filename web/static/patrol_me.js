/* A patrol member's page: today's route and stops on a small map (from /patrol/me/data),
   and the browser's position (when the member allows it) put into every 打卡 form. */
(function () {
  "use strict";
  var COLOURS = { todo: "#b23b3b", arrived: "#c77d0a", checked: "#2f7d32" };
  var box = document.querySelector("[data-member-map]");
  var state = document.querySelector("[data-geo-state]");
  var map = null, me = null;

  function drawMap(day) {
    if (!box || !window.L) { return; }
    map = L.map(box, { zoomControl: true, attributionControl: !!box.dataset.tiles });
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "" }).addTo(map);
    }
    var layers = [];
    day.routes.forEach(function (r) {
      layers.push(L.geoJSON(r.geometry, { style: { color: "#1f5fa8", weight: 4 } }).bindTooltip(r.name));
    });
    day.stops.forEach(function (s) {
      layers.push(L.circleMarker([s.lat, s.lon], { radius: 8, color: "#fff", weight: 2, fillOpacity: 0.9,
        fillColor: COLOURS[s.state] || "#555" }).bindTooltip(s.name + "（" + s.state_label + "）"));
    });
    if (day.team.lon !== null && day.team.lat !== null) {
      layers.push(L.marker([day.team.lat, day.team.lon], { title: "驻地" }));
    }
    var group = L.featureGroup(layers).addTo(map);
    if (layers.length) { map.fitBounds(group.getBounds().pad(0.1)); } else { map.setView([33.8, 111.6], 11); }
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
    if (map) {
      if (!me) { me = L.circleMarker([c.latitude, c.longitude], { radius: 6, color: "#1f5fa8" }).addTo(map); }
      me.setLatLng([c.latitude, c.longitude]);
    }
  }

  function notLocated() {
    if (state) { state.textContent = "定位：不可用（仍可打卡，不记录位置）"; }
  }

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
