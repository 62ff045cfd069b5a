"""One function per chart: each returns the chart, exactly the numbers it shows, and a caption.

Captions are plain sentences a reporter can quote; they are computed from the same table the
chart draws, so chart, CSV and caption cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

WIDTH = 560


@dataclass
class Figure:
    name: str
    title: str
    chart: alt.TopLevelMixin
    data: pd.DataFrame
    caption: str


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# three ticks on a 180-pixel facet: five ran together ("80%100%")
SHARE_AXIS = alt.Axis(format="%", values=[0, 0.5, 1])


def _columns(panels: int) -> int:
    """Small multiples per row: 2 or 3, whichever leaves no empty panel (2 when neither does), so that
    no bare axis stands in an empty slot and two fit a phone's width."""
    return 3 if panels % 3 == 0 and panels % 2 else 2


def frame_share_by_outlet(prev: pd.DataFrame, labels: dict[str, str], level: float) -> Figure:
    """Share of each outlet's relevant articles that carry each frame, with intervals."""
    data = prev.assign(frame_label=prev["frame"].map(labels))
    base = alt.Chart(data).encode(y=alt.Y("frame_label:N", title=None, sort=list(labels.values())))
    bars = base.mark_bar().encode(
        color=alt.Color("frame_label:N", legend=None, sort=list(labels.values())),
        x=alt.X("share:Q", title="share of relevant articles", axis=SHARE_AXIS, scale=alt.Scale(domain=[0, 1])),
        tooltip=["outlet", "frame_label", alt.Tooltip("share:Q", format=".0%"), "with_frame", "articles",
                 alt.Tooltip("ci_low:Q", format=".0%"), alt.Tooltip("ci_high:Q", format=".0%")])
    rules = base.mark_rule(color="black", strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    chart = (bars + rules).properties(width=180, height=130).facet(
        facet=alt.Facet("outlet:N", title=None), columns=_columns(data["outlet"].nunique()))
    top = prev.loc[prev.groupby("outlet", observed=True)["share"].idxmax()]
    parts = [f"{r.outlet}: {labels[r.frame]} ({_pct(r.share)} of {r.articles} articles, "
             f"{int(level * 100)}% interval {_pct(r.ci_low)}–{_pct(r.ci_high)})" for r in top.itertuples()]
    caption = ("How often each outlet uses each frame. Bars show the share of an outlet's articles on the topic "
               "that carry the frame; black lines are " f"{int(level * 100)}% confidence intervals (Wilson). "
               "Each outlet's most frequent frame: " + "; ".join(parts) + ".")
    return Figure("frame_share_by_outlet", "Frame share by outlet", chart, data, caption)


def corrected_share_figure(table: pd.DataFrame, level: float) -> Figure:
    """Raw share (hollow) beside the share corrected for the machine's measured error (filled, interval)."""
    data = table.copy()
    order = list(dict.fromkeys(data["frame_label"]))
    base = alt.Chart(data).encode(y=alt.Y("frame_label:N", title=None, sort=order))
    tooltip = ["outlet", "frame_label", alt.Tooltip("raw_share:Q", format=".0%"),
               alt.Tooltip("corrected_share:Q", format=".0%"), alt.Tooltip("ci_low:Q", format=".0%"),
               alt.Tooltip("ci_high:Q", format=".0%"), "note"]
    axis = alt.X("raw_share:Q", title="share of relevant articles", axis=SHARE_AXIS, scale=alt.Scale(domain=[0, 1]))
    raw = base.mark_point(shape="circle", size=60, color="#777", filled=False).encode(x=axis, tooltip=tooltip)
    interval = base.mark_rule(color="#b33", strokeWidth=1.5).encode(x="ci_low:Q", x2="ci_high:Q")
    corrected = base.mark_point(shape="circle", size=60, color="#b33", filled=True, opacity=1).encode(
        x="corrected_share:Q", tooltip=tooltip)
    chart = (interval + raw + corrected).properties(width=180, height=130).facet(
        facet=alt.Facet("outlet:N", title=None), columns=_columns(data["outlet"].nunique()))
    defined = data.dropna(subset=["corrected_share"])
    moved = (defined["corrected_share"] - defined["raw_share"]).abs()
    largest = ""
    if len(defined):
        r = defined.loc[moved.idxmax()]
        largest = (f" The largest change: {r.frame_label} in {r.outlet}, {_pct(r.raw_share)} as labelled, "
                   f"{_pct(r.corrected_share)} corrected ({int(level * 100)}% interval "
                   f"{_pct(r.ci_low)}–{_pct(r.ci_high)}).")
    missing = len(data) - len(defined)
    caption = ("Frame shares corrected for the machine's measured mistakes. The machine misses some articles that "
               "carry a frame and wrongly flags some that do not; how often it does both was measured on articles "
               "that people coded. Hollow grey dots are the shares as the machine labelled them, red dots the "
               "shares estimated after undoing those mistakes (adjusted classify-and-count), with "
               f"{int(level * 100)}% bootstrap intervals in red.{largest}"
               + (f" {missing} share(s) could not be corrected (the CSV says why)." if missing else ""))
    return Figure("frame_share_corrected", "Frame share, corrected for the machine's error", chart, data, caption)


def residual_heatmap(cells: pd.DataFrame, labels: dict[str, str], sentence: str) -> Figure:
    """Outlet x dominant frame: adjusted standardized residuals of the chi-square test."""
    data = cells.assign(frame_label=cells["frame"].map(labels))
    limit = max(3.0, float(data["residual"].abs().max()))
    base = alt.Chart(data).encode(x=alt.X("frame_label:N", title="dominant frame", sort=list(labels.values())),
                                  y=alt.Y("outlet:N", title=None))
    heat = base.mark_rect().encode(
        color=alt.Color("residual:Q", title="residual", scale=alt.Scale(scheme="redblue", domain=[-limit, limit],
                                                                        reverse=True)),
        tooltip=["outlet", "frame_label", "observed", alt.Tooltip("expected:Q", format=".1f"),
                 alt.Tooltip("residual:Q", format=".1f")])
    text = base.mark_text(fontSize=11).encode(text="observed:Q")
    chart = (heat + text).properties(width=WIDTH, height=28 * data["outlet"].nunique())
    strong = data[data["residual"] > 1.96].sort_values("residual", ascending=False)
    over = "; ".join(f"{r.outlet} with {r.frame_label}" for r in strong.head(6).itertuples()) or "none"
    caption = ("Which outlets lead with which frame, compared with what chance would give. Numbers count articles "
               "by their dominant frame; red cells are more frequent than if all outlets framed alike (adjusted "
               f"residual above 1.96), blue cells less. Strongest over-representation: {over}. Test: {sentence}. "
               "Each article counts once here, under its dominant frame; the frame-share chart counts every frame "
               "an article carries, so an outlet can lead with one frame and still use another often.")
    return Figure("outlet_frame_heatmap", "Outlet × dominant frame", chart, data, caption)


def frames_over_time(prev_period: pd.DataFrame, labels: dict[str, str], period: str) -> Figure:
    """Share of articles carrying each frame per period, all outlets together."""
    totals = (prev_period.astype({"period": str, "frame": str})
              .groupby(["period", "frame"])[["with_frame", "articles"]].sum().reset_index())
    totals["share"] = totals["with_frame"] / totals["articles"]
    data = totals.assign(frame_label=totals["frame"].map(labels))
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("period:O", title=period), y=alt.Y("share:Q", title="share of articles", axis=alt.Axis(format="%")),
        color=alt.Color("frame_label:N", title="frame", sort=list(labels.values())),
        tooltip=["period", "frame_label", alt.Tooltip("share:Q", format=".0%"), "with_frame", "articles"],
    ).properties(width=WIDTH, height=260)
    per_period = data.groupby("period")["articles"].max()
    first, last = str(per_period.index.min()), str(per_period.index.max())
    caption = (f"Frames over time, all outlets together, by {period} ({first}–{last}). Each point is the share "
               f"of that {period}'s articles carrying the frame; {period}s with few articles "
               f"(fewest: {int(per_period.min())}) swing widely, so read single points with care.")
    return Figure("frames_over_time", "Frames over time", chart, data, caption)


def outlet_map_figure(coords: pd.DataFrame, distances: pd.DataFrame) -> Figure:
    """Outlets placed so that similar frame profiles sit close together."""
    placed = coords.assign(label_side=_label_sides(coords, WIDTH, MAP_HEIGHT))
    # padding keeps points and their names inside the frame; each name takes the first side of its
    # point (above, below, right, left) where it covers no name placed before it
    x = alt.X("x:Q", title=None, axis=None, scale=alt.Scale(padding=MAP_PADDING[0]))
    y = alt.Y("y:Q", title=None, axis=None, scale=alt.Scale(padding=MAP_PADDING[1]))
    chart = alt.Chart(placed).mark_circle(size=140).encode(x=x, y=y, tooltip=["outlet"])
    for side, (dx, dy, align) in LABEL_SIDES.items():
        chart += alt.Chart(placed).transform_filter(f"datum.label_side == '{side}'").mark_text(
            dx=dx, dy=dy, align=align, fontSize=12).encode(x=x, y=y, text="outlet:N")
    pairs = distances[distances["outlet_a"] < distances["outlet_b"]].sort_values("distance")
    closest, farthest = pairs.iloc[0], pairs.iloc[-1]
    caption = ("A map of outlets by how alike their framing is: the closer two outlets, the more similar the mix of "
               "frames they use (Jensen–Shannon distance between frame profiles, 0 = identical, 1 = nothing in "
               f"common, drawn in two dimensions). Most alike: {closest.outlet_a} and {closest.outlet_b} "
               f"({closest.distance:.2f}); least alike: {farthest.outlet_a} and {farthest.outlet_b} "
               f"({farthest.distance:.2f}).")
    return Figure("outlet_map", "Outlet map", chart.properties(width=WIDTH, height=MAP_HEIGHT), coords, caption)


MAP_HEIGHT = 360
MAP_PADDING = (70, 30)  # pixels inside the frame left free around the points, x and y
LABEL_SIDES = {"above": (0, -13, "center"), "below": (0, 17, "center"), "right": (10, 4, "left"),
               "left": (-10, 4, "right")}
CHAR_PX, LINE_PX = 6.8, 15  # a 12-pixel sans-serif name: width per character, height


def _label_sides(coords: pd.DataFrame, width: int, height: int) -> list[str]:
    """Per outlet, the side of its point its name is written on: the first, in LABEL_SIDES order,
    whose box overlaps no name or point placed before it (else above)."""
    def pixels(column: str, size: int, pad: int, flip: bool) -> pd.Series:
        low, high = float(coords[column].min()), float(coords[column].max())
        scaled = (coords[column] - low) / ((high - low) or 1.0)
        return pad + (1 - scaled if flip else scaled) * (size - 2 * pad)

    px, py = pixels("x", width, MAP_PADDING[0], False), pixels("y", height, MAP_PADDING[1], True)
    taken = [(x - 6, y - 6, x + 6, y + 6) for x, y in zip(px, py, strict=True)]  # the points themselves
    sides = []
    for i, name in enumerate(coords["outlet"].astype(str)):
        boxes = {side: _label_box(px.iloc[i], py.iloc[i], len(name) * CHAR_PX, dx, dy, align)
                 for side, (dx, dy, align) in LABEL_SIDES.items()}
        side = next((s for s, box in boxes.items() if not any(_overlap(box, t) for t in taken)), "above")
        taken.append(boxes[side])
        sides.append(side)
    return sides


def _label_box(x: float, y: float, width: float, dx: float, dy: float, align: str) -> tuple[float, ...]:
    left = x + dx - (width / 2 if align == "center" else width if align == "right" else 0)
    return left, y + dy - LINE_PX + 3, left + width, y + dy + 3


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def funnel_figure(funnel: pd.DataFrame) -> Figure:
    """From URL to article: what happened to every URL found, per outlet."""
    stages = {"articles": "articles on topic", "duplicates": "duplicates", "excluded": "not used (off-topic etc.)",
              "failed": "failed to fetch", "robots_disallowed": "robots.txt disallowed"}
    data = funnel.melt(id_vars="outlet", value_vars=list(stages), var_name="stage", value_name="urls")
    data["stage"] = data["stage"].map(stages)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("outlet:N", title=None), x=alt.X("urls:Q", title="URLs"),
        color=alt.Color("stage:N", sort=list(stages.values()), title=None), order=alt.Order("stage:N"),
        tooltip=["outlet", "stage", "urls"],
    ).properties(width=WIDTH, height=28 * funnel["outlet"].nunique())
    total = int(funnel["discovered"].sum())
    used = int(funnel["articles"].sum())
    caption = (f"Coverage: of {total} URLs discovered, {used} became articles on the topic. The rest were "
               f"duplicates ({int(funnel['duplicates'].sum())}), pages that were not usable articles "
               f"({int(funnel['excluded'].sum())}, e.g. off-topic or too short), failed fetches "
               f"({int(funnel['failed'].sum())}) or disallowed by the site's robots.txt "
               f"({int(funnel['robots_disallowed'].sum())}).")
    return Figure("coverage_funnel", "Coverage funnel", chart, data, caption)
