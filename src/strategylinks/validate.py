"""Validate data against the SHACL shapes (pyshacl) and return a typed report; never prints."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Union

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .errors import InputError
from .graph import labels
from .namespaces import PREFIXES, SH
from .sparqlparse import PARSER_LOCK

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with its messages in Swedish and English."""

    focus: str
    path: str | None
    constraint: str
    value: str | None = None
    severity: str = "Violation"
    shape: str | None = None
    message_sv: str = ""
    message_en: str = ""
    focus_label: str = field(default="", compare=False)

    @property
    def component(self) -> str:
        """The constraint component's local name, e.g. ``MinCountConstraintComponent``."""
        return self.constraint.rsplit("#", 1)[-1]


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]
    report_graph: Graph

    def text(self, lang: str = "sv") -> str:
        """The report in words, one line per problem, sorted by focus node."""
        if self.conforms:
            return "Data följer formerna (SHACL): inga fel." if lang == "sv" else "Data conforms to the shapes."
        head = (
            f"{len(self.violations)} fel mot formerna (SHACL):"
            if lang == "sv"
            else f"{len(self.violations)} shape violations:"
        )
        lines = [head]
        for v in self.violations:
            message = (v.message_sv if lang == "sv" else v.message_en) or v.message_en or v.message_sv
            where = f" [{_short(v.path)}]" if v.path else ""
            value = f" (värde: {v.value})" if v.value and lang == "sv" else (f" (value: {v.value})" if v.value else "")
            lines.append(f"- {v.focus_label or v.focus} <{v.focus}>{where}: {message}{value}")
        return "\n".join(lines)


def _short(iri: str) -> str:
    """``sl:hasEffect`` rather than the full IRI, for the report in words."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and prefix != "rdf":
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef | Literal):
        return str(node)
    # A blank node path (e.g. sh:inversePath) has no stable name; describe it.
    return "(path expression)"


#: The SHACL engines: pyshacl-turbo (Rust, pySHACL's API; the default) and pySHACL (the reference).
ENGINES = ("turbo", "pyshacl")
DEFAULT_ENGINE = "turbo"

Data = Union[Graph, "Store"]


def validate(
    data: Data, shapes: Graph, engine: str = DEFAULT_ENGINE, focus: Collection[Node] | None = None
) -> ValidationReport:
    """Validate ``data`` (an rdflib Graph, or a store whose graphs are validated as their union; it must
    include the ontology, for the class hierarchy) against ``shapes``; only the ``focus`` nodes if given."""
    from .store import OxigraphStore, Store

    if engine not in ENGINES:
        raise InputError(f"unknown SHACL engine {engine!r}", hint="use " + " or ".join(ENGINES))
    target: Any = data
    if isinstance(data, Store):
        if engine == "pyshacl":
            target = data.to_graph()
        elif isinstance(data, OxigraphStore):
            target = data.oxigraph
        else:
            target = pyoxigraph.Store()
            target.load(data.union_ntriples(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    if engine == "turbo":
        import pyshacl_turbo

        run = pyshacl_turbo.validate
    else:
        # Imported here: pySHACL is the reference engine, and its import is a tenth of the server's start.
        from pyshacl import validate as run
    try:
        # pySHACL parses the shapes' SPARQL with rdflib (the turbo engine does not).
        with PARSER_LOCK if engine == "pyshacl" else nullcontext():
            conforms, report, _ = run(
                target,
                shacl_graph=shapes,
                inference="none",
                advanced=False,
                allow_warnings=True,
                focus_nodes=None if focus is None else list(focus),
            )
    except Exception as exc:  # noqa: BLE001 - each engine has its own failure types
        raise InputError(f"the shapes cannot be used ({engine}): {exc}") from None
    if not isinstance(report, Graph):  # pyshacl returns its failure instead of raising
        raise InputError(f"the shapes cannot be used: {report}")
    # Both engines drop the language of a SPARQL constraint's sh:message; the shapes still know it.
    languages = {str(m): m.language for m in shapes.objects(None, SH.message) if isinstance(m, Literal)}
    violations = []
    for result in report.subjects(predicate=SH.resultSeverity):
        focus_node = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        path_text = _text(path)
        if path is not None and not isinstance(path, URIRef):
            inverse = report.value(path, SH.inversePath)
            path_text = f"^{inverse}" if inverse is not None else path_text
        messages = {
            m.language or languages.get(str(m)): str(m)
            for m in report.objects(result, SH.resultMessage)
            if isinstance(m, Literal)
        }
        violations.append(
            Violation(
                focus=str(focus_node),
                path=path_text,
                constraint=str(report.value(result, SH.sourceConstraintComponent)),
                value=_text(report.value(result, SH.value)),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                shape=_text(report.value(result, SH.sourceShape)),
                message_sv=messages.get("sv", messages.get(None, "")),
                message_en=messages.get("en", messages.get(None, "")),
            )
        )
    names = labels(data, {v.focus for v in violations})
    violations = [replace(v, focus_label=names.get(v.focus, "")) for v in violations]
    violations.sort(key=lambda v: (v.focus, v.path or "", v.component, v.value or "", v.message_en))
    return ValidationReport(bool(conforms), tuple(violations), report)
