"""The ``strategylinks`` command: a thin layer that parses arguments, calls the library, prints.

Exit codes: 0 success; 1 findings (shape violations, or gaps with ``gaps --strict``);
2 unusable input (malformed file, unknown query or format, bad parameter); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from rdflib import Graph
from rdflib.query import Result

from . import __version__
from .config import Settings
from .errors import StrategyLinksError
from .results import csv_text, tsv

if TYPE_CHECKING:
    from .store import Store

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
QUERY_FORMATS = ("table", "csv", "tsv", "json", "md")
EXPORT_FORMATS = ("ttl", "jsonld", "nt", "xml", "trig", "nq")


def _settings(args: argparse.Namespace, kind: type[Settings] = Settings, **extra: object) -> Settings:
    overrides: dict[str, object] = {k: v for k, v in extra.items() if v is not None}
    if args.base_iri:
        overrides["base_iri"] = args.base_iri
    if args.data_dir:
        overrides["data_dir"] = Path(args.data_dir)
    for key in ("store", "endpoint", "update_endpoint", "graph_store"):
        value = getattr(args, key, None)
        if value:
            overrides[key] = Path(value) if key == "store" else value
    settings = kind(**overrides)  # type: ignore[arg-type]
    if settings.store is not None and settings.endpoint:
        raise StrategyLinksError("give either --store or --endpoint, not both")
    return settings


def _store(settings: Settings, *, writable: bool = False) -> Store:
    from .store import open_store

    return open_store(settings, writable=writable)


def _write(text: str, output: str | None) -> None:
    if output:
        path = Path(output)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise StrategyLinksError(f"cannot write: {exc.strerror}", path=path) from None
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


# ------------------------------------------------------------------ commands


def cmd_validate(args: argparse.Namespace) -> int:
    from .graph import data_files, load_shapes
    from .store import memory_store
    from .validate import validate

    settings = _settings(args)
    files = [Path(f) for f in args.files]
    if files and not args.alone:
        # Given files stand in for shipped files of the same name, so an edited copy is checked alone.
        names = {f.name for f in files}
        files = [p for p in data_files(settings) if p.name not in names] + files
    shapes = load_shapes(settings)
    with memory_store(settings, files) if files else _store(settings) as store:
        report = validate(store, shapes, args.engine)
    print(report.text(args.lang))
    return EXIT_OK if report.conforms else EXIT_FINDINGS


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def format_result(result: Result, fmt: str) -> str:
    if result.type == "ASK":
        answer = bool(result.askAnswer)
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": answer})
        if fmt in ("csv", "tsv"):
            return csv_text(result) if fmt == "csv" else tsv(result)
        return str(answer).lower()
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        assert result.graph is not None
        if fmt not in ("table", "json"):
            raise StrategyLinksError(
                f"a {result.type} query gives a graph, not a table: use --format table (Turtle) or json (JSON-LD)"
            )
        return result.graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8")  # type: ignore[union-attr]
    if fmt == "tsv":
        return tsv(result)
    if fmt == "csv":
        return csv_text(result)
    names = [str(v) for v in result.vars or []]
    rows = [[_cell(v) for v in row] for row in result]  # type: ignore[union-attr]  # SELECT rows are tuples
    from tabulate import tabulate

    if fmt == "md":
        return str(tabulate([[c.replace("|", "\\|") for c in r] for r in rows], headers=names, tablefmt="github"))
    table = str(tabulate(rows, headers=names, tablefmt="simple", maxcolwidths=60))
    return table + f"\n({len(rows)} rader / rows)"


def cmd_query(args: argparse.Namespace) -> int:
    from . import queries

    settings = _settings(args)
    named = queries.find(args.query, settings)
    params: dict[str, str] = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise StrategyLinksError(f"--param {item!r} is not of the form name=value")
        params[key] = value
    # Bind early so a bad parameter fails before the data is loaded.
    queries.bindings(named, params, settings)
    with _store(settings) as store:
        if "plan" in {p.name for p in named.params}:
            from .reports import resolve_plan

            # The latest plan unless one is named; a plan that does not exist is an error, not "no rows".
            params["plan"] = resolve_plan(store, params.get("plan"), settings)[0]
        result = queries.run(store, named, params, settings=settings)
    _write(format_result(result, args.format), None)
    return EXIT_OK


def cmd_queries(args: argparse.Namespace) -> int:
    from . import queries

    for name, q in queries.available(_settings(args)).items():
        params = ", ".join(f"{p.name} ({p.type})" for p in q.params) or "–"
        print(f"{name}\n    {q.title}\n    parametrar/parameters: {params}")
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace) -> int:
    from .reports import gap_report, render_json, render_text

    settings = _settings(args)
    with _store(settings) as store:
        report = gap_report(store, args.plan, settings)
    if args.format == "json":
        text = render_json(report, include_indirect=args.include_indirect)
    else:
        text = render_text(report, markdown=args.format == "md")
    _write(text, args.output)
    return EXIT_FINDINGS if args.strict and report.gaps else EXIT_OK


def cmd_network(args: argparse.Namespace) -> int:
    from .analysis import analyse, render_json, render_markdown
    from .network import alignment_graph
    from .reports import resolve_plan

    settings = _settings(args)
    with _store(settings) as store:
        plan, label = resolve_plan(store, args.plan, settings)
        view = alignment_graph(store, plan, settings)
    view.graph["plan_label"] = label
    report = analyse(view)
    kind = None if args.kind == "all" else args.kind
    text = render_json(report, kind) if args.format == "json" else render_markdown(report, view, kind)
    _write(text, args.output)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .annual import build, write

    settings = _settings(args)
    output = Path(args.output)
    _refuse_overwrite(output, args.force)
    fmt = args.format or output.suffix.lower().lstrip(".")
    if fmt not in ("docx", "html", "md"):
        raise StrategyLinksError("give --format docx, html or md (or name the file .docx, .html or .md)")
    with _store(settings) as store:
        report = build(store, args.plan, args.period, settings, args.lang)
    try:
        files = write(report, fmt, output)
    except OSError as exc:
        raise StrategyLinksError(f"cannot write: {exc.strerror}", path=output) from None
    print("wrote " + ", ".join(str(f) for f in files), file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import serialize

    settings = _settings(args)
    with _store(settings) as store:
        dataset = store.to_dataset()
    _write(serialize(dataset, args.format, settings), args.output)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from .stats import stats

    settings = _settings(args)
    with _store(settings) as store:
        counts = stats(store, settings)
    if args.format == "json":
        print(json.dumps(counts, ensure_ascii=False, indent=2))
    else:
        for key, value in counts.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_viz(args: argparse.Namespace) -> int:
    from .followup import period_iri
    from .network import alignment_graph
    from .reports import resolve_plan
    from .viz import write

    settings = _settings(args)
    period = period_iri(args.period, settings.base_iri) if args.period else None
    with _store(settings) as store:
        plan, label = resolve_plan(store, args.plan, settings)
        view = alignment_graph(store, plan, settings, period=period)
    path = write(view, Path(args.output), settings, lang=args.lang, plan_label=label)
    print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (a clear error if it is taken), for uvicorn to listen on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, as getaddrinfo() names it for uvicorn's own sockets: asyncio sets TCP_NODELAY
    # only on connections of a socket that says it is TCP, and without it every answer on a kept-alive
    # connection waited 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StrategyLinksError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="another program uses the port: choose another with --port",
        ) from None
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api import create_app
    from .api.settings import ServerSettings

    keys = ("host", "port", "update_token", "query_timeout", "result_limit", "max_request_bytes")
    settings = _settings(args, ServerSettings, **{key: getattr(args, key, None) for key in keys})
    assert isinstance(settings, ServerSettings)
    # The socket is bound here, before anything is loaded, so that a port in use is a clear error
    # rather than a "serving on" line followed by uvicorn's exit.
    sock = listening_socket(settings.host, settings.port)
    port = sock.getsockname()[1]
    app = create_app(settings)
    print(f"strategylinks: serving on http://{settings.host}:{port}/", file=sys.stderr)
    # The socket itself, not its fd: uvicorn reads an fd as a Unix socket's.
    uvicorn.Server(uvicorn.Config(app, log_level=args.log_level)).run(sockets=[sock])
    return EXIT_OK


def _refuse_overwrite(output: Path, force: bool) -> None:
    if output.exists() and not force:
        raise StrategyLinksError(
            "the output file exists; nothing was written",
            path=output,
            hint="use --force to replace it, or -o for another file",
        )


def _free_name(folder: Path, stem: str) -> Path:
    """``stem.ttl``, or ``stem-2.ttl``, ``stem-3.ttl`` …: each batch of additions gets a file of its own."""
    candidate, n = folder / f"{stem}.ttl", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}.ttl"
    return candidate


def _conforms_with(catalogue: Graph, addition: Graph, lang: str, what: str, settings: Settings) -> bool:
    """Validate new data together with the data it joins; print the report and say so if it breaks."""
    from .graph import load_shapes, union
    from .validate import validate

    report = validate(union([union(catalogue), addition]), load_shapes(settings))
    if not report.conforms:
        print(report.text(lang), file=sys.stderr)
        print(f"strategylinks: {what} breaks the shapes; it was not written", file=sys.stderr)
    return report.conforms


def _finish_rows(
    errors: int,
    empty: str | None,
    catalogue: Graph,
    addition: Graph,
    what: str,
    args: argparse.Namespace,
    settings: Settings,
    output: Path,
) -> int:
    """The end of a spreadsheet import: nothing written on bad rows, an empty result or a shape
    violation; else the Turtle file."""
    if errors:
        print(f"strategylinks: {errors} rows cannot be read; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    if empty:
        print(f"strategylinks: {empty}; nothing was written", file=sys.stderr)
        return EXIT_INPUT
    if not _conforms_with(catalogue, addition, args.lang, what, settings):
        return EXIT_FINDINGS
    _write(addition.serialize(format="turtle"), str(output))
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace) -> int:
    from .graph import data_files, load_dataset
    from .importer.build import import_plan, slugify
    from .importer.review import print_terminal, render_json, render_markdown

    settings = _settings(args)
    source = Path(args.file)
    if args.slug is not None and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", args.slug):
        # The slug names a file under plans/ and the plan's IRI: nothing but a plain slug may go there.
        raise StrategyLinksError(
            f"--slug {args.slug!r} is not a plain slug",
            hint="use lower-case letters, digits and single hyphens, e.g. handlingsplan-2023",
        )
    slug = args.slug or slugify(source.stem)
    output = Path(args.output) if args.output else settings.data_path / "plans" / f"{slug}.ttl"
    _refuse_overwrite(output, args.force)
    # The plan's own file (where it is written, and where it would live by its slug) is replaced by the
    # import, so it is not part of the data the import is linked to and validated with.
    replaced = {output.resolve(), (settings.data_path / "plans" / f"{slug}.ttl").resolve()}
    others = [p for p in data_files(settings) if p.resolve() not in replaced]
    catalogue = load_dataset(settings, others)
    from rich.progress import Progress

    # The bar shows on a terminal only (rich leaves pipes and files alone).
    with Progress(transient=True, console=None) as bar:
        task = bar.add_task("Läser och länkar / reading and linking", total=None)
        result = import_plan(
            source,
            args.year,
            catalogue,
            title=args.title,
            slug=slug,
            settings=settings,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if (result.plan, None, None) in catalogue:
        raise StrategyLinksError(
            f"another data file already holds the plan {result.plan}; nothing was written",
            hint="give the import another --slug",
        )
    print_terminal(result)
    if not _conforms_with(catalogue, result.graph, args.lang, "the imported plan", settings):
        return EXIT_FINDINGS
    if args.strict and result.needs_review:
        print(
            f"strategylinks: {len(result.needs_review)} references need review (--strict); the plan was not written",
            file=sys.stderr,
        )
        return EXIT_FINDINGS

    # The review file goes with the plan: a failed import writes neither (the review is on the terminal).
    turtle = result.graph.serialize(format="turtle")
    _write(turtle, str(output))
    if args.report:
        text = render_json(result) if args.report.endswith(".json") else render_markdown(result)
        _write(text, args.report)
    return EXIT_OK


def cmd_followup_template(args: argparse.Namespace) -> int:
    from .followup import parse_period, plan_actions, write_template
    from .reports import resolve_plan

    settings = _settings(args)
    period = parse_period(args.period) if args.period else None
    output = Path(args.output)
    _refuse_overwrite(output, args.force)
    if output.suffix.lower() != ".xlsx":
        raise StrategyLinksError("the template is an .xlsx file", path=output, hint="name it FILE.xlsx")
    with _store(settings) as store:
        plan, label = resolve_plan(store, args.plan, settings)
        actions = plan_actions(store, plan, settings)
    write_template(actions, label, period, output)
    print(f"wrote {output}: {len(actions)} insatser of {label}", file=sys.stderr)
    return EXIT_OK


def cmd_followup_import(args: argparse.Namespace) -> int:
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS

    from .followup import build_followups, now, parse_period, plan_actions, read_sheet, review_text
    from .graph import data_files, load_dataset, union
    from .reports import resolve_plan

    settings = _settings(args)
    period = parse_period(args.period)
    source = Path(args.file)
    rows = read_sheet(source)
    reported_at = now()
    if args.reported_at:
        try:
            reported_at = datetime.fromisoformat(args.reported_at)
        except ValueError:
            raise StrategyLinksError(f"--reported-at {args.reported_at!r} is not an ISO date and time") from None
    # Resolve the plan first: the default output is named after it.
    catalogue = load_dataset(settings)
    plan, _ = resolve_plan(catalogue, args.plan, settings)
    slug = plan.rstrip("/").rsplit("/", 1)[-1]
    output = Path(args.output) if args.output else settings.data_path / "followup" / f"{slug}-{period.slug}.ttl"
    _refuse_overwrite(output, args.force)
    if output.resolve() in {p.resolve() for p in data_files(settings)}:
        # The file being replaced is not part of the data the follow-up is checked with.
        catalogue = load_dataset(settings, [p for p in data_files(settings) if p.resolve() != output.resolve()])
    merged = union(catalogue)
    reporter = URIRef(args.reporter) if args.reporter else merged.value(URIRef(plan), DCTERMS.publisher)
    if not isinstance(reporter, URIRef):
        raise StrategyLinksError("the plan names no publisher; say who reports with --reporter IRI")
    result = build_followups(
        rows, plan_actions(catalogue, plan, settings), plan, period, reporter, reported_at, settings, source
    )
    print(review_text(result, source), file=sys.stderr)
    empty = None if result.recorded else "no row has a status"
    return _finish_rows(len(result.errors), empty, catalogue, result.graph, "the follow-up", args, settings, output)


def cmd_indicators_import(args: argparse.Namespace) -> int:
    from rdflib import RDF

    from .graph import data_files, load_dataset, union
    from .importer.build import slugify
    from .indicators import build_indicators, pairs, read_records, review_text
    from .namespaces import SL

    settings = _settings(args)
    source = Path(args.file)
    layout, records = read_records(source)
    labels, units = pairs(args.label or [], "--label"), pairs(args.unit or [], "--unit")
    measures: dict[str, list[str]] = {}
    for key, target in pairs(args.measures or [], "--measures").items():
        measures.setdefault(key, []).extend(target.split(","))
    output = Path(args.output) if args.output else settings.data_path / "indikatorer" / f"{slugify(source.stem)}.ttl"
    _refuse_overwrite(output, args.force)
    others = [p for p in data_files(settings) if p.resolve() != output.resolve()]
    catalogue = load_dataset(settings, others)
    merged = union(catalogue)
    known = {str(n) for kind in (SL.Effect, SL.StrategyGoal) for n in merged.subjects(RDF.type, kind)}
    result = build_indicators(
        layout, records, settings, source, labels=labels, units=units, measures=measures, known=known
    )
    print(review_text(result, source), file=sys.stderr)
    empty = None if result.observations else "the file holds no values"
    what = "the indicator values"
    return _finish_rows(len(result.errors), empty, catalogue, result.graph, what, args, settings, output)


def cmd_import_strategy(args: argparse.Namespace) -> int:
    from .graph import data_files, load_dataset, union
    from .importer.strategy import import_strategy

    settings = _settings(args)
    given = Path(args.output) if args.output else None
    if given is not None:
        _refuse_overwrite(given, args.force)
    # A file being replaced is not part of the data the strategy joins.
    others = [p for p in data_files(settings) if given is None or p.resolve() != given.resolve()]
    catalogue = load_dataset(settings, others)
    result = import_strategy(Path(args.file), union(catalogue), settings)
    slug = str(result.strategy).rsplit("/", 1)[-1]
    output = given or _free_name(settings.data_path / "catalogue", slug if result.new_strategy else f"{slug}-tillagg")
    if not _conforms_with(catalogue, result.graph, args.lang, "the strategy", settings):
        return EXIT_FINDINGS
    _write(result.graph.serialize(format="turtle"), str(output))
    verb = "new strategy" if result.new_strategy else "extends"
    print(f"{verb} {result.strategy}: {result.goals} goals", file=sys.stderr)
    return EXIT_OK


def _store_folder(args: argparse.Namespace) -> tuple[Settings, Path]:
    """The settings of a command about a store folder, and the folder (which it needs)."""
    settings = _settings(args)
    if settings.store is None:
        raise StrategyLinksError("name the store folder: --store DIR (or $STRATEGYLINKS_STORE)")
    return settings, settings.store


def cmd_load(args: argparse.Namespace) -> int:
    from .graph import load_shapes
    from .store import fill
    from .store.embedded import OxigraphStore, build
    from .validate import validate

    settings, folder = _store_folder(args)
    files = [Path(f) for f in args.files] or None
    shapes = load_shapes(settings)
    loaded: list[str] = []
    report = None

    def load(store: OxigraphStore) -> None:
        loaded.extend(str(path) for _, path in fill(store, settings, files))

    def check(store: OxigraphStore) -> None:
        nonlocal report
        if args.no_validate:
            return
        report = validate(store, shapes, args.engine)
        if not report.conforms:
            raise _Refused()

    try:
        build(folder, settings.base_iri, load, check, loaded, validated=not args.no_validate)
    except _Refused:
        assert report is not None
        print(report.text(args.lang), file=sys.stderr)
        print(f"strategylinks: the data breaks the shapes; the store {folder} was not changed", file=sys.stderr)
        return EXIT_FINDINGS
    with OxigraphStore.open(folder, settings.base_iri, read_only=True) as store:
        triples = len(store)
    print(f"loaded {len(loaded)} files, {triples} triples into {folder}", file=sys.stderr)
    return EXIT_OK


def cmd_backups(args: argparse.Namespace) -> int:
    from .store.embedded import read_meta
    from .store.journal import Journal, describe

    _, folder = _store_folder(args)
    meta = read_meta(folder)
    entries = Journal(folder).entries()
    print("point\ttime\tchange")
    print(f"0\t{meta.get('loaded', '')}\tloaded from {len(meta.get('files', []))} files")
    for line in describe(entries):
        print(line)
    current = entries[-1].number if entries else 0
    print(f"the store is at point {current}; go back with: strategylinks restore --store DIR --to N", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from .store.journal import restore

    _, folder = _store_folder(args)
    entry = restore(folder, args.to)
    print(
        f"the store {folder} is back at point {args.to}, as new point {entry.number} "
        f"(undo it with --to {entry.number - 1})",
        file=sys.stderr,
    )
    return EXIT_OK


class _Refused(Exception):
    """The new store's data breaks the shapes (a signal inside cmd_load, never shown)."""


def cmd_publish(args: argparse.Namespace) -> int:
    from .graph import load_shapes
    from .store import memory_store, source_graphs
    from .validate import validate

    settings = _settings(args)
    if not settings.endpoint:
        raise StrategyLinksError("name the store to publish to: --endpoint URL (or $STRATEGYLINKS_ENDPOINT)")
    local = memory_store(settings)
    with local:
        report = validate(local, load_shapes(settings), args.engine)
        if not report.conforms:
            print(report.text(args.lang), file=sys.stderr)
            print("strategylinks: the data breaks the shapes; nothing was published", file=sys.stderr)
            return EXIT_FINDINGS
        graphs = source_graphs(local)
    with _store(settings, writable=True) as remote:
        remote.replace_graphs(graphs, drop_others=not args.keep_others)
        triples = len(remote)
    print(f"published {len(graphs)} graphs, {triples} triples to {settings.endpoint}", file=sys.stderr)
    return EXIT_OK


def cmd_assets(args: argparse.Namespace) -> int:
    from .assets import install_query_page

    for path in install_query_page(_settings(args).viz_path):
        print(f"installed {path.name} in {path}", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--base-iri",
        help="base IRI of the dataset (default: $STRATEGYLINKS_BASE_IRI or https://w3id.org/strategylinks/)",
    )
    common.add_argument("--data-dir", help="folder of data files to load (default: the shipped data/)")
    where = common.add_argument_group("where the data is (default: the data folder's files, in memory)")
    where.add_argument("--store", metavar="DIR", help="an Oxigraph store folder made by 'load' ($STRATEGYLINKS_STORE)")
    where.add_argument(
        "--endpoint",
        metavar="URL",
        help="a remote SPARQL 1.1 query endpoint ($STRATEGYLINKS_ENDPOINT); credentials only from "
        "$STRATEGYLINKS_ENDPOINT_USER and $STRATEGYLINKS_ENDPOINT_PASSWORD",
    )
    where.add_argument("--update-endpoint", metavar="URL", help="its update endpoint (default: the query endpoint)")
    where.add_argument("--graph-store", metavar="URL", help="its SPARQL Graph Store Protocol URL, if it has one")
    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument(
        "--engine", choices=("turbo", "pyshacl"), default="turbo", help="SHACL engine (pyshacl is the reference)"
    )
    engine.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the report")

    parser = argparse.ArgumentParser(
        prog="strategylinks",
        description="Do the actions of a regional action plan serve its strategies? "
        "A knowledge graph of plans and strategies: validate, query, report gaps, export, draw.",
        epilog="Exit codes: 0 success, 1 findings (violations; gaps with --strict), 2 unusable input.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "validate",
        parents=[common, engine],
        help="check data against the SHACL shapes",
        description="Validate the shipped dataset, or FILES together with it (a file "
        "replaces a shipped file of the same name). Exit 0 conforms, 1 violations, "
        "2 unusable input.",
    )
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument("--alone", action="store_true", help="validate FILES with the ontology only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "load",
        parents=[common, engine],
        help="create or refresh a store folder from the data files",
        description="Load the ontology and the data folder's files (or FILES) into the Oxigraph store --store DIR, "
        "one named graph per file, and validate them. The new store replaces the old one only when everything "
        "loaded and conforms. Exit 0 loaded, 1 the data breaks the shapes, 2 unusable input or store.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="data files (default: every file of the data folder)")
    p.add_argument("--no-validate", action="store_true", help="load without checking the shapes")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser(
        "backups",
        parents=[common],
        help="list the backup points of a store folder",
        description="List the store folder's backup points: 0 is the store as loaded, each later point the "
        "store after one update the server committed (or after a restore). Exit 0, 2 no usable store.",
    )
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser(
        "restore",
        parents=[common],
        help="bring a store folder back to a backup point",
        description="Bring the store folder back to backup point N (see: strategylinks backups). The restore "
        "works on a copy and replaces the store only when it is complete; it is recorded as a new point, so it "
        "can be undone in turn. The store must not be in use (stop the server first). Exit 0 restored, 2 no "
        "such point, store in use or unusable.",
    )
    p.add_argument("--to", type=int, required=True, metavar="N", help="the backup point to go back to")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "publish",
        parents=[common, engine],
        help="load the dataset into a remote SPARQL store",
        description="Validate the data files, then put them into the store --endpoint names, one named graph per "
        "file (through --graph-store where the store has the Graph Store Protocol, else SPARQL Update). Every graph "
        "is uploaded under a staging name first and moved into place in one update, so a failed upload changes "
        "nothing. The project's graphs that no data file holds any more are dropped (unless --keep-others).",
    )
    p.add_argument("--keep-others", action="store_true", help="keep the project's graphs no data file holds")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("query", parents=[common], help="run a named query or a .rq file")
    p.add_argument("query", metavar="NAME|FILE.rq")
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="bind a parameter; an IRI may be relative to {base}id/ (repeatable); "
        "a query's plan parameter defaults to the latest plan",
    )
    p.add_argument("--format", choices=QUERY_FORMATS, default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", parents=[common], help="list the named queries")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser("gaps", parents=[common], help="report the strategy goals that lack actions")
    p.add_argument("--format", choices=("text", "json", "md"), default="text")
    p.add_argument("--plan", help="plan IRI (default: the latest plan)")
    p.add_argument(
        "--include-indirect",
        action="store_true",
        help="json: also list goals covered only through narrower goals",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when any goal lacks actions")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser(
        "network",
        parents=[common],
        help="what the alignment graph says: bridging insatser, shared strategies, fragile goals, clusters",
        description="bridges: insatser ranked by betweenness between strategies; overlap: a strategy x strategy "
        "matrix of shared insatser; fragile: goals that exactly one insats serves; clusters: groups of insatser "
        "sharing goals and themes (greedy modularity). Exit 0, or 2 for unusable input.",
    )
    p.add_argument("kind", choices=("all", "bridges", "overlap", "fragile", "clusters"))
    p.add_argument("--plan", help="plan IRI (default: the latest plan)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_network)

    p = sub.add_parser(
        "report",
        parents=[common],
        help="the yearly follow-up report (återrapportering) of a plan for a period",
        description="Per priority and insats the status and comment; statuses per priority and coverage per "
        "strategy, planned against carried out, with charts; the goals lacking actions; coverage on paper only; "
        "the changes since the previous plan; indicator values with their sources; caveats. Swedish, or English "
        "with --lang en. Exit 0, or 2 for unusable input (an unknown plan or period).",
    )
    p.add_argument("--plan", help="plan IRI (default: the latest plan)")
    p.add_argument("--period", required=True, help="the follow-up period: 2022, or START--END as imported")
    p.add_argument("--format", choices=("docx", "html", "md"), help="default: from the file's suffix")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")
    p.add_argument("-o", "--output", required=True, help="the file to write (Markdown: its charts beside it)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", parents=[common], help="the whole dataset with its DCAT/VoID description")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="ttl")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", parents=[common], help="counts of actions, effects, goals and links")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("viz", parents=[common], help="write the interactive alignment graph (offline HTML)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.html")
    p.add_argument("--plan", help="plan IRI (default: the latest plan)")
    p.add_argument("--period", help="show the follow-up status of this period (default: the plan's latest)")
    p.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of the page and its labels")
    p.set_defaults(func=cmd_viz)

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the SPARQL endpoint, pages and linked data over HTTP",
        description="Start the HTTP server on the shipped (or --data-dir) data, after validating it: "
        "non-conforming data is refused with the report (exit 1).",
    )
    p.add_argument("--host", help="address to bind (default 127.0.0.1; $STRATEGYLINKS_HOST)")
    p.add_argument("--port", type=int, help="port (default 8000; $STRATEGYLINKS_PORT)")
    p.add_argument(
        "--update-token",
        help="enable SPARQL Update for clients sending this bearer token ($STRATEGYLINKS_UPDATE_TOKEN)",
    )
    p.add_argument("--query-timeout", type=float, help="seconds a query may run (default 30)")
    p.add_argument("--result-limit", type=int, help="most rows or triples per answer (default 10000)")
    p.add_argument(
        "--max-request-bytes", type=int, help="largest request body, query or update, in bytes (default 1048576)"
    )
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=cmd_serve)

    # Options of the commands that write a data file.
    writes = argparse.ArgumentParser(add_help=False)
    writes.add_argument("-o", "--output", help="where to write (default: a file named after it under DATA/)")
    writes.add_argument("--force", action="store_true", help="replace an existing output file")
    writes.add_argument("--lang", choices=("sv", "en"), default="sv", help="language of a SHACL report")

    p = sub.add_parser("import", help="import a plan from a document (text export, .docx, .xlsx, .csv)")
    imports = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = imports.add_parser(
        "plan",
        parents=[common, writes],
        help="import an action plan and link it to the catalogue",
        description="Read the plan's table, link its thematic links, themes and partners to the catalogue, "
        "validate the result together with the other data and write it as Turtle. Exit 0 written, 1 the plan "
        "breaks the shapes or (--strict) something needs review, 2 unusable input; nothing is written "
        "unless the exit is 0.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--year", type=int, required=True, help="the year the plan covers")
    p.add_argument("--title", help="the plan's title (default: Region Kronobergs handlingsplan … YEAR)")
    p.add_argument("--slug", help="the plan's IRI slug (default: from the file name)")
    p.add_argument("--report", metavar="FILE.md|FILE.json", help="also write the review report")
    p.add_argument("--strict", action="store_true", help="exit 1, writing nothing, when anything needs review")
    p.set_defaults(func=cmd_import_plan)

    p = imports.add_parser(
        "strategy",
        parents=[common, writes],
        help="add a strategy, or goals to one, from a spreadsheet",
        description="Columns: strategy, level, identifier, parent, label sv, label en, source URL, complete "
        "(yes/no). Validated with the rest of the data before anything is written.",
    )
    p.add_argument("file", metavar="FILE.xlsx|FILE.csv")
    p.set_defaults(func=cmd_import_strategy)

    p = sub.add_parser("followup", help="follow up a plan: a spreadsheet per period, read back as data")
    followups = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = followups.add_parser(
        "template",
        parents=[common],
        help="write a follow-up spreadsheet for a plan",
        description="Write an .xlsx with one row per insats of the plan (its text, its row's effects) and "
        "columns for status (a drop-down: planerad, pågående, genomförd, senarelagd, inställd), comment and "
        "evidence links, in Swedish. Exit 0 written, 2 unusable input.",
    )
    p.add_argument("--plan", help="the plan's IRI (default: the latest plan)")
    p.add_argument("--period", help="the period it is for: a year (2022) or a range (2022-03-01--2022-08-31)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="the spreadsheet to write")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_followup_template)

    p = followups.add_parser(
        "import",
        parents=[common, writes],
        help="read a filled-in follow-up spreadsheet into the data",
        description="Read the template (.xlsx, or .csv saved from it) as follow-ups of the plan for the period, "
        "review every row (unknown status, an insats not in the plan, a changed insats text, evidence that is "
        "not a link), validate them with the rest of the data and write them as Turtle (default "
        "DATA/followup/PLAN-PERIOD.ttl). Exit 0 written, 1 the follow-up breaks the shapes, 2 a row cannot be "
        "read or unusable input; nothing is written unless the exit is 0.",
    )
    p.add_argument("file", metavar="FILE.xlsx|FILE.csv")
    p.add_argument("--plan", help="the plan's IRI (default: the latest plan)")
    p.add_argument("--period", required=True, help="a year (2022) or a range (2022-03-01--2022-08-31)")
    p.add_argument("--reporter", metavar="IRI", help="who reports (default: the plan's publisher)")
    p.add_argument("--reported-at", metavar="DATETIME", help="when it was reported (default: now)")
    p.set_defaults(func=cmd_followup_import)

    p = sub.add_parser("indicators", help="indicator values: from a spreadsheet or Kolada, as RDF Data Cube")
    indicators = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    p = indicators.add_parser(
        "import",
        parents=[common, writes],
        help="read indicator values (the project's layout or Kolada's) into the data",
        description="Read indicators and their values from a .csv or .xlsx (columns: indikator-id, indikator, "
        "enhet, område, period, värde, källa, mäter; or English names) or from Kolada (its data documents as "
        ".json, or a table with kpi, municipality, period, gender, value). Every problem names its row. The "
        "result is validated with the rest of the data and written as Turtle (default DATA/indikatorer/FILE.ttl). "
        "Exit 0 written, 1 it breaks the shapes, 2 a row cannot be read or unusable input; nothing is written "
        "unless the exit is 0.",
    )
    p.add_argument("file", metavar="FILE.csv|FILE.xlsx|FILE.json")
    p.add_argument("--label", action="append", metavar="ID=TEXT", help="an indicator's name, where the file has none")
    p.add_argument("--unit", action="append", metavar="ID=TEXT", help="an indicator's unit, where the file has none")
    p.add_argument(
        "--measures",
        action="append",
        metavar="ID=IRI[,IRI]",
        help="the effects or goals an indicator measures (IRIs, or relative to {base}id/)",
    )
    p.set_defaults(func=cmd_indicators_import)

    p = sub.add_parser(
        "assets",
        parents=[common],
        help="fetch YASGUI, Chart.js and PivotTable.js for the query page from the npm registry (needs npm)",
        description="Install the query editor YASGUI and what its chart and pivot views draw with under "
        "viz/vendor/ (not committed). Without them the query page uses a plain form.",
    )
    p.set_defaults(func=cmd_assets)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except ValidationError as exc:  # a setting from the environment that does not parse
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or exc.title
        print(f"strategylinks: error: invalid setting {where}: {error['msg']}", file=sys.stderr)
        return EXIT_INPUT
    except StrategyLinksError as exc:
        print(f"strategylinks: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
