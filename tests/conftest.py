"""Shared fixtures: the shipped dataset is loaded once per session."""

from __future__ import annotations

import os
import shutil
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
def guarded_page(browser: Any, allowed: tuple[str, ...], offline: bool = False) -> Iterator[tuple[Any, list[str]]]:
    """A page whose requests outside ``allowed`` URL prefixes are blocked and recorded; page errors fail."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
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
