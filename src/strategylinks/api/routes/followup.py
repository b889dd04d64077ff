"""The follow-up form: status, comment and evidence per insats of a plan for a period. With the update
token it saves through the validated write path (the period's follow-up graph replaced in one
transaction, refused whole if it breaks the shapes); without it, it shows the follow-up read-only."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from ... import queries
from ...errors import StrategyLinksError
from ...followup import COLUMNS, STATUSES, Period, build_followups, now, parse_period, period_iri, plan_actions
from ...graph import graph_name
from ...network import followup_periods
from ...reports import resolve_plan
from ...store import StoreError
from ..deps import SettingsDep, StoreDep
from ..pages import local_href, render
from ..plans import answered
from ..settings import ServerSettings
from ..store import EngineError, KnowledgeStore, UpdateRejected
from .sparql import ProtocolError, read_body, token_matches

router = APIRouter(tags=["pages"])


def _period_text(iri: str, settings: ServerSettings) -> str:
    """The period as the form shows it (``2022``), from its IRI."""
    prefix = settings.base_iri + "id/period/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def _state(store: KnowledgeStore, settings: ServerSettings, plan: str | None, period: str | None) -> dict[str, Any]:
    """What the form shows: the plan's insatser with their follow-up in the period, if any."""
    plan_iri, plan_label = resolve_plan(store.engine, plan, settings)
    periods = followup_periods(store.engine, plan_iri, settings)
    if period:
        chosen = parse_period(period) if "/" not in period and ":" not in period else None
        text = chosen.text if chosen else _period_text(period, settings)
    elif periods:
        text = _period_text(periods[0]["iri"], settings)
    else:  # never followed up: the plan's own year
        found = store.engine.query(
            "SELECT ?year WHERE { ?plan <https://w3id.org/strategylinks/ontology#planYear> ?year }",
            {"plan": URIRef(plan_iri)},
        )
        years = [str(row[0]) for row in found]  # type: ignore[index]
        text = years[0] if years else str(date.today().year)
    parse_period(text)  # a period the import can name
    current: dict[str, dict[str, str]] = {}
    iri = period_iri(text, settings.base_iri)
    if iri in {p["iri"] for p in periods}:
        view = queries.views(settings)["followup-status"]
        for r in queries.rows(queries.run(store.engine, view, {"plan": plan_iri, "period": iri}, settings=settings)):
            current[str(r["action"])] = {
                "status": str(r["statusNotation"] or ""),
                "comment": str(r["comment"] or ""),
                "evidence": str(r["evidence"] or ""),
            }
    actions = plan_actions(store.engine, plan_iri, settings)
    return {
        "plan": plan_iri,
        "plan_label": plan_label,
        "period": text,
        "periods": [{"text": _period_text(p["iri"], settings), "label": p["label"]} for p in periods],
        "actions": [
            {
                "iri": str(a.iri),
                "href": local_href(str(a.iri), settings),
                "label": a.label,
                "priority": a.priority,
                "row": a.row,
                **current.get(str(a.iri), {"status": "", "comment": "", "evidence": ""}),
            }
            for a in actions
        ],
        "statuses": list(STATUSES),
    }


def _page(request: Request, state: dict[str, Any], status_code: int = 200, **extra: Any) -> HTMLResponse:
    settings: ServerSettings = request.app.state.settings
    return render(
        request,
        "followup.html.jinja",
        status_code=status_code,
        editable=settings.update_token is not None,
        **state,
        **extra,
    )


@router.get("/followup", response_class=HTMLResponse, summary="Follow-up form of a plan (HTML)")
async def followup_form(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    plan: str | None = None,
    period: str | None = None,
    saved: str | None = None,
) -> Response:
    state = await run_in_threadpool(answered, lambda: _state(store, settings, plan, period))
    return _page(request, state, saved=saved is not None)


def _save(
    store: KnowledgeStore, settings: ServerSettings, fields: dict[str, list[str]]
) -> tuple[dict[str, Any], list[str], str | None]:
    """Read the form into follow-ups and write them; (state, problems, the SHACL report if refused)."""

    def one(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()

    state = _state(store, settings, one("plan") or None, one("period") or None)
    period: Period = parse_period(state["period"])
    rows: list[list[str]] = [list(COLUMNS)]
    entered: dict[str, dict[str, str]] = {}
    for number in range(len(state["actions"])):
        iri = one(f"action-{number}")
        if not iri:
            continue
        values = {
            "status": one(f"status-{number}"),
            "comment": one(f"comment-{number}"),
            "evidence": one(f"evidence-{number}"),
        }
        entered[iri] = values
        rows.append([iri, "", "", "", "", values["status"], values["comment"], values["evidence"]])
    for action in state["actions"]:  # show what was entered, also when it is refused
        action.update(entered.get(action["iri"], {}))
    publisher = store.engine.query(
        "SELECT ?who WHERE { ?plan <http://purl.org/dc/terms/publisher> ?who }", {"plan": URIRef(state["plan"])}
    )
    reporters = [row[0] for row in publisher]  # type: ignore[index]
    if not reporters:
        return state, ["the plan names no publisher, so the follow-up has no reporter"], None
    actions = plan_actions(store.engine, state["plan"], settings)
    result = build_followups(
        rows, actions, state["plan"], period, URIRef(str(reporters[0])), now(), settings, Path("formuläret")
    )
    problems = [f"rad {p.row - 1}: {p.message}" for p in result.errors]
    if problems:
        return state, problems, None
    if not result.recorded:
        return state, ["ingen insats har en status / no action has a status"], None
    slug = state["plan"].rstrip("/").rsplit("/", 1)[-1]
    name = graph_name(
        settings.data_path / "followup" / f"{slug}-{period.slug}.ttl", settings.data_path, settings.base_iri
    )
    try:
        store.write_graph(name, result.graph, merge=False, description=f"follow-up form: {state['plan']} {period.text}")
    except UpdateRejected as exc:
        return state, [], exc.report.text("sv")
    return state, [], None


@router.post("/followup", response_class=HTMLResponse, summary="Save the follow-up form (needs the update token)")
async def followup_save(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        body = await read_body(request, settings)
    except ProtocolError as exc:
        return HTMLResponse(exc.message, status_code=exc.status)
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    token = (fields.get("token") or [""])[0]
    if not token_matches(token, settings):
        reason = "this server is read-only" if settings.update_token is None else "wrong or missing update token"
        return HTMLResponse(f"refused: {reason}", status_code=403)
    try:
        state, problems, report = await run_in_threadpool(_save, store, settings, fields)
    except (StoreError, EngineError) as exc:
        return HTMLResponse(f"the store failed; nothing was saved: {exc}", status_code=500)
    except StrategyLinksError as exc:
        return HTMLResponse(exc.message, status_code=400)
    if problems or report:
        return _page(request, state, 422, problems=problems, report=report)
    query = urlencode({"plan": state["plan"], "period": state["period"], "saved": "1"})
    return RedirectResponse(f"/followup?{query}", status_code=303)
