"""The alignment graph page in a real headless Chromium, with the network cut off: on the shipped plan
and on a generated one of national size (about 4,300 nodes), on a laptop and a phone screen."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import networkx as nx
import pytest

from strategylinks.config import Settings
from strategylinks.graph import data_files, load_dataset
from strategylinks.network import actions_reaching, alignment_graph, gaps
from strategylinks.viz import write

from .conftest import DESKTOP, GK, PHONE, PLAN_2022, SCREENS, guarded_page, wait_for
from .synthetic import big_view

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
_QUOTED = HOSTILE.replace('"', '\\"')
EXTRA = f"""
@prefix sl: <https://w3id.org/strategylinks/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{GK}prioritering-1/hostile> a sl:StrategyGoal ;
    skos:prefLabel "{_QUOTED}"@sv ;
    skos:inScheme <{GK.rstrip("/")}> ; skos:broader <{GK}prioritering-1> ; sl:goalLevel sl:ActionArea .
"""
PRIO2 = "https://w3id.org/strategylinks/id/strategi/internationell-strategi/prioritering-2"
DATASETS = ["shipped", "big"]


class Pages:
    """The graph pages the tests open: the shipped plan (with one hostile label) in both languages,
    and the generated national-size plan."""

    def __init__(self, folder: Path) -> None:
        extra = folder / "hostile.ttl"
        extra.write_text(EXTRA, encoding="utf-8")
        settings = Settings()
        self.views: dict[str, nx.DiGraph] = {
            "shipped": alignment_graph(load_dataset(settings, [*data_files(settings), extra]), PLAN_2022),
            "big": big_view(),
        }
        label = "Region Kronobergs handlingsplan för internationellt arbete 2022"
        self.files = {
            ("shipped", "sv"): write(self.views["shipped"], folder / "sv.html", settings, plan_label=label),
            ("shipped", "en"): write(self.views["shipped"], folder / "en.html", settings, lang="en", plan_label=label),
            ("big", "sv"): write(self.views["big"], folder / "big.html", settings, plan_label="Stor plan"),
        }


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    return Pages(tmp_path_factory.mktemp("viz"))


@pytest.fixture()
def opened(browser: Any, pages: Pages) -> Iterator[Any]:
    """``opened(dataset, lang="sv", screen=DESKTOP, query="")`` opens a graph page; outside requests fail."""
    contexts: list[Any] = []

    def open_page(dataset: str, lang: str = "sv", screen: tuple[int, int] = DESKTOP, query: str = "") -> Any:
        guard = guarded_page(browser, ("file:",), offline=True, viewport=screen)
        page, outside = guard.__enter__()
        contexts.append((guard, outside))
        page.goto(pages.files[(dataset, lang)].as_uri() + query)
        wait_for(page, "() => window.strategylinks && window.strategylinks.network", timeout=60000)
        return page

    yield open_page
    for guard, outside in contexts:
        assert outside == []
        guard.__exit__(None, None, None)


def drawn(page: Any) -> set[str]:
    return set(page.evaluate("strategylinks.drawnIds()"))


def kinds_drawn(page: Any) -> dict[str, int]:
    return page.evaluate(  # type: ignore[no-any-return]
        "(() => { const c = {}; for (const id of strategylinks.drawnIds())"
        " { const k = strategylinks.nodes.get(id).kind; c[k] = (c[k] || 0) + 1; } return c; })()"
    )


def click_node(page: Any, node: str) -> None:
    """A click on a node as vis-network reports it (the canvas has no DOM nodes to click)."""
    page.evaluate(
        "id => { strategylinks.network.selectNodes([id]);"
        " strategylinks.network.body.emitter.emit('click', {nodes: [id], edges: []}); }",
        node,
    )


def all_in_view(page: Any, ids: set[str] | None = None) -> bool:
    """Every drawn node (or each of ``ids``) lies inside the canvas as it is now shown (the view was fitted)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """ids => {
          const net = strategylinks.network;
          const box = document.querySelector('#graph canvas').getBoundingClientRect();
          return (ids || strategylinks.drawnIds()).every(id => {
            const b = net.body.nodes[id]; const p = net.canvasToDOM({x: b.x, y: b.y});
            return p.x >= -2 && p.y >= -2 && p.x <= box.width + 2 && p.y <= box.height + 2; });
        }""",
        sorted(ids) if ids is not None else None,
    )


def url_state(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query, keep_blank_values=True)


def no_sideways_scroll(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# ---------------------------------------------------------------- drawing and overview


@SCREENS
@pytest.mark.parametrize("dataset", DATASETS)
def test_draws_a_readable_overview_offline(opened: Any, pages: Pages, dataset: str, screen: tuple[int, int]) -> None:
    page = opened(dataset, screen=screen)
    view = pages.views[dataset]
    assert page.evaluate("strategylinks.nodes.get().filter(n => n.kind !== 'group').length") == view.number_of_nodes()
    # Large plans open as an overview: strategies (and, with many actions, priorities) collapsed into
    # one node each, at a scale where labels are drawn (vis-network draws none below ~0.3 here).
    assert len(drawn(page)) <= 200
    assert page.evaluate("strategylinks.network.getScale()") >= 0.3 or screen == PHONE
    assert kinds_drawn(page).get("group", 0) >= len([n for n, d in view.nodes(data=True) if d["kind"] == "strategy"])
    box = page.locator("#graph canvas").bounding_box()
    assert box is not None
    if screen == PHONE:
        # The graph takes the screen; the controls wait in a drawer.
        assert box["width"] >= 370 and box["height"] >= 550
        assert not page.locator("#controls").is_visible()
        page.click("#drawer-toggle")
        assert page.locator("#search").is_visible()
        assert page.get_attribute("#drawer-toggle", "aria-expanded") == "true"
    else:
        assert box["width"] >= 700 and box["height"] >= 750
        assert page.locator("#controls").is_visible() and page.locator("#details-panel").is_visible()
    assert all_in_view(page)
    no_sideways_scroll(page, screen[0])


def test_gap_goals_are_marked(opened: Any, pages: Pages) -> None:
    page = opened("shipped")
    gap_count = len(gaps(pages.views["shipped"]))
    marked = page.evaluate(
        "strategylinks.nodes.get().filter(n => n.kind === 'goal' && n.coverage === 'none'"
        " && n.shapeProperties && n.shapeProperties.borderDashes).length"
    )
    assert marked == gap_count
    goals = sum(1 for _, d in pages.views["shipped"].nodes(data=True) if d["kind"] == "goal")
    assert page.locator("#headline").inner_text().startswith(f"{gap_count} av {goals} mål saknar insatser")
    assert page.evaluate(f"strategylinks.nodes.get('{GK}prioritering-1').coverage") == "none"
    assert page.evaluate(f"strategylinks.nodes.get('{GK}prioritering-3').coverage") == "indirect"


@pytest.mark.parametrize("dataset", DATASETS)
def test_collapse_and_expand_groups(opened: Any, pages: Pages, dataset: str) -> None:
    page = opened(dataset)
    view = pages.views[dataset]
    strategy = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "strategy")[0]
    goals = {n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["strategy"] == strategy}
    assert f"group:{strategy}" in drawn(page) and not goals & drawn(page)
    # A click opens the cluster: its goals are drawn, the strategy with them, and the URL says so.
    click_node(page, f"group:{strategy}")
    now = drawn(page)
    assert goals <= now and strategy in now and f"group:{strategy}" not in now
    assert strategy not in url_state(page).get("collapsed", [])
    assert all_in_view(page, goals)  # the view is fitted to the opened cluster
    page.click("#collapse-strategies")
    assert not goals & drawn(page)
    page.click("#expand-all")
    assert goals <= drawn(page)
    assert url_state(page)["collapsed"] == [""]
    # The group's label carries the strategy's coverage.
    page.click("#collapse-strategies")
    covered = sum(1 for g in goals if view.nodes[g]["coverage"] != "none")
    label = page.evaluate("id => strategylinks.nodes.get(id).label", f"group:{strategy}")
    assert f"{covered}/{len(goals)}" in label


@pytest.mark.parametrize("dataset", DATASETS)
def test_priority_filter_refits_the_view(opened: Any, pages: Pages, dataset: str) -> None:
    page = opened(dataset, query="?collapsed=")
    view = pages.views[dataset]
    priority = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "priority")[1]
    mine = {a for a in view.successors(priority) if view.nodes[a]["kind"] == "action"}
    scale_before = page.evaluate("strategylinks.network.getScale()")
    page.select_option("#filter-priority", priority)
    actions = {n for n in drawn(page) if view.nodes[n]["kind"] == "action"}
    assert actions == mine
    if dataset == "shipped":
        assert priority == PRIO2 and len(mine) == 5  # påverkansarbete has five insatser
        assert f"{GK}prioritering-1" not in drawn(page)
    assert all_in_view(page)
    assert page.evaluate("strategylinks.network.getScale()") != scale_before
    assert url_state(page)["priority"] == [priority]
    page.select_option("#filter-priority", "")
    assert len(drawn(page)) == view.number_of_nodes()


@pytest.mark.parametrize("dataset", DATASETS)
def test_legend_toggles_kinds(opened: Any, dataset: str) -> None:
    page = opened(dataset, query="?collapsed=")
    assert kinds_drawn(page).get("effect", 0) > 0
    page.uncheck(".legend input[data-kind=effect]")
    assert "effect" not in kinds_drawn(page)
    assert url_state(page)["hide"] == ["effect"]
    page.check(".legend input[data-kind=effect]")
    assert kinds_drawn(page).get("effect", 0) > 0


@pytest.mark.parametrize("dataset", DATASETS)
def test_gaps_only(opened: Any, pages: Pages, dataset: str) -> None:
    page = opened(dataset, query="?collapsed=")
    page.check("#only-gaps")
    view = pages.views[dataset]
    shown = drawn(page)
    assert {n for n in shown if view.nodes[n]["kind"] == "goal"} == set(gaps(view))
    assert {view.nodes[n]["kind"] for n in shown} <= {"goal", "strategy"}
    assert url_state(page)["gaps"] == ["1"]


# ---------------------------------------------------------------- focus, path, details


def a_covered_goal(view: nx.DiGraph) -> str:
    return sorted(n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "direct")[0]


@pytest.mark.parametrize("dataset", DATASETS)
def test_focus_fades_all_but_the_neighbourhood(opened: Any, pages: Pages, dataset: str) -> None:
    view = pages.views[dataset]
    goal = a_covered_goal(view)
    page = opened(dataset, query="?collapsed=&depth=1")
    page.evaluate("id => strategylinks.choose(id, true)", goal)
    near = {goal, *view.successors(goal), *view.predecessors(goal)}
    opacity = page.evaluate(
        "() => Object.fromEntries(strategylinks.drawnIds().map(id => [id, strategylinks.nodes.get(id).opacity]))"
    )
    assert {n for n, o in opacity.items() if o == 1} == near
    assert all(o == pytest.approx(0.15) for n, o in opacity.items() if n not in near)
    assert url_state(page)["focus"] == [goal]
    page.click("#clear-focus")
    assert set(page.evaluate("strategylinks.nodes.get().filter(n => !n.hidden).map(n => n.opacity)")) == {1}


@pytest.mark.parametrize("dataset", DATASETS)
def test_why_is_this_goal_covered(opened: Any, pages: Pages, dataset: str) -> None:
    view = pages.views[dataset]
    goal = a_covered_goal(view)
    page = opened(dataset)
    chains = page.evaluate("id => strategylinks.why(id)", goal)
    # Each chain runs action → effect → goal (→ broader goal …) to the goal, along edges of the graph;
    # together they are every action serving the goal directly or through its narrower goals.
    assert chains and all(c[-1] == goal and view.nodes[c[0]]["kind"] == "action" for c in chains)
    assert all(view.has_edge(a, b) for c in chains for a, b in itertools.pairwise(c))
    assert {c[0] for c in chains} == actions_reaching(view, goal, via_narrower=True)
    serving = actions_reaching(view, goal, via_narrower=False)
    page.evaluate("id => strategylinks.choose(id, true)", goal)
    details = page.locator("#details")
    for action in serving:
        assert details.locator(f"button[data-node='{action}']").count() >= 1
    page.click("#show-path")
    bright = set(page.evaluate("strategylinks.drawnIds().filter(id => strategylinks.nodes.get(id).opacity === 1)"))
    assert bright == {n for c in chains for n in c}
    assert url_state(page)["path"] == ["1"]
    # A gap goal says it has no chain.
    gap = sorted(gaps(view))[0]
    page.evaluate("id => strategylinks.choose(id, true)", gap)
    assert page.evaluate("id => strategylinks.why(id).length", gap) == 0
    assert "SAKNAR INSATSER" in details.inner_text()


@SCREENS
@pytest.mark.parametrize("dataset", DATASETS)
def test_details_panel_is_in_sight_and_lists_links(
    opened: Any, pages: Pages, dataset: str, screen: tuple[int, int]
) -> None:
    view = pages.views[dataset]
    page = opened(dataset, screen=screen, query="?collapsed=")
    action = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "action")[0]
    click_node(page, action)
    panel = page.locator("#details-panel")
    assert panel.get_attribute("aria-live") == "polite"
    box = panel.bounding_box()
    assert box is not None and panel.is_visible()
    assert box["y"] >= 0 and box["y"] + 40 <= screen[1] and box["x"] + 40 <= screen[0]
    effects = [e for e in view.successors(action) if view.nodes[e]["kind"] == "effect"]
    goals = {g for e in effects for g in view.successors(e)}
    listed = set(page.eval_on_selector_all("#details button[data-node]", "bs => bs.map(b => b.dataset.node)"))
    assert set(effects) | goals <= listed
    # A listed node leads on: choosing it shows its own details.
    page.locator(f"#details button[data-node='{effects[0]}']").first.click()
    assert page.evaluate("strategylinks.state.focus") == effects[0]
    assert page.locator("#details dt").first.inner_text() in ("Typ", "Kind")
    no_sideways_scroll(page, screen[0])


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("dataset", DATASETS)
def test_search_counts_highlights_and_steps(opened: Any, pages: Pages, dataset: str) -> None:
    view = pages.views[dataset]
    page = opened(dataset, query="?collapsed=")
    word = "kunskap"
    expected = {
        n
        for n, d in view.nodes(data=True)
        if word in " ".join([d["label"], d.get("label_en", ""), d.get("notation", "")]).lower()
    }
    before = page.evaluate("strategylinks.searches()")
    page.fill("#search", "")
    page.type("#search", word, delay=20)  # one search after the typing stops, not one per keystroke
    wait_for(page, "w => strategylinks.state.q === w", arg=word)
    assert page.evaluate("strategylinks.searches()") - before == 1
    count = page.locator("#search-count").inner_text()
    assert count.startswith(f"{len(expected)} träff")
    lit = set(page.evaluate("strategylinks.nodes.get().filter(n => n.shadow && n.shadow.enabled).map(n => n.id)"))
    assert lit == expected
    page.press("#search", "Enter")
    first = page.evaluate("strategylinks.state.focus")
    assert first in expected and f"1 av {len(expected)}" in page.locator("#search-count").inner_text()
    page.click("#search-next")
    assert page.evaluate("strategylinks.state.focus") in expected - {first}
    assert url_state(page)["q"] == [word]
    page.fill("#search", "zzzxq")
    wait_for(page, "w => strategylinks.state.q === w", arg="zzzxq")
    assert page.locator("#search-count").inner_text() == "Ingen träff"


def test_search_tells_of_hits_hidden_by_filters(opened: Any) -> None:
    page = opened("shipped", query=f"?priority={PRIO2}&collapsed=")
    page.evaluate("strategylinks.search('benchmarking')")
    assert "dolda av filtren" in page.locator("#search-count").inner_text()


# ---------------------------------------------------------------- the URL is the view


STATE = "JSON.stringify(strategylinks.state, (k, v) => v instanceof Set ? [...v].sort() : v)"


@pytest.mark.parametrize("dataset", DATASETS)
def test_the_whole_state_lives_in_the_url(opened: Any, pages: Pages, dataset: str) -> None:
    view = pages.views[dataset]
    strategy = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "strategy")[-1]
    goal = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["strategy"] == strategy)[0]
    page = opened(dataset)
    page.select_option("#filter-strategy", strategy)
    page.check("#only-gaps")
    page.select_option("#focus-depth", "2")
    page.uncheck(".legend input[data-kind=theme]")
    page.evaluate("id => strategylinks.choose(id, true)", goal)
    query = "?" + urlparse(page.url).query
    state = page.evaluate(STATE)
    shown = drawn(page)
    again = opened(dataset, query=query)
    assert again.evaluate(STATE) == state
    assert drawn(again) == shown
    assert again.input_value("#filter-strategy") == strategy and again.is_checked("#only-gaps")
    assert goal in again.locator("#details").inner_html()
    assert json.loads(state)["strategy"] == strategy


# ---------------------------------------------------------------- keyboard, list, export, safety


@pytest.mark.parametrize("dataset", DATASETS)
def test_list_alternative_reaches_every_node_by_keyboard(opened: Any, pages: Pages, dataset: str) -> None:
    view = pages.views[dataset]
    page = opened(dataset, query="?collapsed=")
    page.click("#list-toggle")
    assert page.locator("#list-view").is_visible() and not page.locator("#graph").is_visible()
    assert page.locator("#node-table tbody tr").count() == view.number_of_nodes()
    assert url_state(page)["view"] == ["list"]
    page.locator("#node-table tbody button").first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("strategylinks.state.focus") in view
    assert page.locator("#details dt").count() > 2
    # The canvas itself takes focus too.
    page.click("#list-toggle")
    assert page.get_attribute("#graph", "tabindex") == "0"


def test_export_png_and_svg(opened: Any, tmp_path: Path) -> None:
    page = opened("shipped")
    with page.expect_download() as png:
        page.click("#png")
    saved = tmp_path / "graph.png"
    png.value.save_as(saved)
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and saved.stat().st_size > 5000
    with page.expect_download() as svg:
        page.click("#svg")
    saved = tmp_path / "graph.svg"
    svg.value.save_as(saved)
    root = ET.parse(saved).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    groups = root.findall(f"{ns}g")
    assert len(groups) == len(drawn(page))
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert any("Gröna Kronoberg" in t for t in texts)


def test_labels_are_text_not_html(opened: Any, tmp_path: Path) -> None:
    page = opened("shipped", query="?collapsed=")
    hostile = f"{GK}prioritering-1/hostile"
    click_node(page, hostile)
    assert HOSTILE in page.locator("#details").inner_text()
    page.evaluate("strategylinks.search('onerror')")
    page.click("#list-toggle")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0
    page.screenshot(path=str(tmp_path / "alignment.png"))


# ---------------------------------------------------------------- English


@SCREENS
def test_english_shows_english_labels_and_marks_swedish_ones(
    opened: Any, pages: Pages, screen: tuple[int, int]
) -> None:
    view = pages.views["shipped"]
    page = opened("shipped", lang="en", screen=screen, query="?collapsed=")
    assert page.get_attribute("html", "lang") == "en"
    assert "goals lack actions" in page.locator("#headline").inner_text()
    english = sorted(n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d.get("label_en"))
    # Every shipped node has an English label but the test's extra goal, which has only a Swedish one.
    swedish_only = sorted(n for n, d in view.nodes(data=True) if not d.get("label_en"))
    assert english and swedish_only == [f"{GK}prioritering-1/hostile"]
    goal = english[0]
    shown = page.evaluate("id => strategylinks.nodes.get(id).label", goal)
    assert shown.rstrip("…")[:20] == view.nodes[goal]["label_en"][:20]
    page.evaluate("id => strategylinks.choose(id, true)", goal)
    assert view.nodes[goal]["label_en"] in page.locator("#details").inner_text()
    other = swedish_only[0]
    page.evaluate("id => strategylinks.choose(id, true)", other)
    marked = page.locator("#details dd span[lang='sv']").first
    assert marked.inner_text() == view.nodes[other]["label"]
    # The strategy filter lists English names where there are some, Swedish ones marked.
    options = page.eval_on_selector_all("#filter-strategy option", "os => os.map(o => [o.textContent, o.lang])")
    strategies = {d["label_en"] or d["label"] for _, d in view.nodes(data=True) if d["kind"] == "strategy"}
    assert {text for text, _ in options[1:]} == strategies
    assert all(lang == "" for _, lang in options[1:])  # all English: none marked
    no_sideways_scroll(page, screen[0])
