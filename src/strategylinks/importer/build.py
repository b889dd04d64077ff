"""Build a plan's RDF from its table and the links found, in the project's model and IRI policy."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from .. import queries
from ..config import Settings
from ..graph import bind_prefixes
from ..namespaces import SL, resource_ns
from .linking import Catalogue, Name, Reference, link_involvement, link_row, link_themes, normalise
from .table import PlanTable, read_table

INTERNATIONAL_STRATEGY = "strategi/internationell-strategi"
PUBLISHER = "org/region-kronoberg"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class ImportResult:
    graph: Graph
    plan: URIRef
    table: PlanTable
    references: list[Reference] = field(default_factory=list)
    unlinked_actions: list[tuple[str, str]] = field(default_factory=list)  # (where, insats)

    @property
    def needs_review(self) -> list[Reference]:
        return [r for r in self.references if r.needs_review]


def load_catalogue(source: Graph, settings: Settings | None = None) -> Catalogue:
    def text(value: object) -> str | None:
        return None if value is None else str(value)

    rows = queries.rows(queries.run(source, "catalogue-names", settings=settings))
    return Catalogue(
        [
            Name(
                str(r["resource"]),
                str(r["kind"]),
                str(r["name"]),
                text(r["strategy"]),
                text(r["broader"]),
                text(r["notation"]),
                text(r["level"]),
            )
            for r in rows
        ]
    )


def import_plan(
    path: Path,
    year: int,
    catalogue_source: Graph,
    *,
    title: str | None = None,
    slug: str | None = None,
    settings: Settings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Read the plan at ``path`` and link it to the catalogue in ``catalogue_source``;
    ``progress(done, total)`` is called after each table row."""
    settings = settings or Settings()
    table = read_table(path)
    catalogue = load_catalogue(catalogue_source, settings)
    ids = resource_ns(settings.base_iri)
    slug = slug or slugify(Path(path).stem)
    plan = ids[f"plan/{slug}"]
    title = title or f"Region Kronobergs handlingsplan för internationellt arbete {year}"
    g = bind_prefixes(Graph())
    result = ImportResult(g, plan, table)
    g.add((plan, RDF.type, SL.ActionPlan))
    g.add((plan, SKOS.prefLabel, Literal(title, lang="sv")))
    g.add((plan, DCTERMS.title, Literal(title, lang="sv")))
    g.add((plan, SL.planYear, Literal(str(year), datatype=XSD.gYear)))
    g.add((plan, DCTERMS.source, Literal(Path(path).name)))
    publisher = ids[PUBLISHER]
    if any(n.resource == str(publisher) for n in catalogue.by_kind["organisation"]):
        g.add((plan, DCTERMS.publisher, publisher))
    priorities = {n.norm: n.resource for n in catalogue.by_kind["priority"]}
    new_themes: dict[str, URIRef] = {}
    result.references += [Reference(where, text, status) for status, where, text in table.notices]
    total, done = len(table.rows), 0
    for priority in table.priorities:
        existing = priorities.get(normalise(priority.title))
        if existing is not None:
            prio = URIRef(existing)
            if existing.startswith(str(ids[INTERNATIONAL_STRATEGY])):
                g.add((plan, SL.implements, ids[INTERNATIONAL_STRATEGY]))
        else:
            prio = ids[f"plan/{slug}/prioritering-{priority.number}"]
            g.add((prio, RDF.type, SL.PlanPriority))
            g.add((prio, RDF.type, SKOS.Concept))
            g.add((prio, SKOS.prefLabel, Literal(priority.title, lang="sv")))
            g.add((prio, SKOS.notation, Literal(str(priority.number))))
            g.add((prio, SKOS.inScheme, ids[INTERNATIONAL_STRATEGY]))
            result.references.append(
                Reference(f"Prioritering {priority.number}", priority.title, "new priority", str(prio))
            )
        g.add((plan, SL.hasPriority, prio))
        for row in priority.rows:
            where = f"Prioritering {priority.number}, rad {row.number} ({row.where})"
            base = f"plan/{slug}/prioritering-{priority.number}/rad-{row.number}"
            row_iri = ids[base]
            g.add((row_iri, RDF.type, SL.PlanRow))
            g.add((row_iri, SL.inPlan, plan))
            g.add((row_iri, SL.planPriority, prio))
            g.add((row_iri, SL.rowNumber, Literal(row.number)))
            g.add((row_iri, SKOS.prefLabel, Literal(f"Prioritering {priority.number}, rad {row.number}", lang="sv")))
            g.add((row_iri, SL.sourceLocation, Literal(f"{Path(path).name}, {where}", lang="sv")))
            g.add((row_iri, PROV.wasDerivedFrom, plan))
            if row.link_text:
                g.add((row_iri, SL.thematicLinkText, Literal(row.link_text, lang="sv")))
            links = link_row(row.link_text, where, catalogue)
            themes, theme_refs = link_themes(links.themes, where, catalogue)
            result.references += links.references + theme_refs
            theme_iris = []
            for name, iri in themes:
                if iri is None:
                    key = normalise(name)
                    if key not in new_themes:
                        new_themes[key] = ids[f"tema/{slugify(name)}"]
                        g.add((new_themes[key], RDF.type, SL.Theme))
                        g.add((new_themes[key], RDF.type, SKOS.Concept))
                        g.add((new_themes[key], SKOS.prefLabel, Literal(name, lang="sv")))
                        g.add((new_themes[key], SKOS.inScheme, ids["tema"]))
                        g.add((new_themes[key], DCTERMS.source, plan))
                    theme_iris.append(new_themes[key])
                else:
                    theme_iris.append(URIRef(iri))
            effects = [ids[f"{base}/effekt-{i}"] for i in range(1, len(row.effects) + 1)]
            for i, (effect, text) in enumerate(zip(effects, row.effects, strict=True), start=1):
                g.add((effect, RDF.type, SL.Effect))
                g.add((effect, SKOS.prefLabel, Literal(text, lang="sv")))
                g.add((effect, SL.inRow, row_iri))
                g.add((effect, SL.position, Literal(i)))
                g.add((effect, PROV.wasDerivedFrom, plan))
            for i, text in enumerate(row.actions, start=1):
                action = ids[f"{base}/insats-{i}"]
                g.add((action, RDF.type, SL.Action))
                g.add((action, SKOS.prefLabel, Literal(text, lang="sv")))
                g.add((action, SL.inPlan, plan))
                g.add((action, SL.planPriority, prio))
                g.add((action, SL.inRow, row_iri))
                g.add((action, SL.position, Literal(i)))
                g.add((action, PROV.wasDerivedFrom, plan))
                for effect in effects:
                    g.add((action, SL.hasEffect, effect))
                for goal in links.goals:
                    g.add((action, SL.contributesTo, URIRef(goal)))
                for theme in theme_iris:
                    g.add((action, SL.hasTheme, theme))
                involved, involve_refs = link_involvement(text, f"{where}, insats {i}", catalogue, {str(publisher)})
                result.references += involve_refs
                for target in involved:
                    g.add((action, SL.involves, URIRef(target)))
                if not links.goals:
                    result.unlinked_actions.append((where, text))
            done += 1
            if progress is not None:
                progress(done, total)
    return result
