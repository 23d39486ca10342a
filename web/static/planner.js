/* The planner's hotspot page. Candidates are added one at a time or several at once,
 * hotspots are drawn, picked (village, school, road) or placed with a radius, and draft
 * items are changed or removed: each through the JSON API, after which the draft, the
 * quota and the candidates' marks are refreshed in place (no reload). Also: locate a
 * candidate on the map, load evaluations of last quarter's hotspots a few at a time.
 * Needs Leaflet; drawing needs Leaflet-Geoman (served from npm under /vendor). */
(function () {
  "use strict";

  var section = document.getElementById("planner-hotspots");
  if (!section) {
    return;
  }
  var state = { draft: null, list: null, revision: null };
  var canEdit = section.getAttribute("data-can-edit") === "1";
  var query = section.getAttribute("data-query");
  var draftLayer = null;

  function theMap() {
    var el = document.querySelector(".folium-map");
    return el ? window[el.id] : null;
  }

  function say(el, text, bad) {
    if (el) {
      el.textContent = text;
      el.classList.toggle("bad", !!bad);
    }
  }

  var api = window.CountyApp.api;  // one JSON request (web/static/app.js)

  // --- the draft on the map -------------------------------------------------------------
  function drawDraft(items) {
    var map = theMap();
    if (!map) {
      return;
    }
    if (draftLayer) {
      map.removeLayer(draftLayer);
    }
    draftLayer = L.geoJSON(items, {
      style: { className: "pl-draft", color: "#000000", weight: 2, fillColor: "#ffff33", fillOpacity: 0.45 },
      onEachFeature: function (f, layer) {
        var tip = document.createElement("span");
        tip.textContent = f.properties.code + " " + f.properties.name;
        layer.bindTooltip(tip, { sticky: true });
      }
    }).addTo(map);
  }

  // --- refresh in place -------------------------------------------------------------------
  function markCandidates(onList) {
    document.querySelectorAll("#candidates tbody tr[data-rank]").forEach(function (tr) {
      var code = onList[tr.getAttribute("data-rank")];
      var box = tr.querySelector("input.pick");
      var mark = tr.querySelector(".on-list");
      var add = tr.querySelector("details.add");
      if (box) {
        box.disabled = !!code;
        if (code) { box.checked = false; }
      }
      if (!mark && code) {   // the page marks only the candidates on the list when it is made
        mark = document.createElement("span");
        mark.className = "on-list";
        mark.append("已在清单（", Object.assign(document.createElement("span"), { className: "on-code" }), "）");
        tr.querySelector("td.add-cell").prepend(mark);
      }
      if (mark) {
        mark.hidden = !code;
        mark.querySelector(".on-code").textContent = code || "";
      }
      if (add) {
        add.hidden = !!code;
        add.open = false;
      }
    });
    countPicked();
  }

  function applyPanel(data) {
    state.draft = data.draft ? data.draft.id : null;
    state.revision = data.draft ? data.draft.revision : null;
    state.list = data.list_id;
    document.getElementById("draft-panel").innerHTML = data.draft_html;
    document.getElementById("quota-panel").innerHTML = data.quota_html;
    document.querySelectorAll("input[name=draft_id]").forEach(function (el) { el.value = state.draft || ""; });
    document.querySelectorAll("input[name=revision]").forEach(function (el) {
      el.value = state.revision === null ? "" : state.revision;
    });
    markCandidates(data.on_list || {});
    drawDraft(data.items);
  }

  function refresh() {
    return api("GET", section.getAttribute("data-panel")).then(applyPanel);
  }

  // The draft to change: the one on the page, or a new one (refused when somebody else
  // opened a draft meanwhile: the page is refreshed and the planner looks again).
  function ensureDraft() {
    if (state.draft) {
      return Promise.resolve(state.draft);
    }
    return api("POST", section.getAttribute("data-api"), { quarter: section.getAttribute("data-quarter") })
      .then(function (lst) {
        if (lst.revision !== 0) {
          return refresh().then(function () {
            throw new Error("清单草稿已由他人新建，页面已刷新，请核对后再加入");
          });
        }
        state.draft = lst.id;
        state.revision = lst.revision;
        return lst.id;
      });
  }

  function listUrl(suffix) {
    return section.getAttribute("data-api") + "/" + state.draft + suffix;
  }

  // Run a change, then refresh; a refusal is said where the planner acted (a conflict
  // refreshes the page's state first).
  function change(statusEl, doing, run) {
    say(statusEl, doing);
    var started = performance.now();
    return ensureDraft().then(run).then(refresh).then(function () {
      section.setAttribute("data-last-change-ms", String(Math.round(performance.now() - started)));
      return true;
    }).catch(function (err) {
      var after = err.status === 409 ? refresh() : Promise.resolve();
      return after.then(function () { say(statusEl, err.message, true); return false; });
    });
  }

  // --- candidates: one or several at a time -----------------------------------------------
  function pickOf(tr, fields) {
    var pick = { rank: Number(tr.getAttribute("data-rank")), township_code: tr.getAttribute("data-township"),
                 count: Number(tr.getAttribute("data-count")) };
    var level = tr.querySelector("select.pick-level");
    if (level) {
      pick.level = level.value;
    }
    Object.keys(fields || {}).forEach(function (k) {
      if (fields[k] !== "") {
        pick[k] = fields[k];
      }
    });
    return pick;
  }

  function addCandidates(picks, statusEl) {
    return change(statusEl, "正在加入 " + picks.length + " 个候选乱点…", function () {
      return api("POST", listUrl("/candidates?" + query), { revision: state.revision, candidates: picks });
    }).then(function (ok) {
      if (ok) {
        say(statusEl, "已加入 " + picks.length + " 个候选乱点");
      }
    });
  }

  function pickedRows() {
    return Array.prototype.filter.call(document.querySelectorAll("#candidates tbody tr[data-rank]"), function (tr) {
      var box = tr.querySelector("input.pick");
      return box && box.checked && !box.disabled;
    });
  }

  function countPicked() {
    var n = pickedRows().length;
    var counter = document.getElementById("picked-count");
    var button = document.getElementById("add-picked");
    if (counter) { counter.textContent = String(n); }
    if (button) { button.disabled = n === 0; }
  }

  if (canEdit) {
    document.getElementById("candidates").addEventListener("change", function (e) {
      if (e.target.classList.contains("pick")) { countPicked(); }
    });
    document.getElementById("pick-all").addEventListener("change", function (e) {
      document.querySelectorAll("#candidates input.pick").forEach(function (box) {
        if (!box.disabled) { box.checked = e.target.checked; }
      });
      countPicked();
    });
    document.getElementById("add-picked").addEventListener("click", function () {
      var rows = pickedRows();
      if (rows.length) {
        addCandidates(rows.map(function (tr) { return pickOf(tr); }), document.getElementById("batch-status"));
      }
    });
    // 加入清单: a row's form is made from the page's one template when first opened (without
    // a script the link opens the page with that row's form, ?add=N)
    document.getElementById("candidates").addEventListener("click", function (e) {
      var link = e.target.closest("details.add summary a");
      if (link) {
        e.preventDefault();
        openAddForm(link.closest("details.add"));
      }
    });
    document.getElementById("candidates").addEventListener("submit", function (e) {
      var form = e.target;
      if (!form.classList.contains("add-form")) { return; }
      e.preventDefault();
      var data = new FormData(form);
      var fields = { name: data.get("name"), level: data.get("level"), unit: data.get("unit"),
                     deadline: data.get("deadline"), reason: data.get("reason") };
      addCandidates([pickOf(form.closest("tr"), fields)], document.getElementById("batch-status"));
    });
  }

  function openAddForm(details) {
    if (!details.querySelector("form")) {
      var tr = details.closest("tr");
      var form = document.getElementById("add-template").content.querySelector("form").cloneNode(true);
      form.className = "add-form";
      var values = { rank: tr.getAttribute("data-rank"), township_code: tr.getAttribute("data-township"),
                     count: tr.getAttribute("data-count"), name: details.getAttribute("data-name"),
                     unit: details.getAttribute("data-unit"), deadline: details.getAttribute("data-deadline") };
      Object.keys(values).forEach(function (k) { form.elements[k].value = values[k] || ""; });
      var level = tr.querySelector("select.pick-level");
      if (level) { form.elements.level.value = level.value; }
      details.appendChild(form);
    }
    details.open = !details.open;
  }

  // --- the draft's items: change or remove in place ------------------------------------------
  document.getElementById("draft-panel").addEventListener("submit", function (e) {
    var form = e.target;
    var tr = form.closest("tr[data-code]");
    if (e.defaultPrevented || !tr || !state.draft) {
      return;   // opening a draft: an ordinary form post
    }
    e.preventDefault();
    var code = tr.getAttribute("data-code");
    var statusEl = document.getElementById("batch-status");
    if (form.id === "edit-" + code) {
      var data = new FormData(form);
      var body = { revision: state.revision };
      ["name", "level", "township_code", "unit", "deadline"].forEach(function (k) { body[k] = data.get(k); });
      change(statusEl, "正在保存 " + code + "…", function () {
        return api("PATCH", listUrl("/items/" + encodeURIComponent(code)), body);
      }).then(function (ok) { if (ok) { say(statusEl, "已保存 " + code); } });
    } else {
      change(statusEl, "正在移除 " + code + "…", function () {
        return api("DELETE", listUrl("/items/" + encodeURIComponent(code)), { revision: state.revision });
      }).then(function (ok) { if (ok) { say(statusEl, "已从清单移除 " + code); } });
    }
  });

  // --- 定位: fit the map to a candidate area and show its tooltip ------------------------------
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

  window.plannerPage = { refresh: refresh, api: api, change: change, state: state, say: say, theMap: theMap,
                         ensureDraft: ensureDraft, listUrl: listUrl };
  refresh().then(function () { section.setAttribute("data-ready", "1"); });
}());
