// The query page's YASGUI set-up (inlined into query.html.jinja, after yasgui.min.js): result views that
// show plain values and labels with links to this server's pages, a chart (Chart.js) and a pivot table
// (PivotTable.js), named queries in tabs of their own, tabs kept in local storage.
(function () {
  "use strict";
  const CFG = window.STRATEGYLINKS_QUERY;
  const Yasr = Yasgui.Yasr;
  const T = (sv, en) => (CFG.lang === "en" ? en : sv);
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"].map(t => XSD + t));

  const esc = text => String(text).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  function localHref(iri) {
    if (iri.startsWith(CFG.base)) return "/" + iri.slice(CFG.base.length);
    if (iri.startsWith(CFG.vocab)) return "/ontology#" + iri.slice(CFG.vocab.length);
    return iri;
  }
  // Only web and local links are clickable: an IRI such as javascript:… stays text.
  const safeHref = iri => { const h = localHref(iri); return /^(\/|https?:\/\/)/.test(h) ? h : null; };
  function curie(iri) {
    for (const [prefix, ns] of Object.entries(CFG.prefixes)) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  // ------------------------------------------------------------ labels, one query per result
  const labels = new Map();  // IRI -> [label, its language]
  const ranking = lang => [CFG.lang, "sv", "en", ""].indexOf(lang) === -1 ? 9 : [CFG.lang, "sv", "en", ""].indexOf(lang);
  async function ensureLabels(results) {
    if (!results || !results.getBindings) return;
    const wanted = new Set();
    for (const row of results.getBindings() || []) {
      for (const b of Object.values(row)) {
        if (b && b.type === "uri" && !labels.has(b.value) && !/[<>"{}|^`\\\s]/.test(b.value)) wanted.add(b.value);
      }
    }
    const iris = [...wanted].slice(0, 400);
    if (!iris.length) return;
    const query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
      "SELECT ?s ?l WHERE { VALUES ?s { " + iris.map(i => "<" + i + ">").join(" ") + " } ?s skos:prefLabel|rdfs:label ?l }";
    try {
      const response = await fetch("/sparql", {method: "POST", body: new URLSearchParams({query}),
        headers: {Accept: "application/sparql-results+json"}});
      if (!response.ok) return;
      const best = new Map();
      for (const row of (await response.json()).results.bindings) {
        const lang = row.l["xml:lang"] || "";
        const seen = best.get(row.s.value);
        if (!seen || ranking(lang) < ranking(seen[1])) best.set(row.s.value, [row.l.value, lang]);
      }
      for (const iri of iris) labels.set(iri, best.get(iri) || null);
    } catch (err) {
      // Labels are a nicety: without them the IRIs show as CURIEs.
    }
  }
  function iriHtml(iri) {
    const found = labels.get(iri);
    const text = found ? found[0] : curie(iri);
    const langAttr = found && found[1] && found[1].split("-")[0] !== CFG.lang ? ` lang="${esc(found[1])}"` : "";
    const href = safeHref(iri);
    return href
      ? `<a class="iri" href="${esc(href)}" title="${esc(iri)}" data-iri="${esc(iri)}"${langAttr}>${esc(text)}</a>`
      : `<span class="iri" title="${esc(iri)}"${langAttr}>${esc(text)}</span>`;
  }
  const isNumber = b => !!b && b.type !== "uri" && NUMERIC.has(b.datatype) && b.value.trim() !== "" && !isNaN(Number(b.value));
  // A cell as a plain value: numbers as numbers, IRIs as their label, literals as their text.
  function plain(b) {
    if (!b) return null;
    if (b.type === "uri") { const found = labels.get(b.value); return found ? found[0] : curie(b.value); }
    return isNumber(b) ? Number(b.value) : b.value;
  }

  // ------------------------------------------------------------ table: plain values, local links
  class Table extends Yasr.plugins.table {
    getUriLinkFromBinding(binding) { return iriHtml(binding.value); }
    formatLiteral(binding) {
      const text = esc(binding.value);
      const lang = binding["xml:lang"];
      return lang ? `<span lang="${esc(lang)}">${text}</span>` : text;
    }
    async draw(config) { await ensureLabels(this.yasr.results); return super.draw(config); }
  }
  Table.defaults = {...Yasr.plugins.table.defaults, openIriInNewWindow: false};

  function icon(svgPath) {
    const div = document.createElement("div");
    div.innerHTML = `<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="${svgPath}"/></svg>`;
    return div;
  }
  function select(labelText, options, value, onChange) {
    const label = document.createElement("label");
    label.textContent = labelText + " ";
    const sel = document.createElement("select");
    for (const [v, text] of options) { const o = document.createElement("option"); o.value = v; o.textContent = text; sel.appendChild(o); }
    sel.value = value;
    sel.addEventListener("change", () => onChange(sel.value));
    label.appendChild(sel);
    return label;
  }
  // The variable to label rows by: a ...Label one, else the first with more than one value.
  function labelVar(results, skip) {
    const vars = results.getVariables().filter(v => !skip.includes(v));
    const rows = results.getBindings();
    const distinct = v => new Set(rows.map(r => r[v] && r[v].value)).size;
    return vars.find(v => /label$/i.test(v)) || vars.find(v => distinct(v) > 1) || vars[0] || results.getVariables()[0];
  }
  const selectResults = yasr => yasr.results && yasr.results.getType && yasr.results.getType() === "json" && yasr.results.getVariables && yasr.results.getVariables().length;

  // ------------------------------------------------------------ chart (Chart.js)
  class ChartView {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = T("Diagram", "Chart"); this.config = {}; }
    numericVars() {
      const rows = this.yasr.results.getBindings();
      return this.yasr.results.getVariables().filter(v => rows.some(r => r[v]) && rows.every(r => !r[v] || isNumber(r[v])));
    }
    canHandleResults() { return !!selectResults(this.yasr) && this.numericVars().length > 0; }
    getIcon() { return icon("M3 3h2v18H3zm4 10h3v6H7zm5-6h3v12h-3zm5 3h3v9h-3z"); }
    async draw(persistent) {
      await ensureLabels(this.yasr.results);
      const vars = this.yasr.results.getVariables();
      const numeric = this.numericVars();
      const x = labelVar(this.yasr.results, numeric);
      const config = {x, y: numeric[0], type: "bar", ...(persistent || {})};
      if (!vars.includes(config.x)) config.x = x;
      if (!numeric.includes(config.y)) config.y = numeric[0];
      const root = document.createElement("div");
      root.className = "sl-chart";
      const controls = document.createElement("div");
      controls.className = "sl-chart-controls";
      const redraw = change => { Object.assign(config, change); this.yasr.storePluginConfig("chart", config); this.yasr.draw(); };
      controls.appendChild(select(T("Etiketter", "Labels"), vars.map(v => [v, "?" + v]), config.x, x => redraw({x})));
      controls.appendChild(select(T("Värden", "Values"), numeric.map(v => [v, "?" + v]), config.y, y => redraw({y})));
      controls.appendChild(select(T("Typ", "Type"), [["bar", T("stående staplar", "columns")], ["hbar", T("liggande staplar", "bars")],
        ["line", T("linje", "line")], ["pie", T("cirkel", "pie")]], config.type, type => redraw({type})));
      root.appendChild(controls);
      const rows = this.yasr.results.getBindings().filter(r => r[config.y]);
      const names = rows.map(r => String(plain(r[config.x]) ?? ""));
      const values = rows.map(r => Number(r[config.y].value));
      const box = document.createElement("div");
      box.className = "sl-chart-box";
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `?${config.y} ${T("per", "by")} ?${config.x}: ` +
        names.slice(0, 30).map((n, i) => `${n} ${values[i]}`).join("; "));
      box.appendChild(canvas);
      root.appendChild(box);
      this.yasr.resultsEl.appendChild(root);
      if (this.chart) this.chart.destroy();
      const horizontal = config.type === "hbar";
      this.chart = new window.Chart(canvas, {
        type: horizontal ? "bar" : config.type,
        data: {labels: names, datasets: [{label: "?" + config.y, data: values}]},
        options: {animation: false, responsive: true, maintainAspectRatio: false, indexAxis: horizontal ? "y" : "x",
                  plugins: {legend: {display: config.type === "pie"}}},
      });
      window.strategylinksChart = this.chart;
    }
    destroy() { if (this.chart) { this.chart.destroy(); this.chart = null; } }
  }

  // ------------------------------------------------------------ pivot table (PivotTable.js)
  class PivotView {
    constructor(yasr) { this.yasr = yasr; this.priority = 4; this.label = T("Pivot", "Pivot"); }
    canHandleResults() { return !!selectResults(this.yasr); }
    getIcon() { return icon("M3 3h18v4H3zm0 6h4v12H3zm6 0h12v12H9z"); }
    async draw(persistent) {
      await ensureLabels(this.yasr.results);
      const vars = this.yasr.results.getVariables();
      const rows = this.yasr.results.getBindings().map(r => Object.fromEntries(vars.map(v => [v, plain(r[v]) ?? ""])));
      const root = document.createElement("div");
      root.className = "sl-pivot";
      const note = document.createElement("p");
      note.className = "sl-pivot-note muted";
      note.textContent = T("Dra variabler till rader och kolumner; välj hur cellerna räknas.",
                           "Drag variables to rows and columns; choose how the cells are counted.");
      root.appendChild(note);
      const table = document.createElement("div");
      root.appendChild(table);
      this.yasr.resultsEl.appendChild(root);
      const saved = persistent || {};
      const keep = ["rows", "cols", "aggregatorName", "vals", "rendererName"];
      window.jQuery(table).pivotUI(rows, {
        rows: saved.rows || [labelVar(this.yasr.results, [])],
        cols: saved.cols || [],
        aggregatorName: saved.aggregatorName || "Count",
        vals: saved.vals || [],
        rendererName: saved.rendererName || "Table",
        onRefresh: state => this.yasr.storePluginConfig("pivot", Object.fromEntries(keep.map(k => [k, state[k]]))),
      });
    }
  }

  Yasr.registerPlugin("table", Table);
  if (window.Chart) Yasr.registerPlugin("chart", ChartView);
  if (window.jQuery && window.jQuery.fn.pivotUI) Yasr.registerPlugin("pivot", PivotView);

  // ------------------------------------------------------------ YASGUI, tabs kept across visits
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: "/sparql", method: "POST"},
    copyEndpointOnNewTab: false,
    persistenceId: "strategylinks-query",
    yasr: {pluginOrder: ["table", "chart", "pivot", "response"], defaultPlugin: "table", prefixes: CFG.prefixes},
  });
  window.strategylinksYasgui = yasgui;
  // The server's own result table is for browsers without scripts.
  const fallback = document.getElementById("server-result");
  if (fallback) fallback.remove();
  // What YASGUI leaves undone for assistive technology: names for its fields, a focusable editor
  // scroll region, and an "add tab" button that does not belong in the tab list (ours replaces it).
  function tidy() {
    for (const input of document.querySelectorAll("#yasgui .tab input:not([aria-label])")) input.setAttribute("aria-label", T("Flikens namn", "Tab name"));
    for (const input of document.querySelectorAll("#yasgui input:not([aria-label]), #yasgui select:not([aria-label]), #yasgui textarea:not([aria-label])")) {
      input.setAttribute("aria-label", input.getAttribute("placeholder") || input.getAttribute("title") || T("Fält", "Field"));
    }
    for (const region of document.querySelectorAll("#yasgui .CodeMirror-scroll")) {
      if (region.getAttribute("tabindex") !== "0") region.setAttribute("tabindex", "0");  // CodeMirror sets -1
    }
    for (const add of document.querySelectorAll("#yasgui .tabsList button.addTab:not([tabindex])")) {
      add.setAttribute("tabindex", "-1");
      add.parentElement.setAttribute("aria-hidden", "true");
    }
  }
  new MutationObserver(tidy).observe(document.getElementById("yasgui"), {childList: true, subtree: true});
  tidy();
  const newTab = document.createElement("button");
  newTab.type = "button";
  newTab.id = "new-tab";
  newTab.textContent = T("Ny flik", "New tab");
  newTab.addEventListener("click", () => yasgui.addTab(true));
  document.getElementById("yasgui").before(newTab);

  // A named query (or a query in the URL) opens in its own tab, reused on the next visit, and runs
  // when it needs no parameters or they were given.
  const tabs = () => Object.values(yasgui._tabs || {});
  let tab = null;
  if (CFG.name) {
    tab = tabs().find(t => t.getName() === CFG.title) || yasgui.addTab(true, {name: CFG.title});
    yasgui.selectTabId(tab.getId());
  } else if (new URLSearchParams(location.search).has("query")) {
    tab = yasgui.addTab(true);
  } else if (tabs().length === 1 && !yasgui.getTab().getQuery().trim()) {
    tab = yasgui.getTab();  // a first visit: YASGUI's one empty tab gets the example
  }
  if (tab) {
    tab.setQuery(CFG.text);
    if (CFG.run) tab.query();
  }
})();
