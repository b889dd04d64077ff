"""SPARQL result and RDF serialisations by media type, shared by the CLI and the HTTP endpoint."""

from __future__ import annotations

import csv
import io
import json

from rdflib import Graph
from rdflib.query import Result

# Media types in order of preference (the first is the default).
TABULAR = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
}
GRAPH = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
#: Short names accepted by ``?format=`` and the CLI.
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "n3": "text/turtle",
    "n-triples": "application/n-triples",
}
#: For CONSTRUCT / DESCRIBE the generic names mean the RDF forms (as SPARQLWrapper sends them).
GRAPH_FORMAT_ALIASES = FORMAT_ALIASES | {"xml": "application/rdf+xml", "json": "application/ld+json"}


def media_type_for(format_param: str, offered: dict[str, str]) -> str | None:
    """What a ``format=`` value asks for among ``offered`` (a full media type is accepted too)."""
    aliases = GRAPH_FORMAT_ALIASES if offered is GRAPH else FORMAT_ALIASES
    value = format_param.strip().lower()
    wanted = aliases.get(value, value)
    return wanted if wanted in offered else None


def best_match(offered: list[str], accept: str) -> str | None:
    """The offered media type the Accept header prefers (the first offered wins ties), or None if none
    fits; ValueError for a malformed header."""
    import mimeparse

    try:
        # mimeparse prefers the last of equally good types, so the list goes in reversed.
        return str(mimeparse.best_match(list(reversed(offered)), accept)) or None
    except mimeparse.MimeTypeParseException as exc:
        raise ValueError(str(exc)) from None


def tsv(result: Result) -> str:
    """SPARQL 1.1 TSV: terms in N-Triples syntax, empty cells for unbound variables."""
    if result.type == "ASK":
        return "?_askResult\n" + ("true" if result.askAnswer else "false") + "\n"
    names = [str(v) for v in result.vars or []]
    lines = ["\t".join("?" + n for n in names)]
    for row in result:
        lines.append("\t".join("" if v is None else v.n3() for v in row))  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"


def csv_text(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.type == "ASK":
        writer.writerows([["_askResult"], ["true" if result.askAnswer else "false"]])
        return buffer.getvalue()
    writer.writerow([str(v) for v in result.vars or []])
    writer.writerows(["" if v is None else str(v) for v in row] for row in result)  # type: ignore[union-attr]
    return buffer.getvalue()


def serialize_result(result: Result, media_type: str) -> bytes:
    """A SELECT / ASK result in a tabular media type, or a CONSTRUCT / DESCRIBE graph in an RDF one."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        return serialize_graph(result.graph, media_type)
    fmt = TABULAR[media_type]
    if fmt == "tsv":
        return tsv(result).encode("utf-8")
    if fmt == "csv":
        return csv_text(result).encode("utf-8")
    out = result.serialize(format=fmt)
    assert out is not None
    return out


def serialize_graph(graph: Graph, media_type: str) -> bytes:
    fmt = GRAPH[media_type]
    if fmt == "json-ld":
        text = graph.serialize(format="json-ld", auto_compact=True, indent=2)
        json.loads(text)
        return text.encode("utf-8")
    return graph.serialize(format=fmt, encoding="utf-8")
