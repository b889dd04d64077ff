"""SPARQL text handling the stores share: a query's form, and parameters written into the text.

Oxigraph's own ``substitutions`` pre-bind a variable at evaluation time, so its optimiser plans the
query without knowing the value (a plan's view query: 0.46 s instead of 3 ms on 1M triples); a value
written into the text, as RDF-dev SEP-0007 specifies, lets every engine plan for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.term import Identifier

_IRI_OR_STRING = re.compile(
    r"<[^<>\s]*>"
    r"|'''.*?'''|\"\"\".*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",
    re.DOTALL,
)
_COMMENT = re.compile(r"#[^\n]*")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside IRIs, strings and comments."""
    match = _FORM.search(strip_query(text))
    return match.group(1).upper() if match else "SELECT"


def strip_query(text: str) -> str:
    """The query without its IRIs, strings and comments, for looking at its keywords."""
    return _COMMENT.sub(" ", _IRI_OR_STRING.sub(" ", text))


_TOKEN = re.compile(
    r"(?P<skip><[^<>\s]*>|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<word>\b(?:SELECT|WHERE|GROUP|ORDER|HAVING|LIMIT|OFFSET|VALUES|AS|BIND|MINUS)\b)"
    r"|(?P<open>[({])|(?P<close>[)}])|(?P<star>\*)",
    re.DOTALL | re.IGNORECASE,
)


def substitute(text: str, bindings: Mapping[str, Identifier]) -> str | None:
    """The query with each bound variable replaced by its value, as Oxigraph's substitutions do
    (RDF-dev SEP-0007): a store then evaluates subqueries for that value only, where a trailing
    ``VALUES`` block would have them computed for every value first and joined after (minutes instead
    of milliseconds on a national dataset). A projected variable becomes ``(VALUE AS ?var)``, one in
    ``GROUP BY`` / ``ORDER BY`` ``(VALUE)``. ``None`` when the text does something this cannot keep
    (``SELECT *``, the variable bound by ``AS``, ``BIND`` or ``VALUES``, or used inside ``MINUS``, which
    removes only rows that share a variable with it): the caller then pre-binds it another way.
    Subqueries stop projecting it."""
    names = {n.lower(): n for n in bindings}
    out: list[str] = []
    position = 0
    state = "body"  # projection: after SELECT; modifier: after GROUP BY / ORDER BY
    depth = 0  # brackets opened since the state began
    braces = 0  # group graph patterns around the current token
    nested = False  # the current SELECT is a subquery
    kept: list[str] = []  # what the current projection still projects
    dropped = ""  # a value the current subquery's projection no longer projects
    previous_word = ""
    minus: list[int] = []  # the brace levels of the MINUS blocks around the current token

    def end_projection(at: int) -> None:
        nonlocal position
        # A subquery whose every projected variable is bound would project nothing, which is not
        # SPARQL: it projects the value under a name of its own, which joins with nothing.
        if nested and dropped and not kept:
            out.append(text[position:at] + f"({dropped} AS ?_bound{len(out)}) ")
            position = at

    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind == "skip":
            continue
        if kind == "word":
            word = token.upper()
            if state == "projection" and word == "WHERE":
                end_projection(match.start())
            if word == "SELECT":
                state, depth, nested, kept, dropped = "projection", 0, braces > 0, [], ""
            elif word in ("GROUP", "ORDER"):
                state, depth = "modifier", 0
            elif word in ("WHERE", "HAVING", "LIMIT", "OFFSET"):
                state, depth = "body", 0
            previous_word = word
            continue
        if kind == "open":
            if token == "{" and previous_word == "MINUS":
                minus.append(braces)
                previous_word = ""
            if state == "projection" and token == "{":
                end_projection(match.start())
                state = "body"
            elif state == "projection" and depth == 0:
                kept.append(token)  # an expression
            depth += 1
            braces += token == "{"
            continue
        if kind == "close":
            depth -= 1
            braces -= token == "}"
            if minus and braces == minus[-1]:
                minus.pop()
            if state == "modifier" and depth < 0:
                state, depth = "body", 0
            continue
        if kind == "star":
            if state == "projection" and depth == 0:
                return None
            continue
        name = token[1:].lower()
        if name not in names:
            if state == "projection" and depth == 0:
                kept.append(token)
            previous_word = ""
            continue
        if previous_word in ("AS", "VALUES", "BIND") or minus:
            return None
        value = bindings[names[name]].n3()
        if state == "projection" and depth == 0:
            # A subquery need not project it (the outer query has the value); the outer query does.
            replacement = "" if nested else f"({value} AS {token})"
            dropped = dropped or value
        elif state == "modifier" and depth == 0:
            replacement = f"({value})"
        else:
            replacement = value
        out.append(text[position : match.start()] + replacement)
        position = match.end()
    if not out:
        return None
    return "".join(out) + text[position:]


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """Pre-bind variables the way rdflib's SPARQLStore does: a trailing VALUES block (SPARQL 1.1 §10.2.2).
    The named queries keep every parameter in their answers, so this restricts exactly as a binding does."""
    names = list(bindings)
    values = " ".join(bindings[n].n3() for n in names)
    return text.rstrip() + "\nVALUES (" + " ".join("?" + n for n in names) + ") { (" + values + ") }\n"
