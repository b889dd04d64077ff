"""National scale: strategylinks against the raw engines on a seeded national dataset, in the same run.

    python benchmarks/national.py [--sizes 30k,100k,300k,1M] [--seed 7] [--write docs/benchmarks.md]

The dataset is in the project's model and conforms to its shapes: 21 regions, each with its own copy of
the strategy catalogue, organisations and themes (IRIs under ``{base}id/REGION/``) and as many plan
years as the size needs, each plan a copy of the 2022 plan whose thematic links are thinned at random
(seeded: whole rows lose their goal links, as the row-consistency shapes require). One file per graph,
under ``regions/REGION/…``, so that ``strategylinks load`` makes one named graph per file.

Each measurement runs strategylinks and the raw engine on the same data in the same run; the ratio is
what carries over to other machines. Memory is each process's peak resident size (``ru_maxrss``),
measured in a child process per operation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile, write_section

REGIONS = 21
PLAN_SLUG = "handlingsplan-internationellt-arbete-2022"
ID = "https://w3id.org/strategylinks/id/"
GAP_QUERY = "goals-lacking-actions"
TOKEN = "benchmark-token"
PYTHON = sys.executable


# ------------------------------------------------------------------ the dataset


def _ntriples(path: Path) -> str:
    from strategylinks.graph import parse_file

    return parse_file(path).serialize(format="nt")


def generate(target: int, seed: int, into: Path) -> tuple[int, str]:
    """Write a national dataset of about ``target`` triples into ``into``; (triples, one plan IRI)."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import XSD

    from strategylinks.config import Settings
    from strategylinks.graph import data_files, parse_file
    from strategylinks.namespaces import SL

    settings = Settings()
    rng = random.Random(seed)
    files = data_files(settings)
    plan_file = next(p for p in files if p.name == PLAN_SLUG + ".ttl")
    shared = {p.relative_to(settings.data_path): _ntriples(p) for p in files if p != plan_file}
    plan = parse_file(plan_file)
    rows = sorted({o for o in plan.objects(None, SL.inRow)}, key=str)
    shared_triples = sum(text.count("\n") for text in shared.values())
    per_plan = len(plan)
    years = max(1, round((target / REGIONS - shared_triples) / per_plan))
    total = 0
    some_plan = ""
    for r in range(1, REGIONS + 1):
        region = f"region-{r:02d}"
        folder = into / "regions" / region

        def moved(text: str, region: str = region) -> str:
            return text.replace(ID, f"{ID}{region}/")

        for relative, text in shared.items():
            target_file = folder / relative.with_suffix(".nt")
            target_file.parent.mkdir(parents=True, exist_ok=True)
            target_file.write_text(moved(text), encoding="utf-8")
            total += text.count("\n")
        for y in range(years):
            year = 2022 + y
            copy = Graph()
            copy += plan
            # Thin the thematic links: a row keeps or loses its goals as a whole (all its actions).
            for row in rows:
                if rng.random() < 0.3:
                    for action in list(copy.subjects(SL.inRow, row)):
                        copy.remove((action, SL.contributesTo, None))
                    if not any(copy.triples((a, SL.hasTheme, None)) for a in copy.subjects(SL.inRow, row)):
                        raise AssertionError("an action would lose every thematic link")
            plan_iri = URIRef(f"{ID}plan/{PLAN_SLUG}")
            copy.remove((plan_iri, SL.planYear, None))
            copy.add((plan_iri, SL.planYear, Literal(str(year), datatype=XSD.gYear)))
            text = moved(copy.serialize(format="nt")).replace(PLAN_SLUG, f"handlingsplan-internationellt-arbete-{year}")
            target_file = folder / "plans" / f"plan-{year}.nt"
            target_file.parent.mkdir(parents=True, exist_ok=True)
            target_file.write_text(text, encoding="utf-8")
            total += len(copy)
            if r == 1 and y == years - 1:
                some_plan = f"{ID}{region}/plan/handlingsplan-internationellt-arbete-{year}"
    return total, some_plan


# ------------------------------------------------------------------ child processes (peak memory each)


def child(mode: str, data: str, store: str) -> None:
    """Run one operation in this process and print its seconds and peak memory as JSON."""
    started = time.perf_counter()
    if mode == "raw-load":
        import pyoxigraph as ox

        from strategylinks.config import Settings
        from strategylinks.store import graph_files

        settings = Settings(data_dir=Path(data))
        oxi = ox.Store(store)
        for name, path in graph_files(settings):
            fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
            oxi.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(name))
        oxi.flush()
        del oxi
    elif mode == "sl-load":
        from strategylinks.cli import main

        code = main(["load", "--data-dir", data, "--store", store, "--no-validate"])
        assert code == 0
    elif mode == "sl-load-validate":
        from strategylinks.cli import main

        code = main(["load", "--data-dir", data, "--store", store])
        assert code == 0
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def run_child(mode: str, data: Path, store: Path) -> dict[str, float]:
    if store.exists():
        shutil.rmtree(store)
    done = subprocess.run(
        [PYTHON, __file__, "--child", mode, str(data), str(store)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------ measurements


def median_time(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def load_client(
    url: str, request: Callable[[httpx.Client], httpx.Response], clients: int, seconds: float
) -> dict[str, float]:
    """``clients`` threads sending ``request`` for ``seconds`` (a request under way at the end is waited
    for and counted): throughput over the whole time, and latency percentiles."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    started_all = time.monotonic()
    deadline = started_all + seconds

    def work() -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=600) as client:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    status = request(client).status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = time.perf_counter() - started
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed_all = time.monotonic() - started_all
    return {
        "req_s": len(latencies) / elapsed_all,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "errors": errors,
    }


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=30).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def one_action_update(client: httpx.Client, row: dict[str, Any], n: int) -> httpx.Response:
    """Insert one more action into an existing row, with everything the shapes ask of it."""
    action = f"<{row['row']}/benchmark-insats-{n}>"
    lines = [
        f'{action} a sl:Action ; skos:prefLabel "benchmarkinsats {n}"@sv ; sl:inPlan <{row["plan"]}> ;',
        f"  sl:planPriority <{row['priority']}> ; sl:inRow <{row['row']}> .",
    ]
    lines += [f"{action} sl:hasEffect <{e}> ." for e in row["effects"]]
    lines += [f"{action} sl:contributesTo <{g}> ." for g in row["goals"]]
    lines += [f"{action} sl:hasTheme <{t}> ." for t in row["themes"]]
    update = (
        "PREFIX sl: <https://w3id.org/strategylinks/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f"INSERT DATA {{ GRAPH <{row['graph']}> {{\n" + "\n".join(lines) + "\n} }"
    )
    return client.post(
        "/sparql",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )


ROW_QUERY = """PREFIX sl: <https://w3id.org/strategylinks/ontology#>
SELECT ?g ?row ?priority ?action ?effect ?goal ?theme WHERE {
  GRAPH ?g { ?action a sl:Action ; sl:inRow ?row ; sl:planPriority ?priority ; sl:inPlan <%s> ; sl:hasEffect ?effect ;
             sl:hasTheme ?theme . OPTIONAL { ?action sl:contributesTo ?goal } }
}"""


def a_row(base: str, plan: str) -> dict[str, Any]:
    response = httpx.post(
        base + "/sparql", data={"query": ROW_QUERY % plan}, headers={"Accept": "application/sparql-results+json"}
    )
    rows = response.json()["results"]["bindings"]
    first = rows[0]["row"]["value"]
    mine = [r for r in rows if r["row"]["value"] == first]
    return {
        "plan": plan,
        "graph": mine[0]["g"]["value"],
        "row": first,
        "priority": mine[0]["priority"]["value"],
        "effects": sorted({r["effect"]["value"] for r in mine}),
        "goals": sorted({r["goal"]["value"] for r in mine if "goal" in r}),
        "themes": sorted({r["theme"]["value"] for r in mine}),
    }


def measure(
    size: int, seed: int, work: Path, seconds: float, with_pyshacl_up_to: int
) -> list[tuple[str, str, str, str]]:
    import pyrudof
    from rdflib import URIRef

    from strategylinks import queries
    from strategylinks.config import Settings
    from strategylinks.graph import load_shapes
    from strategylinks.store import OxigraphStore
    from strategylinks.store.server import OxigraphServer
    from strategylinks.store.sparqltext import substitute
    from strategylinks.validate import validate

    data, store, raw_store = work / "data", work / "kg", work / "raw"
    started = time.perf_counter()
    triples, plan = generate(size, seed, data)
    print(f"# {size}: generated {triples} triples in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, ours: float | None, raw: float | None, unit: str = "s", raw_name: str = "") -> None:
        ours_text = "–" if ours is None else f"{ours:.3f} {unit}"
        raw_text = "–" if raw is None else f"{raw:.3f} {unit}" + (f" ({raw_name})" if raw_name else "")
        ratio = f"{ours / raw:.2f}" if ours is not None and raw else "–"
        rows.append((name, ours_text, raw_text, ratio))
        print(f"{size}\t{triples}\t{name}\t{ours_text}\t{raw_text}\t{ratio}", flush=True)

    # Load: strategylinks load (without and with validation) against pyoxigraph bulk_load of the same files.
    raw_load = run_child("raw-load", data, raw_store)
    ours_load = run_child("sl-load", data, store)
    row("load into a store", ours_load["seconds"], raw_load["seconds"], raw_name="pyoxigraph bulk_load")
    row("load: peak memory", ours_load["peak_mib"], raw_load["peak_mib"], "MiB", "pyoxigraph bulk_load")
    validated = run_child("sl-load-validate", data, store)
    row("load + validate (turbo)", validated["seconds"], raw_load["seconds"], raw_name="bulk_load, no validation")
    shutil.rmtree(raw_store)

    settings = Settings(data_dir=data, store=store)
    shapes = load_shapes(settings)
    gap = queries.find(GAP_QUERY)
    with OxigraphStore.open(store, settings.base_iri, read_only=True) as kg:
        ours_gap = median_time(lambda: queries.rows(queries.run(kg, gap, {"plan": plan})), 5)
        # The raw engine at its best: the plan written into the text (pyoxigraph's own substitutions
        # pre-bind at evaluation time and are slower: docs/stores.md).
        written = substitute(gap.text, {"plan": URIRef(plan)}) or gap.text
        raw_gap = median_time(lambda: list(kg.oxigraph.query(written, use_default_graph_as_union=True)), 5)
        row("one plan's gap query", ours_gap, raw_gap, raw_name="pyoxigraph, plan in the text")
        ours_validate = median_time(lambda: validate(kg, shapes), 1)
        union_nt = kg.union_ntriples()
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())

    def run_rudof() -> None:
        rudof.reset_data()
        rudof.read_data(union_nt.decode("utf-8"), format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(str(settings.ontology_path / "shapes.ttl"))
        rudof.validate_shacl()

    row("full validation (turbo)", ours_validate, median_time(run_rudof, 1), raw_name="rudof")
    if triples <= with_pyshacl_up_to:
        from pyshacl import validate as pyshacl_validate
        from rdflib import Graph

        graph = Graph().parse(data=union_nt, format="nt")
        row(
            "full validation (turbo)",
            ours_validate,
            median_time(lambda: pyshacl_validate(graph, shacl_graph=shapes, inference="none"), 1),
            raw_name="pySHACL",
        )

    done = median_time(
        lambda: subprocess.run(
            [PYTHON, "-m", "strategylinks", "gaps", "--store", str(store), "--plan", plan],
            capture_output=True,
            check=True,
        ),
        3,
    )
    row("`strategylinks gaps --store` end to end", done, None)

    # The server on the store: start-up, cold pages, the gap query under load, a validated update.
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [PYTHON, "-m", "strategylinks", "serve", "--store", str(store), "--port", str(port)]
    command += ["--update-token", TOKEN, "--log-level", "warning", "--result-limit", "100000"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        row("`serve --store`: start until `/` answers", wait_for(base + "/", server), None)
        for page in (f"/graph?plan={plan}", f"/api/gaps?plan={plan}", f"/?plan={plan}"):
            started = time.perf_counter()
            assert httpx.get(base + page, timeout=120).status_code == 200
            row(f"cold `{page.split('?')[0]}` for one plan", time.perf_counter() - started, None)
        # The text a client (and `strategylinks gaps` over a remote store) sends for one plan: the plan
        # written into the query, so that its subqueries are evaluated for that plan only.
        gap_text = substitute(gap.text, {"plan": URIRef(plan)}) or gap.text + f"\nVALUES ?plan {{ <{plan}> }}"

        def sparql_gap(client: httpx.Client) -> httpx.Response:
            return client.post(
                "/sparql", data={"query": gap_text}, headers={"Accept": "application/sparql-results+json"}
            )

        load_client(base, sparql_gap, 8, seconds / 4)  # warm-up: both engines are measured warm
        ours_8 = load_client(base, sparql_gap, 8, seconds)
        target = a_row(base, plan)
        latencies = []
        with httpx.Client(base_url=base, timeout=600) as client:
            for n in range(20):
                started = time.perf_counter()
                response = one_action_update(client, target, n)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 204, response.text[:500]
        row("validated one-action update, p50", percentile(latencies, 0.5), None)
        row("validated one-action update, p95", percentile(latencies, 0.95), None)
    finally:
        stop(server)
    with OxigraphServer(store / "oxigraph", timeout_s=60) as engine:

        def raw_gap_query(client: httpx.Client) -> httpx.Response:
            return client.post(
                "/query", data={"query": gap_text}, headers={"Accept": "application/sparql-results+json"}
            )

        load_client(engine.base, raw_gap_query, 8, seconds / 4)
        raw_8 = load_client(engine.base, raw_gap_query, 8, seconds)
    row("`/sparql` gap query, 8 clients: req/s", ours_8["req_s"], raw_8["req_s"], "req/s", "oxigraph serve")
    row(
        "`/sparql` gap query, 8 clients: p95",
        ours_8["p95_ms"] / 1000,
        raw_8["p95_ms"] / 1000,
        raw_name="oxigraph serve",
    )
    return [(f"{triples:,}", *r) for r in rows]


def _free_port() -> int:
    from strategylinks.store.server import free_port

    return free_port()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30k,100k,300k,1M", help="dataset sizes in triples, comma separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each load test")
    parser.add_argument("--pyshacl-up-to", type=int, default=110_000, help="also time pySHACL up to this many triples")
    parser.add_argument("--write", type=Path, help="also write the Markdown table to this file")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "STORE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    sizes = [
        int(float(s[:-1]) * {"k": 1e3, "M": 1e6}[s[-1]]) if s[-1] in "kM" else int(s) for s in args.sizes.split(",")
    ]
    lines = ["| triples | operation | strategylinks | raw engine | ratio |", "|---:|---|---:|---:|---:|"]
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="strategylinks-national-") as tmp:
            for triples, name, ours, raw, ratio in measure(
                size, args.seed, Path(tmp), args.seconds, args.pyshacl_up_to
            ):
                lines.append(f"| {triples} | {name} | {ours} | {raw} | {ratio} |")
    table = "\n".join(lines)
    print("\n" + table)
    if args.write:
        write_section(
            args.write,
            "national",
            "## National scale\n\nCommand: `.venv/bin/python benchmarks/national.py --write docs/benchmarks.md`\n\n"
            f"Seeded national dataset (seed {args.seed}): {REGIONS} regions, each with its catalogue and plan "
            "years. Every row runs strategylinks and the raw engine on the same data in the same run. Memory is "
            f"peak resident size per process. Machine: {os.cpu_count()} cores.\n\n" + table,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
