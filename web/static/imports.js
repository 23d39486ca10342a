/* The admin's import page: upload a file, check it in the background, correct the column
 * matches, look at the preview and the problems, confirm the write (web/api/uploads.py). */
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var layers = JSON.parse($("import-layers").textContent);
  var state = null;
  var previewMap = null;
  var previewLayer = null;

  var csrf = window.CountyApp.csrf;  // web/static/app.js
  var api = window.CountyApp.api;

  function layerOf(name) {
    return layers.filter(function (l) { return l.name === name; })[0];
  }

  function showProgress(text, done, total) {
    $("progress-box").hidden = false;
    var bar = $("progress");
    if (total) {
      bar.max = total;
      bar.value = Math.min(done, total);
    } else {
      bar.removeAttribute("value");
    }
    $("progress-text").textContent = text;
  }

  function hideProgress() {
    $("progress-box").hidden = true;
  }

  function fail(message) {
    hideProgress();
    $("summary").textContent = message;
    $("summary").className = "bad";
    $("result").hidden = false;
  }

  function noteLayer() {
    var layer = layerOf($("layer").value);
    $("layer-note").textContent = layer ? layer.note : "";
  }

  function upload(event) {
    event.preventDefault();
    var file = $("file").files[0];
    if (!file) {
      return;
    }
    var form = new FormData();
    form.append("file", file);
    form.append("layer", $("layer").value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/imports/uploads");
    xhr.setRequestHeader("X-CSRFToken", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      showProgress("上传中 " + Math.round(100 * e.loaded / (e.total || 1)) + "%", e.loaded, e.total);
    };
    xhr.onload = function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
      if (xhr.status !== 201) {
        fail(data.message || ("上传失败（" + xhr.status + "）"));
        return;
      }
      state = data;
      $("written").hidden = true;
      $("options").hidden = false;
      $("file-info").textContent = "文件：" + data.file + "（" + (data.size / 1048576).toFixed(1) + " MB）";
      var sheets = data.sheets || [];
      $("sheet-label").hidden = sheets.length < 2;
      $("sheet").innerHTML = "";
      sheets.forEach(function (name) {
        var opt = document.createElement("option");
        opt.value = opt.textContent = name;
        $("sheet").appendChild(opt);
      });
      check(false);
    };
    xhr.onerror = function () { fail("上传失败：网络错误"); };
    showProgress("上传中", 0, file.size);
    xhr.send(form);
  }

  function chosenColumns() {
    var out = {};
    document.querySelectorAll("#mapping select").forEach(function (sel) {
      out[sel.getAttribute("data-column")] = sel.value || null;
    });
    return out;
  }

  function check(withColumns) {
    var body = { layer: $("layer").value, crs: $("crs").value || null,
                 encoding: $("encoding").value || null };
    if (!$("sheet-label").hidden && $("sheet").value) {
      body.sheet = $("sheet").value;
    }
    if (withColumns && state.report && state.report.layer === body.layer) {
      body.columns = chosenColumns();  // a match made for another layer does not carry over
    }
    $("write").disabled = true;
    api("POST", "/api/imports/uploads/" + state.token + "/check", body)
      .then(function () { showProgress("检查中", 0, null); poll(); })
      .catch(function (err) { fail(err.message); });
  }

  function poll() {
    api("GET", "/api/imports/uploads/" + state.token).then(function (data) {
      state = data;
      var p = data.progress;
      if (data.stage === "checking" || data.stage === "writing") {
        var word = data.stage === "checking" ? "检查中" : "写入中";
        var done = p ? p.done : 0;
        var total = p ? p.total : null;
        showProgress(word + " " + done + (total ? " / " + total : "") + " 行", done, total);
        window.setTimeout(poll, 400);
        return;
      }
      hideProgress();
      if (data.stage === "checked") {
        render(data);
      } else if (data.stage === "written") {
        written(data);
      } else {
        fail(data.error || "检查失败");
      }
    }).catch(function (err) { fail(err.message); });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function renderMapping(report) {
    var layer = layerOf(report.layer);
    var body = document.querySelector("#mapping tbody");
    body.innerHTML = "";
    report.columns.forEach(function (column) {
      var tr = document.createElement("tr");
      cell(tr, column);
      var td = document.createElement("td");
      var sel = document.createElement("select");
      sel.setAttribute("data-column", column);
      var none = document.createElement("option");
      none.value = "";
      none.textContent = "— 不导入（保留在属性中）—";
      sel.appendChild(none);
      layer.fields.forEach(function (f) {
        var opt = document.createElement("option");
        opt.value = f.name;
        opt.textContent = f.label + "（" + f.name + "）";
        sel.appendChild(opt);
      });
      sel.value = report.mapping[column] || "";
      td.appendChild(sel);
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  function renderProblems(report) {
    var body = document.querySelector("#problems tbody");
    body.innerHTML = "";
    report.report.slice(0, 500).forEach(function (p) {
      var tr = document.createElement("tr");
      cell(tr, p.row === null ? "整个文件" : p.row);
      cell(tr, p.code);
      cell(tr, p.column);
      cell(tr, p.value);
      cell(tr, p.what);
      body.appendChild(tr);
    });
    $("problems-title").textContent = "问题（" + report.problem_count + " 个" +
      (report.problem_count > 500 ? "，此处列出前 500 个，全部见报告" : "") + "）";
    $("report-link").href = "/api/imports/uploads/" + state.token + "/report.xlsx";
  }

  function renderPreview(report) {
    if (!window.L) {
      return;
    }
    if (!previewMap) {
      previewMap = L.map("preview-map", { attributionControl: false });
      L.control.scale({ metric: true, imperial: false }).addTo(previewMap);
      // the county's townships as a backdrop (no base map on the county network)
      api("GET", "/ogc/collections/townships/items?f=json&limit=1000").then(function (fc) {
        L.geoJSON(fc, { style: { color: "#7a8aa0", weight: 1, fill: false }, interactive: false })
          .addTo(previewMap).bringToBack();
      }).catch(function () { return null; });
    }
    if (previewLayer) {
      previewMap.removeLayer(previewLayer);
    }
    previewLayer = L.featureGroup().addTo(previewMap);
    L.geoJSON(report.preview, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: "#1f3a5f", weight: 1, fillOpacity: 0.8 });
      },
      onEachFeature: function (f, lyr) {
        var text = "第 " + f.properties.row + " 行 " + (f.properties.code || "") + " " + (f.properties.name || "");
        lyr.bindTooltip(text);
      }
    }).addTo(previewLayer);
    var e = report.extent;
    if (e) {
      var bounds = [[e[1], e[0]], [e[3], e[2]]];
      L.rectangle(bounds, { color: "#e6550d", weight: 1.5, fill: false, dashArray: "5 4" }).addTo(previewLayer);
      previewMap.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
    } else {
      previewMap.setView([35, 105], 4);
    }
    window.setTimeout(function () { previewMap.invalidateSize(); }, 0);
  }

  function render(data) {
    var report = data.report;
    $("result").hidden = false;
    var ok = report.problem_count === 0;
    var text = "共 " + report.rows + " 行；";
    text += ok ? "检查通过，可以导入。" : "发现 " + report.problem_count + " 个问题，请修改文件后重新上传，或改正列的对应后重新检查。";
    if (report.crs_used) {
      text += " 坐标系：文件声明 " + (report.crs_found || "无") + "，按 " + report.crs_used + " 读取。";
    }
    if (report.attributes_only) {
      text += " 文件没有坐标，只更新已有要素的属性。";
    }
    $("summary").textContent = text;
    $("summary").className = ok ? "good" : "bad";
    var warnings = $("warnings");
    warnings.innerHTML = "";
    report.warnings.forEach(function (w) {
      var li = document.createElement("li");
      li.textContent = w;
      warnings.appendChild(li);
    });
    renderMapping(report);
    renderProblems(report);
    renderPreview(report);
    $("write").disabled = !ok;
    $("written").hidden = true;
  }

  function written(data) {
    $("result").hidden = true;
    $("options").hidden = true;
    $("written").hidden = false;
    var r = data.result;
    $("written-text").textContent = data.file + " 已导入：新增 " + r.added + " 行，更新 " + r.updated + " 行。" +
      (r.warnings && r.warnings.length ? " 提示：" + r.warnings.join("；") : "");
  }

  function write() {
    if (!window.confirm("确认将 " + state.file + " 写入图层“" + layerOf(state.report.layer).title + "”？")) {
      return;
    }
    $("write").disabled = true;
    api("POST", "/api/imports/uploads/" + state.token + "/write")
      .then(function () { showProgress("写入中", 0, state.report.rows); poll(); })
      .catch(function (err) { fail(err.message); });
  }

  function discard() {
    api("DELETE", "/api/imports/uploads/" + state.token).then(function () {
      state = null;
      $("result").hidden = true;
      $("options").hidden = true;
      $("upload-form").reset();
      noteLayer();
    }).catch(function (err) { fail(err.message); });
  }

  document.querySelectorAll("[data-undo]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm("撤销这次导入（" + button.getAttribute("data-what") + "）？图层将恢复到导入之前。")) {
        return;
      }
      button.disabled = true;
      api("POST", "/api/imports/" + button.getAttribute("data-undo") + "/undo", {})
        .then(function () { window.location.reload(); })
        .catch(function (err) { button.disabled = false; window.alert(err.message); });
    });
  });

  $("layer").addEventListener("change", noteLayer);
  $("upload-form").addEventListener("submit", upload);
  $("check").addEventListener("click", function () { check(true); });
  $("write").addEventListener("click", write);
  $("discard").addEventListener("click", discard);
  noteLayer();
}());
