"""The store everything reads from and writes to: embedded Oxigraph (in memory or on disk) or a remote
SPARQL 1.1 store, chosen by the settings.

- ``--endpoint URL`` (``STRATEGYLINKS_ENDPOINT``): a remote store;
- ``--store DIR`` (``STRATEGYLINKS_STORE``): an Oxigraph store folder made by ``strategylinks load``;
- otherwise the data folder's files are loaded into an in-memory Oxigraph store.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ..config import Settings
from ..graph import ONTOLOGY_FILE, data_files, graph_name, parse_file, rebase
from ..namespaces import DEFAULT_BASE_IRI, graph_ns
from .base import Store, StoreError, StoreQueryError
from .embedded import OxigraphStore
from .remote import RemoteStore

__all__ = [
    "OxigraphStore",
    "RemoteStore",
    "Store",
    "StoreError",
    "StoreQueryError",
    "fill",
    "graph_files",
    "memory_store",
    "open_store",
    "source_graphs",
]


def open_store(settings: Settings, *, writable: bool = False) -> Store:
    """The store the settings name (see the module's description)."""
    if settings.endpoint:
        password = settings.endpoint_password.get_secret_value() if settings.endpoint_password else None
        return RemoteStore(
            settings.base_iri,
            settings.endpoint,
            update_endpoint=settings.update_endpoint,
            graph_store=settings.graph_store,
            user=settings.endpoint_user,
            password=password,
        )
    if settings.store is not None:
        return OxigraphStore.open(settings.store, settings.base_iri, read_only=not writable)
    return memory_store(settings)


def graph_files(settings: Settings, files: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """(named graph, file) for the ontology and every data file, in a stable order."""
    gns = graph_ns(settings.base_iri)
    pairs = [(str(gns["ontology"]), settings.ontology_path / ONTOLOGY_FILE)]
    root = settings.data_path
    for path in files if files is not None else data_files(settings):
        pairs.append((str(graph_name(path, root, settings.base_iri)), Path(path)))
    return pairs


def fill(store: OxigraphStore, settings: Settings, files: Sequence[Path] | None = None) -> list[tuple[str, Path]]:
    """Load the ontology and the data files into ``store``, one named graph per file."""
    pairs = graph_files(settings, files)
    for name, path in pairs:
        if settings.base_iri == DEFAULT_BASE_IRI:
            store.load_file(path, name)
        else:
            moved = rebase(parse_file(path), settings.base_iri)
            store.load_data(moved.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, name)
    return pairs


def memory_store(settings: Settings, files: Sequence[Path] | None = None) -> OxigraphStore:
    store = OxigraphStore.memory(settings.base_iri)
    fill(store, settings, files)
    return store


def source_graphs(store: OxigraphStore) -> dict[str, bytes]:
    """Each named graph of an embedded store as N-Triples (serialised by Oxigraph)."""
    return {
        name: store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        for name in store.graph_names()
    }
