"""The W3C SPARQL 1.1 Protocol test suite, read from its manifest and run against a real server."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .conftest import FIXTURES, need
from .servers import running_server
from .stores import oxigraph_command, oxigraph_server, virtuoso_command, virtuoso_server

SUITE = FIXTURES / "w3c" / "sparql11-protocol"
MANIFEST = SUITE / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TOKEN = "w3c-suite-token"
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    data: list[tuple[Path, str]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)


def load_suite() -> list[ProtocolTest]:
    if not MANIFEST.is_file():
        return []
    g = Graph().parse(MANIFEST, publicID=MANIFEST.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for node in Collection(g, g.value(manifest, MF.entries)):
        test = ProtocolTest(str(node).rsplit("#", 1)[-1])
        for data in g.objects(node, UT.graphData):
            test.data.append((Path(urlsplit(str(g.value(data, UT.graph))).path), str(g.value(data, RDFS.label))))
        action = g.value(node, MF.action)
        for request in Collection(g, g.value(action, HT.requests)):
            headers = {}
            if g.value(request, HT.headers) is not None:
                for h in Collection(g, g.value(request, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body_node = g.value(request, HT.body)
            body = str(g.value(body_node, CNT.chars)).encode("utf-8") if body_node is not None else None
            response = g.value(request, HT.resp)
            boolean = g.value(response, MF.expectedBoolean)
            fmt = g.value(response, MF.expectedFormat)
            test.requests.append(
                Request(
                    method=str(g.value(request, HT.methodName)),
                    path=str(g.value(request, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    statuses={str(s).rsplit("#", 1)[-1] for s in g.objects(response, MF.expectedStatus)},
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,  # type: ignore[union-attr]
                )
            )
        tests.append(test)
    return tests


SUITE_TESTS = load_suite()


def test_the_suite_is_there() -> None:
    need(MANIFEST.is_file(), f"the W3C protocol tests are not at {SUITE}")
    assert len(SUITE_TESTS) == 34


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """strategylinks serve on its embedded engine, and as a front end over a real Oxigraph server."""
    need(MANIFEST.is_file(), f"the W3C protocol tests are not at {SUITE}")
    empty = tmp_path_factory.mktemp("empty-data")
    if request.param == "embedded":
        with running_server("--update-token", TOKEN, "--data-dir", str(empty)) as base:
            yield base
        return
    if request.param == "oxigraph":
        need(oxigraph_command() is not None, "the oxigraph server command is not installed (pip install oxigraph)")
        store = oxigraph_server(tmp_path_factory.mktemp("oxigraph-w3c"))
    else:
        need(virtuoso_command() is not None, "Debian's virtuoso-opensource is not installed")
        store = virtuoso_server(tmp_path_factory.mktemp("virtuoso-w3c"))
    with (
        store as endpoint,
        running_server("--update-token", TOKEN, *endpoint.args(), env=endpoint.env) as base,
    ):
        yield base


def send(base: str, method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, str, bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Authorization": f"Bearer {TOKEN}", **headers})
        response = connection.getresponse()
        return response.status, response.getheader("content-type", ""), response.read()
    finally:
        connection.close()


def reset(base: str, data: list[tuple[Path, str]]) -> None:
    updates = ["DROP ALL"]
    for path, graph in data:
        triples = (SUITE / path.name).read_text(encoding="utf-8")
        updates.append(f"INSERT DATA {{ GRAPH {URIRef(graph).n3()} {{ {triples} }} }}")
    status, _, body = send(
        base,
        "POST",
        "/sparql?confirm=drop-all",
        {"content-type": "application/sparql-update"},
        " ;\n".join(updates).encode("utf-8"),
    )
    assert status == 204, body.decode()


def boolean_of(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        return bool(json.loads(body)["boolean"])
    root = ElementTree.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


@pytest.mark.parametrize("test", SUITE_TESTS, ids=[t.name for t in SUITE_TESTS])
def test_protocol(test: ProtocolTest, server: str) -> None:
    reset(server, test.data)
    for request in test.requests:
        path = "/sparql" + request.path[len("/sparql/") :] if request.path.startswith("/sparql/") else request.path
        if request.body and (b"CLEAR" in request.body.upper() or b"DROP" in request.body.upper()):
            # strategylinks asks for confirm=drop-all before CLEAR ALL / DROP ALL (an extension parameter).
            path += ("&" if "?" in path else "?") + "confirm=drop-all"
        status, content_type, body = send(server, request.method, path, request.headers, request.body)
        assert f"StatusCode{status // 100}xx" in request.statuses, (status, body.decode(errors="replace"))
        media_type = content_type.split(";")[0].strip()
        if request.expected_format == "boolean":
            assert media_type in BOOLEAN_TYPES, content_type
        elif request.expected_format == "tabular":
            assert media_type in TABULAR_TYPES, content_type
        elif request.expected_format == "RDF":
            assert media_type in RDF_TYPES, content_type
            Graph().parse(
                data=body,
                format={
                    "text/turtle": "turtle",
                    "application/ld+json": "json-ld",
                    "application/n-triples": "nt",
                    "application/rdf+xml": "xml",
                }[media_type],
            )
        if request.expected_boolean is not None:
            assert boolean_of(media_type, body) is request.expected_boolean
