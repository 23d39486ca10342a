/* The commander's live map (issue 15): every LIVE_POLL_S seconds the page asks
 * /commander/live.json for each team's latest position, its trail and the arrive/leave
 * events, and moves the teams' markers on the folium map without reloading. A team silent
 * longer than PATROL_SILENT_MINUTES turns grey and gets an alert in the list; events show
 * in the list as they arrive. window.countymapLive holds the markers (tests read them). */
(function () {
  "use strict";

  var panel = document.getElementById("commander-home");
  var url = panel && panel.getAttribute("data-live");
  if (!url) {
    return;
  }
  var pollMs = Math.max(2, Math.min(10, Number(panel.getAttribute("data-poll")) || 10)) * 1000;
  var SILENT_COLOR = "#9e9e9e";
  var live = window.countymapLive = { markers: {}, trails: {}, polls: 0, last: null };
  var since = null;
  var shownEvents = {};
  var list = document.getElementById("alerts");
  var status = document.createElement("p");
  status.className = "note live-status";
  status.id = "live-status";
  status.textContent = "实时位置：连接中…";
  list.parentNode.insertBefore(status, list);
  var board = document.createElement("details");   // every team's age and battery, also without a mouse
  board.className = "live-board";
  board.id = "live-teams";
  board.hidden = true;
  var boardTitle = document.createElement("summary");
  var boardList = document.createElement("ul");
  board.appendChild(boardTitle);
  board.appendChild(boardList);
  list.parentNode.insertBefore(board, list);

  function theMap() {
    var name = panel.getAttribute("data-map");
    return name ? window[name] : null;
  }

  function age(seconds) {
    if (seconds < 60) { return seconds + " 秒前"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " 分钟前"; }
    return Math.floor(seconds / 3600) + " 小时 " + Math.floor((seconds % 3600) / 60) + " 分钟前";
  }

  function span(seconds) {
    seconds = Math.round(seconds);
    return seconds < 60 ? seconds + " 秒" : Math.round(seconds / 6) / 10 + " 分钟";
  }

  function label(t) {
    var parts = [t.name || t.code, "上报于 " + age(t.age_s)];
    if (t.battery !== null && t.battery !== undefined) { parts.push("电量 " + Math.round(t.battery) + "%"); }
    if (t.silent) { parts.push("超时未上报"); }
    return parts.join(" · ");
  }

  function placeTeam(map, t) {
    var color = t.silent ? SILENT_COLOR : (t.color || "#1f78b4");
    var marker = live.markers[t.code];
    if (!marker) {
      marker = L.circleMarker([t.lat, t.lon], { radius: 8, weight: 2, color: "#ffffff", fillOpacity: 1,
                                                 className: "live-team" }).addTo(map);
      marker.bindTooltip("", { direction: "top" });
      live.markers[t.code] = marker;
    }
    marker.setLatLng([t.lat, t.lon]);
    marker.setStyle({ fillColor: color, color: t.silent ? "#616161" : "#ffffff" });
    marker.setTooltipContent(label(t));
    if (marker.getPopup()) { marker.setPopupContent(label(t)); } else { marker.bindPopup(label(t)); }
    marker.silent = t.silent;
    var el = marker.getElement && marker.getElement();
    if (el) {
      el.classList.toggle("live-silent", !!t.silent);
      el.setAttribute("data-team", t.code);
    }
    marker.bringToFront();
  }

  // A poll's points [lon, lat, t] merged into the team's trail: in time order, each moment once.
  function merge(held, points) {
    var byTime = {};
    held.concat(points).forEach(function (p) { byTime[p[2]] = p; });
    return Object.keys(byTime).map(Number).sort(function (a, b) { return a - b; })
      .map(function (t) { return byTime[t]; });
  }

  function drawTrails(map, doc, colors) {
    Object.keys(doc.trails).forEach(function (code) {
      var line = live.trails[code];
      if (!line) {
        line = live.trails[code] = L.polyline([], { weight: 3, opacity: 0.9, className: "live-trail" }).addTo(map);
        line.points = [];
      }
      line.points = doc.since ? merge(line.points, doc.trails[code]) : doc.trails[code];
      line.setStyle({ color: colors[code] || "#1f78b4" });
      line.setLatLngs(line.points.map(function (p) { return [p[1], p[0]]; }));
    });
  }

  function item(kind, key, title, what, lat, lon) {
    var li = document.createElement("li");
    li.className = "alert alert-team alert-live alert-" + kind;
    li.setAttribute("data-live", key);
    if (lat !== null && lat !== undefined) {
      li.setAttribute("data-lat", lat);
      li.setAttribute("data-lon", lon);
    }
    var tag = document.createElement("span");
    tag.className = "tag tag-team";
    tag.textContent = kind === "silent" ? "超时未上报" : "巡防动态";
    var b = document.createElement("b");
    b.textContent = " " + title;
    var div = document.createElement("div");
    div.className = "what";
    div.textContent = what;
    li.appendChild(tag);
    li.appendChild(b);
    li.appendChild(div);
    if (lat !== null && lat !== undefined) {
      var acts = document.createElement("div");
      acts.className = "acts";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "locate";
      button.textContent = "定位";
      acts.appendChild(button);
      li.appendChild(acts);
    }
    return li;
  }

  function showAlerts(doc) {
    var none = document.getElementById("no-alerts");
    var silentNow = {};
    doc.alerts.forEach(function (a) {
      var key = "silent-" + a.team;
      silentNow[key] = true;
      var old = list.querySelector('[data-live="' + key + '"]');
      var li = item("silent", key, a.team_name, a.what, a.lat, a.lon);
      if (old) { list.replaceChild(li, old); } else { list.insertBefore(li, list.firstChild); }
    });
    list.querySelectorAll(".alert-silent").forEach(function (li) {
      if (!silentNow[li.getAttribute("data-live")]) { li.remove(); }
    });
    doc.events.slice().reverse().forEach(function (e) {
      var key = "event-" + e.id;
      if (shownEvents[key]) { return; }
      shownEvents[key] = true;
      var when = e.at.slice(11, 16);
      var li = item("event", key, e.team_name, when + " " + e.what, e.lat, e.lon);
      li.classList.add("event-" + e.kind);
      var firstEvent = list.querySelector(".alert-event");
      list.insertBefore(li, firstEvent || null);
    });
    var events = list.querySelectorAll(".alert-event");
    for (var i = 20; i < events.length; i++) { events[i].remove(); }
    if (none && list.querySelector(".alert-live")) { none.hidden = true; }
  }

  function showBoard(teams) {
    board.hidden = teams.length === 0;
    boardTitle.textContent = "各巡防队实时状态（" + teams.length + " 支）";
    var sorted = teams.slice().sort(function (a, b) { return (b.silent - a.silent) || (b.age_s - a.age_s); });
    boardList.textContent = "";
    sorted.forEach(function (t) {
      var li = document.createElement("li");
      li.className = t.silent ? "silent" : "";
      li.setAttribute("data-team", t.code);
      li.textContent = label(t);
      boardList.appendChild(li);
    });
  }

  function apply(doc) {
    var map = theMap();
    if (!map) {
      return;
    }
    var colors = {};
    doc.teams.forEach(function (t) { colors[t.code] = t.color; placeTeam(map, t); });
    drawTrails(map, doc, colors);
    showAlerts(doc);
    showBoard(doc.teams);
    if (doc.teams.length) {
      document.getElementById("mapwrap").classList.add("live-on");  // the page's static positions give way
    }
    var silent = doc.teams.filter(function (t) { return t.silent; }).length;
    status.textContent = "实时位置（每 " + Math.round(pollMs / 1000) + " 秒更新，更新于 " + doc.as_of.slice(11, 19) +
      "）：今天上报的巡防队 " + doc.teams.length + " 支，其中超过 " + span(doc.silent_minutes * 60) +
      "未上报 " + silent + " 支。";
    live.last = doc;
    live.polls += 1;
    panel.setAttribute("data-live-polls", String(live.polls));
  }

  function poll() {
    var ask = url + (since ? (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(since) : "");
    fetch(ask, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : Promise.reject(resp.status); })
      .then(function (doc) {
        apply(doc);
        since = doc.as_of;
        if (doc.poll_s) { pollMs = Math.max(1, Math.min(10, doc.poll_s)) * 1000; }
      })
      .catch(function () { status.textContent = "实时位置暂时无法更新，稍后自动重试。"; })
      .then(function () { window.setTimeout(poll, pollMs); });
  }
  poll();
})();
