"""Indicator values from spreadsheets or Kolada: ``sl:Indicator`` resources and their values as RDF Data
Cube observations (``qb:Observation`` in one ``qb:DataSet`` per file), with a review of every problem
(the row, what is wrong) before anything is written.

Two layouts are read:

- the project's: columns ``indikator-id`` (optional: an identifier such as a Kolada KPI id, only where
  the source gives one), ``indikator``, ``enhet``, ``område``, ``period``, ``värde``, ``källa`` and the
  optional ``mäter`` (effects or goals the indicator measures), in Swedish or English
  (``indicator id, label, unit, area, period, value, source, measures``);
- Kolada's: the API's data documents (``{"values": [{"kpi", "municipality", "period", "values": [{"gender",
  "value"}]}]}``) as ``.json``, or the same fields as a table (``kpi, municipality, period, gender,
  value``, with ``municipality_name`` / ``kpi_title`` where the export has them). Only the total
  (gender ``T``) is read. Kolada's values carry no unit or title: they come from ``unit`` and ``title``
  columns or from ``--unit KPI=TEXT`` and ``--label KPI=TEXT``, never guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .config import Settings
from .errors import InputError
from .followup import MAX_BYTES, Problem, read_sheet
from .graph import bind_prefixes
from .importer.build import slugify
from .namespaces import QB, SL, resource_ns

SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
REF_AREA = URIRef(SDMX_DIMENSION + "refArea")
REF_PERIOD = URIRef(SDMX_DIMENSION + "refPeriod")
OBS_VALUE = URIRef(SDMX_MEASURE + "obsValue")
KOLADA = "https://www.kolada.se/"
KOLADA_KPI = "https://api.kolada.se/v2/kpi/"

#: Column names (lower case, Swedish and English) → the field they fill.
COLUMNS = {
    "indikator-id": "id",
    "indikator id": "id",
    "indicator id": "id",
    "indicator-id": "id",
    "kpi": "id",
    "indikator": "label",
    "label": "label",
    "indicator": "label",
    "title": "label",
    "kpi_title": "label",
    "enhet": "unit",
    "unit": "unit",
    "område": "area",
    "omrade": "area",
    "area": "area",
    "municipality": "area",
    "kommun-id": "area",
    "områdesnamn": "area_name",
    "area name": "area_name",
    "municipality_name": "area_name",
    "kommun": "area_name",
    "period": "period",
    "år": "period",
    "year": "period",
    "värde": "value",
    "varde": "value",
    "value": "value",
    "källa": "source",
    "kalla": "source",
    "source": "source",
    "mäter": "measures",
    "mater": "measures",
    "measures": "measures",
    "kön": "gender",
    "gender": "gender",
}
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_KOLADA_AREA = re.compile(r"\d{4}")


@dataclass
class IndicatorResult:
    graph: Graph
    dataset: URIRef
    layout: str  # "strategylinks" or "kolada"
    indicators: dict[str, URIRef] = field(default_factory=dict)
    observations: int = 0
    skipped: int = 0  # Kolada rows for one gender only
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def read_records(path: Path) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """(layout, [(row number, fields)]) from a .csv, .xlsx or Kolada .json file."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return "kolada", _kolada_json(path)
    rows = read_sheet(path)
    if not rows:
        raise InputError("the file is empty", path=path)
    heading = [" ".join(h.strip().lower().split()) for h in rows[0]]
    names = {index: COLUMNS.get(h) for index, h in enumerate(heading)}
    found = {n for n in names.values() if n}
    layout = "kolada" if "kpi" in heading else "strategylinks"
    needed = ("id", "area", "period", "value") if layout == "kolada" else ("label", "area", "period", "value")
    missing = [n for n in needed if n not in found]
    if missing:
        raise InputError(
            "the first row lacks the column(s) " + ", ".join(missing),
            path=path,
            line=1,
            hint="see docs/templates/README.md for the layouts",
        )
    records: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        record: dict[str, str] = {}
        for index, cell in enumerate(row):
            name = names.get(index)
            if name and cell.strip():
                record[name] = cell.strip()
        records.append((number, record))
    return layout, records


def _kolada_json(path: Path) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputError("no such file", path=path)
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES // 2**20} MiB", path=path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text", path=path) from None
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", path=path) from None
    values = document.get("values") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise InputError('not a Kolada data document: no list under "values"', path=path)
    records = []
    for number, item in enumerate(values, start=1):
        if not isinstance(item, dict):
            raise InputError(f"value {number} is not an object", path=path)
        for part in item.get("values") or [{}]:
            if not isinstance(part, dict):
                raise InputError(f"value {number} has a malformed values list", path=path)
            fields = {
                "id": item.get("kpi"),
                "area": item.get("municipality") or item.get("ou"),
                "period": item.get("period"),
                "gender": part.get("gender"),
                "value": part.get("value"),
            }
            records.append((number, {k: str(v) for k, v in fields.items() if v is not None and str(v) != ""}))
    return records


def build_indicators(
    layout: str,
    records: list[tuple[int, dict[str, str]]],
    settings: Settings,
    path: Path,
    *,
    labels: dict[str, str] | None = None,
    units: dict[str, str] | None = None,
    measures: dict[str, list[str]] | None = None,
    known: set[str] | None = None,
) -> IndicatorResult:
    """The records as indicators and observations; ``known`` are the IRIs of the effects and goals
    that ``mäter`` / ``--measures`` may name."""
    ids = resource_ns(settings.base_iri)
    graph = bind_prefixes(Graph())
    graph.bind("qb", QB)
    graph.bind("sdmx-dimension", SDMX_DIMENSION)
    graph.bind("sdmx-measure", SDMX_MEASURE)
    slug = slugify(path.stem) or "indikatorer"
    dataset = ids[f"indikatorvarden/{slug}"]
    result = IndicatorResult(graph, dataset, layout)
    labels, units, measures = labels or {}, units or {}, measures or {}
    sources: set[URIRef] = set()
    described: dict[URIRef, tuple[str, str]] = {}
    seen: dict[tuple[URIRef, URIRef, str], int] = {}

    for number, record in records:
        identifier = record.get("id", "")
        if layout == "kolada":
            gender = record.get("gender", "T").upper()
            if gender != "T":
                result.skipped += 1
                continue
            if not identifier:
                result.errors.append(Problem(number, "no KPI id"))
                continue
        label = record.get("label") or labels.get(identifier, "")
        if not label:
            result.errors.append(
                Problem(number, f"the indicator {identifier or '?'} has no name; add it with --label {identifier}=TEXT")
            )
            continue
        unit = record.get("unit") or units.get(identifier) or units.get(label, "")
        if not unit:
            name = identifier or label
            result.errors.append(
                Problem(number, f"the indicator {name!r} has no unit; add it with --unit '{name}=TEXT'")
            )
            continue
        source_text = record.get("source") or (KOLADA_KPI + identifier if layout == "kolada" else "")
        if not _URL.fullmatch(source_text):
            result.errors.append(Problem(number, f"the source must be a web link (https://…), not {source_text!r}"))
            continue
        source = URIRef(source_text)
        area = _area(record.get("area", ""), record.get("area_name", ""), layout, graph, settings)
        if area is None:
            result.errors.append(Problem(number, f"the area {record.get('area', '')!r} is neither an IRI nor a name"))
            continue
        year = record.get("period", "").strip()
        if year.endswith(".0"):  # a spreadsheet's number
            year = year[:-2]
        if not re.fullmatch(r"\d{4}", year):
            result.errors.append(Problem(number, f"the period must be a year (2022), not {year!r}"))
            continue
        value = _number(record.get("value", ""))
        if value is None:
            result.errors.append(Problem(number, f"the value must be a number, not {record.get('value', '')!r}"))
            continue
        indicator = ids[
            "indikator/" + (slugify(f"kolada-{identifier}") if layout == "kolada" else slugify(identifier or label))
        ]
        if indicator in described and described[indicator] != (label, unit):
            result.errors.append(
                Problem(
                    number, f"the indicator {identifier or label!r} has another name or unit than on an earlier row"
                )
            )
            continue
        key = (indicator, area, year)
        if key in seen:
            result.errors.append(Problem(number, f"the same indicator, area and year as row {seen[key]}"))
            continue
        seen[key] = number
        if indicator not in described:
            described[indicator] = (label, unit)
            result.indicators[identifier or label] = indicator
            graph.add((indicator, RDF.type, SL.Indicator))
            graph.add((indicator, SKOS.prefLabel, Literal(label, lang="sv")))
            graph.add((indicator, SL.unit, Literal(unit)))
            if identifier:  # only what the source gives
                graph.add((indicator, SKOS.notation, Literal(identifier)))
            targets = record.get("measures", "").split() + measures.get(identifier or label, [])
            for target in targets:
                iri = target if target.startswith(("http://", "https://")) else str(ids[target.lstrip("/")])
                if known is not None and iri not in known:
                    result.errors.append(Problem(number, f"{target} is neither an effect nor a strategy goal"))
                    continue
                graph.add((indicator, SL.measures, URIRef(iri)))
        graph.add((indicator, DCTERMS.source, source))
        sources.add(URIRef(KOLADA) if layout == "kolada" else source)
        observation = URIRef(f"{dataset}/{indicator.rsplit('/', 1)[-1]}/{area.rsplit('/', 1)[-1]}/{year}")
        graph.add((observation, RDF.type, QB.Observation))
        graph.add((observation, QB.dataSet, dataset))
        graph.add((observation, SL.indicator, indicator))
        graph.add((observation, REF_AREA, area))
        graph.add((observation, REF_PERIOD, Literal(year, datatype=XSD.gYear)))
        graph.add((observation, OBS_VALUE, value))
        result.observations += 1
    if result.observations:
        graph.add((dataset, RDF.type, QB.DataSet))
        graph.add((dataset, QB.structure, SL.IndicatorStructure))
        graph.add((dataset, SKOS.prefLabel, Literal(f"Indikatorvärden ur {path.name}", lang="sv")))
        graph.add((dataset, SKOS.prefLabel, Literal(f"Indicator values from {path.name}", lang="en")))
        for source in sorted(sources):
            graph.add((dataset, DCTERMS.source, source))
    return result


def _number(text: str) -> Literal | None:
    text = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"-?\d+,\d+", text):  # Swedish decimal comma
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value() and "." not in text and "e" not in text.lower():
        return Literal(int(number))
    return Literal(number, datatype=XSD.decimal)


def _area(text: str, name: str, layout: str, graph: Graph, settings: Settings) -> URIRef | None:
    """The area's IRI: given, relative to ``{base}id/``, a Kolada code, or a name (with its label)."""
    ids = resource_ns(settings.base_iri)
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return URIRef(text) if _URL.fullmatch(text) else None
    if re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)+", text):
        return ids[text]
    if _KOLADA_AREA.fullmatch(text):
        area = ids[f"omrade/kolada-{text}"]
        graph.add((area, SKOS.notation, Literal(text)))
        if name:
            graph.set((area, SKOS.prefLabel, Literal(name, lang="sv")))
        elif (area, SKOS.prefLabel, None) not in graph:
            # A descriptive label: the data names the area only by its Kolada code.
            graph.add((area, SKOS.prefLabel, Literal(f"Kolada-område {text}", lang="sv")))
            graph.add((area, SKOS.prefLabel, Literal(f"Kolada area {text}", lang="en")))
        return area
    label = name or text
    if not slugify(label):
        return None
    area = ids[f"omrade/{slugify(label)}"]
    graph.set((area, SKOS.prefLabel, Literal(label, lang="sv")))
    return area


def pairs(values: list[str], option: str) -> dict[str, str]:
    """``--unit N00945=procent`` options as a dictionary; a value without ``=`` is an error."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip() or not text.strip():
            raise InputError(f"{option} {value!r} is not KEY=TEXT")
        out[key.strip()] = text.strip()
    return out


def review_text(result: IndicatorResult, path: Path) -> str:
    lines = [
        f"{path}: {result.layout} layout, {len(result.indicators)} indicators, {result.observations} values"
        + (f"; {result.skipped} rows for one gender only were skipped (only totals are read)" if result.skipped else "")
    ]
    # A Kolada document's items are values, not rows.
    where = "value" if path.suffix.lower() == ".json" else "row"
    for problem in result.errors:
        lines.append(f"  error, {where} {problem.row}: {problem.message}")
    for problem in result.warnings:
        lines.append(f"  note, {where} {problem.row}: {problem.message}")
    return "\n".join(lines)
