"""Shared fixtures: loopback news sites started by the tests themselves, and study files."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml

from framing.demo.server import Response, Route, SiteServer
from framing.study.config import Pipeline, load_pipeline
from framing.study.store import Study
from framing.study.tables import ARTICLE_SCHEMA

LOREM_EN = (
    "The social credit system was discussed again this week by officials and researchers in Beijing. "
    "Local pilots differ widely, and companies worry about blacklists that follow unpaid debts. "
    "Critics describe the databases as instruments of control, while supporters point to fraud. "
)


def article_html(title: str, paragraphs: list[str], date: str = "2019-05-04", lang: str = "en",
                 site: str = "Test Gazette", author: str = "Ann Example", charset: str = "utf-8",
                 extra_head: str = "") -> str:
    """A realistic small article page (navigation, article, comments, footer)."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>{html.escape(title)} | '
        f'{site}</title><meta name="author" content="{author}">'
        f'<meta property="article:published_time" content="{date}T08:00:00Z">{extra_head}</head><body>'
        f'<nav><a href="/">Home</a> <a href="/about">About</a></nav><main><article><h1>{html.escape(title)}</h1>'
        f"{body}</article></main><section class='comments'><p>A reader: nice</p></section>"
        f"<footer>&copy; {site}</footer></body></html>"
    )


def long_text(seed: str, sentences: int = 8) -> list[str]:
    """Distinct paragraphs (extractors drop repeated ones) that mention the topic."""
    count = max(2, sentences // 3)
    return [f"{seed} {LOREM_EN} This is paragraph {n} of the report on {seed.lower()}." for n in range(1, count + 1)]


@pytest.fixture
def serve() -> Iterator[Callable[..., SiteServer]]:
    """Start a SiteServer on 127.0.0.1 with a free port; stopped after the test."""
    servers: list[SiteServer] = []

    def start(routes: dict[str, Route] | None = None, address: str = "127.0.0.1",
              compression: tuple[str, ...] = ()) -> SiteServer:
        server = SiteServer(address, 0, routes or {}, compression=compression).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def write_pipeline(tmp_path: Path) -> Callable[..., Pipeline]:
    """Write a study YAML in tmp_path and load it; keyword arguments become top-level keys."""

    def write(sources: list[dict], name: str = "study.yml", **sections: object) -> Pipeline:
        spec = {"title": "test study", "workdir": "study", "sources": sources,
                "collect": {"per_host_delay_s": 0.05, "backoff_s": 0.05, "timeout_s": 5}, **sections}
        if "collect" in sections:
            spec["collect"] = {"per_host_delay_s": 0.05, "backoff_s": 0.05, "timeout_s": 5, **sections["collect"]}
        path = tmp_path / name
        path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        return load_pipeline(path)

    return write


def page(title: str, paragraphs: list[str] | None = None, **kwargs: object) -> Response:
    return Response(body=article_html(title, paragraphs or long_text(title), **kwargs).encode("utf-8"))


def rss(base: str, paths: list[str], dates: list[str] | None = None) -> Response:
    items = "".join(
        f"<item><title>t</title><link>{base}{p}</link>"
        + (f"<pubDate>{dates[i]}</pubDate>" if dates else "") + "</item>"
        for i, p in enumerate(paths)
    )
    return Response(body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
                    .encode(), content_type="application/rss+xml")


ATTACK_TITLE = 'Scores <script>window.pwned = "title"</script><img src=x onerror="window.pwned = \'img\'">'
CODING_OUTLETS = ("Daily A", "Review B", "Times C", "Zeitung D")


@pytest.fixture
def coding_study(write_pipeline) -> Pipeline:
    """A study with 24 extracted in-scope articles from 4 outlets (one carrying script injections), ready to code."""
    import datetime as dt

    from framing.study.store import Study
    from framing.study.tables import ARTICLE_SCHEMA

    spec = write_pipeline([{"feed": "http://127.0.0.1:9/feed.rss"}], codebook="social-credit")
    rows = []
    for i in range(24):
        outlet = CODING_OUTLETS[i % 4]
        title = ATTACK_TITLE if i == 0 else f"{outlet} story {i}"
        text = (f"{title}. The social credit system was debated again in story {i}. "
                "Critics called it a surveillance state that watches every citizen. "
                "Officials said the blacklists punish companies that do not pay their debts. "
                f"The reform is now in its {i + 2}th year.")
        if i == 0:
            text += ' A reader wrote <img src=x onerror="window.pwned = \'text\'"> in a comment.'
        rows.append({"article_id": f"a{i:02d}", "url": f"https://{outlet.replace(' ', '').lower()}.example/{i}",
                     "canonical_url": None, "outlet": outlet, "title": title, "author": None,
                     "published": dt.date(2016 + i % 8, 1 + i % 12, 1), "date_source": "meta",
                     "date_extracted": None, "date_listed": None,
                     "language": "de" if outlet == "Zeitung D" else "en", "text": text, "n_chars": len(text),
                     "content_hash": f"h{i}", "status": "ok", "reason": None, "duplicate_of": None,
                     "warc_file": None, "warc_offset": None})
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    return spec


@pytest.fixture
def coding_server() -> Iterator[Callable[..., str]]:
    """Start the coding app for a study on a free loopback port (a real uvicorn server); yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from framing.annotate.app import create_app

    servers = []

    def start(spec: Pipeline, public: bool = False) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(spec, public=public), host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the coding app did not start")
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


LABELLED_EN = Path(__file__).parent / "fixtures" / "labelled_en.csv"
GOLD_OUTLETS = ("Daily A", "Review B", "Times C", "Post D")


@pytest.fixture
def gold_study(write_pipeline, tmp_path) -> tuple[Pipeline, list[str]]:
    """A study whose 100 articles are the English fixture's texts, with a gold CSV of their frames.

    Returns the pipeline (social-credit codebook, ``gold:`` the CSV, ``train.folds`` 3) and the
    frames the gold labels.
    """
    table = pd.read_csv(LABELLED_EN)
    frames = [c for c in table.columns if c not in ("id", "text")]
    urls = [f"https://{GOLD_OUTLETS[i % 4].replace(' ', '').lower()}.example/{row.id}" for i, row in table.iterrows()]
    gold = tmp_path / "gold.csv"
    pd.DataFrame({"url": urls, "frames": [" ".join(f for f in frames if row[f]) for _, row in table.iterrows()]}
                 ).to_csv(gold, index=False)
    spec = write_pipeline([{"feed": "http://127.0.0.1:9/feed.rss"}], codebook="social-credit", gold=str(gold),
                          train={"folds": 3})
    rows = [{"article_id": row.id, "url": urls[i], "canonical_url": None, "outlet": GOLD_OUTLETS[i % 4],
             "title": row.id, "author": None, "published": dt.date(2020, 1 + i % 12, 1), "date_source": "meta",
             "date_extracted": None, "date_listed": None, "language": "en", "text": row.text, "n_chars": len(row.text),
             "content_hash": row.id, "status": "ok", "reason": None, "duplicate_of": None, "warc_file": None,
             "warc_offset": None} for i, row in table.iterrows()]
    Study(spec.workdir).write_rows("articles", rows, ARTICLE_SCHEMA)
    return spec, frames
