"""The networkx alignment view agrees with the SPARQL answers."""

from __future__ import annotations

import networkx as nx
import pytest
from rdflib import Dataset

from strategylinks import network, queries

from .conftest import GK, PLAN_2022


@pytest.fixture(scope="module")
def view(dataset: Dataset) -> nx.DiGraph:
    return network.alignment_graph(dataset, PLAN_2022)


def sparql(dataset: Dataset, name: str) -> list[dict[str, str]]:
    return [
        {k: str(v) for k, v in row.items() if v is not None}
        for row in queries.rows(queries.run(dataset, name, {"plan": PLAN_2022}))
    ]


def test_shape_of_the_view(view: nx.DiGraph) -> None:
    kinds = nx.get_node_attributes(view, "kind")
    count = {k: sum(1 for v in kinds.values() if v == k) for k in set(kinds.values())}
    assert count["priority"] == 3
    assert count["action"] == 17
    assert count["effect"] == 25
    assert count["theme"] == 29
    assert count["goal"] == 122  # strategy elements (målbild, cross-cutting themes) are not goals
    assert "unknown" not in count
    relations = {d["relation"] for _, _, d in view.edges(data=True)}
    assert relations == {"groups", "has_effect", "serves", "theme", "broader", "in"}
    # priority → action → effect → goal → … → strategy
    assert nx.has_path(
        view,
        "https://w3id.org/strategylinks/id/strategi/internationell-strategi/prioritering-1",
        GK.rstrip("/"),
    )


def test_coverage_agrees_with_sparql(view: nx.DiGraph, dataset: Dataset) -> None:
    ours = network.coverage_by_strategy(view)
    theirs = sparql(dataset, "strategy-coverage")
    assert len(theirs) == len(ours)
    for row in theirs:
        c = ours[row["strategy"]]
        assert (c.goals, c.directly_covered, c.covered, c.strategy_actions) == (
            int(row["goals"]),
            int(row["directlyCovered"]),
            int(row["covered"]),
            int(row["strategyActions"]),
        ), row["strategy"]


def test_gaps_agree_with_sparql(view: nx.DiGraph, dataset: Dataset) -> None:
    rows = sparql(dataset, "goals-lacking-actions")
    assert network.gaps(view) == sorted(r["goal"] for r in rows if r["coverage"] == "none")
    indirect = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "indirect")
    assert indirect == sorted(r["goal"] for r in rows if r["coverage"] == "indirect")


def test_degrees_agree_with_sparql(view: nx.DiGraph, dataset: Dataset) -> None:
    per_priority = network.actions_per(view, "priority")
    assert per_priority == {r["priority"]: int(r["actions"]) for r in sparql(dataset, "actions-per-priority")}
    per_theme = network.actions_per(view, "theme")
    assert per_theme == {r["theme"]: int(r["actions"]) for r in sparql(dataset, "themes")}
    support = {**network.actions_per(view, "goal"), **network.actions_per(view, "strategy")}
    for row in sparql(dataset, "most-supported-goals"):
        assert support[row["target"]] == int(row["actions"]), row["target"]
    assert network.actions_without_goals(view) == sorted(r["action"] for r in sparql(dataset, "actions-without-goals"))


def test_layout_columns(view: nx.DiGraph) -> None:
    columns = network.layer(view)
    for source, target, data in view.edges(data=True):
        assert columns[source] < columns[target], (source, target, data)


def test_degree_centrality_is_deterministic(view: nx.DiGraph) -> None:
    top = network.degree_centrality(view, 5)
    assert top == network.degree_centrality(view, 5)
    assert len(top) == 5
