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
    return panel("bottomright", "cm-legend", function (div, map) {
      div.innerHTML = html;
      // On a phone the open legend would cover the map and the layer control: start closed.
      var details = div.querySelector("details");
      if (details && map.getSize().x < 600) {
        details.removeAttribute("open");
      }
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
        var county = select.value === "";
        var bounds = county ? countyBounds : townships[Number(select.value)].bounds;
        if (bounds) {  // 全县 goes back to the view the page opened with (fitted without padding)
          map.fitBounds(bounds, county ? {} : { padding: [10, 10] });
        }
      });
    });
  }

  // On a phone the layer list starts folded into its button (Leaflet's own toggle); a tap
  // opens it, a tap on the map folds it again.
  function foldLayersOnPhone(map) {
    var box = map.getContainer().querySelector(".leaflet-control-layers");
    if (!box || map.getSize().x >= 600) {
      return;
    }
    box.classList.remove("leaflet-control-layers-expanded");
    var toggle = box.querySelector(".leaflet-control-layers-toggle");
    L.DomEvent.on(toggle, "click", function (event) {
      L.DomEvent.preventDefault(event);
      box.classList.add("leaflet-control-layers-expanded");
    });
    map.on("click", function () {
      box.classList.remove("leaflet-control-layers-expanded");
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
      window.setTimeout(function () { foldLayersOnPhone(map); }, 0);  // the layer control is added after the shell
      map.getContainer().setAttribute("data-county-map", "ready");
    }
  };
})();
