"""One store interface, several stores: the embedded Oxigraph store (in memory and on disk) and real
remote SPARQL 1.1 stores (Oxigraph server, Virtuoso) started by the tests give the same answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from strategylinks import network, queries, reports
from strategylinks.config import Settings
from strategylinks.store import OxigraphStore, RemoteStore, Store, memory_store

from .conftest import IN_CI, PLAN_2022, need
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


def _published(endpoint: RemoteEndpoint) -> RemoteEndpoint:
    done = cli("publish", *endpoint.args(), env=endpoint.env)
    assert done.returncode == 0, done.stderr
    assert "published 19 graphs, 3507 triples" in done.stderr
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


def answers(store: Store, name: str) -> list[tuple[str, ...]]:
    named = queries.checks()[name[7:]] if name.startswith("checks/") else queries.available()[name]
    params = {"plan": PLAN_2022} if "plan" in {p.name for p in named.params} else {}
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
        assert len(store) == len(embedded) == 3507


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
        assert len(store) == 3507


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
