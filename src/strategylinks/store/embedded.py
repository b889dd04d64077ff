"""The embedded store: Oxigraph (pyoxigraph) in memory, or persistent on disk in a store folder.

A store folder holds the Oxigraph database (``oxigraph/``) and ``strategylinks-store.json``, which says
which layout version wrote it, the base IRI and the files it was loaded from. ``build`` writes a new
folder beside the old one and swaps it in only when every file has loaded and the data conforms, so a
failed load leaves the old store as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Variable
from rdflib.query import Result
from rdflib.term import Identifier

from ..errors import InputError
from .base import Store, StoreError, StoreQueryError, ask_result, graph_result, select_result
from .sparqltext import substitute
from .terms import to_oxigraph, to_rdflib

#: Bumped when the folder layout changes; a folder written by a newer strategylinks is refused.
LAYOUT_VERSION = 1
META_FILE = "strategylinks-store.json"
DB_DIR = "oxigraph"

#: File suffix → the Oxigraph parser (the same suffixes ``graph.RDF_SUFFIXES`` loads).
SUFFIX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}
QUAD_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}


class OxigraphStore(Store):
    def __init__(self, base_iri: str, store: ox.Store, *, path: Path | None = None, read_only: bool = False) -> None:
        super().__init__(base_iri)
        self.oxigraph = store
        self.path = path
        self.read_only = read_only
        self.kind = "memory" if path is None else "disk"

    # -- opening

    @classmethod
    def memory(cls, base_iri: str) -> OxigraphStore:
        return cls(base_iri, ox.Store())

    @classmethod
    def open(cls, path: Path, base_iri: str, *, read_only: bool = False) -> OxigraphStore:
        """Open an existing store folder (made by ``strategylinks load --store DIR``)."""
        check_store(path, base_iri)
        return cls(base_iri, _open_db(path / DB_DIR, read_only=read_only), path=path, read_only=read_only)

    def describe(self) -> str:
        return f"the store {self.path}" if self.path else "the data in memory"

    # -- reading

    def query(
        self,
        text: str,
        bindings: Mapping[str, Identifier] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> Result:
        options: dict[str, Any] = {}
        if default_graphs is not None or named_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []] or ox.DefaultGraph()
            if named_graphs is not None:
                options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if bindings:
            written = substitute(text, bindings)
            if written is None:  # a text the substitution cannot keep: Oxigraph pre-binds instead
                options["substitutions"] = {ox.Variable(k): to_oxigraph(v) for k, v in bindings.items()}
            else:
                text = written
        try:
            answer = self.oxigraph.query(text, base_iri=base_iri, **options)
            return convert(answer)
        except SyntaxError as exc:
            raise StoreQueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreQueryError(f"the query failed: {exc}") from None

    def graph_names(self) -> list[str]:
        prefix = self.graph_prefix
        return sorted(
            g.value for g in self.oxigraph.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(prefix)
        )

    def graph_sizes(self) -> dict[str, int]:
        return {g: n for g, n in super().graph_sizes().items() if n}

    def dump(self) -> bytes:
        return self.oxigraph.dump(format=ox.RdfFormat.N_QUADS) or b""

    def union_ntriples(self) -> bytes:
        """The union of all graphs as N-Triples (serialised by Oxigraph)."""
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

    def construct(self, text: str) -> bytes:
        """A CONSTRUCT query's triples as N-Triples, serialised by Oxigraph (no Python per triple)."""
        triples = self.oxigraph.query(text, use_default_graph_as_union=True)
        assert isinstance(triples, ox.QueryTriples)
        return triples.serialize(format=ox.RdfFormat.N_TRIPLES) or b""

    # -- writing

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only", path=self.path)

    def update(self, text: str) -> None:
        self._writable()
        try:
            self.oxigraph.update(text)
        except SyntaxError as exc:
            raise StoreQueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreQueryError(f"the update failed: {exc}") from None

    def replace_graphs(self, graphs: Mapping[str, bytes], *, drop_others: bool = False) -> None:
        self._writable()
        # One update is one transaction: every graph is replaced, or none is.
        parts = [f"DROP SILENT GRAPH <{g}>" for g in (self.graph_names() if drop_others else [])]
        for name, triples in graphs.items():
            parts.append(f"DROP SILENT GRAPH <{name}>")
            if triples.strip():
                parts.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{triples.decode('utf-8')}\n}} }}")
        if parts:
            self.update(" ;\n".join(parts))

    def load_file(self, path: Path, graph: str | None, *, bulk: bool = True) -> None:
        """Parse one file into a named graph with Oxigraph's parser; a syntax error names file and line."""
        if path.is_dir():
            raise InputError("is a folder, not a file", path=path, hint="name the .ttl files, e.g. FOLDER/*.ttl")
        if not path.is_file():
            raise InputError("no such file", path=path)
        fmt = SUFFIX_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(f"cannot tell the RDF format from the suffix {path.suffix!r}", path=path)
        from ..graph import refuse_long_lists, refuse_outside_references

        if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
            refuse_outside_references(path.read_bytes(), "json-ld" if fmt == ox.RdfFormat.JSON_LD else "xml", path)
        target = ox.NamedNode(graph) if graph is not None and fmt not in QUAD_FORMATS else None
        load = self.oxigraph.bulk_load if bulk else self.oxigraph.load
        base = path.resolve().as_uri()
        try:
            # A first streaming pass (0.4 µs a triple against the load's 10-35) refuses a list bomb before
            # the loader holds it in memory.
            refuse_long_lists(ox.parse(path=str(path), format=fmt, base_iri=base), path)
            load(path=str(path), format=fmt, base_iri=base, to_graph=target)
        except SyntaxError as exc:
            message = str(exc.msg) if exc.msg else str(exc)
            raise InputError(
                f"{fmt.name} syntax error at column {exc.offset or 0}: {message}", path=path, line=exc.lineno
            ) from None
        except OSError as exc:
            raise InputError(f"cannot read file: {exc}", path=path) from None

    def load_data(self, data: bytes, fmt: Any, graph: str | None = None) -> None:
        target = ox.NamedNode(graph) if graph is not None else None
        self.oxigraph.bulk_load(data, format=fmt, to_graph=target)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self.oxigraph.flush()

    def close(self) -> None:
        # pyoxigraph closes the database (and frees its lock) when the object is dropped.
        self.flush()
        self.oxigraph = None  # type: ignore[assignment]


def convert(answer: Any) -> Result:
    """An rdflib result for a pyoxigraph answer, converting each distinct IRI once."""
    if isinstance(answer, ox.QueryBoolean):
        return ask_result(bool(answer))
    cache: dict[Any, Identifier] = {}

    def term(value: Any) -> Identifier | None:
        if value is None:
            return None
        found = cache.get(value)
        if found is None:
            found = cache[value] = to_rdflib(value)
        return found

    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        keys = [Variable(n) for n in names]
        rows = []
        for solution in answer:
            row = {}
            for key, value in zip(keys, solution, strict=True):
                if value is not None:
                    row[key] = term(value)
            rows.append(row)
        return select_result(names, rows)  # type: ignore[arg-type]
    from rdflib import Graph

    graph = Graph()
    graph.parse(data=answer.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph_result("CONSTRUCT", graph)


# ---------------------------------------------------------------- store folders


def check_store(path: Path, base_iri: str) -> dict[str, Any]:
    """The store folder's description, if it is a store of this layout version and base IRI."""
    meta = read_meta(path)
    if meta.get("base_iri") != base_iri:
        raise StoreError(
            f"the store was loaded with the base IRI {meta.get('base_iri')!r}, not {base_iri!r}",
            path=path,
            hint=f"use --base-iri {meta.get('base_iri')}, or load the store again with this base IRI",
        )
    return meta


def read_meta(path: Path) -> dict[str, Any]:
    meta_file = path / META_FILE
    if not meta_file.is_file():
        hint = "create it with: strategylinks load --store " + str(path)
        if path.is_dir() and any(path.iterdir()):
            raise StoreError("this folder is not a strategylinks store", path=path, hint=hint)
        raise StoreError("no store here", path=path, hint=hint)
    try:
        meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"the store's description cannot be read: {exc}", path=meta_file) from None
    version = meta.get("layout")
    if not isinstance(version, int) or version > LAYOUT_VERSION:
        raise StoreError(
            f"the store was written by a newer strategylinks (layout {version}, this one reads {LAYOUT_VERSION})",
            path=path,
            hint="upgrade strategylinks, or load a new store from the data files",
        )
    return meta


def _open_db(path: Path, *, read_only: bool) -> ox.Store:
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        text = str(exc)
        if "lock" in text.lower() or "temporarily unavailable" in text.lower():
            raise StoreError(
                "the store is in use by another process (a running strategylinks serve or load?)",
                path=path.parent,
                hint="stop that process, or use its SPARQL endpoint with --endpoint",
            ) from None
        raise StoreError(f"the store cannot be opened: {text}", path=path.parent) from None


def check_not_in_use(path: Path) -> None:
    """Refuse to replace a store that another process has open for writing."""
    if (path / META_FILE).is_file():
        store = _open_db(path / DB_DIR, read_only=False)
        del store


def build(
    path: Path,
    base_iri: str,
    fill: Callable[[OxigraphStore], None],
    check: Callable[[OxigraphStore], None] | None = None,
    files: Iterable[str] = (),
    validated: bool = True,
) -> None:
    """Create or replace the store folder ``path``: ``fill`` loads a new store beside it, ``check`` may
    refuse it (raise); only then is the new folder swapped in. On any error the old store is untouched."""
    path = path.resolve()
    if path.exists() and not path.is_dir():
        raise StoreError("is a file, not a store folder", path=path)
    if path.is_dir() and any(path.iterdir()) and not (path / META_FILE).is_file():
        raise StoreError(
            "the folder exists and is not a strategylinks store; nothing was written",
            path=path,
            hint="name an empty or new folder",
        )
    check_not_in_use(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a store folder is an ordinary folder
    try:
        store = OxigraphStore(base_iri, ox.Store(str(staging / DB_DIR)), path=staging)
        fill(store)
        if check is not None:
            check(store)
        store.close()
        meta = {
            "layout": LAYOUT_VERSION,
            "base_iri": base_iri,
            "loaded": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": list(files),
            # Whether the shapes accepted the data (``load --no-validate`` skips them).
            "validated": validated and check is not None,
        }
        (staging / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        _swap(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, path: Path) -> None:
    """Put ``staging`` where ``path`` is; the old folder is removed only after the rename."""
    if not path.exists():
        os.replace(staging, path)
        return
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    os.replace(path, old)
    try:
        os.replace(staging, path)
    except OSError:
        os.replace(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)
