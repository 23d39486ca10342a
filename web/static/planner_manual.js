/* The planner's manual hotspot tools: draw a polygon (Leaflet-Geoman), pick a village,
 * school or road section (the server finds it and shows the area), or click a point and
 * give a radius; then name it and put it on the draft through the JSON API. Loaded after
 * planner.js (window.plannerPage). */
(function () {
  "use strict";

  var page = window.plannerPage;
  var form = document.getElementById("manual-form");
  var section = document.getElementById("planner-hotspots");
  if (!page || !form) {
    return;
  }
  var shapeText = document.getElementById("manual-shape");
  var statusEl = document.getElementById("manual-status");
  var addButton = document.getElementById("manual-add");
  var chosen = null;     // what the API will get: {geometry} or {geometry, radius_m} or {place}
  var preview = null;
  var clickHandler = null;

  function mode() {
    return form.querySelector("input[name=mode]:checked").value;
  }

  function number(id) {
    return Number(document.getElementById(id).value);
  }

  function clearPreview() {
    var map = page.theMap();
    if (preview && map) {
      map.removeLayer(preview);
    }
    preview = null;
    chosen = null;
    addButton.disabled = true;
  }

  function show(layer, what, ready) {
    preview = layer.addTo(page.theMap());
    page.say(shapeText, what, !ready);
    addButton.disabled = !ready;
  }

  function stopTools() {
    var map = page.theMap();
    if (!map) {
      return;
    }
    if (map.pm) {
      map.pm.disableDraw();
    }
    if (clickHandler) {
      map.off("click", clickHandler);
      clickHandler = null;
    }
    map.getContainer().classList.remove("picking");
  }

  function areaText(m2) {
    return m2 >= 1e6 ? (m2 / 1e6).toFixed(2) + " 平方公里" : Math.round(m2) + " 平方米";
  }

  function onPick(e) {
    var layer = document.getElementById("pick-layer").value;
    var url = section.getAttribute("data-place") + "?" + new URLSearchParams({
      layer: layer, lon: e.latlng.lng.toFixed(6), lat: e.latlng.lat.toFixed(6), buffer_m: number("pick-buffer") });
    page.say(shapeText, "正在查找…");
    page.api("GET", url).then(function (f) {
      clearPreview();
      var p = f.properties;
      chosen = { place: { layer: layer, code: p.code, buffer_m: p.buffer_m } };
      if (layer === "roads") {
        chosen.place.at = { lon: Number(e.latlng.lng.toFixed(6)), lat: Number(e.latlng.lat.toFixed(6)) };
      }
      var name = document.getElementById("manual-name");
      if (!name.value || name.getAttribute("data-suggested") === name.value) {
        name.value = p.name_suggested;
        name.setAttribute("data-suggested", p.name_suggested);
      }
      if (p.township_code) {
        document.getElementById("manual-township").value = p.township_code;
      }
      show(L.geoJSON(f, { style: { className: "pl-preview", color: "#d95f02", weight: 3, dashArray: "5 4", fillOpacity: 0.2 } }),
           "已选取 " + p.name + "（" + p.code + "），范围 " + areaText(p.area_m2) + (p.fits ? "" : "，超出乱点范围的面积上限（5 平方公里）" + (p.buffer_m > 0 ? "，可减小缓冲" : "") +
             "，可改用“在地图上手绘多边形”或“点选位置，半径”圈出其中的乱点"),
           p.fits);
    }).catch(function (err) {
      page.say(shapeText, err.message, true);
    });
  }

  function onPoint(e) {
    clearPreview();
    var r = number("point-radius");
    chosen = { geometry: { type: "Point", coordinates: [Number(e.latlng.lng.toFixed(6)), Number(e.latlng.lat.toFixed(6))] },
               radius_m: r };
    show(L.circle(e.latlng, { radius: r, className: "pl-preview", color: "#d95f02", weight: 3, dashArray: "5 4" }),
         "已选定中心点，半径 " + r + " 米，范围约 " + areaText(Math.PI * r * r), true);
  }

  function start() {
    var map = page.theMap();
    stopTools();
    clearPreview();
    if (mode() === "draw") {
      if (!map.pm) {
        page.say(shapeText, "绘图工具未加载", true);
        return;
      }
      map.pm.enableDraw("Polygon", { snappable: false, allowSelfIntersection: false,
                                    pathOptions: { className: "pl-preview", color: "#d95f02" } });
      page.say(shapeText, "请在地图上逐点单击，单击起点结束");
    } else {
      clickHandler = mode() === "pick" ? onPick : onPoint;
      map.on("click", clickHandler);
      map.getContainer().classList.add("picking");
      page.say(shapeText, mode() === "pick" ? "请在地图上单击要选取的" + document.getElementById("pick-layer")
        .selectedOptions[0].textContent : "请在地图上单击中心点");
    }
  }

  document.getElementById("manual-start").addEventListener("click", start);
  form.querySelectorAll("input[name=mode]").forEach(function (radio) {
    radio.addEventListener("change", function () { stopTools(); clearPreview(); page.say(shapeText, "尚未选定范围"); });
  });

  var map = page.theMap();
  if (map && map.pm) {
    map.on("pm:create", function (e) {
      clearPreview();
      chosen = { geometry: e.layer.toGeoJSON().geometry };
      map.removeLayer(e.layer);
      show(L.geoJSON(chosen.geometry, { style: { className: "pl-preview", color: "#d95f02", weight: 3, dashArray: "5 4" } }),
           "已画好范围（" + (chosen.geometry.coordinates[0].length - 1) + " 个顶点）", true);
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!chosen) {
      return;
    }
    var body = Object.assign({}, chosen);
    ["name", "level", "township_code", "unit", "deadline", "reason"].forEach(function (k) {
      var v = form.elements[k].value;
      if (v !== "") {
        body[k] = v;
      }
    });
    page.change(statusEl, "正在加入…", function () {
      body.revision = page.state.revision;
      return page.api("POST", page.listUrl("/items"), body);
    }).then(function (ok) {
      if (ok) {
        page.say(statusEl, "已加入清单：" + (body.name || "（按所选地点命名）"));
        stopTools();
        clearPreview();
        form.elements.name.value = "";
        form.elements.reason.value = "";
        form.elements.township_code.value = "";   // the next place's township: by its location again
        page.say(shapeText, "尚未选定范围");
      }
    });
  });
}());
