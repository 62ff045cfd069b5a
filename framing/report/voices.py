"""The report's "Who speaks" figures and the words that set outlets apart.

Like :mod:`framing.report.charts`, each function returns the chart, exactly the numbers it
draws, and a caption computed from them. The quotes behind every count are listed by
:func:`quotes_behind`, linked to their articles.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import networkx as nx
import pandas as pd

from framing.report.charts import WIDTH, Figure, _columns, _pct
from framing.study.store import Study

TOP_ACTORS = 6      # most-quoted actors shown per outlet
TOP_WORDS = 10      # distinctive words shown per outlet
MAP_ACTORS = 15     # actors in the actor x frame figures (the most quoted)


def who_speaks_figure(table: pd.DataFrame, actor_labels: dict[str, str], level: float) -> Figure:
    """Per outlet, its most-quoted actors: each one's share of the outlet's quotations, with intervals."""
    top = (table.sort_values(["outlet", "quotes", "actor"], ascending=[True, False, True])
           .groupby("outlet", observed=True).head(TOP_ACTORS))
    data = top.assign(actor_label=top["actor"].map(lambda a: actor_labels.get(a, a)))
    base = alt.Chart(data).encode(y=alt.Y("actor_label:N", title=None, sort="-x"))
    bars = base.mark_bar(color="#4c78a8").encode(
        x=alt.X("share:Q", title="share of the outlet's quotations", axis=alt.Axis(format="%")),
        tooltip=["outlet", "actor_label", "quotes", "outlet_quotes", alt.Tooltip("share:Q", format=".0%"),
                 alt.Tooltip("ci_low:Q", format=".0%"), alt.Tooltip("ci_high:Q", format=".0%")])
    rules = base.mark_rule(color="black", strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    chart = (bars + rules).properties(width=180, height=22 * TOP_ACTORS).facet(
        facet=alt.Facet("outlet:N", title=None), columns=_columns(data["outlet"].nunique())
    ).resolve_scale(y="independent")
    first = data.sort_values(["outlet", "quotes"], ascending=[True, False]).groupby("outlet", observed=True).head(1)
    parts = [f"{r.outlet}: {r.actor_label} ({r.quotes} of {r.outlet_quotes} quotations, {_pct(r.share)})"
             for r in first.itertuples()]
    caption = ("Who gets to speak: the actors of the codebook each outlet quotes most, as a share of all the "
               f"outlet's quotations (direct and reported; black lines are {int(level * 100)}% Wilson intervals). "
               "Quotations whose speaker is not one of the codebook's actors count in the total but get no bar. "
               "Most quoted: " + "; ".join(parts) + ".")
    return Figure("who_speaks", "Who speaks: most-quoted actors by outlet", chart, data, caption)


def actor_frames_figure(table: pd.DataFrame, actor_labels: dict[str, str], frame_labels: dict[str, str]) -> Figure:
    """Actor x frame: the share of each actor's quotations that carry each frame."""
    quoted = table.groupby("actor")["actor_quotes"].max().sort_values(ascending=False, kind="stable")
    keep = list(quoted.head(MAP_ACTORS).index)
    data = table[table["actor"].isin(keep)].assign(
        actor_label=lambda t: t["actor"].map(lambda a: f"{actor_labels.get(a, a)} ({quoted[a]})"),
        frame_label=lambda t: t["frame"].map(frame_labels))
    order = [f"{actor_labels.get(a, a)} ({quoted[a]})" for a in keep]
    base = alt.Chart(data).encode(x=alt.X("frame_label:N", title=None, sort=list(frame_labels.values())),
                                  y=alt.Y("actor_label:N", title=None, sort=order))
    heat = base.mark_rect().encode(
        color=alt.Color("share:Q", title="share of quotations", scale=alt.Scale(scheme="blues", domain=[0, 1]),
                        legend=alt.Legend(format="%")),
        tooltip=["actor_label", "frame_label", "quotes", "actor_quotes", alt.Tooltip("share:Q", format=".0%"),
                 alt.Tooltip("ci_low:Q", format=".0%"), alt.Tooltip("ci_high:Q", format=".0%")])
    text = base.mark_text(fontSize=11).encode(text=alt.condition("datum.quotes > 0", "quotes:Q", alt.value("")))
    chart = (heat + text).properties(width=WIDTH, height=24 * len(keep))
    carried = data[data["quotes"] > 0].sort_values(["quotes", "share"], ascending=False)
    strongest = "; ".join(f"{r.actor_label.rsplit(' (', 1)[0]}: {r.frame_label} in {r.quotes} of {r.actor_quotes}"
                          for r in carried.head(5).itertuples()) or "no quotation carries a frame"
    caption = ("Which frames each actor's words carry: for the most-quoted actors (quotations in brackets), the "
               "number of their quotations in which the frame's patterns match (or, with a classifier, which it "
               "labels), shaded by the share of the actor's quotations. A quotation can carry several frames or "
               f"none. Strongest: {strongest}.")
    return Figure("actor_frames", "Frames in each actor's quotations", chart, data, caption)


def actor_frame_network_figure(table: pd.DataFrame, actor_labels: dict[str, str],
                               frame_labels: dict[str, str]) -> Figure | None:
    """The bipartite actor-frame network, actors left, frames right, edges as wide as their quotations."""
    edges = table[table["quotes"] > 0]
    if edges.empty:
        return None
    graph = nx.Graph()
    for row in edges.itertuples():
        graph.add_edge(("actor", row.actor), ("frame", row.frame), weight=int(row.quotes))
    actors = sorted({n for n in graph if n[0] == "actor"}, key=lambda n: actor_labels.get(n[1], n[1]))
    frames = [("frame", f) for f in frame_labels if ("frame", f) in graph]
    position = {**{n: (0.0, i / max(1, len(actors) - 1)) for i, n in enumerate(actors)},
                **{n: (1.0, i / max(1, len(frames) - 1)) for i, n in enumerate(frames)}}  # two columns, in order
    lines = pd.DataFrame([{"actor": a[1], "frame": f[1], "quotes": w, "x": position[a][0], "y": position[a][1],
                           "x2": position[f][0], "y2": position[f][1]}
                          for a, f, w in ((*sorted((u, v)), d["weight"]) for u, v, d in graph.edges(data=True))])
    nodes = pd.DataFrame([{"kind": kind, "id": key, "x": x, "y": y,
                           "label": actor_labels.get(key, key) if kind == "actor" else frame_labels[key],
                           "quotes": sum(d["weight"] for *_, d in graph.edges((kind, key), data=True))}
                          for (kind, key), (x, y) in position.items()])
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.6, 1.6]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[1.05, -0.05]))
    links = alt.Chart(lines).mark_rule(color="#4c78a8", opacity=0.5).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q", strokeWidth=alt.StrokeWidth("quotes:Q", legend=None,
                                                                    scale=alt.Scale(range=[1, 8])),
        tooltip=["actor", "frame", "quotes"])
    dots = alt.Chart(nodes).mark_circle(size=90).encode(
        x=x, y=y, color=alt.Color("kind:N", legend=None, scale=alt.Scale(range=["#4c78a8", "#b33"])),
        tooltip=["label", "quotes"])
    names = [alt.Chart(nodes[nodes["kind"] == kind]).mark_text(dx=dx, align=align, fontSize=11).encode(
        x=x, y=y, text="label:N") for kind, dx, align in (("actor", -9, "right"), ("frame", 9, "left"))]
    chart = alt.layer(links, dots, *names).properties(width=WIDTH, height=max(200, 22 * len(actors)))
    widest = lines.sort_values("quotes", ascending=False).iloc[0]
    caption = ("The actor-frame network (the Discourse Network Analyzer's actor x concept graph): a line joins an "
               "actor (left) and a frame (right) when the actor's quotations carry it, as wide as the number of "
               f"such quotations. Widest: {actor_labels.get(widest.actor, widest.actor)} with "
               f"{frame_labels[widest.frame]} ({widest.quotes}). GraphML and GEXF files for Gephi and visone, "
               "overall and per outlet, are in the study's networks/ folder.")
    return Figure("actor_frame_network", "Actor-frame network", chart, lines, caption)


def distinctive_words_figure(words: pd.DataFrame) -> Figure:
    """Per outlet, the words it uses more than the other outlets of its language (z-scores of log-odds)."""
    data = words[words["rank"] <= TOP_WORDS].copy()
    chart = alt.Chart(data).mark_bar(color="#6f4e7c").encode(
        x=alt.X("z:Q", title="z-score (log-odds with a prior)"),
        y=alt.Y("word:N", title=None, sort="-x"),
        tooltip=["outlet", "word", "count", "count_rest", alt.Tooltip("log_odds:Q", format=".2f"),
                 alt.Tooltip("z:Q", format=".1f"), "language"],
    ).properties(width=180, height=16 * TOP_WORDS).facet(
        facet=alt.Facet("outlet:N", title=None), columns=_columns(data["outlet"].nunique())
    ).resolve_scale(y="independent")
    parts = [f"{outlet}: {', '.join(part.sort_values('rank')['word'].head(3))}"
             for outlet, part in data.groupby("outlet", observed=True)]
    caption = ("Words that set outlets apart: the words each outlet uses more often than the other outlets of its "
               "language, ranked by the z-score of their log-odds ratio with an informative Dirichlet prior "
               "(Monroe, Colaresi & Quinn 2008), which keeps rare words from topping the list. "
               "Top three: " + "; ".join(parts) + ".")
    return Figure("distinctive_words", "Words that set outlets apart", chart, data, caption)


@dataclass
class QuoteExample:
    outlet: str
    text: str
    speaker: str
    url: str
    title: str
    published: str | None


QUOTES_SQL = """
SELECT q.actor, q.outlet, q.text, coalesce(q.resolved, q.speaker, '') AS speaker, a.url,
       coalesce(a.title, a.url) AS title, CAST(a.published AS VARCHAR) AS published,
       row_number() OVER (PARTITION BY q.actor ORDER BY q.outlet, a.published, q.article_id, q.quote) AS k
FROM quotes q JOIN articles a USING (article_id)
WHERE q.actor IS NOT NULL AND q.text IS NOT NULL  -- a study rehydrated without a page's text keeps its counts only
ORDER BY q.actor, k
"""


def quotes_behind(study: Study, per_actor: int) -> tuple[dict[str, list[QuoteExample]], pd.DataFrame]:
    """Per actor, up to ``per_actor`` of its quotations with their articles, and every linked quotation
    as a table (the report's ``quotes.csv``)."""
    table = study.query(QUOTES_SQL).df()
    shown: dict[str, list[QuoteExample]] = {}
    for row in table[table["k"] <= per_actor].itertuples():
        shown.setdefault(row.actor, []).append(
            QuoteExample(row.outlet, row.text, row.speaker, row.url, row.title, row.published))
    return shown, table.drop(columns="k")

