"""ASGI middleware: HEAD for every GET resource (link checkers and crawlers use it), answered as GET
without a body; conditional GET with ETags per dataset version."""

from __future__ import annotations

import hashlib
import secrets
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class Revalidation:
    """Conditional GET for the dataset's pages and data: a weak ETag from the dataset version (and a
    nonce per server start, so tags do not outlive a restart) plus what picks the representation (path,
    query, language cookie, Accept). A matching ``If-None-Match`` is answered 304 before any work.
    The SPARQL endpoints and the graph store negotiate on their own and are left alone; the installed
    files (YASGUI, the API docs' assets) may be cached for a day."""

    SKIP = ("/sparql", "/store", "/docs", "/redoc", "/openapi.json")
    #: Files that change only with an installation (they carry their own ETag).
    STATIC = ("/assets/", "/static-offline-docs/")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.nonce = secrets.token_hex(8)

    def _tag(self, scope: Scope, version: int) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookie = SimpleCookie(headers.get("cookie", ""))
        lang = cookie["lang"].value if "lang" in cookie else ""
        query = scope["query_string"].decode("latin-1")
        key = "\n".join((self.nonce, str(version), scope["path"], query, lang, headers.get("accept", "")))
        return 'W/"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(self.SKIP):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(self.STATIC):
            await self.app(scope, receive, _with_headers(send, [(b"cache-control", b"public, max-age=86400")]))
            return
        store = scope["app"].state.store
        tag = self._tag(scope, store.version)
        wanted = dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1")
        if tag in [t.strip() for t in wanted.split(",")] or wanted.strip() == "*":
            headers = [(b"etag", tag.encode()), (b"cache-control", b"no-cache"), (b"vary", b"Accept, Cookie")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        version = store.version

        async def tagged(message: Message) -> None:
            # Only a 200 computed on the version the tag names gets it (an update may land meanwhile).
            if message["type"] == "http.response.start" and message["status"] == 200 and store.version == version:
                message = {**message, "headers": [*message["headers"], (b"etag", tag.encode())]}
                if not any(k.lower() == b"cache-control" for k, _ in message["headers"]):
                    message["headers"].append((b"cache-control", b"no-cache"))
            await send(message)

        await self.app(scope, receive, tagged)


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            message = {**message, "headers": [*message["headers"], *extra]}
        await send(message)

    return sending
