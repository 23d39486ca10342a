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

  /* A place found by the header's search box (web/static/search.js) on ``map``: a pulsing
   * ring with the name in a popup (and a link to its page when it has one). */
  var marked = null;

  function mark(map, lat, lon, name, url) {
    if (marked) {
      marked.remove();
    }
    var box = document.createElement("div");
    var b = document.createElement("b");
    b.textContent = name;
    box.appendChild(b);
    if (url) {
      var a = document.createElement("a");
      a.href = url;
      a.textContent = " 打开页面";
      box.appendChild(a);
    }
    marked = L.circleMarker([lat, lon], { radius: 14, color: "#e6007e", weight: 3, fill: false,
                                           className: "cm-search-flash" }).addTo(map);
    marked.bindPopup(box).openPopup();
  }

  function show(map, hit) {
    var p = hit.point;
    var b = hit.bbox;
    var done = false;
    function arrived() {
      if (!done) {
        done = true;
        mark(map, p.lat, p.lon, hit.name, hit.url);
        map.getContainer().setAttribute("data-search-shown", hit.code);
      }
    }
    map.once("moveend", arrived);
    setTimeout(arrived, 2000);  // already there: no move to end
    if (b && (b[2] - b[0] > 0.0005 || b[3] - b[1] > 0.0005)) {
      map.flyToBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 16, padding: [30, 30], duration: 0.8 });
    } else {
      map.flyTo([p.lat, p.lon], 17, { duration: 0.8 });
    }
  }

  /* /map#33.81234,111.60123,15: centre there at that zoom and mark the spot. */
  function honourHint(map) {
    var m = /^#(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?),(\d{1,2})$/.exec(window.location.hash);
    if (!m) {
      return;
    }
    var lat = Number(m[1]), lon = Number(m[2]), zoom = Math.min(Number(m[3]), 19);
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return;
    }
    function go() {
      if (map._animatingZoom) {  // the page's fitting of the county still zooming: after it
        map.once("zoomend", function () { setTimeout(go, 0); });
        return;
      }
      map.setView([lat, lon], zoom, { animate: false });
    }
    go();
    mark(map, lat, lon, "搜索位置", null);
    // the county's extent was fitted (animated) just before: its zoom ends after this
    map.once("zoomend", function () { setTimeout(go, 0); });
    window.addEventListener("load", function () { setTimeout(go, 0); });
  }

  window.CountyMap = {
    current: null,
    /* map: the L.Map; opts: {legend: html, townships: [{code, name, bounds}], bounds} */
    shell: function (map, opts) {
      L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
      if (opts.townships && opts.townships.length) {
        townshipZoom(opts.townships, opts.bounds).addTo(map);
      }
      legend(opts.legend).addTo(map);
      window.setTimeout(function () { foldLayersOnPhone(map); }, 0);  // the layer control is added after the shell
      window.CountyMap.current = map;
      honourHint(map);
      map.getContainer().setAttribute("data-county-map", "ready");
    },
    /* The page's Leaflet map: the shell's, else the first folium map on the page; or null. */
    find: function () {
      if (window.CountyMap.current) {
        return window.CountyMap.current;
      }
      var el = document.querySelector(".folium-map");
      var map = el && window[el.id];
      return map && typeof map.flyTo === "function" ? map : null;
    },
    show: show,
    mark: mark
  };
})();
