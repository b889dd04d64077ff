"""Render the alignment graph as one self-contained, offline HTML page (pyvis + our own template)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.network import Network

from .config import Settings
from .errors import InputError
from .network import coverage_by_strategy, positions

TEMPLATE = "alignment.html.jinja"
VIS_VERSION = "9.1.2"
MAX_LABEL = 48

STYLE: dict[str, dict[str, Any]] = {
    "priority": {
        "shape": "box",
        "color": {"background": "#1f4e79", "border": "#163a5a"},
        "font": {"color": "#ffffff"},
    },
    "action": {"shape": "box", "color": {"background": "#d6eaf8", "border": "#2e86c1"}},
    "effect": {"shape": "dot", "size": 10, "color": {"background": "#a9cce3", "border": "#5499c7"}},
    "theme": {"shape": "diamond", "size": 12, "color": {"background": "#d7bde2", "border": "#8e44ad"}},
    "goal": {"shape": "dot", "size": 14},
    "strategy": {"shape": "hexagon", "size": 22, "color": {"background": "#f8c471", "border": "#b9770e"}},
    "unknown": {"shape": "triangle", "color": {"background": "#d5d8dc", "border": "#566573"}},
}
GOAL_COLOURS = {
    "direct": {"background": "#27ae60", "border": "#1e8449"},
    "indirect": {"background": "#abebc6", "border": "#27ae60"},
    "none": {"background": "#fadbd8", "border": "#c0392b"},
}


#: How an action's follow-up status shows: a mark before its label and its border colour.
STATUS_MARKS = {
    "genomförd": ("✓", "#2e7d32"),
    "pågående": ("▶", "#1976d2"),
    "planerad": ("○", "#7f8c8d"),
    "senarelagd": ("‖", "#b7950b"),
    "inställd": ("✗", "#c62828"),
    "": ("?", "#95a5a6"),
}


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def vis_assets() -> tuple[str, str]:
    """vis-network's script and style, as shipped inside the pyvis package (no CDN)."""
    lib = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}"
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(
        encoding="utf-8"
    )


def to_pyvis(g: nx.DiGraph) -> Network:
    """Nodes and edges with styles, levels and the data the page's panels and filters use."""
    net = Network(directed=True, height="100%", width="100%")
    places = positions(g)
    for node, data in sorted(g.nodes(data=True)):
        kind = data["kind"]
        label = data["label"]
        style = {k: (dict(v) if isinstance(v, dict) else v) for k, v in STYLE[kind].items()}
        extra: dict[str, Any] = {}
        if kind == "goal":
            style["color"] = GOAL_COLOURS[data["coverage"]]
            if data["coverage"] == "none":
                style["borderWidth"] = 3
                style["shapeProperties"] = {"borderDashes": [4, 3]}
            extra = {
                "coverage": data["coverage"],
                "strategy": data["strategy"],
                "level_name": data["level"],
                "level_name_en": data.get("level_en", ""),
                "notation": data.get("notation") or "",
                "actions": data.get("actions", 0),
            }
            if "done" in data:
                extra["done"] = data["done"]
        elif kind == "action":
            extra = {"priority": data["priority"], "themes": data["themes"], "involves": data["involves"]}
            if "status" in data:
                mark, colour = STATUS_MARKS.get(data["status"], STATUS_MARKS[""])
                extra["status"] = data["status"]
                extra["mark"] = mark
                style["color"] = {"background": "#d6eaf8", "border": colour}
                style["borderWidth"] = 3
                if not data["status"]:
                    style["shapeProperties"] = {"borderDashes": [4, 3]}
                label = f"{mark} {data['label']}"
        elif kind == "strategy":
            extra = {"complete": data["complete"]}
        elif kind == "priority":
            extra = {"notation": data.get("notation") or ""}
        net.add_node(
            node,
            label=_short(label),
            kind=kind,
            full_label=data["label"],
            label_en=data.get("label_en", ""),
            label_lang=data.get("label_lang", ""),
            x=places[node][0],
            y=places[node][1],
            **style,
            **extra,
        )
    for source, target, data in sorted(g.edges(data=True)):
        dashes = data["relation"] in ("broader", "in", "theme")
        net.add_edge(source, target, relation=data["relation"], dashes=dashes, arrows="to")
    return net


def _both(value: Any, iri: str) -> dict[str, str]:
    """Swedish and English names of an involved organisation (older views carried one string)."""
    if isinstance(value, dict):
        return {"label": value.get("label") or iri, "label_en": value.get("label_en", "")}
    return {"label": str(value or iri.rsplit("/", 1)[-1]), "label_en": ""}


def graph_payload(g: nx.DiGraph, settings: Settings, *, server: bool, lang: str, plan_label: str) -> dict[str, Any]:
    """Everything the graph page's script reads: nodes and edges, the filters' choices, the plan."""
    net = to_pyvis(g)
    nodes, edges, *_ = net.get_network_data()
    coverage = coverage_by_strategy(g)
    involved_labels: dict[str, Any] = g.graph.get("involved_labels", {})

    def named(n: str, d: dict[str, Any]) -> dict[str, Any]:
        return {"iri": n, "label": d["label"], "label_en": d.get("label_en", ""), "label_lang": d.get("label_lang", "")}

    strategies = [
        {
            **named(n, d),
            "complete": d["complete"],
            "goals": coverage[n].goals if n in coverage else 0,
            "covered": coverage[n].covered if n in coverage else 0,
        }
        for n, d in sorted(g.nodes(data=True), key=lambda nd: nd[1]["label"])
        if d["kind"] == "strategy"
    ]
    priorities = [
        named(n, d)
        for n, d in sorted(g.nodes(data=True), key=lambda nd: (nd[1].get("notation", ""), nd[0]))
        if d["kind"] == "priority"
    ]
    themes = [named(n, d) for n, d in sorted(g.nodes(data=True), key=lambda nd: nd[1]["label"]) if d["kind"] == "theme"]
    involved = sorted({i for _, d in g.nodes(data=True) if d["kind"] == "action" for i in d["involves"]})
    networks = sorted(({"iri": i, **_both(involved_labels.get(i), i)} for i in involved), key=lambda n: str(n["label"]))
    return {
        "nodes": nodes,
        "edges": edges,
        "strategies": strategies,
        "priorities": priorities,
        "themes": themes,
        "networks": networks,
        "server": server,
        "baseIri": settings.base_iri,
        "lang": lang,
        "plan": g.graph.get("plan", ""),
        "planLabel": plan_label or g.graph.get("plan", ""),
        "period": g.graph.get("period"),
        "periodLabel": g.graph.get("period_label", ""),
        "statusMarks": [{"status": k, "mark": m, "colour": c} for k, (m, c) in STATUS_MARKS.items()],
        "goalColours": GOAL_COLOURS,
    }


def render(
    g: nx.DiGraph,
    settings: Settings | None = None,
    title: str = "Strategikopplingar",
    *,
    server: bool = False,
    lang: str = "sv",
    plan_label: str = "",
    lang_switch: str = "",
) -> str:
    """The alignment graph page as HTML text; ``server`` links nodes to this server's resource pages
    and adds the site's navigation; ``lang`` is the language of the page and of the labels shown."""
    settings = settings or Settings()
    lang = "en" if lang == "en" else "sv"
    payload = graph_payload(g, settings, server=server, lang=lang, plan_label=plan_label)
    script, style = vis_assets()
    env = Environment(
        loader=FileSystemLoader(str(settings.viz_path)),
        autoescape=select_autoescape(["html", "jinja"]),
    )
    return env.get_template(TEMPLATE).render(
        title=title if lang == "sv" else "Strategy alignment",
        payload=payload,
        plan_label=payload["planLabel"],
        server=server,
        lang=lang,
        lang_switch=lang_switch,
        gap_count=sum(1 for _, d in g.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "none"),
        goal_count=sum(1 for _, d in g.nodes(data=True) if d["kind"] == "goal"),
        action_count=sum(1 for _, d in g.nodes(data=True) if d["kind"] == "action"),
        period=g.graph.get("period"),
        period_label=g.graph.get("period_label", ""),
        status_marks=payload["statusMarks"],
        vis_script=script,
        vis_style=style,
    )


def write(
    g: nx.DiGraph, path: Path, settings: Settings | None = None, *, lang: str = "sv", plan_label: str = ""
) -> Path:
    page = render(g, settings, lang=lang, plan_label=plan_label)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the page: {exc.strerror}", path=path) from None
    return path
