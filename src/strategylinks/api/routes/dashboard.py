"""The gap dashboard and its drill-down: headline numbers, coverage per strategy, the gaps as goal
hierarchies, follow-up, network summary, the comparison with the previous plan; every table also as
CSV; ``/coverage`` shows one strategy's goal tree with the insatser serving each goal."""

from __future__ import annotations

import csv
import io
from typing import Any

import networkx as nx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...coverage import GoalNode, goal_tree, levels, prune
from ...followup import STATUS_ORDER, period_iri
from ...network import choose_period, followup_periods
from ...reports import GapReport, natural_key
from ..deps import SettingsDep, StoreDep
from ..models import GapReportModel
from ..pages import Name, local_href, page_lang, render
from ..plans import answered, no_plan, plan_report, plan_view, previous_plan, rows, view_names
from ..settings import ServerSettings
from ..store import KnowledgeStore

router = APIRouter()


def report_json(report: GapReport, settings: ServerSettings) -> dict[str, Any]:
    def gap(g: Any) -> dict[str, Any]:
        return {**g.as_json(), "href": local_href(g.iri, settings)}

    return {
        "plan": report.plan,
        "planLabel": report.plan_label,
        "strategies": [
            {
                "iri": s.iri,
                "label": s.label,
                "complete": s.complete,
                "goals": s.goals,
                "directlyCovered": s.directly_covered,
                "covered": s.covered,
                "strategyActions": s.strategy_actions,
                "involvedActions": s.involved_actions,
                "href": local_href(s.iri, settings),
            }
            for s in report.strategies
        ],
        "gaps": [gap(g) for g in report.gaps],
        "indirect": [gap(g) for g in report.indirect],
        "actionsWithoutGoals": [
            {**a, "href": local_href(str(a["iri"]), settings)} for a in report.actions_without_goals
        ],
        "incompleteStrategies": [s.label for s in report.incomplete_strategies],
    }


def _followup(store: KnowledgeStore, settings: ServerSettings, plan: str, period: str | None) -> dict[str, Any] | None:
    """The follow-up part of the dashboard: statuses per priority, coverage carried out, paper coverage;
    ``None`` when the plan was never followed up."""

    def build() -> dict[str, Any] | None:
        periods = followup_periods(store.engine, plan, settings)
        chosen = choose_period(periods, period_iri(period, settings.base_iri) if period else None)
        if chosen is None:
            return None
        params = {"plan": plan, "period": chosen}
        priorities: dict[str, dict[str, Any]] = {}
        for r in rows(store, settings, "status-per-priority", params):
            entry = priorities.setdefault(
                r["priority"], {"iri": r["priority"], "label": r.get("priorityLabel", r["priority"]), "counts": {}}
            )
            entry["counts"][r.get("statusNotation", "")] = int(r["actions"])
        statuses = [s for s in (*STATUS_ORDER, "") if any(s in p["counts"] for p in priorities.values())]
        totals = {s: sum(p["counts"].get(s, 0) for p in priorities.values()) for s in statuses}
        outcome = rows(store, settings, "plan-vs-outcome", params)
        paper = rows(store, settings, "paper-coverage", params)
        status_of = {
            r["action"]: r.get("statusNotation", "")
            for r in rows(store, settings, queries.views(settings)["followup-status"], params)
        }
        return {
            "period": chosen,
            "periodLabel": next(p["label"] for p in periods if p["iri"] == chosen),
            "periods": periods,
            "statuses": statuses,
            "priorities": list(priorities.values()),
            "totals": totals,
            "actions": sum(totals.values()),
            "carriedOut": {r["strategy"]: int(r["carriedOutGoals"]) for r in outcome},
            "plannedGoals": sum(int(r["plannedGoals"]) for r in outcome),
            "carriedOutGoals": sum(int(r["carriedOutGoals"]) for r in outcome),
            "paper": [{**r, "href": local_href(r["goal"], settings)} for r in paper],
            "statusOf": status_of,
        }

    return store.cached(f"followup:{plan}:{period}", build)  # type: ignore[no-any-return]


def _network_summary(store: KnowledgeStore, settings: ServerSettings, plan: str) -> dict[str, Any]:
    """The dashboard's network section, from SPARQL alone (cheap on any store): goals that depend on a
    single insats, and the pairs of strategies that share insatser. Bridges and clusters: /network."""

    def build() -> dict[str, Any]:
        fragile = rows(store, settings, "fragile-goals", {"plan": plan})
        overlap = [
            r
            for r in rows(store, settings, "strategy-overlap", {"plan": plan})
            if r["strategy"] < r["other"]  # each pair once, not the diagonal
        ]
        overlap.sort(key=lambda r: (-int(r["actions"]), r.get("strategyLabel", ""), r.get("otherLabel", "")))
        return {
            "fragile": [{**r, "href": local_href(r["goal"], settings)} for r in fragile],
            "overlap": overlap,
        }

    return store.cached(f"network-summary:{plan}", build)  # type: ignore[no-any-return]


def _comparison(store: KnowledgeStore, settings: ServerSettings, report: GapReport) -> dict[str, Any] | None:
    """The plan against the publisher's previous plan: headline numbers of both, and the goals that got
    their first direct insatser or lost all of them (``coverage-changes``); ``None`` without one."""
    found = previous_plan(store, settings, report.plan)
    if found is None:
        return None
    previous = found["previous"]

    def build() -> dict[str, Any]:
        before = plan_report(store, settings, previous)
        changes = rows(store, settings, "coverage-changes", {"plan": report.plan, "previous": previous})
        return {
            "plan": previous,
            "planLabel": before.plan_label,
            "year": found.get("previousYear", ""),
            "href": local_href(previous, settings),
            "goals": sum(s.goals for s in before.strategies),
            "gaps": len(before.gaps),
            "actions": _action_count(plan_view(store, settings, previous)),
            "actionsWithoutGoals": len(before.actions_without_goals),
            "newlyCovered": [c for c in changes if c["actionsBefore"] == "0"],
            "lostAll": [c for c in changes if c["actionsNow"] == "0"],
        }

    return store.cached(f"comparison:{report.plan}", build)  # type: ignore[no-any-return]


def _action_count(view: nx.DiGraph) -> int:
    return sum(1 for _, d in view.nodes(data=True) if d["kind"] == "action")


def _extras(store: KnowledgeStore, settings: ServerSettings, report: GapReport, period: str | None) -> dict[str, Any]:
    view = plan_view(store, settings, report.plan)
    return answered(
        lambda: {
            "headline": {
                "goals": sum(s.goals for s in report.strategies),
                "gaps": len(report.gaps),
                "actions": _action_count(view),
                "actionsWithoutGoals": len(report.actions_without_goals),
                "incompleteStrategies": len(report.incomplete_strategies),
            },
            "followup": _followup(store, settings, report.plan, period),
            "network": _network_summary(store, settings, report.plan),
            "comparison": _comparison(store, settings, report),
        }
    )


def _gap_trees(
    view: nx.DiGraph, report: GapReport, strategy: str | None, level: str | None
) -> list[tuple[str, list[GoalNode], int]]:
    """Per strategy with gaps (or the one asked for): its gap goals in their hierarchy (broader goals
    kept as context), only those of ``level`` if given, and the number shown."""
    out = []
    for s in report.strategies:
        if strategy and s.iri != strategy:
            continue

        def keep(node: GoalNode) -> bool:
            return node.gap and (not level or node.data.get("level") == level)

        trees = prune(goal_tree(view, s.iri), keep)
        shown = sum(1 for t in trees for n in t.walk() if keep(n))
        if shown:
            out.append((s.iri, trees, shown))
    return out


@router.get("/", response_class=HTMLResponse, tags=["pages"], summary="Gap dashboard (HTML)")
async def dashboard(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    plan: str | None = None,
    period: str | None = None,
    strategy: str | None = None,
    level: str | None = None,
) -> Response:
    """``strategy`` and ``level`` narrow the list of goals lacking actions (the rest of the page stays)."""
    lang = page_lang(request)

    def build() -> dict[str, Any]:
        report = plan_report(store, settings, plan)
        view = plan_view(store, settings, report.plan)
        siblings = rows(store, settings, queries.views(settings)["sibling-plans"], {"plan": report.plan})
        return {
            "report": {**report_json(report, settings), **_extras(store, settings, report, period)},
            "plans": [
                {"iri": p["sibling"], "label": p.get("siblingLabel", p["sibling"]), "year": p.get("year", "")}
                for p in siblings
            ],
            "names": view_names(view, lang),
            "gap_trees": _gap_trees(view, report, strategy or None, level or None),
            "levels": levels(view),
            "chosen": {"strategy": strategy or "", "level": level or ""},
            "period": period or "",
        }

    try:
        context = await run_in_threadpool(lambda: answered(build))
    except HTTPException:
        if plan is None and await run_in_threadpool(no_plan, store, settings):
            return render(request, "empty.html.jinja")
        raise
    return render(request, "dashboard.html.jinja", href=lambda iri: local_href(iri, settings), **context)


@router.get("/api/gaps", response_model=GapReportModel, tags=["api"], summary="Gap report (JSON twin of /)")
async def api_gaps(
    store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        report = plan_report(store, settings, plan)
        return {**report_json(report, settings), **_extras(store, settings, report, period)}

    return await run_in_threadpool(build)


# ------------------------------------------------------------------ CSV


COVERAGE_COLUMNS = [
    *("strategy", "strategyLabel", "goals", "covered", "directlyCovered"),
    *("strategyActions", "involvedActions", "complete"),
]


def _csv(items: list[dict[str, Any]], columns: list[str], names: dict[str, Name]) -> list[list[Any]]:
    """Rows of ``columns``; a column ``xLabel`` is the name of the IRI in ``x`` in the page's language
    (the row's own label where the view has none)."""

    def cell(item: dict[str, Any], column: str) -> Any:
        if column.endswith("Label") and column[:-5] in item:
            found = names.get(str(item[column[:-5]]))
            return str(found) if found and str(found) else item.get(column) or ""
        value = item.get(column)
        return "" if value is None else value

    return [[cell(item, c) for c in columns] for item in items]


def _tables(data: dict[str, Any], names: dict[str, Name]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The dashboard's tables as (header, rows), labels in the page's language."""
    goal_columns = ["strategy", "strategyLabel", "goal", "notation", "goalLabel", "level", "indirectActions"]

    def goals(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **g,
                "goal": g["iri"],
                "goalLabel": g["label"],
                "strategy": g["strategyIri"],
                "strategyLabel": g["strategy"],
            }
            for g in items
        ]

    status_of = (data["followup"] or {}).get("statusOf") or {}
    specs: dict[str, tuple[list[str], list[dict[str, Any]]]] = {
        "coverage": (
            COVERAGE_COLUMNS,
            [{**s, "strategy": s["iri"], "strategyLabel": s["label"]} for s in data["strategies"]],
        ),
        "gaps": ([*goal_columns, "strategyComplete"], goals(data["gaps"])),
        "indirect": ([*goal_columns, "strategyComplete"], goals(data["indirect"])),
        "actions-without-goals": (
            ["action", "actionLabel", "priority", "themes", "status"],
            [
                {**a, "action": a["iri"], "actionLabel": a["label"], "status": status_of.get(a["iri"], "")}
                for a in data["actionsWithoutGoals"]
            ],
        ),
        "fragile": (
            ["strategy", "strategyLabel", "goal", "goalLabel", "action", "actionLabel"],
            data["network"]["fragile"],
        ),
        "overlap": (["strategy", "strategyLabel", "other", "otherLabel", "actions"], data["network"]["overlap"]),
    }
    f = data["followup"]
    if f:
        statuses = [s or "ej uppföljd" for s in f["statuses"]]
        specs["status"] = (
            ["priority", "priorityLabel", *statuses],
            [
                {"priority": p["iri"], "priorityLabel": p["label"]}
                | {name: p["counts"].get(s, 0) for name, s in zip(statuses, f["statuses"], strict=True)}
                for p in f["priorities"]
            ],
        )
        specs["paper"] = (["strategy", "strategyLabel", "goal", "goalLabel", "actions", "statuses"], f["paper"])
    return {table: (columns, _csv(items, columns, names)) for table, (columns, items) in specs.items()}


CSV_TABLES = ("coverage", "gaps", "indirect", "actions-without-goals", "fragile", "overlap", "status", "paper")


@router.get("/api/gaps/{table}.csv", tags=["api"], summary="One table of the dashboard as CSV")
async def api_gaps_csv(
    table: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    plan: str | None = None,
    period: str | None = None,
) -> Response:
    """Tables: coverage, gaps, indirect, actions-without-goals, fragile, overlap, and with a follow-up
    status and paper. Labels in ``?lang=`` (sv or en, the other where one is missing); IRIs beside them."""
    if table not in CSV_TABLES:
        raise HTTPException(404, f"no table {table!r}; tables: {', '.join(CSV_TABLES)}")
    lang = page_lang(request)

    def build() -> tuple[list[str], list[list[Any]]] | None:
        report = plan_report(store, settings, plan)
        data = {**report_json(report, settings), **_extras(store, settings, report, period)}
        return _tables(data, view_names(plan_view(store, settings, report.plan), lang)).get(table)

    found = await run_in_threadpool(build)
    if found is None:
        raise HTTPException(404, f"the plan has no follow-up, so no table {table!r}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(found[0])
    writer.writerows(found[1])
    slug = (plan or "senaste").rstrip("/").rsplit("/", 1)[-1] or "plan"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_safe(slug)}-{table}.csv"'},
    )


def _safe(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "-_.") or "plan"


# ------------------------------------------------------------------ drill-down


@router.get("/coverage", response_class=HTMLResponse, tags=["pages"], summary="One strategy's goals and insatser")
async def coverage_page(
    request: Request, store: StoreDep, settings: SettingsDep, strategy: str, plan: str | None = None
) -> Response:
    """The strategy's goal tree with every goal's coverage and the insatser that serve it."""
    lang = page_lang(request)

    def build() -> dict[str, Any]:
        report = plan_report(store, settings, plan)
        view = plan_view(store, settings, report.plan)
        found = next((s for s in report.strategies if s.iri == strategy), None)
        if found is None or strategy not in view:
            raise HTTPException(404, f"the plan does not cover a strategy {strategy!r}")
        trees = goal_tree(view, strategy)
        # Insatser that cite the strategy as a whole (through an effect, or directly in invalid data).
        citing = [n for n in view.predecessors(strategy) if view.edges[n, strategy]["relation"] == "serves"]
        cited = {a for n in citing for a in (n, *view.predecessors(n)) if view.nodes[a]["kind"] == "action"}
        return {
            "plan": report.plan,
            "plan_label": report.plan_label,
            "strategy": found,
            "trees": trees,
            "cited": sorted(cited, key=natural_key),
            "names": view_names(view, lang),
        }

    context = await run_in_threadpool(lambda: answered(build))
    return render(request, "coverage.html.jinja", href=lambda iri: local_href(iri, settings), **context)
