"""Who is quoted where: outlet x actor shares, and networks of actors quoted together.

Both come from the tag stage's ``quotes`` table, counted in DuckDB (a corpus's quotes never sit
in one list). An actor's share in an outlet is of all the outlet's quotations, linked to an
actor or not, with a Wilson interval. Two actors are co-cited when one article quotes both;
an edge's weight is the number of such articles. Networks are written as GraphML and GEXF
(networkx), which Gephi and visone open: one overall and one per outlet.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pandas as pd

from framing.aggregate.statistics import wilson_interval
from framing.study.codebook import Actor
from framing.study.store import Study

OUTLET_ACTOR_SQL = """
SELECT q.outlet, q.actor, count(*) AS quotes, any_value(t.n) AS outlet_quotes
FROM quotes q JOIN (SELECT outlet, count(*) AS n FROM quotes GROUP BY outlet) t USING (outlet)
WHERE q.actor IS NOT NULL
GROUP BY q.outlet, q.actor
ORDER BY q.outlet, quotes DESC, q.actor
"""

# pairs of actors quoted in one article, counted by article, per outlet
COCITATION_SQL = """
WITH voices AS (SELECT DISTINCT article_id, outlet, actor FROM quotes WHERE actor IS NOT NULL)
SELECT a.outlet, a.actor AS source, b.actor AS target, count(*) AS articles
FROM voices a JOIN voices b ON a.article_id = b.article_id AND a.actor < b.actor
GROUP BY ALL ORDER BY ALL
"""


def outlet_actors(study: Study, level: float = 0.95) -> pd.DataFrame:
    """Per outlet and actor: quotations, the outlet's quotations, the actor's share with a Wilson interval."""
    table = study.query(OUTLET_ACTOR_SQL).df()
    low, high = wilson_interval(table["quotes"].to_numpy(), table["outlet_quotes"].to_numpy(), level)
    return table.assign(share=table["quotes"] / table["outlet_quotes"], ci_low=low, ci_high=high)


def cocitation_networks(study: Study, actors: list[Actor]) -> dict[str, nx.Graph]:
    """The co-citation network overall (key ``all``) and per outlet; nodes carry the actors' label, type
    and group, and how many quotations each has there."""
    pairs = study.query(COCITATION_SQL).df()
    quoted = study.query("SELECT outlet, actor, count(*) AS quotes FROM quotes WHERE actor IS NOT NULL "
                         "GROUP BY ALL").df()
    known = {a.id: a for a in actors}
    graphs: dict[str, nx.Graph] = {}
    for outlet in [None, *sorted(quoted["outlet"].unique())]:
        here = quoted if outlet is None else quoted[quoted["outlet"] == outlet]
        edges = pairs if outlet is None else pairs[pairs["outlet"] == outlet]
        graph = nx.Graph(name=f"co-citation: {outlet or 'all outlets'}")
        for actor, n in here.groupby("actor")["quotes"].sum().items():
            about = known.get(actor)
            graph.add_node(actor, label=about.label if about else actor, type=about.type if about else "",
                           group=about.group if about else "", quotes=int(n))
        for (source, target), weight in edges.groupby(["source", "target"])["articles"].sum().items():
            graph.add_edge(source, target, weight=int(weight))
        graphs["all" if outlet is None else outlet] = graph
    return graphs


def write_networks(graphs: dict[str, nx.Graph], folder: Path) -> list[Path]:
    """Each network as ``<name>.graphml`` and ``<name>.gexf``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, graph in graphs.items():
        stem = folder / f"cocitation-{_slug(name)}"
        nx.write_graphml(graph, stem.with_suffix(".graphml"))
        nx.write_gexf(graph, stem.with_suffix(".gexf"))
        written += [stem.with_suffix(".graphml"), stem.with_suffix(".gexf")]
    return written


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "outlet"
