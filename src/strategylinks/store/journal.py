"""Backup points of a store folder: a journal of the committed updates, each one undoable and redoable.

Point 0 is the store as ``strategylinks load`` wrote it; point N is the store after the N-th update the
server committed. Each update is written to ``backups/NNNNNN.json`` *before* it is sent to the engine (and
synced to disk), with its exact effect: the quads it added and removed and, for a graph where it adds or
removes blank nodes (which the engine renames), that graph's whole content before and after. Undoing an
update whose effect never reached the engine changes nothing (its added quads are absent and its removed
ones present), so an entry left by a crash between the two steps is harmless; ``settle`` drops it when the
server next opens the store.

``restore --to N`` undoes the updates after N on a copy of the database and swaps it in whole; the restore
is itself recorded as a point, so it can be undone in turn.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from .base import StoreError

JOURNAL_DIR = "backups"
_NQ = ox.RdfFormat.N_QUADS


def _quads(text: str) -> list[ox.Quad]:
    return list(ox.parse(text.encode("utf-8"), _NQ)) if text else []


def _text(quads: Iterable[ox.Quad]) -> str:
    return (ox.serialize(list(quads), format=_NQ) or b"").decode("utf-8")


def _graph(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else ox.NamedNode(name)


@dataclass
class Entry:
    """One backup point: the update (or restore) that led to it."""

    number: int
    time: str
    kind: str  # "update" or "restore"
    summary: str
    added: str = ""
    removed: str = ""
    #: Graph name ("" for the default graph) → its N-Quads before and after, where blank nodes changed.
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    #: For a restore: the points it undid, in the order they were made.
    undid: list[int] = field(default_factory=list)

    def counts(self) -> tuple[int, int]:
        return self.added.count("\n"), self.removed.count("\n")


class Journal:
    """The ``backups`` folder of a store folder."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self.folder = store_path / JOURNAL_DIR

    def _file(self, number: int) -> Path:
        return self.folder / f"{number:06d}.json"

    def entries(self) -> list[Entry]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("[0-9]*.json")):
            try:
                found.append(Entry(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError) as exc:
                raise StoreError(f"a backup point cannot be read: {exc}", path=path) from None
        return found

    def last(self) -> int:
        """The number of the last point (0: none since the load), from the file names alone."""
        if not self.folder.is_dir():
            return 0
        return max((int(p.stem) for p in self.folder.glob("[0-9]*.json") if p.stem.isdigit()), default=0)

    def get(self, number: int) -> Entry:
        for entry in self.entries():
            if entry.number == number:
                return entry
        raise StoreError(f"there is no backup point {number}", path=self.store_path)

    def write(self, entry: Entry) -> None:
        """Write ``entry`` durably: to a temporary file, synced, then renamed into place."""
        self.folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".entry-", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry.__dict__, out, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self._file(entry.number))
            _sync_folder(self.folder)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def record(self, added: list[ox.Quad], removed: list[ox.Quad], store: ox.Store, summary: str = "") -> Entry:
        """Write the next point for an update that added ``added`` and removed ``removed`` (each against the
        data before it); ``store`` holds the data with the update applied. Call it before the update is sent
        to the engine."""
        blank = {
            _name(q)
            for q in added + removed
            if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
        }
        entry = Entry(
            number=self.last() + 1,
            time=datetime.now(UTC).isoformat(timespec="seconds"),
            kind="update",
            summary=summary,
            added=_text(q for q in added if _name(q) not in blank),
            removed=_text(q for q in removed if _name(q) not in blank),
        )
        for name in sorted(blank):
            now = list(store.quads_for_pattern(None, None, None, _graph(name)))
            new = set(q for q in added if _name(q) == name)
            old = [q for q in now if q not in new] + [q for q in removed if _name(q) == name]
            entry.before[name], entry.after[name] = _text(old), _text(now)
        self.write(entry)
        return entry

    def discard(self, entry: Entry) -> None:
        """Remove the last point again (its update was refused by the engine)."""
        self._file(entry.number).unlink(missing_ok=True)
        _sync_folder(self.folder)

    def settle(self, store: ox.Store) -> None:
        """Drop the last point if its update never reached ``store`` (a crash between the two steps)."""
        entries = self.entries()
        if entries and entries[-1].kind == "update" and not _applied(store, entries[-1]):
            self.discard(entries[-1])

    # -- moving between points

    def undo(self, store: ox.Store, entry: Entry) -> None:
        if entry.kind == "restore":
            for number in entry.undid:
                self.redo(store, self.get(number))
            return
        _replace(store, entry.added, entry.removed, entry.before)

    def redo(self, store: ox.Store, entry: Entry) -> None:
        if entry.kind == "restore":
            for number in reversed(entry.undid):
                self.undo(store, self.get(number))
            return
        _replace(store, entry.removed, entry.added, entry.after)


def _name(quad: ox.Quad) -> str:
    return "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value


def _replace(store: ox.Store, remove: str, add: str, graphs: dict[str, str]) -> None:
    for quad in _quads(remove):
        store.remove(quad)
    store.extend(_quads(add))
    for name, content in graphs.items():
        target = _graph(name)
        if isinstance(target, ox.DefaultGraph):
            for quad in list(store.quads_for_pattern(None, None, None, target)):
                store.remove(quad)
        else:
            store.remove_graph(target)
        store.extend(_quads(content))


def _applied(store: ox.Store, entry: Entry) -> bool:
    if any(q not in store for q in _quads(entry.added)) or any(q in store for q in _quads(entry.removed)):
        return False
    return all(
        len(list(store.quads_for_pattern(None, None, None, _graph(name)))) == content.count("\n")
        for name, content in entry.after.items()
    )


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def restore(store_path: Path, number: int) -> Entry:
    """Bring the store folder back to point ``number``: undo the later points on a copy of the database,
    record the restore as a new point, and swap the copy in; on any error the store is as it was."""
    from .embedded import DB_DIR, _open_db, _swap, read_meta

    read_meta(store_path)
    journal = Journal(store_path)
    entries = journal.entries()
    last = entries[-1].number if entries else 0
    if not 0 <= number <= last:
        raise StoreError(f"there is no backup point {number} (the points are 0 to {last})", path=store_path)
    if number == last:
        raise StoreError(f"the store is at point {number} already", path=store_path)
    # Opening it for writing also proves that no server has it open.
    database = _open_db(store_path / DB_DIR, read_only=False)
    staging = Path(tempfile.mkdtemp(prefix=f".{store_path.name}.restore-", dir=store_path.parent))
    try:
        database.backup(str(staging / DB_DIR))  # a RocksDB checkpoint: hard links, quick
        del database
        for item in store_path.iterdir():
            if item.name != DB_DIR:
                (shutil.copytree if item.is_dir() else shutil.copy2)(item, staging / item.name)
        copy = _open_db(staging / DB_DIR, read_only=False)
        undone = [e for e in entries if e.number > number]
        for entry in reversed(undone):
            journal.undo(copy, entry)
        copy.flush()
        del copy
        entry = Entry(
            number=last + 1,
            time=datetime.now(UTC).isoformat(timespec="seconds"),
            kind="restore",
            summary=f"restore to point {number}",
            undid=[e.number for e in undone],
        )
        Journal(staging).write(entry)
        _swap(staging, store_path)
        return entry
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def describe(entries: list[Entry]) -> Iterator[str]:
    for entry in entries:
        if entry.kind == "restore":
            yield f"{entry.number}\t{entry.time}\t{entry.summary}"
        else:
            added, removed = entry.counts()
            blank = f", {len(entry.after)} graphs with blank nodes rewritten" if entry.after else ""
            yield f"{entry.number}\t{entry.time}\t+{added} −{removed} quads{blank}\t{entry.summary}"
