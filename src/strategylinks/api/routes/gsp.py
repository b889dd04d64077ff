"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``: read a graph (anyone), replace, add to or delete
it (with the update token), each write validated against the shapes before it is committed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from ...errors import InputError
from ...graph import bind_prefixes, parse_bytes
from ...results import GRAPH, serialize_graph
from ...store import StoreError
from ...store.terms import is_iri
from ..deps import SettingsDep, StoreDep
from ..settings import ServerSettings
from ..store import EngineError, KnowledgeStore, SparqlError, UpdateRejected
from .sparql import ProtocolError, _error, _media_type, negotiate, read_body, rejection, require_token

router = APIRouter(tags=["graph store"])

#: Request bodies the store reads (media type → rdflib parser); N-Quads and TriG carry graphs of their
#: own, which a request about one graph cannot take.
READABLE = {**GRAPH, "text/n3": "n3", "application/x-turtle": "turtle", "text/plain": "nt"}
METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


def _target(request: Request) -> URIRef | None:
    """The graph the request is about: ``?graph=IRI`` or ``?default`` (exactly one of them)."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if (default and graphs) or len(graphs) > 1:
        raise ProtocolError(400, "name one graph: either ?default or one ?graph=IRI")
    if not default and not graphs:
        raise ProtocolError(
            400,
            "name the graph: ?graph=IRI for a named graph, ?default for the default graph (the Graph Store "
            "Protocol's indirect identification)",
        )
    if default:
        return None
    iri = graphs[0]
    if not is_iri(iri):
        raise ProtocolError(400, f"the graph name {iri!r} is not an absolute IRI")
    return URIRef(iri)


def _read(request: Request, store: KnowledgeStore, head: bool) -> Response:
    name = _target(request)
    media_type = negotiate(request.headers.get("accept"), request.query_params.get("format"), GRAPH)
    try:
        graph = store.graph(name)
    except (EngineError, StoreError) as exc:
        raise ProtocolError(500, f"the store failed: {exc}") from None
    if graph is None:
        raise ProtocolError(404, f"there is no graph {name}")
    body = serialize_graph(bind_prefixes(graph), media_type)
    headers = {"Vary": "Accept", "Content-Length": str(len(body))}
    return Response(b"" if head else body, media_type=media_type, headers=headers)


def _write(request: Request, store: KnowledgeStore, settings: ServerSettings, method: str, body: bytes) -> Response:
    name = _target(request)
    require_token(request, settings, "write")
    if name is None and not store.owns_engine:
        raise ProtocolError(
            400,
            "the default graph of a store this server fronts is not written here (stores disagree on what it is): "
            "name a named graph with ?graph=IRI",
        )
    triples = None
    if method != "DELETE":
        media, params = _media_type(request.headers.get("content-type"))
        if media not in READABLE:
            raise ProtocolError(
                415,
                f"cannot read {media or 'a body without a Content-Type'}; send one of " + ", ".join(sorted(READABLE)),
            )
        try:
            data = body.decode(params.get("charset", "utf-8")).encode("utf-8")
        except (LookupError, UnicodeDecodeError) as exc:
            raise ProtocolError(400, f"the request body cannot be decoded: {exc}") from None
        base = str(name) if name is not None else str(request.url)
        try:
            triples = parse_bytes(data, READABLE[media], "the request body", base)
        except InputError as exc:
            raise ProtocolError(400, str(exc)) from None
    what = "the default graph" if name is None else f"<{name}>"
    description = {"PUT": f"PUT {what} (replace)", "POST": f"POST {what} (add)", "DELETE": f"DELETE {what}"}[method]
    try:
        version, existed = store.write_graph(name, triples, merge=method == "POST", description=description)
    except SparqlError as exc:
        raise ProtocolError(400, str(exc)) from None
    except (EngineError, StoreError) as exc:
        raise ProtocolError(500, f"the store failed; nothing was applied: {exc}") from None
    except UpdateRejected as exc:
        return rejection(exc, "the request would break the shapes and was not applied; the data is unchanged")
    if method == "DELETE" and name is not None and not existed:
        raise ProtocolError(404, f"there is no graph {name}")
    status = 201 if method != "DELETE" and not existed and name is not None else 204
    return Response(status_code=status, headers={"X-Dataset-Version": str(version)})


def _handle(request: Request, store: KnowledgeStore, settings: ServerSettings, body: bytes) -> Response:
    try:
        if request.method in ("GET", "HEAD"):
            return _read(request, store, head=request.method == "HEAD")
        return _write(request, store, settings, request.method, body)
    except ProtocolError as exc:
        return _error(exc)


@router.api_route(
    "/store",
    methods=["GET", "HEAD", "PUT", "POST", "DELETE"],
    name="graph_store",
    summary="SPARQL 1.1 Graph Store HTTP Protocol: ?graph=IRI or ?default",
    response_class=Response,
)
async def graph_store(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    body = b""
    if request.method not in ("GET", "HEAD"):
        try:
            require_token(request, settings, "write")  # before the body is read
            body = await read_body(request, settings)
        except ProtocolError as exc:
            return _error(exc)
    return await run_in_threadpool(_handle, request, store, settings, body)


@router.options("/store", include_in_schema=False)
async def graph_store_options() -> Response:
    return Response(status_code=204, headers={"Allow": METHODS})
