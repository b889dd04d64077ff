"""The server's pages and linked data: over HTTP, and in headless Chromium with the network cut off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from .conftest import GK, ID, guarded_page, wait_for
from .servers import running_server

GOAL = GK + "prioritering-1"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as base:
        yield base


def test_resource_content_negotiation(server: str) -> None:
    path = server + "/id/strategi/grona-kronoberg-2025/prioritering-1"
    html = httpx.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Utveckla attraktiva livsmiljöer med god tillgänglighet" in html.text
    assert "Accept" in html.headers["vary"]
    for media, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = httpx.get(path, headers={"Accept": media})
        assert response.headers["content-type"].startswith(media)
        g = Graph().parse(data=response.content, format=fmt)
        assert (URIRef(GOAL), URIRef("http://www.w3.org/2004/02/skos/core#broader"), URIRef(GK + "omrade-1")) in g
    assert httpx.get(path, headers={"Accept": "image/png"}).status_code == 406
    assert httpx.get(server + "/id/strategi/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


def test_dumps_and_description(server: str) -> None:
    description = Graph().parse(
        data=httpx.get(server + "/.well-known/void", headers={"Accept": "text/turtle"}).text, format="turtle"
    )
    downloads = {str(o) for o in description.objects(None, DCAT.downloadURL)}
    assert "https://w3id.org/strategylinks/data/dataset.ttl" in downloads
    dump = httpx.get(server + "/data/dataset.nt")
    assert dump.status_code == 200
    g = Graph().parse(data=dump.text, format="nt")
    assert len(list(g.subjects(RDF.type, URIRef("https://w3id.org/strategylinks/ontology#Action")))) == 17
    assert httpx.get(server + "/data/dataset.xyz").status_code == 404


def test_json_twins(server: str) -> None:
    gaps = httpx.get(server + "/api/gaps").json()
    assert GOAL in {g["iri"] for g in gaps["gaps"]}
    assert GK + "prioritering-3" in {g["iri"] for g in gaps["indirect"]}
    assert len(gaps["actionsWithoutGoals"]) == 9
    graph = httpx.get(server + "/api/graph").json()
    assert sum(1 for n in graph["nodes"] if n["kind"] == "action") == 17
    named = httpx.get(server + "/api/queries").json()
    assert "goals-lacking-actions" in {q["name"] for q in named}
    rows = httpx.get(
        server + "/api/queries/actions-per-priority",
        params={"plan": ID + "plan/handlingsplan-internationellt-arbete-2022"},
    ).json()
    assert sorted(b["actions"]["value"] for b in rows["results"]["bindings"]) == ["4", "5", "8"]
    assert httpx.get(server + "/api/queries/themes", params={"colour": "red"}).status_code == 400
    openapi = httpx.get(server + "/openapi.json").json()
    assert {"/api/gaps", "/api/graph", "/sparql"} <= set(openapi["paths"])


# ------------------------------------------------------------------ in a browser


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    with guarded_page(browser, (server,)) as (page, outside):
        yield page
        assert outside == [], f"the page reached outside the server: {outside}"


def test_dashboard_marks_gaps(page: Any, server: str) -> None:
    page.goto(server + "/")
    assert page.locator(f'li[data-goal="{GOAL}"]').count() == 1
    assert page.locator(f'li[data-goal="{GK}prioritering-3"]').count() == 0
    assert page.locator("#coverage tbody tr").count() == len(httpx.get(server + "/api/gaps").json()["strategies"])
    page.goto(server + "/?lang=en")
    assert "Which strategy goals lack actions?" in page.inner_text("h1")


def test_graph_page_filters_and_links(page: Any, server: str) -> None:
    page.goto(server + "/graph")
    wait_for(page, "() => window.strategylinks && window.strategylinks.network")
    expected = len(httpx.get(server + "/api/graph").json()["nodes"])
    assert page.evaluate("strategylinks.nodes.get().filter(n => n.kind !== 'group').length") == expected
    # The site's navigation and the plan's title, not its IRI.
    assert page.locator("header.site nav a[href='/']").count() == 1
    assert page.inner_text("#plan-name") == "Region Kronobergs handlingsplan för internationellt arbete 2022"
    page.select_option("#filter-network", ID + "org/energy-cities")
    visible = page.evaluate("strategylinks.nodes.get().filter(n => n.kind === 'action' && !n.hidden).length")
    assert visible == 2  # Energy Cities: P1 row 5 and P3 row 3
    assert "network=" in page.url
    page.select_option("#filter-network", "")
    page.goto(server + "/graph?focus=" + GOAL)
    wait_for(page, "() => window.strategylinks && window.strategylinks.network")
    assert page.get_attribute("#details-link", "href") == "/id/strategi/grona-kronoberg-2025/prioritering-1"
    with page.expect_download() as download:
        page.click("#png")
    assert download.value.suggested_filename.endswith(".png")


def test_plain_query_form_runs_a_named_query(page: Any, server: str) -> None:
    page.goto(server + "/query?plain=1")
    page.click('a.named-query[data-name="actions-per-priority"]')
    assert "actions-per-priority" in page.url or "Insatser per prioritering" in page.input_value("#query-text")
    page.click("#plain-form button[type=submit]")
    page.wait_for_selector("#results")
    assert page.locator("#results tbody tr").count() == 3
    assert page.locator("#results a[href^='/id/']").count() > 0
    assert page.get_attribute("#csv-download", "href").startswith("/sparql?query=")


def test_openapi_docs_work_offline(page: Any, server: str) -> None:
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "strategylinks" in page.inner_text(".swagger-ui .info")


def test_compression_and_revalidation(server: str) -> None:
    """Pages and data are compressed for clients that accept it and answered 304 while the dataset
    version (and the representation asked for) is the same."""
    raw = httpx.get(server + "/graph", headers={"Accept-Encoding": "identity"})
    zipped = httpx.get(server + "/graph", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in raw.headers
    assert int(zipped.headers["content-length"]) * 3 < len(raw.content)
    assert zipped.text == raw.text
    for path in ("/", "/graph", "/api/gaps", "/api/gaps/gaps.csv", "/id/" + GOAL.removeprefix(ID), "/data/"):
        first = httpx.get(server + path)
        tag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache", path
        again = httpx.get(server + path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag, path
        # Another language or another representation is another tag.
        english = httpx.get(server + path, params={"lang": "en"}, headers={"If-None-Match": tag})
        assert english.status_code == 200 and english.headers["etag"] != tag, path
    turtle = httpx.get(server + "/id/" + GOAL.removeprefix(ID), headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != httpx.get(server + "/id/" + GOAL.removeprefix(ID)).headers["etag"]
    # The SPARQL endpoint negotiates on its own and is not tagged.
    assert "etag" not in httpx.get(server + "/sparql", params={"query": "ASK {}"}).headers
    docs = httpx.get(server + "/static-offline-docs/swagger-ui-bundle.js", headers={"Accept-Encoding": "gzip"})
    assert docs.headers["content-encoding"] == "gzip" and "max-age" in docs.headers["cache-control"]
