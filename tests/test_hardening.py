"""What an adversarial probe of the server found (issue 10), each as a test that failed before its fix:
real servers on loopback, real concurrent clients."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from strategylinks import queries

from .servers import running_server

TOKEN = "hardening-token"
SL = "https://w3id.org/strategylinks/ontology#"
EX = "https://w3id.org/strategylinks/id/test/"

#: One of every update form, each valid but changing nothing the shapes care about (or refused for a
#: reason of its own), and every query form: what a fresh server must parse correctly in parallel.
UPDATES = [
    f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 'x' }} }}",
    f"DELETE DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 'x' }} }}",
    f"DELETE {{ GRAPH <{EX}g> {{ ?s <{EX}p> ?o }} }} INSERT {{ GRAPH <{EX}g> {{ ?s <{EX}q> ?o }} }} "
    f"WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}p> ?o }} }}",
    f"DELETE WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}q> ?o }} }}",
    f"WITH <{EX}g> DELETE {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}",
    f"CLEAR SILENT GRAPH <{EX}none>",
    f"CREATE SILENT GRAPH <{EX}made>",
    f"PREFIX ex: <{EX}> INSERT {{ GRAPH ex:g {{ ex:b ex:p ?n }} }} WHERE {{ BIND(1 + 2 AS ?n) }}",
]
QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK { ?s a ?t }",
    "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3",
    f"DESCRIBE <{EX}a>",
    "SELECT ?s WHERE { ?s ?p ?o FILTER (REGEX(STR(?s), 'plan')) } LIMIT 1",
]


def run_update(base: str, text: str) -> httpx.Response:
    return httpx.post(
        base + "/sparql",
        data={"update": text},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
    )


def run_query(base: str, text: str) -> httpx.Response:
    return httpx.post(base + "/sparql", data={"query": text}, headers={"Accept": "*/*"}, timeout=120)


def answers(base: str) -> dict[str, Any]:
    """Every form's status on its own, one after the other."""
    return {t: run_update(base, t).status_code for t in UPDATES} | {t: run_query(base, t).status_code for t in QUERIES}


def test_concurrent_first_use_leaves_every_form_working() -> None:
    """Finding 1: pyparsing's parse-action set-up is not thread-safe, so simultaneous first updates
    (parsed in the thread pool) could break the parser until a restart."""
    with running_server("--update-token", TOKEN) as base:
        texts = [("u", t) for t in UPDATES] * 3 + [("q", t) for t in QUERIES] * 2
        with ThreadPoolExecutor(len(texts)) as pool:
            first = list(pool.map(lambda job: (run_update if job[0] == "u" else run_query)(base, job[1]), texts))
        broken = [r.text for r in first if "postParse" in r.text or "positional argument" in r.text]
        assert broken == []
        assert all(r.status_code < 500 for r in first), [r.text for r in first if r.status_code >= 500]
        after = answers(base)
        assert all(code in (200, 204) for code in after.values()), after


FIRST_USE = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
from rdflib import Dataset
from strategylinks import queries
from strategylinks.api.store import parse_update
updates, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])
dataset = Dataset()
def one(job):
    kind, text = job
    try:
        parse_update(text) if kind == "u" else queries.run(dataset, text)
        return "ok"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
jobs = [("u", t) for t in updates] * 3 + [("q", n) for n in names] * 2
with ThreadPoolExecutor(len(jobs)) as pool:
    first = list(pool.map(one, jobs))
after = [one(job) for job in jobs]
print(json.dumps({"first": first, "after": after}))
"""


def test_concurrent_first_parses_in_the_library() -> None:
    """Finding 1, where the parsing happens: rdflib's parser (updates of the server, named queries on an
    rdflib graph) used by many threads at its first use in a fresh process."""
    names = sorted(queries.available())
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", FIRST_USE, json.dumps(UPDATES), json.dumps(names)],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        result = json.loads(done.stdout)
        assert [r for r in result["first"] if r != "ok"] == []
        assert [r for r in result["after"] if r != "ok"] == []
