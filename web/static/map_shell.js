/* The map shell's own controls: legend, township zoom (乡镇定位) and a metric scale bar.
 * Served by the app itself; needs only Leaflet. Called once per map by web/maps.py. */
(function () {
  "use strict";

  function panel(position, className, build) {
    var Control = L.Control.extend({
      options: { position: position },
      onAdd: function (map) {
        var div = L.DomUtil.create("div", "leaflet-control cm-panel " + className);
        build(div, map);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Control();
  }

  function legend(html) {
    return panel("bottomright", "cm-legend", function (div) {
      div.innerHTML = html;
    });
  }

  function townshipZoom(townships, countyBounds) {
    return panel("topleft", "cm-township-zoom", function (div, map) {
      var label = L.DomUtil.create("label", "", div);
      label.textContent = "乡镇定位 ";
      var select = L.DomUtil.create("select", "", label);
      select.name = "township";
      var all = document.createElement("option");
      all.value = "";
      all.textContent = "全县";
      select.appendChild(all);
      townships.forEach(function (t, i) {
        var opt = document.createElement("option");
        opt.value = String(i);
        opt.innerHTML = t.name;  // HTML-escaped by web/maps.py
        select.appendChild(opt);
      });
      L.DomEvent.on(select, "change", function () {
        var bounds = select.value === "" ? countyBounds : townships[Number(select.value)].bounds;
        if (bounds) {
          map.fitBounds(bounds, { padding: [10, 10] });
        }
      });
    });
  }

  window.CountyMap = {
    /* map: the L.Map; opts: {legend: html, townships: [{code, name, bounds}], bounds} */
    shell: function (map, opts) {
      L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
      if (opts.townships && opts.townships.length) {
        townshipZoom(opts.townships, opts.bounds).addTo(map);
      }
      legend(opts.legend).addTo(map);
      map.getContainer().setAttribute("data-county-map", "ready");
    }
  };
})();
