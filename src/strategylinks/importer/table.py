"""Read a plan's table — Insats | Effekt | Tematisk koppling under "Prioritering N: …" rows — from a
text export, a Word document or a spreadsheet into one neutral model."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError

MAX_BYTES = 20 * 2**20
#: Most rows a plan's table may have: a regional plan has tens, and linking costs about 10 ms a row,
#: so a 200,000-row sheet under the size limit would otherwise run for over half an hour.
MAX_PLAN_ROWS = 2000
PRIORITY = re.compile(r"^\s*prioritering\s+(\d+)\s*[:.]\s*(.+?)\s*$", re.I)
HEADER = (("insats", "insatser"), ("effekt", "effekter"), ("tematisk koppling",))


@dataclass
class Row:
    number: int
    actions: list[str]
    effects: list[str]
    link_text: str
    where: str  # "line 74", "table 1, row 5", "row 7"


@dataclass
class Priority:
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)
    where: str = ""  # where its "Prioritering N: …" row is


@dataclass
class PlanTable:
    source: Path
    priorities: list[Priority]
    #: (status, where, what): what the reader did that a person should check — a priority's rows
    #: gathered from two places of the table ("priority again"), a merged range ("merged cells").
    notices: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Priority, Row]]:
        return [(p, r) for p in self.priorities for r in p.rows]


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Cell(HTMLParser):
    """Split an HTML cell into items: each <p> is an item; a list after a paragraph belongs to it.

    The export leaves lists unclosed and writes items as "- text" without <li>, so a new <p> ends any
    open list, and only a <p> inside an <li> stays part of the list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self.in_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and not self.in_item:
            self.items.append("")
        elif tag == "li":
            self.in_item = True
            self._text(" - ")
        elif tag == "br":
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("li", "ul", "ol"):
            self.in_item = False

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if not self.items:
            self.items.append("")
        self.items[-1] += data


def cell_items(cell: str) -> list[str]:
    """The items of a cell: its paragraphs (with the lists that follow them), or the whole text."""
    parser = _Cell()
    parser.feed(cell)
    parser.close()
    return [item for item in (clean(i) for i in parser.items) if item]


def cell_text(cell: str) -> str:
    return " ".join(cell_items(cell))


class _Builder:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.priorities: list[Priority] = []
        self.current: Priority | None = None
        self.notices: list[tuple[str, str, str]] = []

    def priority(self, text: str, where: str) -> bool:
        """Start (or go back to) the priority a "Prioritering N: …" row names; False if it names none.

        A priority's number makes its rows' IRIs, so one number is one priority: its rows may come in
        several places (a sheet sorted by something else) and are gathered under it, with a notice; the
        same number with another title is an error naming both places."""
        match = PRIORITY.match(clean(re.sub(r"<[^>]+>", " ", text)))
        if not match:
            return False
        number, title = int(match.group(1)), clean(match.group(2))
        same = next((p for p in self.priorities if p.number == number), None)
        if same is not None and not same.rows:
            # A heading with nothing under it yet (a heading above a table, a line of running text):
            # the row that names the number again is the priority.
            self.priorities.remove(same)
            same = None
        if same is None:
            self.current = Priority(number, title, where=where)
            self.priorities.append(self.current)
        elif same.title.casefold() != title.casefold():
            raise InputError(
                f"Prioritering {number} has two titles: {same.title!r} ({same.where}) and {title!r} ({where})",
                path=self.source,
                hint="give each priority its own number",
            )
        else:
            if same is not self.current:
                what = f"Prioritering {number} again (first at {same.where}): its rows are gathered under it"
                self.notices.append(("priority again", where, what))
            self.current = same
        return True

    def row(self, actions: list[str], effects: list[str], link: str, where: str) -> None:
        if self.current is None:
            raise InputError(
                f'a row of actions comes before any "Prioritering N: …" row ({where})',
                path=self.source,
                hint="the table groups its rows under priority header rows",
            )
        if not actions:
            raise InputError(f"a row has effects or a thematic link but no insats ({where})", path=self.source)
        current = self.current
        current.rows.append(Row(len(current.rows) + 1, actions, effects, link, where))

    def done(self) -> PlanTable:
        # A "Prioritering N: …" line with no rows after it (a heading in running text) is not a priority.
        self.priorities = [p for p in self.priorities if p.rows] or self.priorities
        if not self.priorities:
            raise InputError(
                'no "Prioritering N: …" row found: this does not look like an action plan table',
                path=self.source,
                hint="expected a table Insats | Effekt | Tematisk koppling",
            )
        empty = [p for p in self.priorities if not p.rows]
        if empty and len(empty) == len(self.priorities):
            raise InputError("the table has priority rows but no insatser under them", path=self.source)
        return PlanTable(self.source, self.priorities, self.notices)


def _is_header(cells: list[str]) -> bool:
    names = [clean(c).lower() for c in cells[:3]]
    return len(names) == 3 and all(name in allowed for name, allowed in zip(names, HEADER, strict=True))


def read_text(path: Path, data: bytes) -> PlanTable:
    """The text export: tab-separated cells holding HTML fragments, header and priority rows."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _is_header(line.split("\t"))), None)
    if start is None:
        raise InputError(
            'no table header "Insats<TAB>Effekt<TAB>Tematisk koppling" found',
            path=path,
            hint="export the plan's table with tab-separated cells",
        )
    builder = _Builder(path)
    for number, line in enumerate(lines[start:], start=start + 1):
        cells = line.split("\t")
        if not line.strip() or _is_header(cells) or set(line.replace("\t", "").strip()) <= {"-"}:
            continue
        if builder.priority(cells[0], f"line {number}") and not "".join(cells[1:]).strip():
            continue
        if len(cells) != 3:
            raise InputError(f"expected 3 tab-separated cells, found {len(cells)}", path=path, line=number)
        builder.row(cell_items(cells[0]), cell_items(cells[1]), cell_text(cells[2]), f"line {number}")
    return builder.done()


def read_docx(path: Path, data: bytes) -> PlanTable:
    """A Word document: every table whose header row is Insats | Effekt | Tematisk koppling, with the
    priorities as rows of the table or as paragraphs (headings) before it. Effect and link cells merged
    down over several insatser make one plan row, as in the document."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a broken package, a bad zip, malformed XML (lxml), …
        ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .docx files are OLE containers
        hint = "save it again from Word without a password" if ole else None
        raise InputError(f"not a readable .docx file ({type(exc).__name__})", path=path, hint=hint) from None
    builder = _Builder(path)
    found = False
    t_index = 0
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            builder.priority(block.text, f"the heading before table {t_index + 1}")  # "Prioritering N: …" above a table
            continue
        t_index += 1
        rows = block.rows
        if not rows or not _is_header([c.text for c in rows[0].cells]):
            continue
        found = True
        for r_index, row in enumerate(rows[1:], start=2):
            cells = row.cells
            texts = [clean(c.text) for c in cells]
            if not any(texts) or _is_header(texts):
                continue
            unique = list(dict.fromkeys(texts))  # a merged header row repeats its cell
            where = f"table {t_index}, row {r_index}"
            if builder.priority(unique[0], where) and (len(unique) == 1 or not "".join(unique[1:]).strip()):
                continue
            if len(cells) < 3:
                raise InputError(f"table {t_index}, row {r_index}: expected 3 cells", path=path)
            actions = _docx_items(cells[0])
            current = builder.current.rows if builder.current else []
            if current and _merged_from_above(row, 1) and _merged_from_above(row, 2):
                current[-1].actions += actions
                continue
            builder.row(actions, _docx_items(cells[1]), clean(" ".join(_docx_items(cells[2]))), where)
    if not found:
        raise InputError("no table with the header Insats | Effekt | Tematisk koppling", path=path)
    return builder.done()


def _merged_from_above(row: object, column: int) -> bool:
    """Whether the row's cell in ``column`` continues a vertical merge from the row above."""
    position = 0
    for tc in row._tr.tc_lst:  # type: ignore[attr-defined]
        span = tc.grid_span
        if position <= column < position + span:
            return bool(tc.vMerge == "continue")
        position += span
    return False


def _docx_items(cell: object) -> list[str]:
    """Paragraphs of a cell; list paragraphs (bullets) belong to the paragraph before them."""
    items: list[str] = []
    for paragraph in cell.paragraphs:  # type: ignore[attr-defined]
        text = clean(paragraph.text)
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        if items and ("list" in style or numbered or text.startswith(("- ", "– ", "• "))):
            items[-1] += " - " + re.sub(r"^[-–•]\s*", "", text)
        else:
            items.append(text)
    return items


SHEET_COLUMNS = {
    "prioritering": "priority",
    "insats": "action",
    "effekt": "effect",
    "effekter": "effect",
    "tematisk koppling": "link",
}


def read_rows(path: Path, rows: list[list[str]]) -> PlanTable:
    """A spreadsheet with one row per insats: Prioritering | Insats | Effekt(er) | Tematisk koppling.

    Consecutive rows with the same priority, effects and thematic link form one table row, as in the
    document; several effects in one cell are separated by line breaks or by " ; "."""
    if not rows:
        raise InputError("the spreadsheet is empty", path=path)
    header = [clean(str(c or "")).lower() for c in rows[0]]
    columns = {SHEET_COLUMNS[h]: i for i, h in enumerate(header) if h in SHEET_COLUMNS}
    missing = [name for name in ("priority", "action", "effect", "link") if name not in columns]
    if missing:
        raise InputError(
            f"missing columns: {', '.join(missing)} (found: {', '.join(h for h in header if h) or 'none'})",
            path=path,
            hint="columns: Prioritering, Insats, Effekter, Tematisk koppling — see data/templates/",
        )
    builder = _Builder(path)
    previous: tuple[str, str, str] | None = None
    for number, raw in enumerate(rows[1:], start=2):
        cells = [str(c) if c is not None else "" for c in raw] + [""] * len(header)
        priority, action = clean(cells[columns["priority"]]), clean(cells[columns["action"]])
        effects = [clean(e) for e in re.split(r"\n| ; ", cells[columns["effect"]]) if clean(e)]
        link = clean(cells[columns["link"]])
        if not any((priority, action, effects, link)):
            continue
        if not priority or not action:
            raise InputError("a row needs both Prioritering and Insats", path=path, line=number)
        key = (priority, "\n".join(effects), link)
        if builder.current is None or (
            clean(f"{builder.current.number}: {builder.current.title}") != _priority_key(priority)
        ):
            if not builder.priority(
                priority if priority.lower().startswith("prioritering") else f"Prioritering {priority}",
                f"row {number}",
            ):
                raise InputError(
                    f'cannot read the priority {priority!r}; write "Prioritering 1: title"', path=path, line=number
                )
            previous = None
        current = builder.current
        assert current is not None  # builder.priority() set it
        if previous == key and current.rows:
            current.rows[-1].actions.append(action)
        else:
            builder.row([action], effects, link, f"row {number}")
        previous = key
    return builder.done()


def _priority_key(text: str) -> str:
    match = PRIORITY.match(text if text.lower().startswith("prioritering") else f"Prioritering {text}")
    return clean(f"{match.group(1)}: {match.group(2)}") if match else text


def csv_dialect(text: str, path: Path) -> type[csv.Dialect] | csv.Dialect:
    """The CSV's separator (comma, semicolon or tab); a file with one column is read as comma-separated."""
    if not text.strip():
        raise InputError("the file is empty", path=path)
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _at_most(rows: Iterable[list[str]], limit: int | None, path: Path) -> list[list[str]]:
    out: list[list[str]] = []
    for row in rows:
        if limit is not None and len(out) >= limit:
            raise InputError(f"the sheet has more than {limit} rows; a plan has at most {MAX_PLAN_ROWS}", path=path)
        out.append(row)
    return out


def read_sheet(
    path: Path, data: bytes, max_rows: int | None = None, notices: list[tuple[str, str]] | None = None
) -> list[list[str]]:
    """The rows of a .csv (UTF-8, comma, semicolon or tab) or of the first sheet of a .xlsx, as text;
    with ``max_rows``, reading stops with an error past that many. A merged range of a .xlsx reads as
    its top-left value in every cell, and is added to ``notices`` by its address."""
    if path.suffix.lower() == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte {exc.start})",
                path=path,
                hint='save the sheet as "CSV UTF-8" (Excel\'s default CSV is not UTF-8)',
            ) from None
        reader = csv.reader(io.StringIO(text, newline=""), csv_dialect(text, path))
        try:
            return _at_most((list(r) for r in reader), max_rows, path)
        except csv.Error as exc:  # a cell over the csv module's 128 KiB, a stray line break, a NUL
            raise InputError(f"line {reader.line_num}: not readable as CSV ({exc})", path=path) from None
    import openpyxl

    try:
        # Read-only mode streams the sheet (a 200k-row file in constant memory); data_only reads the
        # values Excel cached for formula cells instead of the formulas.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise InputError("the workbook has no worksheet", path=path)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        values = _at_most((["" if c is None else str(c) for c in row] for row in rows), max_rows, path)
        if _formulas_or_merges(data, path):
            _check_formulas_and_fill_merges(openpyxl.load_workbook(io.BytesIO(data)), values, path, notices)
        return values
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and zipfile raise many kinds for broken files
        raise InputError(f"not a readable .xlsx file ({type(exc).__name__})", path=path) from None


#: A formula or a merged range in a sheet's XML (any namespace prefix).
_FULL_READ = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s/>]")
#: The most worksheet XML loaded whole, for formulas and merged ranges (the streaming read sees
#: neither): about half a million cells, some 300 MB in openpyxl.
MAX_FULL_READ = 64 * 2**20


def _formulas_or_merges(data: bytes, path: Path) -> bool:
    """Whether any worksheet holds a formula or a merged range; most sheets have neither and are read
    in one streaming pass."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [
            i for i in archive.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
        ]
        found = False
        for part in parts:
            with archive.open(part) as stream:
                tail = b""
                while not found and (chunk := stream.read(2**20)):
                    found = _FULL_READ.search(tail + chunk) is not None
                    tail = chunk[-32:]
            if found:
                break
    if found and sum(p.file_size for p in parts) > MAX_FULL_READ:
        raise InputError(
            "the workbook has formulas or merged cells and is too large to check them",
            path=path,
            hint="copy the sheet and paste it as values only, or save it as CSV UTF-8",
        )
    return found


def _check_formulas_and_fill_merges(
    workbook: object, values: list[list[str]], path: Path, notices: list[tuple[str, str]] | None
) -> None:
    sheet = workbook.worksheets[0]  # type: ignore[attr-defined]
    formulas = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    unsaved = [cell for cell in formulas if not _value(values, cell.row, cell.column)]
    # A formula whose result is "" looks like one never calculated (the file stores no value either
    # way), so only a sheet where no formula has a value (written by a program, never opened in a
    # spreadsheet) is refused; one that was calculated reads its empty results as empty cells.
    if unsaved and len(unsaved) == len(formulas):
        cell = unsaved[0]
        more = f" and {len(unsaved) - 1} more" if len(unsaved) > 1 else ""
        raise InputError(
            f"cell {cell.coordinate}{more} holds a formula with no saved value ({str(cell.value)[:60]})",
            path=path,
            hint="open the file in Excel or LibreOffice and save it, so that the values are stored",
        )
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        value = _value(values, merged.min_row, merged.min_col)
        for row in range(merged.min_row, min(merged.max_row, len(values)) + 1):
            cells = values[row - 1]
            cells += [""] * (merged.max_col - len(cells))
            cells[merged.min_col - 1 : merged.max_col] = [value] * (merged.max_col - merged.min_col + 1)
        if notices is not None:
            first = merged.coord.split(":")[0]
            notices.append((f"cells {merged.coord}", f"merged cells read as the value of {first}: {value[:60]!r}"))


def _value(values: list[list[str]], row: int, column: int) -> str:
    cells = values[row - 1] if row <= len(values) else []
    return cells[column - 1] if column <= len(cells) else ""


def read_table(path: Path) -> PlanTable:
    """Dispatch on the file's suffix; every problem is an InputError naming the file and place."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", path=path)
    size = path.stat().st_size
    if size == 0:
        raise InputError("the file is empty", path=path)
    if size > MAX_BYTES:
        raise InputError(f"the file is {size / 2**20:.0f} MiB; a plan is at most {MAX_BYTES // 2**20} MiB", path=path)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".tsv"):
        if b"\x00" in data[:4096]:
            raise InputError("this is a binary file, not a text export", path=path)
        table = read_text(path, data)
    elif suffix == ".docx":
        try:
            table = read_docx(path, data)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - python-docx fails in many ways on a damaged document
            what = f"{type(exc).__name__}: {exc}"
            raise InputError(f"the document's content cannot be read ({what})", path=path) from None
    elif suffix in (".csv", ".xlsx"):
        # Priority and header rows come on top of the plan's rows.
        merged: list[tuple[str, str]] = []
        table = read_rows(path, read_sheet(path, data, max_rows=2 * MAX_PLAN_ROWS, notices=merged))
        table.notices[:0] = [("merged cells", where, what) for where, what in merged]
    else:
        raise InputError(
            f"cannot read {suffix or 'files without a suffix'}",
            path=path,
            hint="give a .txt export, a .docx, a .xlsx or a .csv",
        )
    if len(table.rows) > MAX_PLAN_ROWS:
        raise InputError(f"the plan has {len(table.rows)} rows; at most {MAX_PLAN_ROWS} are imported", path=path)
    return table
