"""The review report of an import: what was linked (with scores), what needs a person, what has no goal."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .build import ImportResult

STATUS_SV = {
    "linked": "länkad",
    "strategy": "strategin som helhet",
    "context": "sammanhang (underordnat mål länkat)",
    "ambiguous": "osäker – granska",
    "not found": "hittades inte – granska",
    "theme": "tema",
    "new theme": "nytt tema – granska",
    "new priority": "ny prioritering – granska",
    "priority again": "prioriteringen igen, raderna samlade – granska",
    "merged cells": "sammanfogade celler – granska",
    "involves": "involverar",
    "repeated": "upprepad fras borttagen",
}


def as_dict(result: ImportResult) -> dict[str, Any]:
    counts = Counter(r.status for r in result.references)
    return {
        "plan": str(result.plan),
        "source": str(result.table.source),
        "rows": len(result.table.rows),
        "actions": sum(len(r.actions) for _, r in result.table.rows),
        "effects": sum(len(r.effects) for _, r in result.table.rows),
        "counts": dict(sorted(counts.items())),
        "needsReview": len(result.needs_review),
        "references": [
            {
                "where": r.where,
                "text": r.text,
                "status": r.status,
                "target": r.target,
                "label": r.label,
                "score": round(r.score, 1),
                "candidates": r.candidates,
            }
            for r in result.references
        ],
        "actionsWithoutGoal": [{"where": w, "insats": a} for w, a in result.unlinked_actions],
    }


def render_json(result: ImportResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"


def _md(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(result: ImportResult) -> str:
    d = as_dict(result)
    out = [
        f"# Granskning av importen / Import review: {result.table.source.name}",
        "",
        f"Plan <{d['plan']}>: {d['rows']} rader, {d['actions']} insatser, {d['effects']} effekter.",
        "",
        "| status | antal |",
        "|---|---:|",
        *(f"| {STATUS_SV.get(k, k)} | {v} |" for k, v in d["counts"].items()),
        "",
        f"## Att granska ({d['needsReview']})",
        "",
    ]
    review = [r for r in result.references if r.needs_review]
    if review:
        out += ["| var | text | status | kandidater |", "|---|---|---|---|"]
        out += [
            f"| {_md(r.where)} | {_md(r.text)} | {STATUS_SV.get(r.status, r.status)} | {_md('; '.join(r.candidates))} |"
            for r in review
        ]
    else:
        out.append("Inget.")
    out += ["", f"## Insatser utan strategimål ({len(result.unlinked_actions)})", ""]
    out += [f"- {_md(w)}: {_md(a)}" for w, a in result.unlinked_actions] or ["Inga."]
    out += ["", "## Alla referenser", "", "| var | text | status | mål | poäng |", "|---|---|---|---|---:|"]
    out += [
        f"| {_md(r.where)} | {_md(r.text)} | {STATUS_SV.get(r.status, r.status)} | {_md(r.label)} | {r.score:.0f} |"
        for r in result.references
    ]
    return "\n".join(out) + "\n"


def print_terminal(result: ImportResult, file: Any = None) -> None:
    """A short report for the terminal (rich): the counts, then everything that needs a person."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file, highlight=False)
    if not console.is_terminal:
        console.width = 200  # a file or pipe gets whole lines, not a table wrapped to 80 columns
    d = as_dict(result)
    console.print(
        f"[bold]{result.table.source.name}[/bold] → {d['plan']}: {d['rows']} rader, "
        f"{d['actions']} insatser, {d['effects']} effekter"
    )
    summary = Table("status", "antal", title="Länkar / Links")
    for status, count in d["counts"].items():
        summary.add_row(STATUS_SV.get(status, status), str(count))
    console.print(summary)
    review = [r for r in result.references if r.needs_review]
    if review:
        table = Table("var", "text", "status", "kandidater", title=f"Att granska / To review ({len(review)})")
        for r in review:
            table.add_row(r.where, r.text, STATUS_SV.get(r.status, r.status), "; ".join(r.candidates))
        console.print(table)
    else:
        console.print("Inget att granska. / Nothing to review.")
    if result.unlinked_actions:
        console.print(f"Insatser utan strategimål / actions without a strategy goal: {len(result.unlinked_actions)}")
