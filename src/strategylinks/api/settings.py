"""Server settings: everything in :class:`~strategylinks.config.Settings` plus the server's own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from ..config import Settings


class ServerSettings(Settings):
    """Set as ``STRATEGYLINKS_<FIELD>`` in the environment or by ``strategylinks serve`` options."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000
    #: Bearer token that enables SPARQL Update; without one the endpoint is read-only.
    update_token: SecretStr | None = None
    #: Seconds a query (or an update's parsing and evaluation) may run before it is stopped.
    query_timeout: Annotated[float, Field(gt=0)] = 30.0
    #: Most rows (SELECT) or triples (CONSTRUCT / DESCRIBE) one answer carries.
    result_limit: Annotated[int, Field(ge=1)] = 10000
    #: Largest request body, query or update accepted, in bytes (413 beyond it).
    max_request_bytes: Annotated[int, Field(ge=1)] = 2**20
