"""Terms between pyoxigraph and rdflib (for answers read in Python, not for bulk data)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier, Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (RFC 3987), as the store checks it: what a request names
    is checked here, so that it can never reach a query as text the store cannot parse."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def to_rdflib(term: Any) -> Identifier:
    """An rdflib term for a pyoxigraph term; simple literals stay untyped, as rdflib parses them."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"no rdflib term for {term!r}")


def to_oxigraph(term: Node) -> Any:
    """A pyoxigraph term for an rdflib term (query parameters)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"no Oxigraph term for {term!r}")


def from_json(value: dict[str, str]) -> Identifier:
    """An rdflib term for a term of the SPARQL 1.1 JSON results format."""
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if kind in ("literal", "typed-literal"):  # "typed-literal" is what older stores (Virtuoso) send
        if "xml:lang" in value:
            return Literal(value["value"], lang=value["xml:lang"])
        datatype = value.get("datatype")
        if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
            return Literal(value["value"], datatype=URIRef(datatype))
        return Literal(value["value"])
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")
