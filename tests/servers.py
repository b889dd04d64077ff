"""A real strategylinks server in a child process on 127.0.0.1, for tests with real clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    processes: list[subprocess.Popen[bytes]] | None = None,
) -> Iterator[str]:
    """Start ``strategylinks serve`` and yield its base URL once it answers; stop it afterwards.
    ``processes`` receives the server's process (for tests that kill it)."""
    port = free_port()
    environment = {**os.environ, **(env or {})}
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"strategylinks-server-{port}.log"
    with log.open("w+b") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "strategylinks",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                *args,
            ],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        if processes is not None:
            processes.append(process)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    output.seek(0)
                    raise RuntimeError(f"the server exited with {process.returncode}: {output.read().decode()}")
                try:
                    with urllib.request.urlopen(base + "/sparql", timeout=2):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not answer in time") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@contextmanager
def context_server() -> Iterator[tuple[str, list[str]]]:
    """A JSON-LD context served on loopback: yields its URL and the paths asked for (a test asserts
    that nothing asked, i.e. that no parser fetched it)."""
    import http.server
    import threading

    asked: list[str] = []

    class Context(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {"ex": "https://example.org/"}}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", asked
    finally:
        server.shutdown()
