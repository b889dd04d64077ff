"""Load test of the server on loopback, against the same query on the raw rdflib graph in-process.

    python benchmarks/server.py [--seconds 8] [--clients 1,8,32] [--write docs/benchmarks.md]

For each number of concurrent clients, that many threads send requests to a real server on
127.0.0.1 for ``--seconds`` (then stop by themselves): the gap query to ``/sparql`` and the page
``/graph``. Latency p50 / p95 and throughput are printed; the baseline is the gap query run on the
raw rdflib graph in this process, and the ratio column divides the server's p50 by it.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import summary, write_section

from servers import running_server
from strategylinks import queries
from strategylinks.graph import load_dataset, union


def load(call: Callable[[httpx.Client], None], clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    call(client)
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                except (httpx.HTTPError, AssertionError):
                    with lock:
                        errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each load step")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    gap = queries.find("goals-lacking-actions").text

    raw = union(load_dataset())
    baseline: list[float] = []
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        list(raw.query(gap))
        baseline.append(time.perf_counter() - started)
    base = summary(baseline)
    lines = [
        "| target | clients | requests | errors | p50 ms | p95 ms | req/s | p50 ratio to raw rdflib |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| gap query, raw rdflib in-process | 1 | {len(baseline)} | 0 | {base['p50'] * 1000:.0f} | "
        f"{base['p95'] * 1000:.0f} | {len(baseline) / args.seconds:.1f} | 1.00 |",
    ]
    print(lines[-1], flush=True)
    with running_server() as server:

        def sparql(client: httpx.Client) -> None:
            r = client.get(server + "/sparql", params={"query": gap}, headers={"Accept": "application/json"})
            assert r.status_code == 200

        def graph(client: httpx.Client) -> None:
            assert client.get(server + "/graph").status_code == 200

        for name, call in (("/sparql gap query", sparql), ("/graph page", graph)):
            call(httpx.Client())  # warm caches
            for clients in (int(c) for c in args.clients.split(",")):
                latencies, errors, elapsed = load(call, clients, args.seconds)
                s = summary(latencies)
                ratio = f"{s['p50'] / base['p50']:.2f}" if name.startswith("/sparql") else "–"
                lines.append(
                    f"| {name} | {clients} | {len(latencies)} | {errors} | {s['p50'] * 1000:.0f} | "
                    f"{s['p95'] * 1000:.0f} | {len(latencies) / elapsed:.1f} | {ratio} |"
                )
                print(lines[-1], flush=True)
    report = "\n".join(lines)
    print("\n" + report)
    if args.write:
        write_section(
            args.write,
            "server",
            "## Server on loopback\n\nCommand: `.venv/bin/python benchmarks/server.py --write docs/benchmarks.md` "
            f"({args.seconds:g} s per step). Queries are forwarded over loopback HTTP to the Oxigraph server the "
            "server runs as a child (its own threads, its own timeout), so the ratio to raw rdflib in-process "
            "is the engine's speed less the forwarding; `benchmarks/load.py` compares with raw pyoxigraph.\n\n"
            + report,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
