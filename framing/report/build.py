"""Build ``report/``: index.html (self-contained, offline), and per chart PNG, SVG, CSV, spec."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import vl_convert as vlc
from markupsafe import Markup

from framing import __version__
from framing.aggregate.queries import story_key
from framing.errors import FramingError
from framing.formatting import DASH, fmt_score, is_missing
from framing.report.charts import (
    Figure,
    corrected_share_figure,
    frame_share_by_outlet,
    frames_over_time,
    funnel_figure,
    outlet_map_figure,
    residual_heatmap,
)
from framing.report.examples import example_sentences
from framing.report.validation import corrected_table, load_validation, model_description
from framing.report.voices import (
    actor_frame_network_figure,
    actor_frames_figure,
    distinctive_words_figure,
    quotes_behind,
    who_speaks_figure,
)
from framing.study.config import Pipeline, study_codebook
from framing.study.store import Study
from framing.study.tables import ARTICLES

TEMPLATES = Path(__file__).parent / "templates"


def script_json(value: Any) -> Markup:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end it or start markup."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def build_report(spec: Pipeline, study: Study, progress: Callable[[str, int, int | None], None]) -> dict[str, Any]:
    """Write the report folder from the aggregate tables; return what was written."""
    if not study.has_table("prevalence_by_outlet"):
        raise FramingError("nothing to report yet: run the aggregate stage first")
    out = study.workdir / "report"
    out.mkdir(exist_ok=True)
    codebook = study_codebook(spec)
    labels = {f.id: f.label for f in codebook.frames}
    frame_figures = make_figures(spec, study, labels)
    voices = voice_figures(spec, study, labels, codebook)
    figures = frame_figures + voices
    for done, figure in enumerate(figures, 1):
        write_figure(out, figure)
        progress("report", done, len(figures) + 1)
    manifest = study.read_manifest()
    validation = load_validation(spec, study, labels)
    if validation is not None:
        validation.table.to_csv(out / "validation.csv", index=False)
    else:  # a table left from an earlier build would contradict the page
        (out / "validation.csv").unlink(missing_ok=True)
    corrected = next((f for f in figures if f.name == "frame_share_corrected"), None)
    quoted, every_quote = quotes_behind(study, QUOTES_PER_ACTOR) if voices else ({}, None)
    if every_quote is not None:
        every_quote.to_csv(out / "quotes.csv", index=False)
    else:
        (out / "quotes.csv").unlink(missing_ok=True)
    html = _env().get_template("report.html").render(
        title=spec.report.title or spec.title, figures=frame_figures, voices=voices,
        quoted=quoted, quotes_per_actor=QUOTES_PER_ACTOR,
        actor_labels={a.id: a.label for a in codebook.actors}, labels=labels, codebook=codebook,
        examples=(examples := example_sentences(study, spec.report.examples_per_outlet)),
        loopback_links=any(_loopback(ex.url) for by_outlet in examples.values() for items in by_outlet.values()
                           for ex in items),
        examples_per_outlet=spec.report.examples_per_outlet,
        specs={f.name: script_json(f.chart.to_dict()) for f in figures},
        methods=methods(spec, study, manifest, codebook), validation=validation, corrected=corrected,
        tagging=model_description(spec), threshold=spec.evaluate.alpha_threshold,
        correction_note=manifest.get("stages", {}).get("aggregate", {}).get("counts", {}).get("corrected_prevalence"),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), version=__version__,
        vega_bundle=Markup(vlc.javascript_bundle().replace("</script", "<\\/script")),
    )
    (out / "index.html").write_text(html, encoding="utf-8")
    progress("report", len(figures) + 1, len(figures) + 1)
    return {"charts": len(figures), "report": str(out / "index.html")}


def make_figures(spec: Pipeline, study: Study, labels: dict[str, str]) -> list[Figure]:
    by_outlet = study.read_frame("prevalence_by_outlet")
    keep = by_outlet.groupby("outlet", observed=True)["articles"].max()
    keep = set(keep[keep >= spec.report.min_articles].index)
    by_outlet = by_outlet[by_outlet["outlet"].isin(keep)]
    figures = [frame_share_by_outlet(by_outlet, labels, spec.aggregate.level)]
    corrected = corrected_table(study, labels, keep)
    if corrected is not None and len(corrected):
        figures.append(corrected_share_figure(corrected, spec.aggregate.level))
    summary = study.read_manifest().get("stages", {}).get("aggregate", {}).get("counts", {})
    if study.has_table("association_cells"):
        cells = study.read_frame("association_cells")
        figures.append(residual_heatmap(cells[cells["outlet"].isin(keep)], labels, summary.get("association", "")))
    by_period = study.read_frame("prevalence_by_period")
    figures.append(frames_over_time(by_period, labels, spec.aggregate.period))
    distances = study.read_frame("outlet_distances")
    if distances["outlet_a"].nunique() >= 2:
        figures.append(outlet_map_figure(study.read_frame("outlet_map"), distances))
    if study.has_table("distinctive_words") and len(words := study.read_frame("distinctive_words")):
        figures.append(distinctive_words_figure(words[words["outlet"].isin(keep)]))
    if len(funnel := study.read_frame("funnel")):  # none when the articles were not crawled (imported tables)
        figures.append(funnel_figure(funnel))
    return figures


QUOTES_PER_ACTOR = 12  # quotations listed under each actor in the page; quotes.csv holds them all


def voice_figures(spec: Pipeline, study: Study, labels: dict[str, str], codebook: Any) -> list[Figure]:
    """The "Who speaks" figures, when the study has quotations linked to actors (none otherwise)."""
    if not study.has_table("outlet_actors") or not len(table := study.read_frame("outlet_actors")):
        return []
    actor_labels = {a.id: a.label for a in codebook.actors}
    figures = [who_speaks_figure(table, actor_labels, spec.aggregate.level)]
    if study.has_table("actor_frames") and len(frames := study.read_frame("actor_frames")):
        figures.append(actor_frames_figure(frames, actor_labels, labels))
        network = actor_frame_network_figure(frames, actor_labels, labels)
        if network is not None:
            figures.append(network)
    return figures


# characters XML 1.0 forbids: vl-convert renders SVG, and one of these in a label (a scraped outlet
# name with a vertical tab or U+FFFF) aborts the whole process instead of raising
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: Any) -> Any:
    """A chart spec with every string's XML-forbidden characters replaced by U+FFFD."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, dict):
        return {xml_safe(k): xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value


def write_figure(out: Path, figure: Figure) -> None:
    spec = xml_safe(figure.chart.to_dict())
    figure.data.to_csv(out / f"{figure.name}.csv", index=False)
    (out / f"{figure.name}.vl.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    (out / f"{figure.name}.svg").write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    (out / f"{figure.name}.png").write_bytes(vlc.vegalite_to_png(spec, scale=2))


def methods(spec: Pipeline, study: Study, manifest: dict[str, Any], codebook: Any) -> dict[str, Any]:
    stages = manifest.get("stages", {})
    dates = study.query("SELECT min(published), max(published), count(*) FROM articles WHERE status = 'ok'").fetchone()
    counts = dict(study.query("SELECT status, count(*) FROM articles GROUP BY status ORDER BY 2 DESC").fetchall())
    near = "count(near_duplicate_of)" if "near_duplicate_of" in study.columns("articles") else "0"
    stories = study.query(f"SELECT count(*), coalesce(sum(n), 0), coalesce(sum(near), 0) FROM (SELECT count(*) AS n, "
                          f"{near} AS near FROM articles WHERE status IN {ARTICLES} "
                          f"GROUP BY {story_key(study)} HAVING count(*) > 1)").fetchone()
    return {
        "sources": [{"kind": s.kind, "location": s.location, "outlet": s.outlet or "(host name)"}
                    for s in spec.sources],
        "first": dates[0], "last": dates[1], "articles": dates[2], "statuses": counts,
        "filter": spec.filter.model_dump(mode="json"), "codebook": codebook, "min_hits": spec.tag.min_hits,
        "duplicates": spec.aggregate.duplicates, "level": spec.aggregate.level,
        "syndicated": {"stories": stories[0], "copies": stories[1], "near": stories[2],
                       "threshold": spec.extract.near_duplicates, "shingle_words": spec.extract.shingle_words},
        "association": stages.get("aggregate", {}).get("counts", {}).get("association"),
        "packages": manifest.get("packages", {}), "python": manifest.get("python"),
        "finished": {k: v.get("finished") for k, v in stages.items()},
        "collect": spec.collect.model_dump(mode="json"),
    }


def _loopback(url: str) -> bool:
    """A link to this machine (the demo's sites), dead once the server that served it stops."""
    host = (urlsplit(str(url)).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def web_link(url: object) -> str | None:
    """The URL if it is an http(s) link, else None: scraped URLs are untrusted, and a
    ``javascript:`` or ``data:`` link in the report would run in the reader's browser.

    Examples
    --------
    >>> web_link("https://example.org/a"), web_link("javascript:alert(1)"), web_link(" JaVaScRiPt:x")
    ('https://example.org/a', None, None)
    """
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_score
    env.filters["web_link"] = web_link
    env.filters["pct"] = lambda x: DASH if is_missing(x) else f"{100 * x:.0f}%"
    return env
