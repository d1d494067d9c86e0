/* reqforge site search: reads the index that `reqforge build` writes as a script
 * (window.REQFORGE_SEARCH, format in tooling/reqforge/site/search_index.py), so it works from
 * file:// with no fetch. Classic script, no framework, no innerHTML: every text from the index
 * goes into the page as a text node.
 *
 * The tokenizer, stemmer and ranking below MUST stay in sync with search_index.py (fold,
 * index_terms, query_terms, stem, search): the index was built with those, a query is cut and
 * ranked with these. A test runs both on sample strings when `node` is installed.
 *
 * Speed (10,000 requirements, a few ms a query): a query term is found by binary search in the
 * sorted terms, its documents come from its precomputed posting list, and scores live in typed
 * arrays; only the results shown (50 at most) are scanned for the places to mark.
 *
 * Use: ReqforgeSearch.attach(input, listbox, status, {base: "../"}) wires a search field as an
 * ARIA combobox over a listbox of results; `base` is the path from the page to the site root.
 */
// implements: REQ-507
(function (root) {
  "use strict";

  var RUN = /[\p{L}\p{N}]+/gu;
  var CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
  var CJK = new RegExp("([" + CJK_CHARS + "]+)");
  var CJK_START = new RegExp("^[" + CJK_CHARS + "]");
  var LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
  var VOWEL = /[aeiouy]/;
  var ASCII_WORD = /^[a-z]+$/;
  var ASCII = /^[\x00-\x7f]*$/;
  var EXACT = 2, PREFIX = 1, PREFIX_MIN = 2, ID_FIRST = 1000000;
  var PARTIAL_ENDINGS = ["in", "ie", "i", "e", "l"];
  var LIMIT = 50;
  var SNIPPET = 180, BEFORE_HIT = 50;  // characters of body shown, and of them before the first hit

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

  // search_index.fold: full-width letters and digits become ASCII ones, then lower case.
  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function pieces(text) {
    var out = [];
    var runs = fold(text).match(RUN) || [];
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
    var seen = new Set();
    function add(term) {
      if (!seen.has(term)) { seen.add(term); terms.push(term); }
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

  // search_index.unfinished: "exportin" -> "export", tried when the word itself finds nothing.
  function unfinished(word) {
    if (!ASCII_WORD.test(word)) return null;
    for (var i = 0; i < PARTIAL_ENDINGS.length; i++) {
      var ending = PARTIAL_ENDINGS[i];
      if (word.endsWith(ending) && word.length - ending.length >= 3) {
        return word.slice(0, -ending.length);
      }
    }
    return null;
  }

  function Index(data) {
    this.docs = data.docs;
    this.terms = data.terms;
    this.postings = data.postings;
    this.byId = new Map();
    for (var i = 0; i < data.docs.length; i++) this.byId.set(fold(data.docs[i][0]), i);
  }

  // The position of the first term not before `term` (the terms are sorted by code unit, the
  // order of JavaScript's < on strings).
  Index.prototype.lowerBound = function (term) {
    var lo = 0, hi = this.terms.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (this.terms[mid] < term) lo = mid + 1; else hi = mid;
    }
    return lo;
  };

  // search_index.search: a query term counts EXACT in the documents that hold it and PREFIX in
  // those holding only a term it begins (a word that finds nothing is tried once more without
  // an unfinished suffix); an ID equal to the query, or to a part of it, first; then by count,
  // then ID order. `total` is how many documents the query found; `retried` are the shortened
  // words that found something (what to mark besides the query's own words).
  Index.prototype.find = function (query, limit) {
    var self = this, docs = this.docs, terms = this.terms, postings = this.postings;
    var scores = new Int32Array(docs.length);
    var counted = new Int32Array(docs.length);  // the query term (from 1) last counted in a doc
    var found = [];
    function count(at, weight, stamp) {
      var deltas = postings[at], doc = 0, added = 0;
      for (var d = 0; d < deltas.length; d++) {
        doc += deltas[d];
        if (counted[doc] === stamp) continue;  // this query term already counted here
        counted[doc] = stamp;
        if (scores[doc] === 0) found.push(doc);
        scores[doc] += weight;
        added++;
      }
      return added;
    }
    function lookup(term, stamp) {
      var added = 0, at = self.lowerBound(term);
      if (at < terms.length && terms[at] === term) added += count(at++, EXACT, stamp);
      if (Array.from(term).length >= PREFIX_MIN && !CJK_START.test(term)) {
        while (at < terms.length && terms[at].startsWith(term)) added += count(at++, PREFIX, stamp);
      }
      return added;
    }
    var wanted = queryTerms(query), retried = [];
    for (var t = 0; t < wanted.length; t++) {
      if (lookup(wanted[t], t + 1)) continue;
      var shorter = unfinished(wanted[t]);
      if (shorter !== null && lookup(shorter, t + 1)) retried.push(shorter);
    }
    var folded = fold(query);
    var ids = new Set([folded.trim()].concat(folded.split(/\s+/)));
    ids.forEach(function (id) {
      var exact = self.byId.get(id);
      if (exact === undefined) return;
      if (scores[exact] === 0) found.push(exact);
      scores[exact] += ID_FIRST;
    });
    found.sort(function (a, b) { return (scores[b] - scores[a]) || (a - b); });
    return {
      total: found.length,
      docs: found.slice(0, limit || LIMIT).map(function (p) { return docs[p]; }),
      retried: retried
    };
  };

  Index.prototype.search = function (query, limit) {
    return this.find(query, limit).docs;
  };

  // What to look for in a result to mark it: each word as typed and stemmed (marked from a
  // word's start to its end, so "export" marks "Exports"), each CJK bigram or lone character,
  // and the `extra` words (the shortened words a search retried).
  function needles(query, extra) {
    var out = (extra || []).map(function (word) { return {text: word, word: true}; });
    var ps = pieces(query);
    for (var i = 0; i < ps.length; i++) {
      var piece = ps[i][1];
      if (!ps[i][0]) {
        out.push({text: piece, word: true});
        if (stem(piece) !== piece) out.push({text: stem(piece), word: true});
        continue;
      }
      var chars = Array.from(piece);
      if (chars.length === 1) out.push({text: piece, word: false});
      for (var j = 0; j + 1 < chars.length; j++) out.push({text: chars[j] + chars[j + 1], word: false});
    }
    return out;
  }

  // `text` folded as the index folds it, with `from[k]`: where in `text` the k-th folded unit
  // came from (one character may fold into several: "ﬁ" into "fi").
  function foldWithMap(text) {
    if (ASCII.test(text)) return {text: text.toLowerCase(), from: null};
    var out = "", from = [];
    for (var i = 0; i < text.length;) {
      var code = text.codePointAt(i), size = code > 0xffff ? 2 : 1;
      var ch = text.slice(i, i + size);
      // Common Han characters fold to themselves: skip the costly call for most Chinese text.
      var folded = code >= 0x4e00 && code <= 0x9fff ? ch : fold(ch);
      for (var k = 0; k < folded.length; k++) from.push(i);
      out += folded;
      i += size;
    }
    from.push(text.length);
    return {text: out, from: from};
  }

  function isWordChar(text, at) {
    var ch = text.charAt(at);
    return LETTER_OR_DIGIT.test(ch) && !CJK_START.test(ch);
  }

  // The places in `text` where the needles are: [start, end) pairs in `text`, sorted, with
  // overlapping and touching ones merged (the bigrams of "批量导出" make one mark).
  function hitRanges(text, wanted) {
    var folded = foldWithMap(text), lower = folded.text, ranges = [];
    for (var n = 0; n < wanted.length; n++) {
      var needle = wanted[n].text;
      for (var at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
        var end = at + needle.length;
        if (wanted[n].word) {
          if (at > 0 && isWordChar(lower, at - 1)) continue;  // inside a word, not its start
          while (end < lower.length && isWordChar(lower, end)) end++;
        }
        ranges.push([at, end]);
      }
    }
    ranges.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    for (var r = 0; r < ranges.length; r++) {
      var last = merged[merged.length - 1];
      if (last && ranges[r][0] <= last[1]) last[1] = Math.max(last[1], ranges[r][1]);
      else merged.push(ranges[r].slice());
    }
    if (!folded.from) return merged;
    var from = folded.from;
    return merged.map(function (range) {
      var end = range[1];
      while (end < lower.length && from[end] === from[end - 1]) end++;  // a whole character
      return [from[range[0]], from[end]];
    });
  }

  // `text` into `parent` with the `ranges` in <mark>, all through text nodes.
  function appendMarked(parent, text, ranges) {
    var at = 0;
    for (var r = 0; r < ranges.length; r++) {
      parent.appendChild(document.createTextNode(text.slice(at, ranges[r][0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(ranges[r][0], ranges[r][1]);
      parent.appendChild(mark);
      at = ranges[r][1];
    }
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  // A part of the body around its first hit (its start when the hit is not in it).
  function appendSnippet(parent, text, wanted) {
    var ranges = hitRanges(text, wanted);
    var start = 0;
    if (ranges.length && text.length > SNIPPET) {
      start = Math.max(0, Math.min(ranges[0][0] - BEFORE_HIT, text.length - SNIPPET));
    }
    var end = Math.min(text.length, start + SNIPPET);
    var shown = [];
    for (var r = 0; r < ranges.length; r++) {
      if (ranges[r][1] > start && ranges[r][0] < end) {
        shown.push([Math.max(ranges[r][0], start) - start, Math.min(ranges[r][1], end) - start]);
      }
    }
    var cut = text.slice(start, end);
    var before = start > 0 ? "…" : "";
    if (before) shown = shown.map(function (range) { return [range[0] + 1, range[1] + 1]; });
    appendMarked(parent, before + cut + (end < text.length ? "…" : ""), shown);
  }

  // A requirement's page, as site/pages.page_name writes it: the ID percent-encoded like
  // Python's quote(id, safe="").
  function pageOf(id) {
    return "requirements/" + encodeURIComponent(id).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    }) + ".html";
  }

  function option(doc, wanted, base, id) {
    var link = document.createElement("a");
    link.id = id;
    link.href = base + pageOf(doc[0]);
    link.className = "rf-search-result";
    link.setAttribute("role", "option");
    link.setAttribute("aria-selected", "false");
    link.tabIndex = -1;  // the field keeps the focus; arrow keys move the active option
    var ident = document.createElement("span");
    ident.className = "rf-search-id";
    ident.textContent = doc[0];
    link.appendChild(ident);
    link.appendChild(document.createTextNode(" "));
    var title = document.createElement("bdi");  // a title's bidi stays inside it
    title.className = "rf-search-title";
    appendMarked(title, doc[1], hitRanges(doc[1], wanted));
    link.appendChild(title);
    link.appendChild(document.createTextNode(" "));
    var status = document.createElement("span");
    status.className = "rf-status rf-status-" + doc[2].replace(/[^a-z0-9-]/gi, "-");
    status.textContent = doc[2];
    link.appendChild(status);
    if (doc[5]) {
      var snippet = document.createElement("bdi");
      snippet.className = "rf-search-snippet";
      appendSnippet(snippet, doc[5], wanted);
      link.appendChild(snippet);
    }
    return link;
  }

  // The status line's words come from the page (the site's language): data-none,
  // data-one, data-many ("{count}") and data-more ("{shown}" of "{count}").
  function statusText(status, shown, total) {
    var data = status.dataset;
    if (total === 0) return data.none || "";
    var words = shown < total ? data.more : total === 1 ? data.one : data.many;
    return (words || "").replace("{count}", String(total)).replace("{shown}", String(shown));
  }

  // Wire a search field as an ARIA combobox: results in `listbox` as the reader types, the
  // count (or that nothing was found) in `status`, a polite live region. ArrowDown/ArrowUp move
  // the active result (the focus stays in the field), Enter opens it (or the first), Escape
  // closes the list; a click opens a result as any link does.
  function attach(input, listbox, status, options) {
    var base = (options && options.base) || "";
    var index = null;
    var active = -1;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("aria-expanded", "false");
    listbox.setAttribute("role", "listbox");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    function results() { return listbox.querySelectorAll("[role=option]"); }
    function activate(at) {
      var all = results();
      if (active >= 0 && all[active]) all[active].setAttribute("aria-selected", "false");
      active = at;
      if (at < 0 || !all[at]) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      all[at].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", all[at].id);
      all[at].scrollIntoView({block: "nearest"});
    }
    function show(open) {
      var all = results();
      listbox.hidden = !open || all.length === 0;
      input.setAttribute("aria-expanded", listbox.hidden ? "false" : "true");
      if (listbox.hidden) activate(-1);
    }
    function update() {
      if (!root.REQFORGE_SEARCH) return;
      index = index || new Index(root.REQFORGE_SEARCH);
      var query = input.value;
      activate(-1);
      listbox.replaceChildren();
      if (!query.trim()) { status.textContent = ""; show(false); return; }
      var result = index.find(query, LIMIT);
      var wanted = needles(query, result.retried);
      var items = document.createDocumentFragment();
      for (var i = 0; i < result.docs.length; i++) {
        items.appendChild(option(result.docs[i], wanted, base, listbox.id + "-" + i));
      }
      listbox.appendChild(items);
      status.textContent = statusText(status, result.docs.length, result.total);
      show(true);
    }
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (event) {
      var all = results();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (listbox.hidden) { show(true); activate(event.key === "ArrowDown" ? 0 : all.length - 1); return; }
        if (event.key === "ArrowDown") activate(Math.min(active + 1, all.length - 1));
        else activate(active - 1);  // up from the first result: back to the field alone
      } else if (event.key === "Enter" && all.length && !listbox.hidden) {
        event.preventDefault();
        all[active >= 0 ? active : 0].click();
      } else if (event.key === "Escape" && (input.value || !listbox.hidden)) {
        event.preventDefault();  // the first Escape closes the list; the next one clears the field
        if (!listbox.hidden) { show(false); return; }
        input.value = "";
        update();
      }
    });
    if (input.value) update();
  }

  root.ReqforgeSearch = {
    stem: stem, fold: fold, queryTerms: queryTerms, Index: Index, attach: attach, hitRanges: hitRanges,
    needles: needles
  };
})(typeof window !== "undefined" ? window : globalThis);
