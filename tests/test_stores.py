"""One store interface, several stores: the embedded Oxigraph store (in memory and on disk) and real
remote SPARQL 1.1 stores (Oxigraph server, Virtuoso) started by the tests give the same answers."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from strategylinks import network, queries, reports
from strategylinks.config import Settings
from strategylinks.store import OxigraphStore, RemoteStore, Store, StoreError, memory_store

from .conftest import IN_CI, PLAN_2022, need
from .servers import running_server
from .stores import RemoteEndpoint, oxigraph_command, oxigraph_server, virtuoso_command, virtuoso_server

ALL = sorted(queries.available()) + sorted(f"checks/{n}" for n in queries.checks())


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strategylinks", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture(scope="session")
def embedded(settings: Settings) -> OxigraphStore:
    return memory_store(settings)


@pytest.fixture(scope="session")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("store") / "kg"
    done = cli("load", "--store", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


@functools.cache
def shipped_triples() -> int:
    """The shipped files' triples, counted by rdflib (one named graph per file and the ontology)."""
    from strategylinks.graph import load_dataset

    return sum(1 for _ in load_dataset(Settings()).quads((None, None, None, None)))


def _published(endpoint: RemoteEndpoint) -> RemoteEndpoint:
    done = cli("publish", *endpoint.args(), env=endpoint.env)
    assert done.returncode == 0, done.stderr
    assert f"published 19 graphs, {shipped_triples()} triples" in done.stderr
    return endpoint


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteEndpoint]:
    need(oxigraph_command() is not None, "the oxigraph server command is not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as endpoint:
        yield _published(endpoint)


@pytest.fixture(scope="session")
def virtuoso_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteEndpoint]:
    need(virtuoso_command() is not None, "Debian's virtuoso-opensource is not installed")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        yield _published(endpoint)


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> RemoteEndpoint:
    endpoint: RemoteEndpoint = request.getfixturevalue(f"{request.param}_endpoint")
    return endpoint


def remote_store(endpoint: RemoteEndpoint, settings: Settings) -> RemoteStore:
    return RemoteStore(
        settings.base_iri,
        endpoint.endpoint,
        update_endpoint=endpoint.update_endpoint,
        graph_store=endpoint.graph_store,
        user=endpoint.env.get("STRATEGYLINKS_ENDPOINT_USER"),
        password=endpoint.env.get("STRATEGYLINKS_ENDPOINT_PASSWORD"),
    )


#: A value for every parameter of the named queries, for the answers with all of them bound.
EVERY_PARAMETER = {"plan": PLAN_2022, "previous": PLAN_2022, "strategy": "strategi/grona-kronoberg-2025"}


def answers(store: Store | Dataset, name: str, *, bind_all: bool = False) -> list[tuple[str, ...]]:
    named = queries.checks()[name[7:]] if name.startswith("checks/") else queries.available()[name]
    declared = {p.name for p in named.params}
    params = {k: v for k, v in EVERY_PARAMETER.items() if k in declared and (bind_all or k == "plan")}
    result = queries.run(store, named, params)
    out = []
    for row in queries.rows(result):
        # GROUP_CONCAT's order is not defined by SPARQL; compare the parts as a set.
        cells = ("" if v is None else str(v) for v in row.values())
        out.append(tuple(", ".join(sorted(c.split(", "))) for c in cells))
    return sorted(out)


# ------------------------------------------------------------------ every query, every store


@pytest.mark.parametrize("name", ALL)
def test_disk_store_answers_as_memory(name: str, embedded: OxigraphStore, disk_store: Path, settings: Settings) -> None:
    with OxigraphStore.open(disk_store, settings.base_iri, read_only=True) as disk:
        assert answers(disk, name) == answers(embedded, name)


@pytest.mark.parametrize("name", ALL)
def test_remote_store_answers_as_embedded(
    name: str, remote: RemoteEndpoint, embedded: OxigraphStore, settings: Settings
) -> None:
    with remote_store(remote, settings) as store:
        assert answers(store, name) == answers(embedded, name)


@pytest.mark.parametrize("name", [n for n, q in queries.available().items() if len(q.params) > 1])
def test_every_parameter_bound_same_answers(
    name: str, remote: RemoteEndpoint, embedded: OxigraphStore, settings: Settings
) -> None:
    """With all parameters bound (plan and strategy, or two plans), the embedded store, rdflib (the
    reference evaluator of initial bindings) and the remote stores agree."""
    expected = answers(embedded.to_dataset(), name, bind_all=True)
    assert answers(embedded, name, bind_all=True) == expected
    with remote_store(remote, settings) as store:
        assert answers(store, name, bind_all=True) == expected


def test_named_queries_project_their_parameters() -> None:
    """Parameters are bound by substitution (Oxigraph) or a trailing VALUES block (remote stores); both
    restrict exactly as a binding only when the parameter is in the answer."""
    from rdflib.plugins.sparql import prepareQuery

    for named in [*queries.available().values(), *queries.views().values()]:
        projected = {str(v) for v in prepareQuery(named.text).algebra["PV"]}
        assert {p.name for p in named.params} <= projected, named.name


def test_remote_graphs_and_counts(remote: RemoteEndpoint, embedded: OxigraphStore, settings: Settings) -> None:
    with remote_store(remote, settings) as store:
        assert store.graph_names() == embedded.graph_names()
        assert store.graph_sizes() == embedded.graph_sizes()
        assert len(store) == len(embedded) == shipped_triples()


def test_remote_gap_report_and_graph(remote: RemoteEndpoint, embedded: OxigraphStore, settings: Settings) -> None:
    with remote_store(remote, settings) as store:
        assert reports.gap_report(store) == reports.gap_report(embedded)
        ours = network.alignment_graph(embedded, PLAN_2022)
        theirs = network.alignment_graph(store, PLAN_2022)
        assert dict(theirs.nodes(data=True)) == dict(ours.nodes(data=True))
        assert dict(theirs.edges) == dict(ours.edges)


def test_remote_dump_is_the_data(remote: RemoteEndpoint, embedded: OxigraphStore, settings: Settings) -> None:
    with remote_store(remote, settings) as store:
        theirs, ours = Dataset(), Dataset()
        theirs.parse(data=store.dump(), format="nquads")
        ours.parse(data=embedded.dump(), format="nquads")
        for name in embedded.graph_names():
            assert isomorphic(theirs.graph(name), ours.graph(name)), name


# ------------------------------------------------------------------ the CLI on every store

READ_COMMANDS = [
    ("gaps", "--format", "json", "--include-indirect"),
    ("gaps",),
    ("stats", "--format", "json"),
    ("query", "strategy-coverage", "--format", "csv"),
    ("query", "plans", "--format", "json"),
    ("validate",),
]


def _where(kind: str, request: pytest.FixtureRequest) -> tuple[list[str], dict[str, str]]:
    if kind == "embedded":
        return [], {}
    if kind == "disk":
        return ["--store", str(request.getfixturevalue("disk_store"))], {}
    endpoint: RemoteEndpoint = request.getfixturevalue(f"{kind}_endpoint")
    return endpoint.args(), endpoint.env


@pytest.mark.parametrize("kind", ["disk", "oxigraph", "virtuoso"])
@pytest.mark.parametrize("command", READ_COMMANDS, ids=[" ".join(c) for c in READ_COMMANDS])
def test_cli_same_answers(command: tuple[str, ...], kind: str, request: pytest.FixtureRequest) -> None:
    args, env = _where(kind, request)
    expected = cli(*command)
    got = cli(*command, *args, env=env)
    assert expected.returncode == 0, expected.stderr
    assert (got.returncode, got.stdout) == (0, expected.stdout), got.stderr


@pytest.mark.parametrize("kind", ["disk", "oxigraph", "virtuoso"])
def test_cli_export_and_viz(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    args, env = _where(kind, request)
    for fmt in ("nq", "ttl"):
        expected, got = cli("export", "--format", fmt), cli("export", "--format", fmt, *args, env=env)
        assert got.returncode == 0, got.stderr
        a, b = Dataset(), Dataset()
        a.parse(data=expected.stdout, format="nquads" if fmt == "nq" else "turtle")
        b.parse(data=got.stdout, format="nquads" if fmt == "nq" else "turtle")
        assert sorted(str(g.identifier) for g in a.graphs()) == sorted(str(g.identifier) for g in b.graphs())
        for graph in a.graphs():
            assert isomorphic(graph, b.graph(graph.identifier)), graph.identifier
    assert cli("viz", "-o", str(tmp_path / "a.html")).returncode == 0
    done = cli("viz", "-o", str(tmp_path / "b.html"), *args, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == (tmp_path / "b.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------ clear errors, nothing half-written


def test_unreachable_endpoint_is_a_clear_error() -> None:
    from .servers import free_port

    done = cli("gaps", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql")
    assert done.returncode == 2
    assert "cannot reach" in done.stderr and "Traceback" not in done.stderr


def test_wrong_password_is_a_clear_error(virtuoso_endpoint: RemoteEndpoint) -> None:
    env = {**virtuoso_endpoint.env, "STRATEGYLINKS_ENDPOINT_PASSWORD": "pw-Zq83x"}
    done = cli("stats", *virtuoso_endpoint.args(), env=env)
    assert done.returncode == 2
    assert "credentials" in done.stderr and "Traceback" not in done.stderr
    # The password never shows in what strategylinks prints.
    assert "pw-Zq83x" not in done.stderr


def test_password_is_not_an_option() -> None:
    done = cli("stats", "--password", "x")
    assert done.returncode == 2


def test_load_refuses_bad_data_and_keeps_the_store(disk_store: Path, tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "kg"
    assert cli("load", "--store", str(folder)).returncode == 0
    before = sorted(p.name for p in folder.iterdir())
    data = tmp_path / "data"
    data.mkdir()
    broken = data / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n", encoding="utf-8")
    done = cli("load", "--store", str(folder), "--data-dir", str(data))
    assert done.returncode == 2
    assert "broken.ttl:4" in done.stderr and "Traceback" not in done.stderr
    # A plan action without its plan: loads, but breaks the shapes, so the store is not replaced.
    broken.write_text(
        "@prefix sl: <https://w3id.org/strategylinks/ontology#> .\n"
        "<https://w3id.org/strategylinks/id/x> a sl:Action .\n",
        encoding="utf-8",
    )
    done = cli("load", "--store", str(folder), "--data-dir", str(data))
    assert done.returncode == 1, done.stderr
    assert "was not changed" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kg")] == []
    with OxigraphStore.open(folder, settings.base_iri, read_only=True) as store:
        assert len(store) == shipped_triples()


def test_store_in_use_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "kg"
    assert cli("load", "--store", str(folder)).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from strategylinks.store import OxigraphStore; "
            f"s = OxigraphStore.open(__import__('pathlib').Path({str(folder)!r}), {settings.base_iri!r}); "
            "print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        done = cli("load", "--store", str(folder))
        assert done.returncode == 2
        assert "in use by another process" in done.stderr and "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()


def test_store_from_a_newer_version_or_not_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    assert cli("load", "--store", str(folder)).returncode == 0
    meta = folder / "strategylinks-store.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "layout": 99}), encoding="utf-8")
    done = cli("gaps", "--store", str(folder))
    assert done.returncode == 2 and "newer strategylinks" in done.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    for command in (("gaps",), ("load",)):
        done = cli(*command, "--store", str(other))
        assert done.returncode == 2 and "not a strategylinks store" in done.stderr
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    done = cli("gaps", "--store", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no store here" in done.stderr


def test_ci_runs_every_store() -> None:
    if IN_CI:
        assert oxigraph_command() is not None and virtuoso_command() is not None


# -- the server over each kind of store


def _api(base: str, path: str) -> object:
    response = httpx.get(base + path, timeout=60)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def _rows(document: object) -> list[tuple[str, ...]]:
    assert isinstance(document, dict)
    names = document["head"]["vars"]
    rows = [tuple(b.get(n, {}).get("value", "") for n in names) for b in document["results"]["bindings"]]
    # GROUP_CONCAT's order is not defined by SPARQL; compare the parts as a set.
    return sorted(tuple(", ".join(sorted(c.split(", "))) for c in row) for row in rows)


def _served_answers(base: str) -> dict[str, object]:
    out: dict[str, object] = {
        "gaps": _api(base, "/api/gaps"),
        "stats": _api(base, "/api/stats"),
        "graph": _api(base, "/api/graph"),
    }
    for name in queries.available():
        out[f"query {name}"] = _rows(_api(base, f"/api/queries/{name}"))
    gap_query = queries.available()["goals-lacking-actions"].text
    response = httpx.post(
        base + "/sparql", data={"query": gap_query}, headers={"Accept": "application/sparql-results+json"}, timeout=60
    )
    out["sparql"] = _rows(response.json())
    page = httpx.get(base + "/", timeout=60)
    out["dashboard"] = page.status_code
    return out


@pytest.fixture(scope="session")
def served_embedded() -> dict[str, object]:
    with running_server() as base:
        return _served_answers(base)


@pytest.mark.parametrize("kind", ["disk", "oxigraph", "virtuoso"])
def test_serve_over_a_store_answers_as_embedded(
    kind: str, request: pytest.FixtureRequest, served_embedded: dict[str, object]
) -> None:
    args, env = _where(kind, request)
    with running_server(*args, env=env) as base:
        got = _served_answers(base)
    assert served_embedded["dashboard"] == 200
    for key, expected in served_embedded.items():
        assert got[key] == expected, key


ID = "https://w3id.org/strategylinks/id/"
THEME_UPDATE = (
    "PREFIX sl: <https://w3id.org/strategylinks/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "INSERT DATA {{ GRAPH <https://w3id.org/strategylinks/graph/test> {{ <{ID}tema/test-{n}> a sl:Theme ; "
    'skos:prefLabel "test {n}"@sv ; skos:inScheme <{ID}tema> }} }}'
)
TEST_THEMES = (
    "SELECT ?t (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/strategylinks/graph/test> { ?t ?p ?o } } GROUP BY ?t"
)


def _test_themes(base: str) -> dict[str, int]:
    response = httpx.post(base + "/sparql", data={"query": TEST_THEMES}, headers={"Accept": "application/json"})
    return {row[0]: int(row[1]) for row in _rows(response.json())}


def test_served_updates_survive_restart_and_kill(tmp_path: Path) -> None:
    folder = tmp_path / "kg"
    done = cli("load", "--store", str(folder))
    assert done.returncode == 0, done.stderr
    token = "persist-token"
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
    acknowledged: list[int] = []
    processes: list[subprocess.Popen[bytes]] = []
    with running_server("--store", str(folder), "--update-token", token, processes=processes) as base:
        # One update, then a clean restart.
        assert httpx.post(base + "/sparql", content=THEME_UPDATE.format(ID=ID, n=0), headers=headers).status_code == 204
        acknowledged.append(0)
    with running_server("--store", str(folder), "--update-token", token, processes=processes) as base:
        assert _test_themes(base) == {f"{ID}tema/test-0": 3}

        # A stream of updates, and kill -9 in the middle of it.
        def stream() -> None:
            for n in range(1, 10_000):
                try:
                    response = httpx.post(base + "/sparql", content=THEME_UPDATE.format(ID=ID, n=n), headers=headers)
                except httpx.HTTPError:
                    return
                if response.status_code != 204:
                    return
                acknowledged.append(n)

        writer = threading.Thread(target=stream)
        writer.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 15 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(processes[-1].pid, signal.SIGKILL)
        writer.join(30)
    assert len(acknowledged) >= 15
    with running_server("--store", str(folder), processes=processes) as base:
        themes = _test_themes(base)
    # Every acknowledged update is there, whole; at most the one in flight landed besides them.
    assert all(themes.get(f"{ID}tema/test-{n}") == 3 for n in acknowledged)
    assert set(themes.values()) == {3}
    assert len(themes) - len(acknowledged) in (0, 1)
    # One backup point per update that landed: one written before a kill that never reached the engine
    # was dropped when the store was opened again.
    listing = cli("backups", "--store", str(folder)).stdout.splitlines()
    assert len(listing) - 2 == len(themes)


ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _signature(rows: list[tuple[str, ...]], blank: list[bool]) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """The quads without blank nodes, and per graph how many have one (blank node labels are the engine's)."""
    plain = sorted(r for r, b in zip(rows, blank, strict=True) if not b)
    with_blank: dict[str, int] = {}
    for row, b in zip(rows, blank, strict=True):
        if b:
            with_blank[row[3]] = with_blank.get(row[3], 0) + 1
    return plain, with_blank


def _served_signature(base: str) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    response = httpx.post(base + "/sparql", data={"query": ALL_QUADS}, headers={"Accept": "application/json"})
    bindings = response.json()["results"]["bindings"]
    rows = [tuple(b[k]["value"] for k in "spog") for b in bindings]
    return _signature(rows, [any(b[k]["type"] == "bnode" for k in "so") for b in bindings])


def _folder_signature(folder: Path, settings: Settings) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    import pyoxigraph as ox

    with OxigraphStore.open(folder, settings.base_iri, read_only=True) as store:
        quads = [
            q for q in store.oxigraph.quads_for_pattern(None, None, None) if isinstance(q.graph_name, ox.NamedNode)
        ]
    rows = [(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in quads]
    return _signature(rows, [isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads])


def test_every_committed_update_is_a_backup_point(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "kg"
    assert cli("load", "--store", str(folder)).returncode == 0
    token = "backup-token"
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
    test_graph = "https://w3id.org/strategylinks/graph/test"
    updates = [
        THEME_UPDATE.format(ID=ID, n=0),
        # Blank nodes, which the engine names itself: added, then one of them removed.
        f"INSERT DATA {{ GRAPH <{test_graph}> {{ <{ID}tema/test-0> <http://example.org/note> [ "
        '<http://example.org/text> "a" ], [ <http://example.org/text> "b" ] } }',
        f'DELETE WHERE {{ GRAPH <{test_graph}> {{ ?n <http://example.org/text> "a" }} }}',
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"DELETE {{ GRAPH ?g {{ <{ID}tema/test-0> skos:prefLabel ?l }} }} "
        f'INSERT {{ GRAPH ?g {{ <{ID}tema/test-0> skos:prefLabel "test noll"@sv }} }} '
        f"WHERE {{ GRAPH ?g {{ <{ID}tema/test-0> skos:prefLabel ?l }} }}",
    ]
    snapshots = []
    with running_server("--store", str(folder), "--update-token", token) as base:
        snapshots.append(_served_signature(base))
        for update in updates:
            response = httpx.post(base + "/sparql", content=update, headers=headers)
            assert response.status_code == 204, response.text
            snapshots.append(_served_signature(base))
        # A refused update is no point.
        refused = httpx.post(base + "/sparql", content=f"DROP GRAPH <{ID}nothing-here>", headers=headers)
        assert refused.status_code in (204, 400)
    assert len({str(s) for s in snapshots}) == len(snapshots), "every update changed the data"
    listing = cli("backups", "--store", str(folder))
    assert listing.returncode == 0, listing.stderr
    points = [line.split("\t")[0] for line in listing.stdout.splitlines()[1:]]
    assert points == [str(n) for n in range(len(updates) + 1)]
    assert _folder_signature(folder, settings) == snapshots[-1]
    for target in (2, 3, 0, 1):
        done = cli("restore", "--store", str(folder), "--to", str(target))
        assert done.returncode == 0, done.stderr
        assert _folder_signature(folder, settings) == snapshots[target], target
    # A restore is a point too: going back to the point before it undoes it.
    last = int(cli("backups", "--store", str(folder)).stdout.splitlines()[-1].split("\t")[0])
    assert cli("restore", "--store", str(folder), "--to", str(last - 1)).returncode == 0
    assert _folder_signature(folder, settings) == snapshots[0]
    assert cli("restore", "--store", str(folder), "--to", str(last - 2)).returncode == 0  # "to 3", before "to 0"
    assert _folder_signature(folder, settings) == snapshots[3]
    # The server works on the restored store.
    with running_server("--store", str(folder)) as base:
        assert _served_signature(base) == snapshots[3]
    # No such point, and a store in use, are clear errors that change nothing.
    missing = cli("restore", "--store", str(folder), "--to", "99")
    assert missing.returncode == 2 and "no backup point 99" in missing.stderr
    with running_server("--store", str(folder)):
        busy = cli("restore", "--store", str(folder), "--to", "0")
    assert busy.returncode == 2 and "in use" in busy.stderr and "Traceback" not in busy.stderr
    assert _folder_signature(folder, settings) == snapshots[3]


def test_drop_all_needs_confirmation(tmp_path: Path) -> None:
    token = "drop-token"
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"}
    with running_server("--update-token", token) as base:
        refused = httpx.post(base + "/sparql", content="DROP ALL", headers=headers)
        assert refused.status_code == 400 and "confirm=drop-all" in refused.text
        assert _api(base, "/api/stats") != {}
        graphs = httpx.post(base + "/sparql", data={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).json()
        assert graphs["boolean"] is True
        literal = httpx.post(
            base + "/sparql",
            content="INSERT { GRAPH <https://w3id.org/strategylinks/graph/x> { ?x <http://example.org/p> 1 } } "
            "WHERE { BIND ('lit' AS ?x) }",
            headers=headers,
        )
        assert literal.status_code == 400 and "literal subject" in literal.text
        done = httpx.post(base + "/sparql?confirm=drop-all", content="DROP ALL", headers=headers)
        assert done.status_code == 204, done.text
        empty = httpx.post(base + "/sparql", data={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"}).json()
        assert empty["boolean"] is False


def test_parameters_are_substituted_like_oxigraph() -> None:
    from rdflib import Literal, URIRef

    from strategylinks.store.sparqltext import substitute

    plan = URIRef("http://example.org/plan")
    text = (
        "SELECT ?plan ?n WHERE { ?a <http://example.org/inPlan> ?plan . "
        "{ SELECT ?plan (COUNT(*) AS ?n) WHERE { ?b <http://example.org/inPlan> ?plan } GROUP BY ?plan } "
        'FILTER (?plan != <http://example.org/?plan> && "?plan" != "") } # ?plan\nORDER BY ?plan DESC(?n)'
    )
    assert substitute(text, {"plan": plan}) == (
        "SELECT (<http://example.org/plan> AS ?plan) ?n WHERE { ?a <http://example.org/inPlan> "
        "<http://example.org/plan> . { SELECT  (COUNT(*) AS ?n) WHERE { ?b <http://example.org/inPlan> "
        "<http://example.org/plan> } GROUP BY (<http://example.org/plan>) } FILTER (<http://example.org/plan> != "
        '<http://example.org/?plan> && "?plan" != "") } # ?plan\nORDER BY (<http://example.org/plan>) DESC(?n)'
    )
    # What a substitution cannot keep falls back to a VALUES block (None here).
    assert substitute("SELECT * WHERE { ?s ?p ?plan }", {"plan": plan}) is None
    assert substitute("SELECT ?x WHERE { BIND (1 AS ?plan) }", {"plan": plan}) is None
    assert substitute("SELECT ?x WHERE { VALUES ?plan { 1 } }", {"plan": plan}) is None
    assert substitute("SELECT ?x WHERE { ?x ?y ?z }", {"plan": plan}) is None
    # MINUS removes only rows sharing a variable with it: a value written into it would remove nothing.
    assert substitute("SELECT ?x WHERE { ?x ?y ?plan MINUS { ?plan ?y ?x } }", {"plan": plan}) is None
    assert substitute("SELECT ?x WHERE { ?x ?y ?plan MINUS { ?z ?y ?x } }", {"plan": plan}) is not None
    # A subquery whose every projected variable is bound still projects something.
    assert substitute("SELECT ?n WHERE { { SELECT DISTINCT ?plan { ?x ?y ?plan } } }", {"plan": plan}) == (
        "SELECT ?n WHERE { { SELECT DISTINCT  (<http://example.org/plan> AS ?_bound1) "
        "{ ?x ?y <http://example.org/plan> } } }"
    )
    assert substitute("ASK { ?s ?p $year }", {"year": Literal(2022)}) == (
        'ASK { ?s ?p "2022"^^<http://www.w3.org/2001/XMLSchema#integer> }'
    )


def test_a_dropped_connection_repeats_queries_but_not_updates() -> None:
    """A store that closes the connection without answering: a query goes once more, an update does not."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class Flaky(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen.append(body)
            if len(seen) % 2 == 1:  # every other request: hang up without an answer
                self.close_connection = True
                return
            answer = b'{"head": {"vars": []}, "boolean": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    try:
        with RemoteStore("https://w3id.org/strategylinks/", url, union_default_graph=True) as store:
            assert store.query("ASK { ?s ?p ?o }").askAnswer is True
            assert len(seen) == 2 and seen[0] == seen[1]
            with pytest.raises(StoreError, match="cannot reach"):
                store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
            assert len(seen) == 3
    finally:
        server.shutdown()
