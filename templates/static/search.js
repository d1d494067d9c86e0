/* reqforge site search: reads the index that `reqforge build` writes as a script
 * (window.REQFORGE_SEARCH, format in tooling/reqforge/site/search_index.py), so it works from
 * file:// with no fetch. Classic script, no framework, no innerHTML with data: every text from
 * the index goes into the page through textContent.
 *
 * The tokenizer and stemmer below MUST stay in sync with search_index.py (index_terms,
 * query_terms, stem): the index was built with those, a query is cut with these. A test runs
 * both on sample strings when `node` is installed.
 *
 * Use: ReqforgeSearch.attach(inputElement, resultsContainer, {base: "../"}) where `base` is the
 * path from the page to the site root (requirement pages live in requirements/<ID>.html).
 */
// implements: REQ-507
(function (root) {
  "use strict";

  var RUN = /[\p{L}\p{N}]+/gu;
  var CJK = /([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)/;
  var VOWEL = /[aeiouy]/;
  var ASCII_WORD = /^[a-z]+$/;

  function endsWithAny(word, suffixes) {
    for (var i = 0; i < suffixes.length; i++) {
      if (word.endsWith(suffixes[i])) return true;
    }
    return false;
  }

  // The same rules, in the same order, as search_index.stem.
  function stem(word) {
    if (!ASCII_WORD.test(word) || word.length < 4) return word;
    if (word.endsWith("ies") && word.length > 4) return word.slice(0, -3) + "y";
    if (word.endsWith("sses")) return word.slice(0, -2);
    var suffixes = ["ing", "ed"];
    for (var i = 0; i < suffixes.length; i++) {
      var base = word.slice(0, -suffixes[i].length);
      if (word.endsWith(suffixes[i]) && base.length >= 3 && VOWEL.test(base)) return base;
    }
    if (word.endsWith("ly") && word.length >= 5) return word.slice(0, -2);
    if (word.endsWith("es") && word.length >= 5 &&
        endsWithAny(word.slice(0, -2), ["s", "x", "z", "ch", "sh"])) return word.slice(0, -2);
    if (word.endsWith("s") && !endsWithAny(word, ["ss", "us", "is"])) return word.slice(0, -1);
    return word;
  }

  function pieces(text) {
    var normal = text.normalize("NFKC").toLowerCase();
    var out = [];
    var runs = normal.match(RUN) || [];
    for (var r = 0; r < runs.length; r++) {
      var parts = runs[r].split(CJK);
      for (var p = 0; p < parts.length; p++) {
        if (parts[p]) out.push([p % 2 === 1, parts[p]]);
      }
    }
    return out;
  }

  // search_index.query_terms: stemmed words, CJK bigrams (one CJK character stands alone).
  function queryTerms(query) {
    var terms = [];
    var seen = Object.create(null);
    function add(term) {
      if (!seen[term]) { seen[term] = true; terms.push(term); }
    }
    var ps = pieces(query);
    for (var i = 0; i < ps.length; i++) {
      var cjk = ps[i][0], piece = Array.from(ps[i][1]);
      if (!cjk) add(stem(ps[i][1]));
      else if (piece.length === 1) add(piece[0]);
      else for (var j = 0; j + 1 < piece.length; j++) add(piece[j] + piece[j + 1]);
    }
    return terms;
  }

  function Index(data) {
    this.docs = data.docs;
    this.terms = data.terms;
    this.byId = new Map();
    for (var i = 0; i < data.docs.length; i++) this.byId.set(data.docs[i][0].toLowerCase(), i);
  }

  // search_index.search: the exact ID first, then by distinct query terms matched, then ID order.
  Index.prototype.search = function (query, limit) {
    limit = limit || 50;
    var scores = new Map();
    var terms = queryTerms(query);
    for (var t = 0; t < terms.length; t++) {
      var deltas = Object.prototype.hasOwnProperty.call(this.terms, terms[t]) ? this.terms[terms[t]] : [];
      var at = 0;
      for (var d = 0; d < deltas.length; d++) {
        at += deltas[d];
        scores.set(at, (scores.get(at) || 0) + 1);
      }
    }
    var exact = this.byId.get(query.trim().toLowerCase());
    if (exact !== undefined) scores.set(exact, (scores.get(exact) || 0) + 1000000);
    var ranked = Array.from(scores.keys()).sort(function (a, b) {
      return (scores.get(b) - scores.get(a)) || (a - b);
    });
    var docs = this.docs;
    return ranked.slice(0, limit).map(function (p) { return docs[p]; });
  };

  // The first place in `text` where a word of the query (as typed, or its stem) appears.
  function firstHit(text, query) {
    var lower = text.toLowerCase();
    var best = null;
    var ps = pieces(query);
    for (var i = 0; i < ps.length; i++) {
      var candidates = [ps[i][1], stem(ps[i][1])];
      for (var c = 0; c < candidates.length; c++) {
        var at = lower.indexOf(candidates[c]);
        if (at >= 0 && (best === null || at < best[0] ||
            (at === best[0] && candidates[c].length > best[1]))) best = [at, candidates[c].length];
      }
    }
    return best;
  }

  // `text` into `parent` with its first hit in <mark>, all through text nodes; bidi isolated.
  function appendMarked(parent, text, query) {
    var holder = document.createElement("bdi");
    var hit = firstHit(text, query);
    if (hit === null) {
      holder.textContent = text;
    } else {
      var start = Math.max(0, hit[0] - 60);
      holder.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, hit[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(hit[0], hit[0] + hit[1]);
      holder.appendChild(mark);
      holder.appendChild(document.createTextNode(text.slice(hit[0] + hit[1])));
    }
    parent.appendChild(holder);
  }

  function render(container, results, query, base) {
    container.replaceChildren();
    var list = document.createElement("ol");
    list.className = "rf-search-results";
    for (var i = 0; i < results.length; i++) {
      var doc = results[i];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = base + "requirements/" + encodeURIComponent(doc[0]) + ".html";
      var id = document.createElement("span");
      id.className = "rf-search-id";
      id.textContent = doc[0];
      link.appendChild(id);
      link.appendChild(document.createTextNode(" "));
      appendMarked(link, doc[1], query);
      item.appendChild(link);
      var status = document.createElement("span");
      status.className = "rf-status rf-status-" + doc[2].replace(/[^a-z0-9-]/gi, "-");
      status.textContent = doc[2];
      item.appendChild(document.createTextNode(" "));
      item.appendChild(status);
      var snippet = document.createElement("p");
      snippet.className = "rf-search-snippet";
      appendMarked(snippet, doc[5], query);
      item.appendChild(snippet);
      list.appendChild(item);
    }
    container.appendChild(list);
  }

  // Wire a search box to a results container: results as the reader types, ArrowDown/ArrowUp
  // move between them (and back to the box), Enter opens the chosen (or first) result.
  function attach(input, container, options) {
    var base = (options && options.base) || "";
    var index = null;
    container.setAttribute("aria-live", "polite");  // screen readers hear the results change
    function links() { return Array.prototype.slice.call(container.querySelectorAll("a")); }
    function update() {
      if (!root.REQFORGE_SEARCH) return;
      index = index || new Index(root.REQFORGE_SEARCH);
      var query = input.value;
      if (!query.trim()) { container.replaceChildren(); return; }
      render(container, index.search(query), query, base);
    }
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      var all = links();
      if (event.key === "ArrowDown" && all.length) { event.preventDefault(); all[0].focus(); }
      if (event.key === "Enter" && all.length) { event.preventDefault(); all[0].click(); }
    });
    container.addEventListener("keydown", function (event) {
      var all = links();
      var at = all.indexOf(document.activeElement);
      if (at < 0) return;
      if (event.key === "ArrowDown") { event.preventDefault(); all[Math.min(at + 1, all.length - 1)].focus(); }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at === 0) input.focus(); else all[at - 1].focus();
      }
    });
    if (input.value) update();
  }

  root.ReqforgeSearch = { stem: stem, queryTerms: queryTerms, Index: Index, attach: attach };
})(typeof window !== "undefined" ? window : globalThis);
