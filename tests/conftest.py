"""Shared fixtures: the shipped dataset is loaded once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from strategylinks.config import Settings
from strategylinks.graph import load_dataset, load_shapes, union

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "handlingsplan-internationellt-arbete-2022.txt"
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
