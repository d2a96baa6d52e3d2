/* Run page metric charts: one uPlot per metric, drawn when scrolled into view. The server sends about
   1,000 points per series (min and max of each bucket kept); zooming in fetches the range again at full
   resolution. x-axis step / wall / relative time, log y and EMA smoothing are redrawn from the same data. */
"use strict";
var mlfCharts = (function () {
  var POINTS = 1000;

  function ema(values, alpha) {
    if (!alpha) return values;
    var out = new Array(values.length), last = null, debias = 0;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === null) { out[i] = null; continue; }
      last = last === null ? 0 : last; debias = debias * alpha + (1 - alpha);
      last = last * alpha + (1 - alpha) * v; out[i] = last / debias;
    }
    return out;
  }

  function xValues(data, mode) {
    if (mode === "step") return data.step;
    var first = data.time.length ? data.time[0] : 0;
    return data.time.map(function (t) { return mode === "wall" ? t / 1000 : (t - first) / 1000; });
  }

  function colors() {
    var style = getComputedStyle(document.documentElement);
    return { fg: style.getPropertyValue("--fg").trim(), line: style.getPropertyValue("--line").trim(),
             accent: style.getPropertyValue("--accent").trim(), muted: style.getPropertyValue("--muted").trim() };
  }

  function axisOptions(c, mode) {
    return [{ stroke: c.fg, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line },
              label: mode === "step" ? "step" : mode === "wall" ? "" : "seconds" },
            { stroke: c.fg, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line }, size: 60 }];
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  return { ema: ema, xValues: xValues, colors: colors, axisOptions: axisOptions, fetchJson: fetchJson, POINTS: POINTS };
})();

(function () {
  var box = document.getElementById("charts");
  if (!box || typeof uPlot === "undefined") return;
  var C = mlfCharts, url = box.dataset.url;
  var xMode = document.getElementById("chart-x"), logY = document.getElementById("chart-logy");
  var smooth = document.getElementById("chart-smooth"), filter = document.getElementById("chart-filter");
  var charts = [];

  function dataUrl(key, extra) {
    return url + "?key=" + encodeURIComponent(key) + "&points=" + C.POINTS + (extra || "");
  }

  function fillStats(data) {
    var row = document.querySelector('#metrics-table tr[data-key="' + CSS.escape(data.key) + '"]');
    if (!row) return;
    var fmt = function (v) { return v === null || v === undefined ? "" : String(+Number(v).toPrecision(6)); };
    row.querySelector(".stat-min").textContent = fmt(data.min);
    row.querySelector(".stat-max").textContent = fmt(data.max);
    row.querySelector(".stat-count").textContent = data.count;
  }

  function Chart(node) {
    this.node = node; this.key = node.dataset.key; this.full = null; this.view = null; this.plot = null;
  }
  Chart.prototype.load = function () {
    var self = this;
    if (self.loading) return; self.loading = true;
    C.fetchJson(dataUrl(self.key)).then(function (data) {
      self.full = data; self.view = data; fillStats(data); self.draw();
    }, function (e) { self.node.querySelector(".note").textContent = "Could not load: " + e.message; });
  };
  Chart.prototype.note = function () {
    var v = this.view, shown = v.step.length;
    this.node.querySelector(".note").textContent = shown < v.in_range
      ? "showing " + shown + " of " + v.in_range + " points (zoom in for full resolution)"
      : v.in_range + " points" + (v.in_range < v.total ? " in range, of " + v.total : "");
  };
  Chart.prototype.draw = function () {
    var self = this, v = self.view, mode = xMode.value, c = C.colors();
    var xs = C.xValues(v, mode), ys = v.value, alpha = Number(smooth.value);
    var series = [{}, { label: alpha ? "raw" : self.key, stroke: alpha ? c.muted : c.accent, width: 1, spanGaps: true }];
    var data = [xs, ys];
    if (alpha) { series.push({ label: "smoothed", stroke: c.accent, width: 1.5, spanGaps: true }); data.push(C.ema(ys, alpha)); }
    if (logY.checked) data = data.map(function (col, i) { return i ? col.map(function (y) { return y > 0 ? y : null; }) : col; });
    var holder = self.node.querySelector(".plot");
    var width = Math.max(300, holder.clientWidth || self.node.clientWidth - 12);
    var opts = {
      width: width, height: 240, series: series, axes: C.axisOptions(c, mode),
      scales: { x: { time: mode === "wall" }, y: { distr: logY.checked ? 3 : 1 } },
      legend: { show: true }, cursor: { drag: { x: true, y: false } },
      hooks: { setSelect: [function (u) {
        if (u.select.width < 5) return;
        var lo = u.posToVal(u.select.left, "x"), hi = u.posToVal(u.select.left + u.select.width, "x");
        self.zoom(lo, hi);
      }] }
    };
    if (self.plot) self.plot.destroy();
    holder.textContent = "";
    self.plot = new uPlot(opts, data, holder);
    self.node.dataset.drawn = "1";
    self.note();
  };
  /* A zoomed range comes again from the server, at full resolution when it fits in POINTS. */
  Chart.prototype.zoom = function (lo, hi) {
    var self = this, mode = xMode.value, axis = mode === "step" ? "step" : "time";
    if (mode === "wall") { lo *= 1000; hi *= 1000; }
    if (mode === "relative") { var t0 = self.full.time[0] || 0; lo = t0 + lo * 1000; hi = t0 + hi * 1000; }
    C.fetchJson(dataUrl(self.key, "&axis=" + axis + "&lo=" + Math.floor(lo) + "&hi=" + Math.ceil(hi))).then(function (data) {
      self.view = data; self.draw();
    });
  };
  Chart.prototype.reset = function () { if (this.full) { this.view = this.full; this.draw(); } };

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); entry.target._chart.load(); }
    });
  }, { rootMargin: "200px" });
  Array.prototype.forEach.call(box.querySelectorAll(".chart"), function (node) {
    var chart = new Chart(node); node._chart = chart; charts.push(chart); observer.observe(node);
    node.addEventListener("dblclick", function () { chart.reset(); });
  });

  function redrawAll() { charts.forEach(function (c) { if (c.view) c.draw(); }); }
  xMode.addEventListener("change", function () { charts.forEach(function (c) { if (c.full) { c.view = c.full; c.draw(); } }); });
  logY.addEventListener("change", redrawAll);
  smooth.addEventListener("change", redrawAll);
  document.addEventListener("mlf:theme", redrawAll);
  filter.addEventListener("input", function () {
    var pattern;
    try { pattern = new RegExp(filter.value, "i"); } catch (e) { return; }
    charts.forEach(function (c) { c.node.hidden = !pattern.test(c.key); });
  });
})();
