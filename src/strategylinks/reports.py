"""The gap report: which strategy goals lack actions, per strategy, with completeness warnings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal
from rdflib.term import Identifier

from . import queries
from .config import Settings
from .errors import InputError
from .queries import Queryable


def _str(value: Identifier | None) -> str | None:
    return None if value is None else str(value)


def _int(value: Identifier | None) -> int:
    return int(value.toPython()) if isinstance(value, Literal) else 0


def _bool(value: Identifier | None) -> bool | None:
    return bool(value.toPython()) if isinstance(value, Literal) else None


@dataclass(frozen=True)
class Gap:
    iri: str
    label: str
    strategy: str
    strategy_iri: str
    level: str
    notation: str | None
    coverage: str  # "none" or "indirect"
    indirect_actions: int
    strategy_actions: int
    strategy_complete: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "strategy": self.strategy,
            "strategyIri": self.strategy_iri,
            "level": self.level,
            "notation": self.notation,
            "coverage": self.coverage,
            "indirectActions": self.indirect_actions,
            "strategyActions": self.strategy_actions,
            "strategyComplete": self.strategy_complete,
        }


@dataclass(frozen=True)
class StrategyCoverage:
    iri: str
    label: str
    complete: bool
    goals: int
    directly_covered: int
    covered: int
    strategy_actions: int
    involved_actions: int = 0


@dataclass(frozen=True)
class GapReport:
    plan: str
    plan_label: str
    strategies: tuple[StrategyCoverage, ...]
    gaps: tuple[Gap, ...] = field(default=())
    indirect: tuple[Gap, ...] = field(default=())
    actions_without_goals: tuple[dict[str, str | None], ...] = field(default=())

    @property
    def incomplete_strategies(self) -> tuple[StrategyCoverage, ...]:
        return tuple(s for s in self.strategies if not s.complete)


def latest_plan(source: Queryable, settings: Settings | None = None) -> tuple[str, str]:
    """IRI and label of the newest plan (by sl:planYear)."""
    found = queries.rows(queries.run(source, queries.views(settings)["latest-plan"], settings=settings))
    if not found:
        raise InputError("the dataset holds no action plan (sl:ActionPlan)")
    top = found[0]
    return str(top["plan"]), _str(top["planLabel"]) or str(top["plan"])


def resolve_plan(source: Queryable, plan: str | None, settings: Settings | None = None) -> tuple[str, str]:
    if plan is None:
        return latest_plan(source, settings)
    term = queries.convert(queries.Parameter("plan", "iri", ""), plan, (settings or Settings()).base_iri)
    view = queries.views(settings)["plan"]
    for row in queries.rows(queries.run(source, view, {"plan": str(term)}, settings=settings)):
        if row["plan"] is not None:
            return str(term), _str(row["planLabel"]) or str(term)
    raise InputError(f"no action plan {str(term)!r} in the dataset", hint="see: strategylinks query plans")


def gap_report(source: Queryable, plan: str | None = None, settings: Settings | None = None) -> GapReport:
    plan_iri, plan_label = resolve_plan(source, plan, settings)
    params = {"plan": plan_iri}
    coverage = tuple(
        StrategyCoverage(
            iri=str(r["strategy"]),
            label=_str(r["strategyLabel"]) or str(r["strategy"]),
            complete=bool(_bool(r["complete"])),
            goals=_int(r["goals"]),
            directly_covered=_int(r["directlyCovered"]),
            covered=_int(r["covered"]),
            strategy_actions=_int(r["strategyActions"]),
            involved_actions=_int(r["involvedActions"]),
        )
        for r in queries.rows(queries.run(source, "strategy-coverage", params, settings=settings))
        # rdflib answers an empty grouped aggregate with one unbound row; skip it.
        if r["strategy"] is not None
    )
    all_gaps = [
        Gap(
            iri=str(r["goal"]),
            label=_str(r["goalLabel"]) or str(r["goal"]),
            strategy=_str(r["strategyLabel"]) or str(r["strategy"]),
            strategy_iri=str(r["strategy"]),
            level=_str(r["levelLabel"]) or str(r["level"]),
            notation=_str(r["notation"]),
            coverage=str(r["coverage"]),
            indirect_actions=_int(r["indirectActions"]),
            strategy_actions=_int(r["strategyActions"]),
            strategy_complete=bool(_bool(r["strategyComplete"])),
        )
        for r in queries.rows(queries.run(source, "goals-lacking-actions", params, settings=settings))
    ]
    unlinked = tuple(
        {
            "iri": str(r["action"]),
            "label": _str(r["actionLabel"]),
            "priority": _str(r["priorityLabel"]),
            "themes": ", ".join(sorted((_str(r["themeLabels"]) or "").split(", "))) or None,
        }
        for r in queries.rows(queries.run(source, "actions-without-goals", params, settings=settings))
    )
    all_gaps.sort(key=lambda g: (g.strategy, natural_key(g.iri)))
    return GapReport(
        plan=plan_iri,
        plan_label=plan_label,
        strategies=coverage,
        gaps=tuple(g for g in all_gaps if g.coverage == "none"),
        indirect=tuple(g for g in all_gaps if g.coverage == "indirect"),
        actions_without_goals=unlinked,
    )


def natural_key(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts ``mal-2`` before ``mal-10`` and keeps the IRI's hierarchy together."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", text) if part)


def _actions(n: int) -> str:
    return f"{n} insats" if n == 1 else f"{n} insatser"


# ------------------------------------------------------------------ rendering


def render_json(report: GapReport, include_indirect: bool = False) -> str:
    """A JSON list of the goals lacking actions (optionally also those covered only indirectly)."""
    items = [g.as_json() for g in report.gaps]
    if include_indirect:
        items += [g.as_json() for g in report.indirect]
    return json.dumps(items, ensure_ascii=False, indent=2)


def render_text(report: GapReport, markdown: bool = False) -> str:
    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
    out: list[str] = [
        f"{h1}Luckor: strategimål som saknar insatser",
        f"Plan: {report.plan_label} <{report.plan}>",
        "",
    ]
    out.append(f"{h2}Täckning per strategi")
    if markdown:
        out += [
            "",
            "| strategi | mål | täckta direkt | täckta inkl. underordnade | insatser som åberopar hela strategin "
            "| insatser som arbetar i eller med den | mållistan |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
    for s in report.strategies:
        completeness = "fullständig" if s.complete else "OFULLSTÄNDIG – luckor kan vara underskattade"
        if markdown:
            out.append(
                f"| {_md(s.label)} | {s.goals} | {s.directly_covered} | {s.covered} | "
                f"{s.strategy_actions} | {s.involved_actions} | {completeness} |"
            )
        else:
            whole = f", strategin som helhet åberopas av {_actions(s.strategy_actions)}" if s.strategy_actions else ""
            involved = f", {_actions(s.involved_actions)} arbetar i eller med den" if s.involved_actions else ""
            out.append(
                f"{bullet}{s.label}: {s.covered}/{s.goals} mål täckta ({s.directly_covered} direkt){whole}"
                f"{involved}; mållistan {completeness}"
            )
    by_strategy: dict[str, list[Gap]] = {}
    for gap in report.gaps:
        by_strategy.setdefault(gap.strategy, []).append(gap)
    out += ["", f"{h2}Mål utan några insatser ({len(report.gaps)})"]
    involvement = {s.label: s for s in report.strategies}
    for strategy, gaps in by_strategy.items():
        notes = [] if gaps[0].strategy_complete else ["katalogen är ofullständig: fler luckor kan finnas"]
        if gaps[0].strategy_actions:
            notes.append(f"strategin som helhet åberopas av {_actions(gaps[0].strategy_actions)}")
        if strategy in involvement and involvement[strategy].involved_actions:
            notes.append(f"{_actions(involvement[strategy].involved_actions)} arbetar i eller med den")
        suffix = f" ({'; '.join(notes)})" if notes else ""
        out.append(("### " if markdown else "") + f"{strategy}{suffix}")
        for g in gaps:
            number = f"{g.notation} " if g.notation else ""
            out.append(f"{bullet}[{g.level}] {number}{_md(g.label) if markdown else g.label}")
    out += ["", f"{h2}Mål som bara täcks via underordnade mål ({len(report.indirect)})"]
    for g in report.indirect:
        out.append(f"{bullet}{g.strategy}: [{g.level}] {g.label} – {g.indirect_actions} insatser via underordnade mål")
    out += ["", f"{h2}Insatser utan strategimål ({len(report.actions_without_goals)})"]
    for a in report.actions_without_goals:
        themes = f" – teman: {a['themes']}" if a["themes"] else ""
        out.append(f"{bullet}[{a['priority']}] {a['label']}{themes}")
    incomplete = report.incomplete_strategies
    if incomplete:
        out += ["", f"{h2}Observera"]
        out.append(
            "Strategikatalogen är ofullständig för: " + "; ".join(s.label for s in incomplete) + ". "
            "Där kan fler mål sakna insatser än vad som visas; en saknad lucka betyder inte täckning."
        )
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")
