"""Counts of the dataset's parts (via the ``stats`` query)."""

from __future__ import annotations

from rdflib import Literal

from . import queries
from .config import Settings
from .queries import Queryable

_KEYS = {
    "actions": "actions",
    "effects": "effects",
    "strategyGoals": "strategy_goals",
    "strategyElements": "strategy_elements",
    "strategies": "strategies",
    "themes": "themes",
    "organisations": "organisations",
    "plans": "plans",
}
_LINKS = {
    "goalLinks": "action_goal",
    "themeLinks": "action_theme",
    "effectLinks": "action_effect",
    "involvementLinks": "action_involves",
}


def stats(source: Queryable, settings: Settings | None = None) -> dict[str, object]:
    (row,) = queries.rows(queries.run(source, "stats", settings=settings))

    def number(key: str) -> int:
        value = row[key]
        return int(value.toPython()) if isinstance(value, Literal) else 0

    counts: dict[str, object] = {out: number(key) for key, out in _KEYS.items()}
    links = {out: number(key) for key, out in _LINKS.items()}
    counts["links"] = sum(links.values())
    counts["links_by_kind"] = links
    counts["triples"] = number("triples")
    return counts
