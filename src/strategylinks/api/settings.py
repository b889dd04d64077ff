"""Server settings: everything in :class:`~strategylinks.config.Settings` plus the server's own."""

from __future__ import annotations

from pydantic import SecretStr

from ..config import Settings


class ServerSettings(Settings):
    """Set as ``STRATEGYLINKS_<FIELD>`` in the environment or by ``strategylinks serve`` options."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Bearer token that enables SPARQL Update; without one the endpoint is read-only.
    update_token: SecretStr | None = None
    #: Seconds a query may run before it is stopped.
    query_timeout: float = 30.0
    #: Most rows (SELECT) or triples (CONSTRUCT / DESCRIBE) one answer carries.
    result_limit: int = 10000
