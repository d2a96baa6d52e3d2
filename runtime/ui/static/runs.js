/* Runs table: all loaded rows from the JSON island, virtual scrolling, instant re-sort, children under
   parents, selection actions, column picker. View state (sort, columns) is written to the URL. */
"use strict";
(function () {
  var data = mlf.island("runs-data");
  var box = document.getElementById("runs");
  if (!data || !box) return;
  var ROW_H = 28, OVERSCAN = 8, FIXED = 5;
  var multi = Object.keys(data.experiments).length > 1;
  var rows = data.rows, cols = data.columns;
  var selected = new Set(), collapsed = new Set();
  var sortCol = data.sort || "", descending = !!data.descending;
  if (sortCol !== "name" && !cols.some(function (c) { return c.id === sortCol; })) sortCol = "";  /* a column no longer shown */
  var order = [], depth = [], hasKids = new Set();
  var runPrefix = mlf.prefix + "/runs/";

  function fmtTime(ms) {
    if (ms === null || ms === undefined || ms === "") return "";
    var d = new Date(Number(ms));
    return isNaN(d) ? String(ms) : d.toISOString().slice(0, 19).replace("T", " ");
  }
  function fmtDuration(ms) {
    if (ms === null || ms === undefined) return "";
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + "s";
    var m = Math.floor(s / 60); if (m < 60) return m + "m " + Math.floor(s % 60) + "s";
    return Math.floor(m / 60) + "h " + (m % 60) + "m";
  }
  function fmt(col, v) {
    if (v === null || v === undefined) return "";
    if (col.id === "attributes.start_time" || col.id === "attributes.end_time") return fmtTime(v);
    if (col.id === "attributes.duration") return fmtDuration(v);
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
    return String(v);
  }

  /* Sort keys are built once per column: numbers as Float64Array (NaN = missing), text lower-cased. */
  var keyCache = {};
  function keysFor(id) {
    if (keyCache[id]) return keyCache[id];
    var index = id === "name" ? 1 : FIXED + cols.findIndex(function (c) { return c.id === id; });
    var numeric = id !== "name" && cols[index - FIXED].kind === "number";
    var keys = numeric ? new Float64Array(rows.length) : new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var v = rows[i][index];
      if (numeric) keys[i] = (v === null || v === "" || v === "NaN") ? NaN : Number(v);
      else keys[i] = (v === null || v === undefined) ? null : String(v).toLowerCase();
    }
    return (keyCache[id] = { keys: keys, numeric: numeric });
  }

  function sortedIndices() {
    var idx = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) idx[i] = i;
    if (!sortCol) return idx;
    var k = keysFor(sortCol), keys = k.keys, sign = descending ? -1 : 1;
    idx.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      var xm = k.numeric ? x !== x : x === null, ym = k.numeric ? y !== y : y === null;
      if (xm || ym) return xm === ym ? a - b : (xm ? 1 : -1);
      return x < y ? -sign : x > y ? sign : a - b;
    });
    return idx;
  }

  /* Children follow their parent (when it is loaded) whatever the sort; order among siblings is the sort's. */
  function layout() {
    var sorted = sortedIndices(), byId = {}, kids = {};
    rows.forEach(function (r, i) { byId[r[0]] = i; });
    hasKids = new Set();
    var roots = [];
    sorted.forEach(function (i) {
      var parent = rows[i][3];
      if (parent && byId[parent] !== undefined && parent !== rows[i][0]) {
        (kids[parent] = kids[parent] || []).push(i); hasKids.add(parent);
      } else roots.push(i);
    });
    order = []; depth = [];
    var seen = new Set();
    function visit(i, d) {
      if (seen.has(i)) return; seen.add(i);
      order.push(i); depth.push(d);
      var id = rows[i][0];
      if (kids[id] && !collapsed.has(id)) kids[id].forEach(function (k) { visit(k, d + 1); });
    }
    roots.forEach(function (i) { visit(i, 0); });
    if (seen.size < rows.length && collapsed.size === 0) sorted.forEach(function (i) { visit(i, 0); });  /* cycles */
  }

  var table = document.createElement("table"), thead = document.createElement("thead"), tbody = document.createElement("tbody");
  table.className = "grid"; table.id = "runs-table";
  table.appendChild(thead); table.appendChild(tbody);

  function markSorted() {
    Array.prototype.forEach.call(thead.querySelectorAll("th[data-sort]"), function (th) {
      th.className = th.dataset.sort !== sortCol ? "" : descending ? "sorted-desc" : "sorted-asc";
    });
  }

  function header() {
    var tr = document.createElement("tr");
    var th = document.createElement("th"); th.style.width = "34px";
    var all = document.createElement("input"); all.type = "checkbox"; all.id = "select-all"; all.setAttribute("aria-label", "Select all");
    th.appendChild(all); tr.appendChild(th);
    var heads = [{ id: "name", label: "Name", width: 260 }], wide = { "attributes.start_time": 1, "attributes.end_time": 1 };
    if (multi) heads.push({ id: "experiment", label: "Experiment", width: 160, nosort: true });
    cols.forEach(function (c) { heads.push({ id: c.id, label: c.label, width: wide[c.id] ? 165 : c.kind === "number" ? 120 : 150, title: c.id }); });
    heads.forEach(function (h) {
      var cell = document.createElement("th");
      cell.textContent = h.label; cell.title = h.title || h.label; cell.style.width = h.width + "px";
      if (!h.nosort) cell.dataset.sort = h.id;
      if (h.id === sortCol) cell.className = descending ? "sorted-desc" : "sorted-asc";
      tr.appendChild(cell);
    });
    thead.textContent = ""; thead.appendChild(tr);
    var width = 34; heads.forEach(function (h) { width += h.width; });
    table.style.width = width + "px";
  }

  /* The body is [top spacer, a pool of row elements, bottom spacer]: painting refills the pooled rows'
     cells in place (a re-sort or scroll creates no elements, so the browser only re-lays-out text). */
  var topSpacer = document.createElement("tr"), bottomSpacer = document.createElement("tr"), pool = [];
  topSpacer.className = bottomSpacer.className = "spacer";
  tbody.appendChild(topSpacer); tbody.appendChild(bottomSpacer);

  function newRow() {
    var tr = document.createElement("tr"), td = document.createElement("td"), check = document.createElement("input");
    check.type = "checkbox"; td.appendChild(check); tr.appendChild(td);
    td = document.createElement("td");
    var twisty = document.createElement("span"); twisty.className = "twisty";
    td.appendChild(twisty); td.appendChild(document.createElement("a")); tr.appendChild(td);
    if (multi) tr.appendChild(document.createElement("td"));
    for (var c = 0; c < cols.length; c++) tr.appendChild(document.createElement("td"));
    return tr;
  }
  function setText(node, text, withTitle) {  /* writes only what changed */
    if (node.textContent !== text) node.textContent = text;
    if (withTitle && node.title !== text) node.title = text;
  }

  var lastFirst = -1;
  function paint(force) {
    var top = box.scrollTop, visible = Math.ceil(box.clientHeight / ROW_H) || 40;
    var first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    if (!force && first === lastFirst) return;
    lastFirst = first;
    var last = Math.min(order.length, first + visible + 2 * OVERSCAN), count = last - first;
    while (pool.length < count) { var tr = newRow(); pool.push(tr); tbody.insertBefore(tr, bottomSpacer); }
    while (pool.length > count) tbody.removeChild(pool.pop());
    topSpacer.style.height = first * ROW_H + "px";
    bottomSpacer.style.height = (order.length - last) * ROW_H + "px";
    for (var p = 0; p < count; p++) fillRow(pool[p], order[first + p], depth[first + p]);
  }

  function fillRow(tr, i, d) {
    var r = rows[i], cells = tr.children, id = r[0], name = r[1] || r[0];
    tr.dataset.run = id;
    tr.className = selected.has(id) ? "sel" : "";
    var check = cells[0].firstChild;
    check.checked = selected.has(id); check.dataset.run = id;
    var td = cells[1], twisty = td.firstChild, a = td.lastChild;
    td.style.paddingLeft = (8 + d * 16) + "px";
    if (hasKids.has(id)) { setText(twisty, collapsed.has(id) ? "▸" : "▾"); twisty.dataset.toggle = id; }
    else { setText(twisty, ""); delete twisty.dataset.toggle; }
    a.href = runPrefix + encodeURIComponent(id);
    setText(a, name); td.title = name;
    a.style.textDecoration = r[4] === "deleted" ? "line-through" : "";
    var at = 2;
    if (multi) setText(cells[at++], data.experiments[r[2]] || r[2]);
    for (var c = 0; c < cols.length; c++, at++) {
      td = cells[at];
      setText(td, fmt(cols[c], r[FIXED + c]), true);
      var cls = cols[c].kind === "number" ? "num" : cols[c].id === "attributes.status" ? "status-" + r[FIXED + c] : "";
      if (td.className !== cls) td.className = cls;
    }
  }

  function writeUrl() {
    var url = new URL(location.href);
    if (sortCol) { url.searchParams.set("sort", sortCol); url.searchParams.set("dir", descending ? "desc" : "asc"); }
    history.replaceState(null, "", url);
    var csv = document.getElementById("csv"), csvUrl = new URL(csv.href, location.href);
    csvUrl.searchParams.set("sort", sortCol); csvUrl.searchParams.set("dir", descending ? "desc" : "asc");
    csv.href = csvUrl.pathname + csvUrl.search;
    var form = document.getElementById("view-form");
    ["sort", "dir"].forEach(function (name) {
      var input = form.querySelector("input[name=" + name + "]");
      if (!input) { input = document.createElement("input"); input.type = "hidden"; input.name = name; form.appendChild(input); }
      input.value = name === "sort" ? sortCol : (descending ? "desc" : "asc");
    });
  }

  function resort(id) {
    if (sortCol === id) descending = !descending; else { sortCol = id; descending = false; }
    layout(); markSorted(); paint(true); writeUrl();
  }

  function updateButtons() {
    ["compare", "delete", "restore"].forEach(function (id) {
      var b = document.getElementById(id); if (b) b.disabled = selected.size === 0 || (id === "compare" && selected.size < 1);
    });
  }

  thead.addEventListener("click", function (e) {
    var th = e.target.closest("th");
    if (e.target.id === "select-all") {
      if (e.target.checked) order.forEach(function (i) { selected.add(rows[i][0]); }); else selected.clear();
      paint(true); updateButtons(); return;
    }
    if (th && th.dataset.sort) resort(th.dataset.sort);
  });
  tbody.addEventListener("click", function (e) {
    var t = e.target;
    if (t.dataset.toggle) {
      if (collapsed.has(t.dataset.toggle)) collapsed.delete(t.dataset.toggle); else collapsed.add(t.dataset.toggle);
      layout(); paint(true); return;
    }
    if (t.type === "checkbox" && t.dataset.run) {
      if (t.checked) selected.add(t.dataset.run); else selected.delete(t.dataset.run);
      t.closest("tr").className = t.checked ? "sel" : ""; updateButtons();
    }
  });
  box.addEventListener("scroll", function () { requestAnimationFrame(function () { paint(false); }); });
  window.addEventListener("resize", function () { paint(true); });

  document.getElementById("compare").addEventListener("click", function () {
    location.href = mlf.prefix + "/compare?runs=" + encodeURIComponent(Array.from(selected).join(","));
  });
  function bulk(path) {
    var ids = Array.from(selected), done = 0, failed = null;
    var step = function () {
      if (done === ids.length) { if (failed) alert(failed.message); location.reload(); return; }
      mlf.api(path, { run_id: ids[done++] }).then(step, function (e) { failed = e; step(); });
    };
    step();
  }
  var del = document.getElementById("delete"), restore = document.getElementById("restore");
  if (del) del.addEventListener("click", function () { if (confirm("Delete " + selected.size + " run(s)?")) bulk("/runs/delete"); });
  if (restore) restore.addEventListener("click", function () { bulk("/runs/restore"); });

  /* Column picker: attributes are known; metric/param/tag keys come from the server, filtered there. */
  var picker = document.getElementById("picker"), list = document.getElementById("picker-list");
  var filterBox = document.getElementById("picker-filter");
  var picked = cols.map(function (c) { return c.id; });
  var attributes = mlf.island("attribute-columns");
  function option(id, label) {
    var lab = document.createElement("label"), input = document.createElement("input");
    input.type = "checkbox"; input.value = id; input.checked = picked.indexOf(id) >= 0;
    input.addEventListener("change", function () {
      if (input.checked) { if (picked.indexOf(id) < 0) picked.push(id); }
      else picked = picked.filter(function (x) { return x !== id; });
    });
    lab.appendChild(input); lab.appendChild(document.createTextNode(" " + label)); lab.title = id;
    return lab;
  }
  var pending = 0;
  function fillPicker() {
    var q = filterBox.value, ticket = ++pending;
    var url = new URL(box.dataset.keysUrl, location.href); url.searchParams.set("q", q);
    fetch(url.pathname + url.search, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (keys) {
      if (ticket !== pending) return;
      list.textContent = "";
      var h = document.createElement("strong"); h.textContent = "Attributes"; list.appendChild(h);
      Object.keys(attributes).forEach(function (id) {
        if (attributes[id][0].toLowerCase().indexOf(q.toLowerCase()) >= 0) list.appendChild(option(id, attributes[id][0]));
      });
      ["metrics", "params", "tags"].forEach(function (entity) {
        var group = keys[entity], title = document.createElement("strong");
        title.textContent = entity[0].toUpperCase() + entity.slice(1) + " (" + group.total + ")";
        list.appendChild(title);
        group.keys.forEach(function (k) { list.appendChild(option(entity + "." + k, k)); });
        if (group.total > group.keys.length) {
          var more = document.createElement("span"); more.className = "muted";
          more.textContent = (group.total - group.keys.length) + " more: type to narrow"; list.appendChild(more);
        }
      });
    });
  }
  var typing;
  filterBox.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(fillPicker, 150); });
  document.getElementById("pick-columns").addEventListener("click", function () { fillPicker(); picker.showModal(); });
  picker.addEventListener("close", function () {
    if (picker.returnValue !== "apply") return;
    var url = new URL(location.href);
    url.searchParams.set("cols", picked.join(","));
    location.href = url.pathname + url.search;
  });

  var plain = document.getElementById("runs-plain");
  if (plain) plain.remove();
  Array.prototype.forEach.call(box.querySelectorAll("p.muted"), function (p) { p.remove(); });
  box.appendChild(table);
  layout(); header(); paint(true); updateButtons();
  box.dataset.ready = "1";
})();
