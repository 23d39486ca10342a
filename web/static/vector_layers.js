/* Map layers drawn from the app's vector tiles (/tiles/<layer>/{z}/{x}/{y}.mvt) with
 * Leaflet.VectorGrid, served by the app. Styles follow the catalog's looks (sent by
 * web/maps/tiled.py); a click on a feature fetches its OGC API item
 * (/ogc/collections/<layer>/items/<code>) and shows its attributes in Chinese; a click on
 * a counted cell (low zooms) zooms in on it. Needs Leaflet, Leaflet.VectorGrid and
 * map_shell.js (window.CountyMap). */
(function () {
  "use strict";

  // Leaflet 1.8 removed L.DomEvent.fakeStop, which VectorGrid 1.3's canvas renderer calls
  // on a click: stopping the event keeps the map from closing the popup it opens.
  if (!L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { L.DomEvent.stopPropagation(e); };
  }

  var ZONE = "Asia/Shanghai";
  var TEAM_MINIMUM = {};  // set by setup(): members R7 asks of each kind of team
  var NAMES = {};         // set by setup(): {column: {code: name}} shown beside codes
  var MADE = {};          // the overlays made, by source name

  var CLASSIFY = {
    village_kind: function (p) {
      if (!p.remote) { return "plain"; }
      return p.remediated_on ? "remediated" : "remote";
    },
    team_short: function (p) {
      var minimum = TEAM_MINIMUM[p.kind];
      return minimum !== undefined && p.members !== null && p.members !== undefined && p.members < minimum;
    }
  };

  function kindOf(look, props) {
    var key = look.classify ? CLASSIFY[look.classify](props) : (look.by ? props[look.by] : undefined);
    if (key === undefined) { return null; }
    for (var i = 0; i < look.kinds.length; i++) {
      var k = look.kinds[i];
      if (k.key === key || (k.aliases || []).indexOf(key) >= 0) { return k; }
    }
    return look.other;
  }

  function assign(target) {
    for (var i = 1; i < arguments.length; i++) {
      var src = arguments[i] || {};
      for (var key in src) {
        if (Object.prototype.hasOwnProperty.call(src, key)) { target[key] = src[key]; }
      }
    }
    return target;
  }

  /* A cell of points counted at a low zoom (layers/tiles.py): a count and no code. */
  function counted(props) {
    return props.count !== undefined && props.code === undefined;
  }

  function styleFor(opts, props) {
    var look = opts.look;
    var kind = kindOf(look, props);
    var style = assign({}, look.style, kind ? kind.style : null);
    if (opts.styleBy && props[opts.styleBy.column] !== undefined) {  // a page's own colours (team, status …)
      assign(style, opts.styleBy.styles[String(props[opts.styleBy.column])]);
    }
    if (opts.point) {
      style.radius = look.radius;
      if (counted(props)) {  // a cell of points counted at a low zoom: sized by its count
        var colour = kind && (kind.style.fillColor || kind.style.color);
        style = assign({}, look.style, look.cell, colour ? { fillColor: colour } : null,
                       { radius: Math.min(3 + 2 * Math.log(props.count) / Math.LN2, 16) });
      }
      if (style.fill === undefined) { style.fill = true; }
    }
    return style;
  }

  /* Numbers for people, as web/numbers.py writes them. */
  function degrees(v, bearing) {
    var whole = Math.round(Number(v));
    return (bearing ? ((whole % 360) + 360) % 360 : whole) + "°";
  }
  function distance(v) {
    var whole = Math.round(Number(v));
    return Math.abs(whole) >= 1000 ? (whole / 1000).toFixed(1) + " km" : whole + " m";
  }
  function localTime(text) {
    var d = new Date(text);
    if (isNaN(d.getTime())) { return String(text); }
    var parts = {};
    new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
                                       hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function text(column, value, names) {
    if (value === null || value === undefined || value === "") { return ""; }
    var name = column[0], how = column[2], labels = column[3];
    var out;
    if (labels && Object.prototype.hasOwnProperty.call(labels, String(value))) {
      out = labels[String(value)];
    } else if (how === "bool") {
      out = value ? "是" : "否";
    } else if (how === "time") {
      out = localTime(value);
    } else if (how === "date") {
      out = String(value).slice(0, 10);
    } else if (how === "bearing") {
      out = degrees(value, true);
    } else if (how === "angle") {
      out = degrees(value, false);
    } else if (how === "distance") {
      out = distance(value);
    } else if (how === "float") {
      out = String(Number(Number(value).toPrecision(6)));
    } else {
      out = String(value);
    }
    if (names && names[name] && names[name][value]) {
      out = names[name][value] + "（" + value + "）";
    }
    return out;
  }

  function table(columns, props, names) {
    var t = document.createElement("table");
    t.className = "cm-popup";
    columns.forEach(function (c) {
      var tr = t.insertRow();
      var th = document.createElement("th");
      th.textContent = c[1];
      tr.appendChild(th);
      tr.insertCell().textContent = text(c, props[c[0]], names);
    });
    return t;
  }

  function itemUrl(opts, code) {
    return opts.item.replace("__CODE__", encodeURIComponent(code));
  }

  function onClick(map, opts, e) {
    var names = NAMES;
    var props = (e.layer && e.layer.properties) || {};
    var at = e.latlng;
    if (counted(props)) {  // a counted cell: closer, up to where points are drawn one by one
      map.setView(at, Math.min(map.getZoom() + 2, opts.aggregateBelow || 22));
      return;
    }
    var box = document.createElement("div");
    box.className = "cm-popup-box";
    var title = document.createElement("b");
    title.textContent = opts.title;
    box.appendChild(title);
    if (!props.code || !opts.item) {  // no item to fetch (tracks): the tile's own attributes
      box.appendChild(table(opts.columns, props, names));
      L.popup({ maxWidth: 320 }).setLatLng(at).setContent(box).openOn(map);
      return;
    }
    if (opts.link && props.code) {  // the page's own link (a camera's status page …)
      var a = document.createElement("a");
      a.href = opts.link.url.replace("__CODE__", encodeURIComponent(props.code));
      a.textContent = opts.link.text;
      a.className = "cm-popup-link";
      box.appendChild(a);
    }
    var wait = document.createElement("div");
    wait.textContent = "读取中…";
    box.appendChild(wait);
    var popup = L.popup({ maxWidth: 320 }).setLatLng(at).setContent(box).openOn(map);
    fetch(itemUrl(opts, props.code), { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (item) {
        box.replaceChild(table(opts.columns, item.properties || {}, names), wait);
        popup.update();
        map.getContainer().setAttribute("data-popup-code", props.code);
      })
      .catch(function (err) {
        wait.textContent = "读取失败（" + err.message + "），以下为瓦片中的属性";
        box.appendChild(table(opts.columns, props, names));
        popup.update();
      });
  }

  /* 512-pixel tiles made of the tiles of one zoom less (the same ground, the same detail
   * in 4096 units): a quarter of the requests. VectorGrid asks for the grid's own zoom,
   * so the URL's zoom is shifted here. */
  var BigTiles = L.VectorGrid.Protobuf.extend({
    _getVectorTilePromise: function (coords) {
      var shifted = L.point(coords.x, coords.y);
      shifted.z = coords.z - 1;
      return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, shifted);
    },
    // A drawn point has no LatLng (it is placed in tile pixels); Leaflet 1.9 takes any
    // small circle with getLatLng for a marker and would read its missing LatLng on a
    // click: such points answer at the mouse's position instead.
    _createLayer: function (feat, pxPerExtent, layerStyle) {
      var layer = L.VectorGrid.Protobuf.prototype._createLayer.call(this, feat, pxPerExtent, layerStyle);
      if (feat.type === 1) {
        layer.getLatLng = null;
      }
      return layer;
    }
  });

  /* One tile overlay: opts {name, title, url, pane, look, point, aggregateBelow, minZoom,
   * columns: [[name, label, how, labels]], item: URL with __CODE__, styleBy}. */
  function vector(map, opts) {
    var styles = {};
    styles[opts.name] = function (props) { return styleFor(opts, props); };
    var layer = new BigTiles(opts.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: true,
      pane: opts.pane,
      tileSize: 512,
      minZoom: opts.minZoom ? opts.minZoom + 1 : 0,
      maxNativeZoom: 21,
      getFeatureId: function (f) { return f.properties.code; },
      attribution: ""
    });
    layer.on("click", function (e) { onClick(map, opts, e); });
    MADE[opts.name] = layer;
    layer.on("load", function () {
      map.getContainer().setAttribute("data-tiles-" + opts.name, "loaded");
    });
    return layer;
  }

  /* GeoJSON of one of the app's APIs, fetched after the page (each URL once), drawn in
   * an overlay made now so that the layer control lists it at once. opts: {url, key (the
   * answer's member holding the features, if not the answer), style, where: {property:
   * value}, tooltip, popup (properties; escaped: written as HTML by the server), colour
   * (property holding each feature's colour), styleBy, radius, title}. */
  var FETCHED = {};

  function geojson(map, opts) {
    var layer = L.geoJSON(null, {
      style: function (f) {
        var style = assign({}, opts.style);
        if (opts.styleBy) { assign(style, opts.styleBy.styles[String(f.properties[opts.styleBy.column])]); }
        if (opts.styleProperty && f.properties[opts.styleProperty]) {  // a style the server gave each feature
          assign(style, f.properties[opts.styleProperty]);
        }
        if (opts.colour && f.properties[opts.colour]) {  // a colour the server gave each feature
          style.color = style.fillColor = f.properties[opts.colour];
        }
        return style;
      },
      filter: function (f) {
        return Object.keys(opts.where || {}).every(function (k) { return f.properties[k] === opts.where[k]; });
      },
      pointToLayer: function (f, at) { return L.circleMarker(at, { radius: opts.radius || 5 }); },
      pane: opts.pane || "overlayPane",
      onEachFeature: function (f, l) {
        if (opts.escaped) {  // label and popup written and HTML-escaped by the server (web/maps)
          if (opts.tooltip && f.properties[opts.tooltip]) { l.bindTooltip(f.properties[opts.tooltip], { sticky: true }); }
          if (opts.popup && f.properties[opts.popup]) { l.bindPopup(f.properties[opts.popup]); }
          return;
        }
        if (opts.tooltip && f.properties[opts.tooltip] !== undefined) {
          var tip = document.createElement("span");
          tip.textContent = String(f.properties[opts.tooltip]);  // text, not markup
          l.bindTooltip(tip, { sticky: true });
        }
      }
    });
    FETCHED[opts.url] = FETCHED[opts.url] || fetch(opts.url, { credentials: "same-origin",
                                                              headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status)); });
    var box = map.getContainer();
    function pending(step) {  // data-api-pending: overlays still waiting for their data
      box.setAttribute("data-api-pending", String(Number(box.getAttribute("data-api-pending") || 0) + step));
    }
    pending(1);
    FETCHED[opts.url].then(function (data) {
      layer.addData(opts.key ? data[opts.key] : data);
      pending(-1);
    }).catch(function (err) {
      box.setAttribute("data-api-failed", opts.title + "：" + err.message);
      pending(-1);
    });
    return layer;
  }

  window.CountyVector = {
    geojson: geojson,
    /* Page-wide settings {teamMinimum, names, bounds}: the map is fitted to bounds at
     * once (no animation), so the overlays added next ask only for the tiles of that view. */
    setup: function (map, settings) {
      TEAM_MINIMUM = (settings && settings.teamMinimum) || {};
      NAMES = (settings && settings.names) || {};
      if (settings && settings.bounds) {
        map.fitBounds(settings.bounds, { animate: false });
      }
    },
    layer: vector,
    text: text,
    /* Whether every overlay on its map has all its tiles of the view. */
    settled: function () {
      return Object.keys(MADE).every(function (name) {
        return !MADE[name]._map || !MADE[name].isLoading();
      });
    },
    /* {source: features drawn now} of the overlays on their map (for tests and checks). */
    drawn: function () {
      var out = {};
      Object.keys(MADE).forEach(function (name) {
        var layer = MADE[name], count = 0;
        if (layer._map) {
          Object.keys(layer._vectorTiles || {}).forEach(function (key) {
            count += Object.keys(layer._vectorTiles[key]._layers || {}).length;
          });
        }
        out[name] = count;
      });
      return out;
    }
  };
})();
