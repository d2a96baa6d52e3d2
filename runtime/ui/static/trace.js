/* Trace page: the span tree from the JSON island, collapsible, virtually scrolled (10,000s of spans stay
   fast), with a duration bar per span; a click loads that span's inputs, outputs and attributes. */
"use strict";
(function () {
  var data = mlf.island("trace-data"), box = document.getElementById("span-tree");
  if (!data || !box) return;
  var spans = data.spans, ROW_H = 24, OVERSCAN = 30;
  var kids = spans.map(function () { return []; }), roots = [], total = 0;
  spans.forEach(function (s, i) {
    if (s[1] >= 0 && s[1] !== i) kids[s[1]].push(i); else roots.push(i);
    total = Math.max(total, s[3] + s[4]);
  });
  total = total || 1;
  /* Deep traces start collapsed below the third level, so the first paint stays small. */
  var collapsed = new Set(), visible = [], depthOf = new Int32Array(spans.length), selected = -1;
  (function mark(list, d) {
    var stack = list.map(function (i) { return [i, d]; }).reverse();
    while (stack.length) {
      var item = stack.pop(), i = item[0];
      depthOf[i] = item[1];
      if (item[1] >= 2 && kids[i].length) collapsed.add(i);
      for (var k = kids[i].length - 1; k >= 0; k--) stack.push([kids[i][k], item[1] + 1]);
    }
  })(roots, 0);

  function flatten() {
    visible = [];
    var stack = roots.slice().reverse();
    while (stack.length) {
      var i = stack.pop();
      visible.push(i);
      if (!collapsed.has(i)) for (var k = kids[i].length - 1; k >= 0; k--) stack.push(kids[i][k]);
    }
  }

  var inner = document.createElement("div");
  box.textContent = ""; box.appendChild(inner);
  function paint() {
    var first = Math.max(0, Math.floor(box.scrollTop / ROW_H) - OVERSCAN);
    var last = Math.min(visible.length, first + Math.ceil((box.clientHeight || 600) / ROW_H) + 2 * OVERSCAN);
    inner.style.height = (visible.length * ROW_H) + "px"; inner.style.position = "relative";
    var frag = document.createDocumentFragment();
    for (var p = first; p < last; p++) frag.appendChild(row(visible[p], p));
    inner.textContent = ""; inner.appendChild(frag);
  }
  function row(i, position) {
    var s = spans[i], div = document.createElement("div");
    div.className = "span-row span-status-" + s[5] + (i === selected ? " on" : "");
    div.style.position = "absolute"; div.style.top = (position * ROW_H) + "px"; div.style.left = 0; div.style.right = 0;
    div.dataset.index = i;
    var name = document.createElement("span"); name.className = "span-name";
    name.style.paddingLeft = (depthOf[i] * 14) + "px";
    var twisty = document.createElement("span"); twisty.className = "twisty";
    if (kids[i].length) { twisty.textContent = collapsed.has(i) ? "▸" : "▾"; twisty.dataset.toggle = i; }
    name.appendChild(twisty); name.appendChild(document.createTextNode(s[2] + (s[6] ? "  · " + s[6] : "")));
    name.title = s[2];
    var bar = document.createElement("span"), fill = document.createElement("i"); bar.className = "span-bar";
    fill.style.left = (s[3] / total * 100) + "%"; fill.style.width = (s[4] / total * 100) + "%";
    bar.appendChild(fill);
    var ms = document.createElement("span"); ms.className = "num"; ms.textContent = s[4].toFixed(1) + " ms";
    div.appendChild(name); div.appendChild(bar); div.appendChild(ms);
    return div;
  }

  function block(title, text, truncated) {
    var h = document.createElement("h3"); h.textContent = title;
    var pre = document.createElement("pre"); pre.textContent = text || "";
    var out = [h, pre];
    if (truncated) { var note = document.createElement("p"); note.className = "muted"; note.textContent = "Cut at 256 KB."; out.push(note); }
    return out;
  }
  function showDetail(i) {
    selected = i; paint();
    var panel = document.getElementById("span-detail");
    panel.textContent = "Loading…";
    fetch(box.dataset.detailUrl + "?span=" + encodeURIComponent(spans[i][0]), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (d) {
        panel.textContent = "";
        var h = document.createElement("h2"); h.textContent = d.name + " (" + d.status + ")"; panel.appendChild(h);
        [["Inputs", "inputs"], ["Outputs", "outputs"], ["Attributes", "attributes"], ["Events", "events"]].forEach(function (f) {
          block(f[0], d[f[1]], d[f[1] + "_truncated"]).forEach(function (n) { panel.appendChild(n); });
        });
        panel.dataset.span = spans[i][0];
      }, function (e) { panel.textContent = "Could not load the span: " + e.message; });
  }

  box.addEventListener("scroll", function () { requestAnimationFrame(paint); });
  box.addEventListener("click", function (e) {
    var toggle = e.target.dataset && e.target.dataset.toggle;
    if (toggle !== undefined) {
      var i = Number(toggle);
      if (collapsed.has(i)) collapsed.delete(i); else collapsed.add(i);
      flatten(); paint(); return;
    }
    var rowNode = e.target.closest(".span-row");
    if (rowNode) showDetail(Number(rowNode.dataset.index));
  });
  flatten(); paint();
  box.dataset.ready = "1";
})();
