"""Load the ontology and data files into an rdflib Dataset (one named graph per file)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node
from rdflib.util import guess_format

from .config import Settings
from .errors import InputError
from .namespaces import DEFAULT_BASE_IRI, PREFIXES, RDFS, RESOURCE_PATH, SKOS, graph_ns

RDF_SUFFIXES = {".ttl", ".nt", ".n3", ".rdf", ".xml", ".owl", ".jsonld", ".json", ".trig", ".nq"}
ONTOLOGY_FILE = "strategylinks.ttl"
SHAPES_FILE = "shapes.ttl"


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _format_for(path: Path) -> str:
    fmt = guess_format(str(path)) or ("json-ld" if path.suffix == ".jsonld" else None)
    if fmt is None:
        raise InputError(
            f"cannot tell the RDF format from the file name suffix {path.suffix!r}",
            path=path,
            hint="use .ttl, .nt, .rdf, .jsonld, .trig or .nq",
        )
    return fmt


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file; any syntax problem becomes an InputError naming file and line."""
    path = Path(path)
    target = graph if graph is not None else Graph()
    if path.is_dir():
        raise InputError("is a folder, not a file", path=path, hint="name the .ttl files, e.g. FOLDER/*.ttl")
    if not path.is_file():
        raise InputError("no such file", path=path)
    fmt = _format_for(path)
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path, hint="RDF files must be UTF-8") from None
    return parse_bytes(data, fmt, path, path.resolve().as_uri(), target)


def parse_bytes(data: bytes, fmt: str, source: Path | str, base: str, graph: Graph | None = None) -> Graph:
    """Parse RDF ``data`` (rdflib format name ``fmt``) read from ``source`` (a file, or words such as
    "the request body"); a syntax problem becomes an InputError naming the source and line."""
    target = graph if graph is not None else Graph()
    refuse_outside_references(data, fmt, source)
    name = _LIST_FORMATS.get(fmt)
    if name is not None:
        import pyoxigraph

        with contextlib.suppress(SyntaxError):  # rdflib's parser reports it below, with the position
            refuse_long_lists(pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, name)), source)
    try:
        target.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # noqa: BLE001 - every rdflib parser has its own exception types
        raise _syntax_error(source, data, fmt, exc) from None
    return target


def _contexts(node: Any) -> Iterator[Any]:
    """Every ``@context`` (and JSON-LD 1.1 ``@import``) value in a JSON-LD document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                yield value
            yield from _contexts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _contexts(item)


def refuse_outside_references(data: bytes, fmt: str, source: Path | str) -> None:
    """What a parser would fetch or expand without bound is refused before it starts: a JSON-LD context
    given by reference (rdflib would fetch an http:// one and read a file: one; the project works with
    the network unplugged), and XML entity declarations in RDF/XML (a 655-byte "billion laughs" file
    kept validation busy for minutes)."""
    if fmt in ("json-ld", "jsonld"):
        try:
            document = json.loads(data)
        except ValueError:
            return  # the parser reports the syntax error with its position
        for context in _contexts(document):
            for item in context if isinstance(context, list) else [context]:
                if isinstance(item, str):
                    raise InputError(
                        f"the JSON-LD @context refers to {item!r}, which is not fetched or read",
                        path=source,
                        hint="put the context in the document itself (this tool works without the network)",
                    )
    elif fmt in ("xml", "trix") and b"<!ENTITY" in data:
        raise InputError(
            "the XML declares entities (<!ENTITY …>), which are not expanded",
            path=source,
            hint="write the values out; RDF/XML needs no DTD",
        )


#: RDF collections (lists) in one file, their members counted together. The vocabulary's own lists
#: (owl:unionOf, sh:in) have a handful of members and plans have none; a list costs two triples a
#: member, written in 4 bytes each (a 1M-member list, 8.9 MB of Turtle: 48 s and 3.3 GB to validate).
MAX_LIST_MEMBERS = 10_000
_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"


def refuse_long_lists(quads: Iterable[Any], source: Path | str) -> None:
    """Refuse a file whose lists have more than :data:`MAX_LIST_MEMBERS` members; ``quads`` are
    pyoxigraph's, streamed from its parser (so a bomb is stopped after its first members)."""
    members = 0
    for quad in quads:
        if quad.predicate.value == _FIRST:
            members += 1
            if members > MAX_LIST_MEMBERS:
                raise InputError(
                    f"the file's RDF lists have more than {MAX_LIST_MEMBERS:,} members",
                    path=source,
                    hint="plan and strategy data use no lists; a list this long is not data this tool reads",
                )


def _syntax_error(path: Path | str, data: bytes, fmt: str, exc: Exception) -> InputError:
    """Say where the file is broken. rdflib's Turtle parser reports where it gave up, which can be
    lines after the mistake; Oxigraph's stricter parser points at the token, so ask it first."""
    precise = _oxigraph_position(data, fmt)
    if precise is not None:
        at, column, message = precise
        return InputError(f"{fmt} syntax error at column {column}: {message}", path=path, line=at)
    if isinstance(exc, BadSyntax):
        # BadSyntax counts lines from 0.
        return InputError(f"{fmt} syntax error: {exc._why}", path=path, line=exc.lines + 1)
    if isinstance(exc, ParserError):
        return InputError(f"{fmt} syntax error: {exc}", path=path, line=_line_of(data, str(exc)))
    line: int | None = getattr(exc, "getLineNumber", lambda: None)()
    return InputError(f"{fmt} syntax error: {exc}", path=path, line=line)


_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "ntriples": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "xml": "RDF_XML",
    "n3": "N3",
}
_LIST_FORMATS = {**_OXIGRAPH_FORMATS, "json-ld": "JSON_LD"}  # what refuse_long_lists streams first


def _oxigraph_position(data: bytes, fmt: str) -> tuple[int, int, str] | None:
    name = _OXIGRAPH_FORMATS.get(fmt)
    if name is None:
        return None
    import pyoxigraph

    try:
        for _ in pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, name), base_iri="file:///"):
            pass
    except SyntaxError as err:
        message = str(err.msg).split(": ", 1)[-1] if ": " in str(err.msg) else str(err.msg)
        if err.lineno is not None:
            return err.lineno, err.offset or 0, message
    except Exception:  # noqa: BLE001 - a failure here only means no better position
        return None
    return None


def _line_of(data: bytes, message: str) -> int | None:
    """Find the line an N-Triples style error message quotes (its parser reports no number)."""
    _, _, quoted = message.partition(": ")
    quoted = quoted.strip()
    if not quoted:
        return None
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if line.strip() == quoted:
            return number
    return None


def rebase(graph: Graph, base_iri: str, source_base: str = DEFAULT_BASE_IRI) -> Graph:
    """Move resource IRIs from ``source_base`` to ``base_iri`` (the vocabulary stays where it is)."""
    if base_iri == source_base:
        return graph
    old = source_base + RESOURCE_PATH
    new = base_iri + RESOURCE_PATH

    def move(node: Node) -> Node:
        if isinstance(node, URIRef) and str(node).startswith(old):
            return URIRef(new + str(node)[len(old) :])
        return node

    out = Graph()
    for s, p, o in graph:
        out.add((move(s), p, move(o)))
    return out


def data_files(settings: Settings) -> list[Path]:
    """The data files to load, in a stable order."""
    root = settings.data_path
    if not root.is_dir():
        raise InputError("data folder not found", path=root)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in RDF_SUFFIXES)


def graph_name(path: Path, root: Path, base_iri: str) -> URIRef:
    """Named graph IRI of a data file: ``{base}graph/<path below the data folder, no suffix>``."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return graph_ns(base_iri)[rel.with_suffix("").as_posix()]


def load_dataset(
    settings: Settings | None = None,
    files: Sequence[Path] | None = None,
    *,
    include_ontology: bool = True,
) -> Dataset:
    """Load the ontology and the data files (default: every file of the data folder)."""
    settings = settings or Settings()
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    gns = graph_ns(settings.base_iri)
    if include_ontology:
        parse_file(settings.ontology_path / ONTOLOGY_FILE, ds.graph(gns["ontology"]))
    root = settings.data_path
    for path in files if files is not None else data_files(settings):
        name = graph_name(path, root, settings.base_iri)
        if settings.base_iri == DEFAULT_BASE_IRI:
            # Parse straight into the named graph; on an error the whole load is abandoned anyway.
            parse_file(path, ds.graph(name))
        else:
            _add(ds, name, rebase(parse_file(path), settings.base_iri))
    return ds


def _add(ds: Dataset, name: URIRef, graph: Graph) -> None:
    target = ds.graph(name)
    for triple in graph:
        target.add(triple)


def load_shapes(settings: Settings | None = None) -> Graph:
    settings = settings or Settings()
    return bind_prefixes(parse_file(settings.ontology_path / SHAPES_FILE))


def union(graphs: Dataset | Graph | Iterable[Graph]) -> Graph:
    """All triples of a dataset (or several graphs) in one plain Graph."""
    out = bind_prefixes(Graph())
    if isinstance(graphs, Dataset):
        for s, p, o, _ in graphs.quads((None, None, None, None)):
            out.add((s, p, o))
        return out
    if isinstance(graphs, Graph):
        graphs = [graphs]
    for g in graphs:
        for triple in g:
            out.add(triple)
    return out


def label(graph: Graph, node: Node, lang: str = "sv") -> str:
    """Preferred label in ``lang``, else in any language, else the IRI's last segment."""
    values = [
        (prop == SKOS.prefLabel, value)
        for prop in (SKOS.prefLabel, RDFS.label)
        for value in graph.objects(node, prop)
        if isinstance(value, Literal)
    ]
    return choose_label(values, node, lang)


def choose_label(values: Iterable[tuple[bool, Literal]], node: Node | str, lang: str = "sv") -> str:
    """Pick a label from ``(is skos:prefLabel, literal)`` pairs: skos:prefLabel before rdfs:label, then
    ``lang``, Swedish, English, no language, any; else the IRI's last segment."""
    found: dict[str | None, str] = {}
    pairs = list(values)
    preferred = [v for is_pref, v in pairs if is_pref] or [v for _, v in pairs]
    for value in preferred:
        found.setdefault(value.language, str(value))
    for key in (lang, "sv", "en", None):
        if key in found:
            return found[key]
    if found:
        return next(iter(found.values()))
    text = str(node)
    return text.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?node ?prop ?label WHERE {
  VALUES ?prop { skos:prefLabel rdfs:label }
  VALUES ?node { %s }
  ?node ?prop ?label .
}"""


def labels(source: Any, nodes: Iterable[str], lang: str = "sv", *, fallback: bool = True) -> dict[str, str]:
    """The labels of IRIs (as :func:`label` picks them), from a Graph or with one query on a store.
    Without ``fallback``, IRIs that have no label are left out instead of named by their last segment."""
    iris = sorted({n for n in nodes if n.startswith(("http://", "https://", "urn:", "file:")) and ">" not in n})
    if not iris:
        return {}
    values: dict[str, list[tuple[bool, Literal]]] = {f: [] for f in iris}
    if isinstance(source, Graph):
        for f in iris:
            values[f] = [
                (prop == SKOS.prefLabel, value)
                for prop in (SKOS.prefLabel, RDFS.label)
                for value in source.objects(URIRef(f), prop)
                if isinstance(value, Literal)
            ]
    else:
        for row in source.query(_LABELS % " ".join(f"<{f}>" for f in iris)):
            node, prop, text = row
            if isinstance(text, Literal) and str(node) in values:
                values[str(node)].append((prop == SKOS.prefLabel, text))
    return {f: choose_label(v, f, lang) for f, v in values.items() if v or fallback}
