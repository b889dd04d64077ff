"""Any SPARQL 1.1 store over HTTP: the Protocol for queries and updates, the Graph Store Protocol for loads.

The project's data is its named graphs under ``{base}graph/``. A store's default graph differs from one
product to another (Oxigraph: an empty graph of its own; Virtuoso: every graph, its system graphs
included), so every query names its dataset: ``default-graph-uri`` and ``named-graph-uri`` list the
project's graphs, which gives the same union-default-graph answers as the embedded store everywhere.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any

import httpx
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from .base import Store, StoreError, StoreQueryError, StoreRefused, ask_result, graph_result, select_result
from .sparqltext import query_form, substitute, with_values
from .terms import from_json

#: What to ask for by query form: Virtuoso answers a CONSTRUCT in SPARQL JSON when that is acceptable at all.
ACCEPT_TABLE = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
GRAPH_TYPES = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
#: INSERT DATA requests carry at most this many triples (graphs with blank nodes go whole).
CHUNK_TRIPLES = 20000


class RepeatSafe(httpx.HTTPTransport):
    """Sends a request that is safe to repeat once more when the store closed the kept-alive connection
    without answering (Virtuoso does, now and then, after a 401 challenge; RFC 9110 §9.2.2). A SPARQL
    query is safe; an update is never sent twice, as it may have been carried out."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except httpx.RemoteProtocolError:
            if not is_safe(request):
                raise
            return super().handle_request(request)


def is_safe(request: httpx.Request) -> bool:
    if request.method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"):
        return True
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/sparql-query":
        return True
    if media == "application/x-www-form-urlencoded":
        fields = {part.split("=", 1)[0] for part in request.content.decode("ascii", errors="replace").split("&")}
        return "query" in fields and "update" not in fields
    return False


class ChallengeAuth(httpx.Auth):
    """Basic or Digest, whichever the server's 401 asks for (Virtuoso's protected endpoints use Digest)."""

    def __init__(self, user: str, password: str) -> None:
        self.basic = httpx.BasicAuth(user, password)
        self.digest = httpx.DigestAuth(user, password)
        self.scheme: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.scheme is not None:
            yield from self.scheme.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self.scheme = self.digest if challenge.startswith("digest") else self.basic
        yield from self.scheme.auth_flow(request)


class RemoteStore(Store):
    kind = "remote"

    def __init__(
        self,
        base_iri: str,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 300.0,
        union_default_graph: bool = False,
    ) -> None:
        super().__init__(base_iri)
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        auth = ChallengeAuth(user, password or "") if user else None
        self.client = httpx.Client(timeout=timeout, auth=auth, follow_redirects=True, transport=RepeatSafe())
        self._graphs: list[str] | None = None
        #: The store holds only the project's graphs and its default graph is their union (the Oxigraph
        #: server strategylinks starts), so queries need not list them: a list of hundreds of graphs
        #: makes every pattern slower.
        self.union_default_graph = union_default_graph

    def describe(self) -> str:
        return f"the SPARQL endpoint {self.endpoint}"

    # -- HTTP

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise StoreError(f"{url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach {url}: {exc}", hint="is the store running, and is the URL right?") from None
        if response.status_code in (401, 403):
            raise StoreRefused(
                f"{url} refused the request ({response.status_code}): wrong or missing credentials",
                hint="set STRATEGYLINKS_ENDPOINT_USER and STRATEGYLINKS_ENDPOINT_PASSWORD",
            )
        if response.status_code == 400:
            raise StoreQueryError(f"the store refused the request: {_excerpt(response.text)}")
        if response.status_code >= 300:
            hint = None
            if "estimated execution time" in response.text:
                hint = (
                    "Virtuoso refused the query on its cost estimate; its maintainers advise commenting out "
                    "MaxQueryCostEstimationTime in virtuoso.ini (see docs/stores.md)"
                )
            raise StoreRefused(f"{url} answered {response.status_code}: {_excerpt(response.text)}", hint=hint)
        return response

    # -- reading

    def graph_names(self) -> list[str]:
        if self._graphs is None:
            text = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER (STRSTARTS(STR(?g), "{self.graph_prefix}")) }}'
            )
            response = self._send(
                "POST", self.endpoint, data={"query": text}, headers={"Accept": "application/sparql-results+json"}
            )
            rows = _json_rows(_document(response.content))
            self._graphs = sorted(str(row["g"]) for row in rows[1] if "g" in row)
        return list(self._graphs)

    def query(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> Result:
        if bindings:
            text = substitute(text, bindings) or with_values(text, bindings)
        if default_graphs is None and named_graphs is None and not self.union_default_graph:
            # A store with none of the project's graphs must still answer from an empty dataset.
            default_graphs = named_graphs = self.graph_names() or [self.graph_prefix + "none"]
        form = {
            "query": [text],
            "default-graph-uri": list(default_graphs or []),
            "named-graph-uri": list(named_graphs or []),
        }
        accept = ACCEPT_GRAPH if query_form(text) in ("CONSTRUCT", "DESCRIBE") else ACCEPT_TABLE
        response = self._send("POST", self.endpoint, data=form, headers={"Accept": accept})
        return parse_response(response)

    def dump(self) -> bytes:
        graph_lines = []
        for name in self.graph_names():
            nt = self._graph_ntriples(name)
            for line in nt.splitlines():
                if line.strip():
                    graph_lines.append(line.rstrip().removesuffix(".").rstrip() + f" <{name}> .")
        return ("\n".join(graph_lines) + "\n").encode("utf-8")

    def union_ntriples(self) -> bytes:
        graphs = self.graph_names() or [self.graph_prefix + "none"]
        form = {"query": ["CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"], "default-graph-uri": graphs}
        response = self._send("POST", self.endpoint, data=form, headers={"Accept": "application/n-triples"})
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if GRAPH_TYPES.get(media) == "nt":
            return response.content
        return parse_response(response).graph.serialize(format="nt", encoding="utf-8")  # type: ignore[union-attr]

    def _graph_ntriples(self, name: str) -> str:
        result = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[name], named_graphs=[])
        assert result.graph is not None
        return result.graph.serialize(format="nt")

    # -- writing

    def update(self, text: str) -> None:
        self._send(
            "POST",
            self.update_endpoint,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        self._graphs = None

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop_others: bool = False) -> None:
        """Upload every graph under a staging name first; only when all are there are they moved into place
        with one update, so a failed upload leaves the published graphs as they were."""
        run = uuid.uuid4().hex[:12]
        staged: dict[str, str] = {}
        stale = [g for g in self.graph_names() if g not in graphs] if drop_others else []
        try:
            for name, triples in graphs.items():
                staging = f"{name}--staging-{run}"
                staged[name] = staging
                self._put(staging, triples)
            moves = [f"DROP SILENT GRAPH <{g}>" for g in stale]
            moves += [f"MOVE SILENT GRAPH <{s}> TO GRAPH <{n}>" for n, s in staged.items()]
            if moves:
                self.update(" ;\n".join(moves))
        except BaseException:
            for staging in staged.values():
                with contextlib.suppress(StoreError):
                    self.update(f"DROP SILENT GRAPH <{staging}>")
            raise
        finally:
            self._graphs = None

    def _put(self, graph: str, triples: bytes) -> None:
        if self.graph_store:
            self._send(
                "PUT",
                self.graph_store,
                params={"graph": graph},
                content=triples,
                headers={"Content-Type": "application/n-triples"},
            )
            return
        self.update(f"DROP SILENT GRAPH <{graph}>")
        for chunk in _chunks(triples.decode("utf-8")):
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}")

    def close(self) -> None:
        self.client.close()


def _chunks(ntriples: str) -> list[str]:
    lines = [line for line in ntriples.splitlines() if line.strip()]
    if "_:" in ntriples:
        # Blank node labels are scoped to one request, so a graph with blank nodes goes in one piece.
        return ["\n".join(lines)]
    return ["\n".join(lines[i : i + CHUNK_TRIPLES]) for i in range(0, len(lines), CHUNK_TRIPLES)] or [""]


def _excerpt(text: str, size: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size] + " …"


def _document(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        text = body.decode("utf-8", errors="replace")
        if "operation has been cancelled" in text[-200:]:  # the Oxigraph server's time limit
            raise StoreError("the store stopped the query at its time limit")
        raise StoreError(f"the store sent malformed SPARQL JSON results: {_excerpt(text)}")
    return document


def _json_rows(document: dict[str, Any]) -> tuple[list[str], list[dict[str, Identifier]]]:
    names = list(document.get("head", {}).get("vars", []))
    rows = [
        {k: from_json(v) for k, v in binding.items()} for binding in document.get("results", {}).get("bindings", [])
    ]
    return names, rows


def parse_response(response: httpx.Response) -> Result:
    """An rdflib result for a store's answer: SPARQL JSON results, or a graph in an RDF syntax."""
    return parse_answer(response.content, response.headers.get("content-type", ""))


def virtuoso_ask(document: dict[str, Any]) -> bool | None:
    """Virtuoso 7 answers ASK in SPARQL JSON as a one-row SELECT of ``__ASK_RETVAL`` (1 or 0)."""
    if document.get("head", {}).get("vars") != ["__ASK_RETVAL"]:
        return None
    rows = document.get("results", {}).get("bindings", [])
    return bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") == "1"


def parse_answer(body: bytes, content_type: str) -> Result:
    media = content_type.split(";")[0].strip().lower()
    if media in ("application/sparql-results+json", "application/json"):
        document = _document(body)
        if "boolean" in document:
            return ask_result(bool(document["boolean"]))
        if virtuoso_ask(document) is not None:
            return ask_result(bool(virtuoso_ask(document)))
        names, rows = _json_rows(document)
        return select_result(names, [{Variable(k): v for k, v in row.items()} for row in rows])
    fmt = GRAPH_TYPES.get(media)
    if fmt is None:
        raise StoreError(f"the store answered in {media or 'no media type'}, which strategylinks cannot read")
    graph = Graph()
    graph.parse(data=body, format=fmt)
    return graph_result("CONSTRUCT", graph)


class SparqlQuads:
    """A remote store read through SPARQL, as the update overlay reads a dataset (see ``overlay``).

    A shared store holds more than the project (Virtuoso keeps its own system graphs, a national store
    other projects' data), so the dataset an update sees as "all graphs" (``DROP ALL``, ``GRAPH ?g``) is
    the project's graphs and the ``managed`` ones (those written through this front end); a graph named
    in the update is read whatever it is. The default graph reads as empty: stores disagree on what it
    is (Virtuoso: every graph), and the project's data lives in named graphs."""

    def __init__(self, store: RemoteStore, managed: Iterable[str] = ()) -> None:
        self.store = store
        self.managed = set(managed)

    def graphs(self) -> list[URIRef | None]:
        self.store._graphs = None  # another client may have changed the store since
        names = sorted(set(self.store.graph_names()) | self.managed)
        graphs: list[URIRef | None] = [None]
        return graphs + [URIRef(g) for g in names]

    def triples(self, pattern: tuple[Any, Any, Any], graph: URIRef | None) -> Iterator[tuple[Any, Any, Any]]:
        if graph is None or isinstance(pattern[0], Literal):
            return
        terms = [t.n3() if t is not None else f"?{v}" for t, v in zip(pattern, "spo", strict=True)]
        text = f"SELECT * WHERE {{ GRAPH <{graph}> {{ {' '.join(terms)} }} }}"
        response = self.store._send("POST", self.store.endpoint, data={"query": text}, headers={"Accept": ACCEPT_TABLE})
        for row in _json_rows(_document(response.content))[1]:
            yield tuple(row.get(v, t) for t, v in zip(pattern, "spo", strict=True))
