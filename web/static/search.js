/* The header's search box (web/templates/_search.html): asks /api/search as one types
 * (debounced), shows the hits in a listbox, keyboard (up, down, enter, escape) and mouse.
 * Choosing a hit flies the page's map there and marks it (CountyMap.show in map_shell.js);
 * a page without a map opens the hit's page, or the county map at the place (/map#lat,lon,zoom). */
(function () {
  "use strict";

  var root = document.querySelector(".cm-search");
  if (!root) {
    return;
  }
  var input = root.querySelector("input[role=combobox]");
  var list = root.querySelector("[role=listbox]");
  var status = root.querySelector(".cm-search-status");
  var toggle = root.querySelector(".cm-search-toggle");
  var searchUrl = root.getAttribute("data-search-url");
  var mapUrl = root.getAttribute("data-map-url");
  var hits = [];
  var active = -1;
  var timer = null;
  var asked = 0;
  var DELAY_MS = 180;

  function open(show) {
    list.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setActive(i) {
    var items = list.querySelectorAll("[role=option]");
    active = items.length ? (i + items.length) % items.length : -1;
    items.forEach(function (li, j) {
      li.setAttribute("aria-selected", j === active ? "true" : "false");
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
  }

  function option(hit, i) {
    var li = document.createElement("li");
    li.id = "cm-search-opt-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.setAttribute("data-index", String(i));
    var name = document.createElement("span");
    name.className = "cm-search-name";
    name.textContent = hit.name;
    var meta = document.createElement("span");
    meta.className = "cm-search-meta";
    var kind = document.createElement("span");
    kind.className = "cm-search-kind";
    kind.textContent = hit.kind_label;
    meta.appendChild(kind);
    meta.appendChild(document.createTextNode(
      [hit.township, hit.detail, hit.code].filter(Boolean).join(" · ")));
    li.appendChild(name);
    li.appendChild(meta);
    return li;
  }

  function show(found) {
    hits = found;
    list.textContent = "";
    if (!found.length) {
      var none = document.createElement("li");
      none.className = "cm-search-empty";
      none.textContent = "没有找到";
      list.appendChild(none);
    }
    found.forEach(function (hit, i) {
      list.appendChild(option(hit, i));
    });
    status.textContent = found.length ? "找到 " + found.length + " 项" : "没有找到";
    open(true);
    setActive(found.length ? 0 : -1);
  }

  function ask() {
    var q = input.value.trim();
    var mine = ++asked;
    if (!q) {
      hits = [];
      open(false);
      return;
    }
    fetch(searchUrl + "?q=" + encodeURIComponent(q.slice(0, 50)), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (resp) {
      return resp.ok ? resp.json() : [];
    }).then(function (found) {
      if (mine === asked) {
        show(found);
      }
    }).catch(function () {
      if (mine === asked) {
        status.textContent = "搜索暂不可用";
      }
    });
  }

  function zoomFor(hit) {
    if (!hit.bbox) {
      return 16;
    }
    var span = Math.max(hit.bbox[2] - hit.bbox[0], hit.bbox[3] - hit.bbox[1], 0.0005);
    return Math.max(10, Math.min(17, Math.floor(Math.log(360 / span) / Math.LN2)));
  }

  function choose(i) {
    var hit = hits[i];
    if (!hit) {
      return;
    }
    open(false);
    input.value = hit.name;
    root.classList.remove("open");
    var map = window.CountyMap && window.CountyMap.find ? window.CountyMap.find() : null;
    if (map && hit.point) {
      window.CountyMap.show(map, hit);
    } else if (hit.url) {
      window.location.href = hit.url;
    } else if (hit.point) {
      window.location.href = mapUrl + "#" + hit.point.lat.toFixed(5) + "," + hit.point.lon.toFixed(5) +
        "," + zoomFor(hit);
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden && hits.length) {
        open(true);  // shown again as it was
        setActive(Math.max(active, 0));
        return;
      }
      setActive(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!list.hidden && active >= 0) {
        choose(active);
      } else {
        clearTimeout(timer);
        ask();
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        open(false);
      } else {
        input.value = "";
        root.classList.remove("open");
      }
    }
  });
  list.addEventListener("mousedown", function (event) {
    event.preventDefault();  // keep the focus in the box
  });
  list.addEventListener("click", function (event) {
    var li = event.target.closest("[role=option]");
    if (li) {
      choose(Number(li.getAttribute("data-index")));
    }
  });
  input.addEventListener("blur", function () {
    setTimeout(function () { open(false); }, 150);
  });
  if (toggle) {
    toggle.addEventListener("click", function () {
      var opened = root.classList.toggle("open");
      toggle.setAttribute("aria-expanded", opened ? "true" : "false");
      if (opened) {
        input.focus();
      }
    });
  }
  window.CountySearch = { zoomFor: zoomFor };
}());
