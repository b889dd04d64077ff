"""Follow-up: the template has every insats of the plan; a filled-in copy reads back as exactly the
follow-ups it states, validated with the data; every bad row is named and nothing is written."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, XSD

from strategylinks import queries
from strategylinks.cli import main
from strategylinks.config import Settings
from strategylinks.followup import STATUSES, parse_period, status_of
from strategylinks.namespaces import SL

from .conftest import ID, PLAN_2022

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped data, so that imports write beside it and not into the repository."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.fixture(scope="module")
def plan_actions(dataset: object) -> dict[str, str]:
    text = f"""PREFIX sl: <{SL}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?a ?l WHERE {{ ?a sl:inPlan <{PLAN_2022}> ; a sl:Action ; skos:prefLabel ?l FILTER(lang(?l) = "sv") }}"""
    return {str(a): str(label) for a, label in dataset.query(text)}  # type: ignore[attr-defined]


def template(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> openpyxl.Workbook:
    code, _, err = run(capsys, "followup", "template", "--plan", PLAN_2022, "--period", "2022", "-o", str(path), *extra)
    assert code == 0, err
    return openpyxl.load_workbook(path)


def test_the_template_has_every_insats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, plan_actions: dict[str, str]
) -> None:
    book = template(capsys, tmp_path / "uppfoljning.xlsx")
    sheet = book["Uppföljning"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Insats-id", "Prioritering", "Rad", "Insats", "Effekter", "Status", "Kommentar", "Underlag")
    assert {r[0]: r[3] for r in rows[1:]} == plan_actions
    assert len(rows) - 1 == 17
    # Document order: priorities, then rows, then position in the cell.
    first = rows[1]
    assert str(first[0]).endswith("/prioritering-1/rad-1/insats-1") and first[2] == 1
    # The row's effects, as the plan states them.
    effect = "ökad kunskap i Kronobergs län inom hållbar skogsnäring"
    assert effect in str(first[4]).split("\n")
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"' + ",".join(STATUSES) + '"'
    assert "F2:F18" in str(validation.sqref)
    assert sheet.column_dimensions["A"].hidden
    assert "Instruktioner" in book.sheetnames


def import_sheet(capsys: pytest.CaptureFixture[str], sheet: Path, data_dir: Path, *extra: str) -> tuple[int, str]:
    code, _, err = run(
        capsys, "followup", "import", str(sheet), "--plan", PLAN_2022, "--data-dir", str(data_dir), *extra
    )
    return code, err


def fill(path: Path, statuses: dict[int, tuple[str, str, str]]) -> None:
    """Write status, comment and evidence into the given sheet rows (2 = the first insats)."""
    book = openpyxl.load_workbook(path)
    sheet = book["Uppföljning"]
    for row, (status, comment, evidence) in statuses.items():
        sheet.cell(row=row, column=6, value=status)
        sheet.cell(row=row, column=7, value=comment)
        sheet.cell(row=row, column=8, value=evidence)
    book.save(path)


def test_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path) -> None:
    sheet = tmp_path / "uppfoljning.xlsx"
    template(capsys, sheet, "--data-dir", str(data_dir))
    fill(
        sheet,
        {
            2: ("genomförd", "Deltog i tre möten.", "https://example.org/rapport.pdf https://example.org/möte"),
            3: ("Pågående", "", ""),
            4: ("inställd", "Nätverket lades ned.", ""),
            5: ("postponed", "", ""),
        },
    )
    code, err = import_sheet(capsys, sheet, data_dir, "--period", "2022", "--reported-at", "2023-03-01T09:00:00")
    assert code == 0, err
    assert "4 uppföljningar för perioden 2022, 13 insatser utan status" in err
    written = data_dir / "followup" / "handlingsplan-internationellt-arbete-2022-2022.ttl"
    graph = Graph().parse(written)
    followups = set(graph.subjects(RDF.type, SL.FollowUp))
    assert len(followups) == 4
    by_action = {graph.value(f, SL.followUpOf): f for f in followups}
    first = by_action[URIRef(PLAN_2022 + "/prioritering-1/rad-1/insats-1")]
    assert graph.value(first, SL.status) == SL.Completed
    assert graph.value(first, RDFS.comment) == Literal("Deltog i tre möten.", lang="sv")
    assert set(graph.objects(first, SL.evidence)) == {
        URIRef("https://example.org/rapport.pdf"),
        URIRef("https://example.org/möte"),
    }
    assert graph.value(first, PROV.generatedAtTime) == Literal("2023-03-01T09:00:00", datatype=XSD.dateTime)
    assert graph.value(first, PROV.wasAttributedTo) == URIRef(ID + "org/region-kronoberg")
    assert {graph.value(f, SL.status) for f in followups} == {SL.Completed, SL.Ongoing, SL.Cancelled, SL.Postponed}
    period = graph.value(first, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2022-01-01", datatype=XSD.date)
    # The follow-up is part of the data now, and the data still conforms.
    code, _, err = run(capsys, "validate", "--data-dir", str(data_dir))
    assert code == 0, err
    # The same period again needs --force; with it, the file is replaced.
    code, err = import_sheet(capsys, sheet, data_dir, "--period", "2022")
    assert code == 2 and "exists" in err
    code, err = import_sheet(capsys, sheet, data_dir, "--period", "2022", "--force")
    assert code == 0, err
    assert len(set(Graph().parse(written).subjects(RDF.type, SL.FollowUp))) == 4


def test_bad_rows_are_named_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    sheet = tmp_path / "uppfoljning.xlsx"
    template(capsys, sheet, "--data-dir", str(data_dir))
    fill(sheet, {2: ("klar", "", ""), 4: ("genomförd", "", "se rapporten"), 6: ("", "en kommentar", "")})
    book = openpyxl.load_workbook(sheet)
    book["Uppföljning"].cell(row=3, column=1, value=ID + "plan/no-such-plan/insats-1")
    book["Uppföljning"].cell(row=3, column=6, value="pågående")
    book.save(sheet)
    code, err = import_sheet(capsys, sheet, data_dir, "--period", "2022")
    assert code == 2
    assert f"{sheet}:2: error: unknown status 'klar'" in err
    assert f"{sheet}:3: error: the insats {ID}plan/no-such-plan/insats-1 is not in the plan" in err
    assert f"{sheet}:4: error: evidence must be web links" in err
    assert f"{sheet}:6: error: a comment or evidence without a status" in err
    assert "Traceback" not in err
    assert not (data_dir / "followup").exists()


def test_a_changed_insats_text_is_a_warning_and_csv_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    sheet = tmp_path / "uppfoljning.xlsx"
    template(capsys, sheet, "--data-dir", str(data_dir))
    rows = list(openpyxl.load_workbook(sheet)["Uppföljning"].iter_rows(values_only=True))
    table = tmp_path / "uppfoljning.csv"
    with table.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(rows[0])
        changed = list(rows[1])
        changed[3] = "en omskriven insats"
        changed[5] = "genomförd"
        writer.writerow(["" if c is None else c for c in changed])
    code, _, err = run(
        capsys, "followup", "import", str(table), "--plan", PLAN_2022, "--period", "2022-01-01--2022-06-30",
        "--data-dir", str(data_dir), "-o", str(tmp_path / "out.ttl"),
    )  # fmt: skip
    assert code == 0, err
    assert f"{table}:2: warning: the insats text was changed" in err
    graph = Graph().parse(tmp_path / "out.ttl")
    (followup,) = graph.subjects(RDF.type, SL.FollowUp)
    assert "2022-01-01--2022-06-30" in str(followup)


def test_two_follow_ups_of_one_insats_in_one_sheet_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data_dir: Path
) -> None:
    sheet = tmp_path / "uppfoljning.xlsx"
    template(capsys, sheet, "--data-dir", str(data_dir))
    book = openpyxl.load_workbook(sheet)
    ws = book["Uppföljning"]
    ws.append([ws.cell(row=2, column=1).value, "", "", "", "", "inställd", "", ""])
    ws.cell(row=2, column=6, value="genomförd")
    book.save(sheet)
    code, err = import_sheet(capsys, sheet, data_dir, "--period", "2022")
    assert code == 2 and ":19: error: the insats is followed up again (first on row 2)" in err


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("2022", "2022-01-01", "2022-12-31"), ("2022-03-01--2022-08-31", "2022-03-01", "2022-08-31"),
     ("2022-03-01/2022-08-31", "2022-03-01", "2022-08-31")],
)  # fmt: skip
def test_periods(text: str, start: str, end: str) -> None:
    period = parse_period(text)
    assert (str(period.start), str(period.end)) == (start, end)


@pytest.mark.parametrize("text", ["22", "2022-13-01--2022-12-31", "2022-08-31--2022-03-01", "våren 2022"])
def test_bad_periods(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> None:
    code, _, err = run(capsys, "followup", "template", "--period", text, "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "period" in err and "Traceback" not in err


def test_status_words() -> None:
    assert status_of(" Genomförd ") == SL.Completed
    assert status_of("genomford") == SL.Completed
    assert status_of("carried out") == SL.Completed
    assert status_of("klar") is None


def test_the_view_query_has_a_header(settings: Settings) -> None:
    view = queries.views(settings)["followup-actions"]
    assert view.title and view.description and [p.name for p in view.params] == ["plan"]
