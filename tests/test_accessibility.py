"""axe-core (fetched from npm at set-up time, like YASGUI) finds no serious or critical problem on the
pages an analyst uses, in both languages, on a laptop and a phone; /docs says its language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from strategylinks.assets import npm_files
from strategylinks.errors import StrategyLinksError

from .conftest import DESKTOP, PHONE, PLAN_2022, ROOT, guarded_page, need, wait_for
from .servers import running_server

AXE_PACKAGE = "axe-core@4.10.3"
#: Not committed (like viz/vendor/): fetched once per checkout.
AXE = ROOT / "tests" / "vendor" / AXE_PACKAGE.replace("@", "-")


@pytest.fixture(scope="module")
def axe() -> str:
    script = AXE / "axe.min.js"
    if not script.is_file():
        try:
            npm_files(AXE_PACKAGE, ("axe.min.js",), AXE)
        except StrategyLinksError as exc:
            need(False, f"axe-core could not be fetched: {exc.message}")
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(query_page_assets: None) -> Iterator[str]:
    with running_server() as base:
        yield base


PAGES = [
    "/",
    "/graph",
    "/graph?view=list",
    "/coverage?strategy=https%3A%2F%2Fw3id.org%2Fstrategylinks%2Fid%2Fstrategi%2Fgrona-kronoberg-2025",
    "/id/strategi/grona-kronoberg-2025/prioritering-3/innovationsgrad",
    "/id/" + PLAN_2022.split("/id/", 1)[1] + "/prioritering-1/rad-1/insats-1",
    "/query?plain=1",
    "/query?name=strategy-coverage",  # YASGUI, where installed
    "/network",
    "/data/",
]


def findings(page: Any, axe: str) -> list[str]:
    """Serious and critical axe-core violations, one line each (rule, impact, the first elements)."""
    page.evaluate(axe)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"
    )
    return list(result)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_serious_or_critical_findings(
    browser: Any, server: str, axe: str, lang: str, screen: tuple[int, int]
) -> None:
    found: dict[str, list[str]] = {}
    with guarded_page(browser, (server,), viewport=screen) as (page, outside):
        for path in PAGES:
            page.goto(server + path + ("&" if "?" in path else "?") + f"lang={lang}")
            if path.startswith("/graph"):
                wait_for(page, "window.strategylinks !== undefined")
            problems = findings(page, axe)
            if problems:
                found[path] = problems
        assert outside == []
    assert found == {}


def test_docs_say_their_language(browser: Any, server: str) -> None:
    with guarded_page(browser, (server,)) as (page, outside):
        page.goto(server + "/docs")
        assert page.locator("html").get_attribute("lang") == "en"
        page.wait_for_selector(".swagger-ui .info")
        assert outside == []
