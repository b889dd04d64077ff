"""Entity linking: the "Tematisk koppling" text and the insats texts matched to the catalogue.

Names are compared after normalisation (case, dashes and punctuation folded) and, where an exact
match fails, by fuzzy matching (rapidfuzz) above a threshold; anything between the review score and
the threshold is reported as ambiguous and not linked, so nothing weak is linked silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

THRESHOLD = 90.0
PRIORITY_LEVEL = "https://w3id.org/strategylinks/ontology#Priority"
REVIEW = 75.0
MARKERS = re.compile(
    r"\b(?:prioriteringar|prioritering(?:\s+\d+)?|insatsområden?|område|fokuserade\s+områden|fokusområden?)\s*[:.]",
    re.I,
)
BULLET = re.compile(r"(?:^|\s)[-–•]\s+")
IN_LINE_WITH = re.compile(r"\bi\s+linje\s+med\b:?", re.I)
PREAMBLE_THEME = re.compile(r"\bstödjer\s+(?:utvecklingen\s+inom\s+)?(?P<theme>.+?)\s*$", re.I)
LIST_START = re.compile(r"\binom\s+(?:bl\.\s?a\.\s+)?", re.I)


def normalise(text: str) -> str:
    """Lower case, dashes and punctuation as spaces, whitespace folded: names compare on their words."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[\u2010-\u2015\-–—]", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Name:
    resource: str
    kind: str  # strategy, goal, theme, priority, organisation, programme, project
    name: str
    strategy: str | None = None
    broader: str | None = None
    notation: str | None = None
    level: str | None = None

    @property
    def norm(self) -> str:
        return normalise(self.name)


@dataclass
class Reference:
    """One reference found in the document, and what became of it."""

    where: str
    text: str
    # linked, strategy, context, ambiguous, not found, theme, new theme, new priority, involves,
    # repeated; and from the table reader: priority again, merged cells
    status: str
    target: str | None = None
    label: str | None = None
    score: float = 0.0
    candidates: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return self.status in ("ambiguous", "not found", "new theme", "new priority", "priority again", "merged cells")


class Catalogue:
    """The catalogue's names, indexed for linking."""

    def __init__(self, names: list[Name]) -> None:
        self.names = names
        self.by_kind: dict[str, list[Name]] = defaultdict(list)
        self.label: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        for n in names:
            self.by_kind[n.kind].append(n)
            self.label.setdefault(n.resource, n.name)
            if n.broader:
                self.parent[n.resource] = n.broader
        self.goals_of: dict[str, list[Name]] = defaultdict(list)
        for n in self.by_kind["goal"]:
            if n.strategy:
                self.goals_of[n.strategy].append(n)

    def ancestors(self, resource: str) -> set[str]:
        found: set[str] = set()
        while resource in self.parent and self.parent[resource] not in found:
            resource = self.parent[resource]
            found.add(resource)
        return found


def _find(name: str, text: str) -> re.Match[str] | None:
    """A name as whole words in normalised text, allowing a genitive or definite ending."""
    if not name:
        return None
    return re.search(rf"(?<!\w){re.escape(name)}(?:s|ns|n|na|erna)?(?!\w)", text)


def detect_strategies(segment: str, catalogue: Catalogue) -> tuple[list[Name], float]:
    """The strategy the segment names first (several if one name fits several, like "Smålands skogs-
    och trästrategier") and the match score: exact names first; else the segment's first sentence
    compared with every strategy name by fuzzy matching (a misspelt or shortened name)."""
    text = normalise(segment)
    hits: list[tuple[int, int, Name]] = []
    for n in catalogue.by_kind["strategy"]:
        match = _find(n.norm, text)
        if match:
            hits.append((match.start(), -len(n.norm), n))
    if hits:
        hits.sort(key=lambda h: (h[0], h[1]))
        first = hits[0][:2]
        chosen: dict[str, Name] = {}
        for start, negative_length, n in hits:
            if (start, negative_length) == first:
                chosen.setdefault(n.resource, n)
        return list(chosen.values()), 100.0
    head = normalise(segment.split(". ", 1)[0])
    scored: dict[str, tuple[float, Name]] = {}
    for n in catalogue.by_kind["strategy"]:
        # Shortened names count, but not a fragment ("Kronoberg" is in many names).
        if len(n.norm.split()) < 2 or len(head) < 0.6 * len(n.norm):
            continue
        score = float(fuzz.partial_ratio(head, n.norm))
        if n.resource not in scored or score > scored[n.resource][0]:
            scored[n.resource] = (score, n)
    ranked = sorted(scored.values(), key=lambda sn: -sn[0])
    if ranked and ranked[0][0] >= THRESHOLD:
        return [ranked[0][1]], ranked[0][0]
    return [], ranked[0][0] if ranked else 0.0


def split_items(rest: str, has_markers: bool) -> list[str]:
    """The named goals after a strategy's name: sentences, marker words removed, "samt" splits."""
    if has_markers:
        # Whatever follows the name up to the first full stop still belongs to it ("… och dess
        # handlingsplan 5.0."), so the items start after it.
        rest = rest.split(". ", 1)[1] if ". " in rest else ""
    rest = MARKERS.sub(". ", rest)
    parts = re.split(r"\.\s+|\.$|\s+samt\s+", rest)
    return [p.strip(" ,.:;") for p in (re.sub(r"\s+", " ", x) for x in parts) if p.strip(" ,.:;")]


def _score(name: str, item: str) -> float:
    """How well a goal's name matches a named item. A short name (under three words) must match the
    whole item; a longer one may stand inside it, but only on word boundaries."""
    if not name or not item:
        return 0.0
    if len(name.split()) < 3 or len(name) > len(item):
        return float(fuzz.ratio(name, item))
    alignment = fuzz.partial_ratio_alignment(name, item)
    if alignment is None:
        return 0.0
    start, end = alignment.dest_start, alignment.dest_end
    on_words = (start == 0 or item[start - 1] == " ") and (end == len(item) or item[end] == " ")
    return float(alignment.score) if on_words else float(alignment.score) - 15.0


def link_segment(segment: str, where: str, catalogue: Catalogue) -> tuple[list[str], list[Reference]]:
    strategies, strategy_score = detect_strategies(segment, catalogue)
    head = segment[:80]
    if not strategies:
        status = "ambiguous" if strategy_score >= REVIEW else "not found"
        return [], [Reference(where, head, status, score=strategy_score, candidates=[])]
    # Where the strategy's name ends in the text as written: its words with anything between them.
    words = strategies[0].norm.split()
    match = re.search(r"[\W_]+".join(re.escape(w) for w in words) + r"\w*", segment, re.I)
    if match:
        rest = segment[match.end() :]
    elif ". " in segment:  # a fuzzy match: the name is the first sentence
        rest = ". " + segment.split(". ", 1)[1]
    else:
        rest = ""
    numbered = [m.group(1) for m in re.finditer(r"\bprioritering\s+(\d+)\b", rest, re.I)]
    items = split_items(rest, bool(MARKERS.search(rest)))
    refs: list[Reference] = []
    linked: dict[str, Reference] = {}
    candidates = [g for s in strategies for g in catalogue.goals_of[s.resource]]
    if strategy_score < 100:
        refs.append(
            Reference(
                where, head, "linked", strategies[0].resource, catalogue.label[strategies[0].resource], strategy_score
            )
        )
    # "Prioritering 3" names a goal by its number, whether or not its title follows.
    for number in numbered:
        for goal in candidates:
            if goal.notation == number and goal.level == PRIORITY_LEVEL and goal.resource not in linked:
                linked[goal.resource] = Reference(
                    where, f"Prioritering {number}", "linked", goal.resource, catalogue.label[goal.resource], 100.0
                )
    if not linked and (not items or not candidates):
        for s in strategies:
            refs.append(Reference(where, s.name, "strategy", s.resource, catalogue.label[s.resource], 100.0))
        if items and not candidates:
            refs += [Reference(where, i, "not found", candidates=[]) for i in items]
        return [s.resource for s in strategies], refs
    for item in items:
        norm_item = normalise(item)
        scored: dict[str, tuple[float, Name]] = {}
        for goal in candidates:
            score = _score(goal.norm, norm_item)
            if goal.resource not in scored or score > scored[goal.resource][0]:
                scored[goal.resource] = (score, goal)
        strong = [(s, g) for s, g in scored.values() if s >= THRESHOLD]
        if strong:
            for score, goal in strong:
                if goal.resource not in linked or linked[goal.resource].score < score:
                    linked[goal.resource] = Reference(
                        where, item, "linked", goal.resource, catalogue.label[goal.resource], score
                    )
            continue
        ranked = sorted(scored.values(), key=lambda sg: -sg[0])
        best = ranked[0] if ranked else None
        if best and best[0] >= REVIEW:
            refs.append(
                Reference(
                    where,
                    item,
                    "ambiguous",
                    score=best[0],
                    candidates=[f"{catalogue.label[g.resource]} ({s:.0f})" for s, g in ranked[:3]],
                )
            )
        else:
            refs.append(
                Reference(
                    where,
                    item,
                    "not found",
                    score=best[0] if best else 0.0,
                    candidates=[f"{catalogue.label[g.resource]} ({s:.0f})" for s, g in ranked[:3]],
                )
            )
    # A named priority whose insatsområde is named too is the insatsområde's context, not a link.
    targets = set(linked)
    for resource in sorted(targets):
        below = [other for other in targets if resource in catalogue.ancestors(other)]
        if below:
            ref = linked.pop(resource)
            ref.status = "context"
            refs.append(ref)
    refs = list(linked.values()) + refs
    return sorted(linked), refs


def split_theme_list(text: str, known: set[str]) -> list[str]:
    """ "a, b, c och d" → [a, b, c, d]. A pair joined by "och" inside the list is split only when both
    halves are known themes; the last item is split at its last "och" unless it is a known theme."""
    parts = [p.strip(" .") for p in text.split(", ") if p.strip(" .")]
    out: list[str] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        pieces = re.split(r"\s+och\s+", part)
        if len(pieces) == 1 or normalise(part) in known:
            out.append(part)
            continue
        if last:
            left, right = part.rsplit(" och ", 1)
            if left.endswith("-"):
                out.append(part)
            else:
                out += [left.strip(), right.strip()]
            continue
        if all(normalise(p) in known for p in pieces):
            out += pieces
        else:
            out.append(part)
    return out


@dataclass
class RowLinks:
    goals: list[str]
    themes: list[str]  # theme names as written
    references: list[Reference]


def link_row(text: str, where: str, catalogue: Catalogue) -> RowLinks:
    known = {n.norm for n in catalogue.by_kind["theme"]}
    refs: list[Reference] = []
    goals: list[str] = []
    themes: list[str] = []
    split = IN_LINE_WITH.search(text)
    if split:
        preamble, rest = text[: split.start()], text[split.end() :]
        theme = PREAMBLE_THEME.search(preamble)
        if theme:
            themes.append(theme.group("theme").strip(" ,.:"))
        segments = [s for s in BULLET.split(rest) if s.strip()]
        for segment in segments:
            found, segment_refs = link_segment(segment.strip(), where, catalogue)
            goals += [g for g in found if g not in goals]
            refs += segment_refs
    else:
        starts = list(LIST_START.finditer(text))
        if starts:
            head = text[: starts[-1].start()]
            tail = text[starts[-1].end() :].strip(" .")
            repeated = normalise(head)
            phrase = normalise(text[: starts[0].start()])
            if len(starts) > 1 and phrase and repeated.count(phrase) > 1:
                refs.append(Reference(where, text[: starts[0].end()].strip(), "repeated"))
            themes += split_theme_list(tail, known)
    return RowLinks(goals, themes, refs)


def link_themes(
    themes: list[str], where: str, catalogue: Catalogue
) -> tuple[list[tuple[str, str | None]], list[Reference]]:
    """Each theme name → an existing theme (exact or fuzzy) or None (a new theme, for review)."""
    out: list[tuple[str, str | None]] = []
    refs: list[Reference] = []
    for theme in themes:
        norm = normalise(theme)
        best: tuple[float, Name] | None = None
        for n in catalogue.by_kind["theme"]:
            score = 100.0 if n.norm == norm else float(fuzz.ratio(n.norm, norm))
            if best is None or score > best[0]:
                best = (score, n)
        if best and best[0] >= THRESHOLD + 5:
            out.append((theme, best[1].resource))
            refs.append(Reference(where, theme, "theme", best[1].resource, catalogue.label[best[1].resource], best[0]))
        else:
            out.append((theme, None))
            refs.append(
                Reference(
                    where,
                    theme,
                    "new theme",
                    score=best[0] if best else 0.0,
                    candidates=[catalogue.label[best[1].resource]] if best else [],
                )
            )
    return out, refs


def link_involvement(
    text: str, where: str, catalogue: Catalogue, exclude: set[str]
) -> tuple[list[str], list[Reference]]:
    """Organisations, networks, programmes, projects and strategies an insats names: longest names
    first, each stretch of text used once; acronyms only in capitals; fuzzy for long names."""
    norm = normalise(text)
    found: dict[str, Reference] = {}
    names = [
        n
        for kind in ("organisation", "programme", "project", "strategy")
        for n in catalogue.by_kind[kind]
        if n.resource not in exclude
    ]
    claimed: dict[tuple[int, int], str] = {}  # span → the name that took it (a shared name links all)

    def free(span: tuple[int, int], name: str) -> bool:
        return all(claimed[other] == name for other in claimed if span[0] < other[1] and other[0] < span[1])

    for n in sorted(names, key=lambda n: -len(n.norm)):
        if len(n.norm) < 3:
            continue
        score = 100.0
        if n.name.isupper() and len(n.name) <= 6:
            # Acronyms only as written, in capitals, so that "SI" is not found in every "si".
            if not re.search(rf"(?<!\w){re.escape(n.name)}(?!\w)", text):
                continue
        else:
            spans = [
                (m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(n.norm)}(?:s|ns|n|na|erna)?(?!\w)", norm)
            ]
            if not spans and len(n.norm) >= 15:
                alignment = fuzz.partial_ratio_alignment(n.norm, norm)
                if alignment is not None and alignment.score >= THRESHOLD + 5:
                    spans, score = [(alignment.dest_start, alignment.dest_end)], float(alignment.score)
            span = next((sp for sp in spans if free(sp, n.norm)), None)
            if span is None:
                continue
            claimed[span] = n.norm
        if n.resource not in found:
            found[n.resource] = Reference(where, n.name, "involves", n.resource, catalogue.label[n.resource], score)
    return sorted(found), list(found.values())
