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
MAX_LABEL = 60

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
                "actions": data.get("actions", 0),
            }
            if "done" in data:
                extra["done"] = data["done"]
        elif kind == "action":
            extra = {"priority": data["priority"], "themes": data["themes"], "involves": data["involves"]}
            if "status" in data:
                mark, colour = STATUS_MARKS.get(data["status"], STATUS_MARKS[""])
                extra["status"] = data["status"]
                style["color"] = {"background": "#d6eaf8", "border": colour}
                style["borderWidth"] = 3
                if not data["status"]:
                    style["shapeProperties"] = {"borderDashes": [4, 3]}
                label = f"{mark} {data['label']}"
        elif kind == "strategy":
            extra = {"complete": data["complete"]}
        net.add_node(
            node,
            label=_short(label),
            kind=kind,
            full_label=data["label"],
            label_en=data.get("label_en", ""),
            x=places[node][0],
            y=places[node][1],
            **style,
            **extra,
        )
    for source, target, data in sorted(g.edges(data=True)):
        dashes = data["relation"] in ("broader", "in", "theme")
        net.add_edge(source, target, relation=data["relation"], dashes=dashes, arrows="to")
    return net


def render(
    g: nx.DiGraph, settings: Settings | None = None, title: str = "Strategikopplingar", *, server: bool = False
) -> str:
    """The alignment graph page as HTML text; ``server`` links nodes to this server's resource pages."""
    settings = settings or Settings()
    net = to_pyvis(g)
    nodes, edges, *_ = net.get_network_data()
    script, style = vis_assets()
    env = Environment(
        loader=FileSystemLoader(str(settings.viz_path)),
        autoescape=select_autoescape(["html", "jinja"]),
    )
    coverage = coverage_by_strategy(g)
    involved_labels: dict[str, str] = g.graph.get("involved_labels", {})
    strategies = [
        {
            "iri": n,
            "label": d["label"],
            "complete": d["complete"],
            "goals": coverage[n].goals if n in coverage else 0,
            "covered": coverage[n].covered if n in coverage else 0,
        }
        for n, d in sorted(g.nodes(data=True), key=lambda nd: nd[1]["label"])
        if d["kind"] == "strategy"
    ]
    priorities = [
        {"iri": n, "label": d["label"]}
        for n, d in sorted(g.nodes(data=True), key=lambda nd: (nd[1].get("notation", ""), nd[0]))
        if d["kind"] == "priority"
    ]
    themes = [
        {"iri": n, "label": d["label"]}
        for n, d in sorted(g.nodes(data=True), key=lambda nd: nd[1]["label"])
        if d["kind"] == "theme"
    ]
    involved = sorted({i for _, d in g.nodes(data=True) if d["kind"] == "action" for i in d["involves"]})
    networks = [{"iri": i, "label": involved_labels.get(i, i.rsplit("/", 1)[-1])} for i in involved]
    return env.get_template(TEMPLATE).render(
        title=title,
        plan=g.graph.get("plan", ""),
        data={"nodes": nodes, "edges": edges},
        strategies=strategies,
        priorities=priorities,
        themes=themes,
        networks=sorted(networks, key=lambda n: n["label"]),
        server=server,
        base_iri=settings.base_iri,
        gap_count=sum(1 for _, d in g.nodes(data=True) if d["kind"] == "goal" and d["coverage"] == "none"),
        period=g.graph.get("period"),
        period_label=g.graph.get("period_label", ""),
        status_marks=[{"status": k, "mark": m, "colour": c} for k, (m, c) in STATUS_MARKS.items()],
        vis_script=script,
        vis_style=style,
    )


def write(g: nx.DiGraph, path: Path, settings: Settings | None = None) -> Path:
    page = render(g, settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the page: {exc.strerror}", path=path) from None
    return path
