"""The alignment graph as networkx: plan priority → action → effect → goal → strategy, with metrics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
from rdflib import Literal
from rdflib.namespace import SKOS
from rdflib.term import Identifier, Node

from . import queries
from .config import Settings
from .errors import InputError
from .graph import choose_label
from .namespaces import SL
from .queries import Queryable

# Node kinds, in the order the layout puts them from left to right.
KINDS = ("priority", "action", "effect", "theme", "goal", "strategy")


def _iri(node: Node | str | None) -> str:
    return "" if node is None else str(node)


class _Labels:
    """Labels of the view's nodes, read with one query and chosen as :func:`graph.label` chooses."""

    def __init__(self, rows: Iterable[dict[str, Identifier | None]]) -> None:
        self.values: dict[str, list[tuple[bool, Literal]]] = defaultdict(list)
        for row in rows:
            value = row["label"]
            if isinstance(value, Literal):
                self.values[str(row["node"])].append((row["prop"] == SKOS.prefLabel, value))

    def __call__(self, node: str, lang: str = "sv") -> str:
        return choose_label(self.values.get(node, ()), node, lang)

    def both(self, node: str) -> dict[str, str]:
        """The Swedish label (or the best there is) and the language it is in, and the English label
        only where one exists, so that pages can mark a label shown in the other language."""
        values = self.values.get(node, ())
        preferred = [v for is_pref, v in values if is_pref] or [v for _, v in values]
        label = self(node, "sv")
        english = next((str(v) for v in preferred if (v.language or "").lower().startswith("en")), "")
        # Sv and en labels may be the same words: name the language the Swedish choice prefers, not the
        # one the store happened to return first.
        same = sorted((v.language or "").lower() for v in preferred if str(v) == label)
        language = next((t for t in same if t.startswith("sv")), same[0] if same else "")
        return {"label": label, "label_en": english, "label_lang": language}


def followup_periods(source: Queryable, plan: str, settings: Settings | None = None) -> list[dict[str, str]]:
    """The periods the plan's actions were followed up in, the latest first: ``iri`` and ``label``."""
    rows = queries.rows(
        queries.run(source, queries.views(settings)["followup-periods"], {"plan": plan}, settings=settings)
    )
    return [{"iri": str(r["period"]), "label": str(r["label"] or r["period"])} for r in rows]


def choose_period(periods: list[dict[str, str]], wanted: str | None) -> str | None:
    """The period to show: ``wanted`` if the plan was followed up in it, else the latest one (``None`` if
    there is none); a period the plan was not followed up in is an error naming those it was."""
    if wanted is None:
        return periods[0]["iri"] if periods else None
    if wanted not in {p["iri"] for p in periods}:
        known = ", ".join(p["label"] for p in periods) or "none"
        raise InputError(f"the plan has no follow-up for the period {wanted}", hint=f"its periods: {known}")
    return wanted


def alignment_graph(
    source: Queryable, plan: str, settings: Settings | None = None, *, period: str | None = None
) -> nx.DiGraph:
    """Build the alignment view of one plan from three SPARQL queries (``queries/views/``), so that it
    is built the same way from an embedded or a remote store, or from an rdflib Dataset.

    Edges: priority→action (``groups``), action→effect (``has_effect``), effect→goal or
    effect→strategy (``serves``: every effect of a row serves every goal of that row's thematic
    link), action→theme (``theme``), goal→broader goal (``broader``), top goal→strategy (``in``).
    Every goal of a strategy in the plan's scope (``views/plan-scope.rq``, the scope of the gap report)
    is a node, so goals without actions show as gaps; another region's catalogue is left out.

    With a follow-up ``period`` (default: the plan's latest, if it has any), each action carries its
    ``status`` there (the status's notation, ``""`` when not followed up) and each goal ``done``: whether
    an action carried out (genomförd) serves it directly.
    """
    view = queries.views(settings)
    params = {"plan": plan}
    labels = _Labels(queries.rows(queries.run(source, view["alignment-labels"], params, settings=settings)))
    facts = queries.rows(queries.run(source, view["alignment-plan"], params, settings=settings))
    catalogue = queries.rows(queries.run(source, view["alignment-catalogue"], settings=settings))
    scope = {
        str(r["strategy"]) for r in queries.rows(queries.run(source, view["plan-scope"], params, settings=settings))
    }
    linked = {str(r["target"]) for r in facts if str(r["kind"]) == "link"}

    g = nx.DiGraph(plan=plan)
    priorities: dict[str, str] = {}
    actions: dict[str, dict[str, str]] = defaultdict(dict)
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    effect_rows: dict[str, str] = {}
    for row in facts:
        kind, node = str(row["kind"]), str(row["node"])
        if kind == "priority":
            priorities[node] = _iri(row["notation"])
        elif kind == "action":
            facts_of = actions.setdefault(node, {})
            if row["target"] is not None:
                facts_of.setdefault(str(row["rel"]), str(row["target"]))
        elif kind == "link":
            links[node][str(row["rel"])].add(str(row["target"]))
        elif kind == "effect":
            effect_rows.setdefault(node, _iri(row["target"]))
    for priority in sorted(priorities):
        g.add_node(priority, kind="priority", notation=priorities[priority], **labels.both(priority))

    goals = sorted(
        (
            r
            for r in catalogue
            if str(r["kind"]) == "goal" and (_iri(r["strategy"]) in scope or str(r["node"]) in linked)
        ),
        key=lambda r: str(r["node"]),
    )
    strategies = {
        str(r["node"]): r
        for r in catalogue
        if str(r["kind"]) == "strategy" and (str(r["node"]) in scope or str(r["node"]) in linked)
    }
    with_goals = {_iri(r["strategy"]) for r in goals}
    for strategy in sorted(strategies):
        row = strategies[strategy]
        cited = isinstance(row["cited"], Literal) and row["cited"].toPython() is True
        if strategy in with_goals or cited:
            complete = row["complete"]
            g.add_node(
                strategy,
                kind="strategy",
                complete=isinstance(complete, Literal) and complete.toPython() is True,
                **labels.both(strategy),
            )
    broader: dict[str, str] = {}
    for row in goals:
        goal = str(row["node"])
        if goal in g:  # a goal with two levels or broader goals: the first row wins, as rdflib's value() did
            continue
        level = _iri(row["level"])
        g.add_node(
            goal,
            kind="goal",
            strategy=_iri(row["strategy"]),
            level=labels(level, "sv") if level else "",
            level_en=labels(level, "en") if level else "",
            notation=_iri(row["notation"]),
            **labels.both(goal),
        )
        if row["broader"] is not None:
            broader[goal] = str(row["broader"])
    for goal in [n for n, d in g.nodes(data=True) if d["kind"] == "goal"]:
        if goal in broader:
            g.add_edge(goal, broader[goal], relation="broader")
        elif g.nodes[goal]["strategy"] in g:
            g.add_edge(goal, g.nodes[goal]["strategy"], relation="in")

    for a in sorted(actions):
        own = links[a]
        action_priority = actions[a].get(str(SL.planPriority), "")
        themes = sorted(own[str(SL.hasTheme)])
        targets = sorted(own[str(SL.contributesTo)])
        g.add_node(
            a,
            kind="action",
            priority=action_priority,
            themes=themes,
            involves=sorted(own[str(SL.involves)]),
            row=actions[a].get(str(SL.inRow), ""),
            **labels.both(a),
        )
        if action_priority:
            g.add_edge(action_priority, a, relation="groups")
        for theme in themes:
            if theme not in g:
                g.add_node(theme, kind="theme", **labels.both(theme))
            g.add_edge(a, theme, relation="theme")
        effects = sorted(own[str(SL.hasEffect)])
        for effect in effects:
            if effect not in g:
                g.add_node(effect, kind="effect", row=effect_rows.get(effect, ""), **labels.both(effect))
            g.add_edge(a, effect, relation="has_effect")
            for target in targets:
                _ensure_target(g, labels, target)
                g.add_edge(effect, target, relation="serves")
        if not effects:  # the shapes forbid this; keep the link visible all the same
            for target in targets:
                _ensure_target(g, labels, target)
                g.add_edge(a, target, relation="serves")
    g.graph["involved_labels"] = {
        i: labels.both(i) for _, d in g.nodes(data=True) if d["kind"] == "action" for i in d["involves"]
    }
    _mark_coverage(g)
    _mark_status(g, source, plan, settings, period)
    return g


def _mark_status(g: nx.DiGraph, source: Queryable, plan: str, settings: Settings | None, period: str | None) -> None:
    periods = followup_periods(source, plan, settings)
    g.graph["periods"] = periods
    period = choose_period(periods, period)
    if period is None:
        return
    g.graph["period"] = period
    g.graph["period_label"] = next((p["label"] for p in periods if p["iri"] == period), period)
    view = queries.views(settings)["followup-status"]
    found = queries.rows(queries.run(source, view, {"plan": plan, "period": period}, settings=settings))
    status = {str(r["action"]): _iri(r["statusNotation"]) for r in found}
    for node, data in g.nodes(data=True):
        if data["kind"] == "action":
            data["status"] = status.get(node, "")
    for node, data in g.nodes(data=True):
        if data["kind"] == "goal":
            direct = actions_reaching(g, node, via_narrower=False)
            data["done"] = any(g.nodes[a].get("status") == "genomförd" for a in direct)


def _ensure_target(g: nx.DiGraph, labels: _Labels, target: str) -> None:
    """A link target outside the catalogue (invalid data) still gets a node, of kind ``unknown``."""
    if target not in g:
        g.add_node(target, kind="unknown", **labels.both(target))


def actions_reaching(g: nx.DiGraph, node: str, *, via_narrower: bool) -> set[str]:
    """Actions with a path to ``node`` through effects (and, if asked, through narrower goals)."""
    found: set[str] = set()
    stack = [node]
    seen = {node}
    while stack:
        current = stack.pop()
        for pred in g.predecessors(current):
            kind = g.nodes[pred]["kind"]
            relation = g.edges[pred, current]["relation"]
            if kind == "action" and relation == "serves":
                found.add(pred)
            elif kind == "effect":
                found.update(p for p in g.predecessors(pred) if g.nodes[p]["kind"] == "action")
            elif kind == "goal" and relation == "broader" and via_narrower and pred not in seen:
                seen.add(pred)
                stack.append(pred)
    return found


def _mark_coverage(g: nx.DiGraph) -> None:
    for node, data in g.nodes(data=True):
        if data["kind"] != "goal":
            continue
        direct = actions_reaching(g, node, via_narrower=False)
        total = actions_reaching(g, node, via_narrower=True)
        data["actions"] = len(direct)
        data["coverage"] = "direct" if direct else ("indirect" if total else "none")


@dataclass(frozen=True)
class Coverage:
    goals: int
    directly_covered: int
    covered: int
    strategy_actions: int


def coverage_by_strategy(g: nx.DiGraph) -> dict[str, Coverage]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _, data in g.nodes(data=True):
        if data["kind"] == "goal":
            c = counts[data["strategy"]]
            c[0] += 1
            c[1] += data["coverage"] == "direct"
            c[2] += data["coverage"] != "none"
    return {
        s: Coverage(c[0], c[1], c[2], len(actions_reaching(g, s, via_narrower=False)) if s in g else 0)
        for s, c in sorted(counts.items())
    }


def gaps(g: nx.DiGraph) -> list[str]:
    """Goals no action reaches, directly or through narrower goals."""
    return sorted(n for n, d in g.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "none")


def actions_per(g: nx.DiGraph, kind: str) -> dict[str, int]:
    """Number of actions linked to each node of ``kind`` (priority: out-degree; theme: in-degree;
    goal and strategy: actions reaching it directly)."""
    out: dict[str, int] = {}
    for node, data in g.nodes(data=True):
        if data["kind"] != kind:
            continue
        if kind == "priority":
            out[node] = sum(1 for s in g.successors(node) if g.nodes[s]["kind"] == "action")
        elif kind == "theme":
            out[node] = g.in_degree(node)
        else:
            out[node] = len(actions_reaching(g, node, via_narrower=False))
    return out


def actions_without_goals(g: nx.DiGraph) -> list[str]:
    return sorted(
        n
        for n, d in g.nodes(data=True)
        if d["kind"] == "action"
        and not any(g.edges[n, s]["relation"] == "serves" for s in g.successors(n))
        and not any(
            g.nodes[t]["kind"] in ("goal", "strategy")
            for e in g.successors(n)
            if g.nodes[e]["kind"] == "effect"
            for t in g.successors(e)
        )
    )


def degree_centrality(g: nx.DiGraph, top: int = 10) -> list[tuple[str, float]]:
    ranking = nx.degree_centrality(g)
    return sorted(ranking.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def layer(g: nx.DiGraph) -> dict[str, int]:
    """Column of each node for a left-to-right layout: goals sit by depth, strategies last."""
    depth: dict[str, int] = {}
    for node, data in g.nodes(data=True):
        if data["kind"] == "goal":
            d, current = 0, node
            while True:
                ups = [s for s in g.successors(current) if g.edges[current, s]["relation"] == "broader"]
                if not ups or d > len(g):
                    break
                current, d = ups[0], d + 1
            depth[node] = d
    deepest = max(depth.values(), default=0)
    columns = {"priority": 0, "action": 1, "effect": 2, "theme": 3, "unknown": 3}
    result = {}
    for node, data in g.nodes(data=True):
        kind = data["kind"]
        if kind == "goal":
            result[node] = 4 + deepest - depth[node]
        elif kind == "strategy":
            result[node] = 5 + deepest
        else:
            result[node] = columns[kind]
    return result


def positions(g: nx.DiGraph, column_width: int = 360, row_height: int = 48) -> dict[str, tuple[int, int]]:
    """Precomputed left-to-right positions, so that a browser need not run a layout or physics.

    Columns come from :func:`layer`; every column is spread over the same height. Actions follow
    their priority and row, goals their strategy and place in its hierarchy (their IRI path), and
    themes and strategies sit level with the mean of what they are linked to, which keeps edges short.
    """
    columns = layer(g)
    by_column: dict[int, list[str]] = defaultdict(list)
    for node, column in columns.items():
        by_column[column].append(node)
    height = max(len(nodes) for nodes in by_column.values()) * row_height
    y: dict[str, float] = {}

    def strategy_label(node: str) -> str:
        data = g.nodes[node]
        owner = data.get("strategy", node)
        return str(g.nodes[owner]["label"]) if owner in g else owner

    def mean_y(node: str, neighbours: Iterable[str]) -> float:
        placed = [y[n] for n in neighbours if n in y]
        return sum(placed) / len(placed) if placed else float("inf")

    def spread(column: int, ordered: list[str]) -> None:
        step = height / max(len(ordered), 1)
        for i, node in enumerate(ordered):
            y[node] = step * (i + 0.5)

    for column in sorted(by_column):
        nodes = by_column[column]
        kinds = {g.nodes[n]["kind"] for n in nodes}
        if kinds <= {"theme", "unknown"} or kinds == {"strategy"}:
            nodes.sort(key=lambda n: (mean_y(n, g.predecessors(n)), n))
        elif "goal" in kinds:
            nodes.sort(key=lambda n: (strategy_label(n), n))
        else:
            nodes.sort()
        spread(column, nodes)
    return {n: (columns[n] * column_width, round(y[n])) for n in g.nodes}
