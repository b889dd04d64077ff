"""Serialise the dataset in every RDF format, with its DCAT / VoID description."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from .config import Settings
from .graph import bind_prefixes, union
from .namespaces import (
    ADMS_PUBLISHER_TYPE,
    CC_BY_4,
    EU_AUTHORITY,
    IANA_MEDIA_TYPES,
    ONTOLOGY_IRI,
    PREFIXES,
    SD,
    SOURCE_PAGE_2022,
    VCARD,
    graph_ns,
    resource_ns,
)

#: CLI name → (rdflib format, media type, file suffix, EU file-type authority code)
FORMATS: dict[str, tuple[str, str, str, str]] = {
    "ttl": ("turtle", "text/turtle", "ttl", "RDF_TURTLE"),
    "jsonld": ("json-ld", "application/ld+json", "jsonld", "JSON_LD"),
    "nt": ("nt", "application/n-triples", "nt", "RDF_N_TRIPLES"),
    "xml": ("xml", "application/rdf+xml", "rdf", "RDF_XML"),
    "trig": ("trig", "application/trig", "trig", "RDF_TRIG"),
    "nq": ("nquads", "application/n-quads", "nq", "RDF_N_QUADS"),
}
QUAD_FORMATS = {"trig", "nq"}
LICENSE = CC_BY_4
DATA_THEME = EU_AUTHORITY["data-theme/GOVE"]
LANG_SV = EU_AUTHORITY["language/SWE"]
LANG_EN = EU_AUTHORITY["language/ENG"]
SWEDEN = EU_AUTHORITY["country/SWE"]
TITLE_SV = "strategylinks: handlingsplaner och strategier i Kronoberg"
TITLE_EN = "strategylinks: action plans and strategies in Kronoberg"
DESCRIPTION_SV = (
    "Region Kronobergs handlingsplaner som länkade data: varje insats med sina effekter och sin tematiska koppling "
    "till strategiernas mål, och en katalog över de strategier som planerna hänvisar till, med källor och uppgift om "
    "vad som inte kunnat verifieras."
)
DESCRIPTION_EN = (
    "Region Kronoberg's action plans as linked data: every action with its effects and its thematic link to strategy "
    "goals, and a catalogue of the strategies the plans cite, with sources and a record of what could not be verified."
)
KEYWORDS_SV = ("regional utveckling", "handlingsplan", "strategi", "länkade data")


def dataset_iri(settings: Settings) -> URIRef:
    return resource_ns(settings.base_iri)["dataset"]


def describe(ds: Dataset, settings: Settings | None = None) -> Graph:
    """A DCAT (DCAT-AP-SE where it fits) and VoID description of the dataset, with its licence."""
    settings = settings or Settings()
    base = settings.base_iri
    ids = resource_ns(base)
    d = bind_prefixes(Graph())
    dataset = dataset_iri(settings)
    publisher = ids["org/strategylinks"]
    contact = ids["org/strategylinks/contact"]
    contents = [g for g in ds.graphs() if len(g) and g.identifier != graph_ns(base)["description"]]

    def add(subject: URIRef, *pairs: tuple[URIRef, URIRef | Literal]) -> None:
        for predicate, value in pairs:
            d.add((subject, predicate, value))

    add(
        dataset,
        (RDF.type, DCAT.Dataset),
        (RDF.type, VOID.Dataset),
        (DCTERMS.title, Literal(TITLE_SV, lang="sv")),
        (DCTERMS.title, Literal(TITLE_EN, lang="en")),
        (DCTERMS.description, Literal(DESCRIPTION_SV, lang="sv")),
        (DCTERMS.description, Literal(DESCRIPTION_EN, lang="en")),
        (DCTERMS.license, LICENSE),
        (DCTERMS.publisher, publisher),
        (DCTERMS.language, LANG_SV),
        (DCTERMS.language, LANG_EN),
        (DCTERMS.spatial, SWEDEN),
        (DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)),
        (DCTERMS.source, SOURCE_PAGE_2022),
        (DCAT.theme, DATA_THEME),
        (DCAT.contactPoint, contact),
        (RDFS.seeAlso, URIRef(ONTOLOGY_IRI)),
        (VOID.triples, Literal(sum(len(g) for g in contents), datatype=XSD.integer)),
        (VOID.uriSpace, Literal(str(ids))),
        (VOID.sparqlEndpoint, URIRef(base + "sparql")),
        *((DCAT.keyword, Literal(word, lang="sv")) for word in KEYWORDS_SV),
        *((VOID.vocabulary, URIRef(PREFIXES[p])) for p in ("sl", "skos", "dcterms", "org", "prov", "dcat")),
    )
    for name, (_, media, suffix, code) in FORMATS.items():
        dist = ids[f"dataset/distribution/{name}"]
        download = URIRef(f"{base}data/dataset.{suffix}")
        add(dataset, (DCAT.distribution, dist), (VOID.dataDump, download))
        add(
            dist,
            (RDF.type, DCAT.Distribution),
            (DCTERMS.title, Literal(f"Hela datamängden ({name})", lang="sv")),
            (DCTERMS.title, Literal(f"The whole dataset ({name})", lang="en")),
            (DCAT.accessURL, URIRef(f"{base}data/")),
            (DCAT.downloadURL, download),
            (DCAT.mediaType, IANA_MEDIA_TYPES[media]),
            (DCTERMS.format, EU_AUTHORITY["file-type/" + code]),
            (DCTERMS.license, LICENSE),
        )
    for g in sorted(contents, key=lambda g: str(g.identifier)):
        subset = ids["dataset/" + str(g.identifier)[len(str(graph_ns(base))) :]]
        add(dataset, (VOID.subset, subset))
        add(
            subset,
            (RDF.type, VOID.Dataset),
            (VOID.triples, Literal(len(g), datatype=XSD.integer)),
            (SD.name, URIRef(str(g.identifier))),
        )
    add(
        publisher,
        (RDF.type, FOAF.Agent),
        (FOAF.name, Literal("strategylinks")),
        (DCTERMS.type, ADMS_PUBLISHER_TYPE["NonProfitOrganisation"]),
    )
    add(contact, (RDF.type, VCARD.Organization), (VCARD.fn, Literal("strategylinks")))
    return d


def full_dataset(ds: Dataset, settings: Settings | None = None) -> Dataset:
    """The loaded dataset plus its description as the named graph ``{base}graph/description``.

    Graphs and triples are added in sorted order, so that every serialisation comes out the same on
    every run (rdflib writes in store order).
    """
    settings = settings or Settings()
    out = Dataset()
    bind_prefixes(out)
    graphs = {g.identifier: g for g in ds.graphs() if len(g)}
    graphs[graph_ns(settings.base_iri)["description"]] = describe(ds, settings)
    for name in sorted(graphs, key=str):
        target = out.graph(name)
        for triple in sorted(graphs[name]):
            target.add(triple)
    return out


def jsonld_context(ontology: Graph | None = None) -> dict[str, Any]:
    """The JSON-LD @context: the project's prefixes, plus a term for every property of the vocabulary
    (object properties typed ``@id``), so that ``"hasEffect": "…"`` reads as in the ontology."""
    context: dict[str, Any] = {prefix: ns for prefix, ns in PREFIXES.items() if prefix != "sh"}
    if ontology is not None:
        for kind, coerce in ((OWL.ObjectProperty, True), (OWL.DatatypeProperty, False)):
            for prop in sorted(ontology.subjects(RDF.type, kind), key=str):
                iri = str(prop)
                if iri.startswith(PREFIXES["sl"]):
                    term = iri[len(PREFIXES["sl"]) :]
                    context[term] = {"@id": iri, "@type": "@id"} if coerce else {"@id": iri}
    return context


def serialize(ds: Dataset, fmt: str, settings: Settings | None = None) -> str:
    """The whole dataset (with description) in ``fmt``, one of :data:`FORMATS`; the same every run."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    full = full_dataset(ds, settings)
    rdflib_format = FORMATS[fmt][0]
    if fmt == "nq":
        return _sorted_lines(full.serialize(format=rdflib_format))
    if fmt == "trig":
        return _trig(full)
    graph = union(full)
    if fmt == "jsonld":
        context = jsonld_context(graph)
        document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
        return json.dumps(_canonical(document), ensure_ascii=False, indent=2) + "\n"
    text = graph.serialize(format=rdflib_format)
    if fmt == "nt":
        return _sorted_lines(text)
    if fmt == "xml":
        return _sorted_xml(text)
    return text


# rdflib's serialisers walk sets, so apart from Turtle their order changes from run to run; the
# helpers below put the output in a stable order without changing what it says.


def _sorted_lines(text: str) -> str:
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def _canonical(node: Any, key: str = "") -> Any:
    """JSON-LD with every unordered array sorted (``@list`` arrays keep their order)."""
    if isinstance(node, dict):
        return {k: _canonical(v, k) for k, v in sorted(node.items())}
    if isinstance(node, list):
        items = [_canonical(v) for v in node]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return node


def _trig(full: Dataset) -> str:
    """TriG built graph by graph from rdflib's (stable) Turtle, in graph-name order."""
    header: list[str] = []
    blocks = []
    for graph in sorted(full.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        copy = bind_prefixes(Graph())
        copy += graph
        turtle = copy.serialize(format="turtle")
        lines = turtle.splitlines()
        header += [line for line in lines if line.startswith("@prefix")]
        body = [line for line in lines if not line.startswith("@prefix") and line.strip()]
        blocks.append(f"<{graph.identifier}> {{\n" + "\n".join("    " + line for line in body) + "\n}\n")
    return "\n".join(sorted(set(header))) + "\n\n" + "\n".join(blocks)


def _sorted_xml(text: str) -> str:
    from xml.dom import minidom

    document = minidom.parseString(text.encode("utf-8"))
    root = document.documentElement
    assert root is not None

    def key(node: Any) -> str:
        return node.toxml() if node.nodeType == node.ELEMENT_NODE else ""

    for element in [root, *root.getElementsByTagName("*")]:
        children = [c for c in element.childNodes if c.nodeType == c.ELEMENT_NODE]
        if len(children) > 1 and element.getAttribute("rdf:parseType") != "Collection":
            for child in children:
                element.removeChild(child)
            for child in sorted(children, key=key):
                element.appendChild(child)
    for node in list(root.childNodes):
        if node.nodeType == node.TEXT_NODE:
            root.removeChild(node)
    return str(document.toprettyxml(indent="  "))


__all__ = ["FORMATS", "describe", "full_dataset", "jsonld_context", "serialize"]
