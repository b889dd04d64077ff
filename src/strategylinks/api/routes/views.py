"""The browser views and their JSON twins: gap dashboard, alignment graph, named queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...errors import StrategyLinksError
from ...followup import STATUS_ORDER, period_iri
from ...network import alignment_graph, choose_period, followup_periods
from ...reports import GapReport, gap_report, resolve_plan
from ...stats import stats
from ...store import StoreError
from ...viz import render as render_graph
from ...viz import to_pyvis
from ..deps import SettingsDep, StoreDep
from ..models import GapReportModel, GraphModel, NamedQueryModel
from ..pages import html_response, local_href, localized, page_lang, render, term_view
from ..settings import ServerSettings
from ..store import EngineError, KnowledgeStore, QueryTimeout, SparqlError

router = APIRouter()


def _report(store: KnowledgeStore, settings: ServerSettings, plan: str | None) -> GapReport:
    try:
        return store.cached(f"gaps:{plan}", lambda: gap_report(store.engine, plan, settings))  # type: ignore[no-any-return]
    except StoreError as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None
    except StrategyLinksError as exc:
        raise HTTPException(404, exc.message) from None


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


def _rows(store: KnowledgeStore, settings: ServerSettings, name: Any, params: dict[str, str]) -> list[dict[str, str]]:
    found = queries.rows(queries.run(store.engine, name, params, settings=settings))
    return [{k: str(v) for k, v in r.items() if v is not None} for r in found]


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
        for r in _rows(store, settings, "status-per-priority", params):
            entry = priorities.setdefault(
                r["priority"], {"iri": r["priority"], "label": r.get("priorityLabel", r["priority"]), "counts": {}}
            )
            entry["counts"][r.get("statusNotation", "")] = int(r["actions"])
        statuses = [s for s in (*STATUS_ORDER, "") if any(s in p["counts"] for p in priorities.values())]
        totals = {s: sum(p["counts"].get(s, 0) for p in priorities.values()) for s in statuses}
        outcome = _rows(store, settings, "plan-vs-outcome", params)
        paper = _rows(store, settings, "paper-coverage", params)
        status_of = {
            r["action"]: r.get("statusNotation", "")
            for r in _rows(store, settings, queries.views(settings)["followup-status"], params)
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
        fragile = _rows(store, settings, "fragile-goals", {"plan": plan})
        overlap = [
            r
            for r in _rows(store, settings, "strategy-overlap", {"plan": plan})
            if r["strategy"] < r["other"]  # each pair once, not the diagonal
        ]
        overlap.sort(key=lambda r: (-int(r["actions"]), r.get("strategyLabel", ""), r.get("otherLabel", "")))
        return {
            "fragile": [{**r, "href": local_href(r["goal"], settings)} for r in fragile],
            "overlap": overlap,
        }

    return store.cached(f"network-summary:{plan}", build)  # type: ignore[no-any-return]


@router.get("/", response_class=HTMLResponse, tags=["pages"], summary="Gap dashboard (HTML)")
async def dashboard(
    request: Request, store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> Response:
    report = await run_in_threadpool(_report, store, settings, plan)
    extra = await run_in_threadpool(_extras, store, settings, report.plan, period)
    view = queries.views(settings)["sibling-plans"]
    plans = await run_in_threadpool(
        store.cached,
        f"plans:{report.plan}",
        lambda: queries.rows(queries.run(store.engine, view, {"plan": report.plan}, settings=settings)),
    )
    choices = [
        {"iri": str(p["sibling"]), "label": str(p["siblingLabel"] or p["sibling"]), "year": str(p["year"])}
        for p in plans
    ]
    return render(request, "dashboard.html.jinja", report={**report_json(report, settings), **extra}, plans=choices)


def _extras(store: KnowledgeStore, settings: ServerSettings, plan: str, period: str | None) -> dict[str, Any]:
    try:
        return {
            "followup": _followup(store, settings, plan, period),
            "network": _network_summary(store, settings, plan),
        }
    except StoreError as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None
    except StrategyLinksError as exc:
        raise HTTPException(404, exc.message) from None


@router.get("/api/gaps", response_model=GapReportModel, tags=["api"], summary="Gap report (JSON twin of /)")
async def api_gaps(
    store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> dict[str, Any]:
    report = await run_in_threadpool(_report, store, settings, plan)
    extra = await run_in_threadpool(_extras, store, settings, report.plan, period)
    return {**report_json(report, settings), **extra}


def _view(store: KnowledgeStore, settings: ServerSettings, plan: str | None, period: str | None = None) -> Any:
    """The plan's alignment view (networkx), cached per resolved plan and period."""
    try:
        iri, label = store.cached(f"plan:{plan}", lambda: resolve_plan(store.engine, plan, settings))
        term = None if period is None else period_iri(period, settings.base_iri)

        def build() -> Any:
            view = alignment_graph(store.engine, iri, settings, period=term)
            view.graph["plan_label"] = label
            return view

        return store.cached(f"view:{iri}:{term}", build)
    except StoreError as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None
    except StrategyLinksError as exc:
        raise HTTPException(404, exc.message) from None


def _graph_html(
    store: KnowledgeStore, settings: ServerSettings, plan: str | None, period: str | None, lang: str, switch: str
) -> str:
    view = _view(store, settings, plan, period)
    return store.cached(  # type: ignore[no-any-return]
        f"graph:{view.graph['plan']}:{view.graph.get('period')}:{lang}:{switch}",
        lambda: render_graph(
            view, settings, server=True, lang=lang, plan_label=view.graph["plan_label"], lang_switch=switch
        ),
    )


@router.get("/graph", response_class=HTMLResponse, tags=["pages"], summary="Alignment graph (HTML)")
async def graph_page(
    request: Request, store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> Response:
    lang = page_lang(request)
    # The switch link keeps only plan and period: the page's own state is carried over by its script.
    keep = [(k, v) for k, v in (("plan", plan), ("period", period)) if v]
    switch = "/graph?" + urlencode([*keep, ("lang", "en" if lang == "sv" else "sv")])
    page = await run_in_threadpool(_graph_html, store, settings, plan, period, lang, switch)
    return html_response(request, page)


@router.get("/api/graph", response_model=GraphModel, tags=["api"], summary="Alignment graph (JSON twin of /graph)")
async def api_graph(
    store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> dict[str, Any]:
    view = await run_in_threadpool(_view, store, settings, plan, period)
    nodes, edges, *_ = to_pyvis(view).get_network_data()
    return {"plan": view.graph["plan"], "nodes": nodes, "edges": edges}


def _network(store: KnowledgeStore, settings: ServerSettings, plan: str | None) -> Any:
    from ...analysis import analyse

    view = _view(store, settings, plan)
    return store.cached(f"network:{view.graph['plan']}", lambda: analyse(view))


@router.get("/network", response_class=HTMLResponse, tags=["pages"], summary="What the network says (HTML)")
async def network_page(request: Request, store: StoreDep, settings: SettingsDep, plan: str | None = None) -> Response:
    def build() -> tuple[Any, Any]:
        try:
            return _network(store, settings, plan), _view(store, settings, plan)
        except StoreError as exc:
            raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None

    report, view = await run_in_threadpool(build)
    plan_label = view.graph["plan_label"]
    names = {n: localized(d, page_lang(request)) for n, d in view.nodes(data=True)}
    return render(
        request,
        "network.html.jinja",
        report=report,
        plan=view.graph["plan"],
        plan_label=plan_label,
        names=names,
        href=lambda iri: local_href(iri, settings),
    )


@router.get("/api/network", tags=["api"], summary="What the alignment graph says (bridges, overlap, fragile, clusters)")
async def api_network(
    store: StoreDep, settings: SettingsDep, plan: str | None = None, kind: str | None = None
) -> dict[str, Any]:
    """The network analyses of a plan (all of them, or ``kind``: bridges, overlap, fragile or clusters)."""
    from ...analysis import KINDS

    if kind is not None and kind not in KINDS:
        raise HTTPException(400, f"kind must be one of {', '.join(KINDS)}")
    report = await run_in_threadpool(_network, store, settings, plan)
    return report.as_json(kind)  # type: ignore[no-any-return]


@router.get("/api/stats", tags=["api"], summary="Counts of the dataset's parts")
async def api_stats(store: StoreDep, settings: SettingsDep) -> dict[str, object]:
    return await run_in_threadpool(store.cached, "stats", lambda: stats(store.engine, settings))


def _named(name: str, settings: ServerSettings) -> dict[str, Any]:
    q = queries.available(settings)[name]
    return {
        "name": name,
        "title": q.title,
        "description": q.description,
        "parameters": [{"name": p.name, "type": p.type, "description": p.description} for p in q.params],
        "text": q.text,
        "href": f"/api/queries/{name}",
    }


@router.get("/api/queries", response_model=list[NamedQueryModel], tags=["api"], summary="The named queries")
async def api_queries(settings: SettingsDep) -> list[dict[str, Any]]:
    return [_named(name, settings) for name in queries.available(settings)]


@router.get("/api/queries/{name}", tags=["api"], summary="Run a named query (SPARQL JSON results)")
async def api_run_query(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Parameters are the query's own (see /api/queries), given as URL parameters and bound as RDF terms."""
    if name not in queries.available(settings):
        raise HTTPException(404, f"no named query {name!r}; see /api/queries")
    params = {k: v for k, v in request.query_params.items() if k != "format"}

    def run() -> bytes:
        result = queries.run(store.engine, name, params, settings=settings)
        out = result.serialize(format="json")
        assert out is not None
        return out

    try:
        body = await run_in_threadpool(run)
    except StoreError as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None
    except StrategyLinksError as exc:
        raise HTTPException(400, exc.message) from None
    return Response(body, media_type="application/sparql-results+json")


EXAMPLE_QUERY = """PREFIX sl:      <https://w3id.org/strategylinks/ontology#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org:     <http://www.w3.org/ns/org#>

SELECT ?goal ?label WHERE {
  ?goal a sl:StrategyGoal ; skos:prefLabel ?label .
  FILTER (lang(?label) = "sv")
}
LIMIT 20
"""


def _table(result: Any, settings: ServerSettings) -> dict[str, Any]:
    """A query result as the page's table: every cell a term view, at most the result limit of rows."""
    limit = settings.result_limit
    if result.type == "ASK":
        return {"vars": [], "rows": [], "boolean": bool(result.askAnswer), "truncated": False}
    if result.type == "SELECT":
        variables = list(result.vars)
        rows = [
            [term_view(row[v], settings) if row.get(v) is not None else None for v in variables]
            for row in result.bindings[:limit]
        ]
        return {
            "vars": [str(v) for v in variables],
            "rows": rows,
            "boolean": None,
            "truncated": len(result.bindings) > limit,
        }
    triples = sorted(result.graph)
    return {
        "vars": ["s", "p", "o"],
        "rows": [[term_view(t, settings) for t in triple] for triple in triples[:limit]],
        "boolean": None,
        "truncated": len(triples) > limit,
    }


def _query_page(
    request: Request, store: KnowledgeStore, settings: ServerSettings, text: str | None, name: str | None, run: bool
) -> Response:
    named = queries.available(settings)
    if name in named and text is None:
        text = named[name].text
    context: dict[str, Any] = {
        "named": list(named.values()),
        "named_json": {n: q.text for n, q in named.items()},
        "text": text or EXAMPLE_QUERY,
        # ?plain=1 keeps the plain form even where YASGUI is installed.
        "plain": request.query_params.get("plain") == "1",
        "yasgui": (settings.viz_path / "vendor" / "yasgui" / "yasgui.min.js").is_file()
        and request.query_params.get("plain") != "1",
        "result": None,
        "error": None,
    }
    if run and text:
        try:
            context["result"] = _table(store.result(text), settings)
        except (SparqlError, QueryTimeout, EngineError) as exc:
            context["error"] = str(exc)
    return render(request, "query.html.jinja", 400 if context["error"] else 200, **context)


@router.get("/query", response_class=HTMLResponse, tags=["pages"], summary="Query editor (HTML)")
async def query_page(
    request: Request, store: StoreDep, settings: SettingsDep, name: str | None = None, query: str | None = None
) -> Response:
    return await run_in_threadpool(_query_page, request, store, settings, query, name, query is not None)


@router.post("/query", response_class=HTMLResponse, tags=["pages"], summary="Run a query from the plain form")
async def query_form(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    text = form.get("query", [""])[0]
    return await run_in_threadpool(_query_page, request, store, settings, text, None, True)
