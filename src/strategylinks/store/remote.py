"""Any SPARQL 1.1 store over HTTP: the Protocol for queries and updates, the Graph Store Protocol for loads.

The project's data is its named graphs under ``{base}graph/``. A store's default graph differs from one
product to another (Oxigraph: an empty graph of its own; Virtuoso: every graph, its system graphs
included), so every query names its dataset: ``default-graph-uri`` and ``named-graph-uri`` list the
project's graphs, which gives the same union-default-graph answers as the embedded store everywhere.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any

import httpx
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Identifier

from .base import Store, StoreError, StoreQueryError, StoreRefused, ask_result, graph_result, select_result
from .terms import from_json

#: What to ask for by query form: Virtuoso answers a CONSTRUCT in SPARQL JSON when that is acceptable at all.
ACCEPT_TABLE = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_IRI_OR_STRING = re.compile(
    r"<[^<>\s]*>"
    r"|'''.*?'''|\"\"\".*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",
    re.DOTALL,
)
_COMMENT = re.compile(r"#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside IRIs, strings and comments."""
    bare = _COMMENT.sub(" ", _IRI_OR_STRING.sub(" ", text))
    match = _FORM.search(bare)
    return match.group(1).upper() if match else "SELECT"


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
        self.client = httpx.Client(timeout=timeout, auth=auth, follow_redirects=True)
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


_TOKEN = re.compile(
    r"(?P<skip><[^<>\s]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<word>\b(?:SELECT|WHERE|GROUP|ORDER|HAVING|LIMIT|OFFSET|VALUES|AS|BIND)\b)"
    r"|(?P<open>[({])|(?P<close>[)}])|(?P<star>\*)",
    re.DOTALL | re.IGNORECASE,
)


def substitute(text: str, bindings: Mapping[str, Identifier]) -> str | None:
    """The query with each bound variable replaced by its value, as Oxigraph's substitutions do
    (RDF-dev SEP-0007): a store then evaluates subqueries for that value only, where a trailing
    ``VALUES`` block would have them computed for every value first and joined after (minutes instead
    of milliseconds on a national dataset). A projected variable becomes ``(VALUE AS ?var)``, one in
    ``GROUP BY`` / ``ORDER BY`` ``(VALUE)``. ``None`` when the text does something this cannot keep
    (``SELECT *``, the variable bound by ``AS``, ``BIND`` or ``VALUES``): the caller then uses ``VALUES``.
    Subqueries stop projecting it."""
    names = {n.lower(): n for n in bindings}
    out: list[str] = []
    position = 0
    state = "body"  # projection: after SELECT; modifier: after GROUP BY / ORDER BY
    depth = 0  # brackets opened since the state began
    braces = 0  # group graph patterns around the current token
    nested = False  # the current SELECT is a subquery
    previous_word = ""
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "skip":
            continue
        if kind == "word":
            word = token.upper()
            if word == "SELECT":
                state, depth, nested = "projection", 0, braces > 0
            elif word in ("GROUP", "ORDER"):
                state, depth = "modifier", 0
            elif word in ("WHERE", "HAVING", "LIMIT", "OFFSET"):
                state, depth = "body", 0
            previous_word = word
            continue
        if kind == "open":
            if state == "projection" and token == "{":
                state = "body"
            depth += 1
            braces += token == "{"
            continue
        if kind == "close":
            depth -= 1
            braces -= token == "}"
            if state == "modifier" and depth < 0:
                state, depth = "body", 0
            continue
        if kind == "star":
            if state == "projection" and depth == 0:
                return None
            continue
        name = token[1:].lower()
        if name not in names:
            previous_word = ""
            continue
        if previous_word in ("AS", "VALUES", "BIND"):
            return None
        value = bindings[names[name]].n3()
        if state == "projection" and depth == 0:
            # A subquery need not project it (the outer query has the value); the outer query does.
            replacement = "" if nested else f"({value} AS {token})"
        elif state == "modifier" and depth == 0:
            replacement = f"({value})"
        else:
            replacement = value
        out.append(text[position : match.start()] + replacement)
        position = match.end()
    if not out:
        return None
    return "".join(out) + text[position:]


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Pre-bind variables the way rdflib's SPARQLStore does: a trailing VALUES block (SPARQL 1.1 §10.2.2).
    The named queries keep every parameter in their answers, so this restricts exactly as a binding does."""
    names = list(bindings)
    values = " ".join(bindings[n].n3() for n in names)
    return text.rstrip() + "\nVALUES (" + " ".join("?" + n for n in names) + ") { (" + values + ") }\n"


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
