"""Settings (environment prefix ``STRATEGYLINKS_``) and where the shipped resources are found."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .namespaces import DEFAULT_BASE_IRI

_PACKAGE_DIR = Path(__file__).resolve().parent
_RESOURCE_DIRS = ("ontology", "data", "queries", "viz")


@cache
def resource_root() -> Path:
    """The folder holding ``ontology/``, ``data/``, ``queries/`` and ``viz/``.

    An editable install or a checkout reads the repository folders (so edits show at once);
    a wheel install reads the copies packaged under ``strategylinks/resources``.
    """
    repo = _PACKAGE_DIR.parent.parent
    if all((repo / name).is_dir() for name in _RESOURCE_DIRS) and (repo / "pyproject.toml").is_file():
        return repo
    return _PACKAGE_DIR / "resources"


class Settings(BaseSettings):
    """Run-time settings; every field can be set as ``STRATEGYLINKS_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="STRATEGYLINKS_", extra="ignore")

    #: Base IRI of the dataset: resources are ``{base_iri}id/…``, graphs ``{base_iri}graph/…``.
    base_iri: str = DEFAULT_BASE_IRI
    #: Folder of the data files (Turtle) to load; default: the shipped ``data/``.
    data_dir: Path | None = None
    #: Folder of the ontology and shapes; default: the shipped ``ontology/``.
    ontology_dir: Path | None = None
    #: Folder of the named ``.rq`` queries; default: the shipped ``queries/``.
    queries_dir: Path | None = None
    #: Folder of a persistent Oxigraph store (``strategylinks load --store DIR``); default: in memory.
    store: Path | None = None
    #: A remote SPARQL 1.1 store: its query endpoint, update endpoint and Graph Store Protocol URL.
    endpoint: str | None = None
    update_endpoint: str | None = None
    graph_store: str | None = None
    #: Credentials for the remote store, only ever from the environment (never on a command line).
    endpoint_user: str | None = None
    endpoint_password: SecretStr | None = None

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_separator(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", value):
            raise ValueError(f"base IRI must be an absolute IRI such as https://example.org/kg/, not {value!r}")
        if not value.endswith(("/", "#")):
            value += "/"
        return value

    @field_validator("endpoint", "update_endpoint", "graph_store")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"a SPARQL endpoint must be an http:// or https:// URL, not {value!r}")
        return value

    @property
    def data_path(self) -> Path:
        return self.data_dir or resource_root() / "data"

    @property
    def ontology_path(self) -> Path:
        return self.ontology_dir or resource_root() / "ontology"

    @property
    def queries_path(self) -> Path:
        return self.queries_dir or resource_root() / "queries"

    @property
    def viz_path(self) -> Path:
        return resource_root() / "viz"
