"""Named SPARQL queries: find the ``.rq`` files, read their headers, bind parameters, run them.

Every query of the project goes through :func:`run`, which takes a :class:`~strategylinks.store.Store`
(the query runs on the store's engine, parameters bound by it) or an rdflib Graph or Dataset (the
importer's in-memory catalogue; rdflib evaluates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Union

from pyparsing.exceptions import ParseException
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from .config import Settings
from .errors import InputError, QueryError
from .namespaces import RESOURCE_PATH
from .sparqlparse import prepare_query

_HEADER = re.compile(r"^#\s*(title|description|param):\s?(.*)$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
PARAM_TYPES = ("iri", "string", "integer", "boolean")


if TYPE_CHECKING:
    from .store import Store

#: What queries run on: a store, or an rdflib Graph or Dataset.
Queryable = Union["Store", Graph]


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file and what its header says."""

    name: str
    path: Path
    text: str
    title: str
    description: str
    params: tuple[Parameter, ...] = field(default=())

    @property
    def title_sv(self) -> str:
        return self.title.split("|")[0].strip()

    @property
    def title_en(self) -> str:
        parts = self.title.split("|")
        return parts[-1].strip()


def parse_header(text: str) -> tuple[str, str, tuple[Parameter, ...]]:
    """Read ``# title:``, ``# description:`` (continued on lines indented by two or more spaces) and
    ``# param: name type description`` lines from the top comment block."""
    title = ""
    description: list[str] = []
    params: list[Parameter] = []
    current: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            key, value = match.groups()
            current = key
            if key == "title":
                title = value.strip()
            elif key == "description":
                description.append(value.strip())
            else:
                name, _, rest = value.strip().partition(" ")
                kind, _, desc = rest.partition(" ")
                if kind not in PARAM_TYPES:
                    raise QueryError(f"parameter {name!r} has unknown type {kind!r}; use one of {PARAM_TYPES}")
                params.append(Parameter(name, kind, desc.strip()))
            continue
        cont = _CONTINUATION.match(line)
        if cont and current == "description":
            description.append(cont.group(1).strip())
    return title, " ".join(description), tuple(params)


def load_query(path: Path, name: str | None = None) -> NamedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read query file: {exc.strerror}", path=path) from None
    title, description, params = parse_header(text)
    return NamedQuery(name or path.stem, path, text, title or path.stem, description, params)


def available(settings: Settings | None = None) -> dict[str, NamedQuery]:
    """The named queries of the queries folder (not the ``checks/``), by name."""
    settings = settings or Settings()
    return {p.stem: load_query(p) for p in sorted(settings.queries_path.glob("*.rq"))}


def checks(settings: Settings | None = None) -> dict[str, NamedQuery]:
    """The vocabulary health checks: queries that must return zero rows."""
    settings = settings or Settings()
    return {p.stem: load_query(p) for p in sorted((settings.queries_path / "checks").glob("*.rq"))}


def views(settings: Settings | None = None) -> dict[str, NamedQuery]:
    """The queries the library builds its views from (e.g. the alignment graph), by name."""
    settings = settings or Settings()
    return {p.stem: load_query(p) for p in sorted((settings.queries_path / "views").glob("*.rq"))}


def find(name_or_path: str, settings: Settings | None = None) -> NamedQuery:
    """A named query, or a ``.rq`` file given by path; an unknown name lists the known ones."""
    if name_or_path.endswith(".rq") or "/" in name_or_path:
        path = Path(name_or_path)
        if not path.is_file():
            raise InputError("no such query file", path=path)
        return load_query(path)
    queries = available(settings)
    if name_or_path not in queries:
        raise InputError(
            f"unknown query {name_or_path!r}",
            hint="available queries: " + ", ".join(queries) + " (or give the path of a .rq file)",
        )
    return queries[name_or_path]


def convert(param: Parameter, value: str, base_iri: str) -> Identifier:
    """Turn a parameter's text into an RDF term; a relative IRI is read against ``{base}id/``."""
    if param.type == "iri":
        if not value.strip():
            raise InputError(f"parameter {param.name!r} needs an IRI, not an empty value")
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
            value = base_iri + RESOURCE_PATH + value.lstrip("/")
        if any(c in value for c in ' <>"{}|^`\\'):
            raise InputError(f"parameter {param.name!r}: {value!r} is not a valid IRI")
        return URIRef(value)
    if param.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise InputError(f"parameter {param.name!r} must be an integer, not {value!r}") from None
    if param.type == "boolean":
        if value.lower() not in ("true", "false"):
            raise InputError(f"parameter {param.name!r} must be true or false, not {value!r}")
        return Literal(value.lower() == "true")
    return Literal(value)


def bindings(query: NamedQuery, values: dict[str, str], settings: Settings | None = None) -> dict[str, Identifier]:
    settings = settings or Settings()
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise InputError(f"query {query.name!r} has no parameter {', '.join(unknown)}", hint=f"its parameters: {known}")
    return {name: convert(declared[name], value, settings.base_iri) for name, value in values.items()}


def bound_text(query: NamedQuery, values: dict[str, str], settings: Settings | None = None) -> str:
    """The named query's text with the parameters given (empty ones stay unbound) written into it, as
    the stores bind them: substituted where the text allows, else a trailing VALUES block."""
    from .store.sparqltext import substitute, with_values

    bound = bindings(query, {k: v for k, v in values.items() if v.strip()}, settings)
    if not bound:
        return query.text
    return substitute(query.text, bound) or with_values(query.text, bound)


def run(
    source: Queryable,
    query: NamedQuery | str,
    params: dict[str, str] | None = None,
    *,
    settings: Settings | None = None,
) -> Result:
    """Run a named query (or a name) on a graph, with parameters bound, never pasted into the text."""
    from .store import Store, StoreQueryError

    named = find(query, settings) if isinstance(query, str) else query
    bound = bindings(named, params or {}, settings)
    if isinstance(source, Store):
        try:
            return source.query(named.text, bound)
        except StoreQueryError as exc:
            raise QueryError(exc.message, path=named.path) from None
    try:
        prepared = prepare_query(named.text)
    except ParseException as exc:
        raise QueryError(f"SPARQL syntax error: {exc}", path=named.path, line=exc.lineno) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises several kinds for bad queries
        raise QueryError(f"SPARQL error: {exc}", path=named.path) from None
    try:
        result = source.query(prepared, initBindings=bound)
        # rdflib evaluates lazily; evaluate here so that errors surface as QueryError.
        _ = result.bindings if result.type in ("SELECT", "ASK") else result.graph
        return result
    except Exception as exc:  # noqa: BLE001
        raise QueryError(f"the query failed: {exc}", path=named.path) from None


def rows(result: Result) -> list[dict[str, Identifier | None]]:
    """A SELECT result as dictionaries keyed by variable name (unbound values are None)."""
    names = [str(v) for v in result.vars or []]
    return [dict(zip(names, row, strict=True)) for row in result]  # type: ignore[arg-type]
