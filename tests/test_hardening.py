"""What an adversarial probe of the server found (issue 10), each as a test that failed before its fix:
real servers on loopback, real concurrent clients."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph
from rdflib import Dataset

from strategylinks import queries

from .conftest import wait_for
from .servers import context_server, running_server

TOKEN = "hardening-token"
SL = "https://w3id.org/strategylinks/ontology#"
EX = "https://w3id.org/strategylinks/id/test/"

#: One of every update form, each valid but changing nothing the shapes care about (or refused for a
#: reason of its own), and every query form: what a fresh server must parse correctly in parallel.
UPDATES = [
    f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 'x' }} }}",
    f"DELETE DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 'x' }} }}",
    f"DELETE {{ GRAPH <{EX}g> {{ ?s <{EX}p> ?o }} }} INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}q> ?o }} }} "
    f"WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}p> ?o }} }}",
    f"DELETE WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}q> ?o }} }}",
    f"WITH <{EX}g> DELETE {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}",
    f"CLEAR SILENT GRAPH <{EX}none>",
    f"CREATE SILENT GRAPH <{EX}made>",
    f"PREFIX ex: <{EX}> INSERT {{ GRAPH ex:g {{ ex:b ex:p ?n }} }} WHERE {{ BIND(1 + 2 AS ?n) }}",
]
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s a ?t }",
    "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3",
    f"DESCRIBE <{EX}a>",
    "SELECT ?s WHERE { ?s ?p ?o FILTER (REGEX(STR(?s), 'plan')) } LIMIT 1",
]


def run_update(base: str, text: str) -> httpx.Response:
    return httpx.post(
        base + "/sparql",
        data={"update": text},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )


def run_query(base: str, text: str) -> httpx.Response:
    return httpx.post(base + "/sparql", data={"query": text}, headers={"Accept": "*/*"}, timeout=120)


def answers(base: str) -> dict[str, Any]:
    """Every form's status on its own, one after the other."""
    return {t: run_update(base, t).status_code for t in UPDATES} | {t: run_query(base, t).status_code for t in QUERIES}


def test_concurrent_first_use_leaves_every_form_working() -> None:
    """Finding 1: pyparsing's parse-action set-up is not thread-safe, so simultaneous first updates
    (parsed in the thread pool) could break the parser until a restart."""
    with running_server("--update-token", TOKEN) as base:
        texts = [("u", t) for t in UPDATES] * 3 + [("q", t) for t in QUERIES] * 2
        with ThreadPoolExecutor(len(texts)) as pool:
            first = list(pool.map(lambda job: (run_update if job[0] == "u" else run_query)(base, job[1]), texts))
        broken = [r.text for r in first if "postParse" in r.text or "positional argument" in r.text]
        assert broken == []
        assert all(r.status_code < 500 for r in first), [r.text for r in first if r.status_code >= 500]
        after = answers(base)
        assert all(code in (200, 204) for code in after.values()), after


FIRST_USE = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from rdflib import Dataset
from strategylinks import queries
from strategylinks.api.store import parse_update
updates, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])
dataset = Dataset()
def one(job):
    kind, text = job
    try:
        parse_update(text) if kind == "u" else queries.run(dataset, text)
        return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
jobs = [("u", t) for t in updates] * 3 + [("q", n) for n in names] * 2
with ThreadPoolExecutor(len(jobs)) as pool:
    first = list(pool.map(one, jobs))
after = [one(job) for job in jobs]
print(json.dumps({"first": first, "after": after}))
"""


def test_concurrent_first_parses_in_the_library() -> None:
    """Finding 1, where the parsing happens: rdflib's parser (updates of the server, named queries on an
    rdflib graph) used by many threads at its first use in a fresh process."""
    names = sorted(queries.available())
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_USE, json.dumps(UPDATES), json.dumps(names)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        result = json.loads(done.stdout)
        assert [r for r in result["first"] if r != "ok"] == []
        assert [r for r in result["after"] if r != "ok"] == []


def test_requests_over_the_size_limit_are_refused_before_they_are_read() -> None:
    """Findings 2 and 3: a query, update or body over max_request_bytes is 413, by its Content-Length or
    as it streams in; an update or a graph write without the token is 403 before its body is read."""
    limit = 4096
    big_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * (2 * limit)
    with running_server("--update-token", TOKEN, "--max-request-bytes", str(limit)) as base:
        assert httpx.post(base + "/sparql", data={"query": big_query}).status_code == 413
        direct = httpx.post(base + "/sparql", content=big_query, headers={"Content-Type": "application/sparql-query"})
        assert direct.status_code == 413 and "max_request_bytes" in direct.text
        assert httpx.get(base + "/sparql", params={"query": big_query}).status_code == 413

        def chunks() -> Any:
            for _ in range(64):  # 4 MiB without a Content-Length
                yield b"query=" + b"x" * 65536

        streamed = httpx.post(
            base + "/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert streamed.status_code == 413
        # Without the token, an update or a graph write is refused before its body counts.
        update = httpx.post(
            base + "/sparql",
            content="INSERT DATA { <a:b> <a:c> 'x' } # " + "x" * (2 * limit),
            headers={"Content-Type": "application/sparql-update"},
        )
        assert update.status_code == 403
        put = httpx.put(base + "/store", params={"graph": EX + "g"}, content=b"x" * (2 * limit))
        assert put.status_code == 403
        with_token = httpx.put(
            base + "/store",
            params={"graph": EX + "g"},
            content=b"x" * (2 * limit),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
        )
        assert with_token.status_code == 413
        plain = httpx.post(base + "/query", data={"query": big_query})
        assert plain.status_code == 413
        # A query within the limit still runs.
        assert run_query(base, QUERIES[0]).status_code == 200


def test_the_timeout_covers_an_update_s_parsing() -> None:
    """Finding 2: rdflib's parser is superlinear, so a 0.6 MB INSERT DATA parsed for 50 s (and a
    9 MB one for minutes after the client left); the timeout now stops it and nothing is applied."""
    triples = " ".join(f"<{EX}s{i}> <{EX}p> 'value number {i}' ." for i in range(5000))
    text = f"INSERT DATA {{ GRAPH <{EX}big> {{ {triples} }} }}"
    assert 500_000 < len(text) < 2**20
    with running_server("--update-token", TOKEN, "--query-timeout", "3") as base:
        started = time.monotonic()
        response = run_update(base, text)
        took = time.monotonic() - started
        assert response.status_code == 503 and "did not parse within 3 s" in response.text
        assert took < 20
        # Nothing was applied, and the server answers at once.
        count = run_query(base, f"ASK {{ GRAPH <{EX}big> {{ ?s ?p ?o }} }}")
        assert count.status_code == 200 and '"boolean":false' in count.text.replace(" ", "")
        assert run_update(base, UPDATES[0]).status_code == 204


def test_serve_refuses_settings_it_cannot_use(tmp_path: Any) -> None:
    """Finding 8: a negative timeout or result limit, a port out of range and a port in use are errors
    (exit 2) before anything starts, never a traceback or a "serving on" line."""
    for option, value, word in (
        ("--query-timeout", "-1", "query_timeout"),
        ("--result-limit", "-1", "result_limit"),
        ("--port", "99999", "port"),
        ("--max-request-bytes", "0", "max_request_bytes"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "strategylinks", "serve", option, value],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (option, done.stderr)
        assert word in done.stderr and "Traceback" not in done.stderr and "serving on" not in done.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "strategylinks", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "serving on" not in done.stderr and "Traceback" not in done.stderr


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_the_page_cache_does_not_grow_with_spellings_of_a_plan() -> None:
    """Finding 4: the graph page was cached under the raw plan parameter, so 200 spellings of one plan
    kept 200 copies of a 1 MB page (346 MB). Pages are now cached per resolved plan and the cache is
    bounded."""
    processes: list[subprocess.Popen[bytes]] = []
    with running_server(processes=processes) as base:
        plan = httpx.get(base + "/api/gaps").json()["plan"]
        path = plan.split("/id/", 1)[1]
        # 200 spellings of one plan: <IRI>, the IRI, and its path under /id/ with any number of slashes.
        spellings = [f"<{plan}>", plan] + ["/" * k + path for k in range(198)]
        with httpx.Client(base_url=base, timeout=60) as client:
            for lang in ("sv", "en"):
                assert client.get("/graph", params={"plan": plan, "lang": lang}).status_code == 200
            before = rss_mib(processes[0].pid)
            for n in range(200):
                query = {"plan": spellings[n], "lang": ("sv", "en")[n % 2]}
                response = client.get("/graph", params=query)
                assert response.status_code == 200
        grown = rss_mib(processes[0].pid) - before
        assert grown < 60, f"the server grew {grown:.0f} MiB over 200 requests"


SLOW = """# title: Långsam | Slow
# description: A cross join that runs for minutes: for the timeout test.
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }
"""


def test_api_queries_have_the_timeout_and_do_not_hold_up_pages(tmp_path: Path) -> None:
    """Finding 5: /api/queries/* ran in-process under the store lock without a timeout, and 4 clients
    on one API query took the cached / from 12 ms to 2.7 s. Named queries now run in the engine, with
    the query timeout, beside everything else."""
    root = Path(__file__).resolve().parent.parent
    folder = tmp_path / "queries"
    shutil.copytree(root / "queries", folder)
    (folder / "slow.rq").write_text(SLOW, encoding="utf-8")
    env = {"STRATEGYLINKS_QUERIES_DIR": str(folder)}
    with running_server("--query-timeout", "2", env=env) as base:
        started = time.monotonic()
        slow = httpx.get(base + "/api/queries/slow", timeout=60)
        assert slow.status_code == 503 and time.monotonic() - started < 15
        assert httpx.get(base + "/").status_code == 200  # warm the page cache
        stop = time.monotonic() + 4

        def hammer() -> int:
            count = 0
            with httpx.Client(base_url=base, timeout=60) as client:
                while time.monotonic() < stop:
                    assert client.get("/api/queries/strategy-coverage").status_code == 200
                    count += 1
            return count

        with ThreadPoolExecutor(4) as pool:
            running = [pool.submit(hammer) for _ in range(4)]
            slowest = 0.0
            with httpx.Client(base_url=base, timeout=60) as client:
                while time.monotonic() < stop:
                    t0 = time.monotonic()
                    assert client.get("/").status_code == 200
                    slowest = max(slowest, time.monotonic() - t0)
            assert sum(f.result() for f in running) > 4
        assert slowest < 1.0, f"the cached dashboard took {slowest:.2f} s beside 4 API clients"


EVIL = "javascript:alert(document.domain)"
EVIL_GOAL = f"""PREFIX sl: <{SL}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <https://w3id.org/strategylinks/graph/evil> {{
  <{EVIL}> a sl:StrategyGoal ; skos:prefLabel "Ondskefullt mål"@sv ;
    skos:inScheme <https://w3id.org/strategylinks/id/strategi/grona-kronoberg-2025> ;
    skos:broader <https://w3id.org/strategylinks/id/strategi/grona-kronoberg-2025/prioritering-1> ;
    sl:goalLevel sl:Objective ; sl:verification sl:NamedInPlanOnly ;
    dcterms:source <https://w3id.org/strategylinks/id/plan/handlingsplan-internationellt-arbete-2022> .
}} }}"""


def test_no_page_makes_a_script_iri_a_live_link(browser: Any) -> None:
    """Finding 6: a goal with the IRI javascript:… got a live href on the dashboard (its links skipped the
    scheme filter of the resource pages) and in the graph's details. One filter now serves every page,
    and every page sends a Content-Security-Policy."""
    from .conftest import guarded_page

    with running_server("--update-token", TOKEN) as base:
        assert run_update(base, EVIL_GOAL).status_code == 204
        strategy = "https%3A%2F%2Fw3id.org%2Fstrategylinks%2Fid%2Fstrategi%2Fgrona-kronoberg-2025"
        pages = [
            "/",
            "/?lang=en",
            f"/coverage?strategy={strategy}",
            "/id/strategi/grona-kronoberg-2025/prioritering-1",
            "/network",
            "/graph",
            "/query?plain=1&query=" + quote("SELECT ?g WHERE { ?g a <" + SL + "StrategyGoal> }"),
            "/docs",
        ]
        for path in pages:
            response = httpx.get(base + path)
            assert response.status_code == 200, path
            assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
            assert 'href="javascript:' not in response.text.lower(), path
        with guarded_page(browser, (base,)) as (page, outside):
            for path in pages[:-1]:
                page.goto(base + path)
                live = page.eval_on_selector_all(
                    "a[href]", "els => els.filter(a => a.protocol === 'javascript:').map(a => a.outerHTML)"
                )
                assert live == [], path
            # The graph's details panel of the goal lists its links: none is a script.
            page.goto(base + "/graph?focus=" + quote(EVIL, safe=""))
            wait_for(page, "window.strategylinks !== undefined")
            assert page.evaluate("strategylinks.state.focus") == EVIL
            live = page.eval_on_selector_all(
                "a[href]", "els => els.filter(a => a.protocol === 'javascript:').map(a => a.outerHTML)"
            )
            assert live == []
            assert outside == []


def test_wholesale_deletion_and_non_rdf_results() -> None:
    """Finding 7: DROP ALL needs its confirmation; an update whose result is not RDF (a literal subject)
    is refused, so the dumps stay readable; and with every plan gone the pages say so instead of 404."""
    with running_server("--update-token", TOKEN) as base:
        drop = run_update(base, "DROP ALL")
        assert drop.status_code == 400 and "confirm=drop-all" in drop.text
        literal = run_update(base, f"INSERT {{ GRAPH <{EX}g> {{ ?x <{EX}p> 'o' }} }} WHERE {{ BIND('lit' AS ?x) }}")
        assert literal.status_code == 400 and "not RDF" in literal.text
        for suffix in ("nq", "trig"):
            dump = httpx.get(base + f"/data/dataset.{suffix}", timeout=60)
            assert dump.status_code == 200
            Dataset().parse(data=dump.text, format={"nq": "nquads", "trig": "trig"}[suffix])
        found = run_query(base, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?p a <{SL}ActionPlan> }} }}")
        graphs = [row["g"]["value"] for row in found.json()["results"]["bindings"]]
        assert graphs
        for graph in graphs:
            assert run_update(base, f"CLEAR GRAPH <{graph}>").status_code == 204
        for path, words in (
            ("/", "ingen handlingsplan"),
            ("/graph", "ingen handlingsplan"),
            ("/?lang=en", "no action plan"),
        ):
            page = httpx.get(base + path)
            assert page.status_code == 200 and words in page.text.lower(), path
        gaps = httpx.get(base + "/api/gaps")
        assert gaps.status_code == 404 and "no action plan" in gaps.json()["detail"]


def test_evaluation_errors_are_never_500_and_a_missing_graph_fails_its_drop() -> None:
    """Finding 8: type errors in evaluation follow SPARQL's semantics (an unbound value) or are 400,
    never 500; DROP GRAPH, and ADD / MOVE / COPY from, a graph that does not exist fail unless SILENT."""
    queries_with_errors = [
        'SELECT (SUM(?x) AS ?s) WHERE { VALUES ?x { "a" 1 } }',
        'SELECT (STRLANG("a", "-1") AS ?s) WHERE {}',
        "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999",
        'SELECT ?s WHERE { ?s ?p ?o FILTER REGEX(STR(?s), "(") } LIMIT 1',
        "SELECT (1/0 AS ?n) WHERE {}",
        'SELECT (<http://www.w3.org/2001/XMLSchema#integer>("x") AS ?n) WHERE {}',
    ]
    with running_server("--update-token", TOKEN) as base:
        for text in queries_with_errors:
            assert run_query(base, text).status_code in (200, 400), text
        none = f"<{EX}no-such-graph>"
        for text in (
            f"DROP GRAPH {none}",
            f"COPY {none} TO <{EX}b>",
            f"MOVE {none} TO <{EX}b>",
            f"ADD {none} TO DEFAULT",
        ):
            failed = run_update(base, text)
            assert failed.status_code == 400 and "there is no graph" in failed.text, text
        for text in (f"DROP SILENT GRAPH {none}", f"COPY SILENT {none} TO <{EX}b>"):
            assert run_update(base, text).status_code == 204, text
        # A graph the same request creates first may be dropped.
        assert (
            run_update(
                base, f"INSERT DATA {{ GRAPH <{EX}tmp> {{ <{EX}a> <{EX}p> 1 }} }} ; DROP GRAPH <{EX}tmp>"
            ).status_code
            == 204
        )


def test_a_graph_write_never_fetches_a_json_ld_context() -> None:
    """Finding 11 on the server: a JSON-LD body sent to the graph store is parsed by rdflib, which would
    fetch an http:// @context; it is refused (400) and nothing is asked of the network."""
    with context_server() as (url, asked):
        body = json.dumps({"@context": url, "@id": EX + "x", "ex:p": "v"})
        with running_server("--update-token", TOKEN) as base:
            response = httpx.put(
                base + "/store",
                params={"graph": "https://w3id.org/strategylinks/graph/test-jsonld"},
                content=body,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/ld+json"},
            )
            assert response.status_code == 400 and "not fetched or read" in response.text
        assert asked == []


def test_an_empty_update_does_nothing() -> None:
    """Found by fuzzing: an empty update request (SPARQL allows one: a prologue, or nothing) was a 500,
    because rdflib gives a bare list for it. It is a 204 that changes nothing."""
    with running_server("--update-token", TOKEN) as base:
        before = run_query(base, QUERIES[0]).json()
        for text in ("", "   ", "PREFIX ex: <https://example.org/>", "# only a comment"):
            assert run_update(base, text).status_code == 204, repr(text)
        assert run_query(base, QUERIES[0]).json() == before


def test_an_update_s_evaluation_has_the_timeout() -> None:
    """Finding 10 (the server's bomb): a 100-byte `INSERT … WHERE` over a cross product makes millions of
    triples; rdflib evaluated it with no time limit under the write lock, growing without bound."""
    every = "GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i }"
    cross = f"INSERT {{ GRAPH <{EX}g> {{ ?a <{EX}p> ?d }} }} WHERE {{ {every} }}"
    with running_server("--update-token", TOKEN, "--query-timeout", "3") as base:
        started = time.monotonic()
        response = run_update(base, cross)
        assert response.status_code == 503, response.text
        assert "ran longer than 3 s" in response.text and "nothing was applied" in response.text
        assert time.monotonic() - started < 20
        assert '"boolean":false' in run_query(base, f"ASK {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }}").text.replace(" ", "")
        # The write lock is free again.
        assert run_update(base, UPDATES[0]).status_code == 204


def test_an_update_s_change_is_bounded() -> None:
    """Finding 10: the pending change is held in memory before it is validated, so its size is bounded
    (here at 1,000 quads, against the shipped dataset's 3,700 triples copied into one graph)."""
    from strategylinks.api.store import SparqlError, evaluate_update
    from strategylinks.config import Settings
    from strategylinks.sparqlparse import prepare_update
    from strategylinks.store import memory_store
    from strategylinks.store.overlay import OxigraphQuads

    store = memory_store(Settings())
    copy = prepare_update(f"INSERT {{ GRAPH <{EX}g> {{ ?a ?b ?c }} }} WHERE {{ GRAPH ?x {{ ?a ?b ?c }} }}")
    try:
        evaluate_update(OxigraphQuads(store.oxigraph), copy, max_change=1000)
    except SparqlError as exc:
        assert "would change more than 1,000 triples" in str(exc) and "nothing was applied" in str(exc)
    else:
        raise AssertionError("a change of 3,700 quads passed a bound of 1,000")
    removal = prepare_update("DELETE WHERE { GRAPH ?x { ?a ?b ?c } }")
    try:
        evaluate_update(OxigraphQuads(store.oxigraph), removal, max_change=1000)
    except SparqlError as exc:
        assert "would change more than 1,000 triples" in str(exc)
    else:
        raise AssertionError("a removal of 3,700 quads passed a bound of 1,000")
    # Within the bound the change is computed, and nothing is written to the store.
    change = evaluate_update(OxigraphQuads(store.oxigraph), copy, max_change=10_000)
    assert len(change.added) > 3000
    assert not any(store.oxigraph.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(EX + "g")))


def test_a_page_is_computed_once_however_many_ask_at_once() -> None:
    """The load test (benchmarks/load.py): after each update all 32 clients rendered `/` at once, so
    its p50 was 3 s and the server's memory crept up. One computation per key and version now; the
    others wait for it."""
    import threading

    from strategylinks.api.store import VersionedCache

    cache = VersionedCache(entries=2)
    calls: list[int] = []
    gate = threading.Event()

    def slow() -> object:
        calls.append(1)
        gate.wait(5)
        return object()

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(cache.get, 1, "page", slow) for _ in range(16)]
        time.sleep(0.2)
        gate.set()
        values = {id(f.result()) for f in futures}
    assert len(calls) == 1 and len(values) == 1
    assert cache.get(1, "page", slow) is futures[0].result()  # kept for the version
    cache.get(2, "page", slow)
    assert len(calls) == 2  # a new version computes again

    def broken() -> object:
        raise ValueError("no such plan")

    for _ in range(2):  # a failure reaches the caller and is not kept
        try:
            cache.get(2, "bad", broken)
        except ValueError as exc:
            assert str(exc) == "no such plan"
        else:
            raise AssertionError("the failure was swallowed")
    for key in ("a", "b", "c"):
        cache.get(2, key, object)
    assert cache.get(2, "a", lambda: "recomputed") == "recomputed"  # the least recently used went first


def test_the_served_socket_sends_without_waiting_for_acks() -> None:
    """The load test: every answer on a kept-alive connection took 40 ms or more (a 404 included),
    because the socket bound before start-up did not say it was TCP and asyncio then leaves Nagle's
    algorithm on, which waits for the client's delayed ACK."""
    import asyncio

    from strategylinks.cli import listening_socket

    sock = listening_socket("127.0.0.1", 0)

    async def accepted_nodelay() -> list[int]:
        seen: list[int] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        reader, writer = await asyncio.open_connection(*sock.getsockname())
        await reader.read()
        writer.close()
        server.close()
        await server.wait_closed()
        return seen

    # A thread of its own: an earlier test's event loop (the browser's) may run in this one.
    with ThreadPoolExecutor(1) as pool:
        flags = pool.submit(asyncio.run, accepted_nodelay()).result(timeout=30)
    assert [bool(flag) for flag in flags] == [True]
