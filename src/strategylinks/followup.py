"""Follow-up of a plan: a spreadsheet template with one row per insats, and reading it back as
``sl:FollowUp`` resources, with a review of every problem (the row, what is wrong) before anything is
written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV

from . import queries
from .config import Settings
from .errors import InputError
from .graph import bind_prefixes
from .namespaces import SL, resource_ns

#: Status words a coordinator may write (Swedish first, English, without diacritics) → the concept.
STATUSES: dict[str, URIRef] = {
    "planerad": SL.Planned,
    "pågående": SL.Ongoing,
    "genomförd": SL.Completed,
    "senarelagd": SL.Postponed,
    "inställd": SL.Cancelled,
}
#: The order reports and pages show statuses in: what was done first, then what was not.
STATUS_ORDER = ("genomförd", "pågående", "planerad", "senarelagd", "inställd")
_ALIASES = {
    "pagaende": "pågående",
    "genomford": "genomförd",
    "installd": "inställd",
    "planned": "planerad",
    "ongoing": "pågående",
    "completed": "genomförd",
    "carried out": "genomförd",
    "done": "genomförd",
    "postponed": "senarelagd",
    "cancelled": "inställd",
    "canceled": "inställd",
}

#: The template's columns, in order (Swedish headings; the import also accepts the English ones).
COLUMNS = ("Insats-id", "Prioritering", "Rad", "Insats", "Effekter", "Status", "Kommentar", "Underlag")
_ENGLISH = {
    "action id": "Insats-id",
    "priority": "Prioritering",
    "row": "Rad",
    "action": "Insats",
    "effects": "Effekter",
    "status": "Status",
    "comment": "Kommentar",
    "evidence": "Underlag",
}
MAX_BYTES = 20 * 2**20


@dataclass(frozen=True)
class PlanAction:
    iri: URIRef
    label: str
    priority: str
    row: int | None
    effects: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """A follow-up period: a calendar year, or a range of dates."""

    start: date
    end: date
    text: str

    @property
    def slug(self) -> str:
        return self.text if re.fullmatch(r"\d{4}", self.text) else f"{self.start}--{self.end}"


def parse_period(text: str) -> Period:
    """``2022`` (the year), or ``2022-03-01--2022-08-31`` / ``2022-03-01/2022-08-31`` (a range)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Period(date(year, 1, 1), date(year, 12, 31), text)
    found = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:--|/)\s*(\d{4}-\d{2}-\d{2})", text)
    if found:
        try:
            start, end = date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2))
        except ValueError as exc:
            raise InputError(f"the period {text!r} has an impossible date: {exc}") from None
        if start > end:
            raise InputError(f"the period {text!r} ends before it starts")
        return Period(start, end, f"{start}--{end}")
    raise InputError(
        f"the period {text!r} is neither a year nor a range of dates",
        hint="write a year (2022) or two ISO dates (2022-03-01--2022-08-31)",
    )


def period_iri(text: str, base_iri: str) -> str:
    """A period as given on the command line or in a URL (``2022``, ``2022-03-01--2022-08-31``, or the
    period's IRI, possibly relative to ``{base}id/``) as the IRI the follow-up import gives it."""
    if ":" not in text.split("/")[0] and "/" not in text:
        text = "period/" + parse_period(text).slug
    return str(queries.convert(queries.Parameter("period", "iri", ""), text, base_iri))


def plan_actions(source: queries.Queryable, plan: str, settings: Settings | None = None) -> list[PlanAction]:
    """The plan's actions in document order, with what the template shows of each."""
    view = queries.views(settings)["followup-actions"]
    rows = queries.rows(queries.run(source, view, {"plan": plan}, settings=settings))
    return [
        PlanAction(
            iri=URIRef(str(r["action"])),
            label=str(r["label"] or ""),
            priority=str(r["priorityLabel"] or r["priority"]),
            row=int(str(r["rowNumber"])) if r["rowNumber"] is not None else None,
            effects=tuple(sorted(str(r["effects"]).split("\n"))) if r["effects"] else (),
        )
        for r in rows
    ]


def write_template(actions: list[PlanAction], plan_label: str, period: Period | None, path: Path) -> None:
    """An .xlsx with one row per insats and a status drop-down, in Swedish."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    if not actions:
        raise InputError("the plan has no actions to follow up")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Uppföljning"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for action in actions:
        sheet.append(
            [str(action.iri), action.priority, action.row, action.label, "\n".join(action.effects), "", "", ""]
        )
    statuses = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Okänd status",
        error="Välj en status i listan: " + ", ".join(STATUSES),
    )
    sheet.add_data_validation(statuses)
    statuses.add(f"F2:F{len(actions) + 1}")
    for column, width in zip("ABCDEFGH", (18, 30, 6, 60, 50, 14, 50, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["A"].hidden = True  # the id is for the import, not for the coordinator
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "D2"
    about = book.create_sheet("Instruktioner")
    period_text = f" för perioden {period.text}" if period else ""
    for line in (
        f"Uppföljning av {plan_label}{period_text}.",
        "",
        "Fyll i en rad per insats på bladet Uppföljning:",
        "- Status: välj planerad, pågående, genomförd, senarelagd eller inställd (lämna tom om okänd).",
        "- Kommentar: vad som gjorts eller varför insatsen ändrats.",
        "- Underlag: länkar (https://…) till webbsidor eller dokument, en per rad.",
        "Ändra inte kolumnen Insats-id (dold): den kopplar raden till insatsen.",
        "",
        "Läs in med: strategylinks followup import FIL.xlsx --plan PLAN --period PERIOD",
    ):
        about.append([line])
    about.column_dimensions["A"].width = 100
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=path) from None


@dataclass
class Problem:
    row: int  # the sheet's row number (1 is the heading)
    message: str


@dataclass
class FollowUpResult:
    graph: Graph
    period: Period
    recorded: int = 0
    blank: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: Actions of the plan the sheet has no row for.
    missing: list[PlanAction] = field(default_factory=list)


def read_sheet(path: Path) -> list[list[str]]:
    """The rows of a filled-in template (.xlsx, or .csv saved from it)."""
    from .importer.table import read_sheet as read

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", path=path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError(f"cannot read {path.suffix or 'files without a suffix'}", path=path, hint="use .xlsx or .csv")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES // 2**20} MiB", path=path)
    return read(path, path.read_bytes())


def _columns(heading: list[str], path: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(heading):
        key = name.strip()
        key = _ENGLISH.get(key.lower(), key)
        if key in COLUMNS:
            found[key] = index
    missing = [c for c in ("Status",) if c not in found]
    if missing or not ({"Insats-id", "Insats"} & found.keys()):
        raise InputError(
            "the first row is not the template's heading (Insats-id or Insats, and Status are needed)",
            path=path,
            line=1,
            hint="make the sheet with: strategylinks followup template",
        )
    return found


def status_of(text: str) -> URIRef | None:
    word = " ".join(text.strip().lower().split())
    return STATUSES.get(_ALIASES.get(word, word))


def build_followups(
    rows: list[list[str]],
    actions: list[PlanAction],
    plan: str,
    period: Period,
    reporter: URIRef,
    reported_at: datetime,
    settings: Settings,
    path: Path,
) -> FollowUpResult:
    """The sheet's rows as follow-ups of ``plan`` for ``period``; every problem is reported with its row."""
    ids = resource_ns(settings.base_iri)
    graph = bind_prefixes(Graph())
    result = FollowUpResult(graph, period)
    if not rows:
        raise InputError("the file is empty", path=path)
    columns = _columns(rows[0], path)
    by_iri = {str(a.iri): a for a in actions}
    by_text: dict[str, list[PlanAction]] = {}
    for known in actions:
        by_text.setdefault(_norm(known.label), []).append(known)
    plan_slug = plan.rstrip("/").rsplit("/", 1)[-1]
    period_iri = ids[f"period/{period.slug}"]
    seen: dict[URIRef, int] = {}

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) and row[index] else ""

    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        given_iri, text, status_text = cell(row, "Insats-id"), cell(row, "Insats"), cell(row, "Status")
        action: PlanAction | None = by_iri.get(given_iri) if given_iri else None
        if given_iri and action is None:
            result.errors.append(Problem(number, f"the insats {given_iri} is not in the plan {plan}"))
            continue
        if action is None:
            candidates = by_text.get(_norm(text), [])
            if len(candidates) != 1:
                why = "is not an insats of the plan" if not candidates else "matches several insatser"
                result.errors.append(Problem(number, f"the insats text {text!r} {why}; keep the Insats-id column"))
                continue
            action = candidates[0]
        elif text and _norm(text) != _norm(action.label):
            result.warnings.append(
                Problem(number, f"the insats text was changed in the sheet (the plan says {action.label!r}); kept")
            )
        if action.iri in seen:
            result.errors.append(Problem(number, f"the insats is followed up again (first on row {seen[action.iri]})"))
            continue
        seen[action.iri] = number
        comment, evidence = cell(row, "Kommentar"), cell(row, "Underlag")
        if not status_text:
            if comment or evidence:
                result.errors.append(Problem(number, "a comment or evidence without a status; choose a status"))
            else:
                result.blank += 1
            continue
        status = status_of(status_text)
        if status is None:
            result.errors.append(Problem(number, f"unknown status {status_text!r}; use one of: " + ", ".join(STATUSES)))
            continue
        links = evidence.split()
        bad = [link for link in links if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", link)]
        if bad:
            result.errors.append(Problem(number, f"evidence must be web links (https://…), not {bad[0]!r}"))
            continue
        local = str(action.iri).split(f"/plan/{plan_slug}/", 1)[-1]
        node = ids[f"uppfoljning/{plan_slug}/{period.slug}/{local}"]
        graph.add((node, RDF.type, SL.FollowUp))
        graph.add((node, SL.followUpOf, action.iri))
        graph.add((node, DCTERMS.temporal, period_iri))
        graph.add((node, SL.status, status))
        if comment:
            graph.add((node, RDFS.comment, Literal(comment, lang="sv")))
        for link in links:
            graph.add((node, SL.evidence, URIRef(link)))
        graph.add((node, PROV.wasAttributedTo, reporter))
        graph.add(
            (node, PROV.generatedAtTime, Literal(reported_at.isoformat(timespec="seconds"), datatype=XSD.dateTime))
        )
        result.recorded += 1
    if result.recorded:
        graph.add((period_iri, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period_iri, RDFS.label, Literal(period.text)))
        graph.add((period_iri, DCAT.startDate, Literal(period.start.isoformat(), datatype=XSD.date)))
        graph.add((period_iri, DCAT.endDate, Literal(period.end.isoformat(), datatype=XSD.date)))
    result.missing = [a for a in actions if a.iri not in seen]
    return result


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def review_text(result: FollowUpResult, path: Path) -> str:
    """The review in words: what was read, and each problem with its row."""
    lines = [
        f"{path}: {result.recorded} uppföljningar för perioden {result.period.text}, "
        f"{result.blank} insatser utan status, {len(result.missing)} insatser saknas i filen"
    ]
    lines += [f"{path}:{p.row}: error: {p.message}" for p in result.errors]
    lines += [f"{path}:{p.row}: warning: {p.message}" for p in result.warnings]
    return "\n".join(lines)


__all__ = [
    "COLUMNS",
    "STATUSES",
    "FollowUpResult",
    "Period",
    "PlanAction",
    "build_followups",
    "now",
    "parse_period",
    "plan_actions",
    "read_sheet",
    "review_text",
    "status_of",
    "write_template",
]
