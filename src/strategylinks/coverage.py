"""Coverage as goal hierarchies, read from the alignment view: each strategy's goal tree with the
coverage of every goal and the actions serving it, and the part of the tree that holds the gaps. The
dashboard, the drill-down page and the resource pages use it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .network import actions_reaching
from .reports import natural_key


@dataclass
class GoalNode:
    """One goal of a strategy's tree: its coverage, the actions serving it directly, the number that
    reach it only through narrower goals, and its narrower goals."""

    iri: str
    data: dict[str, Any]
    actions: list[str]
    via_narrower: int
    children: list[GoalNode] = field(default_factory=list)

    @property
    def coverage(self) -> str:
        return str(self.data["coverage"])

    @property
    def gap(self) -> bool:
        return self.coverage == "none"

    def walk(self) -> Iterable[GoalNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def _sort_key(g: nx.DiGraph, node: str) -> tuple[Any, ...]:
    return (natural_key(g.nodes[node].get("notation") or ""), natural_key(node))


def goal_tree(g: nx.DiGraph, strategy: str) -> list[GoalNode]:
    """The strategy's goals as trees (top goals first, in notation order)."""
    made: dict[str, GoalNode] = {}

    def node(goal: str) -> GoalNode:
        if goal not in made:
            direct = sorted(actions_reaching(g, goal, via_narrower=False), key=natural_key)
            total = actions_reaching(g, goal, via_narrower=True)
            made[goal] = GoalNode(goal, g.nodes[goal], direct, len(total - set(direct)))
            narrower = [
                c
                for c in g.predecessors(goal)
                if g.nodes[c]["kind"] == "goal" and g.edges[c, goal]["relation"] == "broader"
            ]
            made[goal].children = [node(c) for c in sorted(narrower, key=lambda c: _sort_key(g, c))]
        return made[goal]

    goals = [n for n, d in g.nodes(data=True) if d["kind"] == "goal" and d["strategy"] == strategy]
    # Top goals: those whose broader goal is not a goal of the view (normally: linked to the strategy).
    tops = [
        n
        for n in goals
        if not any(g.nodes[b]["kind"] == "goal" and g.edges[n, b]["relation"] == "broader" for b in g.successors(n))
    ]
    return [node(t) for t in sorted(tops, key=lambda t: _sort_key(g, t))]


def prune(trees: list[GoalNode], keep: Any) -> list[GoalNode]:
    """The trees cut down to the goals ``keep(node)`` accepts and their broader goals (as context)."""
    out = []
    for tree in trees:
        children = prune(tree.children, keep)
        if children or keep(tree):
            out.append(GoalNode(tree.iri, tree.data, tree.actions, tree.via_narrower, children))
    return out


def levels(g: nx.DiGraph) -> list[tuple[str, str]]:
    """The goal levels of the view (Swedish and English names), in order of first appearance."""
    seen: dict[str, str] = {}
    for _, d in sorted(g.nodes(data=True), key=lambda nd: natural_key(nd[0])):
        if d["kind"] == "goal" and d.get("level") and d["level"] not in seen:
            seen[d["level"]] = d.get("level_en") or d["level"]
    return list(seen.items())


def broader_chain(g: nx.DiGraph, goal: str) -> list[str]:
    """The goal's strategy and broader goals, outermost first (the breadcrumb to it)."""
    chain: list[str] = []
    current = goal
    while True:
        up = [b for b in g.successors(current) if g.edges[current, b]["relation"] in ("broader", "in")]
        if not up or up[0] in chain:
            break
        chain.append(up[0])
        current = up[0]
    strategy = g.nodes[goal].get("strategy")
    if strategy and strategy not in chain and strategy in g:
        chain.append(strategy)
    return chain[::-1]


def about(g: nx.DiGraph, node: str) -> dict[str, Any] | None:
    """What the plan's view says about one node, as IRIs: for a goal its coverage, the insatser serving
    it (directly, and through narrower goals), its breadcrumb and narrower goals; for an insats its
    row, priority, effects, goals and themes; for an effect its insatser and goals; for a strategy or
    a priority what it holds. ``None`` if the node is not in the view."""
    if node not in g:
        return None
    data = g.nodes[node]
    kind = data["kind"]

    def related(nodes: Iterable[str], *kinds: str) -> list[str]:
        return sorted({n for n in nodes if g.nodes[n]["kind"] in kinds}, key=natural_key)

    out: dict[str, Any] = {"kind": kind}
    if kind == "goal":
        direct = sorted(actions_reaching(g, node, via_narrower=False), key=natural_key)
        total = actions_reaching(g, node, via_narrower=True)
        out |= {
            "coverage": data["coverage"],
            "actions": direct,
            "via_narrower": sorted(total - set(direct), key=natural_key),
            "breadcrumb": broader_chain(g, node),
            "narrower": sorted(
                (c for c in g.predecessors(node) if g.edges[c, node]["relation"] == "broader"),
                key=lambda c: _sort_key(g, c),
            ),
        }
    elif kind == "action":
        effects = related(g.successors(node), "effect")
        targets = [t for e in effects for t in g.successors(e)] + list(g.successors(node))
        out |= {
            "priority": data.get("priority") or None,
            "row": data.get("row") or None,
            "effects": effects,
            "goals": related(targets, "goal", "strategy", "unknown"),
            "themes": related(g.successors(node), "theme"),
            "status": data.get("status"),
        }
    elif kind == "effect":
        out |= {
            "actions": related(g.predecessors(node), "action"),
            "goals": related(g.successors(node), "goal", "strategy", "unknown"),
        }
    elif kind == "strategy":
        goals = [n for n, d in g.nodes(data=True) if d["kind"] == "goal" and d["strategy"] == node]
        out |= {
            "goals": len(goals),
            "gaps": sum(1 for n in goals if g.nodes[n]["coverage"] == "none"),
            "complete": data.get("complete"),
        }
    elif kind in ("priority", "theme"):
        out["actions"] = related(list(g.successors(node)) + list(g.predecessors(node)), "action")
    return out
