/* The leader's cockpit: sort the township ranking by a column (click its header), colour
 * the township map by the chosen indicator (from the ranking's cells), and on the wall
 * screen reload the page every few minutes. */
(function () {
  "use strict";
  var root = document.getElementById("cockpit");
  if (!root) { return; }
  var table = document.getElementById("ck-rank");
  var pick = document.getElementById("ck-indicator");
  var COLOURS = ["#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850"];

  function columnOf(key) {
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute("data-sort") === key) { return i; }
    }
    return -1;
  }

  function cellValue(row, col, text) {
    var v = row.cells[col].getAttribute("data-v");
    if (text) { return v; }
    return v === "" ? null : parseFloat(v);
  }

  function sortBy(th) {
    var key = th.getAttribute("data-sort"), col = columnOf(key), text = th.getAttribute("data-type") === "text";
    var down = th.getAttribute("aria-sort") !== "descending";
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, col, text), y = cellValue(b, col, text);
      if (x === null || y === null) { return (x === null) - (y === null); }
      var c = text ? String(x).localeCompare(String(y), "zh") : x - y;
      return down ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", down ? "descending" : "ascending");
    if (!text && pick) { pick.value = key; colour(); }
  }

  function colour() {
    var col = columnOf(pick.value), values = {}, met = {}, all = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var v = cellValue(r, col, false);
      values[r.getAttribute("data-code")] = v;
      met[r.getAttribute("data-code")] = r.cells[col].getAttribute("data-met");
      if (v !== null) { all.push(v); }
    });
    var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all);
    document.querySelectorAll("#ck-svg path").forEach(function (p) {
      var code = p.getAttribute("data-code"), v = values[code];
      var fill = "#ddd";
      if (v !== null && v !== undefined) {
        var k = hi > lo ? (v - lo) / (hi - lo) : 1;
        fill = COLOURS[Math.min(COLOURS.length - 1, Math.floor(k * COLOURS.length))];
      }
      p.style.fill = fill;   /* a style, not the fill attribute, which the style sheet's default would hide */
      p.classList.toggle("short", met[code] === "0");
    });
    root.setAttribute("data-coloured-by", pick.value);
    var caption = document.getElementById("ck-coloured-by");
    if (caption) { caption.textContent = pick.options[pick.selectedIndex].text; }
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });
  if (pick) { pick.addEventListener("change", colour); colour(); }

  var refresh = parseInt(root.getAttribute("data-refresh") || "0", 10);
  if (refresh > 0) {
    window.setTimeout(function () { window.location.reload(); }, refresh * 1000);
  }
}());
