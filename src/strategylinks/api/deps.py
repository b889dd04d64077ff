"""Dependencies declared once, as Annotated aliases (the FastAPI template's habit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .settings import ServerSettings
from .store import KnowledgeStore


def get_store(request: Request) -> KnowledgeStore:
    store: KnowledgeStore = request.app.state.store
    return store


def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


StoreDep = Annotated[KnowledgeStore, Depends(get_store)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
