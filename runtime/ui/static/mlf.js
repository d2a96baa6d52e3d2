/* mlf UI core: theme switch, JSON API calls for forms and buttons, table row filters. */
"use strict";
var mlf = (function () {
  var prefix = document.body.dataset.prefix || "";

  function setTheme(theme) {
    var root = document.documentElement;
    root.dataset.theme = theme;
    var path = "; path=" + (prefix || "") + "/; samesite=lax";
    if (theme === "system") document.cookie = "mlf_theme=; max-age=0" + path;
    else document.cookie = "mlf_theme=" + theme + "; max-age=31536000" + path;
    var button = document.getElementById("theme-toggle");
    if (button) { button.textContent = "Theme: " + theme; button.dataset.themeNow = theme; }
    document.dispatchEvent(new CustomEvent("mlf:theme"));
  }

  function api(path, body, method) {
    return fetch(prefix + "/ajax-api/2.0/mlflow" + path, {
      method: method || "POST",
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = {};
        try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { message: text }; }
        if (!response.ok) throw new Error(data.message || ("HTTP " + response.status));
        return data;
      });
    });
  }

  function showError(where, error) {
    var box = where && where.querySelector(".form-error");
    if (box) box.textContent = error.message; else alert(error.message);
  }

  /* <form data-api="/experiments/create" data-then="reload|URL">: fields become a JSON body. */
  function submitForm(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      body[el.name] = el.value;
    });
    api(form.dataset.api, body, form.dataset.method).then(function (data) { after(form.dataset.then, data); },
                                     function (e) { showError(form, e); });
  }

  /* <button data-api="/runs/delete" data-body='{"run_id": "..."}'>. */
  function clickApi(button) {
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    var body = JSON.parse(button.dataset.body || "{}");
    api(button.dataset.api, body, button.dataset.method).then(function (data) { after(button.dataset.then, data); },
                                                              function (e) { showError(button.closest("section") || document, e); });
  }

  function after(then, data) {
    if (!then || then === "reload") { location.reload(); return; }
    location.href = then.replace(/\{(\w+)\}/g, function (_, key) { return encodeURIComponent(data[key] || ""); });
  }

  function filterRows(input) {
    var table = document.getElementById(input.dataset.filterTable);
    if (!table) return;
    var needle = input.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      row.hidden = needle && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.api) { event.preventDefault(); submitForm(form); }
  });
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-api]") : null;
    if (target && target.tagName !== "FORM") { event.preventDefault(); clickApi(target); return; }
    if (event.target.id === "theme-toggle") {
      var order = ["system", "light", "dark"];
      var now = document.documentElement.dataset.theme || "system";
      setTheme(order[(order.indexOf(now) + 1) % order.length]);
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.filterTable) filterRows(event.target);
  });

  function island(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function isDark() {
    return getComputedStyle(document.documentElement).colorScheme.indexOf("dark") >= 0;
  }

  return { prefix: prefix, api: api, island: island, setTheme: setTheme, isDark: isDark };
})();
