"""The HTTP server: an app factory over the knowledge graph (FastAPI)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from rdflib import Graph

from .. import __version__
from ..errors import StrategyLinksError
from ..graph import load_shapes
from ..store import RemoteStore, memory_store, open_store
from ..store.embedded import DB_DIR, _open_db, check_store
from ..store.journal import Journal
from ..store.server import OxigraphServer
from ..validate import ValidationReport, validate
from .middleware import HeadAsGet, Revalidation
from .routes import dashboard, docs, followup, gsp, ld, sparql, views
from .settings import ServerSettings
from .store import KnowledgeStore


class StartupRefused(StrategyLinksError):
    """The data does not conform to the shapes, so the server does not start."""

    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        super().__init__("the data does not conform to the shapes; the server does not start\n" + report.text("en"))
        self.report = report


def open_engine(settings: ServerSettings, shapes: Graph) -> KnowledgeStore:
    """Start (or reach) the engine the settings name: a remote store, the Oxigraph server on a store
    folder, or an Oxigraph server in memory filled with the data folder's files, validated first."""
    timeout = settings.query_timeout
    if settings.endpoint:
        remote = open_store(settings)
        assert isinstance(remote, RemoteStore)
        remote.client.timeout = httpx.Timeout(timeout + 30)
        return KnowledgeStore(remote, shapes, timeout=timeout)
    mirror, journal = None, None
    if settings.store is not None:
        meta = check_store(settings.store, settings.base_iri)
        journal = Journal(settings.store)
        if journal.last():
            database = _open_db(settings.store / DB_DIR, read_only=False)
            journal.settle(database)
            del database  # the engine opens it next
        conforms = bool(meta.get("validated"))
        process = OxigraphServer(settings.store / DB_DIR, timeout_s=timeout).start()
    else:
        mirror = memory_store(settings)
        report = validate(mirror, shapes)
        if not report.conforms:
            raise StartupRefused(report)
        conforms = True
        process = OxigraphServer(None, timeout_s=timeout).start()
        try:
            process.load(mirror.dump())
        except BaseException:
            process.stop()
            raise
    engine = RemoteStore(
        settings.base_iri,
        process.query_url,
        update_endpoint=process.update_url,
        graph_store=process.store_url,
        timeout=timeout + 30,
        union_default_graph=True,
    )
    return KnowledgeStore(
        engine, shapes, process=process, mirror=mirror, timeout=timeout, journal=journal, conforms=conforms
    )


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """Build the application: open the engine (validating file data first), then mount the routes."""
    settings = settings or ServerSettings()
    store = open_engine(settings, load_shapes(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.update_token is not None and store.owns_engine:
            # Prepare for the first update while the server already answers reads.
            threading.Thread(target=store.warm, name="warm-updates", daemon=True).start()
        try:
            yield
        finally:
            store.close()

    # FastAPIOffline serves the /docs and /redoc assets itself (plain FastAPI loads them from a CDN).
    app: FastAPI = FastAPIOffline(
        docs_url=None,  # routes/docs.py serves /docs and /redoc from the same files, marked English
        redoc_url=None,
        title="strategylinks",
        version=__version__,
        description="Handlingsplaner och strategier som länkade data: SPARQL 1.1, sidor och data. "
        "Action plans and strategies as linked data: SPARQL 1.1, pages and data.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    # Anyone may read (queries from YASGUI or scripts on other sites); Authorization is not an allowed
    # cross-site header, so updates cannot come from another site's page.
    # Pages and dumps compress well (the 4k-node graph page from about 900 KB to about 100 KB). Level 6,
    # not Starlette's 9: the 2022 plan's 970 KB graph page in 20 ms instead of 28, 0.6 % larger.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(Revalidation)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=["X-SPARQL-MaxRows", "Vary"],
    )
    app.add_middleware(HeadAsGet)
    app.include_router(sparql.router)
    app.include_router(gsp.router)
    app.include_router(dashboard.router)
    app.include_router(views.router)
    app.include_router(followup.router)
    app.include_router(ld.router)
    app.include_router(docs.router)
    vendor = settings.viz_path / "vendor"
    if vendor.is_dir():  # what `strategylinks assets` installed for the query page
        app.mount("/assets", StaticFiles(directory=vendor), name="assets")
    return app
