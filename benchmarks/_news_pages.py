"""News-sized pages: a demo article wrapped in what real news sites put around it.

Real article pages weigh 50-150 KB of HTML, and most of it is not the story: inline scripts and
app state (JSON with the teasers the page shows, which the HTML renders a second time), CSS,
icons, menus, teaser rails and footers. The demo pages are about 6 KB; ``news_sized`` adds such
parts until a page reaches a given size. Repeated filler would compress far better than real
pages do (gzip 20x and more, where real HTML gives about 4-7x), so the filler draws its words
from the demo corpus (with its word frequencies) and varies ids, numbers and URLs;
``compression_ratio`` lets callers print how well the result compresses.
"""

from __future__ import annotations

import functools
import itertools
import json
import random
import zlib
from collections.abc import Callable, Iterator

from _synthetic import vocabulary

SECTIONS = ["world", "politics", "business", "technology", "science", "culture", "opinion", "sport", "asia",
            "europe", "climate", "health", "media", "economy", "education"]
BLOCKS = ["card", "rail", "nav", "teaser", "btn", "grid", "masthead", "footer", "share", "byline"]
ELEMENTS = ["title", "img", "meta", "link", "wrap", "label", "icon", "list", "item"]


@functools.cache
def _words() -> tuple[list[str], list[float]]:
    words, p = vocabulary("en")
    return words, list(itertools.accumulate(p))


class _Filler:
    """Random parts of a news page, reproducible from a seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words, self.cumulative = _words()

    def text(self, n: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=n))

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def url(self) -> str:
        slug = "-".join(self.text(self.rng.randint(3, 6)).lower().split())
        return f"/{self.rng.choice(SECTIONS)}/{self.rng.randint(2019, 2026)}/{self.rng.randint(1, 12):02d}/{slug}"

    def image(self) -> str:
        return f"https://cdn.news.example/img/{self.hex(24)}/master/{self.rng.choice([640, 1280])}.jpg"

    def teaser(self) -> dict:
        r = self.rng
        return {"id": f"{self.hex(8)}-{self.hex(4)}", "url": self.url(),
                "headline": self.text(r.randint(5, 11)).capitalize(),
                "standfirst": self.text(r.randint(12, 30)).capitalize() + ".",
                "image": self.image(), "section": r.choice(SECTIONS),
                "published": f"2026-0{r.randint(1, 9)}-{r.randint(10, 28)}T{r.randint(10, 23)}:{r.randint(10, 59)}:00Z",
                "tracking": {"slot": r.randint(1, 60), "component": r.choice(BLOCKS)}}

    def css_rule(self) -> str:
        r = self.rng
        color = r.choice(["121212", "333", "c70000", "707070", "052962"])
        return (f".{r.choice(BLOCKS)}__{r.choice(ELEMENTS)}--{r.choice(SECTIONS)}{{margin:{r.randint(0, 8) * 4}px "
                f"{r.randint(0, 8) * 4}px;padding:{r.randint(0, 6) * 4}px;color:#{color};"
                f"font-size:{r.randint(10, 32) / 10}rem;line-height:{r.randint(10, 16) / 10}}}")

    def js_function(self) -> str:
        r = self.rng
        name, other = r.choice(self.words[:300]), r.choice(self.words[:300])
        key = r.choice(["slot", "id", "component", "consent"])
        return (f"function {name}_{r.randint(0, 99)}(e,t){{var n=e.{other}||{r.randint(0, 999)};"
                f"if(t&&t.{key}!==void 0)return {other}_{r.randint(0, 99)}(n,t);"
                f"return window.__ads&&window.__ads.push({{k:\"{self.hex(6)}\",v:n*{r.randint(2, 97)}}}),n}}")

    def svg(self) -> str:
        points = " ".join(f"{self.rng.uniform(0, 24):.1f} {self.rng.uniform(0, 24):.1f}" for _ in range(6))
        return f'<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M{points}z"/></svg>'

    def menu_item(self) -> str:
        return f'<li class="menu__item"><a class="menu__link" href="{self.url()}">{self.text(2).title()}</a></li>'


def _teaser_html(t: dict) -> str:
    return (f'<div class="teaser teaser--{t["section"]}" data-id="{t["id"]}"><a href="{t["url"]}">'
            f'<img loading="lazy" src="{t["image"]}" alt=""><h3 class="teaser__title">{t["headline"]}</h3></a>'
            f'<p class="teaser__meta">{t["standfirst"]}</p></div>')


def _fill(items: Iterator[str] | Callable[[], str], budget: int) -> str:
    items = iter(items, None) if callable(items) else items
    parts, size = [], 0
    for part in items:
        if size >= budget:
            break
        parts.append(part)
        size += len(part)
    return "".join(parts)


def news_sized(body: bytes, kb: float, seed: int) -> bytes:
    """``body`` (a demo article page) grown to about ``kb`` KiB with the parts real news pages carry.

    Shares of the added bytes, roughly as on large news sites: app state (the teasers, as JSON)
    and scripts 45 %, CSS 10 %, menus 15 %, teaser rail 20 % (the same teasers as the state),
    footer links and icons 10 %.
    """
    add = max(0, int(kb * 1024) - len(body))
    f = _Filler(seed)
    teasers = []
    rail = '<aside class="rail">' + _fill((_teaser_html(t) for t in iter(f.teaser, None) if not teasers.append(t)),
                                          add // 5) + "</aside>"
    state = json.dumps({"page": {"type": "article", "id": f.hex(16)}, "teasers": teasers}, separators=(",", ":"))
    scripts = f'<script id="__STATE__" type="application/json">{state}</script><script>'
    scripts += _fill(f.js_function, add * 45 // 100 - len(scripts)) + "</script>"
    style = "<style>" + _fill(f.css_rule, add // 10) + "</style>"
    menu = '<nav class="mega-menu"><ul>' + _fill(f.menu_item, add * 15 // 100) + "</ul></nav>"
    page = _insert(body, b"</head>", style + scripts)  # bytes: a few demo pages are not UTF-8
    page = _insert(page, b"</header>", menu)
    page = _insert(page, b"</main>", rail)
    rest = int(kb * 1024) - len(page)
    icons = '<div class="icons">' + _fill(f.svg, rest // 3) + "</div>"
    footer = '<div class="footer-links"><ul>' + _fill(f.menu_item, rest - len(icons)) + "</ul></div>"
    return _insert(page, b"</body>", icons + footer)


def _insert(page: bytes, before: bytes, html: str) -> bytes:
    """``html`` (as ASCII, with character references: right in any page encoding) before a tag."""
    at = page.find(before)
    at = len(page) if at < 0 else at
    return page[:at] + html.encode("ascii", "xmlcharrefreplace") + page[at:]


def spread_kb(n: int, kb: float) -> list[float]:
    """``n`` page sizes from 0.5 to 1.5 x ``kb`` (mean ``kb``), in a fixed scattered order."""
    return [kb * (0.5 + (k * 37 % n) / max(1, n - 1)) for k in range(n)]


def compression_ratio(bodies: list[bytes]) -> float:
    """Plain bytes over gzip (level 6) bytes, summed over ``bodies``."""
    return sum(map(len, bodies)) / sum(len(zlib.compress(b, 6)) for b in bodies)
