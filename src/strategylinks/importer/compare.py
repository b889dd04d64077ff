"""Compare an imported plan with a curated one: same actions and effects, precision and recall of links."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from ..namespaces import SL
from .linking import normalise

LINKS = (SL.contributesTo, SL.hasTheme, SL.involves, SL.hasEffect)


@dataclass(frozen=True)
class Score:
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def _texts(g: Graph, kind: URIRef, plan: URIRef) -> dict[str, str]:
    out = {}
    for node in g.subjects(RDF.type, kind):
        row = g.value(node, SL.inRow)
        if kind == SL.Effect or g.value(node, SL.inPlan) == plan or (row and g.value(row, SL.inPlan) == plan):
            labels = [str(o) for o in g.objects(node, SKOS.prefLabel) if getattr(o, "language", None) == "sv"]
            out[str(node)] = normalise(labels[0]) if labels else ""
    return out


def compare(imported: Graph, curated: Graph, plan: URIRef) -> dict[str, Score]:
    """Per link kind (and for texts of actions and effects), how the import matches the curated plan."""
    scores: dict[str, Score] = {}
    for name, kind in (("actions", SL.Action), ("effects", SL.Effect)):
        ours, theirs = _texts(imported, kind, plan), _texts(curated, kind, plan)
        if kind == SL.Effect:
            theirs = {k: v for k, v in theirs.items() if k.startswith(str(plan))}
            ours = {k: v for k, v in ours.items() if k.startswith(str(plan))}
        correct = sum(1 for k, v in ours.items() if theirs.get(k) == v)
        scores[name] = Score(len(theirs), len(ours), correct)
    actions = {URIRef(a) for a in _texts(curated, SL.Action, plan)}
    for predicate in LINKS:
        expected = {(a, o) for a in actions for o in curated.objects(a, predicate)}
        found = {
            (a, o)
            for a in {URIRef(x) for x in _texts(imported, SL.Action, plan)}
            for o in imported.objects(a, predicate)
        }
        scores[str(predicate).rsplit("#", 1)[-1]] = Score(len(expected), len(found), len(expected & found))
    return scores
