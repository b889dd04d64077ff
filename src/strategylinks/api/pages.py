"""Server-rendered HTML: one Jinja environment over ``viz/``, with links kept on this server."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Literal, URIRef
from rdflib.term import Node

from ..namespaces import PREFIXES
from .settings import ServerSettings

#: Pages load nothing from elsewhere; inline scripts are the pages' own (data goes in as JSON).
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
)


@cache
def environment(folder: Path) -> Environment:
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html", "jinja"]))


def local_href(iri: str, settings: ServerSettings) -> str:
    """A link that stays on this server for IRIs under the base IRI or the vocabulary, else the IRI."""
    if iri.startswith(settings.base_iri):
        return "/" + iri[len(settings.base_iri) :]
    if iri.startswith(PREFIXES["sl"]):
        return "/ontology#" + iri[len(PREFIXES["sl"]) :]
    return iri


def curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def term_view(node: Node, settings: ServerSettings, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """What a template needs to show one RDF term."""
    if isinstance(node, URIRef):
        text = str(node)
        href = local_href(text, settings)
        if not href.startswith(("/", "http://", "https://")):
            # Only web and local links are clickable: an IRI such as javascript:… stays text.
            return {"kind": "literal", "value": text, "lang": None, "datatype": None}
        return {"kind": "iri", "iri": text, "href": href, "label": (labels or {}).get(text) or curie(text)}
    if isinstance(node, Literal):
        return {
            "kind": "literal",
            "value": str(node),
            "lang": node.language,
            "datatype": curie(str(node.datatype)) if node.datatype else None,
        }
    return {"kind": "bnode", "value": str(node)}


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings: ServerSettings = request.app.state.settings
    lang = "en" if request.query_params.get("lang") == "en" else "sv"
    page = (
        environment(settings.viz_path)
        .get_template(template)
        .render(lang=lang, request_path=request.url.path, base_iri=settings.base_iri, **context)
    )
    return HTMLResponse(page, status_code=status_code, headers={"Vary": "Accept", "Content-Security-Policy": CSP})
