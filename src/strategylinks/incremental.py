"""Incremental validation: which focus nodes an update can affect, and the data their validation reads.

The shapes are compiled once into *access paths*: for each shape with targets, the steps its constraints
walk from a focus node (property paths, nested shapes, the triple patterns of SPARQL constraints) and, at
each node on the way, which predicates they read there. Then, for a change:

- the *affected* focus nodes are found by walking the access paths backwards from every node whose read
  triples changed, in the data before and after the change, and keeping the shape's targets;
- their validation reads only what the access paths reach forwards from them (plus the class hierarchy),
  so that part is copied into a small store and validated there, on those focus nodes only.

Where a shape reads something this analysis cannot bound (a SPARQL pattern not connected to ``$this``, a
repetition over a multi-step path, a constraint component defined in SPARQL, a change to the class
hierarchy), ``focus_nodes`` answers ``None`` and the caller validates everything: the result is never a
guess. ``tests/test_incremental.py`` checks on random updates that incremental and full validation agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from .namespaces import SH
from .sparqlparse import prepare_query

#: Read every predicate (a variable predicate, sh:closed, a negated property set).
ANY = None
Reads = frozenset[str] | None

#: Above this many affected focus nodes a full validation is as cheap, and simpler.
MAX_FOCUS = 20_000
MAX_DEPTH = 12
TYPE = RDF.type.toPython()
SUBCLASS = str(RDFS.subClassOf)

# SHACL terms on a shape that only describe it (or are read with the constraint they belong to).
_SHAPE_METADATA = {
    SH[n]
    for n in (  # noqa: SIM905 - a word list reads better than 48 quoted strings
        "message name description severity deactivated order group defaultValue targetClass targetNode "
        "targetSubjectsOf targetObjectsOf path ignoredProperties flags qualifiedMinCount qualifiedMaxCount "
        "prefixes declare datatype nodeKind minInclusive maxInclusive minExclusive maxExclusive minLength "
        "maxLength pattern languageIn in hasValue minCount maxCount uniqueLang class closed equals disjoint "
        "lessThan lessThanOrEquals not and or xone node property qualifiedValueShape sparql"
    ).split()
}


class Unbounded(Exception):
    """The shapes read data this analysis cannot bound: validate everything."""


@dataclass(frozen=True)
class Step:
    predicate: str | None  # None: any predicate
    inverse: bool = False
    repeat: bool = False  # one or more times

    def matches(self, predicate: str) -> bool:
        return self.predicate is None or self.predicate == predicate


Steps = tuple[Step, ...]


def _merge(a: Reads, b: Reads) -> Reads:
    return ANY if a is ANY or b is ANY else a | b


@dataclass
class Position:
    """A place on a shape's access paths: what is read at the nodes reached by ``steps``."""

    out: Reads = frozenset()  # predicates read on triples leaving the node
    into: Reads = frozenset()  # predicates read on triples ending at it


@dataclass
class ShapeReach:
    """One shape with targets: which nodes it validates and what it reads from them."""

    name: str
    classes: set[str] = field(default_factory=set)
    nodes: set[str] = field(default_factory=set)
    subjects_of: set[str] = field(default_factory=set)
    objects_of: set[str] = field(default_factory=set)
    positions: dict[Steps, Position] = field(default_factory=dict)

    def read(self, steps: Steps, out: Reads = frozenset(), into: Reads = frozenset()) -> None:
        if len(steps) > MAX_DEPTH:
            raise Unbounded(f"{self.name}: a path longer than {MAX_DEPTH} steps")
        for n in range(len(steps)):  # every node on the way is passed through
            self.positions.setdefault(steps[:n], Position())
            step = steps[n]
            here = self.positions[steps[:n]]
            if step.inverse:
                here.into = _merge(here.into, _one(step.predicate))
            else:
                here.out = _merge(here.out, _one(step.predicate))
            if step.repeat:  # a repetition passes through its own end again
                end = self.positions.setdefault(steps[: n + 1], Position())
                if step.inverse:
                    end.into = _merge(end.into, _one(step.predicate))
                else:
                    end.out = _merge(end.out, _one(step.predicate))
        position = self.positions.setdefault(steps, Position())
        position.out = _merge(position.out, out)
        position.into = _merge(position.into, into)


def _one(predicate: str | None) -> Reads:
    return ANY if predicate is None else frozenset({predicate})


class Dependencies:
    """The access paths of a shapes graph (see the module's docstring)."""

    def __init__(self, shapes: Graph, literal_predicates: Iterable[str] = ()) -> None:
        self.shapes = shapes
        self.literal_predicates = set(literal_predicates) | {str(p) for p in _LITERAL_PREDICATES}
        #: Triples some constraint reads whatever the focus node (a pattern on two constants).
        self.global_reads: set[tuple[str, str | None]] = set()
        self.reaches: list[ShapeReach] = []
        #: Why incremental validation is off for these shapes, or None.
        self.unbounded: str | None = None
        try:
            for shape in sorted(_shapes_with_targets(shapes), key=str):
                self.reaches.append(self._compile(shape))
        except Unbounded as exc:
            self.unbounded = str(exc)

    # -- compiling the shapes

    def _compile(self, shape: Node) -> ShapeReach:
        g = self.shapes
        reach = ShapeReach(str(shape))
        reach.classes = {str(c) for c in g.objects(shape, SH.targetClass)}
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            reach.classes.add(str(shape))  # an implicit class target
        reach.nodes = {str(n) for n in g.objects(shape, SH.targetNode)}
        reach.subjects_of = {str(p) for p in g.objects(shape, SH.targetSubjectsOf)}
        reach.objects_of = {str(p) for p in g.objects(shape, SH.targetObjectsOf)}
        if any(True for _ in g.objects(shape, SH.target)):
            raise Unbounded(f"{shape}: a SPARQL-based target")
        # Whether a node is a target: its types, its own triples (labels for the report too), and the
        # triples that make it an object target.
        reach.read((), out=ANY, into=frozenset(reach.objects_of))
        self._shape(reach, shape, (), depth=0)
        return reach

    def _shape(self, reach: ShapeReach, shape: Node, at: Steps, depth: int) -> None:
        g = self.shapes
        if depth > MAX_DEPTH:
            raise Unbounded(f"{reach.name}: shapes nested deeper than {MAX_DEPTH} (recursive?)")
        if (shape, SH.deactivated, Literal(True)) in g:
            return
        for predicate in set(g.predicates(shape)):
            if str(predicate).startswith(str(SH)) and predicate not in _SHAPE_METADATA:
                raise Unbounded(f"{reach.name}: the constraint {predicate} is not analysed")
            if (None, SH.path, predicate) in g and (None, RDF.type, SH.ConstraintComponent) in g:
                raise Unbounded(f"{reach.name}: a constraint component defined in SPARQL ({predicate})")
        path = g.value(shape, SH.path)
        values = [at + p for p in self._path(path)] if path is not None else [at]
        for value in values:
            reach.read(value)
            if g.value(shape, SH["class"]) is not None:
                reach.read(value, out=frozenset({TYPE}))
            if (shape, SH.closed, Literal(True)) in g:
                reach.read(value, out=ANY)
            for nested in self._nested(shape):
                self._shape(reach, nested, value, depth + 1)
            for constraint in g.objects(shape, SH.sparql):
                if (constraint, SH.deactivated, Literal(True)) not in g:
                    self._sparql(reach, shape, constraint, value)
        for compared in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in g.objects(shape, compared):
                reach.read((*at, Step(str(other))))
        if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in g:
            raise Unbounded(f"{reach.name}: sh:qualifiedValueShapesDisjoint")

    def _nested(self, shape: Node) -> Iterator[Node]:
        g = self.shapes
        for predicate in (SH.node, SH.property, SH["not"], SH.qualifiedValueShape):
            yield from g.objects(shape, predicate)
        for predicate in (SH["and"], SH["or"], SH.xone):
            for members in g.objects(shape, predicate):
                yield from Collection(g, members)

    def _path(self, path: Node) -> list[Steps]:
        """The alternatives a SHACL path walks, as steps."""
        g = self.shapes
        if isinstance(path, URIRef):
            return [(Step(str(path)),)]
        if (inverse := g.value(path, SH.inversePath)) is not None:
            return [_invert(p) for p in self._path(inverse)]
        if (alternatives := g.value(path, SH.alternativePath)) is not None:
            return [p for member in Collection(g, alternatives) for p in self._path(member)]
        for predicate, zero, repeat in (
            (SH.zeroOrMorePath, True, True),
            (SH.oneOrMorePath, False, True),
            (SH.zeroOrOnePath, True, False),
        ):
            if (inner := g.value(path, predicate)) is not None:
                return _repeat(self._path(inner), zero, repeat)
        if (path, RDF.first, None) in g:
            sequence: list[Steps] = [()]
            for member in Collection(g, path):
                sequence = [a + b for a in sequence for b in self._path(member)]
            return sequence
        raise Unbounded(f"a SHACL path this analysis does not know: {path}")

    # -- SPARQL constraints

    def _sparql(self, reach: ShapeReach, shape: Node, constraint: Node, at: Steps) -> None:
        g = self.shapes
        text = str(g.value(constraint, SH.select) or g.value(constraint, SH.ask) or "")
        if not text or "$PATH" in text:
            raise Unbounded(f"{reach.name}: a SPARQL constraint that is not a plain SELECT/ASK on $this")
        namespaces = {
            str(g.value(d, SH.prefix)): str(g.value(d, SH.namespace))
            for p in g.objects(constraint, SH.prefixes)
            for d in g.objects(p, SH.declare)
        }
        try:
            query = prepare_query(text, namespaces)
        except Exception as exc:  # noqa: BLE001 - the engines report broken queries themselves
            raise Unbounded(f"{reach.name}: a SPARQL constraint rdflib cannot parse ({exc})") from None
        patterns: list[tuple[Node, Steps, Node]] = []
        conjunctive = True
        for part in algebra_parts(query.algebra):
            if part.name in ("LeftJoin", "Union", "Minus", "Graph", "ServiceGraphPattern", "ToMultiSet"):
                conjunctive = False
            for triple in (part.get("triples") or ()) if part.name == "BGP" else ():
                s, p, o = triple
                patterns.extend((s, steps, o) for steps in self._pattern_steps(p))
        self._route(reach, patterns, at, conjunctive)

    def _pattern_steps(self, predicate: Any) -> list[Steps]:
        if isinstance(predicate, URIRef):
            return [(Step(str(predicate)),)]
        if isinstance(predicate, (Variable, NegatedPath)):
            return [(Step(None),)]
        if isinstance(predicate, InvPath):
            return [_invert(p) for p in self._pattern_steps(predicate.arg)]
        if isinstance(predicate, SequencePath):
            sequence: list[Steps] = [()]
            for member in predicate.args:
                sequence = [a + b for a in sequence for b in self._pattern_steps(member)]
            return sequence
        if isinstance(predicate, AlternativePath):
            return [p for member in predicate.args for p in self._pattern_steps(member)]
        if isinstance(predicate, MulPath):
            return _repeat(self._pattern_steps(predicate.path), predicate.zero, predicate.more)
        if isinstance(predicate, Path):
            raise Unbounded(f"a SPARQL property path this analysis does not know: {predicate}")
        raise Unbounded(f"a SPARQL predicate this analysis does not know: {predicate!r}")

    def _route(self, reach: ShapeReach, patterns: list[tuple[Node, Steps, Node]], at: Steps, conjunctive: bool) -> None:
        """Reach every variable of the patterns from ``$this`` and read each pattern where it is met.

        In a conjunctive pattern a variable's every binding satisfies every pattern that names it, so one
        route to it is enough; the cheapest avoids walking back from literals and classes (which join
        everything with the same value). Otherwise every route is kept."""
        this = Variable("this")
        routes: dict[Node, list[tuple[int, Steps]]] = {this: [(0, at)]}
        frontier = [this]
        while frontier:
            following: list[Any] = []
            for node in frontier:
                for subject, steps, obj in patterns:
                    for start, end, walk in ((subject, obj, steps), (obj, subject, _invert(steps))):
                        if start != node or not isinstance(end, Variable | BNode) or end == this:
                            continue
                        penalty = 10 if self._leaf(start, patterns, reach.name) else 0
                        for cost, route in routes[node]:
                            candidate = (cost + len(walk) + penalty, route + walk)
                            known = routes.setdefault(end, [])
                            if conjunctive:
                                if known and known[0][0] <= candidate[0]:
                                    continue
                                known[:] = [candidate]
                            elif any(candidate[1] == r for _, r in known) or len(candidate[1]) > MAX_DEPTH:
                                continue
                            else:
                                known.append(candidate)
                            following.append(end)
            frontier = list(dict.fromkeys(following))
        for subject, steps, obj in patterns:
            for term in (subject, obj):
                if isinstance(term, Variable | BNode) and term not in routes:
                    raise Unbounded(f"{reach.name}: a SPARQL pattern not connected to $this")
            if isinstance(subject, Variable | BNode):
                for _, route in routes[subject]:
                    reach.read(route + steps)
            elif isinstance(obj, Variable | BNode):
                for _, route in routes[obj]:
                    reach.read(route + _invert(steps))
            else:
                self.global_reads.add((str(subject), steps[0].predicate if len(steps) == 1 else None))

    def _leaf(self, node: Node, patterns: list[tuple[Node, Steps, Node]], name: str) -> bool:
        """True if ``node`` is met only as the object of rdf:type or a literal-valued predicate."""
        met = [(s, st) for s, st, o in patterns if o == node and len(st) == 1 and not st[0].inverse]
        return bool(met) and all(st[0].predicate == TYPE or st[0].predicate in self.literal_predicates for _, st in met)

    # -- using them

    def focus_nodes(self, store: ox.Store, changed: Sequence[tuple[Any, Any, Any]]) -> set[Any] | None:
        """The focus nodes whose validation ``changed`` (triples as pyoxigraph terms, each added or removed)
        can change, walked in ``store`` as it is now; ``None`` when that cannot be bounded."""
        if self.unbounded is not None:
            return None
        found: set[Any] = set()
        for s, p, o in changed:
            predicate = p.value
            if predicate == SUBCLASS or (str(s.value), predicate) in self.global_reads:
                return None
            if (str(s.value), None) in self.global_reads:
                return None
            for reach in self.reaches:
                candidates: set[Any] = set()
                for steps, position in reach.positions.items():
                    if _reads(position.out, predicate):
                        candidates |= _walk_back(store, {s}, steps)
                    if _reads(position.into, predicate) and not isinstance(o, ox.Literal):
                        candidates |= _walk_back(store, {o}, steps)
                found |= {node for node in candidates if _is_target(store, reach, node)}
                if len(found) > MAX_FOCUS:
                    return None
        return found

    def extract(self, store: ox.Store, focus: Iterable[Any]) -> ox.Store:
        """A store with what validating ``focus`` reads from ``store``: the triples the access paths of the
        shapes reach from them, and the class hierarchy."""
        triples: set[tuple[Any, Any, Any]] = set()
        roots = set(focus)
        for reach in self.reaches:
            starts = {node for node in roots if _is_target(store, reach, node)}
            if not starts:
                continue
            for steps, position in reach.positions.items():
                nodes = _walk_forward(store, starts, steps)
                for node in nodes:
                    triples.update(_triples(store, node, position.out, outgoing=True))
                    triples.update(_triples(store, node, position.into, outgoing=False))
        triples.update((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, _SUBCLASS, None))
        data = ox.Store()
        data.extend([ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples])
        return data


_SUBCLASS = ox.NamedNode(SUBCLASS)
_TYPE = ox.NamedNode(TYPE)
_LITERAL_PREDICATES = (
    RDFS.label,
    RDFS.comment,
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
    URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
    URIRef("http://www.w3.org/2004/02/skos/core#definition"),
    URIRef("http://www.w3.org/2004/02/skos/core#notation"),
)


def literal_predicates(store: ox.Store) -> set[str]:
    """The predicates the ontology in ``store`` declares literal-valued (for choosing cheap routes)."""
    found = set()
    for kind in (OWL.DatatypeProperty, OWL.AnnotationProperty):
        for quad in store.quads_for_pattern(None, _TYPE, ox.NamedNode(str(kind))):
            if isinstance(quad.subject, ox.NamedNode):
                found.add(quad.subject.value)
    return found


def _reads(reads: Reads, predicate: str) -> bool:
    return reads is ANY or predicate in reads


def _invert(steps: Steps) -> Steps:
    return tuple(Step(s.predicate, not s.inverse, s.repeat) for s in reversed(steps))


def _repeat(inner: list[Steps], zero: bool, more: bool) -> list[Steps]:
    if more and any(len(p) != 1 for p in inner):
        raise Unbounded("a repetition over a path longer than one step")
    once = [tuple(Step(s.predicate, s.inverse, more) for s in p) for p in inner]
    return ([()] if zero else []) + once


def algebra_parts(node: Any) -> Iterator[CompValue]:
    """Every CompValue below ``node`` of rdflib's SPARQL algebra (nested dicts and lists)."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from algebra_parts(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from algebra_parts(item)


def algebra_terms(node: Any) -> Iterator[Node]:
    """Every RDF term below ``node`` of rdflib's SPARQL algebra (in values, lists and dict keys: an
    update's quads are a dict by graph)."""
    if isinstance(node, Node):
        yield node
    elif isinstance(node, dict):  # CompValue is a dict too
        for key, value in node.items():
            yield from algebra_terms(key)
            yield from algebra_terms(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from algebra_terms(item)


def _shapes_with_targets(shapes: Graph) -> set[Node]:
    found: set[Node] = set()
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        found.update(shapes.subjects(predicate, None))
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
                found.add(shape)
    return found


def _neighbours(store: ox.Store, node: Any, step: Step, backwards: bool) -> Iterator[Any]:
    """The nodes one ``step`` away from ``node`` (or one step before it, walking ``backwards``)."""
    predicate = None if step.predicate is None else ox.NamedNode(step.predicate)
    forward = step.inverse == backwards  # walk the triple from subject to object
    if forward:
        if isinstance(node, ox.Literal):
            return
        for quad in store.quads_for_pattern(node, predicate, None):
            yield quad.object
    else:
        for quad in store.quads_for_pattern(None, predicate, node):
            yield quad.subject


def _move(store: ox.Store, nodes: set[Any], step: Step, backwards: bool) -> set[Any]:
    reached = {n for node in nodes for n in _neighbours(store, node, step, backwards)}
    if not step.repeat:
        return reached
    seen, frontier = set(reached), reached
    while frontier:
        frontier = {n for node in frontier for n in _neighbours(store, node, step, backwards)} - seen
        seen |= frontier
    return seen


def _walk_forward(store: ox.Store, nodes: set[Any], steps: Steps) -> set[Any]:
    for step in steps:
        nodes = _move(store, nodes, step, backwards=False)
    return nodes


def _walk_back(store: ox.Store, nodes: set[Any], steps: Steps) -> set[Any]:
    for step in reversed(steps):
        nodes = _move(store, nodes, step, backwards=True)
        if not nodes:
            break
    return {n for n in nodes if not isinstance(n, ox.Literal)}


def _is_target(store: ox.Store, reach: ShapeReach, node: Any) -> bool:
    if isinstance(node, ox.Literal):
        return False
    if isinstance(node, ox.NamedNode) and node.value in reach.nodes:
        return True
    for predicate in reach.subjects_of:
        if next(store.quads_for_pattern(node, ox.NamedNode(predicate), None), None) is not None:
            return True
    for predicate in reach.objects_of:
        if next(store.quads_for_pattern(None, ox.NamedNode(predicate), node), None) is not None:
            return True
    if reach.classes:
        types = {q.object for q in store.quads_for_pattern(node, _TYPE, None)}
        return bool(_superclasses(store, types) & reach.classes)
    return False


def _superclasses(store: ox.Store, classes: set[Any]) -> set[str]:
    seen = {c for c in classes if not isinstance(c, ox.Literal)}
    frontier = set(seen)
    while frontier:
        frontier = {q.object for c in frontier for q in store.quads_for_pattern(c, _SUBCLASS, None)} - seen
        seen |= frontier
    return {c.value for c in seen if isinstance(c, ox.NamedNode)}


def _triples(store: ox.Store, node: Any, reads: Reads, outgoing: bool) -> Iterator[tuple[Any, Any, Any]]:
    if reads is not ANY and not reads:
        return
    predicates: Iterable[Any] = [None] if reads is ANY else [ox.NamedNode(p) for p in sorted(reads)]
    for predicate in predicates:
        if outgoing:
            if isinstance(node, ox.Literal):
                return
            quads = store.quads_for_pattern(node, predicate, None)
        else:
            quads = store.quads_for_pattern(None, predicate, node)
        for quad in quads:
            yield quad.subject, quad.predicate, quad.object


def changed_triples(quads: Iterable[tuple[Node, Node, Node, Any]]) -> list[tuple[Any, Any, Any]]:
    """rdflib quads (added or removed) as pyoxigraph triples, for ``Dependencies.focus_nodes``."""
    from .store.terms import to_oxigraph

    return [tuple(to_oxigraph(t) for t in (s, p, o)) for s, p, o, _ in quads]


__all__ = ["Dependencies", "Unbounded", "algebra_parts", "changed_triples", "literal_predicates"]
