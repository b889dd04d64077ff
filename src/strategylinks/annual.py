"""The yearly report (återrapportering) of a plan for a follow-up period, from the graph: per priority
and insats the status and comment; the statuses per priority and the coverage per strategy, planned
against carried out, each with a chart; the goals lacking actions; coverage on paper only; the
changes since the previous plan; the indicator values with their sources; and the caveats of an
incomplete catalogue. Written as Markdown (charts as PNG files beside it), one self-contained HTML
file, or a Word document; in Swedish, or English with ``lang="en"``. Charts are drawn with matplotlib
offline, from the same numbers as the tables.
"""

from __future__ import annotations

import base64
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rdflib.term import Identifier

from . import queries
from .config import Settings
from .errors import InputError
from .followup import STATUS_ORDER, period_iri
from .graph import labels as labels_of
from .queries import Queryable
from .reports import GapReport, gap_report, resolve_plan

STATUS_EN = {
    "genomförd": "carried out",
    "pågående": "ongoing",
    "planerad": "planned",
    "senarelagd": "postponed",
    "inställd": "cancelled",
}
STATUS_COLOURS = {
    "genomförd": "#2e7d32",
    "pågående": "#1976d2",
    "planerad": "#9e9e9e",
    "senarelagd": "#f9a825",
    "inställd": "#c62828",
    "": "#e0e0e0",
}

TEXT = {
    "sv": {
        "title": "Återrapportering",
        "plan": "Plan",
        "period": "Period",
        "made": "Sammanställd",
        "from_graph": "Alla tal i rapporten kommer ur kunskapsgrafen (strategylinks); tabeller och diagram "
        "bygger på samma uppgifter.",
        "summary": "Sammanfattning",
        "summary_text": "{done} av {actions} insatser är genomförda, {ongoing} pågår, {postponed} är senarelagda "
        "och {cancelled} inställda; {unreported} har ingen uppföljning för perioden. {goals_planned} strategimål "
        "tjänas av planerade insatser, {goals_done} av genomförda.",
        "per_action": "Insatser: status och kommentar",
        "priority": "Prioritering",
        "row": "Rad",
        "action": "Insats",
        "status": "Status",
        "comment": "Kommentar",
        "evidence": "Underlag",
        "not_reported": "ej uppföljd",
        "status_per_priority": "Status per prioritering",
        "actions": "insatser",
        "coverage": "Täckning per strategi: planerat och genomfört",
        "coverage_text": "Antal strategimål som insatserna tjänar direkt, enligt planen och enligt de "
        "insatser som rapporterats som genomförda.",
        "strategy": "Strategi",
        "goals": "Mål",
        "planned_goals": "Mål, planerat",
        "done_goals": "Mål, genomfört",
        "planned_actions": "Insatser, planerat",
        "done_actions": "Insatser, genomförda",
        "list_complete": "Mållistan",
        "complete": "fullständig",
        "incomplete": "ofullständig",
        "gaps": "Strategimål som saknar insatser",
        "gaps_text": "{n} mål i planens strategier saknar insatser helt (varken direkt eller via underordnade mål).",
        "goal": "Mål",
        "level": "Nivå",
        "paper": "Täckning bara på papperet",
        "paper_text": "Mål som planen täcker, men där varje insats som tjänar målet rapporterats som inställd "
        "eller senarelagd under perioden.",
        "paper_none": "Inga mål täcks bara på papperet under perioden.",
        "changes": "Förändringar sedan föregående plan",
        "changes_none": "Datamängden har ingen tidigare plan från samma utgivare att jämföra med.",
        "changes_text": "Jämfört med {previous}: {new} nya insatser, {continued} fortsatta, {dropped} borttagna; "
        "{gained} mål fick fler insatser och {lost} färre.",
        "change": "Förändring",
        "change_new": "ny",
        "change_continued": "fortsatt",
        "change_dropped": "borttagen",
        "indicators": "Indikatorer",
        "indicators_none": "Inga indikatorvärden mäter planens mål eller effekter.",
        "indicator": "Indikator",
        "unit": "Enhet",
        "area": "Område",
        "year": "År",
        "value": "Värde",
        "source": "Källa",
        "via": "Mäter",
        "via_goal": "målet",
        "via_effect": "en effekt",
        "caveats": "Förbehåll",
        "caveat_catalogue": "Strategikatalogen är ofullständig för: {names}. Där kan fler mål sakna insatser än "
        "vad som visas; en saknad lucka betyder inte täckning.",
        "caveat_unreported": "{n} insatser har ingen uppföljning för perioden och räknas inte som genomförda.",
        "caveat_direct": "Täckning räknas direkt: ett mål tjänas när en insats (eller dess effekt) är kopplad "
        "till målet i planens tabell.",
        "chart_status": "Status per prioritering (antal insatser)",
        "chart_coverage": "Strategimål som tjänas: planerat och genomfört",
        "planned": "planerat",
        "done": "genomfört",
    },
    "en": {
        "title": "Follow-up report",
        "plan": "Plan",
        "period": "Period",
        "made": "Compiled",
        "from_graph": "Every number in this report comes from the knowledge graph (strategylinks); the tables "
        "and the charts are drawn from the same data.",
        "summary": "Summary",
        "summary_text": "{done} of {actions} actions were carried out, {ongoing} are ongoing, {postponed} postponed "
        "and {cancelled} cancelled; {unreported} have no follow-up for the period. {goals_planned} strategy goals "
        "are served by planned actions, {goals_done} by actions carried out.",
        "per_action": "Actions: status and comment",
        "priority": "Priority",
        "row": "Row",
        "action": "Action",
        "status": "Status",
        "comment": "Comment",
        "evidence": "Evidence",
        "not_reported": "not followed up",
        "status_per_priority": "Status per priority",
        "actions": "actions",
        "coverage": "Coverage per strategy: planned and carried out",
        "coverage_text": "The number of strategy goals the actions serve directly, by the plan and by the actions "
        "reported as carried out.",
        "strategy": "Strategy",
        "goals": "Goals",
        "planned_goals": "Goals, planned",
        "done_goals": "Goals, carried out",
        "planned_actions": "Actions, planned",
        "done_actions": "Actions, carried out",
        "list_complete": "Goal list",
        "complete": "complete",
        "incomplete": "incomplete",
        "gaps": "Strategy goals lacking actions",
        "gaps_text": "{n} goals of the plan's strategies lack actions entirely (neither directly nor through "
        "narrower goals).",
        "goal": "Goal",
        "level": "Level",
        "paper": "Coverage on paper only",
        "paper_text": "Goals the plan covers, but where every action serving the goal was reported as cancelled "
        "or postponed in the period.",
        "paper_none": "No goal is covered on paper only in the period.",
        "changes": "Changes since the previous plan",
        "changes_none": "The dataset holds no earlier plan of the same publisher to compare with.",
        "changes_text": "Compared with {previous}: {new} new actions, {continued} continued, {dropped} dropped; "
        "{gained} goals gained actions and {lost} lost some.",
        "change": "Change",
        "change_new": "new",
        "change_continued": "continued",
        "change_dropped": "dropped",
        "indicators": "Indicators",
        "indicators_none": "No indicator values measure the plan's goals or effects.",
        "indicator": "Indicator",
        "unit": "Unit",
        "area": "Area",
        "year": "Year",
        "value": "Value",
        "source": "Source",
        "via": "Measures",
        "via_goal": "the goal",
        "via_effect": "an effect",
        "caveats": "Caveats",
        "caveat_catalogue": "The strategy catalogue is incomplete for: {names}. More goals may lack actions than "
        "shown there; a gap not shown does not mean coverage.",
        "caveat_unreported": "{n} actions have no follow-up for the period and do not count as carried out.",
        "caveat_direct": "Coverage is counted directly: a goal is served when an action (or its effect) is linked "
        "to the goal in the plan's table.",
        "chart_status": "Status per priority (number of actions)",
        "chart_coverage": "Strategy goals served: planned and carried out",
        "planned": "planned",
        "done": "carried out",
    },
}


def _s(value: Identifier | None) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ActionLine:
    iri: str
    label: str
    priority: str
    row: str
    status: str  # the Swedish notation, "" when not followed up
    comment: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    strategy: str
    label: str
    complete: bool
    goals: int
    planned_goals: int
    done_goals: int
    planned_actions: int
    done_actions: int


@dataclass
class AnnualReport:
    lang: str
    plan: str
    plan_label: str
    period: str
    period_label: str
    actions: list[ActionLine]
    priorities: dict[str, str]  # IRI → label, in document order
    outcome: list[Outcome]
    gaps: GapReport
    paper: list[dict[str, str]]
    previous: str | None = None
    previous_label: str = ""
    changes: list[dict[str, str]] = field(default_factory=list)
    coverage_changes: list[dict[str, str]] = field(default_factory=list)
    indicators: list[dict[str, str]] = field(default_factory=list)
    made: date = field(default_factory=date.today)
    #: Labels of the report's resources in its language (falling back to the other).
    names: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **values: object) -> str:
        return TEXT[self.lang][key].format(**values)

    def status_name(self, notation: str) -> str:
        if not notation:
            return self.t("not_reported")
        return notation if self.lang == "sv" else STATUS_EN.get(notation, notation)

    def status_counts(self) -> dict[str, dict[str, int]]:
        """Priority IRI → status notation ("" not followed up) → number of actions."""
        counts: dict[str, dict[str, int]] = {p: defaultdict(int) for p in self.priorities}
        for line in self.actions:
            counts[line.priority][line.status] += 1
        return counts

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for line in self.actions:
            out[line.status] += 1
        return out


def build(
    source: Queryable, plan: str | None, period: str, settings: Settings | None = None, lang: str = "sv"
) -> AnnualReport:
    """Collect the report's content with the named and view queries."""
    settings = settings or Settings()
    plan_iri, plan_label = resolve_plan(source, plan, settings)
    views = queries.views(settings)
    period_term = period_iri(period, settings.base_iri)
    found = queries.rows(queries.run(source, views["period"], {"period": period_term}, settings=settings))
    if not found:
        raise InputError(
            f"no follow-up period {period_term!r} in the dataset",
            hint="import a follow-up first: strategylinks followup import FILE --period " + period,
        )
    period_label = _s(found[0]["label"]) or period
    params = {"plan": plan_iri, "period": period_term}
    lines = []
    priorities: dict[str, str] = {}
    for r in queries.rows(queries.run(source, views["followup-status"], params, settings=settings)):
        priority = _s(r["priority"])
        priorities.setdefault(priority, priority)
        lines.append(
            ActionLine(
                iri=_s(r["action"]),
                label=_s(r["label"]) or _s(r["action"]),
                priority=priority,
                row=_s(r["rowNumber"]),
                status=_s(r["statusNotation"]),
                comment=_s(r["comment"]),
                evidence=tuple(sorted(_s(r["evidence"]).split())),
            )
        )
    outcome = [
        Outcome(
            strategy=_s(r["strategy"]),
            label=_s(r["strategyLabel"]) or _s(r["strategy"]),
            complete=_s(r["complete"]).lower() in ("true", "1"),
            goals=int(_s(r["goals"]) or 0),
            planned_goals=int(_s(r["plannedGoals"]) or 0),
            done_goals=int(_s(r["carriedOutGoals"]) or 0),
            planned_actions=int(_s(r["plannedActions"]) or 0),
            done_actions=int(_s(r["carriedOutActions"]) or 0),
        )
        for r in queries.rows(queries.run(source, "plan-vs-outcome", params, settings=settings))
    ]
    paper = [
        {k: _s(v) for k, v in r.items()}
        for r in queries.rows(queries.run(source, "paper-coverage", params, settings=settings))
    ]
    report = AnnualReport(
        lang=lang,
        plan=plan_iri,
        plan_label=plan_label,
        period=period_term,
        period_label=period_label,
        actions=lines,
        priorities=priorities,
        outcome=outcome,
        gaps=gap_report(source, plan_iri, settings),
        paper=paper,
    )
    before = queries.rows(queries.run(source, views["previous-plan"], {"plan": plan_iri}, settings=settings))
    if before:
        report.previous = _s(before[0]["previous"])
        report.previous_label = _s(before[0]["previousLabel"]) or report.previous
        pair = {"plan": plan_iri, "previous": report.previous}
        for name, target in (("plan-changes", report.changes), ("coverage-changes", report.coverage_changes)):
            target.extend(
                {k: _s(v) for k, v in r.items()}
                for r in queries.rows(queries.run(source, name, pair, settings=settings))
            )
    report.indicators = [
        {k: _s(v) for k, v in r.items()}
        for r in queries.rows(queries.run(source, "indicator-trends", {"plan": plan_iri}, settings=settings))
    ]
    _relabel(source, report)
    return report


def _relabel(source: Queryable, report: AnnualReport) -> None:
    """Labels in the report's language (falling back to the other), with one query for all of them."""
    nodes = set(report.priorities) | {o.strategy for o in report.outcome}
    nodes |= {g.iri for g in report.gaps.gaps} | {g.strategy_iri for g in report.gaps.gaps}
    nodes |= {p["goal"] for p in report.paper} | {p["strategy"] for p in report.paper}
    nodes |= {i["goal"] for i in report.indicators} | {i["indicator"] for i in report.indicators}
    nodes |= {i["area"] for i in report.indicators} | {report.plan}
    nodes |= {c["goal"] for c in report.coverage_changes}
    if report.previous:
        nodes.add(report.previous)
    names = labels_of(source, nodes, report.lang)
    report.names = names
    report.priorities = {p: names.get(p, p) for p in report.priorities}
    report.plan_label = names.get(report.plan, report.plan_label)


def name(report: AnnualReport, iri: str, fallback: str = "") -> str:
    return report.names.get(iri) or fallback or iri


# ------------------------------------------------------------------ charts


@dataclass(frozen=True)
class Chart:
    key: str  # file stem suffix: "status", "tackning"
    title: str
    png: bytes
    description: str  # the numbers it shows, as text (the image's alternative text)


def charts(report: AnnualReport) -> list[Chart]:
    """The report's two charts, drawn from the same numbers as its tables (matplotlib, no network)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    counts = report.status_counts()
    priorities = list(report.priorities)
    statuses = [s for s in (*STATUS_ORDER, "") if any(counts[p].get(s) for p in priorities)]
    figure, axes = plt.subplots(figsize=(8, 0.6 * len(priorities) + 1.6), dpi=120)
    left = [0] * len(priorities)
    for status in statuses:
        values = [counts[p].get(status, 0) for p in priorities]
        axes.barh(
            range(len(priorities)), values, left=left, color=STATUS_COLOURS[status], label=report.status_name(status)
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    _finish(figure, axes, [report.priorities[p] for p in priorities], report.t("actions"), report.t("chart_status"))
    description = "; ".join(
        f"{report.priorities[p]}: "
        + ", ".join(f"{report.status_name(s)} {counts[p][s]}" for s in statuses if counts[p].get(s))
        for p in priorities
    )
    out.append(Chart("status", report.t("chart_status"), _png(figure, plt), description))

    rows = [o for o in report.outcome if o.planned_goals]
    figure, axes = plt.subplots(figsize=(8, 0.55 * max(len(rows), 1) + 1.6), dpi=120)
    positions = range(len(rows))
    axes.barh(
        [y - 0.2 for y in positions], [o.planned_goals for o in rows], 0.4, color="#90a4ae", label=report.t("planned")
    )
    axes.barh([y + 0.2 for y in positions], [o.done_goals for o in rows], 0.4, color="#2e7d32", label=report.t("done"))
    labels = [name(report, o.strategy, o.label) for o in rows]
    _finish(figure, axes, labels, report.t("goals"), report.t("chart_coverage"))
    planned, done = report.t("planned"), report.t("done")
    description = "; ".join(
        f"{name(report, o.strategy, o.label)}: {planned} {o.planned_goals}, {done} {o.done_goals}" for o in rows
    )
    out.append(Chart("tackning", report.t("chart_coverage"), _png(figure, plt), description))
    return out


def _finish(figure: Any, axes: Any, labels: list[str], xlabel: str, title: str) -> None:
    """Horizontal bars read top down, whole numbers on the axis, a legend and a title."""
    from matplotlib.ticker import MaxNLocator

    axes.set_yticks(range(len(labels)), [_short(label, 40) for label in labels])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower right", fontsize=8)
    axes.set_title(title)
    figure.tight_layout()


def _png(figure: Any, plt: Any) -> bytes:
    buffer = io.BytesIO()
    # No timestamps or software tags: the same numbers give the same bytes.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


# ------------------------------------------------------------------ the document, as blocks


def blocks(report: AnnualReport, drawn: list[Chart]) -> list[tuple[str, Any]]:
    """The report as a list of (kind, content): heading1, heading2, para, table (header, rows), chart.
    Every renderer writes the same blocks, so the formats cannot drift apart."""
    t = report.t
    totals = report.totals()
    chart = {c.key: c for c in drawn}
    out: list[tuple[str, Any]] = [
        ("heading1", f"{t('title')}: {report.plan_label}"),
        (
            "para",
            f"{t('plan')}: {report.plan_label}. {t('period')}: {report.period_label}. {t('made')}: {report.made}.",
        ),
        ("para", t("from_graph")),
        ("heading2", t("summary")),
        (
            "para",
            t(
                "summary_text",
                done=totals.get("genomförd", 0),
                actions=len(report.actions),
                ongoing=totals.get("pågående", 0),
                postponed=totals.get("senarelagd", 0),
                cancelled=totals.get("inställd", 0),
                unreported=totals.get("", 0),
                goals_planned=sum(o.planned_goals for o in report.outcome),
                goals_done=sum(o.done_goals for o in report.outcome),
            ),
        ),
        ("heading2", t("status_per_priority")),
        ("chart", chart["status"]),
    ]
    counts = report.status_counts()
    statuses = [s for s in (*STATUS_ORDER, "") if totals.get(s)]
    out.append(
        (
            "table",
            (
                [t("priority"), *(report.status_name(s) for s in statuses), t("actions")],
                [
                    [report.priorities[p], *(str(counts[p].get(s, 0)) for s in statuses), str(sum(counts[p].values()))]
                    for p in report.priorities
                ],
            ),
        )
    )
    out.append(("heading2", t("per_action")))
    for priority, title in report.priorities.items():
        out.append(("heading3", f"{t('priority')}: {title}"))
        out.append(
            (
                "table",
                (
                    [t("row"), t("action"), t("status"), t("comment"), t("evidence")],
                    [
                        [a.row, a.label, report.status_name(a.status), a.comment, " ".join(a.evidence)]
                        for a in report.actions
                        if a.priority == priority
                    ],
                ),
            )
        )
    out += [("heading2", t("coverage")), ("para", t("coverage_text")), ("chart", chart["tackning"])]
    out.append(
        (
            "table",
            (
                [
                    t("strategy"),
                    t("goals"),
                    t("planned_goals"),
                    t("done_goals"),
                    t("planned_actions"),
                    t("done_actions"),
                    t("list_complete"),
                ],
                [
                    [
                        name(report, o.strategy, o.label),
                        str(o.goals),
                        str(o.planned_goals),
                        str(o.done_goals),
                        str(o.planned_actions),
                        str(o.done_actions),
                        t("complete") if o.complete else t("incomplete"),
                    ]
                    for o in report.outcome
                ],
            ),
        )
    )
    gaps = report.gaps.gaps
    out += [("heading2", t("gaps")), ("para", t("gaps_text", n=len(gaps)))]
    out.append(
        (
            "table",
            (
                [t("strategy"), t("goal"), t("level")],
                [[name(report, g.strategy_iri, g.strategy), name(report, g.iri, g.label), g.level] for g in gaps],
            ),
        )
    )
    out += [("heading2", t("paper"))]
    if report.paper:
        out.append(("para", t("paper_text")))
        out.append(
            (
                "table",
                (
                    [t("strategy"), t("goal"), t("actions"), t("status")],
                    [
                        [name(report, p["strategy"]), name(report, p["goal"]), p["actions"], p["statuses"]]
                        for p in report.paper
                    ],
                ),
            )
        )
    else:
        out.append(("para", t("paper_none")))
    out.append(("heading2", t("changes")))
    if report.previous is None:
        out.append(("para", t("changes_none")))
    else:
        kinds: dict[str, int] = defaultdict(int)
        for c in report.changes:
            kinds[c["status"]] += 1
        gained = sum(1 for c in report.coverage_changes if int(c["actionsNow"]) > int(c["actionsBefore"]))
        out.append(
            (
                "para",
                t(
                    "changes_text",
                    previous=name(report, report.previous, report.previous_label),
                    new=kinds["new"],
                    continued=kinds["continued"],
                    dropped=kinds["dropped"],
                    gained=gained,
                    lost=len(report.coverage_changes) - gained,
                ),
            )
        )
        changed = [c for c in report.changes if c["status"] != "continued"]
        if changed:
            out.append(
                (
                    "table",
                    (
                        [t("change"), t("action")],
                        [[t("change_" + c["status"]), c["actionLabel"]] for c in changed],
                    ),
                )
            )
    out.append(("heading2", t("indicators")))
    if report.indicators:
        out.append(
            (
                "table",
                (
                    [t("goal"), t("via"), t("indicator"), t("unit"), t("area"), t("year"), t("value"), t("source")],
                    [
                        [
                            name(report, i["goal"], i.get("goalLabel", "")),
                            t("via_" + i["via"]),
                            name(report, i["indicator"], i.get("indicatorLabel", "")),
                            i.get("unit", ""),
                            name(report, i["area"], i.get("areaLabel", "")),
                            i["year"],
                            i["value"],
                            i.get("source", ""),
                        ]
                        for i in report.indicators
                    ],
                ),
            )
        )
    else:
        out.append(("para", t("indicators_none")))
    out.append(("heading2", t("caveats")))
    incomplete = report.gaps.incomplete_strategies
    if incomplete:
        out.append(("para", t("caveat_catalogue", names="; ".join(name(report, s.iri, s.label) for s in incomplete))))
    if totals.get(""):
        out.append(("para", t("caveat_unreported", n=totals[""])))
    out.append(("para", t("caveat_direct")))
    return out


# ------------------------------------------------------------------ renderers


def write(report: AnnualReport, fmt: str, output: Path) -> list[Path]:
    """Write the report; returns the files written (Markdown: the document and its chart images)."""
    drawn = charts(report)
    content = blocks(report, drawn)
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        files = [output]
        images = {}
        for chart in drawn:
            image = output.with_name(f"{output.stem}-{chart.key}.png")
            image.write_bytes(chart.png)
            images[chart.key] = image.name
            files.append(image)
        output.write_text(_markdown(content, images), encoding="utf-8")
        return files
    if fmt == "html":
        output.write_text(_html(content, report.lang), encoding="utf-8")
        return [output]
    if fmt == "docx":
        _docx(content, report.lang).save(str(output))
        return [output]
    raise InputError(f"unknown report format {fmt!r}; use docx, html or md")


def _md(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _markdown(content: list[tuple[str, Any]], images: dict[str, str]) -> str:
    out: list[str] = []
    for kind, value in content:
        if kind == "heading1":
            out += [f"# {value}", ""]
        elif kind == "heading2":
            out += [f"## {value}", ""]
        elif kind == "heading3":
            out += [f"### {value}", ""]
        elif kind == "para":
            out += [value, ""]
        elif kind == "chart":
            out += [f"![{_md(value.title)}: {_md(value.description)}]({images[value.key]})", ""]
        elif kind == "table":
            header, rows = value
            out.append("| " + " | ".join(_md(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out)


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:0 0 1.2rem;font-size:.92rem}th,td{border:1px solid #ccc;
padding:.3rem .45rem;text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}
td:empty::after{content:""}@media print{body{margin:0}}"""


def _html(content: list[tuple[str, Any]], lang: str) -> str:
    title = next(v for k, v in content if k == "heading1")
    out = [
        "<!doctype html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body><main>",
    ]
    for kind, value in content:
        if kind in ("heading1", "heading2", "heading3"):
            level = {"heading1": 1, "heading2": 2, "heading3": 3}[kind]
            out.append(f"<h{level}>{html.escape(value)}</h{level}>")
        elif kind == "para":
            out.append(f"<p>{html.escape(value)}</p>")
        elif kind == "chart":
            data = base64.b64encode(value.png).decode("ascii")
            alt = html.escape(f"{value.title}: {value.description}")
            image = f'<img src="data:image/png;base64,{data}" alt="{alt}">'
            out.append(f"<figure>{image}<figcaption>{html.escape(value.title)}</figcaption></figure>")
        elif kind == "table":
            header, rows = value
            out.append(
                "<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr></thead><tbody>"
            )
            out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows]
            out.append("</tbody></table>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def _docx(content: list[tuple[str, Any]], lang: str) -> Any:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.core_properties.language = "sv-SE" if lang == "sv" else "en-GB"
    styles = document.styles
    styles["Normal"].font.size = Pt(10)
    for kind, value in content:
        if kind == "heading1":
            document.add_heading(value, level=0)
            document.core_properties.title = value
        elif kind in ("heading2", "heading3"):
            document.add_heading(value, level=1 if kind == "heading2" else 2)
        elif kind == "para":
            document.add_paragraph(value)
        elif kind == "chart":
            document.add_picture(io.BytesIO(value.png), width=Cm(16))
            # The picture's alternative text carries the numbers it shows.
            properties = document.inline_shapes[-1]._inline.docPr
            properties.set("descr", f"{value.title}: {value.description}")
            properties.set("title", value.title)
            document.add_paragraph(value.title, style="Caption")
        elif kind == "table":
            header, rows = value
            table = document.add_table(rows=1, cols=len(header))
            table.style = "Light Grid Accent 1"
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = text
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            document.add_paragraph()
    return document
