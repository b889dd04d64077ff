"""Typed response models of the JSON API (they document /docs)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GapModel(BaseModel):
    iri: str
    label: str
    strategy: str = Field(description="label of the strategy document")
    strategyIri: str
    level: str
    notation: str | None = None
    coverage: str = Field(description='"none": no action serves it or any goal below; "indirect": only goals below')
    indirectActions: int
    strategyActions: int = Field(description="actions citing the whole strategy")
    strategyComplete: bool = Field(description="false: the catalogue of this strategy is incomplete")
    href: str = Field(description="the goal's page on this server")


class CoverageModel(BaseModel):
    iri: str
    label: str
    complete: bool
    goals: int
    directlyCovered: int
    covered: int
    strategyActions: int
    involvedActions: int
    href: str


class UnlinkedActionModel(BaseModel):
    iri: str
    label: str | None
    priority: str | None
    themes: str | None
    href: str


class GapReportModel(BaseModel):
    plan: str
    planLabel: str
    strategies: list[CoverageModel]
    gaps: list[GapModel]
    indirect: list[GapModel]
    actionsWithoutGoals: list[UnlinkedActionModel]
    incompleteStrategies: list[str]
    followup: dict[str, object] | None = Field(
        default=None, description="statuses per priority, coverage carried out and paper coverage in a period"
    )
    network: dict[str, object] | None = Field(
        default=None, description="goals that depend on a single action; strategies that share actions"
    )
    headline: dict[str, int] | None = Field(
        default=None,
        description="goals, goals lacking actions, actions, actions serving no goal, incomplete strategies",
    )
    comparison: dict[str, object] | None = Field(
        default=None, description="the publisher's previous plan: its headline numbers, goals gained and lost"
    )


class NamedQueryModel(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[dict[str, str]]
    text: str
    href: str


class GraphModel(BaseModel):
    plan: str
    nodes: list[dict[str, object]]
    edges: list[dict[str, object]]
