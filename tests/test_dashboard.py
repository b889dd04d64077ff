"""The dashboard as an analyst uses it, in headless Chromium (every outside request blocked): headline
numbers, coverage bars that drill down to a strategy's goals and the insatser serving each, the gaps
as a filterable hierarchy, one catalogue notice per strategy, CSV of every table, the comparison with
the previous plan, both languages, and no sideways scrolling on a phone."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import networkx as nx
import pytest
from rdflib import Dataset

from strategylinks.config import Settings
from strategylinks.graph import load_dataset
from strategylinks.network import actions_reaching, alignment_graph
from strategylinks.reports import GapReport, gap_report

from .conftest import PHONE, PLAN_2022, SCREENS, guarded_page, wait_for
from .servers import running_server


@pytest.fixture(scope="module")
def dataset(two_plans: Path) -> Dataset:
    return load_dataset(Settings(data_dir=two_plans))


@pytest.fixture(scope="module")
def reports(dataset: Dataset) -> tuple[GapReport, GapReport]:
    """The latest plan's gap report and the 2022 plan's, from the library on the same files."""
    return gap_report(dataset), gap_report(dataset, PLAN_2022)


@pytest.fixture(scope="module")
def view(dataset: Dataset, reports: tuple[GapReport, GapReport]) -> nx.DiGraph:
    return alignment_graph(dataset, reports[0].plan)


@pytest.fixture(scope="module")
def server(two_plans: Path) -> Iterator[str]:
    with running_server("--data-dir", str(two_plans)) as base:
        yield base


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    with guarded_page(browser, (server,)) as (page, outside):
        yield page
        assert outside == [], f"the page reached outside the server: {outside}"


def actions_of(view: nx.DiGraph) -> int:
    return sum(1 for _, d in view.nodes(data=True) if d["kind"] == "action")


def test_headline_numbers_and_the_previous_plan(
    page: Any, server: str, reports: tuple[GapReport, GapReport], view: nx.DiGraph, dataset: Dataset
) -> None:
    now, before = reports
    assert now.plan != PLAN_2022
    goals = sum(s.goals for s in now.strategies)
    page.goto(server + "/")
    gaps = page.inner_text('#headline [data-figure="gaps"]')
    assert f"{len(now.gaps)} av {goals}" in gaps and "mål saknar insatser" in gaps
    unlinked = page.inner_text('#headline [data-figure="actions-without-goals"]')
    assert f"{len(now.actions_without_goals)} av {actions_of(view)}" in unlinked
    assert "insatser tjänar inget strategimål" in unlinked
    previous_actions = actions_of(alignment_graph(dataset, PLAN_2022))
    assert previous_actions == actions_of(view) + 1  # the dropped row had one insats
    assert f"2022: {len(before.actions_without_goals)} av {previous_actions}" in unlinked
    incomplete = page.inner_text('#headline [data-figure="incomplete"]')
    assert f"{len(now.incomplete_strategies)} av {len(now.strategies)}" in incomplete
    # The headline sits at the top of the first screen.
    box = page.locator("#headline").bounding_box()
    assert box is not None and box["y"] + box["height"] < 900
    # The comparison: goals that got or lost all their direct insatser, as coverage-changes says.
    from strategylinks import queries

    changes = queries.rows(
        queries.run(dataset, "coverage-changes", {"plan": now.plan, "previous": PLAN_2022}),
    )
    lost = {str(r["goal"]) for r in changes if int(r["actionsNow"]) == 0}
    got = {str(r["goal"]) for r in changes if int(r["actionsBefore"]) == 0}
    assert lost, "dropping a row should cost some goal its only insats"
    shown = page.eval_on_selector_all("#lost-all li", "els => els.map(e => e.dataset.goalChange)")
    assert set(shown) == lost
    assert set(page.eval_on_selector_all("#newly-covered li", "els => els.map(e => e.dataset.goalChange)")) == got
    comparison = httpx.get(server + "/api/gaps").json()["comparison"]
    assert comparison["plan"] == PLAN_2022 and comparison["gaps"] == len(before.gaps)


def test_coverage_bar_drills_down_to_goals_and_insatser(
    page: Any, server: str, reports: tuple[GapReport, GapReport], view: nx.DiGraph
) -> None:
    now, _ = reports
    strategy = max(now.strategies, key=lambda s: (s.covered, s.goals))
    page.goto(server + "/")
    page.click(f'#coverage tr[data-strategy="{strategy.iri}"] a.bar-link')
    page.wait_for_url("**/coverage?**")
    assert strategy.label in page.inner_text("h1")
    goals = {n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["strategy"] == strategy.iri}
    items = page.eval_on_selector_all(
        "#goal-tree li[data-goal]", "els => els.map(e => [e.dataset.goal, e.dataset.coverage])"
    )
    assert {g for g, _ in items} == goals and len(items) == strategy.goals
    assert {g for g, c in items if c == "none"} == {g.iri for g in now.gaps if g.strategy_iri == strategy.iri}
    for goal in goals:
        listed = page.eval_on_selector_all(
            f'li[data-goal="{goal}"] > ul.actions > li, li[data-goal="{goal}"] > details > summary ul.actions > li',
            "els => els.map(e => e.dataset.action)",
        )
        assert set(listed) == actions_reaching(view, goal, via_narrower=False), goal
    # Each insats links to its page, and a covered goal to its chain in the graph.
    covered = next(g for g, c in items if c == "direct")
    link = page.locator(f'li[data-goal="{covered}"] a[href^="/graph"]').first
    assert "path=1" in (link.get_attribute("href") or "")
    page.locator(f'li[data-goal="{covered}"] ul.actions a').first.click()
    page.wait_for_url("**/id/plan/**")
    assert page.locator("h1").inner_text()


def test_gaps_are_a_filterable_hierarchy(page: Any, server: str, reports: tuple[GapReport, GapReport]) -> None:
    now, _ = reports
    page.goto(server + "/")
    shown = page.eval_on_selector_all("#gap-tree li[data-gap]", "els => els.map(e => e.dataset.goal)")
    assert sorted(shown) == sorted(g.iri for g in now.gaps)
    # Broader goals are context, not gaps: a covered goal is never counted as one.
    context = page.eval_on_selector_all("#gap-tree li[data-context]", "els => els.map(e => e.dataset.context)")
    assert not set(context) & {g.iri for g in now.gaps}
    strategy = max({g.strategy_iri for g in now.gaps}, key=lambda s: sum(g.strategy_iri == s for g in now.gaps))
    with page.expect_navigation():
        page.select_option('#gap-filter select[name="strategy"]', strategy)  # applies at once
    assert f"strategy={quote(strategy, safe='')}" in page.url
    mine = [g for g in now.gaps if g.strategy_iri == strategy]
    assert page.locator("#gap-tree li[data-gap]").count() == len(mine)
    assert page.locator("#gap-tree details.strategy").count() == 1
    level = sorted({g.level for g in mine})[0]
    with page.expect_navigation():
        page.select_option('#gap-filter select[name="level"]', level)
    levels = page.eval_on_selector_all("#gap-tree li[data-gap]", "els => els.map(e => e.dataset.level)")
    assert levels and set(levels) == {level} and len(levels) == sum(g.level == level for g in mine)
    # A strategy's tree collapses.
    page.click("#gap-tree details.strategy > summary")
    assert not page.locator("#gap-tree li[data-gap]").first.is_visible()


def test_one_catalogue_notice_per_incomplete_strategy(
    page: Any, server: str, reports: tuple[GapReport, GapReport]
) -> None:
    now, _ = reports
    page.goto(server + "/")
    notices = page.eval_on_selector_all(".catalogue-notice", "els => els.map(e => e.dataset.strategy)")
    assert sorted(notices) == sorted(s.iri for s in now.incomplete_strategies)
    text = page.inner_text("main")
    assert text.count("en saknad lucka betyder inte täckning") == 1


def test_every_table_downloads_as_csv(page: Any, server: str, reports: tuple[GapReport, GapReport]) -> None:
    _, now = reports  # the 2022 plan: it has a follow-up, so the status and paper tables too
    data = httpx.get(server + "/api/gaps", params={"plan": PLAN_2022}).json()
    page.goto(server + "/?plan=" + quote(PLAN_2022, safe=""))
    links = page.eval_on_selector_all("p.csv a", "els => els.map(e => e.getAttribute('href'))")
    tables = {link.split("/api/gaps/")[1].split(".csv")[0] for link in links}
    assert tables == {"coverage", "gaps", "indirect", "actions-without-goals", "fragile", "overlap", "status", "paper"}
    expected = {
        "coverage": len(now.strategies),
        "gaps": len(now.gaps),
        "indirect": len(now.indirect),
        "actions-without-goals": len(now.actions_without_goals),
        "fragile": len(data["network"]["fragile"]),
        "overlap": len(data["network"]["overlap"]),
        "paper": len(data["followup"]["paper"]),
        "status": len(data["followup"]["priorities"]),
    }
    with page.expect_download() as download:
        page.click('p.csv a[href^="/api/gaps/gaps.csv"]')
    assert download.value.suggested_filename.endswith("-gaps.csv")
    for link in links:
        response = httpx.get(server + link)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        found = list(csv.DictReader(io.StringIO(response.text)))
        table = link.split("/api/gaps/")[1].split(".csv")[0]
        assert len(found) == expected[table], table
    gaps = list(csv.DictReader(io.StringIO(httpx.get(server + "/api/gaps/gaps.csv?plan=" + PLAN_2022).text)))
    assert {r["goal"] for r in gaps} == {g.iri for g in now.gaps}
    assert {r["goalLabel"] for r in gaps} == {g.label for g in now.gaps}
    assert httpx.get(server + "/api/gaps/nothing.csv").status_code == 404


def test_english_names_and_the_choice_kept(page: Any, server: str, view: nx.DiGraph) -> None:
    english = {n: d["label_en"] for n, d in view.nodes(data=True) if d["kind"] == "goal" and d.get("label_en")}
    swedish_only = {n for n, d in view.nodes(data=True) if d["kind"] == "goal" and not d.get("label_en")}
    page.goto(server + "/?lang=en")
    for goal in page.eval_on_selector_all("#gap-tree li[data-gap]", "els => els.map(e => e.dataset.goal)"):
        shown = page.locator(f'li[data-goal="{goal}"] a').first
        if goal in english:
            assert shown.inner_text() == english[goal]
        else:
            assert goal in swedish_only
            assert shown.locator("span[lang=sv]").count() == 1
    # The choice is kept on the next page without ?lang= (a cookie), the graph page included.
    page.click("header.site nav a[href^='/graph']")
    wait_for(page, "window.strategylinks !== undefined")
    assert page.locator("html").get_attribute("lang") == "en"
    strategy = view.nodes[next(iter(english))]["strategy"]
    page.goto(server + "/coverage?strategy=" + quote(strategy, safe=""))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Goals and actions" in page.inner_text("main")
    # The network page names strategies in English too.
    page.goto(server + "/network")
    matrix = page.inner_text("#overlap + p + .scroll")
    served = [n for n, d in view.nodes(data=True) if d["kind"] == "strategy" and d.get("label_en")]
    assert any(view.nodes[s]["label_en"] in matrix for s in served)
    assert not any(
        view.nodes[s]["label"] in matrix for s in served if view.nodes[s]["label"] != view.nodes[s]["label_en"]
    )


@SCREENS
def test_no_page_scrolls_sideways(browser: Any, server: str, screen: tuple[int, int], view: nx.DiGraph) -> None:
    goal = next(n for n, d in view.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "none")
    action = next(n for n, d in view.nodes(data=True) if d["kind"] == "action")
    strategy = view.nodes[goal]["strategy"]
    pages = [
        "/",
        "/?lang=en",
        f"/coverage?strategy={quote(strategy, safe='')}",
        "/id/" + goal.split("/id/", 1)[1],
        "/id/" + action.split("/id/", 1)[1],
        "/data/",
        "/network",
        "/followup",
        "/query?plain=1",
        "/query",
        "/docs",
        "/query?plain=1&query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 40"),
        "/ontology",
    ]
    with guarded_page(browser, (server,), viewport=screen) as (page, outside):
        for path in pages:
            page.goto(server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= screen[0], f"{path} is {width} px wide on a {screen[0]} px screen"
        assert outside == []
    assert PHONE[0] == 390
