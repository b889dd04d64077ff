"""The yearly report: every section in every format, and every number in it checked against SPARQL."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import pytest
from rdflib import Dataset

from strategylinks import queries
from strategylinks.cli import main
from strategylinks.reports import gap_report

from .conftest import FIXTURES, ID, PLAN_2022

PERIOD = ID + "period/2022"
PNG = b"\x89PNG\r\n\x1a\n"
SECTIONS_SV = [
    "Sammanfattning",
    "Status per prioritering",
    "Insatser: status och kommentar",
    "Täckning per strategi: planerat och genomfört",
    "Strategimål som saknar insatser",
    "Täckning bara på papperet",
    "Förändringar sedan föregående plan",
    "Indikatorer",
    "Förbehåll",
]


def write(capsys: pytest.CaptureFixture[str], data: Path, out: Path, *extra: str) -> str:
    code = main(["report", "--data-dir", str(data), "--period", "2022", "-o", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def rows(source: Dataset, name: str, **params: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in r.items() if v is not None} for r in queries.rows(queries.run(source, name, params))]


@pytest.fixture(scope="module")
def document(followed_data: Path, tmp_path_factory: pytest.TempPathFactory) -> docx.document.Document:
    out = tmp_path_factory.mktemp("report") / "aterrapportering-2022.docx"
    assert main(["report", "--data-dir", str(followed_data), "--period", "2022", "-o", str(out)]) == 0
    return docx.Document(str(out))


def tables_after(document: docx.document.Document) -> dict[str, list[list[list[str]]]]:
    """The tables under each level-1 heading, as lists of rows of cell texts."""
    found: dict[str, list[list[list[str]]]] = {}
    heading = ""
    body = document.element.body
    paragraphs = {p._p: p for p in document.paragraphs}
    tables = {t._tbl: t for t in document.tables}
    for child in body.iterchildren():
        if child in paragraphs and paragraphs[child].style.name == "Heading 1":
            heading = paragraphs[child].text
        elif child in tables:
            found.setdefault(heading, []).append([[c.text for c in r.cells] for r in tables[child].rows])
    return found


def test_docx_has_every_section_and_the_graphs_numbers(document: docx.document.Document, followed: Dataset) -> None:
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS_SV
    text = "\n".join(p.text for p in document.paragraphs)
    tables = tables_after(document)

    # Statuses per priority, and the summary, against status-per-priority.
    status = rows(followed, "status-per-priority", plan=PLAN_2022, period=PERIOD)
    totals = Counter[str]()
    for r in status:
        totals[r.get("statusNotation", "")] += int(r["actions"])
    summary = f"{totals['genomförd']} av 17 insatser är genomförda, {totals['pågående']} pågår"
    assert summary in text and f"{totals['']} har ingen uppföljning" in text
    (per_priority,) = tables["Status per prioritering"]
    header = per_priority[0]
    for r in status:
        line = next(x for x in per_priority[1:] if x[0] == r["priorityLabel"])
        assert line[header.index(r.get("statusNotation", "ej uppföljd"))] == r["actions"]

    # Every insats once, with its status and comment.
    actions = [row for table in tables["Insatser: status och kommentar"] for row in table[1:]]
    assert len(actions) == 17
    assert Counter(row[2] for row in actions) == Counter({(k or "ej uppföljd"): v for k, v in totals.items() if v})
    assert all(row[3].startswith("EXEMPEL") for row in actions if row[2] != "ej uppföljd")

    # Coverage planned against carried out, against plan-vs-outcome.
    outcome = rows(followed, "plan-vs-outcome", plan=PLAN_2022, period=PERIOD)
    (coverage,) = tables["Täckning per strategi: planerat och genomfört"]
    assert {(r[0], r[2], r[3]) for r in coverage[1:]} == {
        (o["strategyLabel"], o["plannedGoals"], o["carriedOutGoals"]) for o in outcome
    }

    # Goals lacking actions, against the gap report.
    report = gap_report(followed, PLAN_2022)
    (gaps,) = tables["Strategimål som saknar insatser"]
    assert len(gaps) - 1 == len(report.gaps) == 106
    assert f"{len(report.gaps)} mål i planens strategier saknar insatser" in text

    # Paper coverage and indicators, against their queries.
    paper = rows(followed, "paper-coverage", plan=PLAN_2022, period=PERIOD)
    (paper_table,) = tables["Täckning bara på papperet"]
    assert len(paper_table) - 1 == len(paper) > 0
    trends = rows(followed, "indicator-trends", plan=PLAN_2022)
    (indicator_table,) = tables["Indikatorer"]
    assert len(indicator_table) - 1 == len(trends) > 0
    assert {r[7] for r in indicator_table[1:]} == {"https://api.kolada.se/v2/kpi/N00000"}

    # No earlier plan; the incomplete catalogues are named.
    assert "Datamängden har ingen tidigare plan" in text
    assert "Strategikatalogen är ofullständig för:" in text


def test_docx_charts_are_images_of_the_numbers(document: docx.document.Document, followed: Dataset) -> None:
    shapes = list(document.inline_shapes)
    assert len(shapes) == 2
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = document.part.related_parts[blip.embed]
        assert image.blob.startswith(PNG) and len(image.blob) > 5000
    descriptions = [s._inline.docPr.get("descr") for s in shapes]
    status = rows(followed, "status-per-priority", plan=PLAN_2022, period=PERIOD)
    for r in status:
        if r.get("statusNotation"):
            assert re.search(
                rf"{re.escape(r['priorityLabel'])}: [^;]*{r['statusNotation']} {r['actions']}", descriptions[0]
            )
    for o in rows(followed, "plan-vs-outcome", plan=PLAN_2022, period=PERIOD):
        assert (
            f"{o['strategyLabel']}: planerat {o['plannedGoals']}, genomfört {o['carriedOutGoals']}" in descriptions[1]
        )


def test_html_and_markdown(capsys: pytest.CaptureFixture[str], followed_data: Path, tmp_path: Path) -> None:
    write(capsys, followed_data, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in page
    assert all(f"<h2>{s}</h2>" in page for s in SECTIONS_SV)
    assert page.count('src="data:image/png;base64,') == 2
    assert not re.search(r'(src|href)="https?:', page)  # nothing to fetch
    err = write(capsys, followed_data, tmp_path / "r.md")
    assert "r-status.png" in err and "r-tackning.png" in err
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert all(f"## {s}" in text for s in SECTIONS_SV)
    assert "](r-status.png)" in text and (tmp_path / "r-status.png").read_bytes().startswith(PNG)


def test_english(capsys: pytest.CaptureFixture[str], followed_data: Path, tmp_path: Path) -> None:
    write(capsys, followed_data, tmp_path / "r.html", "--lang", "en")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h2>Coverage per strategy: planned and carried out</h2>" in page
    # English labels of the catalogue where it has them.
    assert "Skills supply strategy for Kronoberg County" in page
    assert "carried out" in page and "genomförd" not in page.split("<h2>Actions: status and comment</h2>")[0]


def test_changes_since_the_previous_plan(
    capsys: pytest.CaptureFixture[str], followed_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(followed_data, data)
    seed = (FIXTURES / "source" / "handlingsplan-internationellt-arbete-2022.txt").read_text(encoding="utf-8")
    source = tmp_path / "handlingsplan-internationellt-arbete-2023.txt"
    source.write_text(seed.replace("<p>initiera samarbete med Norra Karlen i Finland</p>", ""), encoding="utf-8")
    assert main(["import", "plan", str(source), "--year", "2023", "--data-dir", str(data)]) == 0
    out = tmp_path / "r.md"
    write(capsys, data, out)  # the latest plan: 2023, compared with 2022
    text = out.read_text(encoding="utf-8")
    previous = "Region Kronobergs handlingsplan för internationellt arbete 2022"
    assert f"Jämfört med {previous}: 0 nya insatser, 16 fortsatta, 1 borttagna" in text
    assert "| borttagen | initiera samarbete med Norra Karlen i Finland |" in text


def test_bad_input(capsys: pytest.CaptureFixture[str], followed_data: Path, tmp_path: Path) -> None:
    base = ["report", "--data-dir", str(followed_data)]
    assert main([*base, "--period", "2019", "-o", str(tmp_path / "r.md")]) == 2
    assert "no follow-up period" in capsys.readouterr().err
    assert main([*base, "--period", "20x", "-o", str(tmp_path / "r.md")]) == 2
    assert "neither a year nor a range" in capsys.readouterr().err
    assert main([*base, "--period", "2022", "--plan", "plan/finns-inte", "-o", str(tmp_path / "r.md")]) == 2
    assert main([*base, "--period", "2022", "-o", str(tmp_path / "r.pdf")]) == 2
    (tmp_path / "r.docx").write_bytes(b"old")
    assert main([*base, "--period", "2022", "-o", str(tmp_path / "r.docx")]) == 2
    assert (tmp_path / "r.docx").read_bytes() == b"old"
    assert not (tmp_path / "r.md").exists()


def test_round_trip_template_to_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """template → a coordinator fills it in → import → report, with the report's numbers from SPARQL."""
    import openpyxl

    from strategylinks.config import Settings
    from strategylinks.graph import load_dataset

    from .conftest import ROOT

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    sheet_path = tmp_path / "uppfoljning-2023.xlsx"
    base = ["--data-dir", str(data)]
    assert main(["followup", "template", "--period", "2023", "-o", str(sheet_path), *base]) == 0
    book = openpyxl.load_workbook(sheet_path)
    sheet = book["Uppföljning"]
    statuses = ["genomförd", "pågående", "inställd", "senarelagd", "genomförd", "planerad"]
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=0):
        if number < 12:  # five rows are left without a status
            row[5].value = statuses[number % len(statuses)]
            row[6].value = f"Testkommentar {number}"
    book.save(sheet_path)
    assert main(["followup", "import", str(sheet_path), "--period", "2023", *base]) == 0
    out = tmp_path / "aterrapportering-2023.docx"
    assert main(["report", "--period", "2023", "-o", str(out), *base]) == 0
    capsys.readouterr()
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    source = load_dataset(Settings(data_dir=data))
    totals = Counter[str]()
    for r in rows(source, "status-per-priority", plan=PLAN_2022, period=ID + "period/2023"):
        totals[r.get("statusNotation", "")] += int(r["actions"])
    assert totals == {"genomförd": 4, "pågående": 2, "inställd": 2, "senarelagd": 2, "planerad": 2, "": 5}
    assert "4 av 17 insatser är genomförda, 2 pågår, 2 är senarelagda och 2 inställda; 5 har ingen uppföljning" in text
    actions = [row for table in tables_after(document)["Insatser: status och kommentar"] for row in table[1:]]
    assert sum(1 for row in actions if row[3].startswith("Testkommentar")) == 12
    outcome = rows(source, "plan-vs-outcome", plan=PLAN_2022, period=ID + "period/2023")
    (coverage,) = tables_after(document)["Täckning per strategi: planerat och genomfört"]
    assert {(r[0], r[3]) for r in coverage[1:]} == {(o["strategyLabel"], o["carriedOutGoals"]) for o in outcome}
