/* Compare page: one metric of every run overlaid (one colour per run), a scatter of any two numeric
   values, and parallel coordinates drawn on a canvas. */
"use strict";
(function () {
  var data = mlf.island("compare-data");
  if (!data || typeof uPlot === "undefined") return;
  var C = mlfCharts, runs = data.runs;
  var overlay = document.getElementById("overlay"), metricSelect = document.getElementById("compare-metric");
  var xMode = document.getElementById("chart-x"), logY = document.getElementById("chart-logy");
  var plots = {}, lastSeries = null;

  function place(id, opts, table) {
    var holder = document.querySelector("#" + id + " .plot");
    if (plots[id]) plots[id].destroy();
    holder.textContent = "";
    opts.width = Math.max(300, holder.clientWidth || 600);
    plots[id] = new uPlot(opts, table, holder);
    document.getElementById(id).dataset.drawn = "1";
  }

  function drawOverlay() {
    if (!lastSeries) return;
    var c = C.colors(), mode = xMode.value, tables = [], series = [{}], drawn = 0;
    lastSeries.forEach(function (s, i) {
      if (!s) return;
      var ys = logY.checked ? s.value.map(function (y) { return y > 0 ? y : null; }) : s.value;
      tables.push([C.xValues(s, mode), ys]);
      series.push({ label: runs[i].name, stroke: runs[i].color, width: 1, spanGaps: true });
      drawn++;
    });
    if (!drawn) { overlay.querySelector(".note").textContent = "No run logged this metric."; return; }
    var started = performance.now();
    var table = uPlot.join(tables);
    place("overlay", { height: 320, series: series, axes: C.axisOptions(c, mode), legend: { show: runs.length <= 20 },
                       scales: { x: { time: mode === "wall" }, y: { distr: logY.checked ? 3 : 1 } } }, table);
    overlay.dataset.drawMs = String(Math.round(performance.now() - started));
    overlay.querySelector(".note").textContent = drawn + " runs";
  }

  function loadOverlay() {
    var key = metricSelect.value;
    if (!key) return;
    C.fetchJson(overlay.dataset.url + "?key=" + encodeURIComponent(key) + "&runs=" + encodeURIComponent(overlay.dataset.runs))
      .then(function (result) { lastSeries = result.series; drawOverlay(); });
  }

  var keys = Object.keys(data.values);
  var sx = document.getElementById("scatter-x"), sy = document.getElementById("scatter-y");
  keys.forEach(function (k) {
    [sx, sy].forEach(function (select) { var o = document.createElement("option"); o.value = o.textContent = k; select.appendChild(o); });
  });
  if (keys.length > 1) sy.value = keys[1];

  function drawScatter() {
    var xs = data.values[sx.value], ys = data.values[sy.value], c = C.colors();
    if (!xs || !ys) return;
    var pairs = [];
    runs.forEach(function (r, i) { if (typeof xs[i] === "number" && typeof ys[i] === "number") pairs.push([xs[i], ys[i], i]); });
    pairs.sort(function (a, b) { return a[0] - b[0]; });
    var series = [{}], table = [pairs.map(function (p) { return p[0]; })];
    /* One series per run so each point keeps its run's colour. */
    pairs.forEach(function (p, n) {
      var column = pairs.map(function (_, m) { return m === n ? p[1] : null; });
      table.push(column);
      series.push({ label: runs[p[2]].name, stroke: runs[p[2]].color, fill: runs[p[2]].color, paths: function () { return null; },
                    points: { show: true, size: 8, fill: runs[p[2]].color } });
    });
    var axes = C.axisOptions(c, "step"); axes[0].label = sx.value; axes[1].label = sy.value;
    place("scatter", { height: 300, series: series, axes: axes, legend: { show: false }, scales: { x: { time: false } } }, table);
  }

  function drawParallel() {
    var canvas = document.querySelector("#parallel canvas"), ctx = canvas.getContext("2d"), c = C.colors();
    var wanted = document.getElementById("parallel-keys").value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    var axes = (wanted.length ? wanted : keys.slice(0, 8)).filter(function (k) { return data.values[k]; });
    var ratio = window.devicePixelRatio || 1, width = Math.max(300, canvas.parentNode.clientWidth - 12), height = 300;
    canvas.width = width * ratio; canvas.height = height * ratio; canvas.style.width = width + "px"; canvas.style.height = height + "px";
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0); ctx.clearRect(0, 0, width, height);
    if (axes.length < 2) { ctx.fillStyle = c.fg; ctx.fillText("Pick at least two numeric keys.", 10, 20); return; }
    var left = 40, right = width - 40, top = 30, bottom = height - 30, step = (right - left) / (axes.length - 1);
    var ranges = axes.map(function (k) {
      var vals = data.values[k].filter(function (v) { return typeof v === "number"; });
      var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
      return [lo, hi === lo ? lo + 1 : hi];
    });
    runs.forEach(function (r, i) {
      ctx.strokeStyle = r.color; ctx.lineWidth = 1.5; ctx.beginPath();
      var started = false;
      axes.forEach(function (k, a) {
        var v = data.values[k][i];
        if (typeof v !== "number") { started = false; return; }
        var y = bottom - (v - ranges[a][0]) / (ranges[a][1] - ranges[a][0]) * (bottom - top), x = left + a * step;
        if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
      });
      ctx.stroke();
    });
    ctx.strokeStyle = c.fg; ctx.fillStyle = c.fg; ctx.lineWidth = 1; ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "center";
    axes.forEach(function (k, a) {
      var x = left + a * step;
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, bottom); ctx.stroke();
      ctx.fillText(k.length > 24 ? k.slice(0, 23) + "…" : k, x, top - 12);
      ctx.fillText(String(+ranges[a][1].toPrecision(4)), x, top - 1);
      ctx.fillText(String(+ranges[a][0].toPrecision(4)), x, bottom + 12);
    });
    document.getElementById("parallel").dataset.drawn = "1";
  }

  metricSelect.addEventListener("change", loadOverlay);
  xMode.addEventListener("change", drawOverlay);
  logY.addEventListener("change", drawOverlay);
  sx.addEventListener("change", drawScatter); sy.addEventListener("change", drawScatter);
  document.getElementById("parallel-keys").addEventListener("change", drawParallel);
  document.addEventListener("mlf:theme", function () { drawOverlay(); drawScatter(); drawParallel(); });
  loadOverlay(); drawScatter(); drawParallel();
})();
