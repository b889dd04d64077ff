"""Every export format parses back to the same graph, in rdflib and in another toolkit."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from strategylinks.config import Settings
from strategylinks.export import FORMATS, QUAD_FORMATS, full_dataset, serialize
from strategylinks.graph import union

from .conftest import ID

OXIGRAPH = {"ttl": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "trig": "TRIG", "nq": "N_QUADS"}


@pytest.fixture(scope="module")
def expected(dataset: Dataset, settings: Settings) -> Dataset:
    return full_dataset(dataset, settings)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_is_isomorphic(fmt: str, dataset: Dataset, settings: Settings, expected: Dataset) -> None:
    text = serialize(dataset, fmt, settings)
    if fmt in QUAD_FORMATS:
        back = Dataset()
        back.parse(data=text, format=FORMATS[fmt][0])
        names = {g.identifier for g in expected.graphs() if len(g)}
        assert {g.identifier for g in back.graphs() if len(g)} == names
        for name in names:
            assert isomorphic(back.graph(name), expected.graph(name)), name
    else:
        back_graph = Graph().parse(data=text, format=FORMATS[fmt][0])
        assert isomorphic(back_graph, union(expected))


@pytest.mark.parametrize("fmt", sorted(OXIGRAPH))
def test_another_toolkit_counts_the_same_triples(
    fmt: str, dataset: Dataset, settings: Settings, expected: Dataset
) -> None:
    text = serialize(dataset, fmt, settings).encode("utf-8")
    parsed = list(pyoxigraph.parse(text, format=getattr(pyoxigraph.RdfFormat, OXIGRAPH[fmt])))
    if fmt in QUAD_FORMATS:
        assert len(parsed) == sum(len(g) for g in expected.graphs())
    else:
        assert len({(q.subject, q.predicate, q.object) for q in parsed}) == len(union(expected))


def test_jsonld_has_a_context_and_expands_offline(dataset: Dataset, settings: Settings, expected: Dataset) -> None:
    document = json.loads(serialize(dataset, "jsonld", settings))
    context = document["@context"]
    assert context["sl"] == "https://w3id.org/strategylinks/ontology#"
    assert context["skos"] == "http://www.w3.org/2004/02/skos/core#"
    # pyld (a second JSON-LD processor) reads it without fetching anything: the context is inline.
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert len({line for line in nquads.splitlines() if line.strip()}) == len(union(expected))


def test_dataset_description(dataset: Dataset, settings: Settings) -> None:
    full = union(full_dataset(dataset, settings))
    ds = URIRef(ID + "dataset")
    assert (ds, RDF.type, DCAT.Dataset) in full and (ds, RDF.type, VOID.Dataset) in full
    assert full.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert {t.language for t in full.objects(ds, DCTERMS.title)} == {"sv", "en"}
    distributions = set(full.objects(ds, DCAT.distribution))
    assert len(distributions) == len(FORMATS)
    for dist in distributions:
        assert full.value(dist, DCAT.downloadURL) is not None
        assert full.value(dist, DCAT.mediaType) is not None
    total = full.value(ds, VOID.triples)
    assert total is not None and int(total.toPython()) == sum(len(g) for g in dataset.graphs())
    assert full.value(ds, VOID.sparqlEndpoint) == URIRef(settings.base_iri + "sparql")


def test_base_iri_moves_every_resource() -> None:
    from strategylinks.graph import load_dataset

    moved = Settings(base_iri="http://127.0.0.1:8000/")
    g = union(load_dataset(moved))
    resources = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    assert not any(r.startswith(ID) for r in resources)
    assert any(r.startswith("http://127.0.0.1:8000/id/plan/") for r in resources)
    # The vocabulary stays where it is.
    assert (None, RDF.type, URIRef("https://w3id.org/strategylinks/ontology#Action")) in g


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_is_the_same_every_run(fmt: str) -> None:
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "strategylinks", "export", "--format", fmt],
            capture_output=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
