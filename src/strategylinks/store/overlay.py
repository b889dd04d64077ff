"""An rdflib store that reads through to a pyoxigraph store and records writes instead of making them.

A SPARQL update is evaluated by rdflib over this overlay, so its exact effect (the quads it adds and
removes) is known before anything is written: the server validates that effect, then applies it to the
store in one transaction, or drops it. Reads see the pending changes, so an update's later operations
see its earlier ones, as SPARQL 1.1 Update requires.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.store import Store as RdflibStore
from rdflib.term import Identifier, Node

from .terms import to_oxigraph, to_rdflib

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]  # None: the default graph

#: The most quads one update may add and remove together. rdflib holds the pending change in memory
#: (~1 KB a quad, validated afterwards), and a tiny `INSERT … WHERE` over a cross product makes millions.
MAX_CHANGE = 500_000


class ChangeTooLarge(Exception):
    """The update's change grew past its bound; nothing was written."""


def _graph_id(context: Any) -> URIRef | None:
    if context is None:
        return None
    identifier = context.identifier if isinstance(context, Graph) else context
    return None if identifier == DATASET_DEFAULT_GRAPH_ID else URIRef(str(identifier))


class QuadSource(Protocol):
    """What the overlay reads: the graphs and the triples of a dataset."""

    def graphs(self) -> list[URIRef | None]:
        """Every graph, the default graph (``None``) first."""

    def triples(self, pattern: tuple[Any, Any, Any], graph: URIRef | None) -> Iterator[Triple]:
        """The triples of ``graph`` matching ``pattern`` (``None`` matches anything)."""


class OxigraphQuads:
    """A pyoxigraph store, read in process."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def graphs(self) -> list[URIRef | None]:
        names: list[URIRef | None] = [None]
        return names + [URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]

    def triples(self, pattern: tuple[Any, Any, Any], graph: URIRef | None) -> Iterator[Triple]:
        if isinstance(pattern[0], Literal) or (pattern[1] is not None and not isinstance(pattern[1], URIRef)):
            return  # not RDF (a literal subject): nothing stored matches it
        s, p, o = (None if t is None else to_oxigraph(t) for t in pattern)
        g = ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))
        for quad in self.store.quads_for_pattern(s, p, o, g):
            yield (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))


class OverlayStore(RdflibStore):
    context_aware = True
    graph_aware = True
    formula_aware = False
    transaction_aware = False

    def __init__(self, base: QuadSource, *, max_change: int = MAX_CHANGE) -> None:
        super().__init__()
        self.base = base
        self.max_change = max_change
        self.changes = 0
        self.added: dict[URIRef | None, set[Triple]] = {}
        self.removed: dict[URIRef | None, set[Triple]] = {}
        self.new_graphs: set[URIRef] = set()
        self.dropped_graphs: set[URIRef] = set()

    # -- what changed

    def delta(self) -> tuple[list[Quad], list[Quad]]:
        """(added, removed) quads, each against the base store."""
        added = [(s, p, o, g) for g, triples in self.added.items() for s, p, o in triples]
        removed = [(s, p, o, g) for g, triples in self.removed.items() for s, p, o in triples]
        return added, removed

    # -- reading

    def _graphs(self) -> list[URIRef | None]:
        graphs = [g for g in self.base.graphs() if g not in self.dropped_graphs]
        graphs += [g for g in self.new_graphs if g not in graphs]
        graphs += [g for g in self.added if g not in graphs and self.added[g]]
        return graphs

    def _count_change(self) -> None:
        self.changes += 1
        if self.changes > self.max_change:
            raise ChangeTooLarge(
                f"the update would change more than {self.max_change:,} triples; split it into smaller updates"
            )

    def _matches(self, pattern: tuple[Any, Any, Any], graph: URIRef | None) -> Iterator[Triple]:
        pattern = tuple(t if isinstance(t, Identifier) else None for t in pattern)  # type: ignore[assignment]
        removed = self.removed.get(graph, set())
        for found in self.base.triples(pattern, graph):
            if found not in removed:
                yield found
        for triple in self.added.get(graph, ()):
            if all(want is None or want == have for want, have in zip(pattern, triple, strict=True)):
                yield triple

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterator[Any]]]:
        graph = _graph_id(context)
        graphs = self._graphs() if context is None else [graph]
        for name in graphs:
            for triple in self._matches(triple_pattern, name):
                yield triple, iter([self._context(name)])

    def _context(self, name: URIRef | None) -> Graph:
        return Graph(store=self, identifier=name if name is not None else DATASET_DEFAULT_GRAPH_ID)

    def __len__(self, context: Any = None) -> int:
        graphs = self._graphs() if context is None else [_graph_id(context)]
        return sum(1 for name in graphs for _ in self._matches((None, None, None), name))

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        for name in self._graphs():
            if name is None:
                continue
            if triple is None or next(self._matches(triple, name), None) is not None:
                yield self._context(name)

    # -- writing (recorded)

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        graph = _graph_id(context)
        triple = (triple[0], triple[1], triple[2])
        if triple in self.removed.get(graph, set()):
            self.removed[graph].discard(triple)
        elif not self._stored(triple, graph):
            self._count_change()
            self.added.setdefault(graph, set()).add(triple)

    def _stored(self, triple: Triple, graph: URIRef | None) -> bool:
        if triple in self.added.get(graph, set()):
            return True
        return next(iter(self.base.triples(triple, graph)), None) is not None

    def addN(self, quads: Iterable[Any]) -> None:
        for s, p, o, c in quads:
            self.add((s, p, o), c)

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        graphs = self._graphs() if context is None else [_graph_id(context)]
        for name in graphs:
            for triple in list(self._matches(triple_pattern, name)):
                if triple in self.added.get(name, set()):
                    self.added[name].discard(triple)
                else:
                    self._count_change()
                    self.removed.setdefault(name, set()).add(triple)

    def add_graph(self, graph: Graph) -> None:
        name = _graph_id(graph)
        if name is not None:
            self.dropped_graphs.discard(name)
            self.new_graphs.add(name)

    def remove_graph(self, graph: Graph) -> None:
        name = _graph_id(graph)
        self.remove((None, None, None), graph)
        if name is not None:
            self.new_graphs.discard(name)
            self.dropped_graphs.add(name)

    def bind(self, prefix: str, namespace: Any, override: bool = True) -> None:
        pass

    def namespace(self, prefix: str) -> None:
        return None

    def prefix(self, namespace: Any) -> None:
        return None

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return iter(())


def overlay_dataset(base: QuadSource, *, max_change: int = MAX_CHANGE) -> tuple[Dataset, OverlayStore]:
    """An rdflib Dataset over ``base`` whose writes are recorded in the returned overlay; a change past
    ``max_change`` quads raises :class:`ChangeTooLarge`."""
    overlay = OverlayStore(base, max_change=max_change)
    return Dataset(store=overlay, default_union=False), overlay
