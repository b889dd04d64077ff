"""What every kind of store offers: SPARQL queries and updates, named graphs, bulk dumps and loads.

Queries run on the store's own engine; their answers come back as rdflib results (``rdflib.query.Result``)
so that reports, the CLI and the server handle every store the same way. Data moves between a store and
rdflib only in bulk (N-Quads / N-Triples documents), never triple by triple on the hot paths.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import TracebackType

from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from ..errors import StrategyLinksError
from ..graph import bind_prefixes
from ..namespaces import graph_ns


class StoreError(StrategyLinksError):
    """A store that cannot be used: unreachable, refused credentials, locked, or of a newer version."""


class StoreRefused(StoreError):
    """The store answered a request with an error status: it did not carry the request out."""


class StoreQueryError(StrategyLinksError):
    """A query or update the store's engine refused (syntax) or failed on; the store is unchanged."""


class Store(ABC):
    """A dataset of named graphs (one per data file) under a base IRI.

    Without an explicit dataset, queries see the union of the project's graphs as their default graph
    (as the in-memory rdflib Dataset did), whatever the store's own default-graph convention is.
    """

    #: "memory", "disk" or "remote"
    kind: str = ""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri

    # -- reading

    @abstractmethod
    def query(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> Result:
        """Evaluate a SPARQL 1.1 query; ``bindings`` pre-bind variables (never pasted into the text)."""

    @abstractmethod
    def graph_names(self) -> list[str]:
        """The project's non-empty named graphs (those under ``{base}graph/``), sorted."""

    @abstractmethod
    def dump(self) -> bytes:
        """The project's graphs as one N-Quads document."""

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph of the project."""
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }} GROUP BY ?g'
        )
        return {str(row[0]): int(row[1]) for row in result if row[0] is not None}  # type: ignore[index,arg-type]

    def __len__(self) -> int:
        return sum(self.graph_sizes().values())

    @property
    def graph_prefix(self) -> str:
        return str(graph_ns(self.base_iri))

    def to_dataset(self) -> Dataset:
        """An rdflib Dataset copy (for rdflib's serialisers and pySHACL), one named graph per graph."""
        ds = Dataset(default_union=True)
        bind_prefixes(ds)
        ds.parse(data=self.dump(), format="nquads")
        return ds

    def to_graph(self) -> Graph:
        """The union of the project's graphs as one rdflib Graph."""
        graph = bind_prefixes(Graph())
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert result.graph is not None
        graph += result.graph
        return graph

    def union_ntriples(self) -> bytes:
        """The union of the project's graphs as N-Triples."""
        return self.to_graph().serialize(format="nt", encoding="utf-8")

    # -- writing

    @abstractmethod
    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update as one request (atomic where the store is transactional)."""

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop_others: bool = False) -> None:
        """Make each named graph hold exactly the given N-Triples; ``drop_others`` removes the project's
        other graphs. Either everything is replaced or, on an error, nothing."""

    def close(self) -> None:  # noqa: B027 - stores without resources need not override it
        """Release files, locks or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def describe(self) -> str:
        """Where the data is, for messages."""
        return self.kind


def select_result(variables: Sequence[str], rows: list[dict[Variable, Identifier]]) -> Result:
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = rows  # type: ignore[assignment]
    return result


def ask_result(answer: bool) -> Result:
    result = Result("ASK")
    result.askAnswer = answer
    return result


def graph_result(kind: str, graph: Graph) -> Result:
    result = Result(kind)
    result.graph = graph
    return result


def named(iri: str) -> URIRef:
    return URIRef(iri)
