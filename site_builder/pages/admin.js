/* site-builder's part of the editing app /admin/ (pages/admin.py): files written like `site-builder new`.
 *
 * window.SB_ADMIN (setup.js, generated from the content schema) says, per collection, the keys in the
 * schema's order and what each value is. For each collection a Decap format "sb-<collection>" reads a
 * file with js-yaml (core schema: a date stays the text 2025-03-06) and writes it back with the keys in
 * that order, dates as 2025-03-06, lists of words as [a, b], and empty optional keys left out, so that
 * `site-builder check` accepts it. A new file's name is the pinyin of its title or name (preSave).
 * Runs in the browser and, for the tests, in Node (module.exports).
 */
(function (root) {
  "use strict";
  var SB = root.SB_ADMIN;
  var jsyaml = root.jsyaml || (typeof require === "function" ? require("js-yaml") : null);

  // -- ids: commands/new.py slug() and new_id() ---------------------------------------------------
  var table = null;
  function readings() {
    if (!table) {
      table = Object.create(null);
      Object.keys(SB.pinyin).forEach(function (word) {
        Array.from(SB.pinyin[word]).forEach(function (ch) { table[ch] = word; });
      });
    }
    return table;
  }

  function cut(sid, limit) {
    if (sid.length <= limit) return sid;
    var head = sid.slice(0, limit);
    if (sid.charAt(limit) !== "-" && head.indexOf("-") >= 0) head = head.slice(0, head.lastIndexOf("-"));
    return head.replace(/^-+|-+$/g, "");
  }

  function slug(text, limit) {
    var t = readings(), words = [], run = "";
    function flush() {
      var plain = run.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
      (plain.match(/[a-z0-9]+/g) || []).forEach(function (w) { words.push(w); });
      run = "";
    }
    Array.from(String(text || "").normalize("NFKC")).forEach(function (ch) {
      if (t[ch]) { flush(); words.push(t[ch]); } else { run += ch; }
    });
    flush();
    return cut(words.join("-"), limit === undefined ? SB.slugMax : limit);
  }

  function first(value) {
    return Array.isArray(value) ? (value[0] || "") : (value || "");
  }

  function newId(kind, data) {
    var spec = SB.kinds[kind].id;
    var tail = slug(data[spec.from]) || spec.fallback;
    var room = SB.idMax - 4, base;
    var prefix = spec.prefix ? String(first(data[spec.prefix])) : "";
    if (prefix) {
      tail = cut(tail, Math.max(12, room - prefix.length - 1));
      base = cut(prefix, room - tail.length - 1) + "-" + tail;
    } else {
      base = cut(tail, room);
    }
    if (SB.reserved.indexOf(base) >= 0) base += "-2";
    return base;
  }

  // -- reading --------------------------------------------------------------------------------------
  function parseYaml(text) {
    var value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  }

  // The form's shape of a value read from a file: one-or-list → list, id-keyed mapping → list of {key, value}.
  function toForm(shape, value) {
    if (value === null || value === undefined || typeof shape !== "object") return value;
    if (shape.one_or_list) return Array.isArray(value) ? value : [value];
    if (shape.list) return Array.isArray(value) ? value.map(function (v) { return toForm(shape.list, v); }) : value;
    if (shape.dict) {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      return Object.keys(value).map(function (k) { return { key: k, value: toForm(shape.dict, value[k]) }; });
    }
    if (shape.record) {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      var out = {};
      Object.keys(value).forEach(function (k) {
        var field = shape.record.find(function (f) { return f[0] === k; });
        out[k] = field ? toForm(field[1], value[k]) : value[k];
      });
      return out;
    }
    return value;
  }

  function splitFrontMatter(text) {
    var m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(text);
    if (!m) return { meta: "", body: text };
    return { meta: m[1], body: m[2].replace(/^\s*\n/, "") };
  }

  // -- writing --------------------------------------------------------------------------------------
  function isEmpty(value) {
    if (value === null || value === undefined) return true;
    if (typeof value === "string") return value.trim() === "";
    if (Array.isArray(value)) return value.length === 0;
    if (typeof value === "object") return Object.keys(value).every(function (k) { return isEmpty(value[k]); });
    return false;
  }

  // A date as the schema wants it: 2025-03-06 (Decap may hand over a Date or a date-time).
  function asDate(value) {
    if (value instanceof Date && !isNaN(value)) {
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return value.getFullYear() + "-" + pad(value.getMonth() + 1) + "-" + pad(value.getDate());
    }
    var text = String(value).trim();
    var m = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
    return m ? m[1] : text;
  }

  // Strings that YAML 1.1 readers (and site-builder's strict reader) would take for something else.
  var YAML11 = /^(?:y|n|yes|no|on|off|true|false|null|~|[-+]?(?:\.inf|\.nan)|[-+]?[0-9][0-9_:.,eE+-]*)$/i;

  function Plain(text) { this.text = text; }  // written as it is (a date)

  function scalar(value) {
    if (value instanceof Plain) return value.text;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    var text = String(value);
    if (/^[^\s#:\-?\[\]{},&*!|>'"%@`][^#:\n\[\]{},]*$/.test(text) && text === text.trim() && !YAML11.test(text)) {
      try {
        if (jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) === text) return text;
      } catch (e) { /* quoted below */ }
    }
    return JSON.stringify(text);
  }

  // The value to write for `shape`, or undefined to leave the key out.
  function clean(shape, value) {
    if (isEmpty(value)) return undefined;
    if (shape === "date") {
      var date = asDate(value);
      return /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Plain(date) : date;
    }
    if (shape === "text") return typeof value === "string" ? value.replace(/\r\n?/g, "\n").trim() : value;
    if (shape === "number" || shape === "bool") return value;
    if (shape.one_or_list || shape.list) {
      var items = (Array.isArray(value) ? value : [value]).map(function (v) { return clean(shape.list || shape.one_or_list, v); })
        .filter(function (v) { return v !== undefined; });
      if (!items.length) return undefined;
      return shape.one_or_list && items.length === 1 ? items[0] : items;
    }
    if (shape.dict) {
      var map = {}, any = false;
      (Array.isArray(value) ? value : Object.keys(value).map(function (k) { return { key: k, value: value[k] }; }))
        .forEach(function (pair) {
          var v = clean(shape.dict, pair && pair.value);
          if (pair && !isEmpty(pair.key) && v !== undefined) { map[String(pair.key).trim()] = v; any = true; }
        });
      return any ? map : undefined;
    }
    if (shape.record) return record(shape.record, value);
    return value;
  }

  function Pairs(list) { this.list = list; }

  // The keys of a record in the schema's order; keys the schema does not know are kept, at the end,
  // for check to report (never dropped silently).
  function record(fields, value) {
    var out = [], known = {};
    if (typeof value !== "object" || Array.isArray(value)) return value;
    fields.forEach(function (f) {
      known[f[0]] = true;
      var v = clean(f[1], value[f[0]]);
      if (v !== undefined) out.push([f[0], v]);
    });
    Object.keys(value).forEach(function (k) {
      if (!known[k] && k !== "sb_id" && k !== "body" && !isEmpty(value[k])) out.push([k, value[k]]);
    });
    return out.length ? new Pairs(out) : undefined;
  }

  function isScalar(v) {
    return v === null || typeof v !== "object" || v instanceof Plain;
  }

  // YAML text of a record: block style, two spaces a level; lists of short words in brackets.
  function emit(pairs, indent) {
    var pad = "  ".repeat(indent), text = "";
    pairs.list.forEach(function (p) {
      var key = p[0], value = p[1];
      if (value instanceof Pairs) {
        text += pad + key + ":\n" + emit(value, indent + 1);
      } else if (Array.isArray(value) && value.every(isScalar) && value.map(scalar).join(", ").length <= 60) {
        text += pad + key + ": [" + value.map(scalar).join(", ") + "]\n";
      } else if (Array.isArray(value)) {
        text += pad + key + ":\n";
        value.forEach(function (item) {
          if (item instanceof Pairs) {
            var lines = emit(item, 0).replace(/\n$/, "").split("\n");
            text += lines.map(function (l, i) { return pad + (i ? "    " : "  - ") + l; }).join("\n") + "\n";
          } else {
            text += pad + "  - " + scalar(item) + "\n";
          }
        });
      } else if (value && typeof value === "object" && !(value instanceof Plain)) {
        text += pad + key + ":\n" + Object.keys(value).map(function (k) {
          return pad + "  " + scalar(k) + ": " + scalar(value[k]) + "\n";
        }).join("");
      } else {
        text += pad + key + ": " + scalar(value) + "\n";
      }
    });
    return text;
  }

  function plain(data) {
    return data && typeof data.toJS === "function" ? data.toJS() : data;
  }

  function formatter(kind) {
    var spec = SB.kinds[kind];
    var shape = spec.fields;  // {record: [[key, shape], ...]}
    return {
      fromFile: function (text) {
        if (spec.ext === "md") {
          var parts = splitFrontMatter(text);
          var meta = toForm(shape, parseYaml(parts.meta));
          meta.body = parts.body;
          return meta;
        }
        return toForm(shape, parseYaml(text));
      },
      toFile: function (data) {
        data = plain(data) || {};
        var yaml = emit(record(shape.record, data) || new Pairs([]), 0);
        if (spec.ext === "md") {
          var body = String(data.body || "").replace(/\r\n?/g, "\n").trim();
          return "---\n" + yaml + "---\n\n" + body + "\n";
        }
        return yaml;
      },
    };
  }

  var api = { slug: slug, newId: newId, formatter: formatter, asDate: asDate, scalar: scalar };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
    return;
  }
  root.SB = api;

  // -- the CMS ------------------------------------------------------------------------------------
  var CMS = root.CMS;
  Object.keys(SB.kinds).forEach(function (kind) {
    CMS.registerCustomFormat("sb-" + kind, SB.kinds[kind].ext, formatter(kind));
  });
  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {  // Decap 3 calls it with {entry, author}
      var entry = event.entry, kind = entry.get("collection"), data = entry.get("data");
      if (!SB.kinds[kind] || !entry.get("newRecord")) return data;
      return data.set("sb_id", newId(kind, data.toJS()));
    },
  });
  CMS.registerPreviewStyle(SB.previewStyle);
  CMS.init();
})(typeof window !== "undefined" ? window : globalThis);
