"""Resource pages say what the plan does with the resource: a goal's coverage, the insatser serving it
and its breadcrumb; an insats's row, effects, goals and themes; "show in graph"; property names in
the chosen language with the CURIE as a tooltip. Checked against the alignment view of the same data,
in headless Chromium with every outside request blocked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
from rdflib import Dataset

from strategylinks.network import actions_reaching, alignment_graph

from .conftest import GK, ID, PLAN_2022, guarded_page, wait_for
from .servers import running_server

GAP = GK + "prioritering-1"
INDIRECT = GK + "prioritering-3"
COVERED = GK + "prioritering-3/innovationsgrad"
ACTION = PLAN_2022 + "/prioritering-1/rad-1/insats-1"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def view(dataset: Dataset) -> nx.DiGraph:
    return alignment_graph(dataset, PLAN_2022)


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    with guarded_page(browser, (server,)) as (page, outside):
        yield page
        assert outside == [], f"the page reached outside the server: {outside}"


def path(iri: str) -> str:
    return "/id/" + iri.removeprefix(ID)


def listed(page: Any, selector: str) -> set[str]:
    return set(page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))"))


def broader_goals(view: nx.DiGraph, goal: str) -> list[str]:
    """The goal's broader goals, outermost first, by following the view's broader edges."""
    chain: list[str] = []
    while broader := [b for b in view.successors(goal) if view.edges[goal, b]["relation"] == "broader"]:
        goal = broader[0]
        chain.insert(0, goal)
    return chain


def crumbs(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("nav.breadcrumb a", "els => els.map(e => e.getAttribute('href'))"))


def test_a_goal_without_actions_says_so(page: Any, server: str, view: nx.DiGraph) -> None:
    assert view.nodes[GAP]["coverage"] == "none"
    page.goto(server + path(GAP))
    assert page.locator('#in-plan [data-coverage="none"]').count() == 1
    assert "Saknar insatser" in page.inner_text("#in-plan")
    assert crumbs(page) == [path(g) for g in [GK.rstrip("/"), *broader_goals(view, GAP)]]
    page.click("#show-in-graph")
    wait_for(page, "window.strategylinks !== undefined")
    assert "focus=" in page.url and page.evaluate("strategylinks.state.focus") == GAP


def test_covered_goals_list_their_insatser(page: Any, server: str, view: nx.DiGraph) -> None:
    page.goto(server + path(COVERED))
    serving = set(page.eval_on_selector_all("#serving li", "els => els.map(e => e.dataset.action)"))
    assert serving == actions_reaching(view, COVERED, via_narrower=False) and serving
    assert f"{len(serving)} insatser" in page.inner_text("#in-plan")
    # The breadcrumb runs from the strategy through every broader goal.
    assert len(broader_goals(view, COVERED)) >= 2
    assert crumbs(page) == [path(g) for g in [GK.rstrip("/"), *broader_goals(view, COVERED)]]
    assert "path=1" in (page.get_attribute("#show-in-graph", "href") or "")
    page.goto(server + path(INDIRECT))
    assert page.locator('#in-plan [data-coverage="indirect"]').count() == 1
    via = actions_reaching(view, INDIRECT, via_narrower=True)
    assert f"{len(via)} insatser tjänar underordnade mål" in page.inner_text("#in-plan")


def test_an_insats_shows_its_row_effects_goals_and_themes(page: Any, server: str, view: nx.DiGraph) -> None:
    page.goto(server + path(ACTION) + "?lang=en")
    text = page.inner_text("#in-plan")
    assert "Row of the plan" in text and "row 1" in text
    effects = {e for e in view.successors(ACTION) if view.nodes[e]["kind"] == "effect"}
    goals = {t for e in effects for t in view.successors(e)}
    themes = {t for t in view.successors(ACTION) if view.nodes[t]["kind"] == "theme"}
    section = "#in-plan ul a"
    assert listed(page, section) >= {path(n) for n in effects | goals | themes}
    for goal in goals:
        name = view.nodes[goal].get("label_en") or view.nodes[goal]["label"]
        assert name in text


def test_property_names_in_the_chosen_language(page: Any, server: str) -> None:
    for lang, in_scheme, verification in (("sv", "ingår i", "verifiering"), ("en", "in scheme", "verification")):
        page.goto(server + path(COVERED) + f"?lang={lang}")
        names = dict(
            page.eval_on_selector_all(
                "main table a[title]", "els => els.map(e => [e.getAttribute('title'), e.innerText])"
            )
        )
        assert names["skos:inScheme"] == in_scheme
        assert names["sl:verification"] == verification
        # Every property of a goal page has a name, none is shown as a CURIE.
        assert [c for c, shown in names.items() if shown == c] == []
