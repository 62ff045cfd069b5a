"""Realistic pages for the benchmarks: the demo corpus's article pages, rendered as served."""

from __future__ import annotations

from framing.demo.server import Response
from framing.demo.site import load_corpus, render_site


def demo_article_pages() -> list[tuple[str, bytes, str]]:
    """``(url, body, content_type)`` of every article page of the demo site (about 170)."""
    outlets, _ = load_corpus()
    pages = []
    for outlet in outlets:
        base = f"http://{outlet.address}:8411"
        routes = render_site(outlet, base)
        for article in outlet.articles:
            route = routes[article.path]
            response = route if isinstance(route, Response) else route(2)
            pages.append((base + article.path, response.body, response.content_type))
    return pages
