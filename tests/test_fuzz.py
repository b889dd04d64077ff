"""Fuzzing that stays (issue 10): every entry point gets generated and mutated input and must answer
with its documented exit code or HTTP status — never a traceback, never a 500 — and write nothing
when it refuses. Derandomised and bounded, so a run is repeatable and takes about a minute."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import docx
import httpx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategylinks.cli import main

from .conftest import SEED
from .servers import running_server
from .test_hardening import QUERIES, UPDATES

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written beside the tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
TOKEN = "fuzz-token"
HEADER = ["Prioritering", "Insats", "Effekter", "Tematisk koppling"]
LINK = "i linje med: - Gröna Kronoberg 2025. Prioritering 3. Utveckla en innovativ region och ett brett näringsliv."

# Text a person might type, with what breaks parsers: tabs, line breaks, markup, quotes, separators.
words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
markup = st.sampled_from(["<p>", "</p>", "<ul>", "<li>", "</li>", "<br>", "- ", "&amp;", "&#0;", "<", '"', ";", ","])
cell = st.lists(st.one_of(words, markup, st.just(LINK)), max_size=6).map("".join)
priority = st.builds(lambda n, title: f"Prioritering {n}: {title}", st.integers(-1, 12), words)
printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)  # what a sheet cell can hold
sheet_value = st.one_of(
    st.none(),
    printable,
    st.just(LINK),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.sampled_from(["=1+1", '=CONCAT("a","b")', "=A1", "=#REF!"]),
)


def mutations(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with a few bytes replaced, inserted or deleted."""
    edit = st.tuples(st.integers(0, max(len(data) - 1, 0)), st.sampled_from("rid"), st.binary(min_size=1, max_size=8))

    def apply(edits: list[tuple[int, str, bytes]]) -> bytes:
        out = bytearray(data)
        for at, kind, chunk in edits:
            at = min(at, len(out))
            if kind == "r":
                out[at : at + len(chunk)] = chunk
            elif kind == "i":
                out[at:at] = chunk
            else:
                del out[at : at + len(chunk)]
        return bytes(out)

    return st.lists(edit, min_size=1, max_size=6).map(apply)


def zip_member_mutations(data: bytes, member: str) -> st.SearchStrategy[bytes]:
    """A zip package (docx, xlsx) with one of its XML parts mutated and the package still a valid zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = archive.read(member)

    def repack(mutated: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(buffer, "w") as out:
            for item in original.infolist():
                out.writestr(item, mutated if item.filename == member else original.read(item.filename))
        return buffer.getvalue()

    return mutations(part).map(repack)


def refuses_cleanly(capsys: pytest.CaptureFixture[str], output: Path, *args: str) -> int:
    """Run the CLI in this process (an escaping exception fails the test) and check its contract."""
    code = main([*args, "-o", str(output), "--force"])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code:
        assert not output.exists(), "a refused import wrote its output"
        assert err.strip(), "a refusal says why"
    else:
        output.unlink()
    return code


def import_plan(capsys: pytest.CaptureFixture[str], source: Path) -> int:
    return refuses_cleanly(capsys, source.with_suffix(".ttl"), "import", "plan", str(source), "--year", "2030")


@pytest.fixture
def place(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def _xlsx(rows: list[list[object]], merges: list[tuple[int, int, int, int]] = ()) -> bytes:  # type: ignore[assignment]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for top, left, down, right in merges:
        sheet.merge_cells(start_row=top, start_column=left, end_row=top + down, end_column=left + right)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _docx(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    for target, text in zip(table.rows[0].cells, ("Insats", "Effekt", "Tematisk koppling"), strict=True):
        target.text = text
    for row in rows:
        cells = table.add_row().cells
        for target, text in zip(cells, [*row, "", "", ""][:3], strict=True):
            target.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _strip_controls(text: str) -> str:
    # python-docx refuses XML-illegal characters when writing, as Word does
    return "".join(c for c in text if c in "\t\n" or ord(c) >= 32)


# -- plan import, per format ------------------------------------------------------------------------

plan_lines = st.lists(st.one_of(priority, st.lists(cell, min_size=1, max_size=4).map("\t".join)), max_size=10)


@FUZZ
@given(lines=plan_lines)
def test_plan_text_export(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], lines: list[str]
) -> None:
    source = place("plan.txt", ("Insats\tEffekt\tTematisk koppling\n" + "\n".join(lines)).encode())
    import_plan(capsys, source)


csv_cells = st.lists(st.one_of(priority, cell), min_size=1, max_size=5)


@FUZZ
@given(rows=st.lists(csv_cells, max_size=8), separator=st.sampled_from([",", ";", "\t"]))
def test_plan_csv(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], rows: list[list[str]], separator: str
) -> None:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerows([HEADER, *rows])
    source = place("plan.csv", buffer.getvalue().encode())
    import_plan(capsys, source)


@FUZZ
@given(
    rows=st.lists(st.lists(st.one_of(priority, sheet_value), min_size=1, max_size=5), max_size=8),
    merges=st.lists(st.tuples(st.integers(1, 9), st.integers(1, 4), st.integers(0, 3), st.integers(0, 2)), max_size=2),
)
def test_plan_xlsx(
    capsys: pytest.CaptureFixture[str],
    place: Callable[[str, bytes], Path],
    rows: list[list[object]],
    merges: list[tuple[int, int, int, int]],
) -> None:
    rows = [[_strip_controls(v) if isinstance(v, str) else v for v in row] for row in rows]
    try:
        data = _xlsx([HEADER, *rows], merges)
    except ValueError:  # openpyxl refuses overlapping merges when writing, as Excel does
        return
    source = place("plan.xlsx", data)
    import_plan(capsys, source)


VALID_XLSX = _xlsx([HEADER, ["Prioritering 1: Attraktiv region", "insats A", "effekt A", LINK]])


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(priority, cell), min_size=1, max_size=3), max_size=6))
def test_plan_docx(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], rows: list[list[str]]
) -> None:
    source = place("plan.docx", _docx([[_strip_controls(c) for c in row] for row in rows]))
    import_plan(capsys, source)


VALID_DOCX = _docx([["Prioritering 1: Attraktiv region"], ["insats A", "effekt A", LINK]])


#: Each format's valid file with a few bytes changed, and for the zip packages also with their main
#: part changed inside a package that still unzips.
MUTATED = {
    "plan.txt": mutations(SEED.read_bytes()),
    "plan.xlsx": st.one_of(zip_member_mutations(VALID_XLSX, "xl/worksheets/sheet1.xml"), mutations(VALID_XLSX)),
    "plan.docx": st.one_of(zip_member_mutations(VALID_DOCX, "word/document.xml"), mutations(VALID_DOCX)),
}


@pytest.mark.parametrize("name", sorted(MUTATED))
@FUZZ
@given(data=st.data())
def test_plan_mutated(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], name: str, data: st.DataObject
) -> None:
    import_plan(capsys, place(name, data.draw(MUTATED[name])))


# -- the other spreadsheets: strategies, follow-up, indicators ----------------------------------------

STRATEGY_HEADER = ["strategy", "level", "identifier", "parent", "label sv", "label en", "source URL", "complete"]
strategy_row = st.lists(
    st.one_of(
        printable,
        st.sampled_from(["strategi", "mål", "delmål", "ja", "nej", "yes", "https://example.org/s", "x-1", ""]),
    ),
    min_size=1,
    max_size=8,
)
FOLLOWUP_HEADER = ["Insats-id", "Insats", "Status", "Kommentar", "Underlag"]
followup_row = st.lists(
    st.one_of(printable, st.sampled_from(["planerad", "pågående", "genomförd", "https://example.org/r", "1", ""])),
    min_size=1,
    max_size=5,
)
INDICATOR_HEADER = ["indikator-id", "indikator", "enhet", "område", "period", "värde", "källa", "mäter"]
indicator_row = st.lists(
    st.one_of(printable, st.sampled_from(["0780", "2022", "2021--2023", "12,5", "-1e9", "NaN", "procent", ""])),
    min_size=1,
    max_size=8,
)


@FUZZ
@given(
    kind=st.sampled_from(["strategy", "followup", "indicators"]),
    data=st.data(),
    suffix=st.sampled_from([".csv", ".xlsx"]),
)
def test_other_sheets(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], kind: str, data: st.DataObject, suffix: str
) -> None:
    header, row, command = {
        "strategy": (STRATEGY_HEADER, strategy_row, ["import", "strategy"]),
        "followup": (FOLLOWUP_HEADER, followup_row, ["followup", "import"]),
        "indicators": (INDICATOR_HEADER, indicator_row, ["indicators", "import"]),
    }[kind]
    rows = [header, *data.draw(st.lists(row, max_size=6))]
    if suffix == ".csv":
        import csv

        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        content = buffer.getvalue().encode()
    else:
        content = _xlsx([[_strip_controls(c) for c in r] for r in rows])
    source = place(f"sheet{suffix}", content)
    extra = ["--period", "2022"] if kind == "followup" else []
    refuses_cleanly(capsys, source.with_suffix(".ttl"), *command, str(source), *extra)


# -- RDF loading --------------------------------------------------------------------------------------

RDF = {
    ".ttl": b'@prefix ex: <https://example.org/> .\nex:a ex:p "x"@sv , ( 1 2 ) ; ex:q [ ex:r 3.5e0 ] .\n',
    ".nt": b'<https://example.org/a> <https://example.org/p> "x"@sv .\n',
    ".jsonld": b'{"@context": {"ex": "https://example.org/"}, "@id": "ex:a", '
    b'"ex:p": [{"@value": "x", "@language": "sv"}]}',
    ".rdf": b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:ex="https://example.org/"><rdf:Description rdf:about="https://example.org/a">'
    b'<ex:p xml:lang="sv">x</ex:p></rdf:Description></rdf:RDF>\n',
    ".trig": b'@prefix ex: <https://example.org/> .\nex:g { ex:a ex:p "x" . }\n',
}


@FUZZ
@given(suffix_and_data=st.sampled_from(sorted(RDF)).flatmap(lambda s: mutations(RDF[s]).map(lambda d: (s, d))))
def test_rdf_loading(
    capsys: pytest.CaptureFixture[str], place: Callable[[str, bytes], Path], suffix_and_data: tuple[str, bytes]
) -> None:
    suffix, data = suffix_and_data
    source = place(f"data{suffix}", data)
    code = main(["validate", "--alone", str(source)])
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert source.name in err, err  # a syntax error names the file


# -- the server: /sparql and every route --------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server("--update-token", TOKEN) as base:
        yield base


def triples(client: httpx.Client) -> int:
    response = client.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


sparql_text = st.one_of(
    st.sampled_from(QUERIES).flatmap(lambda q: mutations(q.encode()).map(lambda b: b.decode("utf-8", "replace"))),
    st.lists(
        st.sampled_from(
            [
                "SELECT",
                "*",
                "WHERE",
                "{",
                "}",
                "?s",
                "?p",
                "?o",
                "FILTER",
                "(",
                ")",
                "REGEX",
                "'a'",
                '"x"@sv',
                "1e9",
                "LIMIT",
                "99999999999999999999",
                "GROUP BY",
                "SUM",
                "STRLANG",
                ",",
                ".",
                ";",
                "OPTIONAL",
                "UNION",
                "<x>",
                "VALUES",
                "BIND",
                "AS",
                "ASK",
                "CONSTRUCT",
                "DESCRIBE",
                "SERVICE",
                "<http://127.0.0.1:1/>",
                "\\u0000",
            ]
        ),
        max_size=25,
    ).map(" ".join),
)


@FUZZ
@given(text=sparql_text, method=st.sampled_from(["get", "form", "direct"]))
def test_sparql_queries(server: str, text: str, method: str) -> None:
    with httpx.Client(base_url=server, timeout=60) as client:
        if method == "get":
            response = client.get("/sparql", params={"query": text})
        elif method == "form":
            response = client.post("/sparql", data={"query": text})
        else:
            response = client.post(
                "/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}
            )
    assert response.status_code in (200, 400, 413, 503), (response.status_code, response.text[:500])
    assert "Traceback" not in response.text


update_text = st.sampled_from(UPDATES).flatmap(
    lambda u: mutations(u.encode()).map(lambda b: b.decode("utf-8", "replace"))
)


@FUZZ
@given(text=update_text)
def test_sparql_updates(server: str, text: str) -> None:
    """A refused update changes nothing: the store holds the same number of triples afterwards."""
    with httpx.Client(base_url=server, timeout=60) as client:
        before = triples(client)
        response = client.post("/sparql", data={"update": text}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code in (204, 400, 413, 422, 503), (response.status_code, response.text[:500])
        assert "Traceback" not in response.text
        if response.status_code != 204:
            assert triples(client) == before, "a refused update changed the data"
        assert client.get("/").status_code == 200


ROUTES = [
    "/",
    "/graph",
    "/graph/",
    "/query",
    "/coverage",
    "/network",
    "/followup",
    "/id/",
    "/data/",
    "/data/dataset.",
    "/api/gaps",
    "/api/gaps/",
    "/api/graph",
    "/api/network",
    "/api/stats",
    "/api/queries/",
    "/ontology",
    "/sparql",
    "/.well-known/void",
]


@FUZZ
@given(route=st.sampled_from(ROUTES), tail=st.text(max_size=40), query=st.text(max_size=20))
def test_routes(server: str, route: str, tail: str, query: str) -> None:
    path = route + quote(tail, safe="/")
    with httpx.Client(base_url=server, timeout=60) as client:
        response = client.get(path, params={"plan": query, "lang": query} if query else None)
    assert response.status_code < 500, (path, response.status_code, response.text[:500])
    assert "Traceback" not in response.text
