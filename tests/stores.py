"""Real triplestores for the tests, each started on 127.0.0.1 in a folder of its own and stopped after.

- Oxigraph server (the ``oxigraph`` command from PyPI): ``/query``, ``/update``, ``/store``.
- Virtuoso (Debian's ``virtuoso-opensource``): started from an ini written here, with its database in a
  temporary folder; ``/sparql`` reads, ``/sparql-auth`` writes (Digest, the ``dba`` account) and
  ``/sparql-graph-crud-auth`` is its Graph Store Protocol.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .servers import free_port


@dataclass(frozen=True)
class RemoteEndpoint:
    """How strategylinks reaches a store: its URLs and, for the environment, its credentials."""

    name: str
    endpoint: str
    update_endpoint: str
    graph_store: str | None
    env: dict[str, str] = field(default_factory=dict)

    def args(self) -> list[str]:
        out = ["--endpoint", self.endpoint, "--update-endpoint", self.update_endpoint]
        if self.graph_store:
            out += ["--graph-store", self.graph_store]
        return out


def oxigraph_command() -> str | None:
    here = Path(sys.executable).parent / "oxigraph"
    return str(here) if here.is_file() else shutil.which("oxigraph")


def virtuoso_command() -> str | None:
    return shutil.which("virtuoso-t")


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the store exited with {process.returncode}: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{url} did not answer in {timeout:g} s: {log.read_text(errors='replace')}"
                ) from None
            time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[RemoteEndpoint]:
    command = oxigraph_command()
    assert command is not None
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            # The union default graph, as strategylinks serve has it (and as docs/stores.md advises).
            [
                command,
                "serve",
                "--location",
                str(folder / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/query?query=ASK%7B%7D", process, log, 60)
            yield RemoteEndpoint("oxigraph", base + "/query", base + "/update", base + "/store")
        finally:
            _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/vsp
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[RemoteEndpoint]:
    command = virtuoso_command()
    assert command is not None
    sql_port, http_port = free_port(), free_port()
    (folder / "vsp").mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = folder / "stdout.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [command, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HOME": str(folder)},
        )
        try:
            base = f"http://127.0.0.1:{http_port}"
            _wait(base + "/sparql?query=ASK%7B%7D", process, log, 180)
            yield RemoteEndpoint(
                "virtuoso",
                base + "/sparql-auth",
                base + "/sparql-auth",
                base + "/sparql-graph-crud-auth",
                # Virtuoso's administrator account of a new database; only ever passed in the environment.
                {"STRATEGYLINKS_ENDPOINT_USER": "dba", "STRATEGYLINKS_ENDPOINT_PASSWORD": "dba"},
            )
        finally:
            _stop(process)
