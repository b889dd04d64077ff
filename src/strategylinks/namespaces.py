"""The only place where the project's IRIs are spelled out."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SL = Namespace("https://w3id.org/strategylinks/ontology#")
ONTOLOGY_IRI = "https://w3id.org/strategylinks/ontology"
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
SDG = Namespace("http://metadata.un.org/sdg/")
WD = Namespace("http://www.wikidata.org/entity/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
#: EU Publications Office authority tables (file types, languages, countries, data themes).
EU_AUTHORITY = Namespace("http://publications.europa.eu/resource/authority/")
IANA_MEDIA_TYPES = Namespace("https://www.iana.org/assignments/media-types/")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOURCE_PAGE_2022 = URIRef("https://www.regionkronoberg.se/om-region-kronoberg/internationella-samarbeten/")

#: Base IRI the shipped data files are written under; ``Settings.base_iri`` may move it.
DEFAULT_BASE_IRI = "https://w3id.org/strategylinks/"
#: Resources live under ``{base}id/``, named graphs under ``{base}graph/``.
RESOURCE_PATH = "id/"
GRAPH_PATH = "graph/"

#: Prefixes bound in every graph and used in the JSON-LD context.
# RDF Data Cube and the SDMX terms it is used with, for indicator observations.
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")

PREFIXES: dict[str, str] = {
    "sl": str(SL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "void": str(VOID),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "vann": str(VANN),
    "vcard": str(VCARD),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
}


def resource_ns(base_iri: str) -> Namespace:
    """Namespace of the dataset's resources under a base IRI."""
    return Namespace(base_iri + RESOURCE_PATH)


def graph_ns(base_iri: str) -> Namespace:
    """Namespace of the dataset's named graphs under a base IRI."""
    return Namespace(base_iri + GRAPH_PATH)


__all__ = [
    "DCAT",
    "DCTERMS",
    "DEFAULT_BASE_IRI",
    "FOAF",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SDG",
    "SDMX_DIMENSION",
    "SDMX_MEASURE",
    "SH",
    "SKOS",
    "SL",
    "VANN",
    "VOID",
    "WD",
    "XSD",
    "graph_ns",
    "resource_ns",
]
