"""Each named query's answer against what a person reading the document counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef

from strategylinks import network, queries
from strategylinks.config import Settings
from strategylinks.errors import InputError, QueryError
from strategylinks.namespaces import SL
from strategylinks.reports import gap_report
from strategylinks.store import OxigraphStore

from .conftest import GK, ID, PLAN_2022


def run(dataset: Any, name: str, **params: str) -> list[dict[str, str | None]]:
    return [
        {k: (None if v is None else str(v)) for k, v in row.items()}
        for row in queries.rows(queries.run(dataset, name, params))
    ]


def test_every_query_has_a_header(settings: Settings) -> None:
    found = queries.available(settings)
    assert {
        "goals-lacking-actions",
        "strategy-coverage",
        "actions-without-goals",
        "actions-per-priority",
        "actions-per-network",
        "themes",
        "most-supported-goals",
        "plans",
        "stats",
    } <= set(found)
    for q in list(found.values()) + list(queries.checks(settings).values()):
        assert "|" in q.title, f"{q.name}: title needs Swedish | English"
        assert q.description, f"{q.name}: description missing"
        for p in q.params:
            assert f"?{p.name}" in q.text, f"{q.name}: parameter {p.name} not used"


def test_gk2025_priorities_1_and_2_lack_actions_3_and_4_do(dataset: Dataset) -> None:
    rows = {r["goal"]: r for r in run(dataset, "goals-lacking-actions", plan=PLAN_2022)}
    for n in (1, 2):
        assert rows[GK + f"prioritering-{n}"]["coverage"] == "none"
    for n in (3, 4):
        # Covered only through insatsområden: reported differently from no actions at all.
        assert rows[GK + f"prioritering-{n}"]["coverage"] == "indirect"
    assert GK + "prioritering-3/innovationsgrad" not in rows
    assert rows[GK + "prioritering-3"]["indirectActions"] == "4"  # 3 via row P1R1, 1 via P1R5
    assert rows[GK + "prioritering-4"]["indirectActions"] == "1"
    assert rows[GK + "omrade-1"]["coverage"] == "none"
    assert rows[GK + "omrade-2"]["coverage"] == "indirect"


def test_gap_report(dataset: Dataset) -> None:
    report = gap_report(dataset)
    assert report.plan == PLAN_2022
    gap_iris = {g.iri for g in report.gaps}
    assert {GK + "prioritering-1", GK + "prioritering-2"} <= gap_iris
    assert not {GK + "prioritering-3", GK + "prioritering-4"} & gap_iris
    assert {g.iri for g in report.indirect} >= {GK + "prioritering-3", GK + "prioritering-4", GK + "omrade-2"}
    # Skogsstrategin has six goals; the plan names only mål 2.
    skog = [g for g in report.gaps if g.strategy_iri == ID + "strategi/smalands-skogsstrategi"]
    assert sorted(g.notation for g in skog) == ["1", "3", "4", "5", "6"]
    # A strategy cited only as a whole: its goals are gaps, with the citation counted.
    nk = [g for g in report.gaps if g.strategy_iri == ID + "strategi/narmare-kronobergaren"]
    assert nk and all(g.strategy_actions == 2 for g in nk)
    assert len(report.actions_without_goals) == 9


def test_strategy_parameter(dataset: Dataset) -> None:
    rows = run(dataset, "goals-lacking-actions", plan=PLAN_2022, strategy=GK.rstrip("/"))
    assert rows and {r["strategy"] for r in rows} == {GK.rstrip("/")}


def test_coverage(dataset: Dataset) -> None:
    rows = {r["strategy"]: r for r in run(dataset, "strategy-coverage", plan=PLAN_2022)}
    gk = rows[GK.rstrip("/")]
    # Direct: the two insatsområden of P3 and the one of P4; covered: those, P3, P4 and område 2.
    assert (gk["directlyCovered"], gk["covered"], gk["complete"]) == ("3", "6", "false")
    skog = rows[ID + "strategi/smalands-skogsstrategi"]
    assert (skog["goals"], skog["directlyCovered"], skog["complete"]) == ("6", "1", "true")
    nk = rows[ID + "strategi/narmare-kronobergaren"]
    assert (nk["covered"], nk["strategyActions"]) == ("0", "2")


def test_actions_without_goals(dataset: Dataset) -> None:
    rows = run(dataset, "actions-without-goals", plan=PLAN_2022)
    priorities = sorted(r["priorityLabel"] for r in rows)
    # Every insats under påverkansarbete (5) and extern finansiering (4) names themes only.
    assert priorities == ["extern finansiering"] * 4 + ["påverkansarbete"] * 5
    assert all(int(r["themes"] or 0) >= 1 for r in rows)


def test_actions_per_priority(dataset: Dataset) -> None:
    rows = {r["notation"]: r for r in run(dataset, "actions-per-priority", plan=PLAN_2022)}
    assert {k: (r["rows"], r["actions"], r["effects"], r["actionsWithGoal"]) for k, r in rows.items()} == {
        "1": ("5", "8", "14", "8"),
        "2": ("5", "5", "5", "0"),
        "3": ("3", "4", "6", "0"),
    }


def test_actions_per_network(dataset: Dataset) -> None:
    rows = {r["involved"]: r for r in run(dataset, "actions-per-network", plan=PLAN_2022)}
    assert rows[ID + "org/sbhss"]["actions"] == "6"
    assert rows[ID + "org/sbhss"]["kind"] == "nätverk"
    assert rows[ID + "org/euroregion-baltic"]["actions"] == "5"
    assert rows[ID + "org/energy-cities"]["actions"] == "2"
    assert rows[ID + "strategi/interreg-south-baltic-2021-2027"]["actions"] == "3"
    assert rows[ID + "strategi/interreg-south-baltic-2021-2027"]["kind"] == "program"
    assert rows[ID + "projekt/umbrella-2-0"]["kind"] == "projekt"


def test_themes(dataset: Dataset) -> None:
    rows = {r["themeLabel"]: r for r in run(dataset, "themes", plan=PLAN_2022)}
    assert len(rows) == 29
    # grön omställning: P1 rows 1 (3 insatser) and 5, P2 rows 2–5, P3 rows 1 (2) and 2.
    assert (rows["grön omställning"]["actions"], rows["grön omställning"]["effects"]) == ("11", "12")
    assert (rows["dricksvattenförsörjning"]["actions"], rows["dricksvattenförsörjning"]["effects"]) == (
        "1",
        "3",
    )


def test_most_supported_goals(dataset: Dataset) -> None:
    rows = run(dataset, "most-supported-goals", plan=PLAN_2022)
    assert rows[0]["target"] == GK + "prioritering-3/innovationsgrad"
    assert rows[0]["actions"] == "4"
    counts = [int(r["actions"] or 0) for r in rows]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("name", ["actions-per-priority", "goals-lacking-actions", "strategy-coverage"])
def test_unbound_parameters_mean_every_plan(dataset: Dataset, name: str) -> None:
    # The shipped data has one plan, so every plan is that plan.
    unbound = run(dataset, name)
    assert unbound and unbound == run(dataset, name, plan=PLAN_2022)
    assert {r["plan"] for r in unbound if "plan" in r} <= {PLAN_2022}


def test_relative_iri_parameter(dataset: Dataset) -> None:
    relative = run(dataset, "themes", plan="plan/handlingsplan-internationellt-arbete-2022")
    assert relative == run(dataset, "themes", plan=PLAN_2022)


def test_parameter_values_are_bound_not_pasted(dataset: Dataset) -> None:
    # A value that would break the query text if pasted into it is just an IRI that matches nothing.
    with pytest.raises(InputError):
        run(dataset, "themes", plan="x> } SELECT * WHERE { ?s ?p ?o")
    assert run(dataset, "themes", plan="http://example.org/no-such-plan") == []


def test_unknown_query_and_parameter(dataset: Dataset) -> None:
    with pytest.raises(InputError, match=r"available queries: .*goals-lacking-actions"):
        queries.find("no-such-query")
    with pytest.raises(InputError, match="no parameter colour"):
        run(dataset, "themes", colour="red")


def test_bad_query_file(tmp_path: Path, dataset: Dataset) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: Trasig | Broken\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8")
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        queries.run(dataset, queries.find(str(bad)))


def test_checks_return_no_rows(dataset: Dataset, settings: Settings) -> None:
    for name, check in queries.checks(settings).items():
        offenders = queries.rows(queries.run(dataset, check))
        assert offenders == [], f"{name}: {offenders[:5]}"


def test_checks_catch_offenders(settings: Settings) -> None:
    from strategylinks.graph import load_dataset

    broken = load_dataset(settings, [])
    broken.graph(ID + "x").add(
        (
            __import__("rdflib").URIRef(ID + "thing"),
            __import__("rdflib").RDF.type,
            __import__("rdflib").URIRef("https://w3id.org/strategylinks/ontology#Nonsense"),
        )
    )
    found = queries.rows(queries.run(broken, queries.checks(settings)["undeclared-term-violation"]))
    assert [str(r["term"]) for r in found] == ["https://w3id.org/strategylinks/ontology#Nonsense"]


def test_plans_counts_actions_not_rows(dataset: Dataset) -> None:
    (row,) = run(dataset, "plans")
    assert (row["plan"], row["year"], row["actions"]) == (PLAN_2022, "2022", "17")


def test_gaps_come_in_document_order(dataset: Dataset) -> None:
    report = gap_report(dataset)
    skog = [g.notation for g in report.gaps if g.strategy_iri == ID + "strategi/smalands-skogsstrategi"]
    assert skog == ["1", "3", "4", "5", "6"]
    # Strategy elements (cross-cutting themes, målbild) are not goals and never gaps.
    assert not [g for g in report.gaps if g.level in ("Tvärgående tema", "Målbild")]


OTHER_REGION = """
@prefix sl: <https://w3id.org/strategylinks/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/other/strategy> a sl:Strategy ; skos:prefLabel "Annan regions strategi"@sv ;
    sl:goalListComplete true ; dcterms:source <https://example.org/other> ;
    skos:hasTopConcept <https://example.org/other/goal> .
<https://example.org/other/goal> a sl:StrategyGoal ; skos:prefLabel "Annan regions mål"@sv ;
    skos:inScheme <https://example.org/other/strategy> ; skos:topConceptOf <https://example.org/other/strategy> ;
    sl:goalLevel sl:Priority ; sl:verification sl:Verified ; dcterms:source <https://example.org/other> .
"""


OTHER_PLAN = """
@prefix sl: <https://w3id.org/strategylinks/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/other/plan> a sl:ActionPlan ; dcterms:publisher <https://example.org/other/region> .
<https://example.org/other/action> a sl:Action ; sl:inPlan <https://example.org/other/plan> ;
    sl:contributesTo <https://example.org/other/goal> .
"""


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_only_the_plans_strategies_are_its_gaps(dataset: Dataset, settings: Settings, engine: str) -> None:
    """A strategy no plan relates to is every plan's possible gap; once only another publisher's plan
    cites it, it is that region's, not this plan's; once an action of this plan involves it, it is back."""
    other, graph = URIRef("https://example.org/other/strategy"), URIRef("https://example.org/graph/other")
    combined = Dataset(default_union=True)
    combined.addN(dataset.quads((None, None, None, None)))  # type: ignore[arg-type]
    combined.graph(graph).parse(data=OTHER_REGION, format="turtle")
    store = OxigraphStore.memory(settings.base_iri)

    def strategies(query: str, plan: str = PLAN_2022) -> set[str]:
        source: Any = combined
        if engine == "oxigraph":
            store.oxigraph.clear()
            store.load_data(combined.serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
            source = store
        if query == "alignment graph":  # the graph shows the goals its gap report counts
            view = network.alignment_graph(source, plan)
            return {d["strategy"] for _, d in view.nodes(data=True) if d["kind"] == "goal"}
        return {str(r["strategy"]) for r in run(source, query, plan=plan)}

    queries_ = ("goals-lacking-actions", "strategy-coverage", "alignment graph")
    assert all(str(other) in strategies(q) for q in queries_), "no plan relates to it yet"
    combined.graph(graph).parse(data=OTHER_PLAN, format="turtle")
    assert not any(str(other) in strategies(q) for q in queries_), "another region's plan cites it"
    assert GK.rstrip("/") in strategies("strategy-coverage")
    assert str(other) in strategies("strategy-coverage", "https://example.org/other/plan")
    action = URIRef(ID + "plan/handlingsplan-internationellt-arbete-2022/prioritering-1/rad-1/insats-1")
    combined.graph(graph).add((action, SL.involves, other))
    assert all(str(other) in strategies(q) for q in queries_), "this plan involves it now"
