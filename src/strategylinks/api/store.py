"""The served dataset: SPARQL queries under a time and size limit, validated transactional updates."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import rdflib.plugins.sparql
from pyparsing.exceptions import ParseException
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.plugins.sparql.algebra import BGP, Join, translateQuery, translateUpdate
from rdflib.plugins.sparql.evaluate import evalPart
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query, QueryContext, Update

# rdflib's own template filling for DELETE/INSERT, reused for the USING case below.
from rdflib.plugins.sparql.update import _fillTemplate, evalUpdate  # type: ignore[attr-defined]

from ..graph import bind_prefixes, union
from ..validate import ValidationReport, validate

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


@dataclass(frozen=True)
class ParsedQuery:
    query: Query
    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE


def _walk(node: Any) -> Any:
    """Every CompValue below ``node`` (the algebra is nested dicts and lists)."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def parse_query(text: str, base: str | None = None) -> ParsedQuery:
    try:
        query = translateQuery(parseQuery(text), base=base)
    except ParseException as exc:
        raise SparqlError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for malformed queries
        raise SparqlError(f"SPARQL error: {exc}") from None
    if any(part.name == "ServiceGraphPattern" for part in _walk(query.algebra)):
        raise SparqlError("SERVICE is not allowed: this endpoint answers from its own dataset only")
    kind = query.algebra.name.replace("Query", "").upper()
    return ParsedQuery(query, kind)


def parse_update(text: str, base: str | None = None) -> Update:
    try:
        update = translateUpdate(parseUpdate(text), base=base)
    except ParseException as exc:
        raise SparqlError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
    except Exception as exc:  # noqa: BLE001
        raise SparqlError(f"SPARQL error: {exc}") from None
    for operation in update.algebra:
        if operation.name == "Load":
            raise SparqlError("LOAD is not allowed: this endpoint does not fetch data from the web")
        if any(part.name == "ServiceGraphPattern" for part in _walk(operation)):
            raise SparqlError("SERVICE is not allowed: this endpoint answers from its own dataset only")
    return update


def with_dataset(parsed: ParsedQuery, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> ParsedQuery:
    """Apply the protocol's default-graph-uri / named-graph-uri; they override FROM and FROM NAMED."""
    if default_graphs or named_graphs:
        clause = [CompValue("DatasetClause", default=URIRef(g)) for g in default_graphs]
        clause += [CompValue("DatasetClause", named=URIRef(g)) for g in named_graphs]
        parsed.query.algebra["datasetClause"] = clause
    return parsed


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


def _run_child(conn: Connection, dataset: Dataset, parsed: ParsedQuery, render: Any) -> None:
    try:
        result = dataset.query(parsed.query)
        conn.send(("ok", render(result)))
    except Exception as exc:  # noqa: BLE001 - everything goes back to the parent as text
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class KnowledgeStore:
    """One dataset shared by all requests: reads in parallel, writes one at a time, all or nothing."""

    def __init__(self, dataset: Dataset, shapes: Graph) -> None:
        self.dataset = dataset
        self.shapes = shapes
        # Held by updates, by forks (so a child never copies a half-applied update) and by reads in this
        # process: an update flips rdflib's process-wide default-graph flag while it runs.
        self._lock = threading.RLock()
        self.version = 0
        self._cache: dict[str, Any] = {}
        self._cache_version = 0

    def cached(self, key: str, compute: Any) -> Any:
        """A value computed once per dataset version (dumps, reports, pages)."""
        with self._lock:
            if self._cache_version != self.version:
                self._cache, self._cache_version = {}, self.version
            if key not in self._cache:
                self._cache[key] = compute()
            return self._cache[key]

    def read(self, compute: Any) -> Any:
        """Run ``compute`` in this process with no update in progress."""
        with self._lock:
            return compute()

    def query(self, parsed: ParsedQuery, render: Any, timeout: float) -> Any:
        """Evaluate in a forked child so that a runaway query can be stopped, and serialise there too.

        ``render(result)`` turns the rdflib result into what is sent back (bytes); it runs in the child.
        """
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        with self._lock:
            child = context.Process(target=_run_child, args=(send, self.dataset, parsed, render), daemon=True)
            child.start()
        send.close()
        try:
            if not receive.poll(timeout):
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            status, payload = receive.recv()
        except EOFError:
            raise EngineError("the query process ended without an answer (out of memory?)") from None
        finally:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join(1)
        if status == "error":
            raise EngineError(payload)
        return payload

    def update(self, update: Update) -> int:
        """Apply an update as one transaction, validated against the shapes before it is committed."""
        with self._lock:
            working = copy_dataset(self.dataset)
            # rdflib evaluates an update's default graph as the union when this flag is set, and
            # then cannot add plain triples to it; updates write to the real default graph.
            previous = rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION
            rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = False
            try:
                apply_update(working, update)
            except SparqlError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise SparqlError(f"the update failed: {exc}") from None
            finally:
                rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = previous
            report = validate(union(working), self.shapes)
            if not report.conforms:
                raise UpdateRejected(report)
            self.dataset = working
            self.version += 1
            return self.version


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


def copy_dataset(source: Dataset) -> Dataset:
    target = Dataset(default_union=True)
    bind_prefixes(target)
    for s, p, o, g in source.quads((None, None, None, None)):
        target.add((s, p, o, g))  # type: ignore[arg-type]  # rdflib accepts a graph name here
    return target
