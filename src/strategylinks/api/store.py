"""The served dataset: queries answered by the engine under a time limit, validated transactional updates."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox
import rdflib.plugins.sparql
from pyparsing.exceptions import ParseException
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql.algebra import BGP, Join
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import QueryContext, Update

# rdflib's own template filling for DELETE/INSERT, reused for the USING case below.
from rdflib.plugins.sparql.update import _fillTemplate, evalUpdate  # type: ignore[attr-defined]
from rdflib.query import Result

from ..deadline import DeadlinePassed, deadline
from ..incremental import Dependencies, algebra_parts, algebra_terms, changed_triples, literal_predicates
from ..sparqlparse import ParseTimeout, parses_in_time, prepare_update
from ..store import OxigraphStore, RemoteStore, StoreError, StoreQueryError
from ..store.base import StoreRefused
from ..store.journal import Journal
from ..store.overlay import MAX_CHANGE, ChangeTooLarge, OxigraphQuads, Quad, QuadSource, overlay_dataset
from ..store.remote import ACCEPT_GRAPH, ACCEPT_TABLE, SparqlQuads, parse_answer
from ..store.server import OxigraphServer
from ..store.sparqltext import query_form, strip_query
from ..store.terms import to_oxigraph, to_rdflib
from ..validate import DEFAULT_ENGINE, ValidationReport, validate

# Never fetch a graph named in FROM, USING or a protocol parameter from the web: the server
# answers from its own dataset only (an unknown graph is empty), so a query cannot make it call out.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class SparqlError(Exception):
    """A request the SPARQL protocol answers with 400: bad syntax, a forbidden or conflicting part."""


class QueryTimeout(Exception):
    pass


class EngineError(Exception):
    """A valid query the engine failed on (a bug, or the evaluating process died): a 500, not a 400."""


class UpdateRejected(Exception):
    """An update whose result breaks the shapes; nothing was applied."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.text("en"))
        self.report = report


def parse_update(text: str, base: str | None = None) -> Update:
    try:
        update = prepare_update(text, base=base)
    except ParseException as exc:
        raise SparqlError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001
        raise SparqlError(f"SPARQL error: {exc}") from None
    for operation in update.algebra:
        if operation.name == "Load":
            raise SparqlError("LOAD is not allowed: this endpoint does not fetch data from the web")
        if any(part.name == "ServiceGraphPattern" for part in algebra_parts(operation)):
            raise SparqlError("SERVICE is not allowed: this endpoint answers from its own dataset only")
    return update


def with_using(update: Update, using: Sequence[str], using_named: Sequence[str]) -> Update:
    """Apply using-graph-uri / using-named-graph-uri; an update naming its own dataset conflicts."""
    if not (using or using_named):
        return update
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in using]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in using_named]
    for operation in update.algebra:
        if operation.name == "Modify":
            if operation.using or operation.withClause:
                raise SparqlError(
                    "the request gives using-graph-uri / using-named-graph-uri and the update has USING or "
                    "WITH: the SPARQL protocol forbids both"
                )
            operation["using"] = clause
    return update


class VersionedCache:
    """Values computed once per dataset version, at most ``entries`` of them (least recently used go
    first), each by one thread: others asking for the same key meanwhile wait for its result, since
    after an update every client asks for the same pages at once."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._lock = threading.Lock()
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._version = -1
        self._computing: dict[str, Future[Any]] = {}

    def get(self, version: int, key: str, compute: Any) -> Any:
        with self._lock:
            if self._version != version:
                self._values, self._version, self._computing = OrderedDict(), version, {}
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            running = self._computing.get(key)
            if running is None:
                mine: Future[Any] = Future()
                self._computing[key] = mine
        if running is not None:
            return running.result()
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                self._done(key, mine)
            mine.set_exception(exc)
            raise
        with self._lock:
            self._done(key, mine)
            if self._version == version:
                self._values[key] = value
                while len(self._values) > self.entries:
                    self._values.popitem(last=False)
        mine.set_result(value)
        return value

    def _done(self, key: str, future: Future[Any]) -> None:
        if self._computing.get(key) is future:  # not a newer version's computation of the key
            del self._computing[key]


class KnowledgeStore:
    """The served dataset: an engine that answers queries, and validated, all-or-nothing updates.

    ``engine`` is a store reached over the SPARQL protocol: the Oxigraph server this process started
    (``process``; in memory, or on the store folder) or a remote store. Queries go to it unchanged, so
    reads run in parallel in the engine and a runaway query is stopped by its timeout. Updates are
    evaluated by rdflib over an overlay on ``mirror`` (a pyoxigraph copy of the data), which gives their
    exact effect; that effect is validated against the shapes and only then sent to the engine as one
    update request (one transaction).
    """

    def __init__(
        self,
        engine: RemoteStore,
        shapes: Graph,
        *,
        process: OxigraphServer | None = None,
        mirror: OxigraphStore | None = None,
        timeout: float = 30.0,
        validation_engine: str = DEFAULT_ENGINE,
        journal: Journal | None = None,
        conforms: bool = False,
    ) -> None:
        self.engine = engine
        self.shapes = shapes
        self.process = process
        self._mirror = mirror
        self.timeout = timeout
        self.validation_engine = validation_engine
        # One writer at a time; readers never wait for it (the engine isolates them).
        self._write_lock = threading.Lock()
        self.version = 0
        #: Graphs of a remote store that updates through this server have written (see ``SparqlQuads``).
        self._managed: set[str] = set()
        self._cache = VersionedCache(self.CACHE_ENTRIES)
        #: The shapes compiled for incremental validation, and whether the mirror is known to conform
        #: (only then does validating the nodes an update touches say that all of it conforms).
        self._dependencies: Dependencies | None = None
        self._conforms = conforms
        #: The store folder's backup points (an update is written there before the engine commits it).
        self.journal = journal

    @property
    def owns_engine(self) -> bool:
        """True when this process started the engine, so every write to it passes through here."""
        return self.process is not None

    def close(self) -> None:
        self.engine.close()
        if self.process is not None:
            self.process.stop()

    #: Most values kept per dataset version; the least recently used go first (keys come partly from
    #: request parameters, so the cache must not grow with what clients send).
    CACHE_ENTRIES = 256

    def cached(self, key: str, compute: Any) -> Any:
        """A value computed once per dataset version (dumps, reports, pages)."""
        return self._cache.get(self.version, key, compute)

    def snapshot(self) -> Dataset:
        """The whole dataset as an rdflib Dataset (for rdflib's serialisers), once per version."""
        return self.cached("snapshot", self.engine.to_dataset)  # type: ignore[no-any-return]

    # -- queries

    def query(
        self, text: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (), base: str | None = None
    ) -> tuple[str, bytes, str]:
        """Run a query on the engine: (query form, answer bytes, media type). The answer is SPARQL JSON
        results for SELECT and ASK, N-Triples (or another RDF syntax the engine chose) for a graph."""
        bare = strip_query(text)
        if re.search(r"\bSERVICE\b", bare, re.IGNORECASE):
            raise SparqlError("SERVICE is not allowed: this endpoint answers from its own dataset only")
        kind = query_form(text)
        # The query goes to the engine as the client sent it: without a dataset, a remote store answers from
        # its own default graph (which should be the union of its graphs, as here: docs/stores.md).
        added_lines = 0
        if base and "<" not in base and ">" not in base:
            # Relative IRIs resolve against the endpoint's address; a BASE of the query's own comes later
            # and wins (a prologue may repeat BASE).
            text, added_lines = f"BASE <{base}>\n{text}", 1
        form = {"query": [text], "default-graph-uri": list(default_graphs), "named-graph-uri": list(named_graphs)}
        accept = ACCEPT_GRAPH if kind in ("CONSTRUCT", "DESCRIBE") else ACCEPT_TABLE
        try:
            response = self.engine.client.post(
                self.engine.endpoint, data=form, headers={"Accept": accept}, timeout=self.timeout + 5
            )
        except httpx.TimeoutException:
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped") from None
        except httpx.HTTPError as exc:
            raise EngineError(f"the query engine cannot be reached: {exc}") from None
        if response.status_code == 400:
            raise SparqlError(engine_message(response.text, added_lines))
        if response.status_code >= 300:
            raise EngineError(f"the query engine answered {response.status_code}: {response.text.strip()[:1000]}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.content
        _check_complete(body, media, self.timeout)
        return kind, body, media

    def result(self, text: str) -> Result:
        """A query's answer as an rdflib result (for pages that render it themselves)."""
        _, body, media = self.query(text)
        return parse_answer(body, media)

    # -- updates

    def mirror(self) -> OxigraphStore:
        """The data as a pyoxigraph store in this process; for a store others may write to, fresh each time
        (and then only the project's graphs, which are what the shapes are about)."""
        if self._mirror is None or not self.owns_engine:
            mirror = OxigraphStore.memory(self.engine.base_iri)
            if self.process is not None:
                # Everything the engine holds, its default graph included (updates may write there).
                response = self.engine.client.get(self.process.store_url, headers={"Accept": "application/n-quads"})
                response.raise_for_status()
                data = response.content
            else:
                data = self.engine.dump()
            mirror.load_data(data, ox.RdfFormat.N_QUADS)
            self._mirror = mirror
        return self._mirror

    def update(
        self,
        text: str,
        base: str | None,
        using: Sequence[str] = (),
        using_named: Sequence[str] = (),
        *,
        confirm_drop_all: bool = False,
    ) -> int:
        """Apply an update as one transaction, validated against the shapes before it is committed."""
        try:
            parses_in_time(text, self.timeout)  # before the lock: a slow parse must not hold up writers
        except ParseTimeout as exc:
            raise QueryTimeout(str(exc)) from None
        with self._write_lock:
            update = with_using(parse_update(text, base=base), using, using_named)
            if not confirm_drop_all and any(_drops_all(op) for op in update.algebra):
                raise SparqlError(
                    "DROP ALL, CLEAR ALL, DROP NAMED and CLEAR NAMED remove the whole dataset: send the request "
                    "again with the URL parameter confirm=drop-all"
                )
            mirror = self.mirror()
            names = {g.value for g in mirror.oxigraph.named_graphs() if isinstance(g, ox.NamedNode)}
            gone = missing_graph(update, names)
            if gone is not None:
                raise SparqlError(
                    f"there is no graph <{gone}>: the update fails (use SILENT to ignore a missing graph)"
                )
            change = evaluate_update(self._source(mirror), update, timeout=self.timeout)
            return self._commit(mirror, change, summary(text))

    def warm(self) -> None:
        """Load the mirror and compile the shapes for incremental validation now, so that the first update
        does not pay for them (the server calls this in the background at start)."""
        try:
            with self._write_lock:
                mirror = self.mirror()
                if self._dependencies is None:
                    self._dependencies = Dependencies(self.shapes, literal_predicates(mirror.oxigraph))
        except Exception:  # noqa: BLE001 - the first update does this again and reports its own errors
            return

    def _source(self, mirror: OxigraphStore) -> QuadSource:
        return OxigraphQuads(mirror.oxigraph) if self.owns_engine else SparqlQuads(self.engine, self._managed)

    def _commit(self, mirror: OxigraphStore, change: Change, description: str) -> int:
        """Validate ``change`` (against the data before it) and send it to the engine as one request;
        hold the write lock."""
        if not change:
            return self.version
        # A remote store's mirror holds the project's graphs only; the shapes are about them.
        checked = change if self.owns_engine else change.within(self.engine.graph_prefix)
        touched = changed_triples(checked.added + checked.removed)
        focus = self._focus(mirror, touched)
        checked.apply(mirror.oxigraph)
        try:
            report = self._validate(mirror, touched, focus)
            if not report.conforms:
                raise UpdateRejected(report)
            entry = None
            if self.journal is not None:
                entry = self.journal.record(
                    [_quad(q) for q in change.added], [_quad(q) for q in change.removed], mirror.oxigraph, description
                )
            try:
                self.engine.update(change.as_update(mirror.oxigraph))
            except (StoreRefused, StoreQueryError):
                # The engine answered and did not apply it; after no answer at all the point stays (undoing
                # an update that never landed changes nothing) and is settled when the store next opens.
                if entry is not None and self.journal is not None:
                    self.journal.discard(entry)
                raise
        except BaseException:
            checked.revert(mirror.oxigraph)
            raise
        self._managed.update(str(q[3]) for q in change.added + change.removed if q[3] is not None)
        self.version += 1
        return self.version

    # -- the Graph Store Protocol

    def graph(self, name: URIRef | None) -> Graph | None:
        """A graph's triples as the engine holds them (``None``: the default graph itself, not the union);
        ``None`` if there is no such named graph."""
        if name is None:
            url = self.process.store_url if self.process is not None else self.engine.graph_store
            if url:
                response = self.engine.client.get(
                    url, params={"default": ""}, headers={"Accept": "application/n-triples"}
                )
                if response.status_code == 404:
                    return Graph()
                if response.status_code >= 300:
                    raise EngineError(f"the store answered {response.status_code}: {response.text.strip()[:500]}")
                return Graph().parse(data=response.content, format="nt")
            # Without a graph store, a remote store's default graph reads as empty, as it does to updates
            # (stores disagree on what a query's default graph is: docs/stores.md).
            return Graph()
        else:
            found = self.engine.query("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": name})
            if not found.askAnswer:
                return None
            result = self.engine.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[str(name)])
        out = Graph()
        if result.graph is not None:
            out += result.graph
        return out

    def write_graph(
        self, name: URIRef | None, triples: Graph | None, *, merge: bool, description: str
    ) -> tuple[int, bool]:
        """Replace (``merge`` false), add to (``merge`` true) or, with ``triples`` None, delete a graph, as
        one validated transaction: (the dataset version, whether the graph existed before)."""
        with self._write_lock:
            mirror = self.mirror()
            source = self._source(mirror)
            existing = {(s, p, o, name) for s, p, o in source.triples((None, None, None), name)}
            new = set() if triples is None else {(s, p, o, name) for s, p, o in triples}
            if merge:
                change = Change(sorted(new - existing), [])
            else:
                change = Change(sorted(new - existing), sorted(existing - new))
            return self._commit(mirror, change, description), bool(existing)

    def _focus(self, mirror: OxigraphStore, touched: list[Any]) -> set[Any] | None:
        """The focus nodes a change can affect, walked in the data before it (``None``: validate it all)."""
        if not (self._conforms and self.owns_engine):
            # A store others write to may change between updates; its mirror is fresh and checked whole.
            return None
        if self._dependencies is None:
            self._dependencies = Dependencies(self.shapes, literal_predicates(mirror.oxigraph))
        return self._dependencies.focus_nodes(mirror.oxigraph, touched)

    def _validate(self, mirror: OxigraphStore, touched: list[Any], before: set[Any] | None) -> ValidationReport:
        """Validate the mirror with the change applied: only the focus nodes the change can affect (in the
        data before or after it) when the data conformed before, else all of it."""
        after = (
            None
            if before is None or self._dependencies is None
            else self._dependencies.focus_nodes(mirror.oxigraph, touched)
        )
        if before is None or after is None or self._dependencies is None:
            report = validate(mirror, self.shapes, self.validation_engine)
            # A rejected change says nothing about the data without it, so only a pass is remembered.
            self._conforms = self._conforms or report.conforms
            return report
        focus = before | after
        if not focus:
            return ValidationReport(conforms=True, violations=(), report_graph=Graph())
        part = OxigraphStore(mirror.base_iri, self._dependencies.extract(mirror.oxigraph, focus))
        return validate(part, self.shapes, self.validation_engine, focus={to_rdflib(n) for n in focus})


def summary(text: str, limit: int = 200) -> str:
    """An update's text on one line, shortened, to describe its backup point."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _drops_all(operation: CompValue) -> bool:
    return operation.name in ("Drop", "Clear") and str(operation.graphiri) in ("ALL", "NAMED")


def missing_graph(update: Update, existing: set[str]) -> str | None:
    """The first graph a non-SILENT DROP, or ADD / MOVE / COPY from, names that does not exist when that
    operation runs (SPARQL 1.1 Update §3.2: it fails then); graphs earlier operations of the same request
    may create count as existing."""
    maybe = set(existing)
    for op in update.algebra:
        if op.name == "Drop" and not op.silent and isinstance(op.graphiri, URIRef) and str(op.graphiri) not in maybe:
            return str(op.graphiri)
        if op.name in ("Add", "Move", "Copy"):
            source, target = op.graph
            if not op.silent and isinstance(source, URIRef) and str(source) not in maybe:
                return str(source)
            if isinstance(target, URIRef):
                maybe.add(str(target))
        if op.name == "Create" and isinstance(op.graphiri, URIRef):
            maybe.add(str(op.graphiri))
        if op.name in ("InsertData", "Modify"):
            # Any graph the operation names may be written to (its effect is known only once evaluated).
            maybe.update(str(t) for t in algebra_terms(op) if isinstance(t, URIRef))
    return None


def evaluate_update(
    source: QuadSource, update: Update, *, timeout: float | None = None, max_change: int = MAX_CHANGE
) -> Change:
    """What ``update`` would change in ``source``, computed by rdflib without writing anything, in at most
    ``timeout`` seconds (:class:`QueryTimeout`) and ``max_change`` quads (:class:`SparqlError`)."""
    dataset, overlay = overlay_dataset(source, max_change=max_change)
    # rdflib evaluates an update's default graph as the union when this flag is set, and
    # then cannot add plain triples to it; updates write to the real default graph.
    previous = rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION
    rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = False
    try:
        with deadline(timeout):
            apply_update(dataset, update)
    except DeadlinePassed:
        raise QueryTimeout(f"the update ran longer than {timeout:g} s and was stopped") from None
    except ChangeTooLarge as exc:
        raise SparqlError(f"{exc}; nothing was applied") from None
    except SparqlError:
        raise
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for failing updates
        raise SparqlError(f"the update failed: {exc}") from None
    finally:
        rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = previous
    added, removed = overlay.delta()
    for s, p, o, _ in added:
        if isinstance(s, Literal) or not isinstance(p, URIRef):
            raise SparqlError(
                f"the update would store a triple with a literal subject or a non-IRI predicate "
                f"({s.n3()} {p.n3()} {o.n3()}), which is not RDF; nothing was applied"
            )
    return Change(added, removed)


def engine_message(text: str, added_lines: int = 0) -> str:
    """The engine's complaint about a query, with Oxigraph's position ("error at 1:26: …") in words, counted
    in the client's text (``added_lines`` were put before it here)."""
    text = text.strip()
    found = re.match(r"error at (\d+):(\d+): (.*)", text, re.DOTALL)
    if found:
        line, column, message = found.groups()
        return f"SPARQL syntax error at line {int(line) - added_lines}, column {column}: {message}"
    return f"SPARQL error: {text}"


def _check_complete(body: bytes, media: str, timeout: float) -> None:
    """The Oxigraph server streams its answer and, when it stops a query, appends the reason to a 200."""
    try:
        if media in ("application/sparql-results+json", "application/json"):
            json.loads(body)
        elif media in ("application/n-triples", "text/plain"):
            Graph().parse(data=body, format="nt")
    except ValueError:
        tail = body[-300:].decode("utf-8", errors="replace")
        if "cancelled" in tail or "timeout" in tail.lower():
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from None
        raise EngineError(f"the query engine sent an incomplete answer: {tail.strip()}") from None
    except Exception as exc:  # noqa: BLE001 - rdflib's N-Triples parser raises its own kinds
        tail = body[-300:].decode("utf-8", errors="replace")
        if "cancelled" in tail:
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from None
        raise EngineError(f"the query engine sent an answer that cannot be read: {exc}") from None


@dataclass
class Change:
    """An update's effect: quads added and removed, each against the data before it."""

    added: list[Quad]
    removed: list[Quad]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def within(self, prefix: str) -> Change:
        """The part of the change in the named graphs whose names start with ``prefix``."""

        def keep(quads: list[Quad]) -> list[Quad]:
            return [q for q in quads if q[3] is not None and str(q[3]).startswith(prefix)]

        return Change(keep(self.added), keep(self.removed))

    def apply(self, store: ox.Store) -> None:
        for quad in self.removed:
            store.remove(_quad(quad))
        store.extend([_quad(q) for q in self.added])

    def revert(self, store: ox.Store) -> None:
        for quad in self.added:
            store.remove(_quad(quad))
        store.extend([_quad(q) for q in self.removed])

    def as_update(self, store: ox.Store) -> str:
        """One SPARQL update that makes the engine's data what ``store`` (with the change applied) holds.

        A graph that loses a triple with a blank node is rewritten whole: blank nodes cannot be named
        in DELETE DATA, and the engine's labels for them are its own."""
        rewrite = {g for s, p, o, g in self.removed if isinstance(s, BNode) or isinstance(o, BNode)}
        parts = []
        for graph in sorted(rewrite, key=lambda g: "" if g is None else str(g)):
            target = ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))
            parts.append("CLEAR SILENT DEFAULT" if graph is None else f"CLEAR SILENT GRAPH <{graph}>")
            triples = store.quads_for_pattern(None, None, None, target)
            parts.append(_data("INSERT", [(q.subject, q.predicate, q.object) for q in triples], graph))
        by_graph: dict[URIRef | None, tuple[list[Any], list[Any]]] = {}
        for s, p, o, g in self.removed:
            if g not in rewrite:
                by_graph.setdefault(g, ([], []))[0].append(tuple(to_oxigraph(t) for t in (s, p, o)))
        for s, p, o, g in self.added:
            if g not in rewrite:
                by_graph.setdefault(g, ([], []))[1].append(tuple(to_oxigraph(t) for t in (s, p, o)))
        for graph, (gone, new) in by_graph.items():
            if gone:
                parts.append(_data("DELETE", gone, graph))
            if new:
                parts.append(_data("INSERT", new, graph))
        return " ;\n".join(p for p in parts if p)


def _quad(quad: Quad) -> ox.Quad:
    s, p, o, g = quad
    graph = ox.DefaultGraph() if g is None else ox.NamedNode(str(g))
    return ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)


def _data(verb: str, triples: Sequence[tuple[Any, Any, Any]], graph: URIRef | None) -> str:
    if not triples:
        return ""
    body = "\n".join(f"{s} {p} {o} ." for s, p, o in triples)  # pyoxigraph terms print as N-Triples
    if graph is not None:
        body = f"GRAPH <{graph}> {{\n{body}\n}}"
    return f"{verb} DATA {{\n{body}\n}}"


def apply_update(dataset: Dataset, update: Update) -> None:
    """Run each operation in order. rdflib evaluates USING (default graphs) but not USING NAMED when it
    may not fetch graphs, so a DELETE/INSERT … WHERE with a USING clause has its WHERE part evaluated
    here, over exactly the dataset the clause describes (SPARQL 1.1 Update §3.1.3)."""
    for operation in update.algebra:
        if operation.name == "Modify" and operation.using:
            _modify_using(dataset, operation, update.prologue)
        elif operation.name == "DeleteWhere" and any(isinstance(g, Variable) for g in operation.quads or {}):
            _delete_where(dataset, operation)
        else:
            evalUpdate(dataset, Update(update.prologue, [operation]))


def _delete_where(dataset: Dataset, u: CompValue) -> None:
    """DELETE WHERE with GRAPH ?g, which rdflib reads as a graph literally named ?g."""
    where = BGP(u.triples or [])
    for name, triples in (u.quads or {}).items():
        where = Join(where, CompValue("Graph", term=name, p=BGP(triples)))
    context = QueryContext(dataset, initBindings={})
    for solution in list(evalPart(context, where)):
        dataset.default_context -= _fillTemplate(u.triples or [], solution)
        for name, triples in (u.quads or {}).items():
            graph = dataset.get_context(solution.get(name))
            graph -= _fillTemplate(triples, solution)


def _modify_using(dataset: Dataset, u: CompValue, prologue: Any) -> None:
    where = QueryContext(dataset, initBindings={}, datasetClause=u.using)
    where.prologue = u.prologue or prologue
    solutions = list(evalPart(where, u.where))
    target = dataset.get_context(u.withClause) if u.withClause else dataset.default_context
    for solution in solutions:
        if u.delete:
            target -= _fillTemplate(u.delete.triples, solution)  # type: ignore[operator]
            for g, quads in u.delete.quads.items():
                graph = dataset.get_context(solution.get(g))
                graph -= _fillTemplate(quads, solution)
        if u.insert:
            target += _fillTemplate(u.insert.triples, solution)  # type: ignore[operator]
            for g, quads in u.insert.quads.items():
                graph = dataset.get_context(solution.get(g))
                graph += _fillTemplate(quads, solution)
