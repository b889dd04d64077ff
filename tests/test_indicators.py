"""Indicator import: the project's layout and Kolada's read as RDF Data Cube, validated with the data;
every bad row is named, exit 2, nothing written."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from strategylinks.cli import main
from strategylinks.indicators import OBS_VALUE, REF_AREA, REF_PERIOD
from strategylinks.namespaces import QB, SL

from .conftest import ID, KOLADA_FIXTURE, MEASURED_GOAL, ROOT, ROW_1

HEADING = ["indikator-id", "indikator", "enhet", "område", "period", "värde", "källa", "mäter"]
SOURCE = "https://example.org/kalla"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def write_csv(path: Path, rows: list[list[str]], heading: list[str] = HEADING) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(heading)
        writer.writerows(rows)
    return path


def imported(capsys: pytest.CaptureFixture[str], data_dir: Path, file: Path, *extra: str) -> Graph:
    out = data_dir.parent / "out.ttl"
    code, err = run(capsys, "indicators", "import", str(file), "--data-dir", str(data_dir), "-o", str(out), *extra)
    assert code == 0, err
    return Graph().parse(out)


def test_kolada_document(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    extra = ["--label", "N00000=Fiktiv andel", "--unit", "N00000=procent"]
    graph = imported(capsys, data_dir, KOLADA_FIXTURE, *extra, "--measures", f"N00000={MEASURED_GOAL}")
    indicator = URIRef(ID + "indikator/kolada-n00000")
    assert graph.value(indicator, SKOS.notation) == Literal("N00000")  # the id Kolada gives
    assert graph.value(indicator, SL.unit) == Literal("procent")
    assert graph.value(indicator, SL.measures) == URIRef(ID + MEASURED_GOAL)
    assert graph.value(indicator, DCTERMS.source) == URIRef("https://api.kolada.se/v2/kpi/N00000")
    observations = set(graph.subjects(RDF.type, QB.Observation))
    # Totals only: the values per gender of 2021 are skipped.
    values = {
        (str(graph.value(o, REF_AREA)), str(graph.value(o, REF_PERIOD))): graph.value(o, OBS_VALUE)
        for o in observations
    }
    assert values == {
        (ID + "omrade/kolada-0780", "2021"): Literal("10.5", datatype=XSD.decimal),
        (ID + "omrade/kolada-0780", "2022"): Literal(12),
        (ID + "omrade/kolada-0007", "2022"): Literal("9.25", datatype=XSD.decimal),
        (ID + "omrade/kolada-0007", "2021"): Literal(8),
    }
    assert all(graph.value(o, REF_PERIOD).datatype == XSD.gYear for o in observations)  # type: ignore[union-attr]
    dataset = graph.value(next(iter(observations)), QB.dataSet)
    assert graph.value(dataset, QB.structure) == SL.IndicatorStructure
    assert graph.value(URIRef(ID + "omrade/kolada-0780"), SKOS.notation) == Literal("0780")
    err = capsys.readouterr().err
    assert err == "" or "skipped" in err


def test_project_layout_csv_and_xlsx(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    rows = [
        ["", "Antal deltagare", "antal", "org/region-kronoberg", "2021", "7", SOURCE, f"{ROW_1}/effekt-1"],
        ["", "Antal deltagare", "antal", "org/region-kronoberg", "2022", "9", SOURCE, ""],
        ["", "Andel företag", "procent", "Växjö", "2022", "12,5", SOURCE, MEASURED_GOAL],
    ]
    graph = imported(capsys, data_dir, write_csv(tmp_path / "varden.csv", rows))
    deltagare = URIRef(ID + "indikator/antal-deltagare")
    assert graph.value(deltagare, SKOS.notation) is None  # no identifier is invented
    assert graph.value(deltagare, SL.measures) == URIRef(ID + ROW_1 + "/effekt-1")
    andel = URIRef(ID + "indikator/andel-foretag")
    (obs,) = graph.subjects(SL.indicator, andel)
    assert graph.value(obs, OBS_VALUE) == Literal("12.5", datatype=XSD.decimal)
    assert graph.value(URIRef(ID + "omrade/vaxjo"), SKOS.prefLabel) == Literal("Växjö", lang="sv")
    # The same rows from a workbook.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADING)
    for row in rows:
        sheet.append([int(c) if c.isdigit() else c for c in row])
    book.save(tmp_path / "varden.xlsx")
    again = imported(capsys, data_dir, tmp_path / "varden.xlsx", "--force")
    assert len(set(again.subjects(RDF.type, QB.Observation))) == 3


def test_kolada_table_and_the_template(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    heading = ["kpi", "kpi_title", "municipality", "municipality_name", "period", "gender", "value"]
    rows = [
        ["N00000", "Fiktiv andel", "0780", "Växjö", "2022", "T", "12"],
        ["N00000", "Fiktiv andel", "0780", "Växjö", "2022", "K", "13"],
    ]
    graph = imported(capsys, data_dir, write_csv(tmp_path / "kolada.csv", rows, heading), "--unit", "N00000=procent")
    assert len(set(graph.subjects(RDF.type, QB.Observation))) == 1
    assert graph.value(URIRef(ID + "omrade/kolada-0780"), SKOS.prefLabel) == Literal("Växjö", lang="sv")
    template = imported(capsys, data_dir, ROOT / "docs" / "templates" / "indikatorer-mall.csv", "--force")
    assert len(set(template.subjects(RDF.type, SL.Indicator))) == 1


BAD = [
    (["", "Antal", "antal", "org/region-kronoberg", "2022", "sju", SOURCE, ""], "row 2: the value must be a number"),
    (["", "Antal", "antal", "org/region-kronoberg", "22", "7", SOURCE, ""], "row 2: the period must be a year"),
    (["", "Antal", "", "org/region-kronoberg", "2022", "7", SOURCE, ""], "row 2: the indicator 'Antal' has no unit"),
    (["", "Antal", "antal", "org/region-kronoberg", "2022", "7", "kalla.pdf", ""], "row 2: the source must be a web"),
    (
        ["", "Antal", "antal", "org/region-kronoberg", "2022", "7", SOURCE, "strategi/finns-inte"],
        "row 2: strategi/finns-inte is neither",
    ),
    (["", "Antal", "antal", "???", "2022", "7", SOURCE, ""], "row 2: the area '???' is neither"),
]


@pytest.mark.parametrize(("row", "message"), BAD, ids=[m.split(": ", 1)[1][:30] for _, m in BAD])
def test_bad_rows_are_named(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, row: list[str], message: str
) -> None:
    out = tmp_path / "out.ttl"
    file = write_csv(tmp_path / "bad.csv", [row])
    code, err = run(capsys, "indicators", "import", str(file), "--data-dir", str(data_dir), "-o", str(out))
    assert code == 2 and message in err and "Traceback" not in err
    assert not out.exists()


def test_duplicates_and_broken_files(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.ttl"
    base = ["--data-dir", str(data_dir), "-o", str(out)]
    row = ["", "Antal", "antal", "org/region-kronoberg", "2022", "7", SOURCE, ""]
    code, err = run(capsys, "indicators", "import", str(write_csv(tmp_path / "d.csv", [row, row])), *base)
    assert code == 2 and "row 3: the same indicator, area and year as row 2" in err
    other = ["", "Antal", "procent", "org/region-kronoberg", "2021", "7", SOURCE, ""]
    code, err = run(capsys, "indicators", "import", str(write_csv(tmp_path / "u.csv", [row, other])), *base)
    assert code == 2 and "row 3: the indicator 'Antal' has another name or unit" in err
    code, err = run(capsys, "indicators", "import", str(write_csv(tmp_path / "h.csv", [], ["namn", "värde"])), *base)
    assert code == 2 and "lacks the column(s) label, area, period" in err
    (tmp_path / "x.json").write_text("{not json", encoding="utf-8")
    code, err = run(capsys, "indicators", "import", str(tmp_path / "x.json"), *base)
    assert code == 2 and "not JSON" in err
    (tmp_path / "y.json").write_text(json.dumps({"values": {"kpi": 1}}), encoding="utf-8")
    code, err = run(capsys, "indicators", "import", str(tmp_path / "y.json"), *base)
    assert code == 2 and "not a Kolada data document" in err
    code, err = run(capsys, "indicators", "import", str(KOLADA_FIXTURE), *base)
    assert code == 2 and "value 1: the indicator N00000 has no name; add it with --label N00000=TEXT" in err
    code, err = run(capsys, "indicators", "import", str(KOLADA_FIXTURE), "--unit", "N00000", *base)
    assert code == 2 and "--unit 'N00000' is not KEY=TEXT" in err
    assert not out.exists()
    assert "Traceback" not in err


def test_default_output_and_overwrite(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    extra = ["--label", "N00000=Fiktiv andel", "--unit", "N00000=procent", "--data-dir", str(data_dir)]
    code, err = run(capsys, "indicators", "import", str(KOLADA_FIXTURE), *extra)
    assert code == 0, err
    written = data_dir / "indikatorer" / "kolada-fiktiva-varden.ttl"
    assert written.is_file()
    code, err = run(capsys, "indicators", "import", str(KOLADA_FIXTURE), *extra)
    assert code == 2 and "exists" in err
    # The data with the values still conforms, and a second import replaces the file, not adds to it.
    code, err = run(capsys, "indicators", "import", str(KOLADA_FIXTURE), *extra, "--force")
    assert code == 0, err
    assert main(["validate", "--data-dir", str(data_dir)]) == 0
