// Full-text search over the index `yilu build` writes next to this page (search/*.js: JSON
// wrapped in a yiluSearchData call, so it loads from disk over file:// too).
// No dependencies, nothing remote. The tokenizer and the shard hash mirror
// src/search/tokenize.rs: change both together.
(function () {
  "use strict";

  // ---- Tokenizer (keep in sync with src/search/tokenize.rs) ----

  // Full-width ASCII to ASCII, ideographic space to space, ASCII to lower case. Every change is
  // one UTF-16 unit for one, so offsets in the folded text are offsets in the original.
  function foldText(s) {
    return s
      .replace(/[\uff01-\uff5e]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      })
      .replace(/\u3000/g, " ")
      .replace(/[A-Z]+/g, function (c) {
        return c.toLowerCase();
      });
  }

  function isHan(cp) {
    return (
      cp === 0x3007 ||
      (cp >= 0x3400 && cp <= 0x4dbf) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0x20000 && cp <= 0x3134f)
    );
  }

  function isWordChar(c) {
    return (c >= "a" && c <= "z") || (c >= "0" && c <= "9");
  }

  function isDigit(c) {
    return c !== undefined && c >= "0" && c <= "9";
  }

  // Han text as overlapping bigrams (a lone Han character as itself), ASCII words and numbers
  // whole (a "." between digits included), everything else a separator.
  function tokenize(text) {
    var chars = Array.from(foldText(text));
    var out = [];
    var prev = null;
    var run = 0;
    var word = "";
    function endHan() {
      if (run === 1) out.push(prev);
      prev = null;
      run = 0;
    }
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (isHan(c.codePointAt(0))) {
        if (word) {
          out.push(word);
          word = "";
        }
        if (prev !== null) out.push(prev + c);
        prev = c;
        run++;
        continue;
      }
      endHan();
      var inNumber = c === "." && isDigit(word[word.length - 1]) && isDigit(chars[i + 1]);
      if (isWordChar(c) || inNumber) {
        word += c;
      } else if (word) {
        out.push(word);
        word = "";
      }
    }
    endHan();
    if (word) out.push(word);
    return out;
  }

  // Per code point: xor, multiply, fold the high bits down (src/search/tokenize.rs `mix`).
  function tokenHash(token) {
    var h = 0x811c9dc5;
    for (var ch of token) {
      h = Math.imul(h ^ ch.codePointAt(0), 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  // Query terms: separated by white space, folded, trimmed of edge punctuation.
  function queryTerms(query) {
    return foldText(query)
      .split(/\s+/)
      .map(function (t) {
        return t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      })
      .filter(Boolean);
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { tokenize: tokenize, tokenHash: tokenHash, queryTerms: queryTerms };
  }
  if (typeof document === "undefined") return;

  // ---- Index access ----

  var PAGE = 20; // results added per step
  var BATCH = 24; // candidates verified per fetch round (each may fetch a doc shard)
  var WEIGHTS = { title: 16, speaker: 4, org: 4, meeting: 2, body: 1 };
  var FIELDS = ["title", "speaker", "org", "meeting", "body"];
  var has = Object.prototype.hasOwnProperty;
  var cache = {};

  // Index files sit beside the page (search/index.html), so plain relative names work under any
  // base path. Each is a script, `yiluSearchData("idx-05", {…})`, loaded with a <script>
  // element rather than fetch(): that works over http(s) and from disk (file://) alike.
  var waiting = {};
  window.yiluSearchData = function (name, data) {
    var w = waiting[name];
    if (w) {
      delete waiting[name];
      w(data);
    }
  };
  function getJSON(file) {
    var name = file.replace(/\.json$/, "");
    if (!cache[name]) {
      cache[name] = new Promise(function (resolve, reject) {
        waiting[name] = resolve;
        var script = document.createElement("script");
        script.src = name + ".js";
        script.async = true;
        script.onerror = function () {
          delete waiting[name];
          reject(new Error(name + ".js could not be loaded"));
        };
        script.onload = function () {
          script.remove();
          if (waiting[name]) {
            delete waiting[name];
            reject(new Error(name + ".js held no index data"));
          }
        };
        document.head.appendChild(script);
      });
      cache[name].catch(function () {
        delete cache[name];
      });
    }
    return cache[name];
  }

  function decodePostings(text, bodyMask) {
    var out = new Map();
    var id = 0;
    text.split(",").forEach(function (entry) {
      var dot = entry.indexOf(".");
      id += parseInt(dot < 0 ? entry : entry.slice(0, dot), 36);
      out.set(id, dot < 0 ? bodyMask : parseInt(entry.slice(dot + 1), 36));
    });
    return out;
  }

  // Doc ids whose fields hold every token, with the fields all of them share (a hint for order;
  // the fetched text decides).
  async function candidates(meta, tokens) {
    var lists = await Promise.all(
      tokens.map(function (tok) {
        var shard = (tokenHash(tok) % meta.shards).toString(16).padStart(2, "0");
        return getJSON("idx-" + shard + ".json").then(function (idx) {
          return has.call(idx, tok) ? decodePostings(idx[tok], meta.fields.body) : new Map();
        });
      })
    );
    lists.sort(function (a, b) {
      return a.size - b.size;
    });
    var result = [];
    lists[0].forEach(function (mask, id) {
      for (var i = 1; i < lists.length; i++) {
        if (!lists[i].has(id)) return;
        mask &= lists[i].get(id);
      }
      var hint = 0;
      FIELDS.forEach(function (f) {
        if (mask & meta.fields[f]) hint += WEIGHTS[f];
      });
      result.push({ id: id, hint: hint });
    });
    result.sort(function (a, b) {
      return b.hint - a.hint || a.id - b.id;
    });
    return result;
  }

  // Score of a fetched doc: per term, the weight of the best field holding it; 0 if any term is
  // missing everywhere (the bigrams matched but the phrase does not occur).
  function score(doc, terms) {
    var folded = {};
    FIELDS.forEach(function (f) {
      folded[f] = foldText(doc[f] || "");
    });
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var best = 0;
      FIELDS.forEach(function (f) {
        if (WEIGHTS[f] > best && folded[f].indexOf(terms[i]) >= 0) best = WEIGHTS[f];
      });
      if (!best) return 0;
      total += best;
    }
    return total;
  }

  // ---- Page ----

  var form = document.querySelector("form[role=search]");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  if (!form || !input || !status || !list) return;
  var relative = list.hasAttribute("data-relative");
  var generation = 0;
  var state = null;

  function href(path) {
    return "../" + path + (relative ? "index.html" : "");
  }

  // Appends `text` to `parent`, each occurrence of a term wrapped in <mark>.
  function appendMarked(parent, text, terms) {
    var folded = foldText(text);
    var at = 0;
    while (at < text.length) {
      var best = -1;
      var len = 0;
      terms.forEach(function (t) {
        var i = folded.indexOf(t, at);
        if (i >= 0 && (best < 0 || i < best || (i === best && t.length > len))) {
          best = i;
          len = t.length;
        }
      });
      if (best < 0) break;
      if (best > at) parent.appendChild(document.createTextNode(text.slice(at, best)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(best, best + len);
      parent.appendChild(mark);
      at = best + len;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  // About 80 characters of the body around the first match.
  function snippet(body, terms) {
    var folded = foldText(body);
    var first = -1;
    terms.forEach(function (t) {
      var i = folded.indexOf(t);
      if (i >= 0 && (first < 0 || i < first)) first = i;
    });
    var start = Math.max(0, first - 25);
    var end = Math.min(body.length, start + 80);
    start = Math.max(0, Math.min(start, end - 80));
    if (start > 0 && /[\udc00-\udfff]/.test(body[start])) start--;
    if (end < body.length && /[\udc00-\udfff]/.test(body[end])) end++;
    var text = body.slice(start, end).replace(/\s+/g, " ");
    return (start > 0 ? "…" : "") + text + (end < body.length ? "…" : "");
  }

  function renderResult(hit, terms) {
    var doc = hit.doc;
    var li = document.createElement("li");
    li.className = "result";
    var a = document.createElement("a");
    a.className = "result-title";
    a.href = href(doc.path);
    appendMarked(a, doc.title || doc.path, terms);
    li.appendChild(a);
    var meta = document.createElement("p");
    meta.className = "meta";
    var time = document.createElement("time");
    time.dateTime = doc.date;
    time.textContent = doc.date;
    meta.appendChild(time);
    [doc.org, doc.speaker].forEach(function (s) {
      if (!s) return;
      meta.appendChild(document.createTextNode(" · "));
      appendMarked(meta, s, terms);
    });
    li.appendChild(meta);
    if (doc.body) {
      var p = document.createElement("p");
      p.className = "snippet";
      appendMarked(p, snippet(doc.body, terms), terms);
      li.appendChild(p);
    }
    return li;
  }

  function setStatus(text) {
    status.textContent = text;
  }

  // The status messages: the site's language's, which the page carries as JSON
  // (#search-messages) when they are not these; `{name}` is filled from `args`, and a message
  // with plural forms ({one, other}) is chosen by `args.count`.
  var MESSAGES = {
    none: "没有找到“{query}”。",
    single_char: "单个汉字请与前后的字一起搜索，如“渝”→“成渝”。",
    found: "找到 {count} 篇发言",
    showing: "，显示前 {shown} 篇",
    end: "。",
    at_least: "找到至少 {count} 篇发言，显示前 {shown} 篇。",
    searching: "正在搜索……",
    failed: "搜索索引加载失败（{error}）。"
  };
  var custom = document.getElementById("search-messages");
  if (custom) {
    try {
      var given = JSON.parse(custom.textContent);
      Object.keys(given).forEach(function (k) {
        MESSAGES[k] = given[k];
      });
    } catch (e) {
      // Malformed messages: the built-in ones stay.
    }
  }

  function msg(key, args) {
    var text = MESSAGES[key];
    if (text && typeof text === "object") {
      text = args && args.count === 1 && text.one ? text.one : text.other;
    }
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return args && Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : all;
    });
  }

  // Verifies candidates batch by batch until `want` results are known or none are left.
  async function fill(s, want) {
    while (s.found.length < want && s.next < s.cands.length) {
      var batch = s.cands.slice(s.next, s.next + BATCH);
      s.next += batch.length;
      var shards = {};
      batch.forEach(function (c) {
        shards[Math.floor(c.id / s.meta.docs_per_shard)] = true;
      });
      var loaded = {};
      await Promise.all(
        Object.keys(shards).map(function (n) {
          return getJSON("docs-" + n + ".json").then(function (docs) {
            loaded[n] = docs;
          });
        })
      );
      if (s.gen !== generation) return;
      batch.forEach(function (c) {
        var per = s.meta.docs_per_shard;
        var doc = loaded[Math.floor(c.id / per)][c.id % per];
        var sc = doc ? score(doc, s.terms) : 0;
        if (sc > 0) s.found.push({ id: c.id, score: sc, doc: doc });
      });
    }
    // Rank what is not on screen yet; shown results keep their places.
    var rest = s.found.splice(s.shown);
    rest.sort(function (a, b) {
      return b.score - a.score || a.id - b.id;
    });
    s.found = s.found.concat(rest);
  }

  function show(s) {
    var firstNew = null;
    for (var i = s.shown; i < Math.min(s.found.length, s.want); i++) {
      var li = renderResult(s.found[i], s.terms);
      if (!firstNew) firstNew = li;
      list.appendChild(li);
    }
    s.shown = list.children.length;
    var done = s.next >= s.cands.length;
    if (s.found.length === 0 && done) {
      // The index holds bigrams: a single character is only found where it stands alone.
      var single = s.terms.some(function (t) {
        return Array.from(t).length === 1 && isHan(t.codePointAt(0));
      });
      setStatus(msg("none", { query: s.query }) + (single ? msg("single_char") : ""));
    } else if (done || s.exact) {
      var total = done ? s.found.length : s.cands.length;
      setStatus(
        msg("found", { count: total }) +
          (s.shown < total ? msg("showing", { shown: s.shown }) : "") +
          msg("end")
      );
    } else {
      setStatus(msg("at_least", { count: s.found.length, shown: s.shown }));
    }
    if (more) more.hidden = s.shown >= s.found.length && done;
    return firstNew;
  }

  async function search(query) {
    var gen = ++generation;
    list.textContent = "";
    if (more) more.hidden = true;
    var terms = queryTerms(query);
    if (!terms.length) {
      setStatus("");
      state = null;
      return;
    }
    var tokens = [];
    terms.forEach(function (t) {
      tokenize(t).forEach(function (tok) {
        if (tokens.indexOf(tok) < 0) tokens.push(tok);
      });
    });
    if (!tokens.length) {
      setStatus(msg("none", { query: query.trim() }));
      return;
    }
    setStatus(msg("searching"));
    try {
      var meta = await getJSON("meta.json");
      var cands = await candidates(meta, tokens);
      if (gen !== generation) return;
      var s = {
        gen: gen,
        query: query.trim(),
        terms: terms,
        meta: meta,
        cands: cands,
        next: 0,
        found: [],
        shown: 0,
        want: PAGE,
        // One term of one token: every candidate holds the phrase, so the count is exact.
        exact: terms.length === 1 && tokens.length === 1
      };
      state = s;
      await fill(s, s.want);
      if (gen !== generation) return;
      show(s);
    } catch (e) {
      if (gen !== generation) return;
      setStatus(msg("failed", { error: e.message }));
    }
  }

  function setQueryInUrl(query) {
    var url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    setQueryInUrl(input.value.trim());
    search(input.value);
  });
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      setQueryInUrl(input.value.trim());
      search(input.value);
    }, 250);
  });
  if (more) {
    more.addEventListener("click", async function () {
      var s = state;
      if (!s) return;
      s.want += PAGE;
      await fill(s, s.want);
      if (s !== state) return;
      var first = show(s);
      var link = first && first.querySelector("a");
      if (link) link.focus();
    });
  }

  var initial = new URLSearchParams(location.search).get("q") || "";
  if (initial) {
    input.value = initial;
    search(initial);
  }
})();
