"""pyshacl-turbo (the default engine) against pySHACL (the reference): the same results on every shape
fixture and on randomly broken copies of the shipped data. A case where they differ becomes a fixture
(and the reference wins)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from strategylinks.config import Settings
from strategylinks.graph import parse_file, union
from strategylinks.namespaces import SL
from strategylinks.store import memory_store
from strategylinks.validate import ValidationReport, validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
FILES = sorted(FIXTURES.glob("*/*.ttl"))
MUTANTS = 12


def results(report: ValidationReport) -> Counter[tuple[str, str, str, str]]:
    return Counter((v.focus, v.path or "-", v.component, v.value or "") for v in report.violations)


def assert_same(graph: Graph, shapes: Graph) -> ValidationReport:
    turbo = validate(graph, shapes, engine="turbo")
    reference = validate(graph, shapes, engine="pyshacl")
    assert turbo.conforms == reference.conforms, (turbo.text("en"), reference.text("en"))
    assert results(turbo) == results(reference), (turbo.text("en"), reference.text("en"))
    return reference


@pytest.fixture(scope="module")
def world(settings: Settings) -> Graph:
    return union([parse_file(settings.ontology_path / "strategylinks.ttl"), parse_file(FIXTURES / "_base.ttl")])


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_engines_agree_on_fixture(path: Path, world: Graph, shapes: Graph) -> None:
    assert_same(union([world, parse_file(path)]), shapes)


@pytest.fixture(scope="module")
def shipped(settings: Settings) -> Graph:
    store = memory_store(settings)
    return store.to_graph()


def _objects(graph: Graph, predicate: URIRef) -> list[tuple[URIRef, URIRef]]:
    return sorted((s, o) for s, o in graph.subject_objects(predicate) if isinstance(s, URIRef))  # type: ignore[misc]


def mutate(graph: Graph, rng: random.Random) -> tuple[Graph, str]:
    """A copy of ``graph`` with one random break of a kind an editor or an importer could make."""
    broken = Graph()
    broken += graph
    kind = rng.choice(["drop", "missing-goal", "duplicate-position", "wrong-type", "bad-literal", "drop-label"])
    if kind == "drop":
        plan_triples = sorted(t for t in graph if "/id/plan/" in str(t[0]))
        triple = rng.choice(plan_triples)
        broken.remove(triple)
        return broken, f"drop {triple}"
    if kind == "missing-goal":
        subject, goal = rng.choice(_objects(graph, SL.contributesTo))
        broken.remove((subject, SL.contributesTo, goal))
        broken.add((subject, SL.contributesTo, URIRef(str(goal) + "-finns-inte")))
        return broken, f"link {subject} to a missing goal"
    if kind == "duplicate-position":
        # Two actions (or two effects) of one row; an action and an effect may share a number.
        cells: dict[tuple[URIRef, URIRef], list[URIRef]] = {}
        for node, row in _objects(graph, SL.inRow):
            kind = SL.Action if (node, RDF.type, SL.Action) in graph else SL.Effect
            cells.setdefault((row, kind), []).append(node)
        cell = rng.choice(sorted(c for c, nodes in cells.items() if len(nodes) > 1))
        first, second = sorted(cells[cell])[:2]
        broken.remove((second, SL.position, None))
        for position in graph.objects(first, SL.position):
            broken.add((second, SL.position, position))
        return broken, f"give {second} the position of {first}"
    if kind == "wrong-type":
        subject, _ = rng.choice(_objects(graph, SL.hasEffect))
        broken.add((subject, RDF.type, SL.Effect))
        return broken, f"type {subject} as an effect too"
    if kind == "bad-literal":
        subject, _ = rng.choice(_objects(graph, SL.inRow))
        broken.remove((subject, SL.position, None))
        broken.add((subject, SL.position, Literal("första", datatype=XSD.string)))
        return broken, f"a text position on {subject}"
    subject, _ = rng.choice(_objects(graph, SL.inPlan))
    broken.remove((subject, SKOS.prefLabel, None))
    return broken, f"drop the labels of {subject}"


@pytest.mark.parametrize("seed", range(MUTANTS))
def test_engines_agree_on_broken_data(seed: int, shipped: Graph, shapes: Graph) -> None:
    broken, what = mutate(shipped, random.Random(seed))
    report = assert_same(broken, shapes)
    assert not report.conforms or what.startswith("drop "), what
