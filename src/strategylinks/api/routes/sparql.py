"""The SPARQL 1.1 Protocol endpoint: query by GET, form POST or direct POST; update by POST with a token."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from starlette.concurrency import run_in_threadpool

from ...namespaces import FORMATS_NS, SD, VOID
from ...results import GRAPH, TABULAR, best_match, media_type_for, serialize_graph, serialize_result
from ...store import StoreError
from ...store.remote import parse_answer, virtuoso_ask
from ...store.sparqltext import query_form
from ..deps import SettingsDep, StoreDep
from ..settings import ServerSettings
from ..store import EngineError, KnowledgeStore, QueryTimeout, SparqlError, UpdateRejected

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
USING_PARAMS = ("using-graph-uri", "using-named-graph-uri")


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Operation:
    """What a request asks for, after the protocol's rules are applied."""

    query: str | None = None
    update: str | None = None
    params: dict[str, list[str]] = field(default_factory=dict)

    def values(self, name: str) -> list[str]:
        return self.params.get(name, [])


def _error(exc: ProtocolError) -> Response:
    return Response(
        exc.message + "\n", status_code=exc.status, media_type="text/plain; charset=utf-8", headers=exc.headers
    )


def _collect(pairs: list[tuple[str, str]], into: dict[str, list[str]]) -> None:
    for key, value in pairs:
        into.setdefault(key, []).append(value)


def _media_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    kind, _, rest = header.partition(";")
    params = {}
    for part in rest.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            params[key.lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), params


def _decode(body: bytes, params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset!r}: the SPARQL protocol requires UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not valid UTF-8") from None


def read_operation(method: str, query_string: str, content_type: str | None, body: bytes) -> Operation:
    """Apply the protocol's rules for where the query or update comes from (SPARQL 1.1 Protocol §2)."""
    params: dict[str, list[str]] = {}
    try:
        _collect(parse_qsl(query_string, keep_blank_values=True, strict_parsing=False, errors="strict"), params)
    except UnicodeDecodeError:
        raise ProtocolError(400, "the query string is not valid UTF-8") from None
    op = Operation(params=params)
    if method == "GET":
        if "update" in params:
            raise ProtocolError(400, "an update must be sent with POST, not GET")
    else:
        kind, ctype_params = _media_type(content_type)
        if kind == FORM:
            text = _decode(body, ctype_params)
            form: dict[str, list[str]] = {}
            _collect(parse_qsl(text, keep_blank_values=True), form)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif kind == QUERY_TYPE:
            if "query" in params or "update" in params:
                raise ProtocolError(400, "a direct POST carries the query in the body, not in the URL")
            params["query"] = [_decode(body, ctype_params)]
        elif kind == UPDATE_TYPE:
            if "query" in params or "update" in params:
                raise ProtocolError(400, "a direct POST carries the update in the body, not in the URL")
            params["update"] = [_decode(body, ctype_params)]
        else:
            shown = kind or "none"
            raise ProtocolError(
                415,
                f"unsupported content type {shown}: send {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
            )
    queries, updates = params.get("query", []), params.get("update", [])
    if len(queries) + len(updates) > 1:
        raise ProtocolError(400, "a request carries exactly one query or one update, not several")
    op.query = queries[0] if queries else None
    op.update = updates[0] if updates else None
    if method == "POST" and op.query is None and op.update is None:
        raise ProtocolError(400, "the request has no query and no update")
    if op.update is not None and any(params.get(p) for p in DATASET_PARAMS):
        raise ProtocolError(400, "an update takes using-graph-uri / using-named-graph-uri, not default-graph-uri")
    if op.query is not None and any(params.get(p) for p in USING_PARAMS):
        raise ProtocolError(400, "a query takes default-graph-uri / named-graph-uri, not using-graph-uri")
    return op


def negotiate(accept: str | None, format_param: str | None, offered: dict[str, str]) -> str:
    """The media type to answer with: a ``format=`` this kind of result offers, else the Accept header
    (clients such as SPARQLWrapper send format=xml for every query, meaning RDF/XML for a graph);
    406 if nothing fits."""
    choices = list(offered)
    if format_param:
        wanted = media_type_for(format_param, offered)
        if wanted is not None:
            return wanted
    if not accept or not accept.strip():
        return choices[0]
    try:
        best = best_match(choices, accept)
    except ValueError:
        raise ProtocolError(400, f"malformed Accept header {accept!r}") from None
    if not best:
        raise ProtocolError(406, f"cannot answer in {accept!r}; available: {', '.join(choices)}")
    return best


def render_answer(
    kind: str, body: bytes, engine_media: str, media_type: str, limit: int, *, passthrough: bool = True
) -> tuple[bytes, bool]:
    """The engine's answer in the negotiated media type, cut at ``limit`` rows or triples. With
    ``passthrough``, SPARQL JSON within the limit goes out untouched (the common case costs no conversion);
    without it, every term is read and written again (a remote store's lexical forms, such as Virtuoso's
    ``"1"^^xsd:boolean``, come out canonical, as from the embedded store)."""
    truncated = False
    if kind in ("CONSTRUCT", "DESCRIBE"):
        result = parse_answer(body, engine_media)
        if result.graph is not None and len(result.graph) > limit:
            kept = Graph()
            for n, triple in enumerate(sorted(result.graph)):
                if n >= limit:
                    break
                kept.add(triple)
            result.graph = kept
            truncated = True
        return serialize_result(result, media_type), truncated
    document = json.loads(body)
    answer = virtuoso_ask(document)
    if answer is not None:
        document = {"head": {}, "boolean": answer}
        body, passthrough = json.dumps(document).encode("utf-8"), False
    bindings = document.get("results", {}).get("bindings")
    if isinstance(bindings, list) and len(bindings) > limit:
        document["results"]["bindings"] = bindings[:limit]
        body, truncated = json.dumps(document, ensure_ascii=False).encode("utf-8"), True
    if passthrough and media_type in ("application/sparql-results+json", "application/json"):
        return body, truncated
    return serialize_result(parse_answer(body, "application/sparql-results+json"), media_type), truncated


def token_matches(token: str, settings: ServerSettings) -> bool:
    """Whether ``token`` is the server's update token (compared in constant time); never without one."""
    if settings.update_token is None:
        return False
    expected = settings.update_token.get_secret_value().encode("utf-8")
    # Bytes, so that any value compares in constant time without raising.
    given = token.strip().encode("utf-8", errors="surrogateescape")
    return bool(given) and hmac.compare_digest(given, expected)


def _authorised(request: Request, settings: ServerSettings) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and token_matches(token, settings)


def require_token(request: Request, settings: ServerSettings, what: str) -> None:
    """403 unless the request carries the update token (and the server has one)."""
    if not _authorised(request, settings):
        reason = (
            "this server is read-only"
            if settings.update_token is None
            else f"{what}s need the header Authorization: Bearer <token>"
        )
        raise ProtocolError(403, f"{what} refused: {reason}", {"WWW-Authenticate": 'Bearer realm="sparql"'})


def run_query(op: Operation, request: Request, store: KnowledgeStore, settings: ServerSettings) -> Response:
    assert op.query is not None
    offered = GRAPH if query_form(op.query) in ("CONSTRUCT", "DESCRIBE") else TABULAR
    media_type = negotiate(request.headers.get("accept"), request.query_params.get("format"), offered)
    try:
        kind, body, engine_media = store.query(
            op.query, op.values("default-graph-uri"), op.values("named-graph-uri"), base=str(request.base_url)
        )
        body, truncated = render_answer(
            kind, body, engine_media, media_type, settings.result_limit, passthrough=store.owns_engine
        )
    except QueryTimeout as exc:
        raise ProtocolError(503, str(exc), {"Retry-After": "1"}) from None
    except (EngineError, StoreError) as exc:
        raise ProtocolError(500, f"the query engine failed on a valid query: {exc}") from None
    except SparqlError as exc:
        raise ProtocolError(400, str(exc)) from None
    headers = {"Vary": "Accept"}
    if truncated:
        headers["X-SPARQL-MaxRows"] = str(settings.result_limit)
    charset = "; charset=utf-8" if media_type.startswith("text/") or "json" in media_type else ""
    return Response(body, media_type=media_type + charset, headers=headers)


def run_update(op: Operation, request: Request, store: KnowledgeStore, settings: ServerSettings) -> Response:
    assert op.update is not None
    require_token(request, settings, "update")
    try:
        version = store.update(
            op.update,
            str(request.base_url),
            op.values("using-graph-uri"),
            op.values("using-named-graph-uri"),
            confirm_drop_all="drop-all" in op.values("confirm"),
        )
    except SparqlError as exc:
        raise ProtocolError(400, str(exc)) from None
    except QueryTimeout as exc:
        raise ProtocolError(503, f"{exc}; nothing was applied", {"Retry-After": "1"}) from None
    except (EngineError, StoreError) as exc:
        raise ProtocolError(500, f"the store failed; nothing was applied: {exc}") from None
    except UpdateRejected as exc:
        return rejection(exc, "the update would break the shapes and was not applied; the data is unchanged")
    return Response(status_code=204, headers={"X-Dataset-Version": str(version)})


def rejection(exc: UpdateRejected, message: str) -> JSONResponse:
    """422 with the SHACL report of a write that would break the shapes."""
    report = exc.report
    content = {
        "conforms": False,
        "message": message,
        "violations": [
            {
                "focus": v.focus,
                "path": v.path,
                "component": v.component,
                "value": v.value,
                "message_sv": v.message_sv,
                "message_en": v.message_en,
            }
            for v in report.violations
        ],
        "report": report.text("en"),
    }
    return JSONResponse(content, status_code=422)


def service_description(request: Request, store: KnowledgeStore, settings: ServerSettings) -> Graph:
    g = Graph()
    g.bind("sd", str(SD))
    g.bind("void", str(VOID))
    service = URIRef(str(request.url_for("sparql_endpoint")))
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.update_token is not None:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in sorted(set(_FORMAT_NAMES.values())):
        g.add((service, SD.resultFormat, FORMATS_NS[name]))
    dataset = BNode()
    default = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    sizes = store.cached("graph-sizes", store.engine.graph_sizes)
    g.add((default, VOID.triples, Literal(sum(sizes.values()))))
    for name, size in sorted(sizes.items()):
        named, described = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        g.add((described, VOID.triples, Literal(size)))
    return g


_FORMAT_NAMES = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "application/json": "SPARQL_Results_JSON",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
}


def _handle(op: Operation, request: Request, store: KnowledgeStore, settings: ServerSettings) -> Response:
    try:
        if op.update is not None:
            return run_update(op, request, store, settings)
        if op.query is not None:
            return run_query(op, request, store, settings)
        graph = service_description(request, store, settings)
        media_type = negotiate(request.headers.get("accept"), request.query_params.get("format"), GRAPH)
        return Response(serialize_graph(graph, media_type), media_type=media_type, headers={"Vary": "Accept"})
    except ProtocolError as exc:
        return _error(exc)


@router.get(
    "/sparql",
    name="sparql_endpoint",
    summary="SPARQL 1.1 query (GET) or service description",
    response_class=Response,
)
async def sparql_get(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        if len(request.url.query.encode("latin-1", errors="replace")) > settings.max_request_bytes:
            raise too_large(settings)
        op = read_operation("GET", request.url.query, None, b"")
    except ProtocolError as exc:
        return _error(exc)
    return await run_in_threadpool(_handle, op, request, store, settings)


@router.post("/sparql", summary="SPARQL 1.1 query or update (POST)", response_class=Response)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    try:
        if _media_type(request.headers.get("content-type"))[0] == UPDATE_TYPE:
            require_token(request, settings, "update")  # before the body is read
        body = await read_body(request, settings)
        op = read_operation("POST", request.url.query, request.headers.get("content-type"), body)
    except ProtocolError as exc:
        return _error(exc)
    return await run_in_threadpool(_handle, op, request, store, settings)


def too_large(settings: ServerSettings) -> ProtocolError:
    return ProtocolError(
        413, f"the request is larger than this server accepts ({settings.max_request_bytes} bytes; max_request_bytes)"
    )


async def read_body(request: Request, settings: ServerSettings) -> bytes:
    """The request body, refused (413) as soon as it is known to exceed ``max_request_bytes``: by its
    Content-Length, or while it streams in, so that a huge body is never held in memory."""
    limit = settings.max_request_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(settings)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(settings)
        chunks.append(chunk)
    return b"".join(chunks)
