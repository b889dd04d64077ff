"""Linked data: every IRI under the base resolves here (HTML or RDF by content negotiation), with
full dumps under ``/data/`` and the DCAT / VoID description at ``/.well-known/void``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from starlette.concurrency import run_in_threadpool

from ...coverage import about
from ...export import FORMATS, describe, serialize
from ...graph import bind_prefixes, labels
from ...namespaces import ONTOLOGY_IRI, SL, graph_ns, resource_ns
from ...results import FORMAT_ALIASES, GRAPH, best_match, serialize_graph
from ...store.terms import is_iri
from ..deps import SettingsDep, StoreDep
from ..pages import local_href, page_lang, property_names, render, term_view
from ..plans import plan_view, view_names
from ..settings import ServerSettings
from ..store import KnowledgeStore

router = APIRouter(tags=["linked data"])
HTML = "text/html"
SUFFIX_TYPES = {suffix: media for _, media, suffix, _ in FORMATS.values()}


def wants(request: Request) -> str:
    """HTML for browsers (and by default), else the RDF media type asked for; 406 if none fits."""
    fmt = request.query_params.get("format")
    if fmt:
        media = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if media == HTML or fmt.lower() == "html":
            return HTML
        if media in GRAPH:
            return media
        raise HTTPException(406, f"format {fmt!r} is not offered; use html, ttl, jsonld, nt or rdf")
    offered = [HTML, *GRAPH, "application/json"]
    accept = request.headers.get("accept") or HTML
    try:
        best = best_match(offered, accept)
    except ValueError:
        raise HTTPException(400, f"malformed Accept header {accept!r}") from None
    if not best:
        raise HTTPException(406, f"cannot answer in {accept!r}; available: {', '.join(offered)}")
    # Plain JSON clients get JSON-LD, which is JSON.
    return "application/ld+json" if best == "application/json" else str(best)


def rdf_response(graph: Graph, media_type: str) -> Response:
    return Response(
        serialize_graph(bind_prefixes(graph), media_type), media_type=media_type, headers={"Vary": "Accept"}
    )


# The resource's statements, following blank nodes three levels down, and the statements that point at it.
_DESCRIBE = """CONSTRUCT { ?r ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o3 ?p4 ?o4 . ?in ?q ?r }
WHERE {
  { ?r ?p ?o
    OPTIONAL { FILTER (isBlank(?o)) ?o ?p2 ?o2
      OPTIONAL { FILTER (isBlank(?o2)) ?o2 ?p3 ?o3
        OPTIONAL { FILTER (isBlank(?o3)) ?o3 ?p4 ?o4 } } } }
  UNION { ?in ?q ?r }
}"""


def describe_resource(store: KnowledgeStore, iri: URIRef) -> Graph:
    """The resource's own statements (following blank nodes) and the statements that point at it."""
    result = store.engine.query(_DESCRIBE, {"r": iri})
    out = Graph()
    if result.graph is not None:
        out += result.graph
    return out


def graph_content(store: KnowledgeStore, name: URIRef) -> Graph:
    """A named graph's triples; empty if there is no such graph."""
    return store.graph(name) or Graph()


def _plan_of(request: Request, graph: Graph, iri: URIRef) -> str | None:
    """The plan a resource page speaks of: ``?plan=``, else the resource's own plan, else the newest."""
    return request.query_params.get("plan") or next((str(p) for p in graph.objects(iri, SL.inPlan)), None)


def _in_plan(store: KnowledgeStore, settings: ServerSettings, plan: str | None, iri: str) -> tuple[Any, Any]:
    """The plan's view and what it says about ``iri`` (``about``), or ``(None, None)`` where there is no
    plan to ask (an empty dataset, an unknown ``?plan=``) or the resource is not in it."""
    try:
        view = plan_view(store, settings, plan)
    except HTTPException:
        return None, None
    return view, about(view, iri)


def resource_page(
    request: Request, graph: Graph, iri: URIRef, settings: ServerSettings, store: KnowledgeStore, status: int = 200
) -> Response:
    lang = page_lang(request)
    view, info = _in_plan(store, settings, _plan_of(request, graph, iri), str(iri))
    nodes = {str(n) for n in set(graph.subjects()) | set(graph.objects()) | set(graph.predicates())}
    found = labels(store.engine, nodes | {str(iri)}, lang, fallback=False)
    names = {**property_names(lang), **found}
    outgoing: dict[str, list[Any]] = defaultdict(list)
    for _, p, o in sorted(graph.triples((iri, None, None))):
        outgoing[str(p)].append(term_view(o, settings, names))
    rows = [{"predicate": term_view(URIRef(p), settings, names), "values": v} for p, v in sorted(outgoing.items())]
    incoming = [
        {"subject": term_view(s, settings, names), "predicate": term_view(p, settings, names)}
        for s, p, _ in sorted(graph.triples((None, None, iri)))
        if s != iri
    ]
    types = [term_view(t, settings, names) for t in sorted(graph.objects(iri, RDF.type), key=str)]
    in_view = view_names(view, lang) if view is not None else {}
    return render(
        request,
        "resource.html.jinja",
        status,
        iri=str(iri),
        label=in_view.get(str(iri)) or found.get(str(iri), str(iri)),
        types=types,
        outgoing=rows,
        incoming=incoming,
        about=info,
        plan=view.graph["plan"] if info is not None else None,
        plan_label=view.graph["plan_label"] if info is not None else None,
        names=in_view,
        href=lambda i: local_href(i, settings),
    )


async def _resource(request: Request, store: KnowledgeStore, settings: ServerSettings, iri: URIRef) -> Response:
    media = wants(request)
    graph = await run_in_threadpool(describe_resource, store, iri)
    if not len(graph):
        if media == HTML:
            return render(
                request,
                "resource.html.jinja",
                404,
                iri=str(iri),
                label="Hittades inte / Not found",
                types=[],
                outgoing=[],
                incoming=[],
                about=None,
                names={},
            )
        raise HTTPException(404, f"no resource {iri} in the dataset")
    if media == HTML:
        return await run_in_threadpool(resource_page, request, graph, iri, settings, store)
    return rdf_response(graph, media)


def iri_of_path(iri: str) -> URIRef:
    """The IRI a request's path names; a path that makes no IRI (a quote, a space) names nothing here,
    and is a 404 rather than a query the store cannot parse."""
    if not is_iri(iri):
        raise HTTPException(404, f"no resource {iri}: not an IRI")
    return URIRef(iri)


@router.get("/id/{path:path}", summary="A resource of the dataset (HTML or RDF)", response_class=Response)
async def resource(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return await _resource(request, store, settings, iri_of_path(str(resource_ns(settings.base_iri)[path])))


@router.get("/ontology", summary="The strategylinks vocabulary (HTML or RDF)", response_class=Response)
async def ontology(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    media = wants(request)
    if media == HTML:
        iri = URIRef(ONTOLOGY_IRI)
        graph = await run_in_threadpool(describe_resource, store, iri)
        return await run_in_threadpool(resource_page, request, graph, iri, settings, store)
    graph = await run_in_threadpool(graph_content, store, graph_ns(settings.base_iri)["ontology"])
    return rdf_response(graph, media)


@router.get("/graph/{path:path}", summary="A named graph of the dataset (RDF)", response_class=Response)
async def named_graph(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    name = iri_of_path(str(graph_ns(settings.base_iri)[path]))
    graph = await run_in_threadpool(graph_content, store, name)
    if not len(graph):
        raise HTTPException(404, f"no named graph {name}")
    media = wants(request)
    if media == HTML:
        # The graph as a page: what it holds, each resource linked to its own page.
        subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str)
        names = labels(graph, {str(s) for s in subjects})
        rows = [
            {
                "predicate": term_view(URIRef("http://www.w3.org/2000/01/rdf-schema#member"), settings),
                "values": [term_view(s, settings, names) for s in subjects],
            }
        ]
        return render(
            request,
            "resource.html.jinja",
            iri=str(name),
            label=f"{path} ({len(graph)} tripler)",
            types=[],
            outgoing=rows,
            incoming=[],
        )
    return rdf_response(graph, media)


@router.get("/.well-known/void", summary="DCAT / VoID description of the dataset", response_class=Response)
async def void(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    graph = await run_in_threadpool(store.cached, "void", lambda: describe(store.snapshot(), settings))
    media = wants(request)
    if media == HTML:
        dataset = resource_ns(settings.base_iri)["dataset"]
        return await run_in_threadpool(resource_page, request, graph, dataset, settings, store)
    return rdf_response(graph, media)


@router.get("/data/", summary="The dataset's downloads", response_class=Response)
async def data_index(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    downloads = [
        {"format": name, "media_type": media, "href": f"/data/dataset.{suffix}"}
        for name, (_, media, suffix, _) in FORMATS.items()
    ]
    if request.query_params.get("format") == "json" or "json" in (request.headers.get("accept") or "")[:30]:
        return JSONResponse({"downloads": downloads, "void": "/.well-known/void"})
    sizes = await run_in_threadpool(store.cached, "graph-sizes", store.engine.graph_sizes)
    return render(
        request,
        "data.html.jinja",
        downloads=downloads,
        triples=sum(sizes.values()),
    )


@router.get("/data/dataset.{suffix}", summary="The whole dataset in one file", response_class=Response)
async def dump(suffix: str, store: StoreDep, settings: SettingsDep) -> Response:
    media = SUFFIX_TYPES.get(suffix)
    if media is None:
        raise HTTPException(404, f"no download dataset.{suffix}; see /data/")
    fmt = next(name for name, (_, m, _, _) in FORMATS.items() if m == media)
    text = await run_in_threadpool(store.cached, f"dump:{fmt}", lambda: serialize(store.snapshot(), fmt, settings))
    return Response(
        text, media_type=media, headers={"Content-Disposition": f'attachment; filename="strategylinks.{suffix}"'}
    )
