"""The follow-up and indicator queries: the same answers on rdflib and Oxigraph, and the answers a
direct reading of the graph gives (the example follow-up of 2022 and fictional Kolada values)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from strategylinks import queries
from strategylinks.config import Settings
from strategylinks.graph import union
from strategylinks.indicators import OBS_VALUE, REF_AREA, REF_PERIOD
from strategylinks.namespaces import QB, SL
from strategylinks.store import memory_store

from .conftest import ID, MEASURED_GOAL, PLAN_2022, ROW_1, SPRING_PERIOD, need
from .stores import oxigraph_command, oxigraph_server, virtuoso_command, virtuoso_server

PERIOD = ID + "period/2022"
PERIODS = (PERIOD, ID + "period/" + SPRING_PERIOD)
FOLLOWUP_QUERIES = ("status-per-priority", "paper-coverage", "effects-without-indicators", "indicator-trends")
FOLLOWUP_QUERIES += ("plan-vs-outcome",)


def rows(source: object, name: str, **params: str) -> list[dict[str, str]]:
    result = queries.run(source, name, params)  # type: ignore[arg-type]
    return [{k: str(v) for k, v in row.items() if v is not None} for row in queries.rows(result)]


def normalised(found: list[dict[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    # GROUP_CONCAT's order is not defined by SPARQL.
    return sorted(tuple(sorted((k, ", ".join(sorted(v.split(", ")))) for k, v in r.items())) for r in found)


@pytest.fixture(scope="module")
def graph(followed: Dataset) -> Graph:
    return union(followed)


def statuses(graph: Graph, period: str) -> dict[URIRef, URIRef]:
    """Each action's status in the period, read off the graph."""
    found: dict[URIRef, URIRef] = {}
    for followup in graph.subjects(RDF.type, SL.FollowUp):
        if graph.value(followup, DCTERMS.temporal) == URIRef(period):
            found[graph.value(followup, SL.followUpOf)] = graph.value(followup, SL.status)  # type: ignore[index,assignment]
    return found


@pytest.fixture(scope="module")
def status(graph: Graph) -> dict[URIRef, URIRef]:
    return statuses(graph, PERIOD)


def actions(graph: Graph) -> list[URIRef]:
    return [a for a in graph.subjects(SL.inPlan, URIRef(PLAN_2022)) if (a, RDF.type, SL.Action) in graph]


@pytest.mark.parametrize("name", FOLLOWUP_QUERIES)
def test_rdflib_and_oxigraph_agree(name: str, followed: Dataset, followed_data: Path) -> None:
    store = memory_store(Settings(data_dir=followed_data))
    for params in ({"plan": PLAN_2022}, {}):
        declared = {p.name for p in queries.available()[name].params}
        bound = {k: v for k, v in params.items() if k in declared}
        expected = normalised(rows(followed, name, **bound))
        assert expected, (name, bound)
        assert normalised(rows(store, name, **bound)) == expected


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_remote_stores_agree(
    kind: str, followed: Dataset, followed_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The follow-up and indicator queries with all their parameters bound, on a real Oxigraph server and
    a real Virtuoso holding the followed-up data, give rdflib's answers."""
    import os

    from strategylinks.cli import main
    from strategylinks.store import RemoteStore

    command, start = (
        (oxigraph_command(), oxigraph_server) if kind == "oxigraph" else (virtuoso_command(), virtuoso_server)
    )
    need(command is not None, f"{kind} is not installed")
    (tmp_path / kind).mkdir()
    with start(tmp_path / kind) as endpoint:
        for key, value in endpoint.env.items():
            monkeypatch.setenv(key, value)
        assert main(["publish", "--data-dir", str(followed_data), *endpoint.args()]) == 0
        store = RemoteStore(
            Settings().base_iri,
            endpoint.endpoint,
            update_endpoint=endpoint.update_endpoint,
            user=os.environ.get("STRATEGYLINKS_ENDPOINT_USER"),
            password=os.environ.get("STRATEGYLINKS_ENDPOINT_PASSWORD"),
        )
        with store:
            for name in (*FOLLOWUP_QUERIES, "fragile-goals", "strategy-overlap"):
                declared = {p.name for p in queries.available()[name].params}
                every = {"plan": PLAN_2022, "period": PERIOD, "goal": ID + MEASURED_GOAL}
                for params in ({k: v for k, v in every.items() if k in declared}, {"plan": PLAN_2022}):
                    expected = normalised(rows(followed, name, **params))
                    assert normalised(rows(store, name, **params)) == expected, (name, params)


@pytest.mark.parametrize("period", PERIODS)
def test_status_per_priority(followed: Dataset, graph: Graph, period: str) -> None:
    status = statuses(graph, period)
    expected: Counter[tuple[str, str]] = Counter()
    for action in actions(graph):
        expected[(str(graph.value(action, SL.planPriority)), str(status.get(action, "")))] += 1
    found = rows(followed, "status-per-priority", plan=PLAN_2022, period=period)
    assert {(r["priority"], r.get("status", "")): int(r["actions"]) for r in found} == expected
    assert sum(expected.values()) == 17
    # Not followed up: the one row of the 2022 example without a status; all but one in spring 2023.
    assert sum(n for (_, s), n in expected.items() if not s) == (1 if period == PERIOD else 16)
    if period == PERIOD:
        assert expected[(ID + "strategi/internationell-strategi/prioritering-1", str(SL.Cancelled))] >= 1
        assert {"Inställd", "Genomförd", "Pågående"} <= {r.get("statusLabel") for r in found}
    # Unbound, the period is every period with follow-ups of the plan.
    every = rows(followed, "status-per-priority", plan=PLAN_2022)
    assert normalised([r for r in every if r["period"] == period]) == normalised(found)


def test_paper_coverage(followed: Dataset, graph: Graph, status: dict[URIRef, URIRef]) -> None:
    paper = {SL.Cancelled, SL.Postponed}
    serving: dict[URIRef, set[URIRef]] = defaultdict(set)
    for action in actions(graph):
        for goal in graph.objects(action, SL.contributesTo):
            if (goal, RDF.type, SL.StrategyGoal) in graph:
                serving[goal].add(action)  # type: ignore[arg-type]
    expected = {str(g) for g, acts in serving.items() if all(status.get(a) in paper for a in acts)}
    found = rows(followed, "paper-coverage", plan=PLAN_2022, period=PERIOD)
    assert {r["goal"] for r in found} == expected
    # Row 1 of priority 1 (three insatser, all cancelled or postponed in the example) serves goals no
    # other row serves, and innovationsgrad, which priority 1 row 5 serves too.
    assert ID + "strategi/smalands-skogsstrategi/mal-2" in expected
    assert ID + MEASURED_GOAL not in expected
    row = next(r for r in found if r["goal"] == ID + "strategi/smalands-skogsstrategi/mal-2")
    assert row["actions"] == "3" and set(row["statuses"].split(", ")) == {"inställd", "senarelagd"}


def test_effects_without_indicators(followed: Dataset, graph: Graph) -> None:
    effects = {e for a in actions(graph) for e in graph.objects(a, SL.hasEffect)}
    measured = set(graph.objects(None, SL.measures))
    found = {r["effect"] for r in rows(followed, "effects-without-indicators", plan=PLAN_2022)}
    assert found == {str(e) for e in effects - measured}
    assert ID + ROW_1 + "/effekt-1" not in found and ID + ROW_1 + "/effekt-2" in found
    assert len(found) == 24


def test_indicator_trends(followed: Dataset, graph: Graph) -> None:
    values = {
        (str(graph.value(o, REF_AREA)), str(graph.value(o, REF_PERIOD))): float(graph.value(o, OBS_VALUE))  # type: ignore[arg-type]
        for o in graph.subjects(RDF.type, QB.Observation)
    }
    assert len(values) == 4  # the gender rows of the Kolada document are not read
    found = rows(followed, "indicator-trends", plan=PLAN_2022)
    direct = [r for r in found if r["via"] == "goal"]
    assert {r["goal"] for r in direct} == {ID + MEASURED_GOAL}
    assert {(r["area"], r["year"]): float(r["value"]) for r in direct} == values
    assert [r["year"] for r in direct if r["area"].endswith("kolada-0780")] == ["2021", "2022"]
    through = {r["goal"] for r in found if r["via"] == "effect"}
    row_goals = {
        str(g)
        for a in graph.subjects(SL.hasEffect, URIRef(ID + ROW_1 + "/effekt-1"))
        for g in graph.objects(a, SL.contributesTo)
    }
    assert through == {g for g in row_goals if (URIRef(g), RDF.type, SL.StrategyGoal) in graph}
    assert {r["unit"] for r in found} == {"procent"} and {r["notation"] for r in found} == {"N00000"}


def test_plan_vs_outcome(followed: Dataset, graph: Graph, status: dict[URIRef, URIRef]) -> None:
    planned: dict[str, set[str]] = defaultdict(set)
    done: dict[str, set[str]] = defaultdict(set)
    for action in actions(graph):
        for goal in graph.objects(action, SL.contributesTo):
            if (goal, RDF.type, SL.StrategyGoal) not in graph:
                continue
            strategy = str(graph.value(goal, SKOS.inScheme))
            planned[strategy].add(str(goal))
            if status.get(action) == SL.Completed:
                done[strategy].add(str(goal))
    found = rows(followed, "plan-vs-outcome", plan=PLAN_2022, period=PERIOD)
    assert {r["strategy"]: (int(r["plannedGoals"]), int(r["carriedOutGoals"])) for r in found} == {
        s: (len(planned[s]), len(done[s])) for s in planned
    }
    assert any(int(r["plannedGoals"]) > int(r["carriedOutGoals"]) for r in found)
