"""rdflib's SPARQL parser, safe to call from several threads.

pyparsing works out each parse action's arity on its first call, by trial and error, and keeps the
answer; two threads doing that at once can keep a wrong one, after which that grammar rule fails for
the life of the process ("Param.postParse2() missing 1 required positional argument: 'tokenList'").
Every rdflib SPARQL parse of the project (queries, updates, SHACL constraints through pySHACL) holds
:data:`PARSER_LOCK`; parsing is bound by the GIL anyway, so the lock costs no parallelism.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query, Update

PARSER_LOCK = threading.RLock()


def prepare_query(text: str, namespaces: Mapping[str, Any] | None = None) -> Query:
    with PARSER_LOCK:
        return prepareQuery(text, initNs=dict(namespaces or {}))


def prepare_update(text: str, base: str | None = None) -> Update:
    with PARSER_LOCK:
        return translateUpdate(parseUpdate(text), base=base)
