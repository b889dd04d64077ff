"""strategylinks import strategy: a goal hierarchy from a spreadsheet, with clear errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from strategylinks.cli import main
from strategylinks.config import Settings

from .conftest import GK, ID

HEADER = ["strategy", "level", "identifier", "parent", "label sv", "label en", "source URL", "complete"]
SOURCE = "https://www.regionkronoberg.se/"


@pytest.fixture()
def data_copy(tmp_path: Path, settings: Settings) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.data_path, target)
    return target


def sheet(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_new_strategy(tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(
        tmp_path / "kulturstrategi.csv",
        [
            [
                "Regional kulturstrategi",
                "strategi",
                "",
                "",
                "Regional kulturstrategi för Kronobergs län",
                "Regional culture strategy",
                SOURCE,
                "no",
            ],
            [
                "Regional kulturstrategi",
                "Prioritering",
                "kultur-for-alla",
                "",
                "Kultur för alla",
                "Culture for all",
                SOURCE,
                "yes",
            ],
            [
                "Regional kulturstrategi",
                "Insatsområde",
                "bibliotek",
                "kultur-for-alla",
                "Starka bibliotek",
                "",
                SOURCE,
                "",
            ],
        ],
    )
    code, _, err = run(capsys, "import", "strategy", str(path), "--data-dir", str(data_copy))
    assert code == 0, err
    written = data_copy / "catalogue" / "regional-kulturstrategi.ttl"
    g = Graph().parse(written)
    child = URIRef(ID + "strategi/regional-kulturstrategi/kultur-for-alla/bibliotek")
    assert g.value(child, SKOS.broader) == URIRef(ID + "strategi/regional-kulturstrategi/kultur-for-alla")
    code, out, _ = run(capsys, "gaps", "--format", "json", "--data-dir", str(data_copy))
    assert str(child) in {gap["iri"] for gap in json.loads(out)}
    assert run(capsys, "validate", "--data-dir", str(data_copy))[0] == 0


def test_extend_an_existing_strategy(tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sheet(
        tmp_path / "gk.csv",
        [
            [
                "grona-kronoberg-2025",
                "Insatsområde",
                "tillganglighet",
                "prioritering-1",
                "Förbättra tillgängligheten",
                "",
                SOURCE,
                "",
            ],
        ],
    )
    code, _, err = run(capsys, "import", "strategy", str(path), "--data-dir", str(data_copy))
    assert code == 0, err
    g = Graph().parse(data_copy / "catalogue" / "grona-kronoberg-2025-tillagg.ttl")
    assert g.value(URIRef(GK + "prioritering-1/tillganglighet"), SKOS.broader) == URIRef(GK + "prioritering-1")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["grona-kronoberg-2025", "Insatsområde", "x", "finns-inte", "X", "", SOURCE, ""]],
            "parent 'finns-inte' is neither in the file",
        ),
        (
            [
                ["grona-kronoberg-2025", "Insatsområde", "x", "", "X", "", SOURCE, ""],
                ["grona-kronoberg-2025", "Insatsområde", "x", "", "Y", "", SOURCE, ""],
            ],
            "duplicate identifier 'x'",
        ),
        (
            [
                ["grona-kronoberg-2025", "Insatsområde", "a", "b", "A", "", SOURCE, ""],
                ["grona-kronoberg-2025", "Insatsområde", "b", "a", "B", "", SOURCE, ""],
            ],
            "form a cycle",
        ),
        ([["grona-kronoberg-2025", "Kapitel", "x", "", "X", "", SOURCE, ""]], "unknown level 'Kapitel'"),
        ([["grona-kronoberg-2025", "Insatsområde", "x", "", "X", "", "en bok", ""]], "source must be a web address"),
        (
            [["grona-kronoberg-2025", "Insatsområde", "prioritering-1", "", "X", "", SOURCE, ""]],
            "already a goal of this strategy",
        ),
        ([["Ny strategi", "Prioritering", "x", "", "X", "", SOURCE, ""]], "no row with level"),
        ([["grona-kronoberg-2025", "Insatsområde", "x", "", "X", "", SOURCE, "kanske"]], "complete must be yes or no"),
    ],
)
def test_errors(
    rows: list[list[str]], message: str, tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sheet(tmp_path / "bad.csv", rows)
    before = sorted(p.name for p in (data_copy / "catalogue").iterdir())
    code, _, err = run(capsys, "import", "strategy", str(path), "--data-dir", str(data_copy))
    assert code == 2, err
    assert message in err and "bad.csv" in err and "Traceback" not in err
    assert sorted(p.name for p in (data_copy / "catalogue").iterdir()) == before


def test_missing_column(tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("strategy,label sv\nx,y\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "strategy", str(path), "--data-dir", str(data_copy))
    assert code == 2 and "missing column 'level'" in err


def test_two_batches_of_additions(tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = sheet(tmp_path / "a.csv", [["eusbsr", "Delmål", "ny-a", "pa-hazards", "Nytt delmål A", "", SOURCE, ""]])
    second = sheet(tmp_path / "b.csv", [["eusbsr", "Delmål", "ny-b", "ny-a", "Nytt delmål B", "", SOURCE, ""]])
    assert run(capsys, "import", "strategy", str(first), "--data-dir", str(data_copy))[0] == 0
    code, _, err = run(capsys, "import", "strategy", str(second), "--data-dir", str(data_copy))
    assert code == 0, err
    assert (data_copy / "catalogue" / "eusbsr-tillagg.ttl").is_file()
    assert (data_copy / "catalogue" / "eusbsr-tillagg-2.ttl").is_file()
    assert run(capsys, "validate", "--data-dir", str(data_copy))[0] == 0
