"""Importing plans: the 2022 document reproduces the curated data, from text, Word and spreadsheets;
broken input gets a clear error and nothing is written."""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from strategylinks.cli import main
from strategylinks.config import Settings
from strategylinks.errors import InputError
from strategylinks.graph import data_files, load_dataset, parse_file
from strategylinks.importer.build import import_plan
from strategylinks.importer.compare import compare
from strategylinks.importer.table import read_table

from .conftest import ID, PLAN_2022, SEED, need

ROOT = Path(__file__).resolve().parent.parent
PLAN_FILE = "handlingsplan-internationellt-arbete-2022.ttl"
SLUG = "handlingsplan-internationellt-arbete-2022"


@pytest.fixture(scope="module")
def catalogue(settings: Settings) -> Dataset:
    return load_dataset(settings, [p for p in data_files(settings) if p.name != PLAN_FILE])


@pytest.fixture(scope="module")
def curated(settings: Settings) -> Graph:
    return parse_file(settings.data_path / "plans" / PLAN_FILE)


def assert_reproduces(imported: Graph, curated: Graph) -> None:
    scores = compare(imported, curated, URIRef(PLAN_2022))
    for name, score in scores.items():
        assert (score.precision, score.recall) == (1.0, 1.0), (name, score)
    assert {k: s.expected for k, s in scores.items()} == {
        "actions": 17,
        "effects": 25,
        "contributesTo": 32,
        "hasTheme": 78,
        "involves": 31,
        "hasEffect": 38,
    }


def test_text_export_round_trip(catalogue: Dataset, curated: Graph) -> None:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    result = import_plan(SEED, 2022, catalogue)
    assert_reproduces(result.graph, curated)
    assert result.needs_review == []
    assert len(result.unlinked_actions) == 9
    # The repeated phrase in three rows is noticed, not turned into themes.
    assert sum(1 for r in result.references if r.status == "repeated") == 3
    # Prioritering 3 is named, but only as the context of its insatsområden.
    p3 = [r for r in result.references if r.target == ID + "strategi/grona-kronoberg-2025/prioritering-3"]
    assert p3 and all(r.status == "context" for r in p3)


def test_csv_example_round_trip(catalogue: Dataset, curated: Graph) -> None:
    result = import_plan(ROOT / "docs/templates/handlingsplan-exempel-2022.csv", 2022, catalogue, slug=SLUG)
    assert_reproduces(result.graph, curated)


def test_xlsx_round_trip(tmp_path: Path, catalogue: Dataset, curated: Graph) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with (ROOT / "docs/templates/handlingsplan-exempel-2022.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
    path = tmp_path / "plan.xlsx"
    workbook.save(path)
    assert_reproduces(import_plan(path, 2022, catalogue, slug=SLUG).graph, curated)


def build_docx(path: Path) -> Path:
    """The 2022 table as a Word document: merged priority rows, paragraphs and bullet lists in cells."""
    import docx

    table = read_table(SEED)
    document = docx.Document()
    document.add_heading("REGION KRONOBERGS HANDLINGSPLAN FÖR INTERNATIONELLT ARBETE 2022", 1)
    grid = document.add_table(rows=1, cols=3)
    for cell, text in zip(grid.rows[0].cells, ("Insats", "Effekt", "Tematisk koppling"), strict=True):
        cell.text = text

    def fill(cell: object, items: list[str]) -> None:
        first = True
        for item in items:
            head, *bullets = item.split(" - ")
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()  # type: ignore[attr-defined]
            paragraph.text = head
            first = False
            for bullet in bullets:
                cell.add_paragraph(bullet, style="List Bullet")  # type: ignore[attr-defined]

    for priority in table.priorities:
        header = grid.add_row().cells
        merged = header[0].merge(header[2])
        merged.text = f"Prioritering {priority.number}: {priority.title}"
        for row in priority.rows:
            cells = grid.add_row().cells
            fill(cells[0], row.actions)
            fill(cells[1], row.effects)
            fill(cells[2], [row.link_text])
    document.save(path)
    return path


def test_docx_round_trip(tmp_path: Path, catalogue: Dataset, curated: Graph) -> None:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    path = build_docx(tmp_path / f"{SLUG}.docx")
    assert_reproduces(import_plan(path, 2022, catalogue).graph, curated)


# ------------------------------------------------------------------ the command and bad input


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def data_copy(tmp_path: Path, settings: Settings) -> Path:
    target = tmp_path / "data"
    shutil.copytree(settings.data_path, target)
    return target


def test_import_next_years_plan(data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    text = (
        SEED.read_text(encoding="utf-8")
        .replace("<p>initiera samarbete med Norra Karlen i Finland</p>", "")
        .replace(
            "hållbara energilösningar - Energy Cities</p>", "hållbara energilösningar - Energy Cities och ERRIN</p>"
        )
    )
    source = tmp_path / "handlingsplan-internationellt-arbete-2023.txt"
    source.write_text(text, encoding="utf-8")
    report = tmp_path / "review.json"
    code, out, err = run(
        capsys, "import", "plan", str(source), "--year", "2023", "--data-dir", str(data_copy), "--report", str(report)
    )
    assert code == 0, err
    written = data_copy / "plans" / "handlingsplan-internationellt-arbete-2023.ttl"
    assert written.is_file()
    assert '"needsReview": 0' in report.read_text(encoding="utf-8")
    # The gap report now uses the newest plan; the 2022 plan stays available.
    code, out, _ = run(capsys, "gaps", "--format", "json", "--data-dir", str(data_copy))
    assert code == 0
    code, out, _ = run(capsys, "query", "plans", "--format", "csv", "--data-dir", str(data_copy))
    assert [line.split(",")[2] for line in out.splitlines()[1:]] == ["2023", "2022"]
    # What changed since 2022: one insats reworded (new + dropped), one removed.
    code, out, _ = run(capsys, "query", "plan-changes", "--format", "json", "--data-dir", str(data_copy))
    rows = json.loads(out)["results"]["bindings"]
    status = Counter(r["status"]["value"] for r in rows)
    assert status == {"continued": 15, "new": 1, "dropped": 2}
    code, out, _ = run(capsys, "query", "coverage-changes", "--format", "json", "--data-dir", str(data_copy))
    changes = {
        r["goal"]["value"]: (r["actionsBefore"]["value"], r["actionsNow"]["value"])
        for r in json.loads(out)["results"]["bindings"]
    }
    assert changes[ID + "strategi/grona-kronoberg-2025/prioritering-3/innovationsgrad"] == ("4", "3")
    assert changes[ID + "strategi/smalands-skogsstrategi/mal-2"] == ("3", "2")
    assert len(changes) == 8
    # Importing again does not overwrite without --force.
    code, _, err = run(capsys, "import", "plan", str(source), "--year", "2023", "--data-dir", str(data_copy))
    assert code == 2 and "--force" in err


def test_strict_fails_when_something_needs_review(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "plan-2024.txt"
    source.write_text(
        "Insats\tEffekt\tTematisk koppling\n"
        "Prioritering 1: internationell benchmarking och lärande\t\t\n"
        "<p>delta i ett nytt nätverk</p>\t<p>ökad kunskap</p>\t<p>insatser stödjer grön omställning i linje "
        "med:</p> <ul> - Gröna Kronoberg 2025. Prioritering 3. Insatsområde: Öka antalet rymdföretag. "
        "- En strategi som inte finns 2030. Område: Något.</ul>\n",
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "import", "plan", str(source), "--year", "2024", "--data-dir", str(data_copy), "--strict"
    )
    assert code == 1
    assert "Öka antalet rymdföretag" in out and "En strategi som inte finns" in out
    assert not (data_copy / "plans" / "plan-2024.ttl").exists()
    # Without --strict it is written, and the unmatched names are in the review, not linked.
    code, out, err = run(capsys, "import", "plan", str(source), "--year", "2024", "--data-dir", str(data_copy))
    assert code == 0, err
    g = Graph().parse(data_copy / "plans" / "plan-2024.ttl")
    goals = set(g.objects(None, URIRef("https://w3id.org/strategylinks/ontology#contributesTo")))
    # The named priority is linked; the unknown insatsområde and strategy are not (nothing weak is).
    assert goals == {URIRef(ID + "strategi/grona-kronoberg-2025/prioritering-3")}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("binary.txt", b"\x00\x01\x02 not text", "binary file"),
        ("notes.txt", "Mötesanteckningar\nInget här.\n".encode(), "no table header"),
        (
            "no-priority.txt",
            b"Insats\tEffekt\tTematisk koppling\n<p>a</p>\t<p>b</p>\t<p>c</p>\n",
            'comes before any "Prioritering N',
        ),
        (
            "broken.txt",
            b"Insats\tEffekt\tTematisk koppling\nPrioritering 1: x\t\t\na\tb\n",
            "expected 3 tab-separated cells",
        ),
        ("wrong.csv", b"Namn,Datum\nx,2023\n", "missing columns: priority, action, effect, link"),
        ("corrupt.docx", b"PK\x03\x04 this is not a real zip", "not a readable .docx"),
        (
            "locked.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + b"EncryptedPackage",
            "not a readable .docx",
        ),
        ("corrupt.xlsx", b"PK\x03\x04 nope", "not a readable .xlsx"),
        ("plan.pdf", b"%PDF-1.4", "cannot read .pdf"),
    ],
)
def test_bad_input(
    name: str, content: bytes, message: str, tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_table(path)
    before = sorted(p.name for p in (data_copy / "plans").iterdir())
    code, _, err = run(capsys, "import", "plan", str(path), "--year", "2023", "--data-dir", str(data_copy))
    assert code == 2 and name in err and "Traceback" not in err
    assert sorted(p.name for p in (data_copy / "plans").iterdir()) == before


def test_password_protected_docx_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.hint and "password" in info.value.hint


def test_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(25 * 2**20)
    with pytest.raises(InputError, match="at most 20 MiB"):
        read_table(path)


def test_imported_plan_validates_with_the_shapes(
    tmp_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    # Re-importing the 2022 plan over its curated file (--force) gives data that still conforms.
    code, _, err = run(capsys, "import", "plan", str(SEED), "--year", "2022", "--data-dir", str(data_copy), "--force")
    assert code == 0, err
    out = data_copy / "plans" / PLAN_FILE
    code, text, _ = run(capsys, "validate", "--data-dir", str(data_copy))
    assert code == 0, text
    assert ID in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("link_text", "expected", "review"),
    [
        # A misspelt or shortened strategy name is still found (fuzzy), with the score in the review.
        (
            "insatser stödjer grön omställning i linje med: - Gröna Kroneberg 2025. Prioritering 3. "
            "Utveckla en innovativ region och ett brett näringsliv.",
            {"grona-kronoberg-2025/prioritering-3"},
            False,
        ),
        (
            "insatser stödjer grön omställning i linje med: - Gröna Kronoberg. Prioritering 3. "
            "Utveckla en innovativ region och ett brett näringsliv.",
            {"grona-kronoberg-2025/prioritering-3"},
            False,
        ),
        # A priority named by its number alone.
        (
            "insatser stödjer grön omställning i linje med: - Gröna Kronoberg 2025. Prioritering 4.",
            {"grona-kronoberg-2025/prioritering-4"},
            False,
        ),
        # Short alternative names ("växa i", "växa av") never match inside a sentence.
        (
            "insatser stödjer grön omställning i linje med: - Gröna Kronoberg 2025. Hjälpa företag att växa "
            "internationellt. Regionen kan växa av egen kraft.",
            set(),
            True,
        ),
        # A wording close to a goal but not the same: flagged, not linked.
        (
            "insatser stödjer grön omställning i linje med: - Gröna Kronoberg 2025. Insatsområde: Stärk "
            "innovationsgraden i näringslivet.",
            set(),
            True,
        ),
    ],
)
def test_linking_cases(link_text: str, expected: set[str], review: bool, catalogue: Dataset) -> None:
    from strategylinks.importer.build import load_catalogue
    from strategylinks.importer.linking import link_row

    links = link_row(link_text, "test", load_catalogue(catalogue))
    assert {g.split("/strategi/", 1)[1] for g in links.goals} == expected
    assert any(r.needs_review for r in links.references) is review


def build_docx_variant(path: Path) -> Path:
    """The same plan laid out differently: each priority a heading over its own table headed
    "Insats | Effekter | Tematisk koppling", one insats per table row with the effect and link cells
    merged down over the row's insatser, and empty rows here and there."""
    import docx

    table = read_table(SEED)
    document = docx.Document()
    for priority in table.priorities:
        document.add_heading(f"Prioritering {priority.number}: {priority.title}", 2)
        grid = document.add_table(rows=1, cols=3)
        for cell, text in zip(grid.rows[0].cells, ("Insats", "Effekter", "Tematisk koppling"), strict=True):
            cell.text = text
        grid.add_row()  # an empty row
        for row in priority.rows:
            first = len(grid.rows)
            for action in row.actions:
                cells = grid.add_row().cells
                head, *bullets = action.split(" - ")
                cells[0].text = head
                for bullet in bullets:
                    cells[0].add_paragraph(bullet, style="List Bullet")
            effect = grid.cell(first, 1).merge(grid.cell(len(grid.rows) - 1, 1))
            link = grid.cell(first, 2).merge(grid.cell(len(grid.rows) - 1, 2))
            effect.text = row.effects[0]
            for more in row.effects[1:]:
                effect.add_paragraph(more)
            link.text = row.link_text
    document.save(path)
    return path


def test_docx_with_headings_merged_cells_and_empty_rows(tmp_path: Path, catalogue: Dataset, curated: Graph) -> None:
    need(SEED.is_file(), f"the source document is not at {SEED}")
    path = build_docx_variant(tmp_path / f"{SLUG}.docx")
    assert_reproduces(import_plan(path, 2022, catalogue).graph, curated)
