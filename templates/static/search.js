/* The search page (templates/search.html): the site's own index, read in the browser.
 *
 * The index format is docs/search.md (render/search_index.py writes it): search-index/meta.json,
 * filters.json, g/<k>.json (key → postings, sharded by a hash of the key), d/<j>.json (the docs
 * [url, title, text]). A query is split into runs (CJK characters, or letters and digits); its keys are the
 * CJK runs' pairs of characters and the word runs whole; a one-character CJK run is looked up in titles
 * only ("^李": the index has single characters in titles only). A page matches when it holds every key
 * and every chosen filter ("@区县:西山区"); it is shown only when each query run really occurs in its
 * title or text (a pair index also matches 挂号 and 号单 far apart). Ranking: every key in the title
 * first, then posts, units, stories, members, then the index order.
 *
 * Excerpts: a window of about 70 characters around the first match, widened or narrowed to a sentence or
 * clause boundary so that it reads as Chinese: blocks ("\n") joined with "。" where a sentence ends, brackets
 * and quotes balanced, no "·" or comma left dangling, "…" where the text is cut; the page's title at the
 * start is not repeated (it is the link above). The query text is marked with <mark>.
 *
 * Everything that comes from the index is inserted as text (createTextNode / textContent): a member named
 * <img src=x onerror=...> stays text. Only our own elements are created.
 */
(function (root) {
  "use strict";

  // -- the index format ---------------------------------------------------------------------------

  var CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]/;
  var WORD = /[\p{L}\p{N}]/u;
  var KINDS = ["posts", "units", "stories", "members"];  // the ranking order of page kinds

  function normalize(s) { return String(s).normalize("NFKC").toLowerCase(); }

  // The runs of normalised text s: [{cjk: bool, text: string}].
  function runs(s) {
    var out = [], cur = null;
    for (var ch of s) {
      var type = CJK.test(ch) ? "c" : WORD.test(ch) ? "w" : "";
      if (cur && cur.type === type) cur.text += ch;
      else {
        if (cur && cur.type) out.push({cjk: cur.type === "c", text: cur.text});
        cur = {type: type, text: ch};
      }
    }
    if (cur && cur.type) out.push({cjk: cur.type === "c", text: cur.text});
    return out;
  }

  // The keys of a query (normalised text): a CJK run's pairs of characters (one character: "^" + it, a
  // title key), a word run whole.
  // A one-character Chinese run is a key only in titles ("^李"): it is looked up so when the query has
  // nothing else (a surname); beside longer runs or words ("A座") it is only checked in the pages found.
  function queryKeys(qruns) {
    var keys = [];
    var alone = qruns.every(function (r) { return r.cjk && Array.from(r.text).length === 1; });
    qruns.forEach(function (r) {
      if (!r.cjk) keys.push(r.text);
      else {
        var chars = Array.from(r.text);
        if (chars.length === 1 && alone) keys.push("^" + chars[0]);
        for (var i = 0; i + 1 < chars.length; i++) keys.push(chars[i] + chars[i + 1]);
      }
    });
    return keys.filter(function (k, i) { return keys.indexOf(k) === i; });
  }

  // The shard file of a key: a hash of its UTF-16 code units; a title key ("^李东") is in its key's shard.
  function shardOf(key, shards) {
    var h = 0;
    if (key.charAt(0) === "^") key = key.slice(1);
    for (var i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) >>> 0;
    return h % shards;
  }

  // "3,2,z" → [3, 5, 40]
  function decode(postings) {
    var out = [], n = 0;
    if (!postings) return out;
    postings.split(",").forEach(function (d, i) { n = i ? n + parseInt(d, 36) : parseInt(d, 36); out.push(n); });
    return out;
  }

  function intersect(lists) {
    if (!lists.length) return [];
    lists = lists.slice().sort(function (a, b) { return a.length - b.length; });
    var result = lists[0];
    for (var i = 1; i < lists.length && result.length; i++) {
      var other = lists[i], kept = [], j = 0;
      for (var k = 0; k < result.length; k++) {
        while (j < other.length && other[j] < result[k]) j++;
        if (j < other.length && other[j] === result[k]) kept.push(result[k]);
      }
      result = kept;
    }
    return result;
  }

  // The index in folder `bundle` ("/search-index/" or "/pledge/search-index/"); files are fetched once.
  function Index(bundle) {
    this.bundle = bundle;
    this.files = {};
  }
  Index.prototype.get = function (path) {
    var self = this;
    if (!this.files[path]) {
      this.files[path] = root.fetch(this.bundle + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return r.json();
      });
      this.files[path].catch(function () { delete self.files[path]; });  // try again next time
    }
    return this.files[path];
  };
  Index.prototype.meta = function () { return this.get("meta.json"); };
  Index.prototype.filters = function () { return this.get("filters.json"); };
  Index.prototype.postings = function (key) {
    var self = this;
    return this.meta().then(function (meta) {
      return self.get("g/" + shardOf(key, meta.shards) + ".json");
    }).then(function (shard) {
      return decode(Object.prototype.hasOwnProperty.call(shard, key) ? shard[key] : "");
    });
  };
  Index.prototype.doc = function (n) {
    var self = this;
    return this.meta().then(function (meta) {
      var j = Math.floor(n / meta.chunk);
      return self.get("d/" + j + ".json").then(function (chunk) { return chunk[n - j * meta.chunk]; });
    });
  };

  // The docs that match a query and filters ({NAME: VALUE}), ranked: {runs, docs: [n...], exact}.
  // `exact`: every doc found surely contains every run (no run is longer than one bigram).
  Index.prototype.search = function (query, filters) {
    var self = this;
    var qruns = runs(normalize(query || ""));
    var keys = queryKeys(qruns);
    var filterKeys = Object.keys(filters || {}).filter(function (name) { return filters[name]; })
      .map(function (name) { return "@" + name + ":" + filters[name]; });
    var all = keys.concat(filterKeys);
    if (!all.length) return Promise.resolve({runs: qruns, docs: [], exact: true, empty: true});
    return this.meta().then(function () {
      return Promise.all(all.map(function (k) { return self.postings(k); }));
    }).then(function (lists) {
      var docs = intersect(lists);
      if (docs.length < 2) return docs;
      // rank: every key in the title, then the kind of page, then the index order
      var title = keys.length ? Promise.all(keys.map(function (k) {
        return self.postings(k.charAt(0) === "^" ? k : "^" + k);
      })).then(intersect)
        : Promise.resolve([]);
      return Promise.all([title, self.meta()]).then(function (got) {
        var inTitle = new Set(got[0]), ranges = got[1].kinds || {};  // kind → [first, end): pages by address
        var rank = function (n) {
          for (var i = 0; i < KINDS.length; i++) {
            var r = ranges[KINDS[i]];
            if (r && n >= r[0] && n < r[1]) return i;
          }
          return KINDS.length;
        };
        var score = function (n) { return (inTitle.has(n) ? 0 : 10) + rank(n); };
        return docs.slice().sort(function (a, b) { return score(a) - score(b) || a - b; });
      });
    }).then(function (docs) {
      var alone = qruns.every(function (r) { return r.cjk && Array.from(r.text).length === 1; });
      var exact = qruns.every(function (r) {  // (a one-character run beside others is not looked up)
        var n = Array.from(r.text).length;
        return !r.cjk || n === 2 || (n === 1 && alone);
      });
      return {runs: qruns, docs: docs, exact: exact};
    });
  };

  // Whether every run of the query occurs in the doc's normalised title + text.
  function contains(doc, qruns) {
    var text = normalize(doc[1] + "\n" + doc[2]);
    return qruns.every(function (r) { return text.indexOf(r.text) >= 0; });
  }

  // -- excerpts -------------------------------------------------------------------------------------

  var STOP = "。！？；!?;…";
  var SOFT = "，、：·,:";
  var PAIRS = {"（": "）", "“": "”", "《": "》", "「": "」", "『": "』", "【": "】", "〔": "〕", "(": ")", "‘": "’"};
  var CLOSERS = {};
  Object.keys(PAIRS).forEach(function (o) { CLOSERS[PAIRS[o]] = o; });
  var FULL_CLOSE = "）”》」』】〕’";
  var LENGTH = 70, BACK = 30, FWD = 24;

  function isCJK(c) {  // ideographs, CJK punctuation, full-width forms
    return !!c && /[\u2E80-\u2FFF\u3000-\u303F\u3400-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u201C\u201D\u2018\u2019\u2026]/.test(c);
  }
  function isWordChar(c) { return !!c && /[0-9A-Za-z\u00C0-\u024F]/.test(c); }

  // Where each query run occurs in `text`: sorted, merged [start, end) ranges of the original text.
  // Matching is on the normalised text; map[i] is the original offset of normalised offset i.
  function hitsIn(text, qruns) {
    var norm = "", map = [], i = 0;
    for (var ch of text) {
      var n = normalize(ch);
      for (var j = 0; j < n.length; j++) map.push(i);
      norm += n;
      i += ch.length;
    }
    map.push(text.length);
    var hits = [];
    qruns.forEach(function (r) {
      for (var at = norm.indexOf(r.text); at >= 0; at = norm.indexOf(r.text, at + 1)) {
        var end = map[at + r.text.length];
        while (end < text.length && map.indexOf(end) < 0) end++;  // (not inside a character)
        hits.push([map[at], end]);
      }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    hits.forEach(function (h) {
      var last = merged[merged.length - 1];
      if (last && h[0] <= last[1]) last[1] = Math.max(last[1], h[1]);
      else merged.push([h[0], h[1]]);
    });
    return merged;
  }

  // Text ends a sentence (or, with soft, a clause) right before position p.
  function breakBefore(t, p, soft) {
    if (p <= 0) return true;
    var a = t[p - 1], b = t[p - 2] || "";
    if (a === "\n" || STOP.indexOf(a) >= 0) return true;
    if (a === " " && (b === "." || STOP.indexOf(b) >= 0)) return true;
    if (soft && (SOFT.indexOf(a) >= 0 || (a === " " && (SOFT.indexOf(b) >= 0 || t[p] === "·")))) return true;
    return false;
  }

  // Text ends a sentence right at position q (a block end, or after 。！？；).
  function endsAt(t, q) {
    if (q >= t.length) return true;
    if (t[q] === "\n" || STOP.indexOf(t[q - 1]) >= 0) return true;
    return t[q - 1] === "." && (t[q] === " " || t[q] === "\n");
  }

  // The window [a, b) around the hit [s, e), at sentence or clause boundaries where they are near.
  function windowAround(t, from, s, e) {
    var a = s, b, lead = false, trail = false, p, q;
    for (p = s; p > from && s - p < BACK && !breakBefore(t, p, false); p--);
    if (p <= from || breakBefore(t, p, false)) a = Math.max(p, from);
    else {
      lead = true;
      for (p = s; p > from && s - p < BACK && !breakBefore(t, p, true); p--);
      if (breakBefore(t, p, true) && p > from) a = p;
      else {  // no boundary near: a few characters before the hit, not inside a number or word
        a = Math.max(from, s - 12);
        while (a > from && isWordChar(t[a - 1]) && isWordChar(t[a])) a--;
        lead = a > from;
      }
    }
    var target = Math.max(e, a + LENGTH);
    if (target >= t.length) b = t.length;
    else {
      for (q = target; q < t.length && q - target < FWD && !endsAt(t, q); q++);
      if (endsAt(t, q)) b = q;
      else {
        for (q = target; q > e && !endsAt(t, q); q--);
        if (q > e && q - a >= LENGTH / 2) b = q;
        else {  // end at a clause ("…" takes the place of its comma)
          trail = true;
          for (q = target; q < t.length && q - target < FWD && !breakBefore(t, q, true); q++);
          if (breakBefore(t, q, true)) b = q;
          else {
            for (q = target; q > e && !breakBefore(t, q, true); q--);
            if (q > e) b = q;
            else {
              b = target;
              while (b < t.length && isWordChar(t[b - 1]) && (isWordChar(t[b]) || "年月日号时分".indexOf(t[b]) >= 0)) b++;
            }
          }
        }
      }
    }
    // room left: the sentences before it too, whole
    while (!lead && a > from) {
      for (p = a - 1; p > from && !breakBefore(t, p, false); p--);
      if (b - p > LENGTH) break;
      a = p;
    }
    // a block that only names what follows ("批复：") is read with it
    if (a > from && t[a - 1] === "\n") {
      var ps = Math.max(from, t.lastIndexOf("\n", a - 2) + 1), label = t.slice(ps, a - 1);
      if (label.length <= 10 && /[：:]$/.test(label) && label.indexOf("\n") < 0) a = ps;
    }
    return enclose(t, {a: a, b: b, lead: lead, trail: trail, from: from});
  }

  // Widen the window to the opener of a bracket or quote it closes, and to the closer of one it opens,
  // when that is near (else balance() deals with it).
  function enclose(t, w) {
    var need = [], open = [], i, c, inner = [];
    for (i = w.a; i < w.b; i++) {
      c = t[i];
      if (PAIRS[c]) open.push(c);
      else if (CLOSERS[c]) { if (open.length && open[open.length - 1] === CLOSERS[c]) open.pop(); else need.push(CLOSERS[c]); }
    }
    for (i = w.a - 1; need.length && i >= w.from && w.a - i <= 2 * BACK; i--) {
      c = t[i];
      if (c === "\n") break;
      if (CLOSERS[c]) inner.push(c);
      else if (PAIRS[c]) {
        if (inner.length && PAIRS[c] === inner[inner.length - 1]) inner.pop();
        else if (c === need[0]) { need.shift(); if (!need.length) { w.a = i; w.lead = !breakBefore(t, i, false); } }
        else break;
      }
    }
    inner = [];
    for (i = w.b; open.length && i < t.length && i - w.b < 2 * FWD; i++) {
      c = t[i];
      if (c === "\n") break;
      if (PAIRS[c]) inner.push(c);
      else if (CLOSERS[c]) {
        if (inner.length && CLOSERS[c] === inner[inner.length - 1]) inner.pop();
        else if (CLOSERS[c] === open[open.length - 1]) { open.pop(); if (!open.length) { w.b = i + 1; w.trail = !endsAt(t, w.b); } }
        else break;
      }
    }
    return w;
  }

  function nextSolid(units, i) {
    for (; i < units.length; i++) if (!/\s/.test(units[i].c)) return units[i].c;
    return "";
  }

  // Blocks ("\n") joined as a sentence reads: "。" after Chinese text, nothing after punctuation that
  // already ends or continues it, ". " between English texts; runs of white space become one space.
  function punctuate(units) {
    var out = [], chinese = false, latin = false;  // what the block being read has in it
    for (var i = 0; i < units.length; i++) {
      var u = units[i];
      if (!/\s/.test(u.c)) {
        out.push(u);
        if (isCJK(u.c)) chinese = true;
        else if (/[A-Za-z]/.test(u.c)) latin = true;
        continue;
      }
      var block = false, j = i;
      for (; j < units.length && /\s/.test(units[j].c); j++) if (units[j].c === "\n") block = true;
      var prev = out.length ? out[out.length - 1].c : "", next = nextSolid(units, j);
      i = j - 1;
      if (!prev || !next) continue;
      if (!block) {
        if ("。，、：；！？（“《「【".indexOf(prev) < 0 && "。，、：；！？）”》」】".indexOf(next) < 0) out.push({c: " ", m: false});
        continue;
      }
      var wasChinese = chinese, wasLatin = latin;
      if (STOP.indexOf(prev) >= 0) chinese = latin = false;
      if (STOP.indexOf(prev) >= 0 || "：，、（“《「『【〔·".indexOf(prev) >= 0 || "。，、：；！？）”》」』】〕·".indexOf(next) >= 0) {
        if ("·".indexOf(prev) >= 0 || next === "·") out.push({c: " ", m: false});
        continue;  // (a name and its value, "网站：" then an address, are one sentence)
      }
      chinese = latin = false;
      // a block with Chinese in it ends with "。" (also after an e-mail address or "95%"), an English one
      // with ". "; one of only numbers takes the mark of what follows
      if (wasChinese || (!wasLatin && isCJK(next))) out.push({c: "。", m: false});
      else out.push({c: prev === "." || prev === ":" || prev === "," ? " " : ". ", m: false});
    }
    return out;
  }

  // Unmatched closers before the first match are cut off; after it, their openers are put in front;
  // unmatched openers are closed after "…".
  function balance(units, state) {
    var stack = [], cut = -1, firstMark = units.findIndex(function (u) { return u.m; });
    if (firstMark < 0) firstMark = units.length;
    for (var i = 0; i < units.length; i++) {
      var c = units[i].c;
      if (PAIRS[c]) stack.push(c);
      else if (CLOSERS[c]) {
        if (stack.length && stack[stack.length - 1] === CLOSERS[c]) stack.pop();
        else if (stack.length === 0) cut = i;
      }
    }
    var prefix = "";
    if (cut >= 0) {
      if (cut < firstMark) { units = units.slice(cut + 1); state.lead = true; }
      else {
        var opens = [], depth = [];
        for (var j = 0; j < units.length; j++) {
          var d = units[j].c;
          if (PAIRS[d]) depth.push(d);
          else if (CLOSERS[d]) { if (depth.length && depth[depth.length - 1] === CLOSERS[d]) depth.pop(); else opens.unshift(CLOSERS[d]); }
        }
        prefix = opens.join("");
      }
    }
    var suffix = stack.reverse().map(function (o) { return PAIRS[o]; }).join("");
    if (suffix) state.trail = true;
    return {units: units, prefix: prefix, suffix: suffix};
  }

  function trimEdges(units) {
    var junk = " ·，、：；,;:";
    while (units.length && (junk + "。.").indexOf(units[0].c) >= 0) units = units.slice(1);
    while (units.length && junk.indexOf(units[units.length - 1].c) >= 0) units = units.slice(0, -1);
    return units;
  }

  // The excerpt of a doc for the query runs: [[text, marked], ...] pieces, in order.
  function excerpt(title, text, qruns) {
    text = String(text || "");
    var t = text, from = 0, heading = String(title || "").trim();
    // the page's own title at the start is the link above the excerpt: not repeated
    if (heading && t.indexOf(heading) === 0 && (t.length === heading.length || /[\n：:]/.test(t[heading.length]))) {
      from = heading.length;
      while (from < t.length && /[\s：:]/.test(t[from])) from++;
      if (from >= t.length) from = 0;
    }
    var hits = hitsIn(t, qruns || []);
    var first = hits.filter(function (h) { return h[0] >= from; })[0];
    var w = first ? windowAround(t, from, first[0], first[1]) : windowAround(t, from, from, from);
    var units = Array.from(t.slice(w.a, w.b)).map(function (c) { return {c: c, m: false}; });
    var offsets = [], at = w.a;
    units.forEach(function (u) { offsets.push(at); at += u.c.length; });
    units.forEach(function (u, i) {
      u.m = hits.some(function (h) { return offsets[i] >= h[0] && offsets[i] < h[1]; });
    });
    var state = {lead: w.lead, trail: w.trail || w.b < t.length && !endsAt(t, w.b)};
    units = trimEdges(punctuate(units));
    var b = balance(units, state);
    units = trimEdges(b.units);
    if (!units.length) return [];
    if (state.trail && !b.suffix && STOP.indexOf(units[units.length - 1].c) >= 0) state.trail = false;
    // the window ends with a block (a heading, a list item): a sentence ends there
    var last = units[units.length - 1].c;
    if (!state.trail && !b.suffix && (w.b >= t.length || t[w.b] === "\n") && (CJK.test(last) || FULL_CLOSE.indexOf(last) >= 0)) {
      units.push({c: "。", m: false});
    }
    var pieces = [];
    var add = function (s, m) {
      if (!s) return;
      var last = pieces[pieces.length - 1];
      if (last && last[1] === m) last[0] += s; else pieces.push([s, m]);
    };
    add(b.prefix, false);
    if (state.lead) add("…", false);
    units.forEach(function (u) { add(u.c, u.m); });
    if (state.trail) add("…", false);
    add(b.suffix, false);
    return pieces;
  }

  // [[text, marked]...] of a title, the query runs marked.
  function marked(text, qruns) {
    var pieces = [], at = 0;
    hitsIn(text, qruns).forEach(function (h) {
      if (h[0] > at) pieces.push([text.slice(at, h[0]), false]);
      pieces.push([text.slice(h[0], h[1]), true]);
      at = h[1];
    });
    if (at < text.length) pieces.push([text.slice(at), false]);
    return pieces;
  }

  // Append text pieces to an element: text nodes, and our own <mark> elements.
  function fill(el, pieces) {
    pieces.forEach(function (p) {
      if (p[1]) {
        var m = document.createElement("mark");
        m.textContent = p[0];
        el.appendChild(m);
      } else el.appendChild(document.createTextNode(p[0]));
    });
    return el;
  }

  // -- the page ----------------------------------------------------------------------------------------

  var PAGE = 10;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }

  function Page(config) {
    this.c = config;
    this.s = config.strings;
    this.index = new Index(config.bundle);
    this.form = document.getElementById("search-form");
    this.input = document.getElementById("search-input");
    this.region = document.getElementById("search-results");
    this.status = document.getElementById("search-status");
    this.list = document.getElementById("search-list");
    this.more = document.getElementById("search-more");
    this.filterBox = document.getElementById("search-filters");
    this.filterDetails = document.getElementById("search-filters-box");
    this.filterChosen = document.getElementById("search-filters-chosen");
    this.selects = {};
    this.run = 0;
    this.timer = null;
  }

  Page.prototype.start = function () {
    var self = this, params = new URLSearchParams(root.location.search);
    this.form.hidden = false;
    var nojs = document.getElementById("search-nojs");
    if (nojs) nojs.hidden = true;
    this.input.value = params.get("q") || "";
    this.form.addEventListener("submit", function (ev) { ev.preventDefault(); self.update(0); });
    this.input.addEventListener("input", function (ev) {
      if (ev.isComposing) return;  // an input method is still composing (pinyin): wait for the characters
      self.update(300);
    });
    this.input.addEventListener("compositionend", function () { self.update(300); });
    this.more.addEventListener("click", function () { self.next(true); });
    this.index.filters().then(function (filters) {
      self.buildFilters(filters, params);
    }).catch(function () { /* no filters: search still works */ }).then(function () {
      if (self.query() || self.chosen().length) self.update(0);
    });
  };

  Page.prototype.buildFilters = function (filters, params) {
    var self = this, names = Object.keys(filters || {});
    if (!names.length) return;
    names.forEach(function (name, i) {
      var field = document.createElement("div");
      field.className = "search-filter";
      var label = document.createElement("label");
      label.htmlFor = "search-filter-" + i;
      label.textContent = name;
      var select = document.createElement("select");
      select.id = "search-filter-" + i;
      select.name = name;
      var any = document.createElement("option");
      any.value = "";
      any.textContent = self.s.any;
      select.appendChild(any);
      Object.keys(filters[name]).forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = format(self.s.option, {value: value, n: filters[name][value]});
        select.appendChild(option);
      });
      var wanted = params.get(name);
      if (wanted && Object.prototype.hasOwnProperty.call(filters[name], wanted)) select.value = wanted;
      select.addEventListener("change", function () { self.showChosen(); self.update(0); });
      field.appendChild(label);
      field.appendChild(select);
      self.filterBox.appendChild(field);
      self.selects[name] = select;
    });
    this.filterDetails.hidden = false;
    this.showChosen();
    if (this.chosen().length) this.filterDetails.open = true;
  };

  Page.prototype.showChosen = function () {
    var n = this.chosen().length;
    this.filterChosen.textContent = n ? format(this.s.chosen, {n: n}) : "";
  };

  Page.prototype.query = function () { return this.input.value.trim(); };

  Page.prototype.chosen = function () {
    var self = this;
    return Object.keys(this.selects).filter(function (n) { return self.selects[n].value; });
  };

  // The address shows the query and filters, so that it can be shared and the back button returns to it.
  Page.prototype.remember = function () {
    var self = this, params = new URLSearchParams();
    if (this.query()) params.set("q", this.query());
    this.chosen().forEach(function (n) { params.set(n, self.selects[n].value); });
    var search = params.toString();
    try { root.history.replaceState(null, "", root.location.pathname + (search ? "?" + search : "")); } catch (e) { /* file: */ }
  };

  Page.prototype.update = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.region.setAttribute("aria-busy", "true");  // a search is coming
    this.timer = setTimeout(function () { self.search(); }, delay);
  };

  Page.prototype.say = function (text, busy) {
    this.status.textContent = text;
    this.region.setAttribute("aria-busy", busy ? "true" : "false");
    this.region.classList.toggle("loading", !!busy);
  };

  Page.prototype.search = function () {
    var self = this, run = ++this.run, filters = {};
    this.chosen().forEach(function (n) { filters[n] = self.selects[n].value; });
    this.remember();
    this.more.hidden = true;
    if (!this.query() && !this.chosen().length) {
      this.list.textContent = "";
      this.region.hidden = true;
      this.say("", false);
      return Promise.resolve();
    }
    this.region.hidden = false;
    this.say(this.s.loading, true);
    return this.index.search(this.query(), filters).then(function (found) {
      if (run !== self.run) return;
      self.found = found;
      self.at = 0;
      self.dropped = 0;
      self.shown = 0;
      self.list.textContent = "";
      return self.next(false, run);
    }).catch(function (e) {
      if (run !== self.run) return;
      if (root.console) root.console.error(e);
      self.list.textContent = "";
      self.say(self.s.error, false);
    });
  };

  // Show up to PAGE more results: fetch the docs in rank order, keep those that really contain the query.
  Page.prototype.next = function (focus, run) {
    var self = this, found = this.found, kept = [];
    run = run || this.run;
    if (!found) return Promise.resolve();
    this.more.hidden = true;
    if (focus) this.say(this.s.loading, true);
    var step = function () {
      if (run !== self.run) return null;
      if (kept.length >= PAGE || self.at >= found.docs.length) return kept;
      var batch = found.docs.slice(self.at, self.at + Math.max(PAGE - kept.length, 4));
      self.at += batch.length;
      return Promise.all(batch.map(function (n) { return self.index.doc(n); })).then(function (docs) {
        docs.forEach(function (doc, i) {
          if (doc && contains(doc, found.runs)) kept.push([batch[i], doc]);
          else self.dropped++;
        });
        return step();
      });
    };
    return Promise.resolve(step()).then(function (kept) {
      if (!kept || run !== self.run) return;
      var firstNew = null;
      kept.forEach(function (hit) {
        var li = self.result(hit[1], found.runs);
        self.list.appendChild(li);
        firstNew = firstNew || li.querySelector("a");
      });
      self.shown += kept.length;
      var done = self.at >= found.docs.length;
      var total = found.docs.length - self.dropped;
      if (!self.shown) self.say(self.s.none, false);
      else self.say(format(found.exact || done ? self.s.count : self.s.count_about, {n: total}), false);
      self.more.hidden = done;
      if (focus && firstNew) firstNew.focus();
    }).catch(function (e) {
      if (run !== self.run) return;
      if (root.console) root.console.error(e);
      self.say(self.s.error, false);
    });
  };

  Page.prototype.result = function (doc, qruns) {
    var url = String(doc[0] || ""), title = String(doc[1] || "") || url, kind = url.split("/")[0];
    var li = document.createElement("li");
    li.className = "search-result";
    if (this.s.kinds[kind]) {
      var k = document.createElement("p");
      k.className = "search-result-kind";
      k.textContent = this.s.kinds[kind];
      li.appendChild(k);
    }
    var h = document.createElement("h3");
    var a = document.createElement("a");
    a.className = "search-result-link";
    a.href = this.c.base + url.replace(/^\/+/, "");
    fill(a, marked(title, qruns));
    h.appendChild(a);
    li.appendChild(h);
    var pieces = excerpt(title, doc[2], qruns);
    if (pieces.length) li.appendChild(fill(Object.assign(document.createElement("p"), {className: "search-result-excerpt"}), pieces));
    return li;
  };

  root.siteSearch = {normalize: normalize, runs: runs, queryKeys: queryKeys, shardOf: shardOf, decode: decode,
                     intersect: intersect, contains: contains, excerpt: excerpt, marked: marked, Index: Index};

  var config = document.getElementById("search-config");
  if (config && document.getElementById("search-form")) {
    var page = new Page(JSON.parse(config.textContent));
    root.siteSearch.page = page;
    page.start();
  }
})(window);
