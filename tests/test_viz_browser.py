"""The alignment graph page in a real headless Chromium, with the network cut off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategylinks.config import Settings
from strategylinks.graph import data_files, load_dataset
from strategylinks.network import alignment_graph, gaps
from strategylinks.viz import write

from .conftest import GK, PLAN_2022, guarded_page

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
_QUOTED = HOSTILE.replace('"', '\\"')
EXTRA = f"""
@prefix sl: <https://w3id.org/strategylinks/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{GK}prioritering-1/hostile> a sl:StrategyGoal ;
    skos:prefLabel "{_QUOTED}"@sv ;
    skos:inScheme <{GK.rstrip("/")}> ; skos:broader <{GK}prioritering-1> ; sl:goalLevel sl:ActionArea .
"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    folder = tmp_path_factory.mktemp("viz")
    extra = folder / "hostile.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    settings = Settings()
    view = alignment_graph(load_dataset(settings, [*data_files(settings), extra]), PLAN_2022)
    path = write(view, folder / "alignment.html", settings)
    return path, view.number_of_nodes(), len(gaps(view))


@pytest.fixture()
def page(browser: Any, page_file: tuple[Path, int, int]) -> Iterator[tuple[Any, list[str]]]:
    with guarded_page(browser, ("file:",), offline=True) as (page, outside):
        page.goto(page_file[0].as_uri())
        page.wait_for_function("window.strategylinks && window.strategylinks.network")
        yield page, outside


def test_draws_every_node_offline(page: tuple[Any, list[str]], page_file: tuple[Path, int, int]) -> None:
    p, outside = page
    _, nodes, _ = page_file
    assert p.evaluate("strategylinks.nodes.length") == nodes
    # vis-network has laid out (drawn) every node.
    assert p.evaluate("Object.keys(strategylinks.network.getPositions()).length") == nodes
    box = p.locator("#graph canvas").bounding_box()
    assert box and box["width"] > 400 and box["height"] > 300
    assert outside == []


def test_gap_goals_are_marked(page: tuple[Any, list[str]], page_file: tuple[Path, int, int]) -> None:
    p, _ = page
    _, _, gap_count = page_file
    marked = p.evaluate(
        "strategylinks.nodes.get().filter(n => n.kind === 'goal' && n.coverage === 'none'"
        " && n.shapeProperties && n.shapeProperties.borderDashes).length"
    )
    assert marked == gap_count
    assert p.locator("#gap-count").inner_text() == str(gap_count)
    assert p.evaluate(f"strategylinks.nodes.get('{GK}prioritering-1').coverage") == "none"
    assert p.evaluate(f"strategylinks.nodes.get('{GK}prioritering-3').coverage") == "indirect"


def test_priority_filter_hides_other_priorities(page: tuple[Any, list[str]]) -> None:
    p, _ = page
    prio2 = "https://w3id.org/strategylinks/id/strategi/internationell-strategi/prioritering-2"
    p.select_option("#filter-priority", prio2)
    visible_actions = p.evaluate("strategylinks.nodes.get().filter(n => n.kind === 'action' && !n.hidden).length")
    assert visible_actions == 5  # påverkansarbete has five insatser
    assert p.evaluate(f"strategylinks.nodes.get('{GK}prioritering-1').hidden") is True
    p.select_option("#filter-priority", "")
    assert p.evaluate("strategylinks.nodes.get().filter(n => n.hidden).length") == 0


def test_labels_are_text_not_html(page: tuple[Any, list[str]], tmp_path: Path) -> None:
    p, _ = page
    hostile = f"{GK}prioritering-1/hostile"
    p.evaluate(f"strategylinks.network.selectNodes(['{hostile}'])")
    p.evaluate(f"strategylinks.network.body.emitter.emit('click', {{nodes: ['{hostile}'], edges: []}})")
    assert HOSTILE in p.locator("#details").inner_text()
    assert p.evaluate("window.__pwned") is None
    assert p.locator("#details img").count() == 0
    p.screenshot(path=str(tmp_path / "alignment.png"))


def test_draws_thousands_of_nodes(browser: Any, tmp_path: Path) -> None:
    """Precomputed positions, no physics: a graph of several thousand nodes is drawn in full."""
    import networkx as nx

    g = nx.DiGraph(plan="http://example.org/plan", involved_labels={})
    g.add_node("p", kind="priority", label="Prioritering", label_en="Priority", notation="1")
    for s in range(30):
        strategy = f"http://example.org/s{s}"
        g.add_node(strategy, kind="strategy", label=f"Strategi {s}", label_en="", complete=s % 2 == 0)
        for k in range(80):
            goal = f"{strategy}/g{k}"
            g.add_node(
                goal,
                kind="goal",
                label=f"Mål {s}.{k}",
                label_en="",
                strategy=strategy,
                level="Mål",
                level_en="Objective",
                notation=str(k),
                coverage="none" if k % 3 else "direct",
                actions=0,
            )
            g.add_edge(goal, strategy, relation="in")
    for a in range(300):
        action, effect = f"http://example.org/a{a}", f"http://example.org/e{a}"
        g.add_node(
            action, kind="action", label=f"Insats {a}", label_en="", priority="p", themes=[], involves=[], row=""
        )
        g.add_node(effect, kind="effect", label=f"Effekt {a}", label_en="", row="")
        g.add_edge("p", action, relation="groups")
        g.add_edge(action, effect, relation="has_effect")
        g.add_edge(effect, f"http://example.org/s{a % 30}/g{a % 80}", relation="serves")
    assert g.number_of_nodes() > 3000
    path = write(g, tmp_path / "big.html")
    with guarded_page(browser, ("file:",), offline=True) as (page, outside):
        page.goto(path.as_uri())
        page.wait_for_function("window.strategylinks && window.strategylinks.network", timeout=60000)
        assert page.evaluate("Object.keys(strategylinks.network.getPositions()).length") == g.number_of_nodes()
        assert outside == []
