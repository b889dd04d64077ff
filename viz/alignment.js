"use strict";
// The alignment graph page's script (included by alignment.html.jinja). Its state lives in the URL;
// labels go into the page as text only; groups (collapsed strategies and priorities) are drawn as
// nodes of their own, and every view change lays the drawn columns out again, so the view stays compact.
(function () {
const CFG = JSON.parse(document.getElementById("graph-data").textContent);
const LANG = CFG.lang === "en" ? "en" : "sv";
const TEXT = {
  sv: {
    kind: {priority: "Prioritering", action: "Insats", effect: "Effekt", theme: "Tema", goal: "Strategimål",
           strategy: "Strategi", unknown: "Okänd referens", group: "Grupp"},
    coverage: {direct: "har insatser", indirect: "täcks bara via underordnade mål", none: "SAKNAR INSATSER"},
    status: {"genomförd": "genomförd", "pågående": "pågående", "planerad": "planerad", "senarelagd": "senarelagd",
             "inställd": "inställd", "": "ej uppföljd"},
    type: "Typ", name: "Namn", other: "Label (en)", level: "Nivå", cov: "Täckning", strategy: "Strategi",
    broader: "Ingår i", narrower: "Underordnade mål", actionsDirect: "Insatser som tjänar målet",
    actionsNarrower: "Insatser via underordnade mål", why: "Varför täckt? Kedjor insats → effekt → mål",
    whyNone: "Ingen insats når målet, varken direkt eller via underordnade mål.", showPath: "Visa vägarna i grafen",
    priority: "Prioritering", status_: "Status", effects: "Effekter", goals: "Mål som insatsen tjänar",
    themes: "Teman", involves: "Involverar", actions: "Insatser", goalList: "Mållistan",
    complete: "fullständig", incomplete: "ofullständig – luckor kan vara underskattade",
    goalsCovered: "Täckta mål", page: "Sida", iri: "IRI", members: "Innehåll", expand: "Fäll ut",
    collapse: "Fäll ihop", hits: n => n === 1 ? "1 träff" : `${n} träffar`, noHit: "Ingen träff",
    hiddenHits: n => `${n} dolda av filtren`, hitOf: (i, n) => `träff ${i} av ${n}`, carried: "Genomfört",
    carriedYes: "en genomförd insats tjänar målet", carriedNo: "ingen genomförd insats",
    incompleteShort: "ofullständig katalog", nodesIn: n => `${n} noder`, goalsIn: (c, n) => `${c}/${n} mål täckta`,
    linked: "Kopplade noder", select: "Välj", links: n => `${n}`, reachedBy: "Nås av",
  },
  en: {
    kind: {priority: "Plan priority", action: "Action", effect: "Effect", theme: "Theme", goal: "Strategy goal",
           strategy: "Strategy", unknown: "Unknown reference", group: "Group"},
    coverage: {direct: "has actions", indirect: "covered only through narrower goals", none: "LACKS ACTIONS"},
    status: {"genomförd": "carried out", "pågående": "ongoing", "planerad": "planned", "senarelagd": "postponed",
             "inställd": "cancelled", "": "not followed up"},
    type: "Kind", name: "Name", other: "Etikett (sv)", level: "Level", cov: "Coverage", strategy: "Strategy",
    broader: "Part of", narrower: "Narrower goals", actionsDirect: "Actions serving the goal",
    actionsNarrower: "Actions through narrower goals", why: "Why covered? Chains action → effect → goal",
    whyNone: "No action reaches the goal, directly or through a narrower goal.", showPath: "Show the paths in the graph",
    priority: "Priority", status_: "Status", effects: "Effects", goals: "Goals the action serves",
    themes: "Themes", involves: "Involves", actions: "Actions", goalList: "Goal list",
    complete: "complete", incomplete: "incomplete – gaps may be understated",
    goalsCovered: "Goals covered", page: "Page", iri: "IRI", members: "Contains", expand: "Expand",
    collapse: "Collapse", hits: n => n === 1 ? "1 hit" : `${n} hits`, noHit: "No match",
    hiddenHits: n => `${n} hidden by the filters`, hitOf: (i, n) => `hit ${i} of ${n}`, carried: "Carried out",
    carriedYes: "an action carried out serves it", carriedNo: "no action carried out",
    incompleteShort: "incomplete catalogue", nodesIn: n => `${n} nodes`, goalsIn: (c, n) => `${c}/${n} goals covered`,
    linked: "Linked nodes", select: "Choose", links: n => `${n}`, reachedBy: "Reached by",
  },
}[LANG];
const $ = id => document.getElementById(id);
const KIND_ORDER = ["priority", "action", "effect", "theme", "goal", "strategy", "unknown"];
const ROW = 48;  // vertical distance of two nodes in a column, in graph units (labels of two lines fit)
const COLUMN = 300;
const GROUP_ROW = 84;
const SUB_COLUMN = 250;  // distance of the parts of a wrapped column  // horizontal distance of two drawn columns

// ---------------------------------------------------------------- names in the chosen language
// [text, language]: the chosen language's label, else the other one (marked with its language).
function nameOf(n) {
  if (!n) return ["", LANG];
  if (LANG === "en" && n.label_en) return [n.label_en, "en"];
  const text = n.full_label !== undefined ? n.full_label : n.label;
  return [text, n.label_lang || (LANG === "en" ? "sv" : "sv")];
}
function plainName(n) { return nameOf(n)[0]; }
function el(tag, text, cls, lang) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  if (lang && lang !== LANG) node.lang = lang;
  return node;
}
function short(text, max = 48) { return text.length <= max ? text : text.slice(0, max - 1).trimEnd() + "…"; }
// Links: on the server, IRIs under the base go to its resource pages; only http(s) IRIs are live links.
function href(iri) {
  if (CFG.server && iri.startsWith(CFG.baseIri)) return "/" + iri.slice(CFG.baseIri.length) + (LANG === "en" ? "?lang=en" : "");
  return /^https?:\/\//i.test(iri) ? iri : null;
}

// ---------------------------------------------------------------- the data
const byId = new Map(CFG.nodes.map(n => [n.id, n]));
const outE = new Map(), inE = new Map();
for (const e of CFG.edges) {
  (outE.get(e.from) || outE.set(e.from, []).get(e.from)).push(e);
  (inE.get(e.to) || inE.set(e.to, []).get(e.to)).push(e);
}
const out = id => (outE.get(id) || []).map(e => e.to);
const inn = id => (inE.get(id) || []).map(e => e.from);
const haystack = new Map(CFG.nodes.map(n =>
  [n.id, [n.full_label, n.label_en, n.notation].filter(Boolean).join(" ").toLowerCase()]));

function canvasLabel(n) {
  const text = short(plainName(n));
  return n.mark ? `${n.mark} ${text}` : text;
}
function tooltip(n) {
  const [text, lang] = nameOf(n);
  const tip = el("div");
  tip.appendChild(el("strong", TEXT.kind[n.kind] || n.kind));
  tip.appendChild(document.createTextNode(": "));
  tip.appendChild(el("span", text, null, lang));
  return tip;
}

// Groups: a strategy with its goals, a priority with its actions and the effects only they have.
const groups = new Map();
for (const s of CFG.strategies) {
  const members = [s.iri, ...CFG.nodes.filter(n => n.kind === "goal" && n.strategy === s.iri).map(n => n.id)];
  groups.set(s.iri, {key: s.iri, kind: "strategy", members: new Set(members), head: s.iri});
}
for (const p of CFG.priorities) {
  const actions = out(p.iri).filter(id => (byId.get(id) || {}).kind === "action");
  const mine = new Set([p.iri, ...actions]);
  for (const a of actions) for (const e of out(a)) {
    if (byId.get(e).kind === "effect" && inn(e).every(x => mine.has(x) || byId.get(x).kind !== "action")) mine.add(e);
  }
  groups.set(p.iri, {key: p.iri, kind: "priority", members: mine, head: p.iri});
}
const groupOf = new Map();
for (const g of groups.values()) for (const m of g.members) if (!groupOf.has(m)) groupOf.set(m, g.key);
const GROUP_PREFIX = "group:";

const nodes = new vis.DataSet(CFG.nodes.map(n => Object.assign({}, n, {label: canvasLabel(n), title: tooltip(n)})));
for (const g of groups.values()) {
  const head = byId.get(g.head);
  nodes.add({id: GROUP_PREFIX + g.key, kind: "group", group_key: g.key, hidden: true, x: head.x, y: head.y,
             shape: g.kind === "strategy" ? "hexagon" : "box", size: 18, borderWidth: 3,
             font: g.kind === "priority" ? {color: "#ffffff", size: 14} : {size: 14},
             color: g.kind === "strategy" ? {background: "#f8c471", border: "#7e5109"} : {background: "#1f4e79", border: "#0b2233"},
             label: "", title: tooltip(head)});
}
const edges = new vis.DataSet(CFG.edges.map((e, i) => Object.assign({id: i}, e)));
const options = {
  // Positions come from the server (strategylinks.network.positions) and from layout() below: no
  // layout or physics run in the browser, so thousands of nodes stay responsive.
  layout: {improvedLayout: false},
  physics: {enabled: false},
  interaction: {hover: true, tooltipDelay: 150, keyboard: {enabled: true, bindToWindow: false}, hideEdgesOnDrag: true},
  nodes: {font: {size: 13}, widthConstraint: {maximum: 230}},
  edges: {color: {color: "#aab7b8", highlight: "#2c3e50"}, smooth: false, arrows: {to: {scaleFactor: 0.5}}},
};
const network = new vis.Network($("graph"), {nodes, edges}, options);

// ---------------------------------------------------------------- state, kept in the URL
// Above this many goals the first view shows each strategy as one node (with its coverage); a click opens it.
// So does each priority above this many actions.
const countOf = kind => CFG.nodes.filter(n => n.kind === kind).length;
const DEFAULT_COLLAPSED = [...(countOf("goal") > 60 ? CFG.strategies.map(s => s.iri) : []),
                           ...(countOf("action") > 60 ? CFG.priorities.map(p => p.iri) : [])];
const state = {priority: "", strategy: "", network: "", theme: "", gaps: false, done: false, hide: new Set(),
               collapsed: new Set(), focus: "", depth: "all", path: false, q: "", view: "graph"};
function readUrl() {
  const p = new URLSearchParams(location.search);
  for (const key of ["priority", "strategy", "network", "theme", "focus", "q"]) state[key] = p.get(key) || "";
  state.gaps = p.get("gaps") === "1"; state.done = p.get("done") === "1" && CFG.period !== null;
  state.path = p.get("path") === "1";
  state.depth = ["1", "2", "3"].includes(p.get("depth")) ? p.get("depth") : "all";
  state.view = p.get("view") === "list" ? "list" : "graph";
  state.hide = new Set(p.getAll("hide").filter(k => KIND_ORDER.includes(k)));
  if (p.has("collapsed")) state.collapsed = new Set(p.getAll("collapsed").filter(k => groups.has(k)));
  else state.collapsed = new Set(DEFAULT_COLLAPSED);
}
function stateQuery(lang) {
  const here = new URLSearchParams(location.search);
  const p = new URLSearchParams();
  for (const key of ["plan", "period"]) if (here.get(key)) p.set(key, here.get(key));
  const chosen = lang || LANG;
  if (chosen === "en") p.set("lang", "en"); else if (lang) p.set("lang", "sv");
  for (const key of ["priority", "strategy", "network", "theme", "focus", "q"]) if (state[key]) p.set(key, state[key]);
  if (state.gaps) p.set("gaps", "1");
  if (state.done) p.set("done", "1");
  if (state.path) p.set("path", "1");
  if (state.depth !== "all") p.set("depth", state.depth);
  if (state.view === "list") p.set("view", "list");
  for (const k of state.hide) p.append("hide", k);
  const defaults = new Set(DEFAULT_COLLAPSED);
  const same = defaults.size === state.collapsed.size && [...defaults].every(k => state.collapsed.has(k));
  if (!same) { if (state.collapsed.size) for (const k of state.collapsed) p.append("collapsed", k); else p.set("collapsed", ""); }
  return p.toString();
}
function writeUrl() {
  const query = stateQuery();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  const other = $("lang-switch");
  if (other) other.href = location.pathname + "?" + stateQuery(LANG === "en" ? "sv" : "en");
}

// ---------------------------------------------------------------- controls
function option(select, item) {
  const [text, lang] = nameOf(item);
  const o = el("option", text, null, lang); o.value = item.iri; $(select).appendChild(o);
}
for (const p of CFG.priorities) option("filter-priority", p);
for (const t of CFG.themes) option("filter-theme", t);
for (const n of CFG.networks) option("filter-network", n);
for (const s of CFG.strategies) {
  option("filter-strategy", s);
  const li = el("li");
  const b = el("button", plainName(s), "linklike", nameOf(s)[1]); b.type = "button";
  b.addEventListener("click", () => { state.strategy = s.iri; $("filter-strategy").value = s.iri; refresh(true); });
  li.appendChild(b); li.appendChild(document.createTextNode(` ${s.covered}/${s.goals}`));
  if (!s.complete) li.appendChild(el("span", ` (${TEXT.incompleteShort})`, "warn"));
  $("coverage").appendChild(li);
}
for (const span of document.querySelectorAll(".status-name")) span.textContent = TEXT.status[span.dataset.status];
function showControls() {
  for (const key of ["priority", "strategy", "network", "theme"]) {
    const select = $("filter-" + key);
    if (![...select.options].some(o => o.value === state[key])) state[key] = "";
    select.value = state[key];
  }
  $("only-gaps").checked = state.gaps;
  if ($("only-done")) $("only-done").checked = state.done;
  $("focus-depth").value = state.depth;
  $("search").value = state.q;
  for (const box of document.querySelectorAll(".legend input[data-kind]")) box.checked = !state.hide.has(box.dataset.kind);
}

// ---------------------------------------------------------------- what is shown
function reach(start, step) {
  const seen = new Set([start]); const stack = [start];
  while (stack.length) for (const n of step(stack.pop())) if (!seen.has(n)) { seen.add(n); stack.push(n); }
  return seen;
}
function fromActions(actions) {
  const keep = new Set();
  for (const a of actions) { for (const d of reach(a, out)) keep.add(d); for (const u of inn(a)) keep.add(u); }
  return keep;
}
function computeVisible() {
  let visible = new Set(CFG.nodes.map(n => n.id));
  const only = keep => { visible = new Set([...visible].filter(id => keep.has(id))); };
  if (state.priority && byId.has(state.priority)) only(reach(state.priority, out));
  for (const [key, field] of [["network", "involves"], ["theme", "themes"]]) {
    if (state[key]) only(fromActions(CFG.nodes.filter(n => n.kind === "action" && (n[field] || []).includes(state[key])).map(n => n.id)));
  }
  if (state.strategy && byId.has(state.strategy)) {
    const strat = state.strategy;
    const keep = reach(strat, inn);
    for (const id of [...keep]) for (const d of reach(id, out)) { const n = byId.get(d); if (n.kind !== "goal" || n.strategy === strat) keep.add(d); }
    only(new Set([...keep].filter(id => { const n = byId.get(id); return (n.kind !== "goal" || n.strategy === strat) && (n.kind !== "strategy" || id === strat); })));
  }
  if (state.done) {
    // Only actions carried out, the effects they have, and everything else but other actions.
    const kept = new Set(CFG.nodes.filter(n => n.kind === "action" && n.status === "genomförd").map(n => n.id));
    const effects = new Set([...kept].flatMap(out));
    only(new Set(CFG.nodes.filter(n => n.kind === "action" ? kept.has(n.id) : n.kind === "effect" ? effects.has(n.id) : true).map(n => n.id)));
  }
  if (state.gaps) only(new Set(CFG.nodes.filter(n => (n.kind === "goal" && n.coverage === "none") || n.kind === "strategy").map(n => n.id)));
  if (state.hide.size) only(new Set(CFG.nodes.filter(n => !state.hide.has(n.kind)).map(n => n.id)));
  return visible;
}

// What a node stands for when drawn: itself, or the group it is collapsed into.
let visible = new Set(), drawnOf = id => id;
const shown = new Map();   // id -> {hidden, opacity, shadow} as last sent to vis
const edgeShown = new Map();
function sendNodes(wanted) {
  const changes = [];
  for (const [id, want] of wanted) {
    const was = shown.get(id) || {};
    if (was.hidden !== want.hidden || was.opacity !== want.opacity || was.hit !== want.hit || was.label !== want.label || was.color !== want.color) {
      const change = {id, hidden: want.hidden, opacity: want.opacity};
      if (want.label !== undefined) change.label = want.label;
      if (want.color !== undefined) change.color = want.color;
      change.shadow = want.hit ? {enabled: true, color: "#e65100", size: 18, x: 0, y: 0} : {enabled: false};
      change.borderWidth = want.hit ? 5 : (byId.get(id) || {}).borderWidth || (id.startsWith(GROUP_PREFIX) ? 3 : 1);
      changes.push(change);
      shown.set(id, want);
    }
  }
  if (changes.length) nodes.update(changes);
}
let extraEdges = [];
function goalColour(n) {
  if (!state.done) return CFG.goalColours[n.coverage];
  return n.done ? CFG.goalColours.direct : CFG.goalColours.none;
}

// Focus: the chosen node and its neighbourhood (N steps either way, or its whole chain up and down).
function neighbourhood(id) {
  if (!id) return null;
  if (state.path && byId.has(id)) { const chains = why(id); return new Set([id, ...chains.flat()]); }
  if (state.depth === "all") {
    if (id.startsWith(GROUP_PREFIX)) return new Set([id]);
    return new Set([...reach(id, out), ...reach(id, inn)]);
  }
  const seen = new Set([id]); let frontier = [id];
  for (let i = 0; i < Number(state.depth); i++) {
    const next = [];
    for (const n of frontier) for (const m of [...out(n), ...inn(n)]) if (!seen.has(m)) { seen.add(m); next.push(m); }
    frontier = next;
  }
  return seen;
}

let hits = [], hitIndex = -1;
function applyView(fit) {
  visible = computeVisible();
  const collapsed = state.collapsed;
  drawnOf = id => { const g = groupOf.get(id); return g && collapsed.has(g) ? GROUP_PREFIX + g : id; };
  const near = neighbourhood(state.focus);
  const nearDrawn = near ? new Set([...near].map(drawnOf)) : null;
  const hitSet = new Set(hits.map(drawnOf));
  const wanted = new Map();
  for (const n of CFG.nodes) {
    const drawn = drawnOf(n.id);
    const want = {hidden: !visible.has(n.id) || drawn !== n.id, opacity: nearDrawn && !nearDrawn.has(n.id) ? 0.15 : 1, hit: hitSet.has(n.id)};
    if (n.kind === "goal") want.color = goalColour(n);
    wanted.set(n.id, want);
  }
  for (const g of groups.values()) {
    const id = GROUP_PREFIX + g.key;
    const inside = [...g.members].filter(m => visible.has(m));
    const head = byId.get(g.head);
    const goals = inside.filter(m => byId.get(m).kind === "goal");
    const count = g.kind === "strategy"
      ? TEXT.goalsIn(goals.filter(m => byId.get(m).coverage !== "none").length, goals.length)
      : TEXT.nodesIn(inside.length);
    wanted.set(id, {hidden: !collapsed.has(g.key) || !inside.length, opacity: nearDrawn && !nearDrawn.has(id) ? 0.15 : 1,
                    hit: hitSet.has(id), label: `${short(plainName(head), 40)}\n(${count})`});
  }
  sendNodes(wanted);
  // Edges: the data's own where both ends are drawn; one edge per pair of drawn nodes where a group stands in.
  const edgeChanges = [];
  const joined = new Map();
  for (const e of edges.get({fields: ["id", "from", "to"]})) {
    if (typeof e.id === "string") continue;
    const from = drawnOf(e.from), to = drawnOf(e.to);
    const show = visible.has(e.from) && visible.has(e.to);
    const own = show && from === e.from && to === e.to;
    const faded = nearDrawn && !(nearDrawn.has(from) && nearDrawn.has(to));
    const key = `${own ? 1 : 0}${faded ? 1 : 0}`;
    if (edgeShown.get(e.id) !== key) { edgeChanges.push({id: e.id, hidden: !own, color: {opacity: faded ? 0.12 : 1}}); edgeShown.set(e.id, key); }
    if (show && !own && from !== to) {
      const k = from + "\u0000" + to;
      const j = joined.get(k) || joined.set(k, {from, to, count: 0, faded: true}).get(k);
      j.count += 1; j.faded = j.faded && faded;
    }
  }
  if (edgeChanges.length) edges.update(edgeChanges);
  if (extraEdges.length) edges.remove(extraEdges);
  extraEdges = [];
  const added = [];
  for (const [k, j] of joined) {
    const id = "joined:" + k; extraEdges.push(id);
    added.push({id, from: j.from, to: j.to, arrows: "to", width: Math.min(1 + Math.log2(j.count), 6),
                color: {color: "#7f8c8d", opacity: j.faded && nearDrawn ? 0.12 : 1}, title: String(j.count)});
  }
  if (added.length) edges.add(added);
  layout();
  if (state.view === "list") renderList();
  const notice = $("done-note"); if (notice) notice.hidden = !state.done;
  if (fit) fitView();
}

// Every drawn column is spread again around the middle, in the server's order, so that hidden and
// collapsed nodes leave no holes and a filtered view is compact.
function layout() {
  const columns = new Map();
  const place = (id, x, y) => { (columns.get(x) || columns.set(x, []).get(x)).push([y, id]); };
  for (const n of CFG.nodes) if (!shown.get(n.id).hidden) place(n.id, n.x, n.y);
  for (const g of groups.values()) {
    const id = GROUP_PREFIX + g.key;
    if (!shown.get(id).hidden) { const head = byId.get(g.head); place(id, head.x, head.y); }
  }
  // Columns keep their left-to-right order but close up, so empty (collapsed) columns leave no gap; a
  // long column wraps into side-by-side sub-columns, so that the whole view keeps a readable scale.
  let left = 0;
  for (const x of [...columns.keys()].sort((a, b) => a - b)) {
    const column = columns.get(x);
    column.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    // A group's label has two or three lines under its shape: its column gets more room.
    const grouped = column.some(([, id]) => id.startsWith(GROUP_PREFIX));
    const row = grouped ? GROUP_ROW : ROW;
    const rows = grouped ? 10 : 24;
    const parts = Math.ceil(column.length / rows);
    const height = Math.min(column.length, rows);
    column.forEach(([, id], i) => {
      const body = network.body.nodes[id];
      if (body) { body.x = left + Math.floor(i / rows) * SUB_COLUMN; body.y = (i % rows - (height - 1) / 2) * row; }
    });
    left += (parts - 1) * SUB_COLUMN + COLUMN;
  }
  network.redraw();
}
function drawnIds() { return network.body.nodeIndices.filter(id => !network.body.nodes[id].options.hidden); }
// vis-network's fit() measures every node's label first (0.3 s at 4k nodes); the positions are known,
// so the view is fitted to them, with room for the widest label (widthConstraint) around them.
function fitTo(ids) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const id of ids) {
    const n = network.body.nodes[id];
    if (!n) continue;
    x0 = Math.min(x0, n.x); x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y);
  }
  if (x0 === Infinity) return;
  const box = $("graph").getBoundingClientRect();
  const width = x1 - x0 + 2 * 125, height = y1 - y0 + 2 * 40;
  const scale = Math.min(1.2, (box.width || 800) / width, (box.height || 600) / height);
  network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, scale, animation: false});
}
function fitView() {
  if (state.focus && network.body.nodes[drawnOf(state.focus)]) {
    const near = neighbourhood(state.focus);
    fitTo([...new Set([...near].map(drawnOf))].filter(id => network.body.nodes[id] && !network.body.nodes[id].options.hidden));
  } else {
    fitTo(drawnIds());
  }
}
function refresh(fit) { applyView(fit); writeUrl(); }

// ---------------------------------------------------------------- why is this goal covered?
// Chains [action, effect, goal, …, the goal asked about]: through its narrower goals too.
function why(id) {
  const n = byId.get(id); const chains = [];
  if (!n || !["goal", "strategy"].includes(n.kind)) return chains;
  const walk = (node, below) => {
    for (const e of inE.get(node) || []) {
      if (e.relation === "serves") {
        const src = byId.get(e.from);
        if (src.kind === "effect") for (const a of inn(e.from)) { if (byId.get(a).kind === "action") chains.push([a, e.from, node, ...below]); }
        else if (src.kind === "action") chains.push([e.from, node, ...below]);
      } else if ((e.relation === "broader" || e.relation === "in") && below.length < 8) walk(e.from, [node, ...below]);
    }
  };
  walk(id, []);
  return chains;
}

// ---------------------------------------------------------------- the details panel
function nodeButton(id) {
  const n = byId.get(id); const span = el("span");
  const b = el("button", plainName(n), "linklike", nameOf(n)[1]); b.type = "button"; b.dataset.node = id;
  b.addEventListener("click", () => choose(id, true));
  span.appendChild(b);
  const target = href(id);
  if (CFG.server && target) { span.appendChild(document.createTextNode(" · ")); const a = el("a", TEXT.page.toLowerCase()); a.href = target; span.appendChild(a); }
  return span;
}
function showDetails(id) {
  const dl = $("details"); dl.replaceChildren();
  $("details-empty").hidden = true;
  document.body.classList.add("has-details");
  const add = (term, value) => {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return null;
    const div = el("div"); div.appendChild(el("dt", term)); const dd = el("dd");
    if (value instanceof Node) dd.appendChild(value);
    else if (Array.isArray(value)) { const ul = el("ul"); for (const item of value) { const li = el("li"); li.appendChild(item instanceof Node ? item : el("span", String(item))); ul.appendChild(li); } dd.appendChild(ul); }
    else dd.textContent = String(value);
    div.appendChild(dd); dl.appendChild(div); return dd;
  };
  if (id.startsWith(GROUP_PREFIX)) {
    const g = groups.get(id.slice(GROUP_PREFIX.length));
    add(TEXT.type, `${TEXT.kind.group}: ${TEXT.kind[g.kind]}`);
    add(TEXT.name, nodeButton(g.head));
    add(TEXT.members, TEXT.nodesIn([...g.members].filter(m => visible.has(m)).length));
    const b = el("button", TEXT.expand); b.type = "button"; b.id = "group-toggle";
    b.addEventListener("click", () => { state.collapsed.delete(g.key); state.focus = g.head; refresh(true); showDetails(g.head); });
    add(TEXT.expand, b);
    return;
  }
  const n = byId.get(id);
  const [text, lang] = nameOf(n);
  add(TEXT.type, TEXT.kind[n.kind] || n.kind);
  add(TEXT.name, el("span", text, null, lang));
  const otherText = LANG === "en" ? n.full_label : n.label_en;
  if (otherText && otherText !== text) add(TEXT.other, el("span", otherText, null, LANG === "en" ? (n.label_lang || "sv") : "en"));
  const ofKind = (ids, kind) => [...new Set(ids)].filter(x => byId.has(x) && byId.get(x).kind === kind).sort((a, b) => plainName(byId.get(a)).localeCompare(plainName(byId.get(b))));
  if (n.kind === "goal") {
    add(TEXT.level, LANG === "en" && n.level_name_en ? n.level_name_en : n.level_name);
    const cov = add(TEXT.cov, TEXT.coverage[n.coverage]); if (cov && n.coverage === "none") cov.className = "warn";
    add(TEXT.strategy, byId.has(n.strategy) ? nodeButton(n.strategy) : null);
    add(TEXT.broader, ofKind(out(id), "goal").map(nodeButton));
    add(TEXT.narrower, ofKind(inn(id), "goal").map(nodeButton));
    const direct = ofKind(inn(id).flatMap(e => byId.get(e).kind === "effect" ? inn(e) : [e]), "action");
    add(TEXT.actionsDirect, direct.map(nodeButton));
    if (CFG.period !== null) add(TEXT.carried, n.done ? TEXT.carriedYes : TEXT.carriedNo);
    addWhy(add, id);
  } else if (n.kind === "strategy") {
    const s = CFG.strategies.find(x => x.iri === id);
    if (s) { add(TEXT.goalsCovered, `${s.covered}/${s.goals}`); const gl = add(TEXT.goalList, s.complete ? TEXT.complete : TEXT.incomplete); if (gl && !s.complete) gl.className = "warn"; }
    add(TEXT.narrower, ofKind(inn(id), "goal").map(nodeButton));
    addGroupToggle(add, id);
    addWhy(add, id);
  } else if (n.kind === "action") {
    add(TEXT.priority, byId.has(n.priority) ? nodeButton(n.priority) : null);
    if (CFG.period !== null) add(`${TEXT.status_} ${CFG.periodLabel}`, TEXT.status[n.status || ""]);
    add(TEXT.effects, ofKind(out(id), "effect").map(nodeButton));
    add(TEXT.goals, [...ofKind(out(id).flatMap(e => byId.get(e).kind === "effect" ? out(e) : [e]), "goal"),
                     ...ofKind(out(id).flatMap(e => byId.get(e).kind === "effect" ? out(e) : [e]), "strategy")].map(nodeButton));
    add(TEXT.themes, ofKind(out(id), "theme").map(nodeButton));
    const names = new Map(CFG.networks.map(x => [x.iri, x]));
    add(TEXT.involves, (n.involves || []).map(x => { const item = names.get(x); return item ? el("span", plainName(item), null, nameOf(item)[1]) : x; }));
  } else if (n.kind === "effect") {
    add(TEXT.actions, ofKind(inn(id), "action").map(nodeButton));
    add(TEXT.goals, [...ofKind(out(id), "goal"), ...ofKind(out(id), "strategy")].map(nodeButton));
  } else if (n.kind === "theme" || n.kind === "priority") {
    add(TEXT.actions, ofKind([...inn(id), ...out(id)], "action").map(nodeButton));
    if (n.kind === "priority") addGroupToggle(add, id);
  } else {
    add(TEXT.reachedBy, [...inn(id)].map(nodeButton));
  }
  const target = href(id);
  const link = target ? el("a", CFG.server ? plainName(n) : id) : el("span", id);
  if (target) link.href = target;
  link.id = "details-link";
  add(CFG.server ? TEXT.page : TEXT.iri, link);
}
function addGroupToggle(add, key) {
  if (!groups.has(key)) return;
  const b = el("button", state.collapsed.has(key) ? TEXT.expand : TEXT.collapse); b.type = "button"; b.id = "group-toggle";
  b.addEventListener("click", () => {
    if (state.collapsed.has(key)) state.collapsed.delete(key); else state.collapsed.add(key);
    refresh(true); showDetails(state.collapsed.has(key) ? GROUP_PREFIX + key : key);
  });
  add(TEXT.kind.group, b);
}
function addWhy(add, id) {
  const chains = why(id);
  if (!chains.length) { const dd = add(TEXT.why, TEXT.whyNone); if (dd) dd.className = "warn"; return; }
  const items = chains.slice(0, 50).map(chain => {
    const li = el("span", null, "chain");
    chain.forEach((node, i) => { if (i) li.appendChild(document.createTextNode(" → ")); li.appendChild(nodeButton(node).firstChild); });
    return li;
  });
  if (chains.length > 50) items.push(`… (${chains.length})`);
  const dd = add(TEXT.why, items);
  const b = el("button", TEXT.showPath); b.type = "button"; b.id = "show-path"; b.setAttribute("aria-pressed", String(state.path));
  b.addEventListener("click", () => {
    state.path = !state.path; state.focus = id;
    // The paths are drawn node by node: the groups they pass through open.
    if (state.path) for (const n of chains.flat()) { const g = groupOf.get(n); if (g) state.collapsed.delete(g); }
    refresh(true); showDetails(id);
  });
  dd.appendChild(b);
}

// Choosing a node (graph, list, details, search, URL): it is focused, its group opened, its details shown.
function choose(id, fromPanel) {
  if (!byId.has(id) && !id.startsWith(GROUP_PREFIX)) return;
  if (byId.has(id) && (state.path && state.focus !== id)) state.path = false;
  const g = groupOf.get(id);
  if (g && state.collapsed.has(g) && byId.has(id)) state.collapsed.delete(g);
  state.focus = id.startsWith(GROUP_PREFIX) ? "" : id;
  refresh(false);
  showDetails(id);
  const drawn = drawnOf(id);
  if (network.body.nodes[drawn] && !network.body.nodes[drawn].options.hidden) {
    network.selectNodes([drawn]);
    if (fromPanel || state.view === "graph") network.focus(drawn, {scale: Math.max(network.getScale(), 0.8), animation: false});
  }
}
network.on("click", params => {
  if (!params.nodes.length) { if (state.focus) { state.focus = ""; state.path = false; refresh(false); } return; }
  const id = params.nodes[0];
  if (String(id).startsWith(GROUP_PREFIX)) {
    const key = String(id).slice(GROUP_PREFIX.length);
    state.collapsed.delete(key); state.focus = groups.get(key).head; refresh(true); showDetails(groups.get(key).head);
    return;
  }
  choose(id, false);
});

// ---------------------------------------------------------------- the list alternative
function renderList() {
  const body = $("node-table").tBodies[0];
  const rows = CFG.nodes.filter(n => visible.has(n.id))
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || plainName(a).localeCompare(plainName(b)));
  const frag = document.createDocumentFragment();
  for (const n of rows) {
    const tr = el("tr"); tr.dataset.node = n.id;
    tr.appendChild(el("td", TEXT.kind[n.kind] || n.kind));
    const td = el("td"); td.appendChild(nodeButton(n.id)); tr.appendChild(td);
    const what = n.kind === "goal" ? TEXT.coverage[n.coverage] : n.kind === "action" && CFG.period !== null ? TEXT.status[n.status || ""] : "";
    tr.appendChild(el("td", what, n.kind === "goal" && n.coverage === "none" ? "warn" : null));
    tr.appendChild(el("td", String(out(n.id).length + inn(n.id).length)));
    frag.appendChild(tr);
  }
  body.replaceChildren(frag);
}
function showView() {
  const list = state.view === "list";
  $("list-view").hidden = !list; $("graph").hidden = list;
  $("list-toggle").setAttribute("aria-pressed", String(list));
  if (list) renderList();
}
$("list-toggle").addEventListener("click", () => { state.view = state.view === "list" ? "graph" : "list"; showView(); writeUrl(); if (state.view === "graph") { network.redraw(); fitView(); } });

// ---------------------------------------------------------------- search
let searchTimer = 0, searches = 0;
function search(fit) {
  searches += 1;
  const q = state.q.trim().toLowerCase();
  hits = []; hitIndex = -1;
  let hidden = 0;
  if (q) for (const n of CFG.nodes) if (haystack.get(n.id).includes(q)) { if (visible.has(n.id)) hits.push(n.id); else hidden += 1; }
  applyView(false);
  const parts = [];
  if (q) parts.push(hits.length ? TEXT.hits(hits.length) : TEXT.noHit);
  if (q && hidden) parts.push(TEXT.hiddenHits(hidden));
  $("search-count").textContent = parts.join(", ");
  $("search-count").className = q && !hits.length ? "warn" : "";
  $("search-prev").disabled = $("search-next").disabled = hits.length === 0;
  if (fit && hits.length) {
    fitTo([...new Set(hits.map(drawnOf))].filter(id => network.body.nodes[id]));
  }
}
function step(by) {
  if (!hits.length) return;
  hitIndex = (hitIndex + by + hits.length) % hits.length;
  const id = hits[hitIndex];
  choose(id, true);
  $("search-count").textContent = `${TEXT.hits(hits.length)} · ${TEXT.hitOf(hitIndex + 1, hits.length)}`;
}
$("search").addEventListener("input", ev => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { state.q = ev.target.value; search(true); writeUrl(); }, 150);
});
$("search").addEventListener("keydown", ev => { if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(searchTimer); state.q = ev.target.value; search(false); step(ev.shiftKey ? -1 : 1); writeUrl(); } });
$("search-next").addEventListener("click", () => step(1));
$("search-prev").addEventListener("click", () => step(-1));

// ---------------------------------------------------------------- control events
for (const key of ["priority", "strategy", "network", "theme"]) {
  $("filter-" + key).addEventListener("change", ev => { state[key] = ev.target.value; refresh(true); });
}
$("only-gaps").addEventListener("change", ev => { state.gaps = ev.target.checked; refresh(true); });
if ($("only-done")) $("only-done").addEventListener("change", ev => { state.done = ev.target.checked; refresh(true); });
$("focus-depth").addEventListener("change", ev => { state.depth = ev.target.value; state.path = false; refresh(true); });
$("clear-focus").addEventListener("click", () => { state.focus = ""; state.path = false; network.unselectAll(); refresh(true); });
for (const box of document.querySelectorAll(".legend input[data-kind]")) {
  box.addEventListener("change", () => { if (box.checked) state.hide.delete(box.dataset.kind); else state.hide.add(box.dataset.kind); refresh(true); });
}
$("collapse-strategies").addEventListener("click", () => { for (const s of CFG.strategies) state.collapsed.add(s.iri); refresh(true); });
$("collapse-priorities").addEventListener("click", () => { for (const p of CFG.priorities) state.collapsed.add(p.iri); refresh(true); });
$("expand-all").addEventListener("click", () => { state.collapsed.clear(); refresh(true); });
$("fit").addEventListener("click", () => { state.focus = ""; network.unselectAll(); refresh(true); });
$("drawer-toggle").addEventListener("click", () => {
  const open = document.body.classList.toggle("drawer-open");
  $("drawer-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("search").focus();
});
$("details-close").addEventListener("click", () => { document.body.classList.remove("has-details"); });

// ---------------------------------------------------------------- export
function download(name, url) {
  const link = document.createElement("a"); link.download = name; link.href = url;
  document.body.appendChild(link); link.click(); link.remove();
}
$("png").addEventListener("click", () => {
  const source = document.querySelector("#graph canvas");
  const copy = document.createElement("canvas"); copy.width = source.width; copy.height = source.height;
  const ctx = copy.getContext("2d");
  ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, copy.width, copy.height); ctx.drawImage(source, 0, 0);
  download("strategikopplingar.png", copy.toDataURL("image/png"));
});
// SVG of what is drawn (every drawn node and edge, not only the part in view), built as DOM nodes
// so that labels stay text.
function svgDocument() {
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  const ids = drawnIds(); const bodies = network.body.nodes;
  if (!ids.length) { svg.setAttribute("viewBox", "0 0 10 10"); return svg; }
  const xs = ids.map(id => bodies[id].x), ys = ids.map(id => bodies[id].y);
  const [x0, y0] = [Math.min(...xs) - 160, Math.min(...ys) - 60];
  svg.setAttribute("xmlns", NS);
  svg.setAttribute("viewBox", `${x0} ${y0} ${Math.max(...xs) - x0 + 160} ${Math.max(...ys) - y0 + 60}`);
  svg.setAttribute("font-family", "sans-serif"); svg.setAttribute("font-size", "12");
  const title = document.createElementNS(NS, "title"); title.textContent = `${document.title}`; svg.appendChild(title);
  const drawnSet = new Set(ids);
  for (const id of network.body.edgeIndices) {
    const e = network.body.edges[id];
    if (e.options.hidden || !drawnSet.has(e.fromId) || !drawnSet.has(e.toId)) continue;
    const line = document.createElementNS(NS, "line");
    line.setAttribute("x1", bodies[e.fromId].x); line.setAttribute("y1", bodies[e.fromId].y);
    line.setAttribute("x2", bodies[e.toId].x); line.setAttribute("y2", bodies[e.toId].y);
    line.setAttribute("stroke", "#aab7b8"); if (e.options.dashes) line.setAttribute("stroke-dasharray", "4 3");
    svg.appendChild(line);
  }
  for (const id of ids) {
    const body = bodies[id]; const o = body.options;
    const g = document.createElementNS(NS, "g"); g.setAttribute("data-id", id);
    const shape = o.shape === "box" ? "rect" : "circle";
    const mark = document.createElementNS(NS, shape);
    if (shape === "rect") { mark.setAttribute("x", body.x - 110); mark.setAttribute("y", body.y - 16); mark.setAttribute("width", 220); mark.setAttribute("height", 32); mark.setAttribute("rx", 4); }
    else { mark.setAttribute("cx", body.x); mark.setAttribute("cy", body.y); mark.setAttribute("r", o.size || 12); }
    mark.setAttribute("fill", o.color.background); mark.setAttribute("stroke", o.color.border);
    mark.setAttribute("stroke-width", o.borderWidth || 1);
    if (o.opacity !== undefined && o.opacity < 1) g.setAttribute("opacity", o.opacity);
    g.appendChild(mark);
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", body.x); text.setAttribute("y", shape === "rect" ? body.y + 4 : body.y + (o.size || 12) + 13);
    text.setAttribute("text-anchor", "middle");
    if (o.font && o.font.color && shape === "rect") text.setAttribute("fill", o.font.color);
    text.textContent = String(o.label || "").replace(/\n/g, " ");
    g.appendChild(text); svg.appendChild(g);
  }
  return svg;
}
$("svg").addEventListener("click", () => {
  const text = new XMLSerializer().serializeToString(svgDocument());
  download("strategikopplingar.svg", URL.createObjectURL(new Blob([text], {type: "image/svg+xml"})));
});

// ---------------------------------------------------------------- start
readUrl();
showControls();
showView();
if (state.q) search(false); else applyView(false);
if (state.focus && (byId.has(state.focus))) {
  const focus = state.focus; const path = state.path;
  choose(focus, true); state.path = path; applyView(false); showDetails(focus);
}
fitView();
writeUrl();
// When the page could first be used and first drew, for the browser benchmark (benchmarks/browser.py).
const readyAt = performance.now();
let drawnAt = null;
network.once("afterDrawing", () => { drawnAt = performance.now(); });
window.strategylinks = {network, nodes, edges, data: CFG, state, groups, why, refresh, choose, svgDocument, drawnIds,
                        timing: () => ({ready: readyAt, drawn: drawnAt}),
                        search: q => { state.q = q; $("search").value = q; search(true); writeUrl(); },
                        searches: () => searches};
})();
