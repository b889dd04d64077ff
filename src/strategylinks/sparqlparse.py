"""rdflib's SPARQL parser, safe to call from several threads.

pyparsing works out each parse action's arity on its first call, by trial and error, and keeps the
answer; two threads doing that at once can keep a wrong one, after which that grammar rule fails for
the life of the process ("Param.postParse2() missing 1 required positional argument: 'tokenList'").
Every rdflib SPARQL parse of the project (queries, updates, SHACL constraints through pySHACL) holds
:data:`PARSER_LOCK`; parsing is bound by the GIL anyway, so the lock costs no parallelism.
:func:`parses_in_time` bounds the time a large update may take to parse.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Mapping
from typing import Any

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Prologue, Query, Update

PARSER_LOCK = threading.RLock()


def prepare_query(text: str, namespaces: Mapping[str, Any] | None = None) -> Query:
    with PARSER_LOCK:
        return prepareQuery(text, initNs=dict(namespaces or {}))


def prepare_update(text: str, base: str | None = None) -> Update:
    with PARSER_LOCK:
        update = translateUpdate(parseUpdate(text), base=base)
    # An empty request (only a prologue, or nothing) is a valid update that does nothing; rdflib gives
    # a bare list for it.
    return update if isinstance(update, Update) else Update(Prologue(), [])


#: Updates up to this size parse in well under a second; rdflib's parser is superlinear beyond (a
#: 110 KB INSERT DATA takes 2 s, a 560 KB one 50 s), so larger ones are first parsed in a child
#: process that is stopped at the timeout.
SLOW_PARSE_BYTES = 64 * 1024


class ParseTimeout(Exception):
    pass


def _parse_only(text: str) -> None:
    prepare_update(text)


def parses_in_time(text: str, timeout: float) -> None:
    """Raise :class:`ParseTimeout` if ``text`` (an update) does not parse within ``timeout`` seconds.
    Small updates are not checked; a large one is parsed in a child process (spawned, so that no lock
    held by another thread is copied) and the child killed at the timeout."""
    if len(text.encode("utf-8", errors="replace")) <= SLOW_PARSE_BYTES:
        return
    child = multiprocessing.get_context("spawn").Process(target=_parse_only, args=(text,), daemon=True)
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        raise ParseTimeout(f"the update did not parse within {timeout:g} s")
