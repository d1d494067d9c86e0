/* Filter the traceability matrix by area, type and status across all of its pages.
 * The matrix is built as static pages of 500 rows (readable with JavaScript off). When a
 * filter is set, this script loads the whole matrix as data (`matrix-data.<digest>.js`, a
 * script setting window.REQFORGE_MATRIX, so it works from file://; format in
 * tooling/reqforge/site/matrix_data.py), picks the matching rows of every page and shows them
 * in the table, a page of rows at a time with its own page links (at once, this page's
 * matching rows are shown while the data loads; a matrix of one page needs no data). The filter and the page live
 * in the address (?area=billing&status=proposed&page=2), so a view can be shared and survives
 * a reload. Text goes into the page as text nodes only, never as HTML. */
// implements: REQ-504
(function () {
  "use strict";
  var form = document.querySelector("form.table-filters[data-matrix-source]");
  if (!form) return;
  var table = document.getElementById(form.getAttribute("data-table"));
  if (!table || !table.tBodies.length) return;
  var body = table.tBodies[0];
  var staticRows = Array.prototype.slice.call(body.rows);
  var staticCaption = table.caption ? table.caption.textContent : "";
  var staticParts = Array.prototype.slice.call(document.querySelectorAll("[data-matrix-static]"));
  var note = document.getElementById("matrix-filter-note");
  var pager = document.getElementById("matrix-filter-pages");
  var labels = JSON.parse(form.getAttribute("data-labels"));
  var pageSize = parseInt(form.getAttribute("data-page-size"), 10) || 500;
  // A matrix of one page has every row here already: it never needs the data.
  var onePage = form.getAttribute("data-pages") === "1";
  var fields = Array.prototype.slice.call(form.elements).filter(function (el) {
    return el.name;
  });
  var params = new URLSearchParams(window.location.search);
  var page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);

  // Python's quote(id, safe=""): the permalink of a requirement's page.
  function pageOf(id) {
    return "requirements/" + encodeURIComponent(id).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }) + ".html";
  }

  function text(parent, value) {
    parent.appendChild(document.createTextNode(value));
  }

  function element(parent, tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    parent.appendChild(node);
    return node;
  }

  function link(parent, id, known) {
    if (known[id]) {
      var a = element(parent, "a");
      a.href = pageOf(id);
      text(a, id);
    } else {
      text(parent, id);
    }
  }

  function idList(cell, ids, known) {
    ids.forEach(function (id, i) {
      if (i) text(cell, ", ");
      link(cell, id, known);
    });
  }

  function stateText(state) {
    return state === "untraced" ? "—" : labels[state] || state;
  }

  // One row, cell for cell as templates/matrix.html writes it.
  function renderRow(row, values, known) {
    var tr = document.createElement("tr");
    var area = values[row[2]], type = values[row[3]], status = values[row[4]];
    tr.setAttribute("data-area", area);
    tr.setAttribute("data-type", type);
    tr.setAttribute("data-status", status);
    var th = element(tr, "th");
    th.scope = "row";
    link(th, row[0], known);
    [row[1], area, type, status].forEach(function (value) { text(element(tr, "td"), value); });
    idList(element(tr, "td"), row[5], known);
    idList(element(tr, "td"), row[6], known);
    var codeState = values[row[9]], testsState = values[row[10]], state = values[row[11]];
    var code = element(tr, "td", "cell-" + codeState);
    row[7].forEach(function (place, i) {
      if (i) element(code, "br");
      text(element(code, "code"), place);
    });
    if (!row[7].length) text(code, stateText(codeState));
    var tests = element(tr, "td", "cell-" + testsState);
    row[8].forEach(function (test, i) {
      if (i) element(tests, "br");
      text(element(tests, "code"), test[0]);
      text(tests, " (" + test[1] + ")");
    });
    if (!row[8].length) text(tests, stateText(testsState));
    text(element(tr, "td", "cell-" + state), stateText(state));
    return tr;
  }

  function chosen() {
    return fields.filter(function (el) { return el.value; });
  }

  function writeAddress() {
    var out = new URLSearchParams();
    chosen().forEach(function (el) { out.set(el.name, el.value); });
    if (page > 1 && out.toString()) out.set("page", String(page));
    var query = out.toString();
    window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  // The rows of this page that match, the others hidden: the whole answer for a matrix of
  // one page, and what the reader sees at once while the data of a larger one loads.
  function showStatic() {
    var wanted = chosen();
    var rows = document.createDocumentFragment();
    staticRows.forEach(function (row) {
      row.hidden = !wanted.every(function (el) {
        return row.getAttribute("data-" + el.name) === el.value;
      });
      rows.appendChild(row);
    });
    body.textContent = "";
    body.appendChild(rows);
    if (table.caption) table.caption.textContent = staticCaption;
    staticParts.forEach(function (part) { part.hidden = false; });
    note.hidden = true;
    pager.hidden = true;
  }

  function pageLinks(count) {
    pager.textContent = "";
    if (count < 2) { pager.hidden = true; return; }
    var list = element(pager, "ul");
    for (var n = 1; n <= count; n++) {
      var a = element(element(list, "li"), "a");
      var query = new URLSearchParams();
      chosen().forEach(function (el) { query.set(el.name, el.value); });
      if (n > 1) query.set("page", String(n));
      a.href = "?" + query.toString();
      if (n === page) a.setAttribute("aria-current", "page");
      text(a, String(n));
      a.addEventListener("click", (function (number) {
        return function (event) {
          event.preventDefault();
          page = number;
          showFiltered();
          writeAddress();
        };
      })(n));
    }
    pager.hidden = false;
  }

  function showFiltered() {
    var data = window.REQFORGE_MATRIX;
    var values = data.values, known = Object.create(null);
    data.rows.forEach(function (row) { known[row[0]] = true; });
    var wanted = chosen().map(function (el) {
      return { column: { area: 2, type: 3, status: 4 }[el.name], value: el.value };
    });
    var matches = data.rows.filter(function (row) {
      return wanted.every(function (w) { return values[row[w.column]] === w.value; });
    });
    var count = Math.max(1, Math.ceil(matches.length / pageSize));
    page = Math.min(page, count);
    var first = (page - 1) * pageSize;
    var shown = matches.slice(first, first + pageSize);
    var rows = document.createDocumentFragment();
    shown.forEach(function (row) { rows.appendChild(renderRow(row, values, known)); });
    body.textContent = "";
    body.appendChild(rows);
    staticParts.forEach(function (part) { part.hidden = true; });
    var figures = {
      matched: matches.length, total: data.rows.length, first: shown.length ? first + 1 : 0,
      last: first + shown.length, number: page, count: count
    };
    if (table.caption) table.caption.textContent = fill(labels.caption, figures);
    note.textContent = fill(labels.filtered, figures);
    note.hidden = false;
    pageLinks(count);
  }

  var loading = null;
  function withData(then) {
    if (window.REQFORGE_MATRIX) { then(); return; }
    if (loading) { loading.push(then); return; }
    loading = [then];
    var script = document.createElement("script");
    script.src = form.getAttribute("data-matrix-source");
    script.onload = function () {
      var waiting = loading;
      loading = null;
      waiting.forEach(function (f) { f(); });
    };
    script.onerror = function () {
      loading = null;
      note.textContent = labels.unavailable;
      note.hidden = false;
    };
    document.head.appendChild(script);
  }

  function apply() {
    showStatic();
    if (!chosen().length || onePage) return;
    withData(function () {
      // The reader may have cleared the filter while the data loaded.
      if (chosen().length) showFiltered();
    });
  }

  fields.forEach(function (el) {
    var value = params.get(el.name);
    if (value !== null) el.value = value;
    el.addEventListener("change", function () {
      page = 1;
      apply();
      writeAddress();
    });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  if (chosen().length) apply();
})();
