"""What the network says about a plan, computed on its alignment graph (networkx):

- **bridges**: the insatser that link strategies to each other, ranked by betweenness centrality
  restricted to paths between strategies (an insats on many shortest paths from one strategy to
  another is what holds them together in the plan);
- **overlap**: which strategies share insatser, as a strategy × strategy matrix of the number of
  insatser serving a goal of both (the diagonal: the insatser serving the strategy at all);
- **fragile**: the goals that depend on a single insats (exactly one serves them directly);
- **clusters**: groups of insatser that share goals and themes (greedy modularity communities on a
  graph of insatser weighted by what they share; deterministic).

"Serving" is direct, as in the gap report: an insats serves a goal when one of its effects (or the
insats itself) is linked to the goal, and serves a strategy through its goals or the strategy as a
whole.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from .network import actions_reaching

KINDS = ("bridges", "overlap", "fragile", "clusters")


@dataclass(frozen=True)
class Bridge:
    iri: str
    label: str
    score: float
    strategies: tuple[str, ...]  # the strategies it serves (IRIs)


@dataclass(frozen=True)
class FragileGoal:
    iri: str
    label: str
    strategy: str
    strategy_label: str
    action: str
    action_label: str


@dataclass(frozen=True)
class Cluster:
    number: int
    actions: tuple[str, ...]
    labels: tuple[str, ...]
    shared_goals: tuple[str, ...]  # goals served by at least two of its insatser, most shared first
    shared_themes: tuple[str, ...]


@dataclass
class NetworkReport:
    plan: str
    strategies: dict[str, str]  # IRI → label, of the strategies any insats serves
    bridges: list[Bridge] = field(default_factory=list)
    overlap: dict[str, dict[str, int]] = field(default_factory=dict)
    fragile: list[FragileGoal] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def as_json(self, kind: str | None = None) -> dict[str, Any]:
        whole: dict[str, Any] = {
            "plan": self.plan,
            "strategies": [{"iri": k, "label": v} for k, v in self.strategies.items()],
            "bridges": [asdict(b) for b in self.bridges],
            "overlap": self.overlap,
            "fragile": [asdict(f) for f in self.fragile],
            "clusters": [asdict(c) for c in self.clusters],
        }
        if kind is None:
            return whole
        return {"plan": self.plan, "strategies": whole["strategies"], kind: whole[kind]}


def _served(g: nx.DiGraph) -> dict[str, set[str]]:
    """Each insats → the goals it serves directly."""
    served: dict[str, set[str]] = defaultdict(set)
    for node, data in g.nodes(data=True):
        if data["kind"] == "goal":
            for action in actions_reaching(g, node, via_narrower=False):
                served[action].add(node)
    return served


def _strategies_of(g: nx.DiGraph, served: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each insats → the strategies it serves (through its goals, or the strategy as a whole)."""
    out: dict[str, set[str]] = defaultdict(set)
    for action, goals in served.items():
        out[action] |= {g.nodes[goal]["strategy"] for goal in goals if g.nodes[goal]["strategy"] in g}
    for node, data in g.nodes(data=True):
        if data["kind"] == "strategy":
            for action in actions_reaching(g, node, via_narrower=False):
                out[action].add(node)
    return out


def analyse(g: nx.DiGraph) -> NetworkReport:
    actions = sorted(n for n, d in g.nodes(data=True) if d["kind"] == "action")
    served = _served(g)
    by_action = _strategies_of(g, served)
    strategies = sorted({s for ss in by_action.values() for s in ss})
    report = NetworkReport(plan=g.graph["plan"], strategies={s: g.nodes[s]["label"] for s in strategies})

    # Bridges: betweenness on the undirected graph of insatser, goals and strategies, counting only
    # the shortest paths from one strategy to another.
    linked = nx.Graph()
    for action in actions:
        for goal in served.get(action, ()):
            linked.add_edge(action, goal)
            linked.add_edge(goal, g.nodes[goal]["strategy"])
        for strategy in by_action.get(action, ()):
            if not any(g.nodes[goal]["strategy"] == strategy for goal in served.get(action, ())):
                linked.add_edge(action, strategy)  # the strategy as a whole
    present = [s for s in strategies if s in linked]
    scores = nx.betweenness_centrality_subset(linked, sources=present, targets=present, normalized=False)
    pairs = max(len(present) * (len(present) - 1) / 2, 1)
    report.bridges = sorted(
        (
            Bridge(a, g.nodes[a]["label"], round(scores.get(a, 0.0) / pairs, 6), tuple(sorted(by_action[a])))
            for a in actions
            if scores.get(a, 0.0) > 0
        ),
        key=lambda b: (-b.score, b.label, b.iri),
    )

    # Overlap: insatser serving both strategies (the diagonal: serving the strategy at all).
    report.overlap = {s: {t: 0 for t in strategies} for s in strategies}
    for action in actions:
        mine = sorted(by_action.get(action, ()))
        for s in mine:
            report.overlap[s][s] += 1
        for s, t in combinations(mine, 2):
            report.overlap[s][t] += 1
            report.overlap[t][s] += 1

    # Fragile coverage: goals that exactly one insats serves directly.
    for node, data in sorted(g.nodes(data=True), key=lambda nd: nd[0]):
        if data["kind"] != "goal":
            continue
        direct = actions_reaching(g, node, via_narrower=False)
        if len(direct) == 1:
            (only,) = direct
            strategy = data["strategy"]
            label = g.nodes[strategy]["label"] if strategy in g else strategy
            report.fragile.append(FragileGoal(node, data["label"], strategy, label, only, g.nodes[only]["label"]))
    report.fragile.sort(key=lambda f: (f.strategy_label, f.iri))

    # Clusters: insatser weighted by the goals and themes they share.
    themes = {a: set(g.nodes[a].get("themes", ())) for a in actions}
    shared = nx.Graph()
    shared.add_nodes_from(actions)
    for a, b in combinations(actions, 2):
        weight = len(served.get(a, set()) & served.get(b, set())) + len(themes[a] & themes[b])
        if weight:
            shared.add_edge(a, b, weight=weight)
    groups = nx.community.greedy_modularity_communities(shared, weight="weight") if shared.number_of_edges() else []
    ordered = sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c))
    clustered = {a for c in ordered for a in c}
    ordered += [[a] for a in actions if a not in clustered]
    for number, members in enumerate(ordered, start=1):
        goal_count: dict[str, int] = defaultdict(int)
        theme_count: dict[str, int] = defaultdict(int)
        for a in members:
            for goal in served.get(a, ()):
                goal_count[goal] += 1
            for theme in themes[a]:
                theme_count[theme] += 1
        report.clusters.append(
            Cluster(
                number,
                tuple(members),
                tuple(g.nodes[a]["label"] for a in members),
                tuple(k for k, n in sorted(goal_count.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1),
                tuple(k for k, n in sorted(theme_count.items(), key=lambda kv: (-kv[1], kv[0])) if n > 1),
            )
        )
    return report


# ------------------------------------------------------------------ rendering


def render_json(report: NetworkReport, kind: str | None = None) -> str:
    return json.dumps(report.as_json(kind), ensure_ascii=False, indent=2)


def render_markdown(report: NetworkReport, g: nx.DiGraph, kind: str | None = None) -> str:
    """The analyses as Markdown, in Swedish."""

    def name(iri: str) -> str:
        return str(g.nodes[iri]["label"]).replace("|", "\\|") if iri in g else iri

    out: list[str] = [f"# Vad nätverket säger om {g.graph.get('plan_label', report.plan)}", ""]
    if kind in (None, "bridges"):
        out += ["## Brobyggande insatser", "", "Insatser som förbinder strategier (betweenness mellan strategier).", ""]
        out += ["| insats | poäng | strategier |", "|---|---:|---|"]
        out += [
            f"| {name(b.iri)} | {b.score:.3f} | {'; '.join(name(s) for s in b.strategies)} |" for b in report.bridges
        ]
        out.append("")
    if kind in (None, "overlap"):
        keys = list(report.strategies)
        out += ["## Strategier som delar insatser", "", "Antal insatser som tjänar mål i båda strategierna.", ""]
        out += ["| strategi | " + " | ".join(str(i + 1) for i in range(len(keys))) + " |"]
        out += ["|---|" + "---:|" * len(keys)]
        for i, s in enumerate(keys):
            out.append(f"| {i + 1}. {name(s)} | " + " | ".join(str(report.overlap[s][t]) for t in keys) + " |")
        out.append("")
    if kind in (None, "fragile"):
        out += ["## Mål som hänger på en enda insats", "", "| strategi | mål | insats |", "|---|---|---|"]
        out += [f"| {name(f.strategy)} | {name(f.iri)} | {name(f.action)} |" for f in report.fragile]
        out.append("")
    if kind in (None, "clusters"):
        out += ["## Grupper av insatser med gemensamma mål och teman", ""]
        for c in report.clusters:
            out.append(f"### Grupp {c.number} ({len(c.actions)} insatser)")
            out += [f"- {name(a)}" for a in c.actions]
            if c.shared_goals:
                out.append("- gemensamma mål: " + "; ".join(name(x) for x in c.shared_goals))
            if c.shared_themes:
                out.append("- gemensamma teman: " + "; ".join(name(x) for x in c.shared_themes))
            out.append("")
    return "\n".join(out).rstrip() + "\n"
