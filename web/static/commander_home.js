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

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("button.locate");
    if (button) {
      locate(button.closest(".alert"));
    }
  });
})();
