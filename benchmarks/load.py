"""Mixed load on a real server on loopback, with one authorised update a second, and its memory.

    python benchmarks/load.py [--clients 32] [--seconds 60] [--write docs/benchmarks.md]

``--clients`` threads send requests to ``strategylinks serve`` on 127.0.0.1 for ``--seconds`` and
then stop by themselves, each request drawn in turn from a fixed mix: the gap query at ``/sparql``,
the dashboard ``/``, the alignment graph ``/graph`` and resource pages of goals and insatser. Beside
them one client sends an update with the token every second (an insert, then its delete, so the
data ends as it began). Every answer must be its documented status (200, 204 for updates): anything
else, a timeout or a refused connection is an error. The resident memory of the server and of its
Oxigraph child is sampled every second; "stable" means the peak of the run's last third is within
10 % of the peak of its middle third (the first third warms caches and the allocator up). The
baseline is the same gap query on a raw pyoxigraph store in this process, holding the same graphs
(the engine the server forwards to).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import summary, write_section

from servers import running_server
from strategylinks import queries
from strategylinks.graph import load_dataset

TOKEN = "load-test-token"
TEST_GRAPH = "https://w3id.org/strategylinks/id/test/load"
#: Resources whose pages the clients ask for: a strategy, goals and the 2022 plan's insatser.
RESOURCES = """SELECT ?r WHERE { { ?r a <https://w3id.org/strategylinks/ontology#Action> }
  UNION { ?r a <https://w3id.org/strategylinks/ontology#Goal> } } ORDER BY ?r LIMIT 40"""


def raw_gap_query(seconds: float) -> list[float]:
    """The gap query on a raw in-process pyoxigraph store with the same graphs as the server's."""
    store = ox.Store()
    store.load(load_dataset().serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    gap = queries.find("goals-lacking-actions").text
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        list(store.query(gap, use_default_graph_as_union=True))
        samples.append(time.perf_counter() - started)
    return samples


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the server and its Oxigraph server)."""
    process = psutil.Process(pid)
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a child that just exited
            total += child.memory_info().rss
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    gap = queries.find("goals-lacking-actions").text
    baseline = summary(raw_gap_query(min(args.seconds, 10.0)))

    processes: list[object] = []
    with running_server("--update-token", TOKEN, processes=processes) as server:  # type: ignore[arg-type]
        pid = processes[0].pid  # type: ignore[attr-defined]
        with httpx.Client(base_url=server, timeout=60) as client:
            found = client.post("/sparql", data={"query": RESOURCES}, headers={"Accept": "application/json"})
            iris = [b["r"]["value"] for b in found.json()["results"]["bindings"]]
            pages = [iri.split("/id/", 1)[1] for iri in iris if "/id/" in iri]
            for path in ("/", "/graph", f"/id/{pages[0]}"):
                client.get(path)  # warm caches
        mix = [("gap query", "sparql"), ("/", "/"), ("/graph", "/graph")] + [
            ("resource page", f"/id/{p}") for p in pages
        ]
        latencies: dict[str, list[float]] = {name: [] for name, _ in mix} | {"update": []}
        errors: Counter[str] = Counter()
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def record(name: str, started: float, ok: bool) -> None:
            with lock:
                if ok:
                    latencies[name].append(time.perf_counter() - started)
                else:
                    errors[name] += 1

        def reader(offset: int) -> None:
            # Each client starts at its own place in the mix, so all parts are asked at once.
            steps = itertools.islice(itertools.cycle(mix), offset, None)
            with httpx.Client(base_url=server, timeout=60) as client:
                for name, path in steps:
                    if time.monotonic() >= stop:
                        return
                    started = time.perf_counter()
                    try:
                        if path == "sparql":
                            r = client.post("/sparql", data={"query": gap}, headers={"Accept": "application/json"})
                        else:
                            r = client.get(path, headers={"Accept": "text/html"})
                        record(name, started, r.status_code == 200)
                    except httpx.HTTPError:
                        record(name, started, False)

        def updater() -> None:
            triple = f"<{TEST_GRAPH}/a> <{TEST_GRAPH}/p> 'x'"
            with httpx.Client(base_url=server, timeout=60) as client:
                for n in itertools.count():
                    if time.monotonic() >= stop:
                        return
                    verb = "INSERT" if n % 2 == 0 else "DELETE"
                    started = time.perf_counter()
                    try:
                        r = client.post(
                            "/sparql",
                            data={"update": f"{verb} DATA {{ GRAPH <{TEST_GRAPH}> {{ {triple} }} }}"},
                            headers={"Authorization": f"Bearer {TOKEN}"},
                        )
                        record("update", started, r.status_code == 204)
                    except httpx.HTTPError:
                        record("update", started, False)
                    time.sleep(max(0.0, 1.0 - (time.perf_counter() - started)))

        memory: list[tuple[float, float]] = []
        began = time.monotonic()
        threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.clients)]
        threads.append(threading.Thread(target=updater))
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            memory.append((time.monotonic() - began, rss_mib(pid)))
            time.sleep(1.0)
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began

    third = elapsed / 3
    warm = [m for s, m in memory if third <= s < 2 * third] or [memory[0][1]]
    last = [m for s, m in memory if s >= 2 * third] or [memory[-1][1]]
    stable = max(last) <= 1.10 * max(warm)
    lines = [
        "| part of the mix | requests | errors | p50 ms | p95 ms | req/s | p50 ratio to raw pyoxigraph |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| gap query, raw pyoxigraph in-process (1 client) | – | 0 | {baseline['p50'] * 1000:.1f} | "
        f"{baseline['p95'] * 1000:.1f} | – | 1.00 |",
    ]
    for name in latencies:
        s = summary(latencies[name])
        ratio = f"{s['p50'] / baseline['p50']:.1f}" if name == "gap query" else "–"
        lines.append(
            f"| {name} | {len(latencies[name])} | {errors[name]} | {s['p50'] * 1000:.0f} | {s['p95'] * 1000:.0f} | "
            f"{len(latencies[name]) / elapsed:.1f} | {ratio} |"
        )
    total = sum(len(v) for v in latencies.values())
    memory_line = (
        f"Resident memory of the server and its Oxigraph child: {memory[0][1]:.0f} MiB at the start, peak "
        f"{max(warm):.0f} MiB in the middle third of the run, {max(last):.0f} MiB in the last third, "
        f"{max(m for _, m in memory):.0f} MiB at most: {'stable' if stable else 'NOT stable'}. Every 10 s (MiB): "
        + ", ".join(f"{m:.0f}" for s, m in memory if int(s) % 10 == 0 and s >= 10)
        + "."
    )
    report = "\n".join(lines)
    print(report + "\n\n" + memory_line)
    print(f"{total} requests, {sum(errors.values())} errors, in {elapsed:.0f} s with {args.clients} clients")
    if args.write:
        write_section(
            args.write,
            "load",
            "## Mixed load\n\n"
            f"Command: `.venv/bin/python benchmarks/load.py --clients {args.clients} --seconds {args.seconds:g} "
            "--write docs/benchmarks.md`. "
            f"{args.clients} clients for {args.seconds:g} s, each cycling through the gap query, `/`, `/graph` "
            "and 40 resource pages, and one authorised update a second (an insert, then its delete). "
            f"{total} requests, {sum(errors.values())} errors.\n\n" + report + "\n\n" + memory_line,
        )
    return 1 if sum(errors.values()) or not stable else 0


if __name__ == "__main__":
    sys.exit(main())
