"""The alignment graph page in headless Chromium at national size, against raw vis-network in the same run.

    python benchmarks/browser.py [--loads 5] [--write docs/benchmarks.md]

The graph is the generated 4,264-node view of the browser tests (``tests/synthetic.py``: 40 strategies
of 90 goals in three levels, 300 insatser with their effects, 20 themes, 10 networks). strategylinks'
page (``viz.write``: the file page, the same page ``/graph`` serves) is measured for the time until it
can be used (its script has run: clusters, layout, URL state, controls) and until it first drew, for a
filter change (choose a strategy: the view is rebuilt, re-fitted and drawn) and for one search keystroke
(the work after the debounce: hits, count, highlight, draw). The raw side is vis-network alone on the
same nodes and edges with the same positions (what pyvis would give): construct and draw, hide the
nodes of other strategies, recolour the label matches. Chromium is Debian's, driven by Playwright, with
every request that is not the page's own file refused.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from common import percentile, write_section  # noqa: E402
from tests.synthetic import big_view  # noqa: E402

from strategylinks.viz import to_pyvis, vis_assets, write  # noqa: E402

TARGETS = {"interactive": 1500.0, "filter": 200.0, "search": 100.0}
KEYSTROKES = ["m", "må", "mål", "mål ", "mål 1", "mål 12"]

RAW_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style>
<style>#graph {{ width: 100vw; height: 100vh; }}</style></head><body><div id="graph"></div>
<script>{js}</script>
<script>
const DATA = {data};
const nodes = new vis.DataSet(DATA.nodes), edges = new vis.DataSet(DATA.edges);
const network = new vis.Network(document.getElementById("graph"), {{nodes, edges}},
  {{physics: false, interaction: {{hover: true}}, edges: {{smooth: false}}}});
network.fit();
const readyAt = performance.now(); let drawnAt = null;
network.once("afterDrawing", () => {{ drawnAt = performance.now(); }});
window.raw = {{network, nodes, timing: () => ({{ready: readyAt, drawn: drawnAt}}),
  filter(strategy) {{
    nodes.update(DATA.nodes.map(n => ({{id: n.id, hidden: n.kind === "goal" && n.strategy !== strategy}})));
    network.fit(); network.redraw();
  }},
  search(q) {{
    const low = q.toLowerCase();
    const hit = n => String(n.label).toLowerCase().includes(low);
    nodes.update(DATA.nodes.map(n => ({{id: n.id, color: hit(n) ? "#f1c40f" : undefined}})));
    network.redraw();
  }}}};
</script></body></html>"""


def chromium_page(playwright: Any, chromium: str) -> tuple[Any, Any]:
    browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    return browser, context


def load_times(context: Any, url: str, loads: int, name: str) -> tuple[list[float], list[float]]:
    ready, drawn = [], []
    for _ in range(loads):
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(f"window.{name} && window.{name}.timing().drawn !== null", timeout=60000)
        timing = page.evaluate(f"window.{name}.timing()")
        ready.append(timing["ready"])
        drawn.append(timing["drawn"])
        page.close()
    return ready, drawn


def ours(context: Any, url: str, strategies: list[str]) -> dict[str, list[float]]:
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.strategylinks && strategylinks.timing().drawn !== null", timeout=60000)
    filters = page.evaluate(
        """strategies => strategies.map(s => {
             const select = document.getElementById("filter-strategy");
             const t0 = performance.now();
             select.value = s; select.dispatchEvent(new Event("change"));
             strategylinks.network.redraw();
             return performance.now() - t0;
           })""",
        strategies,
    )
    searches = page.evaluate(
        """keys => keys.map(q => {
             const t0 = performance.now();
             strategylinks.search(q);
             strategylinks.network.redraw();
             return performance.now() - t0;
           })""",
        KEYSTROKES * 3,
    )
    page.close()
    return {"filter": filters, "search": searches}


def raw(context: Any, url: str, strategies: list[str]) -> dict[str, list[float]]:
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.raw && raw.timing().drawn !== null", timeout=60000)
    filters = page.evaluate(
        "strategies => strategies.map(s => {"
        " const t0 = performance.now(); raw.filter(s); return performance.now() - t0; })",
        strategies,
    )
    searches = page.evaluate(
        "keys => keys.map(q => { const t0 = performance.now(); raw.search(q); return performance.now() - t0; })",
        KEYSTROKES * 3,
    )
    page.close()
    return {"filter": filters, "search": searches}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="page loads per side (default 5)")
    parser.add_argument("--write", type=Path, help="rewrite the 'browser' section of this Markdown file")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is not installed", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    view = big_view()
    strategies = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "strategy")[:10]
    with tempfile.TemporaryDirectory() as tmp:
        ours_file = Path(tmp) / "graf.html"
        write(view, ours_file, plan_label="Syntetisk plan")
        nodes, edges, *_ = to_pyvis(view).get_network_data()
        js, css = vis_assets()
        raw_file = Path(tmp) / "raw.html"
        data = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
        raw_file.write_text(RAW_PAGE.format(js=js, css=css, data=data), encoding="utf-8")
        with sync_playwright() as playwright:
            browser, context = chromium_page(playwright, chromium)
            our_ready, our_drawn = load_times(context, ours_file.as_uri(), args.loads, "strategylinks")
            raw_ready, raw_drawn = load_times(context, raw_file.as_uri(), args.loads, "raw")
            our_steps = ours(context, ours_file.as_uri(), strategies)
            raw_steps = raw(context, raw_file.as_uri(), strategies)
            browser.close()
        size = ours_file.stat().st_size

    def row(what: str, mine: list[float], theirs: list[float], target: float | None) -> str:
        a, b = statistics.median(mine), statistics.median(theirs)
        p95 = percentile(mine, 0.95)
        goal = f"≤ {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}" if target else "–"
        return f"| {what} | {a:.0f} ms (p95 {p95:.0f}) | {b:.0f} ms | {a / b:.2f} | {goal} |"

    nodes_count = view.number_of_nodes()
    lines = [
        "## Graph page in the browser",
        "",
        "Command: `.venv/bin/python benchmarks/browser.py --write docs/benchmarks.md` (headless Debian Chromium, "
        f"1440×900). A generated graph of {nodes_count:,} nodes and {view.number_of_edges():,} edges "
        f"(tests/synthetic.py); the page is {size / 1e6:.1f} MB before compression. Raw = vis-network alone on the "
        "same nodes, edges and positions, doing the least the step needs; times are from navigation start "
        f"(loads: {args.loads} per side) or per step ({len(strategies)} filter changes, "
        f"{len(KEYSTROKES) * 3} keystrokes).",
        "",
        "| step | strategylinks | raw vis-network | ratio | target |",
        "|---|---:|---:|---:|---|",
        row("interactive after load (script done)", our_ready, raw_ready, TARGETS["interactive"]),
        row("first drawn after load", our_drawn, raw_drawn, None),
        row("filter change (choose a strategy), drawn", our_steps["filter"], raw_steps["filter"], TARGETS["filter"]),
        row(
            "search, one keystroke after the debounce, drawn",
            our_steps["search"],
            raw_steps["search"],
            TARGETS["search"],
        ),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.write, "browser", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
