"""``oxigraph serve`` as a child process on 127.0.0.1: the query engine behind ``strategylinks serve``.

pyoxigraph evaluates a query holding the GIL and cannot stop one, so in-process queries could neither
use both cores nor be timed out. The Oxigraph server answers each request on a thread of its own, in
Rust, and stops a query at ``--timeout-s``; the front end forwards to it over loopback.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

from .base import StoreError

PR_SET_PDEATHSIG = 1


def oxigraph_command() -> str:
    """The ``oxigraph`` program of this environment (the ``oxigraph`` package from PyPI installs it)."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.is_file() else shutil.which("oxigraph")
    if not found:
        raise StoreError(
            "the Oxigraph server program 'oxigraph' is not installed", hint="pip install oxigraph (a dependency)"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # Linux: the engine must not outlive the front end (it would keep the store folder locked).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class OxigraphServer:
    """One ``oxigraph serve`` process: on the database ``location`` (a folder) or in memory (``None``)."""

    def __init__(self, location: Path | None = None, *, timeout_s: float | None = None, union: bool = True) -> None:
        self.location = location
        self.timeout_s = timeout_s
        self.union = union
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - the engine writes to it while it runs

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def update_url(self) -> str:
        return self.base + "/update"

    @property
    def store_url(self) -> str:
        return self.base + "/store"

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")[-4000:]

    def start(self, wait: float = 60) -> OxigraphServer:
        command = [oxigraph_command(), "serve"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        if self.timeout_s:
            # Whole seconds only; never 0, which would stop every query at once.
            command += ["--timeout-s", str(max(1, round(self.timeout_s)))]
        if self.union:
            command.append("--union-default-graph")
        # Another program may take the free port before the engine binds it; a store folder may still be
        # locked for a moment by an engine whose front end was just killed.
        deadline = time.monotonic() + 10
        while True:
            self.port = free_port()
            self.process = subprocess.Popen(
                [*command, "--bind", f"127.0.0.1:{self.port}"],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            if self._wait_ready(wait):
                return self
            log = self.log().lower()
            if time.monotonic() > deadline or not any(word in log for word in ("in use", "address", "lock")):
                break
            time.sleep(0.3)
            self._log.seek(0)
            self._log.truncate()
        self.stop()
        log = self.log()
        if "lock" in log.lower():
            raise StoreError(
                f"the store {self.location} is in use by another process",
                hint="stop the other strategylinks command or server that has it open",
            )
        raise StoreError(f"the Oxigraph engine did not start: {log.strip()[-1500:]}")

    def _wait_ready(self, wait: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2).raise_for_status()
                return True
            except httpx.HTTPError:
                time.sleep(0.05)
        return False

    def load(self, nquads: bytes) -> None:
        """Add an N-Quads document to the engine's store (one request, the Graph Store Protocol's dataset POST)."""
        response = httpx.post(
            self.store_url, content=nquads, headers={"Content-Type": "application/n-quads"}, timeout=None
        )
        if response.status_code >= 300:
            raise StoreError(f"the Oxigraph engine refused the data: {response.text[:500]}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
        self._log.close()
