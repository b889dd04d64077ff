"""Shared fixtures: the shipped dataset is loaded once per session."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph

from strategylinks.config import Settings
from strategylinks.graph import load_dataset, load_shapes, union

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Kept in the repository (with their licences) so that a clone runs every test with nothing beside it.
SEED = FIXTURES / "source" / "handlingsplan-internationellt-arbete-2022.txt"
ID = "https://w3id.org/strategylinks/id/"
PLAN_2022 = ID + "plan/handlingsplan-internationellt-arbete-2022"
GK = ID + "strategi/grona-kronoberg-2025/"
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, why: str) -> None:
    """Skip a test whose outside requirement is missing, except under CI, where it must fail."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required under CI: {why}")
        pytest.skip(why)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    return load_dataset(settings)


@pytest.fixture(scope="session")
def merged(dataset: Dataset) -> Graph:
    return union(dataset)


@pytest.fixture(scope="session")
def shapes(settings: Settings) -> Graph:
    return load_shapes(settings)


#: What the follow-up fixtures add: the example follow-up of the 2022 plan (docs/templates), a fictional
#: follow-up of one insats for spring 2023, and fictional Kolada values of one indicator that measures
#: an effect of row 1 and one of its goals.
EXAMPLE_FOLLOWUP = ROOT / "docs" / "templates" / "uppfoljning-exempel-2022.csv"
KOLADA_FIXTURE = FIXTURES / "indicators" / "kolada-fiktiva-varden.json"
#: A second, fictional period: one insats postponed in 2022 and carried out in the first half of 2023.
SPRING_2023 = FIXTURES / "followup" / "followup-halvar-2023.csv"
SPRING_PERIOD = "2023-01-01--2023-06-30"
ROW_1 = "plan/handlingsplan-internationellt-arbete-2022/prioritering-1/rad-1"
MEASURED_GOAL = "strategi/grona-kronoberg-2025/prioritering-3/innovationsgrad"


@pytest.fixture(scope="session")
def followed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped data with the example follow-up for 2022 and indicator values imported
    through the CLI, as a coordinator would."""
    from strategylinks.cli import main

    target = tmp_path_factory.mktemp("followed") / "data"
    shutil.copytree(ROOT / "data", target)
    base = ["--data-dir", str(target)]
    followup = ["followup", "import", str(EXAMPLE_FOLLOWUP), "--period", "2022", "--plan", PLAN_2022]
    assert main([*followup, "--reported-at", "2023-03-01T10:00:00", *base]) == 0
    spring = ["followup", "import", str(SPRING_2023), "--period", SPRING_PERIOD, "--plan", PLAN_2022]
    assert main([*spring, "--reported-at", "2023-07-01T10:00:00", *base]) == 0
    indicators = ["indicators", "import", str(KOLADA_FIXTURE), "--label", "N00000=Fiktiv andel"]
    measures = f"N00000={ROW_1}/effekt-1,{MEASURED_GOAL}"
    assert main([*indicators, "--unit", "N00000=procent", "--measures", measures, *base]) == 0
    return target


#: The row the fictional 2023 plan leaves out: its one insats is the only one serving two goals.
DROPPED = "<p>använd Småland-Blekinge-Halland i stöd till kontaktskapande inom barncentrerad samverkan"


@pytest.fixture(scope="session")
def two_plans(followed_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The followed-up data with a 2023 plan: the 2022 document without one row."""
    from strategylinks.cli import main

    data = tmp_path_factory.mktemp("two-plans") / "data"
    shutil.copytree(followed_data, data)
    seed = (FIXTURES / "source" / "handlingsplan-internationellt-arbete-2022.txt").read_text(encoding="utf-8")
    lines = seed.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(DROPPED)]
    assert len(kept) == len(lines) - 1
    source = data.parent / "handlingsplan-internationellt-arbete-2023.txt"
    source.write_text("".join(kept), encoding="utf-8")
    assert main(["import", "plan", str(source), "--year", "2023", "--data-dir", str(data)]) == 0
    return data


@pytest.fixture(scope="session")
def followed(followed_data: Path) -> Dataset:
    return load_dataset(Settings(data_dir=followed_data))


@pytest.fixture(scope="session")
def followed_server(followed_data: Path) -> Iterator[str]:
    """A read-only server on the data with follow-ups and indicator values."""
    from .servers import running_server

    with running_server("--data-dir", str(followed_data)) as base:
        yield base


@pytest.fixture(scope="session")
def seed_text() -> str:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Debian's chromium is not installed")
    assert path is not None
    return path


#: The screens the pages are tried on: a laptop and a phone.
DESKTOP, PHONE = (1440, 900), (390, 844)
SCREENS = pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no browser download), with background traffic off."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed")
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


@contextmanager
def guarded_page(
    browser: Any, allowed: tuple[str, ...], offline: bool = False, viewport: tuple[int, int] = (1440, 900)
) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests outside ``allowed`` URL prefixes are blocked and recorded; page errors fail."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True, is_mobile=viewport[0] < 600
    )
    if offline:
        context.set_offline(True)
    outside: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith((*allowed, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page, outside
        assert errors == [], errors
    finally:
        context.close()


def wait_for(page: Any, expression: str, arg: Any = None, timeout: float = 30_000) -> bool:
    """Playwright's ``page.wait_for_function``, without its in-page polling: that re-evaluates the
    expression with eval, which the pages' Content-Security-Policy forbids, so it failed whenever the
    first check came too early. Polls from here with ``page.evaluate`` (not subject to the CSP); an
    expression that throws (its script not loaded yet) counts as not yet true."""
    from playwright.sync_api import Error

    # Only whether it holds comes back: a value such as a vis Network would not serialise.
    check = (
        "(arg) => { try { const f = (" + expression + "); "
        "return [!!(typeof f === 'function' ? f(arg) : f), null]; } catch (e) { return [false, String(e)]; } }"
    )
    deadline = time.monotonic() + timeout / 1000
    problem = None
    while True:
        try:
            holds, problem = page.evaluate(check, arg)
        except Error as exc:  # a navigation under way replaces the page's context
            if "context was destroyed" not in str(exc) and "navigation" not in str(exc).lower():
                raise
            holds = False
        if holds:
            return True
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout / 1000:g} s for {expression}" + (f": {problem}" if problem else ""))
        time.sleep(0.05)


@pytest.fixture(scope="session")
def query_page_assets() -> None:
    """YASGUI and its chart and pivot libraries in viz/vendor/, fetched with npm (as `strategylinks
    assets` does) if a fresh clone has none yet; skipped without npm, except under CI."""
    from strategylinks.assets import QUERY_PAGE_ASSETS, install_query_page
    from strategylinks.config import Settings
    from strategylinks.errors import StrategyLinksError

    vendor = Settings().viz_path / "vendor"
    if all((vendor / folder).is_dir() for folder in QUERY_PAGE_ASSETS):
        return
    try:
        install_query_page(Settings().viz_path)
    except StrategyLinksError as exc:
        need(False, f"the query page's files could not be fetched: {exc.message}")
