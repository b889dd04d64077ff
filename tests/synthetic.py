"""A generated alignment view of national size (about 4,300 nodes), for the browser tests and benchmarks.

Built as :func:`strategylinks.network.alignment_graph` builds one (the same node kinds, data and
relations, coverage marked by the same code), with goal trees three levels deep, half of the
strategies' catalogues incomplete, actions under four priorities with themes and networks.
"""

from __future__ import annotations

import random

import networkx as nx

from strategylinks.network import _mark_coverage

EX = "https://example.org/id/"


def big_view(strategies: int = 40, goals: int = 90, actions: int = 300, seed: int = 7) -> nx.DiGraph:
    rng = random.Random(seed)
    networks = [f"{EX}natverk/{i}" for i in range(10)]
    g = nx.DiGraph(
        plan=f"{EX}plan/stor",
        involved_labels={
            n: {"label": f"Nätverk {i}", "label_en": f"Network {i}", "label_lang": "sv"} for i, n in enumerate(networks)
        },
    )
    priorities = [f"{EX}plan/stor/prioritering-{p}" for p in range(1, 5)]
    for p, iri in enumerate(priorities, 1):
        g.add_node(
            iri, kind="priority", label=f"Prioritering {p}", label_en=f"Priority {p}", label_lang="sv", notation=str(p)
        )
    themes = [f"{EX}tema/{t}" for t in range(20)]
    for t, iri in enumerate(themes):
        g.add_node(iri, kind="theme", label=f"tema {t}", label_en="", label_lang="sv")
    all_goals: list[str] = []
    for s in range(strategies):
        strategy = f"{EX}strategi/s{s}"
        g.add_node(
            strategy,
            kind="strategy",
            label=f"Strategi {s}",
            label_en=f"Strategy {s}" if s % 4 else "",
            label_lang="sv",
            complete=s % 2 == 0,
        )
        tops: list[str] = []
        areas: list[str] = []
        for k in range(goals):
            goal = f"{strategy}/mal-{k}"
            level = "Prioritering" if k < 3 else ("Insatsområde" if k < 12 else "Mål")
            g.add_node(
                goal,
                kind="goal",
                label=f"Mål {s}.{k} om hållbar utveckling i regionen",
                label_en=f"Goal {s}.{k} on sustainable development" if k % 2 else "",
                label_lang="sv",
                strategy=strategy,
                level=level,
                level_en={"Prioritering": "Priority", "Insatsområde": "Action area", "Mål": "Objective"}[level],
                notation=f"{s}.{k}",
            )
            if k < 3:
                tops.append(goal)
                g.add_edge(goal, strategy, relation="in")
            elif k < 12:
                areas.append(goal)
                g.add_edge(goal, tops[k % 3], relation="broader")
            else:
                g.add_edge(goal, areas[k % len(areas)], relation="broader")
            all_goals.append(goal)
    for a in range(actions):
        action, effect = f"{EX}plan/stor/insats-{a}", f"{EX}plan/stor/effekt-{a}"
        priority = priorities[a % len(priorities)]
        chosen_themes = sorted(rng.sample(themes, 2))
        g.add_node(
            action,
            kind="action",
            label=f"Insats {a}: samverkan i europeiska nätverk",
            label_en="",
            label_lang="sv",
            priority=priority,
            themes=chosen_themes,
            involves=[networks[a % len(networks)]],
            row=str(a + 1),
        )
        g.add_node(effect, kind="effect", label=f"ökad kunskap {a}", label_en="", label_lang="sv", row=str(a + 1))
        g.add_edge(priority, action, relation="groups")
        g.add_edge(action, effect, relation="has_effect")
        for theme in chosen_themes:
            g.add_edge(action, theme, relation="theme")
        for goal in rng.sample(all_goals, 3):
            g.add_edge(effect, goal, relation="serves")
    _mark_coverage(g)
    return g
