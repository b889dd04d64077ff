"""The HTTP server: an app factory over the knowledge graph (FastAPI)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from rdflib import Dataset

from .. import __version__
from ..errors import StrategyLinksError
from ..graph import load_dataset, load_shapes, union
from ..validate import ValidationReport, validate
from .middleware import HeadAsGet
from .routes import ld, sparql, views
from .settings import ServerSettings
from .store import KnowledgeStore


class StartupRefused(StrategyLinksError):
    """The data does not conform to the shapes, so the server does not start."""

    exit_code = 1

    def __init__(self, report: ValidationReport) -> None:
        super().__init__("the data does not conform to the shapes; the server does not start\n" + report.text("en"))
        self.report = report


def create_app(settings: ServerSettings | None = None, dataset: Dataset | None = None) -> FastAPI:
    """Build the application: load and validate the data, then mount the routes."""
    settings = settings or ServerSettings()
    dataset = dataset if dataset is not None else load_dataset(settings)
    shapes = load_shapes(settings)
    report = validate(union(dataset), shapes)
    if not report.conforms:
        raise StartupRefused(report)
    # FastAPIOffline serves the /docs and /redoc assets itself (plain FastAPI loads them from a CDN).
    app: FastAPI = FastAPIOffline(
        title="strategylinks",
        version=__version__,
        description="Handlingsplaner och strategier som länkade data: SPARQL 1.1, sidor och data. "
        "Action plans and strategies as linked data: SPARQL 1.1, pages and data.",
    )
    app.state.settings = settings
    app.state.store = KnowledgeStore(dataset, shapes)
    # Anyone may read (queries from YASGUI or scripts on other sites); Authorization is not an allowed
    # cross-site header, so updates cannot come from another site's page.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=["X-SPARQL-MaxRows", "Vary"],
    )
    app.add_middleware(HeadAsGet)
    app.include_router(sparql.router)
    app.include_router(views.router)
    app.include_router(ld.router)
    vendor = settings.viz_path / "vendor"
    if (vendor / "yasgui").is_dir():
        app.mount("/assets/yasgui", StaticFiles(directory=vendor / "yasgui"), name="yasgui")
    return app
