"""The 2022 plan in the graph is the document: every insats, effekt and link, nothing invented."""

from __future__ import annotations

import html
import re
from collections import defaultdict

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from strategylinks.graph import label
from strategylinks.namespaces import SL

from .conftest import GK, ID, PLAN_2022

PARA = re.compile(r"<p>(.*?)</p>", re.S)


def norm(text: str) -> str:
    """Letters and digits only, lower case: HTML, dashes and list marks do not matter."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def seed_rows(seed_text: str) -> dict[tuple[int, int], list[str]]:
    """(priority, row) → [insats cell, effekt cell, tematisk koppling cell] from the text export."""
    table = seed_text.split("SAMMANSTÄLLNING AV INSATSER 2022", 1)[1]
    rows: dict[tuple[int, int], list[str]] = {}
    priority = row = 0
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if not line.strip() or cells[0] == "Insats" or set(line.replace("\t", "")) <= {"-"}:
            continue
        heading = re.match(r"Prioritering (\d+):", cells[0])
        if heading:
            priority, row = int(heading.group(1)), 0
            continue
        assert len(cells) == 3, f"unexpected table line: {line[:80]}"
        row += 1
        rows[(priority, row)] = cells
    return rows


def items(cell: str) -> list[str]:
    found = PARA.findall(cell)
    return found or [cell]


def data_rows(g: Graph) -> dict[tuple[int, int], URIRef]:
    out = {}
    for row in g.subjects(RDF.type, SL.PlanRow):
        if g.value(row, SL.inPlan) == URIRef(PLAN_2022):
            priority = g.value(row, SL.planPriority)
            number = int(str(g.value(priority, SKOS.notation)))
            out[(number, int(g.value(row, SL.rowNumber).toPython()))] = row  # type: ignore[union-attr]
    return out


def members(g: Graph, kind: URIRef, row: URIRef) -> list[URIRef]:
    found = [s for s in g.subjects(SL.inRow, row) if (s, RDF.type, kind) in g]
    return sorted(found, key=lambda s: int(g.value(s, SL.position).toPython()))  # type: ignore[union-attr]


def test_counts(merged: Graph) -> None:
    actions = [a for a in merged.subjects(RDF.type, SL.Action) if merged.value(a, SL.inPlan) == URIRef(PLAN_2022)]
    effects = {e for a in actions for e in merged.objects(a, SL.hasEffect)}
    assert len(actions) == 17
    assert len(effects) == 25
    assert len(data_rows(merged)) == 13


def test_rows_match_the_document(merged: Graph, seed_text: str) -> None:
    seed = seed_rows(seed_text)
    ours = data_rows(merged)
    assert sorted(seed) == sorted(ours)
    for key, (insats, effekt, koppling) in seed.items():
        row = ours[key]
        actions = members(merged, SL.Action, row)
        effects = members(merged, SL.Effect, row)
        # One insats per paragraph of the cell (a list inside a paragraph's sentence belongs to it).
        assert len(actions) == len(items(insats)), key
        for action, paragraph in zip(actions, items(insats), strict=True):
            text = norm(label(merged, action, "sv"))
            assert text.startswith(norm(paragraph)), (key, text)
            assert text in norm(insats), (key, text)
        assert [norm(label(merged, e, "sv")) for e in effects] == [norm(p) for p in items(effekt)], key
        assert norm(str(merged.value(row, SL.thematicLinkText))) == norm(koppling), key
        # Effects and the thematic link apply to every insats in the row.
        for action in actions:
            assert set(merged.objects(action, SL.hasEffect)) == set(effects)
            assert set(merged.objects(action, SL.contributesTo)) == set(merged.objects(actions[0], SL.contributesTo))
            assert set(merged.objects(action, SL.hasTheme)) == set(merged.objects(actions[0], SL.hasTheme))


# What a person reading the "Tematisk koppling" column finds, row by row.
EXPECTED_GOALS = {
    (1, 1): {
        GK + "prioritering-3/entreprenorskap-och-tillvaxtvilja",
        GK + "prioritering-3/innovationsgrad",
        ID + "strategi/smart-specialisering-kronoberg-2021-2027/skog-tra-mobel-hus-glas-design",
        ID + "strategi/smalands-skogsstrategi/mal-2",
        ID + "strategi/smalands-trastrategi-2022-2025/okad-kannedom-om-traregion-smaland",
        ID + "strategi/smalands-trastrategi-2022-2025/okad-konkurrenskraft",
        ID + "strategi/hallbarhetsprogram-2019-2023/klimatanpassning-och-minskad-klimatpaverkan",
        ID + "strategi/hallbarhetsprogram-2019-2023/hallbar-konsumtion-och-produktion",
    },
    (1, 2): {ID + "strategi/narmare-kronobergaren"},
    (1, 3): {
        ID + "strategi/folkhalsopolicy-kronoberg/barn-och-ungas-uppvaxtvillkor",
        ID + "strategi/folkhalsopolicy-kronoberg/tobak-alkohol-narkotika-dopning-spel",
    },
    (1, 4): {
        GK + "prioritering-4/matchning-pa-arbetsmarknaden",
        ID + "strategi/kompetensforsorjningsstrategi-kronoberg/prioritering-1",
        ID + "strategi/kompetensforsorjningsstrategi-kronoberg/prioritering-2",
    },
    (1, 5): {GK + "prioritering-3/innovationsgrad"},
}
EXPECTED_THEME_COUNTS = {
    (1, 1): 1,
    (1, 2): 1,
    (1, 3): 1,
    (1, 4): 1,
    (1, 5): 1,
    (2, 1): 1,
    (2, 2): 6,
    (2, 3): 7,
    (2, 4): 11,
    (2, 5): 10,
    (3, 1): 10,
    (3, 2): 7,
    (3, 3): 8,
}


def test_goal_links(merged: Graph, seed_text: str) -> None:
    seed = seed_rows(seed_text)
    for key, row in data_rows(merged).items():
        action = members(merged, SL.Action, row)[0]
        goals = {str(g) for g in merged.objects(action, SL.contributesTo)}
        assert goals == EXPECTED_GOALS.get(key, set()), key
        for goal in goals:
            if (URIRef(goal), RDF.type, SL.StrategyGoal) in merged:
                # The goal's name stands in the row's thematic link.
                assert norm(label(merged, URIRef(goal), "sv")) in norm(seed[key][2]), (key, goal)


def test_theme_links(merged: Graph, seed_text: str) -> None:
    seed = seed_rows(seed_text)
    for key, row in data_rows(merged).items():
        action = members(merged, SL.Action, row)[0]
        themes = list(merged.objects(action, SL.hasTheme))
        assert len(themes) == EXPECTED_THEME_COUNTS[key], key
        for theme in themes:
            assert norm(label(merged, theme, "sv")) in norm(seed[key][2]), (key, theme)


def test_every_effect_belongs_to_one_row_and_nothing_is_merged(merged: Graph) -> None:
    texts: dict[str, list[URIRef]] = defaultdict(list)
    for effect in merged.subjects(RDF.type, SL.Effect):
        assert len(list(merged.objects(effect, SL.inRow))) == 1
        texts[label(merged, effect, "sv")].append(effect)
    # The document has no effect text twice; every one is its own resource.
    assert all(len(v) == 1 for v in texts.values())
    assert len(texts) == 25


def test_every_resource_has_provenance(merged: Graph) -> None:
    for kind in (SL.Action, SL.Effect, SL.PlanRow):
        for node in merged.subjects(RDF.type, kind):
            assert (node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(PLAN_2022)) in merged


@pytest.mark.parametrize(
    ("strategy", "complete"),
    [
        ("grona-kronoberg-2025", False),
        ("smart-specialisering-kronoberg-2021-2027", False),
        ("hallbarhetsprogram-2019-2023", False),
        ("smalands-skogsstrategi", True),
        ("smalands-trastrategi-2022-2025", False),
        ("interreg-north-sea-2021-2027", True),
    ],
)
def test_catalogue_completeness_is_stated(merged: Graph, strategy: str, complete: bool) -> None:
    node = URIRef(ID + "strategi/" + strategy)
    assert merged.value(node, SL.goalListComplete).toPython() is complete  # type: ignore[union-attr]
    if not complete:
        notes = {n.language for n in merged.objects(node, SL.completenessNote)}
        assert {"sv", "en"} <= notes


def test_gk2025_hierarchy(merged: Graph) -> None:
    priorities = {
        g
        for g in merged.subjects(SKOS.inScheme, URIRef(GK.rstrip("/")))
        if merged.value(g, SL.goalLevel) == SL.Priority
    }
    assert {str(p) for p in priorities} == {GK + f"prioritering-{n}" for n in (1, 2, 3, 4)}
    assert merged.value(URIRef(GK + "prioritering-3"), SKOS.broader) == URIRef(GK + "omrade-2")
    assert merged.value(URIRef(GK + "prioritering-1"), SKOS.broader) == URIRef(GK + "omrade-1")
    # Names known only from the plan say so.
    assert merged.value(URIRef(GK + "prioritering-3/innovationsgrad"), SL.verification) == SL.NamedInPlanOnly


def test_catalogue_source_check(merged: Graph) -> None:
    """What a source check of the catalogue showed, and nothing more (issue 8)."""
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    strategy = ID + "strategi/"
    # Kompetensförsörjningsstrategin: the source breaks off in the fourth area of prioritering 2.
    p2 = URIRef(strategy + "kompetensforsorjningsstrategi-kronoberg/prioritering-2")
    assert merged.value(p2, SL.narrowerComplete) == Literal(False)
    assert {n.language for n in merged.objects(p2, SL.completenessNote)} == {"sv", "en"}
    # EUSBSR: every level says which action plan it follows; no objective claims its sub-objectives complete.
    eusbsr = URIRef(strategy + "eusbsr")
    for goal in merged.subjects(SKOS.inScheme, eusbsr):
        notes = " ".join(str(n) for n in merged.objects(goal, SKOS.editorialNote) if n.language == "en")  # type: ignore[attr-defined]
        level = merged.value(goal, SL.goalLevel)
        assert ("2021 Action Plan (14 policy areas)" if level == SL.PolicyArea else "action plan 2013–2017") in notes
        if level == SL.Objective:
            assert merged.value(goal, SL.narrowerComplete) == Literal(False), goal
    # Folkhälsopolicyn: the ANDT action plan 2012–2015 names the two target areas, with their numbers.
    andt = URIRef(
        "http://docplayer.se/3703003-Regional-handlingsplan-alkohol-narkotika-dopning-och-tobak-andt-2012-2015-kronobergs-lan.html"
    )
    for slug, number in (("barn-och-ungas-uppvaxtvillkor", "3"), ("tobak-alkohol-narkotika-dopning-spel", "11")):
        goal = URIRef(strategy + "folkhalsopolicy-kronoberg/" + slug)
        assert merged.value(goal, SL.verification) == SL.PartlyVerified
        assert andt in set(merged.objects(goal, DCTERMS.source))
        assert str(merged.value(goal, SKOS.notation)) == number
    # Närmare kronobergaren: every goal cites the vårdgivare page that carries the same text.
    page = URIRef(
        "https://www.regionkronoberg.se/vardgivare/arbetsomraden-processer/nara-vard/"
        "narmare-kronobergaren---halso-och-sjukvardens-utvecklingsstrategi/"
    )
    goals = {
        g
        for g in merged.subjects(SKOS.inScheme, URIRef(strategy + "narmare-kronobergaren"))
        if (g, RDF.type, SL.StrategyGoal) in merged
    }
    assert goals and all(page in set(merged.objects(g, DCTERMS.source)) for g in goals)
    # ESF+: Fast-Care is programområde F, under its own name.
    fast = URIRef(strategy + "esf-plus-2021-2027/fast-care")
    assert str(merged.value(fast, SKOS.notation)) == "F"
    assert label(merged, fast) == "Fast-Care"
