"""The browser views and their JSON twins: alignment graph, network, named queries, query page."""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...errors import StrategyLinksError
from ...namespaces import PREFIXES
from ...stats import stats
from ...viz import render as render_graph
from ...viz import to_pyvis
from ..deps import SettingsDep, StoreDep
from ..models import GraphModel, NamedQueryModel
from ..pages import html_response, local_href, page_lang, render, term_view
from ..plans import answered, no_plan, plan_view, resolved, run_named, view_names
from ..settings import ServerSettings
from ..store import EngineError, KnowledgeStore, QueryTimeout, SparqlError
from .sparql import ProtocolError, read_body

router = APIRouter()


def _graph_html(store: KnowledgeStore, settings: ServerSettings, view: Any, lang: str, switch: str) -> str:
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

    def build() -> str:
        view = plan_view(store, settings, plan, period)
        # The switch link keeps only the plan and period (as resolved, so that every spelling of them
        # shares one cached page); the page's own state is carried over by its script.
        keep = [("plan", view.graph["plan"])] if plan else []
        if period and view.graph.get("period"):
            keep.append(("period", view.graph["period"]))
        switch = "/graph?" + urlencode([*keep, ("lang", "en" if lang == "sv" else "sv")])
        return _graph_html(store, settings, view, lang, switch)

    try:
        return html_response(request, await run_in_threadpool(build))
    except HTTPException:
        if plan is None and await run_in_threadpool(no_plan, store, settings):
            return render(request, "empty.html.jinja")
        raise


@router.get("/api/graph", response_model=GraphModel, tags=["api"], summary="Alignment graph (JSON twin of /graph)")
async def api_graph(
    store: StoreDep, settings: SettingsDep, plan: str | None = None, period: str | None = None
) -> dict[str, Any]:
    view = await run_in_threadpool(plan_view, store, settings, plan, period)
    nodes, edges, *_ = to_pyvis(view).get_network_data()
    return {"plan": view.graph["plan"], "nodes": nodes, "edges": edges}


def _network(store: KnowledgeStore, settings: ServerSettings, plan: str | None) -> Any:
    from ...analysis import analyse

    view = plan_view(store, settings, plan)
    return store.cached(f"network:{view.graph['plan']}", lambda: analyse(view))


@router.get("/network", response_class=HTMLResponse, tags=["pages"], summary="What the network says (HTML)")
async def network_page(request: Request, store: StoreDep, settings: SettingsDep, plan: str | None = None) -> Response:
    def build() -> tuple[Any, Any]:
        return answered(lambda: _network(store, settings, plan)), plan_view(store, settings, plan)

    report, view = await run_in_threadpool(build)
    plan_label = view.graph["plan_label"]
    names = view_names(view, page_lang(request))
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
        out = run_named(store, settings, name, params).serialize(format="json")
        assert out is not None
        return out

    body = await run_in_threadpool(answered, run, 400)
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
    chosen = named.get(name) if name else None
    values = {p.name: request.query_params.get(p.name, "") for p in chosen.params} if chosen else {}
    error = None
    if chosen is not None and text is None:
        # A named query runs at once; its plan is the newest, as in the CLI, until the form says otherwise
        # (an emptied field leaves the parameter unbound).
        if "plan" in values and "plan" not in request.query_params:
            with suppress(HTTPException):  # no plan in the dataset: the query runs unbound
                values["plan"] = resolved(store, settings, None)[0]
        run = True
        try:
            text = queries.bound_text(chosen, values, settings)
        except StrategyLinksError as exc:
            text, run, error = chosen.text, False, exc.message
    context: dict[str, Any] = {
        "named": list(named.values()),
        "chosen": chosen,
        "values": values,
        "text": text or EXAMPLE_QUERY,
        # ?plain=1 keeps the plain form even where YASGUI is installed.
        "plain": request.query_params.get("plain") == "1",
        "yasgui": (settings.viz_path / "vendor" / "yasgui" / "yasgui.min.js").is_file()
        and request.query_params.get("plain") != "1",
        "views": {
            folder: (settings.viz_path / "vendor" / folder).is_dir()
            for folder in ("chartjs", "pivottable", "jquery", "jquery-ui")
        },
        "run": run,
        "result": None,
        "error": error,
        "prefixes": PREFIXES,
    }
    if run and text:  # with YASGUI too: the table is what a browser without scripts shows
        try:
            context["result"] = _table(store.result(text), settings)
        except (SparqlError, QueryTimeout, EngineError) as exc:
            context["error"] = str(exc)
    return render(request, "query.html.jinja", 400 if context["error"] else 200, **context)


@router.get("/query", response_class=HTMLResponse, tags=["pages"], summary="Query editor (HTML)")
async def query_page(
    request: Request, store: StoreDep, settings: SettingsDep, name: str | None = None, query: str | None = None
) -> Response:
    run = query is not None or request.query_params.get("run") == "1"
    return await run_in_threadpool(_query_page, request, store, settings, query, name, run)


@router.post("/query", response_class=HTMLResponse, tags=["pages"], summary="Run a query from the plain form")
async def query_form(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        body = await read_body(request, settings)
    except ProtocolError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain; charset=utf-8")
    form = parse_qs(body.decode("utf-8", errors="replace"))
    text = form.get("query", [""])[0]
    return await run_in_threadpool(_query_page, request, store, settings, text, None, True)
