/* search.html: take the query from the address (?q=..., what every page's search box sends),
 * show its results and keep the address in step with the field, so a search can be shared.
 * Needs search.js and the index script loaded before it. */
// implements: REQ-507
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-query");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !results || !status || !window.ReqforgeSearch) return;
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) input.value = query;
  var nav = document.getElementById("site-search-box");
  if (nav && query) nav.value = query;
  window.ReqforgeSearch.attach(input, results, status, { base: "" });
  form.addEventListener("submit", function (event) {
    event.preventDefault();  // the results are already on the page; only the address changes
    window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
  });
})();
