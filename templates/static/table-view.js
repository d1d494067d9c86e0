/* Sort and filter a table of the site (the backlog) without a framework; the matrix, whose
 * filters reach across its pages, has matrix-view.js.
 * A form `.table-filters[data-table=<id>]` holds selects named after the rows' data-*
 * attributes and an optional free-text box `q`; a table with `data-sortable` sorts by a click
 * or Enter on a column header (a button inside it, with aria-sort on the header). The filter
 * and the sort live in the address (?status=...&q=...&sort=3&order=descending), so a view can
 * be shared and survives a reload. Without JavaScript the form stays hidden and the table
 * reads as built. */
// implements: REQ-502
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  // Numbers compare as numbers, words in the reader's collation; empty cells sort last.
  function compare(a, b) {
    if (a === b) return 0;
    if (a === "" || a === "—") return 1;
    if (b === "" || b === "—") return -1;
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true });
  }

  function setup(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    var texts = original.map(function (row) { return row.textContent.toLowerCase(); });
    var fields = Array.prototype.slice.call(form.elements).filter(function (el) {
      return el.name;
    });
    var headers = Array.prototype.slice.call(table.tHead ? table.tHead.rows[0].cells : []);
    var sortIndex = -1, sortOrder = "ascending";

    function writeAddress() {
      var out = new URLSearchParams();
      fields.forEach(function (el) { if (el.value) out.set(el.name, el.value); });
      if (sortIndex >= 0) { out.set("sort", String(sortIndex)); out.set("order", sortOrder); }
      var query = out.toString();
      window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    }

    function applyFilter() {
      var shown = 0;
      original.forEach(function (row, position) {
        var keep = fields.every(function (el) {
          if (!el.value) return true;
          if (el.name === "q") return texts[position].indexOf(el.value.toLowerCase()) !== -1;
          return row.getAttribute("data-" + el.name) === el.value;
        });
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      table.setAttribute("data-shown", String(shown));
    }

    function applySort() {
      var rows = original.slice();
      if (sortIndex >= 0) {
        var sign = sortOrder === "descending" ? -1 : 1;
        // Each cell read once and ties kept in the built (ranked) order: a backlog of
        // 10,000 rows sorts in n log n comparisons of strings, with no DOM reads inside.
        var keyed = rows.map(function (row, position) {
          return { row: row, text: cellText(row, sortIndex), position: position };
        });
        keyed.sort(function (a, b) {
          return sign * compare(a.text, b.text) || a.position - b.position;
        });
        rows = keyed.map(function (k) { return k.row; });
      }
      var ordered = document.createDocumentFragment();
      rows.forEach(function (row) { ordered.appendChild(row); });
      body.appendChild(ordered);
      headers.forEach(function (th, i) {
        if (i === sortIndex) th.setAttribute("aria-sort", sortOrder);
        else th.removeAttribute("aria-sort");
      });
    }

    if (table.hasAttribute("data-sortable")) {
      headers.forEach(function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        while (th.firstChild) button.appendChild(th.firstChild);
        th.appendChild(button);
        // A <button> answers Enter and Space by itself: keyboard users sort as mouse users do.
        button.addEventListener("click", function () {
          sortOrder = sortIndex === index && sortOrder === "ascending" ? "descending" : "ascending";
          sortIndex = index;
          applySort();
          writeAddress();
        });
      });
      var asked = parseInt(params.get("sort") || "", 10);
      if (asked >= 0 && asked < headers.length) {
        sortIndex = asked;
        sortOrder = params.get("order") === "descending" ? "descending" : "ascending";
      }
    }
    fields.forEach(function (el) {
      var value = params.get(el.name);
      if (value !== null) el.value = value;
      el.addEventListener(el.tagName === "SELECT" ? "change" : "input", function () {
        applyFilter();
        writeAddress();
      });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    applySort();
    applyFilter();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.table-filters[data-table]"), setup);
})();
