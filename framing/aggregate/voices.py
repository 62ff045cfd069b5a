"""Who is quoted where, with which frames: outlet x actor and actor x frame shares, and networks.

All come from the tag stage's ``quotes`` and ``quote_frames`` tables, counted in DuckDB (a
corpus's quotes never sit in one list). An actor's share in an outlet is of all the outlet's
quotations, linked to an actor or not; a frame's share for an actor is of the actor's
quotations; both with Wilson intervals. Two actors are co-cited when one article quotes both;
an edge's weight is the number of such articles. In the actor-frame network (bipartite, the
Discourse Network Analyzer's actor x concept graph) an edge's weight is the number of the
actor's quotations that carry the frame. Networks are written as GraphML and GEXF (networkx),
which Gephi and visone open: one overall and one per outlet.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
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


# per outlet, actor and frame: the actor's quotations there, and those carrying the frame
ACTOR_FRAME_SQL = """
SELECT outlet, actor, frame, count(*) FILTER (WHERE present) AS quotes, count(*) AS actor_quotes
FROM quote_frames WHERE actor IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""


def outlet_actors(study: Study, level: float = 0.95) -> pd.DataFrame:
    """Per outlet and actor: quotations, the outlet's quotations, the actor's share with a Wilson interval."""
    table = study.query(OUTLET_ACTOR_SQL).df()
    low, high = wilson_interval(table["quotes"].to_numpy(), table["outlet_quotes"].to_numpy(), level)
    return table.assign(share=table["quotes"] / table["outlet_quotes"], ci_low=low, ci_high=high)


def actor_frames(study: Study, level: float = 0.95) -> pd.DataFrame:
    """Per actor and frame, over all outlets: the actor's quotations carrying the frame, the actor's
    quotations, and the share with a Wilson interval (a quotation may carry several frames or none)."""
    per_outlet = study.query(ACTOR_FRAME_SQL).df()
    table = (per_outlet.groupby(["actor", "frame"], as_index=False)[["quotes", "actor_quotes"]].sum()
             .sort_values(["actor", "quotes", "frame"], ascending=[True, False, True], ignore_index=True))
    low, high = wilson_interval(table["quotes"].to_numpy(), table["actor_quotes"].to_numpy(), level)
    return table.assign(share=table["quotes"] / table["actor_quotes"], ci_low=low, ci_high=high)


def actor_frame_networks(study: Study, actors: list[Actor], frames: dict[str, str]) -> dict[str, nx.Graph]:
    """The bipartite actor-frame network overall (key ``all``) and per outlet.

    Parameters
    ----------
    actors
        The codebook's actors, for the actor nodes' label, type and group.
    frames
        Frame id -> label, for the frame nodes.

    Returns
    -------
    dict of str to networkx.Graph
        Nodes carry ``bipartite`` (0 actors, 1 frames, as networkx's bipartite algorithms expect),
        ``kind``, ``label`` and ``quotes``; an edge's ``weight`` is the actor's quotations carrying
        the frame. Frames no linked quotation carries are left out.
    """
    rows = study.query(ACTOR_FRAME_SQL).df()
    graphs: dict[str, nx.Graph] = {}
    for outlet in [None, *sorted(rows["outlet"].unique())]:
        here = rows if outlet is None else rows[rows["outlet"] == outlet]
        graph = nx.Graph(name=f"actor-frame: {outlet or 'all outlets'}")
        # every frame's row counts the actor's quotations in the outlet: take one, then sum the outlets
        quoted = here.groupby(["outlet", "actor"])["actor_quotes"].max().groupby("actor").sum()
        for actor, n in quoted.items():
            graph.add_node(actor, bipartite=0, kind="actor", quotes=int(n), **_about(actor, actors))
        carried = here[here["quotes"] > 0]
        for frame, n in carried.groupby("frame")["quotes"].sum().items():
            graph.add_node(f"frame:{frame}", bipartite=1, kind="frame", label=frames.get(frame, frame),
                           type="frame", group="", quotes=int(n))
        for (actor, frame), weight in carried.groupby(["actor", "frame"])["quotes"].sum().items():
            graph.add_edge(actor, f"frame:{frame}", weight=int(weight))
        graphs["all" if outlet is None else outlet] = graph
    return graphs


def _about(actor: str, actors: list[Actor]) -> dict[str, str]:
    """An actor node's label, type and group from the codebook (an id it no longer lists keeps its id)."""
    about = next((a for a in actors if a.id == actor), None)
    return {"label": about.label if about else actor, "type": about.type if about else "",
            "group": (about.group or "") if about else ""}


def cocitation_networks(study: Study, actors: list[Actor]) -> dict[str, nx.Graph]:
    """The co-citation network overall (key ``all``) and per outlet; nodes carry the actors' label, type
    and group, and how many quotations each has there."""
    pairs = study.query(COCITATION_SQL).df()
    quoted = study.query("SELECT outlet, actor, count(*) AS quotes FROM quotes WHERE actor IS NOT NULL "
                         "GROUP BY ALL").df()
    graphs: dict[str, nx.Graph] = {}
    for outlet in [None, *sorted(quoted["outlet"].unique())]:
        here = quoted if outlet is None else quoted[quoted["outlet"] == outlet]
        edges = pairs if outlet is None else pairs[pairs["outlet"] == outlet]
        graph = nx.Graph(name=f"co-citation: {outlet or 'all outlets'}")
        for actor, n in here.groupby("actor")["quotes"].sum().items():
            graph.add_node(actor, quotes=int(n), **_about(actor, actors))
        for (source, target), weight in edges.groupby(["source", "target"])["articles"].sum().items():
            graph.add_edge(source, target, weight=int(weight))
        graphs["all" if outlet is None else outlet] = graph
    return graphs


def write_networks(graphs: dict[str, nx.Graph], folder: Path, kind: str = "cocitation") -> list[Path]:
    """Each network as ``<kind>-<name>.graphml`` and ``.gexf``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob(f"{kind}-*.graphml"), *folder.glob(f"{kind}-*.gexf")]:
        old.unlink()  # machine output: an outlet no longer in the study leaves no network behind
    written = []
    for name, graph in graphs.items():
        stem = folder / f"{kind}-{_slug(name)}"
        nx.write_graphml(graph, stem.with_suffix(".graphml"))
        nx.write_gexf(graph, stem.with_suffix(".gexf"))
        written += [stem.with_suffix(".graphml"), stem.with_suffix(".gexf")]
    return written


def _slug(name: str) -> str:
    """A file-name part for an outlet: its lower-case letters and digits, runs of anything else a hyphen.

    Letters of every script are kept (人民日报, süddeutsche-zeitung), so that outlets named in
    Chinese do not all become one file; an ASCII name gives what it always gave. Any other name
    with no letter or digit, or cut to 60 characters, ends in a hash of itself, to stay its own.

    Examples
    --------
    >>> _slug("The Meridian Daily"), _slug("人民日报"), _slug("财新 Caixin")
    ('the-meridian-daily', '人民日报', '财新-caixin')
    """
    if name.isascii():
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "outlet"
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", name).lower()).strip("-")
    if slug and len(slug) <= 60:
        return slug
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug[:60].rstrip('-') or 'outlet'}-{digest}"
