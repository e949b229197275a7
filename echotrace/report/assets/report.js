// echotrace report: renders the JSON block with textContent only (article text is untrusted).
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("echotrace-data").textContent);
  const byId = new Map(DATA.articles.map((a) => [a.doc_id, a]));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "class") node.className = value;
      else if (key === "href") node.setAttribute("href", safeHref(value));
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === "string" || typeof child === "number"
        ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function safeHref(value) {
    const text = String(value);
    return text.startsWith("#") || /^https?:\/\//i.test(text) ? text : "#";
  }

  function day(value) { return value ? String(value).slice(0, 10) : "—"; }

  function docLink(docId, label, hl) {
    const article = byId.get(docId);
    const text = label || (article && (article.title || article.text.slice(0, 80))) || docId;
    return el("a", { class: "doc", href: "#article/" + encodeURIComponent(docId) + (hl ? "/" + hl : "") }, text);
  }

  function table(headers, rows) {
    const head = el("tr", {}, ...headers.map((h) => el("th", {}, h)));
    const body = rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))));
    return el("table", {}, el("thead", {}, head), el("tbody", {}, ...body));
  }

  function renderOverview() {
    const root = document.getElementById("overview");
    root.replaceChildren();
    const counts = DATA.status.tables;
    const cards = el("div", { class: "cards" });
    for (const name of ["articles", "paragraphs", "credits", "boilerplate", "skipped"]) {
      cards.appendChild(el("div", { class: "card" }, el("b", {}, counts[name] ?? 0), name));
    }
    root.appendChild(cards);
    const [first, last] = DATA.status.date_range;
    root.appendChild(el("p", { class: "muted" }, "Published " + day(first) + " … " + day(last)));
    root.appendChild(el("h2", {}, "Articles over time"));
    const max = Math.max(1, ...DATA.per_month.map((m) => m.n));
    const bars = el("div", { class: "bars" });
    for (const m of DATA.per_month) {
      const bar = el("div", { title: m.month + ": " + m.n + " articles" });
      bar.style.height = Math.max(2, Math.round((m.n / max) * 100)) + "%";
      bars.appendChild(bar);
    }
    root.appendChild(bars);
    if (DATA.per_month.length) {
      root.appendChild(el("div", { class: "barlabels" },
        el("span", {}, DATA.per_month[0].month), el("span", {}, DATA.per_month[DATA.per_month.length - 1].month)));
    }
    root.appendChild(el("h2", {}, "Outlets"));
    root.appendChild(table(["outlet", "articles"], DATA.status.outlets));
    root.appendChild(el("h2", {}, "Languages"));
    root.appendChild(table(["language", "articles"], DATA.status.languages));
    root.appendChild(el("h2", {}, "Date kinds"));
    root.appendChild(table(["kind", "articles"], DATA.status.date_kinds));
  }

  function renderArticles() {
    const root = document.getElementById("articles");
    root.replaceChildren();
    const search = el("input", { type: "search", placeholder: "Search title and text", id: "article-search" });
    const outlet = el("select", { id: "article-outlet" }, el("option", { value: "" }, "all outlets"));
    for (const [name] of DATA.status.outlets) outlet.appendChild(el("option", { value: name }, name));
    const lang = el("select", { id: "article-lang" }, el("option", { value: "" }, "all languages"));
    for (const [name] of DATA.status.languages) lang.appendChild(el("option", { value: name }, name));
    root.appendChild(el("div", { class: "filters" }, search, outlet, lang));
    const holder = el("div", { id: "article-list" });
    root.appendChild(holder);
    function refresh() {
      const q = search.value.trim().toLowerCase();
      const list = DATA.articles.filter((a) =>
        (!outlet.value || (a.outlet || "(unknown)") === outlet.value) &&
        (!lang.value || a.language === lang.value) &&
        (!q || (a.title || "").toLowerCase().includes(q) || a.text.toLowerCase().includes(q)));
      holder.replaceChildren(el("p", { class: "muted" }, list.length + " articles"), table(
        ["published", "outlet", "lang", "title"],
        list.slice(0, 500).map((a) => [day(a.published) + (a.date_kind && a.date_kind !== "published" ? " (" + a.date_kind + ")" : ""),
          a.outlet || "—", a.language, docLink(a.doc_id)])));
    }
    search.addEventListener("input", refresh);
    outlet.addEventListener("change", refresh);
    lang.addEventListener("change", refresh);
    refresh();
  }

  // Highlights: [start, end, class, title]; the focus span (from a link) is outlined.
  function highlighted(text, start, end, marks) {
    const out = [];
    let pos = start;
    const inside = marks.filter((m) => m[1] > start && m[0] < end).sort((a, b) => a[0] - b[0]);
    for (const [ms, me, cls, title] of inside) {
      const s = Math.max(ms, pos), e = Math.min(me, end);
      if (s < pos || e <= s) continue;
      if (s > pos) out.push(document.createTextNode(text.slice(pos, s)));
      out.push(el("mark", { class: cls, title: title }, text.slice(s, e)));
      pos = e;
    }
    if (pos < end) out.push(document.createTextNode(text.slice(pos, end)));
    return out;
  }

  function renderArticle(docId, focus) {
    const root = document.getElementById("article");
    root.replaceChildren();
    const a = byId.get(docId);
    if (!a) { root.appendChild(el("p", {}, "No article " + docId)); return; }
    root.appendChild(el("h2", {}, a.title || "(no title)"));
    const meta = [
      ["outlet", (a.outlet || "—") + (a.outlet_evidence ? "  ← " + a.outlet_evidence : "")],
      ["date", day(a.published) + " (" + (a.date_kind || "unknown") + ")" + (a.date_evidence ? "  ← " + a.date_evidence : "")],
      ["crawled", day(a.crawled)],
      ["language", a.language],
      ["url", a.url ? el("a", { href: a.url, rel: "noopener noreferrer" }, a.url) : "—"],
      ["sources", (a.source_paths || []).join("\n")],
      ["credits", a.credits.map((c) => c.name + " (" + c.role + ")").join(", ") || "—"],
      ["doc id", a.doc_id],
    ];
    root.appendChild(table(["", ""], meta));
    const marks = a.credits.filter((c) => c.start !== null).map((c) => [c.start, c.end, "credit", c.name + " (" + c.role + ")"]);
    if (focus) marks.push([focus[0], focus[1], "focus", "evidence"]);
    const body = el("div", { class: "doc-text" });
    const paras = a.paragraphs.length ? a.paragraphs : [[0, a.text.length, a.language]];
    for (const [start, end, lang] of paras) {
      body.appendChild(el("p", {}, el("span", { class: "lang" }, lang), ...highlighted(a.text, start, end, marks)));
    }
    root.appendChild(body);
    const removed = DATA.boilerplate_rows.filter((b) => b.doc_id === docId);
    if (removed.length) {
      root.appendChild(el("h3", {}, "Removed as boilerplate"));
      root.appendChild(table(["reason", "text"], removed.map((b) => [b.reason, b.text])));
    }
    const target = root.querySelector("mark.focus");
    if (target) target.scrollIntoView({ block: "center" });
  }

  function renderQuality() {
    const root = document.getElementById("quality");
    root.replaceChildren();
    root.appendChild(el("h2", {}, "Skipped inputs"));
    root.appendChild(DATA.skipped.length ? table(["path", "code", "reason"], DATA.skipped.map((s) => [s.path, s.code, s.reason]))
      : el("p", { class: "muted" }, "No input was skipped."));
    root.appendChild(el("h2", {}, "Boilerplate removed"));
    root.appendChild(table(["reason", "blocks", "example"], DATA.boilerplate.map((b) => [b.reason, b.n, b.example])));
  }

  function show() {
    const parts = decodeURIComponent(location.hash.slice(1) || "overview").split("/");
    const tab = parts[0] || "overview";
    for (const section of document.querySelectorAll(".tab")) section.classList.toggle("active", section.id === tab);
    for (const link of document.querySelectorAll("#tabs a")) link.classList.toggle("active", link.dataset.tab === tab);
    if (tab === "article") {
      const focus = parts[2] ? parts[2].split("-").map(Number) : null;
      renderArticle(parts[1], focus);
    }
  }

  renderOverview();
  renderArticles();
  renderQuality();
  window.addEventListener("hashchange", show);
  show();
})();
