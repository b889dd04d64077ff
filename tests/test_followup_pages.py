"""Follow-up in the browser: the form (saved through the validated write path with the token, read-only
without), the status on the dashboard and in the alignment graph, the network page; over HTTP and in
headless Chromium with the network cut off."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ID, PLAN_2022, guarded_page, wait_for
from .servers import running_server

TOKEN = "form-token"


@pytest.fixture(scope="module")
def writable(followed_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with the update token on a copy of the followed-up data (the tests write to it)."""
    data = tmp_path_factory.mktemp("form") / "data"
    shutil.copytree(followed_data, data)
    with running_server("--data-dir", str(data), "--update-token", TOKEN) as base:
        yield base


def form_fields(page: str) -> dict[str, str]:
    fields = {f"action-{i}": iri for i, iri in re.findall(r'name="action-(\d+)" value="([^"]+)"', page)}
    fields.update({"plan": PLAN_2022, "token": TOKEN})
    return fields


def test_the_form_shows_each_insats_with_its_status(followed_server: str, writable: str) -> None:
    editable = httpx.get(writable + "/followup", params={"period": "2022"}).text
    assert editable.count("<select") == 17
    assert len(re.findall(r"<option value=\"inställd\" selected>", editable)) == 2  # as imported for 2022
    read_only = httpx.get(followed_server + "/followup", params={"period": "2022"}).text
    assert "<select" not in read_only and 'id="read-only"' in read_only
    assert read_only.count('class="status"') == 17
    refused = httpx.post(followed_server + "/followup", data=form_fields(read_only))
    assert refused.status_code == 403 and "read-only" in refused.text
    assert httpx.get(writable + "/followup", params={"plan": "plan/finns-inte"}).status_code == 404
    assert httpx.get(writable + "/followup", params={"period": "20x"}).status_code == 404


def test_saving_goes_through_the_validated_path(writable: str) -> None:
    page = httpx.get(writable + "/followup", params={"period": "2024"}).text
    fields = {
        **form_fields(page),
        "period": "2024",
        "status-0": "genomförd",
        "comment-0": "Klart.",
        "status-1": "inställd",
    }
    fields["evidence-0"] = "https://example.org/rapport"
    assert httpx.post(writable + "/followup", data={**fields, "token": "wrong"}).status_code == 403
    bad = httpx.post(writable + "/followup", data={**fields, "status-2": "pågående", "evidence-2": "rapport.pdf"})
    assert bad.status_code == 422 and "evidence must be web links" in bad.text
    assert "2024" not in httpx.get(writable + "/api/gaps").json()["followup"]["periodLabel"]  # nothing was saved
    empty = httpx.post(writable + "/followup", data={k: v for k, v in fields.items() if not k.startswith("status")})
    assert empty.status_code == 422
    tag = httpx.get(writable + "/").headers["etag"]
    assert httpx.get(writable + "/", headers={"If-None-Match": tag}).status_code == 304
    saved = httpx.post(writable + "/followup", data=fields)
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    # A new dataset version: the old tag no longer matches, so a revalidating client gets the new page.
    after = httpx.get(writable + "/", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] != tag
    followup = httpx.get(writable + "/api/gaps", params={"period": "2024"}).json()["followup"]
    assert followup["periodLabel"] == "2024" and followup["totals"] == {"genomförd": 1, "inställd": 1, "": 15}
    # The period's graph is readable through the Graph Store Protocol, and saving again replaces it.
    graph = ID.replace("/id/", "/graph/") + "followup/handlingsplan-internationellt-arbete-2022-2024"
    stored = httpx.get(writable + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert stored.status_code == 200 and "Klart." in stored.text
    again = httpx.post(writable + "/followup", data={**fields, "status-1": ""})
    assert again.status_code == 303
    totals = httpx.get(writable + "/api/gaps", params={"period": "2024"}).json()["followup"]["totals"]
    assert totals == {"genomförd": 1, "": 16}


def test_status_on_the_dashboard_and_in_the_graph(followed_server: str) -> None:
    gaps = httpx.get(followed_server + "/api/gaps", params={"period": "2022"}).json()
    followup = gaps["followup"]
    assert followup["totals"] == {"genomförd": 8, "pågående": 3, "planerad": 1, "senarelagd": 2, "inställd": 2, "": 1}
    assert {p["label"] for p in followup["periods"]} == {"2022", "2023-01-01--2023-06-30"}
    assert gaps["network"]["fragile"] and gaps["network"]["overlap"]
    page = httpx.get(followed_server + "/", params={"period": "2022"}).text
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert 'id="followup-headline"' in page and "8 av 17 insatser genomförda" in text
    assert 'id="paper"' in page and "Direkt, genomfört" in page
    # The actions serving no goal, each with its status in the period.
    assert page.count('<td class="status">') == len(gaps["actionsWithoutGoals"]) == 9
    assert len(followup["statusOf"]) == 17
    graph = httpx.get(followed_server + "/api/graph", params={"period": "2022"}).json()
    status = {n["id"]: n.get("status") for n in graph["nodes"] if n["kind"] == "action"}
    assert sorted(s or "" for s in status.values()).count("genomförd") == 8
    assert httpx.get(followed_server + "/graph", params={"period": "1999"}).status_code == 404
    network = httpx.get(followed_server + "/network").text
    assert 'id="bridges"' in network and 'id="clusters"' in network


@pytest.fixture
def page(browser: Any, followed_server: str, writable: str) -> Iterator[Any]:
    with guarded_page(browser, (followed_server, writable), offline=False) as (page, outside):
        yield page
        assert outside == [], outside


def test_browser_graph_filters_carried_out(page: Any, followed_server: str) -> None:
    page.goto(followed_server + "/graph?period=2022")
    wait_for(page, "window.strategylinks && window.strategylinks.nodes.length > 0")
    assert page.locator("#status-legend li").count() == 6

    def visible_actions() -> int:
        return int(
            page.evaluate("window.strategylinks.nodes.get().filter(n => n.kind === 'action' && !n.hidden).length")
        )

    assert visible_actions() == 17
    page.check("#only-done")
    assert visible_actions() == 8
    assert page.locator("#done-note").is_visible()
    # A goal served only by actions not carried out turns red when coverage counts what was carried out.
    colour = page.evaluate(f"window.strategylinks.nodes.get('{ID}strategi/smalands-skogsstrategi/mal-2').color.border")
    assert colour == "#c0392b"
    page.uncheck("#only-done")
    assert visible_actions() == 17


def test_browser_form_saves_with_the_token(page: Any, writable: str) -> None:
    page.goto(writable + "/followup?period=2025")
    page.select_option("select[name=status-3]", "pågående")
    page.fill("textarea[name=comment-3]", "Pågår enligt plan.")
    page.fill("#token", TOKEN)
    page.click("#save")
    page.wait_for_selector("#saved")
    assert page.locator("select[name=status-3]").input_value() == "pågående"
    assert page.locator("textarea[name=comment-3]").input_value() == "Pågår enligt plan."
    # A bad link is refused and what was entered stays in the form.
    page.fill("input[name=evidence-3]", "inte-en-länk")
    page.fill("#token", TOKEN)
    page.click("#save")
    page.wait_for_selector("#problems")
    assert page.locator("input[name=evidence-3]").input_value() == "inte-en-länk"
