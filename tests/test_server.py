"""The server on 127.0.0.1 with real clients: SPARQLWrapper, rdflib's SPARQLStore, curl."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from strategylinks import queries

from .conftest import GK, ID, need
from .servers import running_server

TOKEN = "test-token"
EFFECT = ID + "plan/handlingsplan-internationellt-arbete-2022/prioritering-1/rad-1/effekt-1"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server("--update-token", TOKEN, "--query-timeout", "3", "--result-limit", "50") as base:
        yield base


def count(base: str) -> int:
    response = httpx.get(base + "/sparql", params={"query": COUNT}, headers={"Accept": "application/json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_sparqlwrapper_gets_the_gap_query(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(queries.find("goals-lacking-actions").text)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    coverage = {r["goal"]["value"]: r["coverage"]["value"] for r in rows}
    assert coverage[GK + "prioritering-1"] == "none"
    assert coverage[GK + "prioritering-3"] == "indirect"
    assert GK + "prioritering-3/innovationsgrad" not in coverage


def test_rdflib_sparqlstore(server: str) -> None:
    graph = Graph(store=SPARQLStore(server + "/sparql"))
    rows = list(graph.query("SELECT (COUNT(?a) AS ?n) WHERE { ?a a <https://w3id.org/strategylinks/ontology#Action> }"))
    assert int(rows[0][0]) == 17  # type: ignore[index,arg-type]
    # Triple patterns go over the wire as queries too.
    labels = set(graph.objects(URIRef(GK + "prioritering-1"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
    assert {str(x) for x in labels} >= {"Utveckla attraktiva livsmiljöer med god tillgänglighet"}


def test_curl(server: str) -> None:
    curl = shutil.which("curl")
    need(curl is not None, "curl is not installed")
    assert curl is not None
    done = subprocess.run(
        [
            curl,
            "-s",
            "-S",
            "-f",
            "-H",
            "Accept: text/csv",
            "--data-urlencode",
            "query=SELECT ?label WHERE { ?p a <https://w3id.org/strategylinks/ontology#PlanPriority> ; "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label FILTER(lang(?label) = 'sv') } ORDER BY ?label",
            server + "/sparql",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "label",
        "extern finansiering",
        "internationell benchmarking och lärande",
        "påverkansarbete",
    ]
    done = subprocess.run(
        [
            curl,
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Accept: image/png",
            server + "/sparql?query=ASK%7B%7D",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "406"


def test_update_without_token_is_refused(server: str) -> None:
    before = count(server)
    response = httpx.post(
        server + "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 403
    response = httpx.post(
        server + "/sparql",
        content="CLEAR ALL",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"},
    )
    assert response.status_code == 403
    assert count(server) == before


def test_update_that_breaks_a_shape_changes_nothing(server: str) -> None:
    before = count(server)
    snapshot = httpx.get(
        server + "/sparql",
        params={"query": f"CONSTRUCT WHERE {{ <{EFFECT}> ?p ?o }}"},
        headers={"Accept": "application/n-triples"},
    ).text
    # Removing the effect's labels breaks the shapes; the insert in the same request must not land either.
    # The data lives in named graphs (one per file), which an update addresses with GRAPH.
    update = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"DELETE WHERE {{ GRAPH ?g {{ <{EFFECT}> skos:prefLabel ?l }} }} ;\n"
        'INSERT DATA { <http://example.org/marker> <http://example.org/p> "partial" }'
    )
    response = httpx.post(
        server + "/sparql",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 422
    report = response.json()
    assert report["conforms"] is False
    assert {(v["focus"], v["component"]) for v in report["violations"]} == {
        (EFFECT, "QualifiedMinCountConstraintComponent")
    }
    assert count(server) == before
    marker = httpx.get(
        server + "/sparql",
        params={"query": "ASK { <http://example.org/marker> ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert marker.json()["boolean"] is False
    after = httpx.get(
        server + "/sparql",
        params={"query": f"CONSTRUCT WHERE {{ <{EFFECT}> ?p ?o }}"},
        headers={"Accept": "application/n-triples"},
    ).text
    assert sorted(after.splitlines()) == sorted(snapshot.splitlines())


def test_valid_update_lands(server: str) -> None:
    before = count(server)
    theme = ID + "tema/testtema"
    insert = (
        "PREFIX sl: <https://w3id.org/strategylinks/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f'INSERT DATA {{ GRAPH <{ID}graph/test> {{ <{theme}> a sl:Theme ; skos:prefLabel "testtema"@sv ; '
        f"skos:inScheme <{ID}tema> }} }}"
    )
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(server + "/sparql", content=insert, headers=headers).status_code == 204
    assert count(server) == before + 3
    assert httpx.post(server + "/sparql", content=f"DROP GRAPH <{ID}graph/test>", headers=headers).status_code == 204
    assert count(server) == before


def test_an_update_after_a_valid_one_is_checked_on_the_nodes_it_touches(server: str) -> None:
    """After an accepted update the server knows its data conforms and validates only the focus nodes an
    update can affect: an effect that loses its actions is still found, through the inverse path."""
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    marker = f'INSERT DATA {{ GRAPH <{ID}graph/test> {{ <http://example.org/a> <http://example.org/p> "x" }} }}'
    assert httpx.post(server + "/sparql", content=marker, headers=headers).status_code == 204
    before = count(server)
    update = (
        "PREFIX sl: <https://w3id.org/strategylinks/ontology#>\n"
        f"DELETE WHERE {{ GRAPH ?g {{ ?a sl:hasEffect <{EFFECT}> }} }}"
    )
    response = httpx.post(server + "/sparql", content=update, headers=headers)
    assert response.status_code == 422, response.text
    found = {(v["focus"], v["component"]) for v in response.json()["violations"]}
    assert (EFFECT, "MinCountConstraintComponent") in found
    actions = {focus for focus, component in found if component != "MinCountConstraintComponent"}
    assert len(actions) == 3 and all("/insats-" in a for a in actions), found
    assert count(server) == before
    assert httpx.post(server + "/sparql", content=f"DROP GRAPH <{ID}graph/test>", headers=headers).status_code == 204


def test_runaway_query_is_stopped_and_the_server_stays_responsive(server: str) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        response = httpx.get(server + "/sparql", params={"query": runaway}, timeout=60)
        outcome["status"], outcome["seconds"] = response.status_code, time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert httpx.get(server + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    quick = time.monotonic() - started
    thread.join(60)
    assert outcome["status"] == 503
    assert quick < 3  # answered while the runaway query was still running
    assert float(outcome["seconds"]) < 10  # type: ignore[arg-type]


def test_result_limit(server: str) -> None:
    response = httpx.get(
        server + "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 50
    assert response.headers["X-SPARQL-MaxRows"] == "50"


def test_bad_query_gets_the_parser_message(server: str) -> None:
    response = httpx.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "syntax error" in response.text and "line 1" in response.text


def test_service_description(server: str) -> None:
    response = httpx.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(server + "/sparql"), URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in g
    names = {str(o) for o in g.objects(None, URIRef(sd + "name"))}
    assert "https://w3id.org/strategylinks/graph/plans/handlingsplan-internationellt-arbete-2022" in names
    json.dumps(sorted(names))


def test_sparqlwrapper_construct_with_its_defaults(server: str) -> None:
    # SPARQLWrapper sends format=xml (its default) for every query: for a graph that means RDF/XML.
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 5")
    graph = client.query().convert()
    assert isinstance(graph, Graph) and len(graph) == 5


def test_http_details(server: str) -> None:
    # HEAD answers like GET without a body (link checkers, crawlers).
    head = httpx.head(server + "/sparql", params={"query": "ASK {}"})
    assert head.status_code == 200 and head.content == b""
    assert httpx.head(server + "/id/strategi/grona-kronoberg-2025").status_code == 200
    # Other sites may read; they may not send the update token.
    cors = httpx.options(
        server + "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert "authorization" not in cors.headers.get("access-control-allow-headers", "").lower()
    read = httpx.get(server + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert read.headers["access-control-allow-origin"] == "*"
    # A malformed Accept header or a strange token is a client error, not a crash.
    assert httpx.get(server + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "garbage"}).status_code == 400
    assert httpx.get(server + "/id/strategi/eusbsr", headers={"Accept": "garbage"}).status_code == 400
    weird = httpx.post(
        server + "/sparql",
        content=b"INSERT DATA {}",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer \xe9t\xe9".encode("latin-1")},
    )
    assert weird.status_code == 403


@pytest.mark.parametrize("path", ["/graph/%22", "/graph/a%20b", "/id/%7Cx", "/id/%25zz"])
def test_a_path_that_makes_no_iri_is_not_found(server: str, path: str) -> None:
    """Found by tests/test_fuzz.py: /graph/%22 reached the store as a query it could not parse (500)."""
    for accept in ("text/html", "text/turtle"):
        response = httpx.get(server + path, headers={"Accept": accept})
        assert response.status_code == 404 and "not an IRI" in response.text, response.text
    assert httpx.get(server + "/store", params={"graph": 'https://a/"'}).status_code == 400


def test_engine_failure_is_a_server_error(server: str) -> None:
    # Valid SPARQL that rdflib cannot evaluate is the engine's fault (500), not the client's (400).
    response = httpx.get(server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"})
    assert response.status_code in (200, 500)
    assert response.status_code != 400


def test_query_page_links_only_web_iris(server: str) -> None:
    query = 'SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }'
    page = httpx.get(server + "/query", params={"query": query, "plain": "1"})
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text
    assert "Content-Security-Policy" in page.headers
