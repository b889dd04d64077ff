"""The only place where the project's IRIs are spelled out."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

SL = Namespace("https://w3id.org/strategylinks/ontology#")
ONTOLOGY_IRI = "https://w3id.org/strategylinks/ontology"
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VANN = Namespace("http://purl.org/vocab/vann/")
SDG = Namespace("http://metadata.un.org/sdg/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Base IRI the shipped data files are written under; ``Settings.base_iri`` may move it.
DEFAULT_BASE_IRI = "https://w3id.org/strategylinks/"
#: Resources live under ``{base}id/``, named graphs under ``{base}graph/``.
RESOURCE_PATH = "id/"
GRAPH_PATH = "graph/"

PREFIXES: dict[str, Namespace] = {
    "sl": SL,
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "dcat": Namespace(str(DCAT)),
    "prov": Namespace(str(PROV)),
    "org": ORG,
    "schema": SCHEMA,
    "foaf": Namespace(str(FOAF)),
    "void": Namespace(str(VOID)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "sh": SH,
    "vann": VANN,
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
    "RDF",
    "RDFS",
    "SCHEMA",
    "SDG",
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
