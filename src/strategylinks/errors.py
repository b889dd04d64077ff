"""User-facing errors that carry a file, a line and a hint, so no user error shows a traceback."""

from __future__ import annotations

from pathlib import Path


class StrategyLinksError(Exception):
    """Base class of errors the CLI reports in words; ``exit_code`` is what the process returns."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = where + self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(StrategyLinksError):
    """Input that cannot be used at all: a missing or malformed file, an unknown query, a bad parameter."""


class QueryError(StrategyLinksError):
    """A SPARQL query that does not parse or cannot be evaluated."""
