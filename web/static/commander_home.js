/* The commander's first screen: 定位 on an alert flies the map to it and highlights it
 * (a ring at the place, the area's outline for a hotspot or school); the alert is marked
 * as selected in the list. Needs Leaflet and the page's folium map. */
(function () {
  "use strict";

  var panel = document.getElementById("commander-home");
  if (!panel) {
    return;
  }
  var highlight = null;

  function theMap() {
    var name = panel.getAttribute("data-map");
    return name ? window[name] : null;
  }

  function locate(item) {
    var map = theMap();
    var lat = Number(item.getAttribute("data-lat"));
    var lon = Number(item.getAttribute("data-lon"));
    if (!map || !isFinite(lat) || !isFinite(lon)) {
      return;
    }
    if (highlight) {
      map.removeLayer(highlight);
    }
    var bounds = item.getAttribute("data-bounds");
    var parts = [L.circleMarker([lat, lon], { radius: 16, weight: 4, color: "#ff00ff", fill: false,
                                                className: "ch-highlight" })];
    if (bounds) {
      var box = JSON.parse(bounds);
      parts.push(L.rectangle(box, { weight: 2, color: "#ff00ff", dashArray: "4 3", fill: false,
                                    className: "ch-highlight-area" }));
      map.flyToBounds(box, { maxZoom: 16, padding: [60, 60], duration: 0.6 });
    } else {
      map.flyTo([lat, lon], Math.max(map.getZoom(), 15), { duration: 0.6 });
    }
    highlight = L.layerGroup(parts).addTo(map);
    panel.querySelectorAll(".alert.selected").forEach(function (li) { li.classList.remove("selected"); });
    item.classList.add("selected");
    if (window.matchMedia("(max-width: 800px)").matches) {
      document.getElementById("mapwrap").scrollIntoView({ behavior: "smooth" });
    }
  }

  // The day's tracks and the routes come after the page (they are too large to hold in it).
  function drawLines() {
    var map = theMap();
    var url = panel.getAttribute("data-lines");
    if (!map || !url) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : Promise.reject(resp.status); })
      .then(function (data) {
        [["routes", { weight: 3, dashArray: "8 5", opacity: 0.8, className: "ch-route" }],
         ["tracks", { weight: 2.5, opacity: 0.85, className: "ch-track" }]].forEach(function (kind) {
          var layer = L.geoJSON(data[kind[0]], {
            style: function (f) { return L.extend({ color: f.properties.color, fill: false }, kind[1]); },
            onEachFeature: function (f, l) {   // label and popup are escaped by the server (web/maps)
              l.bindTooltip(f.properties.label, { sticky: true });
              l.bindPopup(f.properties.popup);
            }
          }).addTo(map);
          layer.bringToBack();
        });
        panel.setAttribute("data-lines-drawn", "1");
      })
      .catch(function () {
        var note = document.createElement("p");
        note.className = "note behind";
        note.textContent = "当天轨迹和巡逻路线未能加载，请刷新页面。";
        panel.insertBefore(note, panel.querySelector("#alerts"));
      });
  }
  drawLines();

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button.locate");
    if (button) {
      locate(button.closest(".alert"));
    }
  });
})();
