"""Server-rendered HTML: one Jinja environment over ``viz/``, with links kept on this server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape
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


#: What :func:`local_href` gives for an IRI that must not become a live link.
NOT_A_LINK = "#"


def local_href(iri: str, settings: ServerSettings) -> str:
    """A link that stays on this server for IRIs under the base IRI or the vocabulary, the IRI itself for
    http(s) IRIs, and :data:`NOT_A_LINK` for any other scheme (``javascript:``, ``data:``…): the one
    scheme filter of every page."""
    if iri.startswith(settings.base_iri):
        return "/" + iri[len(settings.base_iri) :]
    if iri.startswith(PREFIXES["sl"]):
        return "/ontology#" + iri[len(PREFIXES["sl"]) :]
    if re.match(r"^https?://", iri, re.IGNORECASE):
        return iri
    return NOT_A_LINK


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
        if href == NOT_A_LINK:
            # Only web and local links are clickable: an IRI such as javascript:… stays text.
            return {"kind": "literal", "value": text, "lang": None, "datatype": None}
        short = curie(text)
        return {"kind": "iri", "iri": text, "href": href, "label": (labels or {}).get(text) or short, "curie": short}
    if isinstance(node, Literal):
        return {
            "kind": "literal",
            "value": str(node),
            "lang": node.language,
            "datatype": curie(str(node.datatype)) if node.datatype else None,
        }
    return {"kind": "bnode", "value": str(node)}


#: Names of the outside vocabularies' properties and classes the data uses (the store has labels only
#: for its own vocabulary).
PROPERTY_NAMES: dict[str, tuple[str, str]] = {
    "rdf:type": ("typ", "type"),
    "rdfs:label": ("etikett", "label"),
    "rdfs:domain": ("domän", "domain"),
    "rdfs:range": ("värdemängd", "range"),
    "rdfs:subClassOf": ("underklass till", "subclass of"),
    "rdfs:subPropertyOf": ("underegenskap till", "subproperty of"),
    "skos:prefLabel": ("namn", "name"),
    "skos:altLabel": ("annat namn", "alternative name"),
    "skos:notation": ("beteckning", "notation"),
    "skos:definition": ("definition", "definition"),
    "skos:scopeNote": ("användning", "scope note"),
    "skos:editorialNote": ("redaktionell anmärkning", "editorial note"),
    "skos:historyNote": ("historik", "history note"),
    "skos:inScheme": ("ingår i", "in scheme"),
    "skos:broader": ("överordnat", "broader"),
    "skos:narrower": ("underordnat", "narrower"),
    "skos:related": ("relaterat", "related"),
    "skos:closeMatch": ("nära motsvarighet", "close match"),
    "skos:relatedMatch": ("relaterad motsvarighet", "related match"),
    "skos:hasTopConcept": ("har toppbegrepp", "has top concept"),
    "skos:topConceptOf": ("toppbegrepp i", "top concept of"),
    "dcterms:title": ("titel", "title"),
    "dcterms:alternative": ("alternativ titel", "alternative title"),
    "dcterms:description": ("beskrivning", "description"),
    "dcterms:publisher": ("utgivare", "publisher"),
    "dcterms:source": ("källa", "source"),
    "dcterms:issued": ("utgiven", "issued"),
    "dcterms:modified": ("ändrad", "modified"),
    "dcterms:date": ("datum", "date"),
    "dcterms:identifier": ("identifierare", "identifier"),
    "dcterms:language": ("språk", "language"),
    "dcterms:license": ("licens", "licence"),
    "dcterms:relation": ("relation", "relation"),
    "prov:wasDerivedFrom": ("härledd från", "derived from"),
    "prov:wasAssociatedWith": ("utförd av", "associated with"),
    "foaf:homepage": ("webbplats", "homepage"),
    "dcat:landingPage": ("landningssida", "landing page"),
    "org:memberOf": ("medlem i", "member of"),
    "owl:versionInfo": ("version", "version"),
    "skos:Concept": ("begrepp", "concept"),
    "skos:ConceptScheme": ("begreppssystem", "concept scheme"),
    "owl:Ontology": ("ontologi", "ontology"),
    "owl:Class": ("klass", "class"),
    "owl:ObjectProperty": ("objektegenskap", "object property"),
    "owl:DatatypeProperty": ("dataegenskap", "datatype property"),
}


def property_names(lang: str) -> dict[str, str]:
    """The outside properties' names in ``lang``, keyed by full IRI."""
    index = 0 if lang == "sv" else 1
    out = {}
    for short, names in PROPERTY_NAMES.items():
        prefix, local = short.split(":", 1)
        if prefix in PREFIXES:
            out[PREFIXES[prefix] + local] = names[index]
    return out


@dataclass(frozen=True)
class Name:
    """A label to show on a page in ``page`` language; in templates it marks itself with ``lang`` when it
    is in another language (a Swedish name on an English page), as text it is just the label."""

    text: str
    lang: str
    page: str

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        text = str(escape(self.text))
        if self.lang and self.lang.split("-")[0].lower() != self.page:
            return f'<span lang="{escape(self.lang)}">{text}</span>'
        return text


def localized(data: dict[str, Any], lang: str) -> Name:
    """A node's name in ``lang`` from the view's ``label``/``label_en``/``label_lang``, else the other."""
    if lang == "en" and data.get("label_en"):
        return Name(data["label_en"], "en", lang)
    return Name(data.get("label") or "", data.get("label_lang") or "", lang)


LANGUAGES = ("sv", "en")
LANG_COOKIE = "lang"


def page_lang(request: Request) -> str:
    """The page's language: ``?lang=`` if given, else the visitor's last choice (a cookie), else Swedish."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGUAGES:
            return value
    return "sv"


def lang_switch(request: Request, lang: str) -> str:
    """This page's address in the other language, every other parameter kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if lang == "sv" else "sv"))
    return f"{request.url.path}?{urlencode(params)}"


def html_response(request: Request, page: str, status_code: int = 200) -> HTMLResponse:
    """An HTML page with the site's headers; an explicit ``?lang=`` is remembered in a cookie."""
    response = HTMLResponse(
        page, status_code=status_code, headers={"Vary": "Accept, Cookie", "Content-Security-Policy": CSP}
    )
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings: ServerSettings = request.app.state.settings
    lang = page_lang(request)
    page = (
        environment(settings.viz_path)
        .get_template(template)
        .render(
            lang=lang,
            lang_switch=lang_switch(request, lang),
            request_path=request.url.path,
            base_iri=settings.base_iri,
            **context,
        )
    )
    return html_response(request, page, status_code)
