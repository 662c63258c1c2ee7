/* Search result excerpts that read as Chinese text (templates/search.html, Pagefind UI `processResult`).
 *
 * Pagefind builds an excerpt from a window of ~30 words of the indexed text, and it ends every block
 * element that does not end in punctuation with ". ". In Chinese that gives "钱大海. 抢修班班长.",
 * windows that start or stop inside a name or a bracket ("凯. ", "钱大海（") and half dates.
 * tidy(result) rebuilds each excerpt from the page text Pagefind returns (`raw_content`, words
 * separated by U+200B): the window is widened to the sentence around it (or narrowed to a clause
 * boundary, with "…"), ". " between Chinese texts becomes "。", brackets and quotes are balanced,
 * no "·" or comma is left dangling, and the page's (or section's) own title at the start is dropped
 * (it is the link above the excerpt). Search hits are marked with <mark> as Pagefind marks them.
 * Everything else is escaped: the excerpt is inserted as HTML by Pagefind UI.
 */
(function (root) {
  "use strict";
  var ZWS = "\u200B";
  var STOP = "。！？；!?;";
  var SOFT = "，、：·,:";
  var PAIRS = {"（": "）", "“": "”", "《": "》", "「": "」", "『": "』", "【": "】", "〔": "〕", "(": ")"};
  var CLOSERS = {};
  Object.keys(PAIRS).forEach(function (o) { CLOSERS[PAIRS[o]] = o; });
  var FULL_CLOSE = "）”》」』】〕", FULL_PUNCT = "。，、：；！？";
  var BACK = 24, FWD = 24;  // how far (characters) a window may grow or shrink at each end

  function isCJK(c) {  // ideographs, CJK punctuation, full-width forms
    return !!c && /[\u2E80-\u2FFF\u3000-\u303F\u3400-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/.test(c);
  }
  function unescape(s) { return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">"); }
  function escape(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // The page text as one string, with the character range of every Pagefind word: words are
  // separated by U+200B where Pagefind segmented the text (Chinese), else by white space.
  function pageText(raw) {
    var ranges = [], at = 0, text;
    if (raw.indexOf(ZWS) >= 0) {
      var words = raw.split(ZWS).map(unescape);
      words.forEach(function (w) { ranges.push([at, at + w.length]); at += w.length; });
      text = words.join("");
    } else {
      var space = /[\r\n\s]+/g, m;
      text = unescape(raw);
      while ((m = space.exec(text))) { ranges.push([at, m.index]); at = m.index + m[0].length; }
      ranges.push([at, text.length]);
    }
    return {text: text, ranges: ranges};
  }

  // Text ends a sentence (or, with soft, a clause) right before position p.
  function breakBefore(t, p, soft) {
    if (p <= 0) return true;
    var a = t[p - 1], b = t[p - 2] || "";
    if (STOP.indexOf(a) >= 0) return true;
    if (a === " " && (b === "." || STOP.indexOf(b) >= 0 || FULL_CLOSE.indexOf(b) >= 0)) return true;
    if (soft && (SOFT.indexOf(a) >= 0 || (a === " " && SOFT.indexOf(b) >= 0))) return true;
    return false;
  }

  // Text ends a sentence right at position q (a Pagefind block end, or 。！？；).
  function endsAt(t, q) {
    if (q >= t.length) return true;
    return STOP.indexOf(t[q - 1]) >= 0 || (t[q] === " " && (t[q - 1] === "." || FULL_CLOSE.indexOf(t[q - 1]) >= 0));
  }

  function locate(doc, plain, hits) {
    var best = -1, bestCount = -1, at = doc.text.indexOf(plain);
    while (at >= 0) {
      var count = hits.filter(function (h) { return h[0] >= at && h[1] <= at + plain.length; }).length;
      if (count > bestCount) { best = at; bestCount = count; }
      at = doc.text.indexOf(plain, at + 1);
    }
    return best;
  }

  // The window [a, b) of the page text, widened or narrowed to sentence and clause boundaries.
  function adjust(t, a, b, hits) {
    var inside = hits.filter(function (h) { return h[0] >= a && h[1] <= b; });
    var first = inside.length ? inside[0][0] : b, last = inside.length ? inside[inside.length - 1][1] : a;
    var lead = false, trail = false, p, q;
    if (a > 0) {
      for (p = a; p > 0 && a - p < BACK && !breakBefore(t, p, false); p--);
      if (breakBefore(t, p, false)) a = p;
      else {
        lead = true;
        for (p = a + 1; p <= Math.min(first, a + FWD) && !breakBefore(t, p, true); p++);
        if (p <= Math.min(first, a + FWD)) a = p;
      }
    }
    if (b < t.length) {
      for (q = b; q < t.length && q - b < FWD && !endsAt(t, q); q++);
      if (endsAt(t, q)) b = q;
      else {  // end at a clause instead ("…" takes the place of its comma, trimEdges drops it)
        trail = true;
        for (q = b; q < t.length && q - b < FWD && !breakBefore(t, q, true); q++);
        if (q - b < FWD && breakBefore(t, q, true)) b = q;
        else {
          for (q = b; q > last && b - q < BACK && !breakBefore(t, q, true); q--);
          if (q > last && q > a) { b = q; trail = !breakBefore(t, q, false); }
        }
      }
    }
    return enclose(t, {a: a, b: b, lead: lead, trail: trail});
  }

  // Widen the window to the opener of a bracket or quote it closes, and to the closer of one it
  // opens, when that is near (else balance() deals with it).
  function enclose(t, w) {
    var need = [], open = [], i, c;
    for (i = w.a; i < w.b; i++) {
      c = t[i];
      if (PAIRS[c]) open.push(c);
      else if (CLOSERS[c]) { if (open.length && open[open.length - 1] === CLOSERS[c]) open.pop(); else need.push(CLOSERS[c]); }
    }
    var inner = [];
    for (i = w.a - 1; need.length && i >= 0 && w.a - i <= 2 * BACK; i--) {
      c = t[i];
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
      if (PAIRS[c]) inner.push(c);
      else if (CLOSERS[c]) {
        if (inner.length && CLOSERS[c] === inner[inner.length - 1]) inner.pop();
        else if (CLOSERS[c] === open[open.length - 1]) { open.pop(); if (!open.length) { w.b = i + 1; w.trail = !endsAt(t, w.b); } }
        else break;
      }
    }
    return w;
  }

  // [{c, m}] characters with their "marked" flag, from Pagefind's excerpt HTML (fallback only).
  function parseExcerpt(html) {
    var units = [], marked = false;
    html.split(/(<\/?mark>)/).forEach(function (part) {
      if (part === "<mark>") marked = true;
      else if (part === "</mark>") marked = false;
      else Array.from(unescape(part)).forEach(function (c) { units.push({c: c, m: marked}); });
    });
    return units;
  }

  function nextSolid(units, i) {
    for (; i < units.length; i++) if (units[i].c !== " ") return units[i].c;
    return "";
  }

  // ". " between Chinese texts → "。"; no space after full-width punctuation.
  function punctuate(units) {
    var out = [];
    for (var i = 0; i < units.length; i++) {
      var u = units[i], prev = out.length ? out[out.length - 1].c : "";
      if (u.c === "." && prev && prev !== " " && (i + 1 === units.length || units[i + 1].c === " ")
          && (isCJK(prev) || isCJK(nextSolid(units, i + 1)))) {
        out.push({c: STOP.indexOf(prev) >= 0 || prev === "。" ? "" : "。", m: false});
        while (i + 1 < units.length && units[i + 1].c === " ") i++;
        continue;
      }
      if (u.c === " ") {
        var next = nextSolid(units, i), before = out.length > 1 ? out[out.length - 2].c : "";
        var afterPunct = FULL_PUNCT.indexOf(prev) >= 0;
        var afterClose = FULL_CLOSE.indexOf(prev) >= 0 && (isCJK(next) || /[0-9A-Za-z]/.test(next));
        if (next && (afterPunct || afterClose)) {
          // a block that ends with a closing bracket or quote: Pagefind left only a space
          if (afterClose && STOP.indexOf(before) < 0 && (FULL_PUNCT + "·").indexOf(next) < 0) out.push({c: "。", m: false});
          continue;
        }
      }
      out.push(u);
    }
    return out.filter(function (u) { return u.c !== ""; });
  }

  // Unmatched closers near the start are cut off; unmatched openers are closed after "…".
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
      else {  // open what the kept text closes, in order
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

  function dropTitle(units, title) {
    if (!title) return units;
    var text = units.map(function (u) { return u.c; }).join("");
    var t = title.replace(/\s+/g, " ").trim();
    if (text.indexOf(t) === 0 && text.length > t.length && "。 ：".indexOf(text[t.length]) >= 0) {
      var rest = trimEdges(units.slice(Array.from(t).length));
      if (rest.length && rest[0].c === "。") rest = rest.slice(1);
      return rest.length ? rest : units;
    }
    return units;
  }

  function serialize(units) {
    var html = "", open = false;
    units.forEach(function (u) {
      if (u.m !== open) { html += u.m ? "<mark>" : "</mark>"; open = u.m; }
      html += escape(u.c);
    });
    return open ? html + "</mark>" : html;
  }

  function tidyExcerpt(doc, excerpt, locations, title) {
    var parsed = parseExcerpt(excerpt);
    var plain = parsed.map(function (u) { return u.c; }).join("");
    var state = {lead: false, trail: false}, units = parsed;
    if (doc && plain) {
      var hits = (locations || []).map(function (w) { return doc.ranges[w]; }).filter(Boolean)
        .map(function (r) {  // a word's trailing space is not part of the hit
          var end = r[1];
          while (end > r[0] && /\s/.test(doc.text[end - 1])) end--;
          return [r[0], end];
        }).sort(function (x, y) { return x[0] - y[0]; });
      var at = locate(doc, plain, hits);
      if (at >= 0) {
        var w = adjust(doc.text, at, at + plain.length, hits);
        state.lead = w.lead; state.trail = w.trail;
        units = Array.from(doc.text.slice(w.a, w.b)).map(function (c) { return {c: c, m: false}; });
        // mark by character offsets (Array.from above keeps BMP text one unit per character)
        hits.forEach(function (h) {
          for (var i = Math.max(h[0], w.a); i < Math.min(h[1], w.b); i++) units[i - w.a].m = true;
        });
      }
    }
    units = trimEdges(punctuate(units));
    if (!state.lead) units = dropTitle(units, title);
    var b = balance(units, state);
    units = trimEdges(b.units);
    if (!units.length) return excerpt;
    if (state.trail && !b.suffix && STOP.indexOf(units[units.length - 1].c) >= 0) state.trail = false;
    return escape(b.prefix) + (state.lead ? "…" : "") + serialize(units) + (state.trail ? "…" : "") + escape(b.suffix);
  }

  function tidy(result) {
    try {
      var doc = typeof result.raw_content === "string" ? pageText(result.raw_content) : null;
      if (doc && doc.text.length !== Array.from(doc.text).length) doc = null;  // astral characters: keep Pagefind's
      var title = result.meta && result.meta.title;
      result.excerpt = tidyExcerpt(doc, result.excerpt || "", result.locations, title);
      (result.sub_results || []).forEach(function (sub) {
        sub.excerpt = tidyExcerpt(doc, sub.excerpt || "", sub.locations, sub.title);
      });
    } catch (e) {
      if (root.console) root.console.error(e);
    }
    return result;
  }

  root.siteSearch = {tidy: tidy, tidyExcerpt: tidyExcerpt, pageText: pageText};
})(window);
