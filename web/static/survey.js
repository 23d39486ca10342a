/* The opinion-call entry form: a village picker searched by name, pinyin initials or code
 * (keyboard: up, down, enter), two 1–5 button groups, the questions, free text and phone;
 * saved through the JSON API (the phone number is hashed by the server), after which
 * today's count and the warning are refreshed and the form is cleared for the next call. */
(function () {
  "use strict";

  var section = document.getElementById("survey-entry");
  if (!section) {
    return;
  }
  var form = document.getElementById("sv-form");
  var input = document.getElementById("sv-village-q");
  var code = document.getElementById("sv-village-code");
  var list = document.getElementById("sv-village-list");
  var said = document.getElementById("sv-said");
  var villages = JSON.parse(document.getElementById("sv-villages").textContent);
  var hits = [];
  var active = -1;

  function fold(text) {
    return (text || "").toLowerCase().replace(/\s+/g, "");
  }

  function say(text, kind) {
    said.textContent = text;
    said.className = "sv-said" + (kind ? " " + kind : "");
  }

  function show() {
    list.textContent = "";
    hits.forEach(function (v, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.textContent = v.n + "（" + v.t + "）" + v.c;
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(v);
      });
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
  }

  function choose(v) {
    input.value = v.n + "（" + v.t + "）";
    code.value = v.c;
    hits = [];
    show();
  }

  input.addEventListener("input", function () {
    var q = fold(input.value);
    code.value = "";
    active = 0;
    hits = !q ? [] : villages.filter(function (v) {
      return v.n.indexOf(q) >= 0 || v.c.indexOf(q) === 0 || v.p.split(" ").some(function (p) {
        return p.indexOf(q) === 0;
      });
    }).slice(0, 12);
    show();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = Math.max(0, Math.min(hits.length - 1, active + (event.key === "ArrowDown" ? 1 : -1)));
      show();
    } else if (event.key === "Enter" && hits.length) {
      event.preventDefault();
      choose(hits[Math.max(active, 0)]);
    } else if (event.key === "Escape") {
      hits = [];
      show();
    }
  });

  function body() {
    var data = new FormData(form);
    var out = { village_code: code.value, safety: Number(data.get("safety")),
                satisfaction: Number(data.get("satisfaction")), problems: data.get("problems") || "",
                phone: data.get("phone") || null, answers: {} };
    form.querySelectorAll(".sv-question").forEach(function (fs) {
      var value = data.get("q_" + fs.getAttribute("data-key"));
      var kind = fs.getAttribute("data-kind");
      if (value === null || value === "") {
        return;
      }
      out.answers[fs.getAttribute("data-key")] = kind === "scale" ? Number(value) : kind === "yesno" ? value === "true" : value;
    });
    return out;
  }

  function refresh(daily) {
    document.getElementById("sv-count").textContent = daily.calls;
    document.getElementById("sv-left").textContent = Math.max(daily.required - daily.calls, 0);
    document.getElementById("sv-warn").hidden = daily.met;
    document.getElementById("sv-today").classList.toggle("short", !daily.met);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!code.value) {
      say("请从列表中选择被访者所在村", "bad");
      input.focus();
      return;
    }
    window.CountyApp.api("POST", section.getAttribute("data-post"), body()).then(function (made) {
      refresh(made.daily);
      say("已保存 " + made.code + (made.warnings.length ? "；注意：" + made.warnings.join("；") : ""),
          made.warnings.length ? "warn" : "");
      form.reset();
      code.value = "";
      input.focus();
    }).catch(function (err) {
      say("未保存：" + err.message, "bad");
    });
  });
}());
