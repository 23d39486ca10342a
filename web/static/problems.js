/* The problem list's map: the problems (as filtered on the page) fetched from the API as
 * GeoJSON and drawn as dots coloured by state, overdue ones in red; a click opens a popup
 * with a link to the problem. Needs Leaflet and the page's folium map. */
(function () {
  "use strict";

  var panel = document.getElementById("problem-list");
  if (!panel) {
    return;
  }
  var COLORS = { listed: "#6a51a3", assigned: "#2171b5", handling: "#fd8d3c", callback: "#41ab5d",
                 closed: "#969696" };

  function popup(p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/problems/" + encodeURIComponent(p.id);
    link.textContent = p.code + " " + p.title;
    box.appendChild(link);
    var line = document.createElement("div");
    line.textContent = p.state_label + (p.overdue ? "（逾期）" : "") + (p.department ? " · " + p.department : "") +
      (p.deadline ? " · 期限 " + p.deadline : "");
    box.appendChild(line);
    return box;
  }

  var map = window[panel.getAttribute("data-map")];
  if (!map) {
    return;
  }
  fetch(panel.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (resp) { return resp.ok ? resp.json() : Promise.reject(resp.status); })
    .then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          return L.circleMarker(latlng, { radius: 6, weight: p.overdue ? 3 : 1, color: p.overdue ? "#d7191c" : "#222",
                                          fillColor: p.overdue ? "#d7191c" : (COLORS[p.state] || "#888"),
                                          fillOpacity: 0.9, className: "problem-dot" });
        },
        onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties)); }
      }).addTo(map);
      panel.setAttribute("data-drawn", String(data.features.length));
    })
    .catch(function () { panel.setAttribute("data-drawn", "error"); });
}());
