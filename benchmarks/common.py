"""Helpers shared by the benchmark scripts: timing summaries and the Markdown report file."""

from __future__ import annotations

import re
import statistics
from pathlib import Path


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "mean": statistics.fmean(samples)}


def write_section(path: Path, name: str, text: str) -> None:
    """Replace (or add) the section between ``<!-- name -->`` markers, keeping the rest of the file."""
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    new = pattern.sub(lambda _: block, old) if pattern.search(old) else old.rstrip() + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
