"""Incremental validation agrees with full validation: on random updates of the shipped data, the focus
nodes an update can affect, validated on the data their shapes read, give exactly the results a full
validation gives for them, and no result outside them changes."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from strategylinks.config import Settings
from strategylinks.incremental import Dependencies, literal_predicates
from strategylinks.namespaces import SL
from strategylinks.store import OxigraphStore, memory_store
from strategylinks.store.terms import to_oxigraph, to_rdflib
from strategylinks.validate import ValidationReport, validate

from .test_shacl_engines import mutate

Triple = tuple[Any, Any, Any]


def results(report: ValidationReport) -> Counter[tuple[str, str, str, str, str]]:
    return Counter((v.focus, v.path or "-", v.component, v.value or "", v.message_en) for v in report.violations)


@pytest.fixture(scope="module")
def base(settings: Settings) -> OxigraphStore:
    return memory_store(settings)


@pytest.fixture(scope="module")
def dependencies(base: OxigraphStore, shapes: Graph) -> Dependencies:
    found = Dependencies(shapes, literal_predicates(base.oxigraph))
    assert found.unbounded is None, found.unbounded
    return found


@pytest.fixture(scope="module")
def full_before(base: OxigraphStore, shapes: Graph) -> ValidationReport:
    return validate(base, shapes)


@contextmanager
def changed(store: ox.Store, added: set[Triple], removed: set[Triple]) -> Iterator[None]:
    """Remove ``removed`` from every graph that holds it and add ``added`` to the default graph, for the
    block; the data is restored after it."""
    default = ox.DefaultGraph()
    gone = [q for t in removed for q in store.quads_for_pattern(*t)]
    new = [ox.Quad(*t, default) for t in added if not any(True for _ in store.quads_for_pattern(*t))]
    for quad in gone:
        store.remove(quad)
    store.extend(new)
    try:
        yield
    finally:
        for quad in new:
            store.remove(quad)
        store.extend(gone)


def check(
    store: OxigraphStore,
    dependencies: Dependencies,
    shapes: Graph,
    before: ValidationReport,
    added: set[Triple],
    removed: set[Triple],
) -> set[str]:
    """Apply the change, compare incremental with full validation, undo it; the affected focus nodes."""
    touched = sorted(added | removed, key=str)
    focus_before = dependencies.focus_nodes(store.oxigraph, touched)
    with changed(store.oxigraph, added, removed):
        focus_after = dependencies.focus_nodes(store.oxigraph, touched)
        assert focus_before is not None and focus_after is not None, "every change here can be bounded"
        focus = {to_rdflib(n) for n in focus_before | focus_after}
        full = results(validate(store, shapes))
        part = OxigraphStore(store.base_iri, dependencies.extract(store.oxigraph, focus_before | focus_after))
        incremental = results(validate(part, shapes, focus=focus))
    names = {str(n) for n in focus}
    inside = Counter({k: n for k, n in full.items() if k[0] in names})
    assert incremental == inside, (touched, incremental - inside, inside - incremental)
    outside_now = Counter({k: n for k, n in full.items() if k[0] not in names})
    outside_before = Counter({k: n for k, n in results(before).items() if k[0] not in names})
    assert outside_now == outside_before, (touched, outside_now - outside_before, outside_before - outside_now)
    return names


def _triples(store: OxigraphStore) -> list[Triple]:
    return sorted(
        ((q.subject, q.predicate, q.object) for q in store.oxigraph.quads_for_pattern(None, None, None)), key=str
    )


class Pools(dict[str, list[Any]]):
    """The terms random edits draw from (short in hypothesis' report of a failing example)."""

    def __repr__(self) -> str:
        return "Pools(...)"


@pytest.fixture(scope="module")
def pools(base: OxigraphStore) -> Pools:
    triples = _triples(base)
    plan = [t for t in triples if "/id/plan/" in t[0].value]
    return Pools(
        triples=plan,
        subjects=sorted({t[0] for t in plan}, key=str),
        predicates=sorted({t[1] for t in plan}, key=str),
        objects=sorted({t[2] for t in triples if not isinstance(t[2], ox.Literal)}, key=str),
    )


LITERALS = [
    to_oxigraph(x)
    for x in (Literal(1), Literal(2), Literal(0), Literal("2", datatype=XSD.string), Literal("ny", lang="sv"))
]


def edits(pools: Pools) -> st.SearchStrategy[tuple[set[Triple], set[Triple]]]:
    """Up to four edits: drop a triple of a plan or every triple of one of its nodes (as deleting an action
    or an effect does), add a triple between its nodes, or give a literal."""

    def pick(name: str) -> st.SearchStrategy[Any]:
        return st.sampled_from(pools[name])

    drop = pick("triples").map(lambda t: [("drop", t)])
    forget = pick("subjects").map(lambda n: [("drop", t) for t in pools["triples"] if n in (t[0], t[2])])
    link = st.tuples(pick("subjects"), pick("predicates"), st.one_of(pick("objects"), pick("subjects")))
    value = st.tuples(pick("subjects"), pick("predicates"), st.sampled_from(LITERALS))
    add = st.one_of(link, value).map(lambda t: [("add", t)])

    def split(ops: list[list[tuple[str, Triple]]]) -> tuple[set[Triple], set[Triple]]:
        edits = [edit for op in ops for edit in op]
        return {t for k, t in edits if k == "add"}, {t for k, t in edits if k == "drop"}

    return st.lists(st.one_of(drop, forget, add), min_size=1, max_size=4).map(split)


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_incremental_agrees_with_full_on_random_updates(
    data: st.DataObject,
    base: OxigraphStore,
    dependencies: Dependencies,
    shapes: Graph,
    full_before: ValidationReport,
    pools: Pools,
) -> None:
    added, removed = data.draw(edits(pools))
    check(base, dependencies, shapes, full_before, added, removed)


@pytest.mark.parametrize("seed", range(24))
def test_incremental_agrees_with_full_on_realistic_breaks(
    seed: int, base: OxigraphStore, dependencies: Dependencies, shapes: Graph, full_before: ValidationReport
) -> None:
    graph = base.to_graph()
    broken, _what = mutate(graph, random.Random(seed))
    added = {tuple(to_oxigraph(x) for x in t) for t in broken - graph}
    removed = {tuple(to_oxigraph(x) for x in t) for t in graph - broken}
    check(base, dependencies, shapes, full_before, added, removed)  # type: ignore[arg-type]


def test_a_duplicate_position_reaches_the_other_action_of_the_row(
    base: OxigraphStore, dependencies: Dependencies, shapes: Graph, full_before: ValidationReport
) -> None:
    graph = base.to_graph()
    rows: dict[Any, list[Any]] = {}
    for action in sorted(graph.subjects(SL.inRow, None)):
        if (action, None, SL.Action) in graph and graph.value(action, SL.position) is not None:
            rows.setdefault(graph.value(action, SL.inRow), []).append(action)
    first, second = next(actions for _, actions in sorted(rows.items()) if len(actions) > 1)[:2]
    position = to_oxigraph(graph.value(first, SL.position))
    old = to_oxigraph(graph.value(second, SL.position))
    node = to_oxigraph(second)
    removed = {(node, to_oxigraph(SL.position), old)}
    added = {(node, to_oxigraph(SL.position), position)}
    affected = check(base, dependencies, shapes, full_before, added, removed)
    # The action that kept its number is now in violation too, though the update never named it.
    assert {str(first), str(second)} <= affected
    assert len(affected) < 40, "only the row's neighbourhood, not the plan"


def test_a_goal_cycle_is_found_from_any_goal_on_it(
    base: OxigraphStore, dependencies: Dependencies, shapes: Graph, full_before: ValidationReport
) -> None:
    graph = base.to_graph()
    child, parent = next(
        (c, p) for c, p in sorted(graph.subject_objects(SKOS.broader)) if (p, SKOS.broader, None) in graph
    )
    grandparent = graph.value(parent, SKOS.broader)
    added = {(to_oxigraph(grandparent), to_oxigraph(SKOS.broader), to_oxigraph(child))}
    affected = check(base, dependencies, shapes, full_before, added, set())
    assert {str(child), str(parent), str(grandparent)} <= affected


def test_shapes_that_cannot_be_bounded_ask_for_full_validation(base: OxigraphStore) -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:select "SELECT $this WHERE { ?x ?p ?y . FILTER NOT EXISTS { $this ?p ?y } }" ] .
        """,
        format="turtle",
    )
    dependencies = Dependencies(shapes)
    assert dependencies.unbounded and "not connected" in dependencies.unbounded
    triple = next(iter(_triples(base)))
    assert dependencies.focus_nodes(base.oxigraph, [triple]) is None


def test_a_change_to_the_class_hierarchy_asks_for_full_validation(
    base: OxigraphStore, dependencies: Dependencies
) -> None:
    change = (to_oxigraph(SL.Action), to_oxigraph(URIRef(str(SKOS) + "x")), to_oxigraph(SL.Effect))
    assert dependencies.focus_nodes(base.oxigraph, [change]) is not None
    hierarchy = (to_oxigraph(SL.Action), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), change[2])
    assert dependencies.focus_nodes(base.oxigraph, [hierarchy]) is None


def test_an_effect_that_loses_its_last_action_is_found_through_the_inverse_path(
    base: OxigraphStore, dependencies: Dependencies, shapes: Graph, full_before: ValidationReport
) -> None:
    graph = base.to_graph()
    # The update names only the actions; the effect is reached by walking sl:hasEffect backwards.
    effect = next(e for e in sorted(graph.objects(None, SL.hasEffect)) if (e, None, SL.Effect) in graph)
    removed = {tuple(to_oxigraph(x) for x in (a, SL.hasEffect, effect)) for a in graph.subjects(SL.hasEffect, effect)}
    affected = check(base, dependencies, shapes, full_before, set(), removed)  # type: ignore[arg-type]
    assert str(effect) in affected
    with changed(base.oxigraph, set(), removed):  # type: ignore[arg-type]
        focus = dependencies.focus_nodes(base.oxigraph, sorted(removed, key=str))
        assert focus is not None
        part = OxigraphStore(base.base_iri, dependencies.extract(base.oxigraph, focus))
        found = validate(part, shapes, focus={to_rdflib(n) for n in focus})
    inverse = f"^{SL.hasEffect}"
    assert any(v.focus == str(effect) and v.path == inverse for v in found.violations), found.text("en")
