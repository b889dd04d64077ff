"""Add a strategy, or goals to one, from a spreadsheet: one row per goal (and one for the strategy).

Columns: strategy, level, identifier, parent, label sv, label en, source URL, complete (yes/no).
A row whose level is "strategi"/"strategy" describes the strategy itself; the others are its goals,
placed under ``parent`` (an identifier in the file or the last IRI segment of an existing goal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..config import Settings
from ..errors import InputError
from ..graph import bind_prefixes
from ..namespaces import SL, resource_ns
from .build import slugify
from .table import MAX_BYTES, clean, read_sheet

COLUMNS = {
    "strategy": ("strategy", "strategi"),
    "level": ("level", "nivå"),
    "identifier": ("identifier", "id", "identifierare"),
    "parent": ("parent", "förälder", "överordnat"),
    "label_sv": ("label sv", "etikett sv", "namn sv"),
    "label_en": ("label en", "etikett en", "namn en"),
    "source": ("source url", "source", "källa"),
    "complete": ("complete", "fullständig"),
}
YES = {"yes", "ja", "true", "1", "y", "j"}
NO = {"no", "nej", "false", "0", "n", ""}
STRATEGY_LEVELS = {"strategy", "strategi"}


@dataclass
class GoalRow:
    line: int
    strategy: str
    level: str
    identifier: str
    parent: str
    label_sv: str
    label_en: str
    source: str
    complete: bool | None


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InputError("no such file", path=path)
    data = path.read_bytes()
    if not data:
        raise InputError("the file is empty", path=path)
    if len(data) > MAX_BYTES:
        raise InputError("the file is too large for a strategy", path=path)
    if path.suffix.lower() in (".csv", ".xlsx"):
        return read_sheet(path, data)
    raise InputError(f"cannot read {path.suffix or 'files without a suffix'}", path=path, hint="give a .xlsx or .csv")


def read_goal_rows(path: Path) -> list[GoalRow]:
    rows = _rows(path)
    if not rows or not any(rows[0]):
        raise InputError("the spreadsheet is empty", path=path)
    header = [clean(h).lower() for h in rows[0]]
    index = {}
    for key, names in COLUMNS.items():
        found = next((i for i, h in enumerate(header) if h in names), None)
        if found is None and key not in ("label_en", "complete", "parent"):
            raise InputError(
                f"missing column {names[0]!r} (found: {', '.join(h for h in header if h)})",
                path=path,
                hint="columns: " + ", ".join(n[0] for n in COLUMNS.values()),
            )
        index[key] = found
    out = []
    for line, raw in enumerate(rows[1:], start=2):
        cells = [clean(c) for c in raw] + [""] * len(header)

        def cell(key: str, cells: list[str] = cells) -> str:
            i = index[key]
            return cells[i] if i is not None else ""

        if not any(cells):
            continue
        complete_text = cell("complete").lower()
        if complete_text not in YES | NO:
            raise InputError(f"complete must be yes or no, not {complete_text!r}", path=path, line=line)
        out.append(
            GoalRow(
                line,
                cell("strategy"),
                cell("level"),
                cell("identifier"),
                cell("parent"),
                cell("label_sv"),
                cell("label_en"),
                cell("source"),
                None if complete_text == "" else complete_text in YES,
            )
        )
    if not out:
        raise InputError("the spreadsheet has no rows", path=path)
    return out


@dataclass
class StrategyImport:
    graph: Graph
    strategy: URIRef
    new_strategy: bool
    goals: int


def import_strategy(path: Path, catalogue: Graph, settings: Settings | None = None) -> StrategyImport:
    settings = settings or Settings()
    ids = resource_ns(settings.base_iri)
    rows = read_goal_rows(path)
    names = {clean(r.strategy) for r in rows}
    if len(names) != 1:
        raise InputError(f"one strategy per file, found: {', '.join(sorted(names))}", path=path)
    name = names.pop()
    if not name:
        raise InputError("the strategy column is empty", path=path, line=rows[0].line)
    slug = name if re.fullmatch(r"[a-z0-9-]+", name) else slugify(name)
    strategy = ids[f"strategi/{slug}"]
    exists = (strategy, RDF.type, SL.Strategy) in catalogue
    levels = {}
    for level in catalogue.subjects(RDF.type, SL.GoalLevel):
        for label in catalogue.objects(level, RDFS.label):
            levels[str(label).lower()] = level
    g = bind_prefixes(Graph())
    head = [r for r in rows if r.level.lower() in STRATEGY_LEVELS]
    goals = [r for r in rows if r.level.lower() not in STRATEGY_LEVELS]
    if not exists:
        if not head:
            raise InputError(
                f"the strategy {name!r} is not in the catalogue and the file has no row with level "
                '"strategi" describing it',
                path=path,
            )
        row = head[0]
        _require(row, path, ("label_sv", "source"))
        g.add((strategy, RDF.type, SL.Strategy))
        g.add((strategy, RDF.type, SKOS.ConceptScheme))
        g.add((strategy, SKOS.prefLabel, Literal(row.label_sv, lang="sv")))
        g.add((strategy, DCTERMS.title, Literal(row.label_sv, lang="sv")))
        if row.label_en:
            g.add((strategy, SKOS.prefLabel, Literal(row.label_en, lang="en")))
        g.add((strategy, DCTERMS.source, _iri(row, path)))
        g.add((strategy, SL.verification, SL.Verified))
        complete = bool(row.complete)
        g.add((strategy, SL.goalListComplete, Literal(complete)))
        if not complete:
            g.add(
                (
                    strategy,
                    SL.completenessNote,
                    Literal("Listan över mål är inte känd som fullständig (importerad från kalkylblad).", lang="sv"),
                )
            )
    existing = {
        str(goal).rsplit("/", 1)[-1]: goal
        for goal in catalogue.subjects(SKOS.inScheme, strategy)
        if (goal, RDF.type, SL.StrategyGoal) in catalogue
    }
    by_id: dict[str, GoalRow] = {}
    for row in goals:
        _require(row, path, ("identifier", "label_sv", "source", "level"))
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", row.identifier):
            raise InputError(
                f"identifier {row.identifier!r} must be lower-case letters, digits and hyphens",
                path=path,
                line=row.line,
            )
        if row.identifier in by_id:
            raise InputError(
                f"duplicate identifier {row.identifier!r} (also on line {by_id[row.identifier].line})",
                path=path,
                line=row.line,
            )
        if row.identifier in existing:
            raise InputError(
                f"identifier {row.identifier!r} is already a goal of this strategy", path=path, line=row.line
            )
        if row.level.lower() not in levels:
            raise InputError(
                f"unknown level {row.level!r}",
                path=path,
                line=row.line,
                hint="levels: " + ", ".join(sorted({str(k) for k in levels})),
            )
        by_id[row.identifier] = row
    iris: dict[str, URIRef] = {}

    def iri_of(identifier: str, trail: tuple[str, ...] = ()) -> URIRef:
        if identifier in iris:
            return iris[identifier]
        row = by_id[identifier]
        if identifier in trail:
            raise InputError(f"the goals {' → '.join((*trail, identifier))} form a cycle", path=path, line=row.line)
        if not row.parent:
            iris[identifier] = URIRef(f"{strategy}/{identifier}")
        elif row.parent in by_id:
            iris[identifier] = URIRef(f"{iri_of(row.parent, (*trail, identifier))}/{identifier}")
        elif row.parent in existing:
            iris[identifier] = URIRef(f"{existing[row.parent]}/{identifier}")
        else:
            raise InputError(
                f"parent {row.parent!r} is neither in the file nor a goal of the strategy", path=path, line=row.line
            )
        return iris[identifier]

    for identifier, row in by_id.items():
        goal = iri_of(identifier)
        g.add((goal, RDF.type, SL.StrategyGoal))
        g.add((goal, RDF.type, SKOS.Concept))
        g.add((goal, SKOS.prefLabel, Literal(row.label_sv, lang="sv")))
        if row.label_en:
            g.add((goal, SKOS.prefLabel, Literal(row.label_en, lang="en")))
        g.add((goal, SKOS.inScheme, strategy))
        g.add((goal, SL.goalLevel, levels[row.level.lower()]))
        g.add((goal, SL.verification, SL.Verified))
        g.add((goal, DCTERMS.source, _iri(row, path)))
        if row.complete is not None:
            g.add((goal, SL.narrowerComplete, Literal(row.complete)))
        if row.parent:
            parent = iri_of(row.parent) if row.parent in by_id else existing[row.parent]
            g.add((goal, SKOS.broader, parent))
            g.add((parent, SKOS.narrower, goal))
        else:
            g.add((goal, SKOS.topConceptOf, strategy))
            g.add((strategy, SKOS.hasTopConcept, goal))
    return StrategyImport(g, strategy, not exists, len(by_id))


def _require(row: GoalRow, path: Path, fields: tuple[str, ...]) -> None:
    missing = [f for f in fields if not getattr(row, f)]
    if missing:
        raise InputError(f"missing {', '.join(m.replace('_', ' ') for m in missing)}", path=path, line=row.line)


def _iri(row: GoalRow, path: Path) -> URIRef:
    if not re.match(r"^https?://\S+$", row.source):
        raise InputError(f"source must be a web address (http…), not {row.source!r}", path=path, line=row.line)
    return URIRef(row.source)
