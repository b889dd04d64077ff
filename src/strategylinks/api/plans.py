"""One plan's derived data for the pages and their JSON twins, cached per resolved plan: its gap
report, its alignment view, the previous plan's report; engine failures become HTTP errors here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx
from fastapi import HTTPException
from rdflib.query import Result

from .. import queries
from ..errors import StrategyLinksError
from ..followup import period_iri
from ..network import alignment_graph
from ..reports import GapReport, gap_report, resolve_plan
from ..store import StoreError
from .pages import Name, localized
from .settings import ServerSettings
from .store import EngineError, KnowledgeStore, QueryTimeout, SparqlError

T = TypeVar("T")


def answered(build: Callable[[], T], missing: int = 404) -> T:
    """``build()``, with an engine that does not answer as 503 and a user error (no such plan) as
    ``missing``: the one place the pages turn library errors into HTTP errors (a query that runs out
    of time is a 503 too)."""
    try:
        return build()
    except StoreError as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc.message}") from None
    except (QueryTimeout, EngineError) as exc:
        raise HTTPException(503, f"the query engine did not answer: {exc}") from None
    except SparqlError as exc:
        raise HTTPException(missing, str(exc)) from None
    except StrategyLinksError as exc:
        raise HTTPException(missing, exc.message) from None


def resolved(store: KnowledgeStore, settings: ServerSettings, plan: str | None) -> tuple[str, str]:
    """IRI and title of the plan asked for (the newest when ``None``)."""
    found: tuple[str, str] = answered(
        lambda: store.cached(f"plan:{plan}", lambda: resolve_plan(store.engine, plan, settings))
    )
    return found


def plan_report(store: KnowledgeStore, settings: ServerSettings, plan: str | None) -> GapReport:
    iri, _ = resolved(store, settings, plan)
    report: GapReport = answered(lambda: store.cached(f"gaps:{iri}", lambda: gap_report(store.engine, iri, settings)))
    return report


def plan_view(
    store: KnowledgeStore, settings: ServerSettings, plan: str | None, period: str | None = None
) -> nx.DiGraph:
    """The plan's alignment view (networkx), with its title as ``graph["plan_label"]``."""
    iri, label = resolved(store, settings, plan)
    term = None if period is None else period_iri(period, settings.base_iri)

    def build() -> nx.DiGraph:
        view = alignment_graph(store.engine, iri, settings, period=term)
        view.graph["plan_label"] = label
        return view

    return answered(lambda: store.cached(f"view:{iri}:{term}", build))


def run_named(store: KnowledgeStore, settings: ServerSettings, name: Any, params: dict[str, str]) -> Result:
    """A named query (or its name) with its parameters. On the engine this server started it goes the
    way of /sparql, with the query timeout and beside every other reader; a remote store is asked
    through the library, which keeps the query to the project's graphs (its default graph may hold
    more, Virtuoso's does)."""
    query = queries.find(name, settings) if isinstance(name, str) else name
    if store.owns_engine:
        return store.result(queries.bound_text(query, params, settings))
    return queries.run(store.engine, query, params, settings=settings)


def rows(store: KnowledgeStore, settings: ServerSettings, name: Any, params: dict[str, str]) -> list[dict[str, str]]:
    """A named query's rows as plain strings (unbound values left out)."""
    found = queries.rows(run_named(store, settings, name, params))
    return [{k: str(v) for k, v in r.items() if v is not None} for r in found]


def previous_plan(store: KnowledgeStore, settings: ServerSettings, plan: str) -> dict[str, str] | None:
    """The publisher's plan before this one (``previous``, ``previousLabel``, ``previousYear``), if any."""

    def build() -> dict[str, str] | None:
        found = rows(store, settings, queries.views(settings)["previous-plan"], {"plan": plan})
        return found[0] if found and found[0].get("previous") else None

    row: dict[str, str] | None = answered(lambda: store.cached(f"previous:{plan}", build))
    return row


def view_names(view: nx.DiGraph, lang: str) -> dict[str, Name]:
    """The view's nodes' names in ``lang``; the plan's title is Swedish (``resolve_plan`` chooses it)."""
    names = {n: localized(d, lang) for n, d in view.nodes(data=True)}
    names[view.graph["plan"]] = Name(view.graph["plan_label"], "sv", lang)
    return names


def no_plan(store: KnowledgeStore, settings: ServerSettings) -> bool:
    """True when the dataset holds no action plan at all (the pages then say so instead of 404)."""
    try:
        resolved(store, settings, None)
    except HTTPException as exc:
        return exc.status_code == 404
    return False
