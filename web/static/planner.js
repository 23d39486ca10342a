/* The planner's hotspot page: locate candidates on the map, load the evaluations of last
 * quarter's hotspots a few at a time. Needs only Leaflet (forms' data-confirm: app.js). */
(function () {
  "use strict";

  function theMap() {
    var el = document.querySelector(".folium-map");
    return el ? window[el.id] : null;
  }

  // 定位: fit the map to a candidate area and show its tooltip.
  function candidateLayer(map, rank) {
    var found = null;
    map.eachLayer(function (layer) {
      if (!found && layer.feature && layer.options && layer.options.className === "pl-candidate" &&
          layer.feature.properties.rank === rank) {
        found = layer;
      }
    });
    return found;
  }

  document.querySelectorAll("button.locate").forEach(function (button) {
    button.addEventListener("click", function () {
      var map = theMap();
      var layer = map && candidateLayer(map, Number(button.getAttribute("data-rank")));
      if (!layer) {
        return;
      }
      document.querySelectorAll("#candidates tr.selected").forEach(function (tr) { tr.classList.remove("selected"); });
      button.closest("tr").classList.add("selected");
      map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [40, 40] });
      if (layer.openTooltip) {
        layer.openTooltip(layer.getBounds().getCenter());
      }
    });
  });

  // Evaluations not yet recorded: fetched as server-rendered fragments, two at a time.
  var pending = Array.prototype.slice.call(document.querySelectorAll(".lazy-eval[data-url]"));
  function next() {
    var el = pending.shift();
    if (!el) {
      return;
    }
    fetch(el.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) { el.innerHTML = html; })
      .catch(function () { el.classList.add("failed"); })
      .then(next);
  }
  next();
  next();
}());
