"""What the network says: bridges, overlap, fragile goals and clusters, checked on a graph small enough to
compute by hand and against the SPARQL answers where both can answer."""

from __future__ import annotations

import json

import httpx
import networkx as nx
import pytest
from rdflib import Dataset

from strategylinks import analysis, network, queries
from strategylinks.cli import main
from strategylinks.config import Settings
from strategylinks.store import memory_store

from .conftest import PLAN_2022


def tiny() -> nx.DiGraph:
    """Strategies A, B, C with one goal each; x serves a and b, y serves b and c, z serves nothing."""
    g = nx.DiGraph(plan="urn:plan")
    for s in "ABC":
        g.add_node(s, kind="strategy", label=s)
        g.add_node(s.lower(), kind="goal", label=s.lower(), strategy=s)
        g.add_edge(s.lower(), s, relation="in")
    for action, goals, themes in (("x", "ab", ["t"]), ("y", "bc", ["t"]), ("z", "", ["u"])):
        g.add_node(action, kind="action", label=action, themes=themes)
        g.add_node(action + "-e", kind="effect", label=action + "-e")
        g.add_edge(action, action + "-e", relation="has_effect")
        for goal in goals:
            g.add_edge(action + "-e", goal, relation="serves")
    return g


def test_the_analyses_by_hand() -> None:
    report = analysis.analyse(tiny())
    # A-B runs through x, B-C through y, A-C through both: each lies on 2 of the 3 strategy pairs.
    assert [(b.iri, b.score) for b in report.bridges] == [("x", pytest.approx(2 / 3)), ("y", pytest.approx(2 / 3))]
    assert report.overlap == {
        "A": {"A": 1, "B": 1, "C": 0},
        "B": {"A": 1, "B": 2, "C": 1},
        "C": {"A": 0, "B": 1, "C": 1},
    }
    assert [(f.iri, f.action) for f in report.fragile] == [("a", "x"), ("c", "y")]
    assert [c.actions for c in report.clusters] == [("x", "y"), ("z",)]
    assert report.clusters[0].shared_goals == ("b",) and report.clusters[0].shared_themes == ("t",)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_fragile_and_overlap_agree_with_sparql(engine: str, dataset: Dataset, settings: Settings) -> None:
    source = dataset if engine == "rdflib" else memory_store(settings)
    report = analysis.analyse(network.alignment_graph(source, PLAN_2022, settings))
    fragile = queries.rows(queries.run(source, "fragile-goals", {"plan": PLAN_2022}))
    assert {(str(r["goal"]), str(r["action"])) for r in fragile} == {(f.iri, f.action) for f in report.fragile}
    assert len(report.fragile) == 5
    overlap = queries.rows(queries.run(source, "strategy-overlap", {"plan": PLAN_2022}))
    assert {(str(r["strategy"]), str(r["other"])): int(r["actions"]) for r in overlap} == {
        (s, t): n for s, row in report.overlap.items() for t, n in row.items() if n
    }
    # Every bridge serves at least two strategies; every insats is in exactly one cluster.
    assert report.bridges and all(len(b.strategies) >= 2 for b in report.bridges)
    members = [a for c in report.clusters for a in c.actions]
    assert sorted(members) == sorted(
        n for n, d in network.alignment_graph(source, PLAN_2022).nodes(data=True) if d["kind"] == "action"
    )


def test_cli_and_api(capsys: pytest.CaptureFixture[str], followed_server: str, settings: Settings) -> None:
    assert main(["network", "all", "--format", "json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert set(whole) == {"plan", "strategies", "bridges", "overlap", "fragile", "clusters"}
    assert main(["network", "clusters"]) == 0
    text = capsys.readouterr().out
    assert "## Grupper av insatser" in text and "### Grupp 1" in text
    api = httpx.get(followed_server + "/api/network", params={"plan": PLAN_2022}).json()
    assert api["fragile"] == whole["fragile"] and api["overlap"] == whole["overlap"]
    only = httpx.get(followed_server + "/api/network", params={"kind": "bridges"}).json()
    assert set(only) == {"plan", "strategies", "bridges"}
    assert httpx.get(followed_server + "/api/network", params={"kind": "nonsense"}).status_code == 400
