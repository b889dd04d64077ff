"""What the probe of the CLI and importers found (issue 10, findings 9-12): damaged and hostile files
are a clear error (exit 2) naming the file, never a traceback, and nothing is written."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from strategylinks.cli import main

from .conftest import ID, SEED
from .servers import context_server


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err


def docx_with_damaged_body(path: Path) -> Path:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Insats", "Effekt", "Tematisk koppling"), strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as original, zipfile.ZipFile(path, "w") as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut in the middle of an element
            out.writestr(item, data)
    return path


def xlsx_without_sheets(path: Path) -> Path:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with zipfile.ZipFile(buffer) as original, zipfile.ZipFile(path, "w") as out:
        for item in original.infolist():
            if "worksheets/" not in item.filename:
                out.writestr(item, original.read(item.filename))
    return path


def xlsx_with_a_crc_error(path: Path) -> Path:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["prioritering", "insats", "effekt", "tematisk koppling"])
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    at = data.find(b"worksheets/sheet1.xml") + 60
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


HEADER = "prioritering,insats,effekt,tematisk koppling\n"
#: A thematic link the shipped catalogue resolves, so an imported row conforms to the shapes.
LINK = "i linje med: - Gröna Kronoberg 2025. Prioritering 3. Utveckla en innovativ region och ett brett näringsliv."


def csv_with_a_huge_cell(path: Path) -> Path:
    path.write_text(HEADER + "1," + "x" * 200_000 + ",e,t\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("damaged.docx", docx_with_damaged_body, "not a readable .docx file"),
        ("no-sheets.xlsx", xlsx_without_sheets, "the workbook has no worksheet"),
        ("crc.xlsx", xlsx_with_a_crc_error, "not a readable .xlsx file"),
        ("huge-cell.csv", csv_with_a_huge_cell, "line 2: not readable as CSV"),
    ],
)
def test_damaged_files_are_clear_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, make: object, words: str
) -> None:
    source = make(tmp_path / name)  # type: ignore[operator]
    output = tmp_path / "out.ttl"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output))
    assert code == 2, err
    assert words in err and name in err and "Traceback" not in err
    assert not output.exists()


@pytest.mark.parametrize("slug", ["a b<x>", "../../x", "x/y", "Stora", "-x", ""])
def test_a_slug_must_be_a_plain_slug(capsys: pytest.CaptureFixture[str], tmp_path: Path, slug: str) -> None:
    """Finding 12: --slug ../../x wrote outside the data folder."""
    data = tmp_path / "data"
    data.mkdir()
    code, err = run(capsys, "import", "plan", str(SEED), "--year", "2030", f"--slug={slug}", "--data-dir", str(data))
    assert code == 2 and "not a plain slug" in err, err
    assert list(tmp_path.rglob("*.ttl")) == []


def test_the_review_is_not_written_when_the_import_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 12: --report was written even when the import failed."""
    data = tmp_path / "data"
    data.mkdir()  # no catalogue: every link is unknown, so --strict refuses the plan
    report = tmp_path / "review.md"
    code, _ = run(
        capsys,
        "import",
        "plan",
        str(SEED),
        "--year",
        "2030",
        "--strict",
        "--data-dir",
        str(data),
        "--report",
        str(report),
    )
    assert code == 1
    assert not report.exists() and list(data.rglob("*.ttl")) == []


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/x"><ex:p>&e;&e;&e;&e;&e;&e;&e;&e;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_xml_entities_are_not_expanded(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 10: a 655-byte billion-laughs RDF/XML file kept validate busy for over 300 s."""
    source = tmp_path / "laughs.rdf"
    source.write_text(BILLION_LAUGHS, encoding="utf-8")
    code, err = run(capsys, "validate", str(source), "--alone")
    assert code == 2 and "declares entities" in err and "laughs.rdf" in err, err


def test_json_ld_contexts_are_never_fetched_or_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 11: a JSON-LD @context over http:// was fetched, and a file: context read, while
    validating; the project works with the network unplugged."""
    secret = tmp_path / "context.jsonld"
    secret.write_text('{"@context": {"ex": "https://example.org/"}}', encoding="utf-8")
    with context_server() as (url, asked):
        for context in (url, secret.as_uri(), ["https://example.org/c.jsonld", {"ex": "https://example.org/"}]):
            source = tmp_path / "data.jsonld"
            document = {"@context": context, "@id": "https://example.org/x", "ex:p": "v"}
            source.write_text(json.dumps(document), encoding="utf-8")
            code, err = run(capsys, "validate", str(source), "--alone")
            assert code == 2 and "is not fetched or read" in err and "data.jsonld" in err, err
        assert asked == []


def test_a_sheet_with_too_many_rows_stops_early(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 10: a 3.7 MB .xlsx with 200,000 rows ran for over 600 s (12 ms per row). A plan has at
    most MAX_PLAN_ROWS rows, and the streaming reader stops as soon as the sheet passes the bound."""
    from strategylinks.importer.table import MAX_PLAN_ROWS

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["prioritering", "insats", "effekt", "tematisk koppling"])
    for i in range(3 * MAX_PLAN_ROWS):
        sheet.append(
            [
                "Prioritering 1: test",
                f"insats {i}",
                f"effekt {i}",
                LINK,
            ]
        )
    source = tmp_path / "rows.xlsx"
    workbook.save(source)
    output = tmp_path / "out.ttl"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output))
    assert code == 2 and "rows" in err and "rows.xlsx" in err, err
    assert not output.exists()


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld"])
def test_a_list_bomb_is_refused_before_it_is_loaded(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    """Finding 10: a 1M-member RDF list (8.9 MB of Turtle) took 299 s and 6.5 GB to validate (48 s and
    3.3 GB after issue 7's engine). Lists past MAX_LIST_MEMBERS are refused in a first streaming pass."""
    from strategylinks.graph import MAX_LIST_MEMBERS

    members = 2 * MAX_LIST_MEMBERS
    source = tmp_path / f"list{suffix}"
    if suffix == ".ttl":
        source.write_text(
            "<https://example.org/a> <https://example.org/p> (" + " ".join(map(str, range(members))) + ") .\n"
        )
    else:
        document = {"@id": "https://example.org/a", "https://example.org/p": {"@list": list(range(members))}}
        source.write_text(json.dumps(document))
    for engine in ("turbo", "pyshacl"):
        code, err = run(capsys, "validate", str(source), "--alone", "--engine", engine)
        assert code == 2 and f"more than {MAX_LIST_MEMBERS:,} members" in err and source.name in err, err
    store = tmp_path / "store"
    code, err = run(capsys, "load", "--store", str(store), str(source))
    assert code == 2 and "members" in err, err


def test_a_short_list_is_data_like_any_other(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "list.ttl"
    source.write_text("<https://example.org/a> <https://example.org/p> (1 2 3) .\n")
    code, err = run(capsys, "validate", str(source), "--alone")
    assert code == 0, err


def test_many_prefixes_parse_in_linear_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 10: 200,000 @prefix lines kept validate busy for over 600 s; now about a second (the
    test is bounded by its own pytest run, not timed)."""
    source = tmp_path / "prefixes.ttl"
    lines = [f"@prefix p{i}: <https://example.org/{i}#> ." for i in range(200_000)]
    source.write_text("\n".join(lines) + "\np1:a p2:b p3:c .\n")
    code, err = run(capsys, "validate", str(source), "--alone")
    assert code == 0, err


def interleaved_sheet(path: Path, second_title: str = "Attraktiv region") -> Path:
    path.write_text(
        HEADER
        + f'"Prioritering 1: Attraktiv region",insats A,effekt A,{LINK}\n'
        + f'"Prioritering 2: Kunskap",insats B,effekt B,{LINK}\n'
        + f'"Prioritering 1: {second_title}",insats C,effekt C,{LINK}\n',
        encoding="utf-8",
    )
    return path


def test_a_priority_that_comes_back_gathers_its_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 12: a sheet sorted by something else than the priority named "Prioritering 1" twice, and
    both runs of rows got the IRIs …/prioritering-1/rad-1 …, so two insatser became one resource."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    source = interleaved_sheet(tmp_path / "interleaved.csv")
    output, report = tmp_path / "out.ttl", tmp_path / "review.json"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output), "--report", str(report))
    assert code == 0, err
    graph = Graph().parse(output)
    plan = ID + "plan/interleaved/prioritering-1/"
    labels = {str(graph.value(URIRef(plan + f"rad-{n}/insats-1"), SKOS.prefLabel)) for n in (1, 2)}
    assert labels == {"insats A", "insats C"}
    again = [r for r in json.loads(report.read_text(encoding="utf-8"))["references"] if r["status"] == "priority again"]
    assert [(r["where"], "first at row 2" in r["text"]) for r in again] == [("row 4", True)]


def test_one_priority_number_with_two_titles_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = interleaved_sheet(tmp_path / "two-titles.csv", second_title="Något annat")
    output = tmp_path / "out.ttl"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output))
    assert code == 2, err
    assert "Prioritering 1 has two titles" in err and "(row 2)" in err and "(row 4)" in err, err
    assert not output.exists()


def test_merged_cells_read_as_their_value_and_are_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 12: merged cells read as empty. A priority merged down over its insatser, and one effect
    and link merged over two insatser (one row of the document), read as in the document."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Prioritering", "Insats", "Effekter", "Tematisk koppling"])
    sheet.append(["Prioritering 1: Attraktiv region", "insats A", "effekt A", LINK])
    sheet.append([None, "insats B", None, None])
    sheet.append([None, "insats C", "effekt C", LINK])
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:D3")
    source = tmp_path / "merged.xlsx"
    workbook.save(source)
    output, report = tmp_path / "out.ttl", tmp_path / "review.json"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output), "--report", str(report))
    assert code == 0, err
    graph = Graph().parse(output)
    row = ID + "plan/merged/prioritering-1/rad-"
    label = {n: str(graph.value(URIRef(f"{row}{n}"), SKOS.prefLabel)) for n in (1, 2, 3)}
    assert label[3] == "None"  # two table rows: A and B share one, C has its own
    actions = {str(graph.value(URIRef(f"{row}1/insats-{i}"), SKOS.prefLabel)) for i in (1, 2)}
    assert actions == {"insats A", "insats B"}
    merged = [r for r in json.loads(report.read_text(encoding="utf-8"))["references"] if r["status"] == "merged cells"]
    assert sorted(r["where"] for r in merged) == ["cells A2:A4", "cells C2:C3", "cells D2:D3"]


def test_a_formula_without_a_saved_value_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Finding 12: a formula cell with no value cached by Excel (a file written by a program) read as
    empty, so its insats was silently lost. A formula with a saved value is read as that value."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Prioritering", "Insats", "Effekter", "Tematisk koppling"])
    sheet.append(["Prioritering 1: Attraktiv region", "insats A", "effekt A", LINK])
    sheet.append(["Prioritering 1: Attraktiv region", '=CONCAT("insats ", "B")', "effekt B", LINK])
    source = tmp_path / "formula.xlsx"
    workbook.save(source)
    output = tmp_path / "out.ttl"
    code, err = run(capsys, "import", "plan", str(source), "--year", "2030", "-o", str(output))
    assert code == 2, err
    assert "cell B3 holds a formula with no saved value" in err and "formula.xlsx" in err, err
    assert not output.exists()

    # The same file as Excel saves it, with the formula's value beside it: read as that value.
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(saved, "w") as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B3"><f>', b'<c r="B3" t="str"><f>').replace(b"<v></v>", b"<v>insats B</v>")
            out.writestr(item, data)
    code, err = run(capsys, "import", "plan", str(saved), "--year", "2030", "-o", str(output))
    assert code == 0, err
    assert "insats B" in output.read_text(encoding="utf-8")

    # A calculated sheet's formula whose result is "" (stored without a value, as Excel does) is an
    # empty cell, not an error: here in a column of notes beside the saved insats.
    empty = tmp_path / "empty-result.xlsx"
    with zipfile.ZipFile(saved) as original, zipfile.ZipFile(empty, "w") as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                row3 = data.index(b'<row r="3"')
                end = data.index(b"</row>", row3)
                data = data[:end] + b'<c r="E3" t="str"><f>IF(1=2,"x","")</f><v></v></c>' + data[end:]
            out.writestr(item, data)
    output.unlink()
    code, err = run(capsys, "import", "plan", str(empty), "--year", "2030", "-o", str(output))
    assert code == 0, err
    assert "insats B" in output.read_text(encoding="utf-8")
