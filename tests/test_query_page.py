"""The query page in headless Chromium with every outside request blocked: YASGUI (installed from npm
by `strategylinks assets`, or by the tests themselves) shows plain values and labels linking to this
server's pages, runs named queries with a form for their parameters, keeps its tabs, draws charts and
pivot tables, and keeps wide results inside their box; the plain form does the same without scripts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rdflib import Dataset

from strategylinks import queries
from strategylinks.config import Settings
from strategylinks.graph import load_dataset

from .conftest import PLAN_2022, SCREENS, guarded_page, wait_for
from .servers import running_server

ACTIVE = ".tabPanel.active"


@pytest.fixture(scope="module")
def server(two_plans: Path, query_page_assets: None) -> Iterator[str]:
    # The assets first: the server serves /assets only if they are there when it starts.
    with running_server("--data-dir", str(two_plans)) as base:
        yield base


@pytest.fixture(scope="module")
def dataset(two_plans: Path) -> Dataset:
    return load_dataset(Settings(data_dir=two_plans))


@pytest.fixture(scope="module")
def latest(dataset: Dataset) -> str:
    """The newest plan: a named query's plan parameter starts there, as in the CLI."""
    return next(str(r["plan"]) for r in queries.rows(queries.run(dataset, "plans")) if str(r["plan"]) != PLAN_2022)


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    with guarded_page(browser, (server,)) as (page, outside):
        yield page
        assert outside == [], f"the page reached outside the server: {outside}"


def rows_shown(page: Any) -> Any:
    page.wait_for_selector(f"{ACTIVE} .yasr table tbody tr td", timeout=15000)
    return page.locator(f"{ACTIVE} .yasr table tbody tr")


def select_view(page: Any, name: str) -> None:
    page.locator(f"{ACTIVE} .yasr_btnGroup .select_{name}").click()


def test_named_query_runs_in_its_own_tab_with_plain_values_and_local_links(
    page: Any, server: str, dataset: Dataset, latest: str
) -> None:
    expected = queries.rows(queries.run(dataset, "actions-per-priority", {"plan": latest}))
    page.goto(server + "/query")
    page.click('a.named-query[data-name="actions-per-priority"]')
    assert rows_shown(page).count() == len(expected)
    text = page.inner_text(f"{ACTIVE} .yasr table tbody")
    assert "^^" not in text and "XMLSchema" not in text and "<http" not in text
    # Numbers are plain numbers, IRIs their labels, linked to this server's pages.
    counts = {str(r["actions"]) for r in expected}
    assert counts <= set(text.split())
    links = page.eval_on_selector_all(
        f"{ACTIVE} .yasr table a.iri", "els => els.map(e => [e.getAttribute('href'), e.textContent, e.title])"
    )
    assert links and all(href.startswith("/id/") for href, _, iri in links if iri.startswith("https://w3id.org/"))
    priority = next(r for r in expected)
    label = str(priority["priorityLabel"])
    assert label in [shown for _, shown, _ in links]
    href = page.locator(f"{ACTIVE} .yasr table a.iri", has_text=label).first.get_attribute("href")
    page.goto(server + href)  # the link's own page, on this server
    assert label in page.inner_text("h1")


def test_parameters_get_a_form_and_the_query_runs_bound(page: Any, server: str, dataset: Dataset) -> None:
    latest = next(str(r["plan"]) for r in queries.rows(queries.run(dataset, "plans")) if str(r["plan"]) != PLAN_2022)
    expected = queries.rows(queries.run(dataset, "plan-changes", {"plan": latest, "previous": PLAN_2022}))
    assert expected
    page.goto(server + "/query?name=plan-changes")
    # It runs at once on the newest plan (as the CLI does), with a form to change the parameters.
    assert page.input_value("#param-plan") == latest
    assert page.locator("#params label[for=param-previous]").count() == 1
    assert rows_shown(page).count() == len(expected)
    page.fill("#param-previous", PLAN_2022.split("/id/", 1)[1])  # a path under /id/ is enough
    page.click("#params button[type=submit]")
    page.wait_for_url("**previous=**")
    assert rows_shown(page).count() == len(expected)
    assert page.input_value("#param-previous") == PLAN_2022.split("/id/", 1)[1]
    statuses = page.eval_on_selector_all(f"{ACTIVE} .yasr table tbody tr", "els => els.map(e => e.innerText)")
    assert sum("dropped" in s for s in statuses) == sum(str(r["status"]) == "dropped" for r in expected) == 1
    # A bad value is a clear message, not a run.
    page.goto(server + "/query?name=plan-changes&run=1&plan=" + quote("not an iri"))
    assert "is not a valid IRI" in page.inner_text("#query-error")


def test_tabs_are_kept_across_visits(page: Any, server: str) -> None:
    page.goto(server + "/query")
    page.click('a.named-query[data-name="actions-per-priority"]')
    rows_shown(page)
    page.goto(server + "/query")
    page.wait_for_selector(".yasqe")
    names = page.eval_on_selector_all(".tabsList .tab", "els => els.map(e => e.innerText.trim())")
    assert any("Insatser per prioritering" in n for n in names)
    # Opening the same named query again reuses its tab.
    page.click('a.named-query[data-name="actions-per-priority"]')
    rows_shown(page)
    again = page.eval_on_selector_all(".tabsList .tab", "els => els.map(e => e.innerText.trim())")
    assert sum("Insatser per prioritering" in n for n in again) == 1


def test_chart_and_pivot_views(page: Any, server: str, dataset: Dataset, latest: str) -> None:
    expected = queries.rows(queries.run(dataset, "actions-per-priority", {"plan": latest}))
    page.goto(server + "/query?name=actions-per-priority")
    rows_shown(page)
    select_view(page, "chart")
    page.wait_for_selector(f"{ACTIVE} .sl-chart canvas")
    page.locator(f"{ACTIVE} .sl-chart-controls select").nth(1).select_option("actions")
    wait_for(page, "strategylinksChart.data.datasets[0].label === '?actions'")
    data = page.evaluate("({labels: strategylinksChart.data.labels, values: strategylinksChart.data.datasets[0].data})")
    assert sorted(data["values"]) == sorted(int(r["actions"]) for r in expected)
    assert sorted(data["labels"]) == sorted(str(r["priorityLabel"]) for r in expected)
    assert "actions" in (page.get_attribute(f"{ACTIVE} .sl-chart canvas", "aria-label") or "")
    select_view(page, "pivot")
    page.wait_for_selector(f"{ACTIVE} .sl-pivot table.pvtTable")
    total = page.inner_text(f"{ACTIVE} .sl-pivot table.pvtTable .pvtGrandTotal")
    assert int(total) == len(expected)


@SCREENS
def test_wide_results_scroll_inside_their_box(browser: Any, server: str, screen: tuple[int, int]) -> None:
    wide = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 60"
    with guarded_page(browser, (server,), viewport=screen) as (page, outside):
        page.goto(server + "/query?query=" + quote(wide))
        rows_shown(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= screen[0]
        assert outside == []


def test_plain_form_runs_a_named_query_with_parameters(browser: Any, server: str, dataset: Dataset) -> None:
    expected = queries.rows(queries.run(dataset, "strategy-coverage", {"plan": PLAN_2022}))
    with guarded_page(browser, (server,)) as (page, outside):
        page.goto(server + "/query?plain=1&name=strategy-coverage")
        newest = page.input_value("#param-plan")
        assert newest != PLAN_2022 and page.locator("#results tbody tr").count() > 0
        page.fill("#param-plan", PLAN_2022)
        page.click("#params button[type=submit]")
        assert page.locator("#results tbody tr").count() == len(expected)
        assert "plain=1" in page.url
        assert outside == []
