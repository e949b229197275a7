// echotrace report. Data arrives gzip+base64 in one block; every article-derived string reaches the
// page through textContent or a attribute set with setAttribute (never innerHTML); hrefs are
// only "#…" or http(s) URLs.
"use strict";
(function () {
  let D = null;             // the report data
  const IDX = {};           // indexes built once from D
  const SVG = "http://www.w3.org/2000/svg";

  // ---------- small DOM helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.setAttribute("class", value);
      else if (key === "href") node.setAttribute("href", safeHref(value));
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
  }
  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
  }
  function safeHref(value) {
    const text = String(value);
    return text.startsWith("#") || /^https?:\/\//i.test(text) ? text : "#";
  }
  function route(...parts) { return "#" + parts.map((p) => encodeURIComponent(String(p))).join("/"); }
  function day(value) { return value ? String(value).slice(0, 10) : "—"; }
  function month(value) { return value ? String(value).slice(0, 7) : null; }
  function fmtScore(x) { return x === null || x === undefined ? "—" : Number(x).toFixed(2); }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function table(headers, rows, attrs) {
    const head = el("tr", {}, headers.map((h) => el("th", {}, h)));
    const body = rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))));
    return el("table", attrs || {}, el("thead", {}, head), el("tbody", {}, body));
  }
  function limited(rows, limit, what) {
    return rows.length > limit ? el("p", { class: "muted" }, "Showing " + limit + " of " + rows.length + " " + what + ".") : null;
  }
  function add(node, ...children) { append(node, children); }  // like Element.append, skipping null
  function fill(node, ...children) {
    node.replaceChildren();
    append(node, children);
  }
  function section(id) {
    const root = document.getElementById(id);
    root.replaceChildren();
    return root;
  }

  // ---------- tooltip ----------
  const tip = () => document.getElementById("tip");
  function hover(node, text) {
    node.addEventListener("mousemove", (ev) => {
      const t = tip();
      t.textContent = text;
      t.style.display = "block";
      t.style.left = ev.pageX + 12 + "px";
      t.style.top = ev.pageY + 12 + "px";
    });
    node.addEventListener("mouseleave", () => { tip().style.display = "none"; });
    return node;
  }

  // ---------- articles ----------
  function art(i) { return D.articles[i]; }
  function text(i) { return D.texts[i]; }
  function slice(i, start, end) { return text(i).slice(start, end); }
  function label(i) {
    const a = art(i);
    return a.title || text(i).slice(0, 80) || a.doc_id;
  }
  // Paragraph spans [start, end, lang], clipped to the text kept in the report.
  function paras(i) {
    const a = art(i), t = text(i), out = [];
    for (let k = 0; k + 1 < a.p.length; k += 2) {
      if (a.p[k] < t.length) out.push([a.p[k], Math.min(a.p[k + 1], t.length), a.pl ? a.pl[k / 2] : a.language]);
    }
    return out.length ? out : [[0, t.length, a.language]];
  }
  function outletOf(i) { return art(i).outlet || "(unknown)"; }
  function when(i) { return art(i).published || art(i).crawled; }
  function byDate(x, y) {
    const a = when(x) || "9999", b = when(y) || "9999";
    return a < b ? -1 : a > b ? 1 : art(x).doc_id < art(y).doc_id ? -1 : 1;
  }
  function docLink(i, text, start, end) {
    const hl = start !== undefined && start !== null ? [start + "-" + end] : [];
    return el("a", { class: "doc", href: route("article", art(i).doc_id, ...hl) }, text || label(i));
  }
  function evidenceLink(i, start, end, cls) {
    const inText = end <= text(i).length;
    return el("a", { class: "doc " + (cls || ""), href: route("article", art(i).doc_id, start + "-" + end) },
      inText ? slice(i, start, end) : "(passage beyond the excerpt kept in this report)");
  }
  function matchEvidence(m, cls) {
    // m[5]: the passage's own text when it sits in a removed block (the page's related headlines)
    if (m.length > 5) return el("span", { class: cls || "" }, m[5], el("span", { class: "muted" }, " (in the page's related headlines, removed from the text)"));
    return evidenceLink(m[1], m[2], m[3], cls);
  }
  function dateCell(i) {
    const a = art(i);
    if (a.published) return day(a.published) + (a.date_kind && a.date_kind !== "published" ? " (" + a.date_kind + ")" : "");
    return a.crawled ? day(a.crawled) + " (crawled)" : "—";
  }

  function buildIndexes() {
    let doc = -1, start = 0;  // mentions arrive as [doc, start delta within the doc, length, entity]
    D.mentions = D.mentions.map(([d, ds, len, e]) => {
      start = d === doc ? start + ds : ds;
      doc = d;
      return [d, start, start + len, e];
    });
    IDX.byId = new Map(D.articles.map((a, i) => [a.doc_id, i]));
    const perDoc = () => D.articles.map(() => []);
    IDX.mentions = perDoc(); IDX.quotes = perDoc(); IDX.matches = perDoc();
    IDX.spans = perDoc(); IDX.links = perDoc(); IDX.boiler = perDoc(); IDX.chains = perDoc();
    for (const m of D.mentions) IDX.mentions[m[0]].push(m);
    for (const q of D.quotes) IDX.quotes[q[0]].push(q);
    for (const m of D.matches) IDX.matches[m[1]].push(m);
    for (const s of D.spans) { IDX.spans[s[0]].push(s); if (s[3] !== s[0]) IDX.spans[s[3]].push(s); }
    for (const l of D.links) { IDX.links[l[0]].push(l); IDX.links[l[1]].push(l); }
    for (const b of D.boilerplate_rows) IDX.boiler[b[0]].push(b);
    IDX.chainSteps = new Map();
    for (const p of D.provenance) {
      if (!IDX.chainSteps.has(p.chain)) IDX.chainSteps.set(p.chain, []);
      IDX.chainSteps.get(p.chain).push(p);
      if (!IDX.chains[p.doc].includes(p.chain)) IDX.chains[p.doc].push(p.chain);
    }
    IDX.storyMembers = new Map();
    D.articles.forEach((a, i) => {
      if (!a.story_id) return;
      if (!IDX.storyMembers.has(a.story_id)) IDX.storyMembers.set(a.story_id, []);
      IDX.storyMembers.get(a.story_id).push(i);
    });
    IDX.groupQuotes = D.groups.map(() => []);
    for (const q of D.quotes) if (q[3] !== null) IDX.groupQuotes[q[3]].push(q);
    IDX.entityMentions = D.entities.map(() => []);
    for (const m of D.mentions) IDX.entityMentions[m[3]].push(m);
    IDX.entityById = new Map(D.entities.map((e, i) => [e.entity_id, i]));
    IDX.narrativeById = new Map(D.narratives.map((n, i) => [n.narrative_id, i]));
    IDX.narrativeMatches = D.narratives.map(() => []);
    for (const m of D.matches) IDX.narrativeMatches[m[0]].push(m);
    IDX.excerpted = new Set(D.excerpted);
  }

  // ---------- charts ----------
  // A zoomable time histogram: drag across bars to zoom, double-click or "reset" to zoom out.
  function timeline(times, opts) {
    const box = el("div", { class: "chart", id: opts.id });
    const W = 900, H = 170, PAD = 28;
    const all = times.filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
    const state = { lo: all[0], hi: all[all.length - 1] };
    const info = el("div", { class: "chart-info muted" });
    const reset = el("button", { type: "button", class: "reset", onclick: () => { state.lo = all[0]; state.hi = all[all.length - 1]; draw(); } }, "reset zoom");
    add(box, el("div", { class: "chart-bar" }, reset, info));
    const canvas = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "timeline", role: "img", "aria-label": opts.title || "timeline" });
    box.appendChild(canvas);
    if (!all.length) { info.textContent = "no dated articles"; return box; }
    const DAY = 86400000;
    function unitFor(span) { return span <= 120 * DAY ? "day" : span <= 2 * 366 * DAY ? "week" : "month"; }
    function binStart(t, unit) {
      const d = new Date(t);
      if (unit === "day") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      if (unit === "week") { const s = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); return s - ((d.getUTCDay() + 6) % 7) * DAY; }
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
    function next(t, unit) {
      if (unit === "day") return t + DAY;
      if (unit === "week") return t + 7 * DAY;
      const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
    function binLabel(t, unit) {
      const iso = new Date(t).toISOString();
      return unit === "month" ? iso.slice(0, 7) : unit === "week" ? "week of " + iso.slice(0, 10) : iso.slice(0, 10);
    }
    let dragFrom = null, bins = [], x0 = PAD, bw = 1;
    function draw() {
      canvas.replaceChildren();
      const unit = unitFor(state.hi - state.lo);
      const first = binStart(state.lo, unit), last = binStart(state.hi, unit);
      bins = [];
      for (let t = first; t <= last; t = next(t, unit)) bins.push({ t, n: 0 });
      const pos = new Map(bins.map((b, k) => [b.t, k]));
      let shown = 0;
      for (const t of all) {
        if (t < first || t >= next(last, unit)) continue;
        const k = pos.get(binStart(t, unit));
        if (k !== undefined) { bins[k].n += 1; shown += 1; }
      }
      const max = Math.max(1, ...bins.map((b) => b.n));
      bw = (W - 2 * PAD) / bins.length;
      canvas.appendChild(svg("line", { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: "axis" }));
      bins.forEach((b, k) => {
        const h = (b.n / max) * (H - 2 * PAD);
        const rect = svg("rect", { x: x0 + k * bw + 0.5, y: H - PAD - h, width: Math.max(1, bw - 1), height: Math.max(h, b.n ? 1 : 0), class: "bar", "data-n": b.n });
        const tipText = binLabel(b.t, unit) + ": " + plural(b.n, "article");
        rect.appendChild(svg("title", {}, tipText));
        hover(rect, tipText);
        canvas.appendChild(rect);
      });
      canvas.appendChild(svg("text", { x: PAD, y: H - 8, class: "tick" }, binLabel(first, unit)));
      canvas.appendChild(svg("text", { x: W - PAD, y: H - 8, class: "tick", "text-anchor": "end" }, binLabel(last, unit)));
      canvas.appendChild(svg("text", { x: PAD, y: 14, class: "tick" }, "max " + max + " per " + unit));
      info.textContent = shown + " dated articles shown · " + bins.length + " " + unit + " bins · drag across bars to zoom";
    }
    function binAt(ev) {
      const r = canvas.getBoundingClientRect();
      const x = ((ev.clientX - r.left) / r.width) * W;
      return Math.min(bins.length - 1, Math.max(0, Math.floor((x - x0) / bw)));
    }
    canvas.addEventListener("mousedown", (ev) => { dragFrom = binAt(ev); ev.preventDefault(); });
    canvas.addEventListener("mouseup", (ev) => {
      if (dragFrom === null) return;
      const to = binAt(ev), a = Math.min(dragFrom, to), b = Math.max(dragFrom, to);
      dragFrom = null;
      const unit = unitFor(state.hi - state.lo);
      const lo = bins[a].t, hi = next(bins[b].t, unit) - 1;
      if (all.some((t) => t >= lo && t <= hi)) { state.lo = lo; state.hi = hi; draw(); }
    });
    canvas.addEventListener("dblclick", () => { state.lo = all[0]; state.hi = all[all.length - 1]; draw(); });
    draw();
    return box;
  }

  function countBy(items, key) {
    const m = new Map();
    for (const it of items) { const k = key(it); m.set(k, (m.get(k) || 0) + 1); }
    return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }
  function barTable(headers, entries, limit) {
    const max = Math.max(1, ...entries.map((e) => e[1]));
    const rows = entries.slice(0, limit || 1000).map(([k, n]) => {
      const bar = el("span", { class: "hbar" });
      bar.style.width = Math.max(2, Math.round((n / max) * 160)) + "px";
      return [k, el("span", { class: "barcell" }, hover(bar, k + ": " + n), " " + n)];
    });
    return [table(headers, rows), limited(entries, limit || 1000, headers[0] + "s")];
  }

  // ---------- overview ----------
  function renderOverview() {
    const root = section("overview");
    const t = D.status.tables;
    const multi = D.stories.filter((s) => s.n > 1).length;
    const echoed = D.groups.filter((g) => g.n_docs > 1).length;
    const matchedNarr = D.narratives.filter((_, k) => IDX.narrativeMatches[k].length).length;
    const cards = [["articles", t.articles], ["outlets", D.status.outlets.length], ["languages", D.status.languages.length],
      ["stories (2+ articles)", multi], ["quotes", t.quotes], ["quotes echoed across articles", echoed],
      ["narratives found", matchedNarr + " / " + D.narratives.length], ["entities", t.entities],
      ["article links", t.doc_links], ["skipped inputs", t.skipped]];
    add(root, el("div", { class: "cards" }, cards.map(([k, v]) => el("div", { class: "card" }, el("b", {}, v), k))));
    const [first, last] = D.status.date_range;
    add(root, el("p", { class: "muted" }, "Published " + day(first) + " … " + day(last)));
    add(root, el("h2", {}, "Articles over time"));
    add(root, timeline(D.articles.filter((a) => a.published).map((a) => Date.parse(a.published + "Z")), { id: "overview-timeline", title: "articles over time" }));
    const grid = el("div", { class: "grid" });
    add(grid, el("div", {}, el("h2", {}, "Outlets"), barTable(["outlet", "articles"], D.status.outlets, 50)));
    add(grid, el("div", {}, el("h2", {}, "Languages"), barTable(["language", "articles"], D.status.languages)));
    add(grid, el("div", {}, el("h2", {}, "Date kinds"), barTable(["kind", "articles"], D.status.date_kinds)));
    add(root, grid);
  }

  // ---------- stories ----------
  function storyFacts(id) {
    const members = (IDX.storyMembers.get(id) || []).slice().sort(byDate);
    const outlets = new Set(members.map(outletOf));
    const langs = new Set(members.map((i) => art(i).language));
    return { members, outlets, langs, first: members[0] };
  }
  function renderStories() {
    const root = section("stories");
    add(root, el("h2", {}, "Stories"), el("p", { class: "muted" }, "Articles grouped by the event they report, largest first."));
    const filter = el("input", { type: "search", placeholder: "Filter stories by label", id: "story-filter" });
    const holder = el("div");
    add(root, el("div", { class: "filters" }, filter), holder);
    const facts = D.stories.map((s) => [s, storyFacts(s.story_id)]);
    function refresh() {
      const q = filter.value.trim().toLowerCase();
      const list = facts.filter(([s]) => !q || (s.label || "").toLowerCase().includes(q));
      fill(holder, table(["story", "articles", "outlets", "languages", "first appearance"],
        list.slice(0, 300).map(([s, f]) => [
          el("a", { class: "story", href: route("story", s.story_id) }, s.label || s.story_id),
          f.members.length, f.outlets.size, [...f.langs].join(" "),
          f.first === undefined ? "—" : el("span", {}, dateCell(f.first) + " · " + outletOf(f.first))]), { id: "story-table" }),
      limited(list, 300, "stories"));
    }
    filter.addEventListener("input", refresh);
    refresh();
  }

  function renderStory(id) {
    const root = section("story");
    const s = D.stories.find((x) => x.story_id === id);
    if (!s) { add(root, el("p", {}, "No story " + id)); return; }
    const f = storyFacts(id);
    add(root, el("p", {}, el("a", { href: "#stories" }, "← all stories")));
    add(root, el("h2", {}, s.label || id));
    add(root, el("p", { class: "muted" }, plural(f.members.length, "article") + " · " + plural(f.outlets.size, "outlet") + " · languages " + [...f.langs].join(", ")));
    add(root, el("h3", {}, "Timeline"), storyTimeline(f.members));
    add(root, el("h3", {}, "Articles"), table(["date", "outlet", "lang", "article"],
      f.members.map((i, k) => [el("span", {}, dateCell(i), k === 0 ? el("b", { class: "badge" }, "first") : null), outletOf(i), art(i).language, docLink(i)])));
    const chains = [...new Set(f.members.flatMap((i) => IDX.chains[i]))].sort();
    add(root, el("h3", {}, "Provenance"));
    if (!chains.length) add(root, el("p", { class: "muted" }, "No republication chain involves these articles."));
    for (const chain of chains) add(root, chainView(chain));
    const memberSet = new Set(f.members);
    const links = D.links.filter((l) => memberSet.has(l[0]) && memberSet.has(l[1]));
    if (links.length) add(root, el("h3", {}, "Links between these articles"), linkTable(links, null));
  }

  function storyTimeline(members) {
    const dated = members.filter((i) => when(i));
    const outlets = [...new Set(dated.map(outletOf))];
    const W = 900, ROW = 26, LEFT = 180, H = 30 + ROW * Math.max(1, outlets.length);
    const canvas = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "story-timeline", role: "img", "aria-label": "story timeline" });
    if (!dated.length) return el("p", { class: "muted" }, "No dated articles.");
    const ts = dated.map((i) => Date.parse(when(i) + "Z"));
    const lo = Math.min(...ts), hi = Math.max(...ts), span = Math.max(hi - lo, 3600000);
    outlets.forEach((o, r) => canvas.appendChild(svg("text", { x: 4, y: 20 + r * ROW + 4, class: "tick" }, o.length > 26 ? o.slice(0, 25) + "…" : o)));
    dated.forEach((i, k) => {
      const x = LEFT + ((ts[k] - lo) / span) * (W - LEFT - 20);
      const y = 20 + outlets.indexOf(outletOf(i)) * ROW;
      const dot = svg("circle", { cx: x, cy: y, r: 6, class: "dot" + (k === 0 ? " first" : "") });
      const tt = dateCell(i) + " · " + outletOf(i) + " · " + label(i);
      dot.appendChild(svg("title", {}, tt));
      hover(dot, tt);
      const a = svg("a", { href: route("article", art(i).doc_id) }, dot);
      canvas.appendChild(a);
    });
    canvas.appendChild(svg("text", { x: LEFT, y: H - 4, class: "tick" }, new Date(lo).toISOString().slice(0, 16).replace("T", " ")));
    canvas.appendChild(svg("text", { x: W - 20, y: H - 4, class: "tick", "text-anchor": "end" }, new Date(hi).toISOString().slice(0, 16).replace("T", " ")));
    return canvas;
  }

  function chainView(chain) {
    const steps = IDX.chainSteps.get(chain) || [];
    if (!steps.length) return null;
    const root = steps[0];
    const box = el("div", { class: "chain" });
    add(box, el("div", { class: "chain-root" }, el("b", {}, root.root), root.credited ? " (credited origin)" : " (earliest outlet found)"));
    const list = el("ol", { class: "chain-steps" });
    for (const p of steps) {
      const via = p.via === null || p.via === undefined ? null : el("span", { class: "muted" }, " ← " + p.via_kind + " " + fmtScore(p.via_score) + " of ",
        docLink(p.via, outletOf(p.via)), " · ", el("a", { href: route("compare", art(p.via).doc_id, art(p.doc).doc_id) }, "side by side"));
      add(list, el("li", {}, day(p.date) + (p.fallback ? " (crawl date)" : p.date_kind && p.date_kind !== "published" ? " (" + p.date_kind + ")" : ""), " · ",
        outletOf(p.doc), " · ", docLink(p.doc), p.first ? el("b", { class: "badge" }, "first appearance") : null, via));
    }
    add(box, list);
    return box;
  }

  function linkTable(links, self) {
    return table(["kind", "score", "articles", "earlier", ""], links.map((l) => {
      const [a, b] = self === l[1] ? [l[1], l[0]] : [l[0], l[1]];
      return [l[2], fmtScore(l[3]), el("span", {}, self === null ? [docLink(a, outletOf(a)), " ↔ "] : null, docLink(b), " ", el("span", { class: "muted" }, outletOf(b) + " " + day(when(b)))),
        l[4] === null || l[4] === undefined ? "unknown" : outletOf(l[4]) + " " + day(when(l[4])),
        el("a", { class: "compare-link", href: route("compare", art(a).doc_id, art(b).doc_id) }, "side by side")];
    }), { class: "links" });
  }

  // ---------- quotes ----------
  // One key per speaker: the entity id, also for groups that only carry a name known for an entity.
  function speakerKey(g) {
    if (g.speaker_entity_id) return g.speaker_entity_id;
    if (!IDX.speakerByName) {
      IDX.speakerByName = new Map();
      for (const x of D.groups) if (x.speaker_entity_id && x.speaker_name && !IDX.speakerByName.has(x.speaker_name)) IDX.speakerByName.set(x.speaker_name, x.speaker_entity_id);
    }
    return IDX.speakerByName.get(g.speaker_name) || g.speaker_name || "";
  }
  function renderQuotes(key) {
    const root = section("quotes");
    const speakers = new Map();
    D.groups.forEach((g, k) => {
      const s = speakerKey(g);
      if (!speakers.has(s)) speakers.set(s, { name: g.speaker_name || "(unattributed)", groups: [], quotes: 0, outlets: new Set() });
      const sp = speakers.get(s);
      sp.groups.push(k);
      for (const q of IDX.groupQuotes[k]) { sp.quotes += 1; sp.outlets.add(outletOf(q[0])); }
    });
    // Named speakers first (most quoted first); quotes nobody was credited with come last.
    const list = [...speakers.entries()].filter(([, s]) => s.quotes)
      .sort((a, b) => (a[0] === "") - (b[0] === "") || b[1].quotes - a[1].quotes || (a[1].name < b[1].name ? -1 : 1));
    if (key !== undefined && speakers.has(key)) { renderSpeaker(root, speakers.get(key)); return; }
    const echoed = D.groups.map((g, k) => k).filter((k) => D.groups[k].n_docs > 1);
    add(root, el("h2", {}, "Statements echoed across articles"));
    add(root, echoed.length ? table(["speaker", "statement", "articles", "outlets", "first appearance"], echoed.slice(0, 200).map((k) => {
      const g = D.groups[k], occ = IDX.groupQuotes[k].slice().sort((x, y) => byDate(x[0], y[0]));
      return [el("a", { href: route("quotes", speakerKey(g)) }, g.speaker_name || "(unattributed)"), statement(g), g.n_docs,
        [...new Set(occ.map((q) => outletOf(q[0])))].join(", "), occ.length ? docLink(occ[0][0], dateCell(occ[0][0]) + " · " + outletOf(occ[0][0]), occ[0][1], occ[0][2]) : "—"];
    }), { id: "echoed-quotes" }) : el("p", { class: "muted" }, "No statement appears in more than one article."));
    add(root, el("h2", {}, "Speakers"));
    const filter = el("input", { type: "search", placeholder: "Filter speakers", id: "speaker-filter" });
    const holder = el("div");
    add(root, el("div", { class: "filters" }, filter), holder);
    function refresh() {
      const q = filter.value.trim().toLowerCase();
      const shown = list.filter(([, s]) => !q || s.name.toLowerCase().includes(q));
      fill(holder, table(["speaker", "statements", "quotes", "outlets"], shown.slice(0, 300).map(([k, s]) => [
        el("a", { class: "speaker", href: route("quotes", k) }, s.name), s.groups.length, s.quotes, s.outlets.size]), { id: "speaker-table" }),
      limited(shown, 300, "speakers"));
    }
    filter.addEventListener("input", refresh);
    refresh();
  }

  // Reported speech is the outlet's wording, not the speaker's: say so wherever a statement is shown, after
  // what the speaker did with it ("denied", "did not say": never shown as a claim).
  function statement(g) {
    return g.kind === "indirect" ? el("span", {}, el("b", { class: "badge reported", title: "reported speech: the outlet's words, not a verbatim quote" }, g.cue), " ", g.text) : g.text;
  }

  function renderSpeaker(root, sp) {
    add(root, el("p", {}, el("a", { href: "#quotes" }, "← all speakers")));
    add(root, el("h2", {}, sp.name), el("p", { class: "muted" }, plural(sp.groups.length, "statement") + " · " + plural(sp.quotes, "quote") + " · " + plural(sp.outlets.size, "outlet")));
    for (const k of sp.groups) {
      const g = D.groups[k];
      const occ = IDX.groupQuotes[k].slice().sort((x, y) => byDate(x[0], y[0]));
      if (!occ.length) continue;
      const firstLang = art(occ[0][0]).language;
      const box = el("div", { class: "statement" }, el("blockquote", {}, statement(g)));
      add(box, table(["date", "outlet", "lang", "kind", "as quoted"], occ.map((q, n) => [
        el("span", {}, dateCell(q[0]), n === 0 ? el("b", { class: "badge" }, "first appearance") : null), outletOf(q[0]),
        el("span", {}, art(q[0]).language, art(q[0]).language !== firstLang ? el("span", { class: "badge tr" }, "translation") : null),
        q[4], evidenceLink(q[0], q[1], q[2], "quote-link")])));
      add(root, box);
    }
  }

  // ---------- narratives ----------
  function narrativeFacts(k) {
    const ms = IDX.narrativeMatches[k];
    const docs = [...new Set(ms.map((m) => m[1]))].sort(byDate);
    return { ms, docs, outlets: new Set(docs.map(outletOf)) };
  }
  function renderNarratives() {
    const root = section("narratives");
    add(root, el("h2", {}, "Narratives"), el("p", { class: "muted" }, "Claims from the catalogue and claims discovered in the corpus, with the passages that carry them."));
    const rows = D.narratives.map((n, k) => [n, narrativeFacts(k)]).sort((a, b) => b[1].docs.length - a[1].docs.length);
    add(root, table(["narrative", "origin", "articles", "outlets", "first appearance"], rows.map(([n, f]) => {
      const first = f.docs[0];
      const fm = first === undefined ? null : f.ms.find((m) => m[1] === first);
      return [el("a", { class: "narrative", href: route("narrative", n.narrative_id) }, n.title), n.origin, f.docs.length, f.outlets.size,
        fm ? docLink(first, dateCell(first) + " · " + outletOf(first), fm[2], fm[3]) : "—"];
    }), { id: "narrative-table" }));
  }

  function renderNarrative(id, cell) {
    const root = section("narrative");
    const k = IDX.narrativeById.get(id);
    if (k === undefined) { add(root, el("p", {}, "No narrative " + id)); return; }
    const n = D.narratives[k], f = narrativeFacts(k);
    add(root, el("p", {}, el("a", { href: "#narratives" }, "← all narratives")));
    add(root, el("h2", {}, n.title), el("p", { class: "muted" }, n.origin + " · " + plural(f.docs.length, "article") + " · " + plural(f.outlets.size, "outlet")));
    if (n.description) add(root, el("p", { class: "description" }, n.description));
    if (f.docs.length) {
      const first = f.docs[0], fm = f.ms.find((m) => m[1] === first);
      add(root, el("p", {}, el("b", {}, "First appearance: "), dateCell(first) + " · " + outletOf(first) + " · ", evidenceLink(first, fm[2], fm[3], "first-evidence")));
    }
    add(root, el("h3", {}, "Outlet × month"), el("p", { class: "caption" }, "Articles carrying the narrative; columns are the months with evidence. Click a cell to list its passages."));
    const evidence = el("div", { id: "evidence-list" });
    add(root, heatmap(f, (o, mo) => {
      location.hash = route("narrative", id, o === null ? "" : o + "|" + mo);
    }, cell));
    add(root, el("h3", {}, "Evidence"), evidence);
    let ms = f.ms.slice().sort((x, y) => byDate(x[1], y[1]) || x[2] - y[2]);
    if (cell) {
      const [o, mo] = cell.split("|");
      ms = ms.filter((m) => outletOf(m[1]) === o && (month(art(m[1]).published) || "undated") === mo);
      add(evidence, el("p", {}, "Only " + o + " in " + mo + " · ", el("a", { href: route("narrative", id) }, "show all")));
    }
    add(evidence, table(["date", "outlet", "score", "evidence"], ms.map((m) => [dateCell(m[1]), outletOf(m[1]), fmtScore(m[4]), matchEvidence(m, "evidence")]), { class: "evidence" }));
  }

  function heatmap(f, onPick, cell) {
    const counts = new Map(), months = new Set(), outlets = new Map();
    for (const i of f.docs) {
      const mo = month(art(i).published) || "undated", o = outletOf(i);
      months.add(mo);
      outlets.set(o, (outlets.get(o) || 0) + 1);
      counts.set(o + "|" + mo, (counts.get(o + "|" + mo) || 0) + 1);
    }
    if (!f.docs.length) return el("p", { class: "muted" }, "No evidence found in this corpus.");
    const cols = [...months].sort();
    const rows = [...outlets.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map((e) => e[0]);
    const max = Math.max(...counts.values());
    const head = el("tr", {}, el("th", {}, "outlet"), cols.map((c) => el("th", { class: "month" }, c)));
    const body = rows.map((o) => el("tr", {}, el("th", {}, o), cols.map((mo) => {
      const n = counts.get(o + "|" + mo) || 0;
      const td = el("td", { class: "cell" + (n ? " hit" : "") + (cell === o + "|" + mo ? " picked" : ""), "data-n": n });
      if (n) {
        td.textContent = String(n);
        td.style.background = "rgba(47,91,211," + (0.15 + 0.85 * n / max).toFixed(2) + ")";
        if (n / max > 0.5) td.style.color = "#fff";
        td.addEventListener("click", () => onPick(o, mo));
      }
      return hover(td, o + " · " + mo + ": " + plural(n, "article"));
    })));
    return el("table", { class: "heatmap" }, el("thead", {}, head), el("tbody", {}, body));
  }

  // ---------- entities ----------
  function renderEntities() {
    const root = section("entities");
    add(root, el("h2", {}, "Entities"));
    const facts = D.entities.map((e, k) => {
      const ms = IDX.entityMentions[k];
      const docs = new Set(ms.map((m) => m[0]));
      return { e, k, mentions: ms.length, docs: docs.size, outlets: new Set([...docs].map(outletOf)).size };
    }).filter((x) => x.mentions).sort((a, b) => b.docs - a.docs || b.mentions - a.mentions || (a.e.name < b.e.name ? -1 : 1));
    const filter = el("input", { type: "search", placeholder: "Filter entities (name or alias)", id: "entity-filter" });
    const types = el("select", { id: "entity-type" }, el("option", { value: "" }, "all types"),
      countBy(facts, (x) => x.e.type || "?").map(([t, n]) => el("option", { value: t }, t + " (" + n + ")")));
    const holder = el("div");
    add(root, el("div", { class: "filters" }, filter, types), holder);
    function refresh() {
      const q = filter.value.trim().toLowerCase();
      const shown = facts.filter((x) => (!types.value || (x.e.type || "?") === types.value) &&
        (!q || x.e.name.toLowerCase().includes(q) || (x.e.aliases || []).some((a) => a.toLowerCase().includes(q))));
      fill(holder, table(["entity", "type", "articles", "mentions", "outlets", "aliases"], shown.slice(0, 500).map((x) => [
        el("a", { class: "entity", href: route("entity", x.e.entity_id) }, x.e.name), x.e.type || "—", x.docs, x.mentions, x.outlets,
        (x.e.aliases || []).filter((a) => a !== x.e.name).join(", ")]), { id: "entity-table" }), limited(shown, 500, "entities"));
    }
    filter.addEventListener("input", refresh);
    types.addEventListener("change", refresh);
    refresh();
  }

  function renderEntity(id) {
    const root = section("entity");
    const k = IDX.entityById.get(id);
    if (k === undefined) { add(root, el("p", {}, "No entity " + id)); return; }
    const e = D.entities[k];
    const ms = IDX.entityMentions[k].slice().sort((x, y) => byDate(x[0], y[0]) || x[1] - y[1]);
    add(root, el("p", {}, el("a", { href: "#entities" }, "← all entities")));
    add(root, el("h2", {}, e.name), el("p", { class: "muted" }, (e.type || "—") + " · " + e.entity_id + " · aliases: " + ((e.aliases || []).join(", ") || "—")));
    add(root, table(["date", "outlet", "mention in context"], ms.slice(0, 500).map((m) => {
      const t = text(m[0]), a = Math.max(0, m[1] - 80), b = Math.min(t.length, m[2] + 80);
      return [dateCell(m[0]), outletOf(m[0]), el("a", { class: "doc", href: route("article", art(m[0]).doc_id, m[1] + "-" + m[2]) },
        (a ? "…" : "") + t.slice(a, m[1]), el("mark", { class: "entity" }, t.slice(m[1], m[2])), t.slice(m[2], b) + (b < t.length ? "…" : ""))];
    })), limited(ms, 500, "mentions"));
  }

  // ---------- article browser ----------
  function renderArticles() {
    const root = section("articles");
    const search = el("input", { type: "search", placeholder: "Search title and text", id: "article-search" });
    const outlet = el("select", { id: "article-outlet" }, el("option", { value: "" }, "all outlets"),
      D.status.outlets.map(([name, n]) => el("option", { value: name }, name + " (" + n + ")")));
    const lang = el("select", { id: "article-lang" }, el("option", { value: "" }, "all languages"),
      D.status.languages.map(([name, n]) => el("option", { value: name }, name + " (" + n + ")")));
    add(root, el("div", { class: "filters" }, search, outlet, lang));
    const holder = el("div", { id: "article-list" });
    add(root, holder);
    function refresh() {
      const q = search.value.trim().toLowerCase();
      const list = [];
      D.articles.forEach((a, i) => {
        if (outlet.value && outletOf(i) !== outlet.value) return;
        if (lang.value && a.language !== lang.value) return;
        if (q && !(a.title || "").toLowerCase().includes(q) && !text(i).toLowerCase().includes(q)) return;
        list.push(i);
      });
      fill(holder, el("p", { class: "muted" }, plural(list.length, "article")), table(
        ["published", "outlet", "lang", "title"], list.slice(0, 500).map((i) => [dateCell(i), outletOf(i), art(i).language, docLink(i)])),
      limited(list, 500, "articles"));
    }
    search.addEventListener("input", refresh);
    outlet.addEventListener("change", refresh);
    lang.addEventListener("change", refresh);
    refresh();
  }

  // ---------- article view ----------
  // Cut text[start:end] at every mark boundary; each piece carries the classes of the marks covering it.
  function segments(t, start, end, marks) {
    const inside = marks.filter((m) => m[1] > start && m[0] < end);
    const cuts = new Set([start, end]);
    for (const m of inside) { cuts.add(Math.max(start, m[0])); cuts.add(Math.min(end, m[1])); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = [];
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k], b = points[k + 1];
      const covering = inside.filter((m) => m[0] <= a && m[1] >= b);
      if (!covering.length) { out.push(document.createTextNode(t.slice(a, b))); continue; }
      const kinds = [...new Set(covering.map((m) => m[2]))].sort().join(" ");
      const titles = [...new Set(covering.map((m) => m[3]))].join("; ");
      out.push(el("mark", { class: kinds, title: titles }, t.slice(a, b)));
    }
    return out;
  }

  const KINDS = [["entity", "entities"], ["quote", "quotes"], ["narrative", "narrative evidence"], ["shared", "passages shared with linked articles"], ["credit", "credits"]];
  const hidden = new Set();

  function articleMarks(i, focus) {
    const marks = [];
    for (const c of art(i).credits) if (c[2] !== null) marks.push([c[2], c[3], "credit", "credit: " + c[0] + " (" + c[1] + ")"]);
    for (const m of IDX.mentions[i]) marks.push([m[1], m[2], "entity", "entity: " + D.entities[m[3]].name]);
    for (const q of IDX.quotes[i]) marks.push([q[1], q[2], "quote", "quote (" + q[4] + ") by " + (q[5] || "unknown")]);
    for (const m of IDX.matches[i]) if (m.length <= 5) marks.push([m[2], m[3], "narrative", "narrative: " + D.narratives[m[0]].title]);
    for (const s of IDX.spans[i]) {
      const [mine, other] = s[0] === i ? [[s[1], s[2]], s[3]] : [[s[4], s[5]], s[0]];
      marks.push([mine[0], mine[1], "shared", "shared with " + outletOf(other) + ": " + label(other)]);
    }
    const shown = marks.filter((m) => !hidden.has(m[2]));
    if (focus) shown.push([focus[0], focus[1], "focus", "evidence"]);
    return shown;
  }

  function renderArticle(docId, focus) {
    const root = section("article");
    const i = IDX.byId.get(docId);
    if (i === undefined) { add(root, el("p", {}, "No article " + docId)); return; }
    const a = art(i), t = text(i);
    add(root, el("h2", { id: "article-title" }, a.title || "(no title)"));
    const chains = IDX.chains[i];
    add(root, table(["", ""], [
      ["outlet", outletOf(i) + (a.outlet_evidence ? "  ← " + a.outlet_evidence : "")],
      ["date", dateCell(i) + (a.date_evidence ? "  ← " + a.date_evidence : "")],
      ["crawled", day(a.crawled)],
      ["language", a.language || "—"],
      ["url", a.url ? (/^https?:\/\//i.test(a.url) ? el("a", { href: a.url, rel: "noopener noreferrer" }, a.url) : el("span", { class: "raw-url" }, a.url)) : "—"],
      ["sources", (a.source_paths || []).join("\n")],
      ["credits", a.credits.map((c) => c[0] + " (" + c[1] + ")").join(", ") || "—"],
      ["story", a.story_id ? el("a", { href: route("story", a.story_id) }, (D.stories.find((s) => s.story_id === a.story_id) || {}).label || a.story_id) : "—"],
      ["doc id", a.doc_id],
    ], { class: "meta" }));
    const legend = el("p", { class: "legend" }, KINDS.map(([k, name]) => {
      const box = el("input", { type: "checkbox", "data-kind": k });
      box.checked = !hidden.has(k);
      box.addEventListener("change", () => { if (box.checked) hidden.delete(k); else hidden.add(k); renderArticle(docId, focus); });
      return el("label", {}, box, el("mark", { class: k }, name));
    }));
    add(root, legend);
    if (IDX.excerpted.has(i)) add(root, el("p", { class: "notice" }, "Only the lead of this article is kept in the report (no finding points into the rest); the store and the web app have the full text."));
    const marks = articleMarks(i, focus);
    const body = el("div", { class: "doc-text", id: "article-text" });
    for (const [start, end, lang] of paras(i)) {
      add(body, el("p", {}, el("span", { class: "lang" }, lang || "?"), segments(t, start, end, marks)));
    }
    add(root, body);
    if (IDX.links[i].length) add(root, el("h3", {}, "Linked articles"), linkTable(IDX.links[i], i));
    if (chains.length) { add(root, el("h3", {}, "Provenance")); for (const c of chains) add(root, chainView(c)); }
    if (IDX.matches[i].length) add(root, el("h3", {}, "Narrative evidence"), table(["narrative", "score", "passage"], IDX.matches[i].map((m) => [
      el("a", { href: route("narrative", D.narratives[m[0]].narrative_id) }, D.narratives[m[0]].title), fmtScore(m[4]), matchEvidence(m)])));
    if (IDX.quotes[i].length) add(root, el("h3", {}, "Quotes"), table(["speaker", "kind", "quote", "articles"], IDX.quotes[i].map((q) => [
      q[3] !== null && D.groups[q[3]] ? el("a", { href: route("quotes", speakerKey(D.groups[q[3]])) }, q[5] || "unknown") : q[5] || "unknown",
      q[4], evidenceLink(i, q[1], q[2]), q[3] !== null && D.groups[q[3]] ? D.groups[q[3]].n_docs : 1])));
    if (IDX.boiler[i].length) add(root, el("h3", {}, "Removed as boilerplate"), table(["reason", "text"], IDX.boiler[i].map((b) => [b[1], b[2]])));
    const target = root.querySelector("mark.focus");
    if (target) target.scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
  }

  // ---------- side by side ----------
  function renderCompare(aId, bId) {
    const root = section("compare");
    const a = IDX.byId.get(aId), b = IDX.byId.get(bId);
    if (a === undefined || b === undefined) { add(root, el("p", {}, "No such pair of articles.")); return; }
    const pairs = [];
    for (const s of IDX.spans[a]) {
      if (s[0] === a && s[3] === b) pairs.push([s[1], s[2], s[4], s[5], s[6]]);
      else if (s[0] === b && s[3] === a) pairs.push([s[4], s[5], s[1], s[2], s[6]]);
    }
    pairs.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
    const link = D.links.find((l) => (l[0] === a && l[1] === b) || (l[0] === b && l[1] === a));
    add(root, el("h2", {}, "Side by side"));
    if (link) add(root, el("p", {}, link[2] + " · score " + fmtScore(link[3]) + " · first: " + (link[4] === a ? "left" : link[4] === b ? "right" : "unknown") + " · " + (link[5] || "")));
    const head = el("tr", {}, [a, b].map((i) => el("th", {}, docLink(i), el("div", { class: "muted" }, outletOf(i) + " · " + dateCell(i) + " · " + (art(i).language || "")))), el("th", {}, "score"));
    const rows = pairs.map((p) => el("tr", { class: "aligned" }, el("td", {}, evidenceLink(a, p[0], p[1])), el("td", {}, evidenceLink(b, p[2], p[3])), el("td", {}, fmtScore(p[4]))));
    if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 3, class: "muted" }, "No aligned passages stored for this pair.")));
    add(root, el("table", { class: "compare", id: "compare-table" }, el("thead", {}, head), el("tbody", {}, rows)));
    add(root, el("h3", {}, "Full texts, shared passages highlighted"));
    const cols = el("div", { class: "columns" });
    for (const [i, side] of [[a, 0], [b, 2]]) {
      const marks = pairs.map((p) => [p[side], p[side + 1], "shared", "aligned passage, score " + fmtScore(p[4])]);
      const t = text(i);
      add(cols, el("div", { class: "doc-text" }, paras(i).map(([s, e]) => el("p", {}, segments(t, s, e, marks)))));
    }
    add(root, cols);
    window.scrollTo(0, 0);
  }

  // ---------- data quality ----------
  function renderQuality() {
    const root = section("quality");
    add(root, el("h2", {}, "Skipped inputs"));
    add(root, D.skipped.length ? table(["path", "code", "reason"], D.skipped.map((s) => [s.path, s.code, s.reason]), { id: "skipped-table" })
      : el("p", { class: "muted" }, "No input was skipped."));
    if (D.skipped.length) add(root, el("h3", {}, "By code"), barTable(["code", "inputs"], countBy(D.skipped, (s) => s.code)));
    add(root, el("h2", {}, "Boilerplate removed"));
    add(root, D.boilerplate.length ? table(["reason", "blocks", "articles", "example"], D.boilerplate.map((b) => [b.reason, b.n, b.docs, b.example]), { id: "boilerplate-table" })
      : el("p", { class: "muted" }, "No boilerplate was removed."));
    add(root, el("h2", {}, "Metadata gaps"));
    const noDate = D.articles.filter((a) => !a.published).length, noOutlet = D.articles.filter((a) => !a.outlet).length;
    add(root, table(["gap", "articles"], [["no publication date", noDate], ["no outlet", noOutlet],
      ["text kept as lead excerpt in this report", D.excerpted.length]]));
  }

  // ---------- routing ----------
  const TAB_OF = { story: "stories", narrative: "narratives", entity: "entities", article: "articles", compare: "articles" };
  function show() {
    const parts = (location.hash.slice(1) || "overview").split("/").map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
    const view = parts[0] || "overview";
    const known = document.getElementById(view) && document.getElementById(view).classList.contains("tab");
    const tab = known ? view : "overview";
    // Show the section before rendering into it, so scrolling to highlighted evidence works.
    for (const s of document.querySelectorAll(".tab")) s.classList.toggle("active", s.id === tab);
    if (tab === "story") renderStory(parts[1]);
    else if (tab === "quotes") renderQuotes(parts[1]);
    else if (tab === "narrative") renderNarrative(parts[1], parts[2] || null);
    else if (tab === "entity") renderEntity(parts[1]);
    else if (tab === "compare") renderCompare(parts[1], parts[2]);
    else if (tab === "article") {
      const m = /^(\d+)-(\d+)$/.exec(parts[2] || "");
      renderArticle(parts[1], m ? [Number(m[1]), Number(m[2])] : null);
    }
    const nav = TAB_OF[tab] || tab;
    for (const link of document.querySelectorAll("#tabs a")) link.classList.toggle("active", link.dataset.tab === nav);
    if (tab !== "article" && tab !== "compare") window.scrollTo(0, 0);
  }

  async function load() {
    const block = document.getElementById("echotrace-data");
    const binary = atob(block.textContent.trim());
    const bytes = new Uint8Array(binary.length);
    for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return JSON.parse(await new Response(stream).text());
  }

  load().then((data) => {
    D = data;
    buildIndexes();
    renderOverview();
    renderStories();
    renderQuotes();
    renderNarratives();
    renderEntities();
    renderArticles();
    renderQuality();
    document.getElementById("loading").remove();
    window.addEventListener("hashchange", show);
    show();
    document.body.setAttribute("data-ready", "1");
  }).catch((err) => {
    document.getElementById("loading").textContent = "Could not open the report data: " + err;
  });
})();
