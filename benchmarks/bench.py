"""Benchmark strategylinks against the raw libraries on the same data, in the same run.

    python benchmarks/bench.py [--scales 1,10,40] [--repeat 3] [--write docs/benchmarks.md]

The dataset is the shipped data with the 2022 plan copied ``scale`` times (each copy a plan of its
own, IRIs renamed), so the catalogue stays fixed while the plans grow. Each operation is timed as
the median of ``--repeat`` runs; the ratio column is strategylinks / raw library, which is what to
compare across machines (absolute times here are noisy).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pyshacl
from rdflib import Graph

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_section

from strategylinks import queries
from strategylinks.config import Settings
from strategylinks.export import serialize
from strategylinks.graph import data_files, load_dataset, load_shapes, union
from strategylinks.network import alignment_graph
from strategylinks.validate import validate
from strategylinks.viz import render

PLAN_SLUG = "handlingsplan-internationellt-arbete-2022"


def scaled_data(scale: int, into: Path, settings: Settings) -> list[Path]:
    """The shipped data files plus ``scale - 1`` renamed copies of the 2022 plan."""
    files = data_files(settings)
    plan = next(p for p in files if p.name == PLAN_SLUG + ".ttl")
    text = plan.read_text(encoding="utf-8")
    for n in range(2, scale + 1):
        copy = text.replace(PLAN_SLUG, f"{PLAN_SLUG}-kopia-{n}").replace(
            '"2022"^^xsd:gYear', f'"{2022 + n}"^^xsd:gYear'
        )
        path = into / f"{PLAN_SLUG}-kopia-{n}.ttl"
        path.write_text(copy, encoding="utf-8")
        files.append(path)
    return files


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run(scale: int, repeat: int) -> list[tuple[str, int, float, float | None]]:
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        files = scaled_data(scale, Path(tmp), settings)
        ontology = settings.ontology_path / "strategylinks.ttl"

        def raw_load() -> Graph:
            g = Graph()
            for f in [ontology, *files]:
                g.parse(f)
            return g

        ds = load_dataset(settings, files)
        merged = union(ds)
        raw = raw_load()
        shapes = load_shapes(settings)
        triples = len(merged)
        plan = queries.rows(queries.run(ds, "plans"))[0]["plan"]
        gap_query = queries.find("goals-lacking-actions")
        assert plan is not None
        rows: list[tuple[str, int, float, float | None]] = [
            (
                "load (parse all files)",
                triples,
                timed(lambda: load_dataset(settings, files), repeat),
                timed(raw_load, repeat),
            ),
            (
                "validate (SHACL)",
                triples,
                timed(lambda: validate(merged, shapes), repeat),
                timed(lambda: pyshacl.validate(raw, shacl_graph=shapes, inference="none"), repeat),
            ),
            (
                "gap query (goals-lacking-actions)",
                triples,
                timed(lambda: queries.rows(queries.run(ds, gap_query, {"plan": str(plan)})), repeat),
                timed(lambda: list(raw.query(gap_query.text, initBindings={"plan": plan})), repeat),
            ),
            (
                "export Turtle (with description)",
                triples,
                timed(lambda: serialize(ds, "ttl", settings), repeat),
                timed(lambda: raw.serialize(format="turtle"), repeat),
            ),
            (
                "alignment graph + page",
                triples,
                timed(lambda: render(alignment_graph(ds, str(plan)), settings), repeat),
                None,
            ),
            ("peak memory of load, MiB", triples, peak_mib(lambda: load_dataset(settings, files)), peak_mib(raw_load)),
        ]
    return rows


def table(results: dict[int, list[tuple[str, int, float, float | None]]]) -> str:
    lines = [
        "| scale | triples | operation | strategylinks | raw library | ratio |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for scale, rows in results.items():
        for name, triples, ours, theirs in rows:
            unit = "" if "MiB" in name else " s"
            raw = f"{theirs:.3f}{unit}" if theirs is not None else "–"
            ratio = f"{ours / theirs:.2f}" if theirs else "–"
            lines.append(f"| {scale} | {triples} | {name} | {ours:.3f}{unit} | {raw} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,40", help="plan copies to measure, comma separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=300.0, help="stop starting new scales after this many s")
    parser.add_argument("--write", type=Path, help="also write the Markdown report to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    results = {}
    for scale in (int(s) for s in args.scales.split(",")):
        if time.perf_counter() - started > args.budget:
            print(f"budget spent; skipping scale {scale}", file=sys.stderr)
            break
        results[scale] = run(scale, args.repeat)
        print(table({scale: results[scale]}).split("\n", 2)[2], flush=True)
    report = table(results)
    print("\n" + report)
    if args.write:
        write_section(
            args.write,
            "library",
            "## Library\n\nCommand: `.venv/bin/python benchmarks/bench.py --write docs/benchmarks.md`\n\n"
            "Ratio = strategylinks / raw library (rdflib, pySHACL) on the same data in the same run; "
            "the raw side skips what strategylinks adds (named graphs, base-IRI moving, error positions, "
            "parameter checks, sorted output, the dataset description). Validation time is pySHACL's "
            "SPARQL-based constraints (it parses each one again per focus node); the ratio shows "
            "strategylinks adds nothing to it.\n\n" + report,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
