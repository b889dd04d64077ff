"""Each SHACL shape against its valid and invalid fixtures, asserting the exact results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from strategylinks.graph import parse_file, union
from strategylinks.namespaces import SH
from strategylinks.validate import validate

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
BASE = FIXTURES / "_base.ttl"
SHAPES_NS = "https://w3id.org/strategylinks/shapes#"
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s+(\S+)\s*$")
FILES = sorted(FIXTURES.glob("*/*.ttl"))


def _expand(graph: Graph, term: str) -> str:
    if term == "-":
        return "-"
    if term.startswith("^"):
        return "^" + _expand(graph, term[1:])
    return str(graph.namespace_manager.expand_curie(term))


def expectations(path: Path, graph: Graph) -> set[tuple[str, str, str]]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            focus, route, component = match.groups()
            found.add((_expand(graph, focus), _expand(graph, route), component))
    return found


def test_base_world_conforms(ontology_graph: Graph, shapes: Graph) -> None:
    report = validate(union([ontology_graph, parse_file(BASE)]), shapes)
    assert report.conforms, report.text("en")


@pytest.fixture(scope="module")
def ontology_graph(settings) -> Graph:  # type: ignore[no-untyped-def]
    return parse_file(settings.ontology_path / "strategylinks.ttl")


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_fixture(path: Path, ontology_graph: Graph, shapes: Graph) -> None:
    fixture = parse_file(path)
    report = validate(union([ontology_graph, parse_file(BASE), fixture]), shapes)
    actual = {(v.focus, v.path or "-", v.component) for v in report.violations}
    expected = expectations(path, fixture)
    if path.name.startswith("valid-"):
        assert not expected, "valid fixtures state no expectations"
        assert report.conforms, report.text("en")
    else:
        assert path.name.startswith("invalid-")
        assert expected, "an invalid fixture must state the results it expects"
        assert actual == expected, report.text("en")
        # Every result carries an analyst-readable message in both languages.
        assert all(v.message_sv and v.message_en for v in report.violations)


def test_every_shape_has_valid_and_invalid_fixtures(shapes: Graph) -> None:
    names = {str(s)[len(SHAPES_NS) :] for s in shapes.subjects(RDF.type, SH.NodeShape) if str(s).startswith(SHAPES_NS)}
    assert names, "no node shapes found"
    for name in sorted(names):
        folder = FIXTURES / name
        assert list(folder.glob("valid-*.ttl")), f"{name} has no valid fixture"
        assert list(folder.glob("invalid-*.ttl")), f"{name} has no invalid fixture"
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} == names, "fixture folders without a shape"


def test_every_shape_message_is_bilingual(shapes: Graph) -> None:
    for shape in set(shapes.subjects(SH.message, None)):
        languages = {m.language for m in shapes.objects(shape, SH.message)}
        assert {"sv", "en"} <= languages, f"{shape} lacks a Swedish or English message"
    constraints = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    for node in constraints:
        assert (node, SH.message, None) in shapes, f"constraint {node} has no message"


def test_shipped_data_conforms(merged: Graph, shapes: Graph) -> None:
    report = validate(merged, shapes)
    assert report.conforms, report.text("en")
    assert isinstance(report.report_graph, Graph)
    assert URIRef(SH.ValidationReport) in set(report.report_graph.objects(None, RDF.type))


def _rudof_results(data: Graph, shapes_path: Path) -> set[tuple[str, str, str]]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes_path))
    found = set()
    for entry in rudof.validate_shacl():
        path = entry.path or "-"
        if path.startswith("^(") and path.endswith(")"):
            path = "^" + path[2:-1]
        found.add((str(entry.focus_node), path, str(entry.constraint_component).rsplit("#", 1)[-1]))
    return found


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_second_engine_agrees(path: Path, ontology_graph: Graph, settings) -> None:  # type: ignore[no-untyped-def]
    """rudof, an independent SHACL engine, gives the same results: the shapes are portable SHACL."""
    fixture = parse_file(path)
    data = union([ontology_graph, parse_file(BASE), fixture])
    assert _rudof_results(data, settings.ontology_path / "shapes.ttl") == expectations(path, fixture)


def test_second_engine_accepts_shipped_data(merged: Graph, settings) -> None:  # type: ignore[no-untyped-def]
    assert _rudof_results(merged, settings.ontology_path / "shapes.ttl") == set()
