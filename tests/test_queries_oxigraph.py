"""Every named query runs unchanged on a second SPARQL engine (Oxigraph) with the same answers."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Dataset, URIRef

from strategylinks import queries
from strategylinks.config import Settings
from strategylinks.importer.build import import_plan

from .conftest import PLAN_2022, SEED, need

ALL = sorted(queries.available()) + sorted(f"checks/{n}" for n in queries.checks())


@pytest.fixture(scope="module")
def store(dataset: Dataset, settings: Settings) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    # The dataset without the description graph, so both engines see the same triples.
    text = dataset.serialize(format="nquads").encode("utf-8")
    store.load(text, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def _ox_term(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return str(term.value) if hasattr(term, "value") else str(term)


def _normalise(value: str | None) -> str | None:
    # GROUP_CONCAT's order is not defined by SPARQL; compare the parts as a set.
    return ", ".join(sorted(value.split(", "))) if value and ", " in value else value


@pytest.fixture(scope="module")
def two_plans(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The shipped data plus a 2023 plan imported from a changed copy of the 2022 document."""
    need(SEED.is_file(), f"the source document is not at {SEED}")
    text = (
        SEED.read_text(encoding="utf-8")
        .replace("<p>initiera samarbete med Norra Karlen i Finland</p>", "")
        .replace("energilösningar - Energy Cities</p>", "energilösningar - Energy Cities och ERRIN</p>")
    )
    source = tmp_path_factory.mktemp("plan") / "handlingsplan-internationellt-arbete-2023.txt"
    source.write_text(text, encoding="utf-8")
    result = import_plan(source, 2023, dataset)
    both = Dataset(default_union=True)
    for quad in dataset.quads((None, None, None, None)):
        both.add(quad)  # type: ignore[arg-type]
    target = both.graph(URIRef("https://w3id.org/strategylinks/graph/plans/2023"))
    for triple in result.graph:
        target.add(triple)
    return both


def _store(data: Dataset) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(data.serialize(format="nquads").encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("name", sorted(queries.available()))
def test_same_answers_with_two_plans(name: str, two_plans: Dataset) -> None:
    """Unbound parameters: every plan and pair of plans, on both engines."""
    named = queries.available()[name]
    ours = sorted(
        tuple(_normalise(None if v is None else str(v)) for v in row.values())
        for row in queries.rows(queries.run(two_plans, named))
    )
    solutions = _store(two_plans).query(named.text, use_default_graph_as_union=True)
    variables = [v.value for v in solutions.variables]
    theirs = sorted(tuple(_normalise(_ox_term(s[v])) for v in variables) for s in solutions)
    assert ours == theirs


@pytest.mark.parametrize("name", ALL)
def test_same_answers(name: str, dataset: Dataset, store: pyoxigraph.Store, settings: Settings) -> None:
    named = queries.checks(settings)[name[7:]] if name.startswith("checks/") else queries.available()[name]
    params = {"plan": PLAN_2022} if "plan" in {p.name for p in named.params} else {}
    ours = queries.rows(queries.run(dataset, named, params))
    ours_set = sorted(tuple(_normalise(None if v is None else str(v)) for v in row.values()) for row in ours)
    # Oxigraph gets the query text unchanged; the parameter goes in as a bound variable.
    bindings = {pyoxigraph.Variable(k): pyoxigraph.NamedNode(v) for k, v in params.items()}
    solutions = store.query(named.text, use_default_graph_as_union=True, substitutions=bindings)
    variables = [v.value for v in solutions.variables]
    theirs_set = sorted(tuple(_normalise(_ox_term(solution[v])) for v in variables) for solution in solutions)
    if ours:
        assert list(ours[0]) == variables
    assert ours_set == theirs_set
