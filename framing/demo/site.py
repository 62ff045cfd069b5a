"""Render the demo corpus (corpora/social-credit-demo) into routes for one SiteServer per outlet.

The corpus holds the articles as YAML, the outlets' settings and Jinja2 templates; rendering
needs each outlet's base URL because feeds and sitemaps carry absolute links.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import jinja2
import yaml

from framing.demo.server import Response, Route

CORPUS = Path(__file__).resolve().parents[2] / "corpora" / "social-credit-demo"
PER_PAGE = 10
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]
UI = {
    "en": {"home": "Home", "about": "About us", "privacy": "Privacy", "accept": "Accept all",
           "settings": "Cookie settings", "search": "Search", "ad": "Advertisement", "by": "By",
           "cookies": "We and our 214 partners use cookies to personalise content and measure audiences.",
           "ad_text": "Switch your business energy supplier today and save up to 30 per cent.",
           "ad_inline": "Premium noise-cancelling headphones, now half price.", "related": "Related stories",
           "comments": "comments", "share": "Share", "rights": "All rights reserved.", "contact": "Contact",
           "paywall": "Subscribe to continue reading. This premium article is for subscribers only.",
           "subscribe": "Already a subscriber? Log in", "newer": "Newer stories", "older": "Older stories",
           "about_text": "is an independent publication. Our journalists report without fear or favour.",
           "latest": "Latest stories", "page": "Page", "print": "Print edition"},
    "de": {"home": "Startseite", "about": "Über uns", "privacy": "Datenschutz", "accept": "Alle akzeptieren",
           "settings": "Einstellungen", "search": "Suche", "ad": "Anzeige", "by": "Von",
           "cookies": "Wir und unsere 214 Partner verwenden Cookies, um Inhalte zu personalisieren.",
           "ad_text": "Jetzt Festgeld sichern: 3,1 Prozent Zinsen für zwölf Monate.",
           "ad_inline": "Kopfhörer mit Geräuschunterdrückung, jetzt zum halben Preis.",
           "related": "Mehr zum Thema", "comments": "Kommentare", "share": "Teilen",
           "rights": "Alle Rechte vorbehalten.", "contact": "Kontakt",
           "paywall": "Weiterlesen mit Abo. Dieser Artikel ist nur für Abonnenten.",
           "subscribe": "Bereits Abonnent? Anmelden", "newer": "Neuere Artikel", "older": "Ältere Artikel",
           "about_text": "ist eine unabhängige Zeitung. Unsere Redaktion berichtet ohne Rücksicht auf Interessen.",
           "latest": "Aktuelle Artikel", "page": "Seite", "print": "Druckausgabe"},
    "zh": {"home": "首页", "about": "关于我们", "privacy": "隐私政策", "accept": "全部接受",
           "settings": "Cookie 设置", "search": "搜索", "ad": "广告", "by": "作者：",
           "cookies": "我们和214家合作伙伴使用Cookie来提供个性化内容并统计访问量。",
           "ad_text": "企业融资新选择：最快三天放款，年化利率低至3.1%。",
           "ad_inline": "降噪耳机限时五折，今日下单次日达。", "related": "相关报道",
           "comments": "条评论", "share": "分享", "rights": "版权所有。", "contact": "联系我们",
           "paywall": "订阅后继续阅读。本文为付费会员专享内容。",
           "subscribe": "已是会员？请登录", "newer": "较新报道", "older": "较早报道",
           "about_text": "是一家新闻媒体，坚持客观、准确、及时的报道。",
           "latest": "最新报道", "page": "第", "print": "打印版"},
}
ROBOTS_MOVED = "/robots/robots.txt"  # where hosts with the robots-redirect trap keep their rules
PRINT_QUERY = "?print=1"  # an article's printer-friendly view, on outlets with the print-view trap
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass
class Article:
    outlet: str
    slug: str
    title: str
    dek: str
    author: str
    date: dt.date
    section: str
    topic: bool
    frames: list[str]
    dominant: str | None
    body: str
    comments: list[dict[str, str]] = field(default_factory=list)
    path: str = ""
    expected_status: str = "ok"
    syndicated: bool = False
    paywalled: bool = False

    @property
    def paragraphs(self) -> list[str]:
        return [" ".join(p.split()) for p in self.body.strip().split("\n\n") if p.strip()]


@dataclass
class Outlet:
    id: str
    name: str
    address: str
    language: str
    leaning: str
    discovery: list[str]
    url_pattern: str
    metadata: str
    traps: list[str]
    robots_disallow: list[str] = field(default_factory=list)
    compression: list[str] = field(default_factory=list)  # content codings the host may use, preferred first
    articles: list[Article] = field(default_factory=list)

    @property
    def robots_rules(self) -> list[str]:
        """Every ``Disallow`` value of the outlet's robots.txt (RFC 9309 patterns), in file order."""
        return [*self.robots_disallow, "/search"]

    @property
    def urlset_path(self) -> str:
        """Where a ``sitemap`` outlet serves its one sitemap: gzip-compressed with the sitemap-gz trap."""
        return "/sitemap.xml.gz" if "sitemap-gz" in self.traps else "/sitemap.xml"

    @property
    def sitemap_path(self) -> str | None:
        """The sitemap (or sitemap index) that robots.txt announces; None for outlets without one."""
        if "sitemap-index" in self.discovery:
            return "/sitemap_index.xml"
        return self.urlset_path if "sitemap" in self.discovery else None


def load_corpus(corpus: Path = CORPUS) -> tuple[list[Outlet], int]:
    """The outlets with their articles (wire copies and trap pages included) and the default port."""
    config = yaml.safe_load((corpus / "outlets.yml").read_text(encoding="utf-8"))
    outlets = [Outlet(**o) for o in config["outlets"]]
    wire = yaml.safe_load((corpus / "wire.yml").read_text(encoding="utf-8"))
    for outlet in outlets:
        entries = yaml.safe_load((corpus / "articles" / f"{outlet.id}.yml").read_text(encoding="utf-8"))
        outlet.articles = [_article(outlet, entry) for entry in entries]
        if outlet.id in wire["outlets"]:
            outlet.articles.append(_article(outlet, wire["article"], syndicated=True))
        if "paywall" in outlet.traps:
            outlet.articles.append(_paywall_stub(outlet))
        outlet.articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    return outlets, int(config["port"])


def _article(outlet: Outlet, entry: dict[str, Any], **extra: Any) -> Article:
    entry = {**entry, "date": _as_date(entry["date"]), "comments": entry.get("comments") or []}
    article = Article(outlet=outlet.id, **entry, **extra)
    date = article.date
    section = article.section.lower().replace(" ", "-").replace("&", "and")
    article.path = outlet.url_pattern.format(section=section, year=date.year, month=date.month, day=date.day,
                                             slug=article.slug)
    if not article.topic:
        article.expected_status = "off-topic"
    return article


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _paywall_stub(outlet: Outlet) -> Article:
    body = ("Regulators in Shenzhen have begun asking listed companies to disclose whether their "
            "suppliers appear on social credit blacklists.")
    return Article(outlet.id, "supplier-blacklist-disclosure-rules", "New Disclosure Rules Put Supplier "
                   "Blacklists in the Spotlight", "Listed firms face questions about their supply chains.",
                   "Premium Desk", dt.date(2025, 3, 3), "Regulation", True, ["trust_infrastructure"],
                   "trust_infrastructure", body, [], "/premium/2025/supplier-blacklist-disclosure-rules.html",
                   expected_status="paywall-suspected", paywalled=True)


# -- rendering ----------------------------------------------------------------------------------


def _env(corpus: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(corpus / "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_site(outlet: Outlet, base_url: str, corpus: Path = CORPUS) -> dict[str, Route]:
    """Every route of one outlet's site, with absolute links built on ``base_url``."""
    env = _env(corpus)
    ui = UI[outlet.language]
    feed_path = {"rss": "/feeds/all.rss", "atom": "/atom.xml"}
    feed = next((d for d in outlet.discovery if d in feed_path), None)
    context = {"outlet": outlet, "ui": ui, "year_now": 2026, "legacy": False,
               "sections": sorted({a.section for a in outlet.articles})[:5],
               "feed_url": base_url + feed_path[feed] if feed else None,
               "feed_type": "application/atom+xml" if feed == "atom" else "application/rss+xml",
               "extra_nav": [{"href": "/files/survey-results-2019.pdf", "text": "Survey data (PDF)"}]
               if outlet.id == "eastbridge-observer" else []}
    routes: dict[str, Route] = {}
    listed = [a for a in outlet.articles]
    for index, article in enumerate(outlet.articles):
        related = [r for r in listed if r is not article][index % 5: index % 5 + 3]
        routes[article.path] = _article_route(env, context, outlet, article, base_url, related)
    routes.update(_listing_routes(env, context, outlet))
    routes["/about"] = Response(body=env.get_template("about.html").render(**context).encode())
    routes["/privacy"] = Response(body=env.get_template("about.html").render(**context).encode())
    routes.update(_robots_routes(outlet, base_url))
    routes.update(_discovery_routes(outlet, base_url))
    routes.update(_trap_routes(outlet, routes))
    return routes


def _article_route(env: jinja2.Environment, context: dict, outlet: Outlet, article: Article, base_url: str,
                   related: list[Article]) -> Route:
    legacy = next((codec for trap, codec in LEGACY_CODECS.items() if trap in outlet.traps), None) \
        if article is _legacy_article(outlet) else None
    jsonld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
                         "datePublished": f"{article.date}T06:00:00+00:00",
                         "author": {"@type": "Person", "name": article.author},
                         "publisher": {"@type": "Organization", "name": outlet.name}}, ensure_ascii=False)
    html = env.get_template("article.html").render(
        **{**context, "legacy": legacy}, a=article, url=base_url + article.path, jsonld=jsonld.replace("</", "<\\/"),
        paragraphs=article.paragraphs, related=related, human_date=_human_date(article.date, outlet.language),
        paywalled=article.paywalled)
    if legacy:  # declared in the page only: the Content-Type header names no charset
        return Response(body=html.encode(legacy, errors="xmlcharrefreplace"), content_type="text/html")
    return Response(body=html.encode("utf-8"))


# the oldest article of an outlet with one of these traps comes from its "legacy CMS" in that codec
LEGACY_CODECS = {"legacy-encoding": "cp1252", "legacy-gb18030": "gb18030"}


def _legacy_article(outlet: Outlet) -> Article | None:
    """The outlet's oldest article, served from its 'legacy CMS' (see LEGACY_CODECS)."""
    return min(outlet.articles, key=lambda a: (a.date, a.slug)) if outlet.articles else None


def _human_date(date: dt.date, language: str) -> str:
    if language == "zh":
        return f"{date.year}年{date.month}月{date.day}日"
    if language == "de":
        return f"{date.day}. {MONTHS_DE[date.month - 1]} {date.year}"
    return f"{date.day} {date:%B %Y}"


def _listing_pages(outlet: Outlet) -> list[list[Article]]:
    """The teasers of each listing page (home, /page/2/, ...), newest first."""
    visible = [a for a in outlet.articles if not a.paywalled]
    return [visible[i:i + PER_PAGE] for i in range(0, len(visible), PER_PAGE)] or [[]]


def print_links(outlet: Outlet) -> list[str]:
    """Paths of the print views that the listing pages link (each page's lead story), with print-view."""
    if "print-view" not in outlet.traps:
        return []
    return [teasers[0].path + PRINT_QUERY for teasers in _listing_pages(outlet) if teasers]


def _listing_routes(env: jinja2.Environment, context: dict, outlet: Outlet) -> dict[str, Route]:
    pages = _listing_pages(outlet)
    prints = print_links(outlet)
    routes: dict[str, Route] = {}
    for number, teasers in enumerate(pages, 1):
        path = "/" if number == 1 else f"/page/{number}/"
        # the lead story's print view sits in the navigation, where a crawl of the listings finds it
        nav = context["extra_nav"] + ([{"href": prints[number - 1], "text": context["ui"]["print"]}] if prints else [])
        html = env.get_template("listing.html").render(
            **{**context, "extra_nav": nav},
            heading=context["ui"]["latest"] if number == 1 else f"{context['ui']['page']} {number}",
            teasers=teasers, prev_page=("/" if number == 2 else f"/page/{number - 1}/") if number > 1 else None,
            next_page=f"/page/{number + 1}/" if number < len(pages) else None)
        routes[path] = Response(body=html.encode("utf-8"))
    return routes


def _robots(outlet: Outlet, base_url: str) -> str:
    lines = ["User-agent: *"] + [f"Disallow: {p}" for p in outlet.robots_rules] + [""]
    if outlet.sitemap_path:
        lines.append(f"Sitemap: {base_url}{outlet.sitemap_path}")
    return "\n".join(lines) + "\n"


def _robots_routes(outlet: Outlet, base_url: str) -> dict[str, Route]:
    """robots.txt, or with the robots-redirect trap a 301 to where the rules moved (RFC 9309 says follow it)."""
    rules = Response(body=_robots(outlet, base_url).encode(), content_type="text/plain")
    if "robots-redirect" not in outlet.traps:
        return {"/robots.txt": rules}
    return {"/robots.txt": Response(301, b"", headers={"Location": base_url + ROBOTS_MOVED}), ROBOTS_MOVED: rules}


def listed_entries(outlet: Outlet) -> list[tuple[str, Article | None]]:
    """``(path, article)`` pairs that the outlet's feeds and sitemaps list, traps included."""
    entries: list[tuple[str, Article | None]] = [(a.path, a) for a in outlet.articles]
    if "members-only" in outlet.traps:
        entries += [("/members/2019/inside-the-scoring-room", None), ("/members/2021/letters-from-xinjiang", None)]
    if "not-found" in outlet.traps:
        entries.append(("/features/a-story-we-retracted", None))
    if "redirect-loop" in outlet.traps:
        entries.append(("/go/loop-a", None))
    if "pdf" in outlet.traps and "sitemap-index" in outlet.discovery:
        entries.append(("/reports/patchwork-report-2020.pdf", None))
    return entries


def _discovery_routes(outlet: Outlet, base_url: str) -> dict[str, Route]:
    entries = listed_entries(outlet)
    routes: dict[str, Route] = {}
    if "rss" in outlet.discovery:
        routes["/feeds/all.rss"] = _feed_route(outlet, Response(body=_rss(outlet, base_url, entries).encode(),
                                                                content_type="application/rss+xml; charset=utf-8"))
    if "atom" in outlet.discovery:
        routes["/atom.xml"] = _feed_route(outlet, Response(body=_atom(outlet, base_url, entries).encode(),
                                                           content_type="application/atom+xml; charset=utf-8"))
    if "sitemap" in outlet.discovery:
        routes[outlet.urlset_path] = _sitemap_route(outlet, _urlset(base_url, entries).encode())
    if "sitemap-index" in outlet.discovery:
        half = len(entries) // 2
        parts = {"/sitemaps/analysis-1.xml": entries[:half], "/sitemaps/analysis-2.xml": entries[half:]}
        index = "".join(f"<sitemap><loc>{base_url}{p}</loc><lastmod>2026-10-01</lastmod></sitemap>" for p in parts)
        routes["/sitemap_index.xml"] = Response(
            body=(f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                  f'sitemap/0.9">{index}</sitemapindex>').encode(), content_type="application/xml")
        for path, part in parts.items():
            routes[path] = Response(body=_urlset(base_url, part).encode(), content_type="application/xml")
    return routes


def _feed_route(outlet: Outlet, feed: Response) -> Route:
    """The feed; with the feed-glitch trap its first request gets an empty 200, as a CMS mid-publish does."""
    if "feed-glitch" not in outlet.traps:
        return feed
    empty = Response(body=b"", content_type=feed.content_type)
    return lambda nth: empty if nth == 1 else feed


def _sitemap_route(outlet: Outlet, xml: bytes) -> Response:
    """The sitemap as XML, or with the sitemap-gz trap as a gzip file (a file, not a content coding)."""
    if "sitemap-gz" not in outlet.traps:
        return Response(body=xml, content_type="application/xml")
    # mtime=0: the same bytes on every run; compress=False: the server must not gzip the gzip again
    return Response(body=gzip.compress(xml, 6, mtime=0), content_type="application/x-gzip", compress=False)


def _feed_path(outlet: Outlet, path: str, article: Article | None) -> str:
    """Ledger & Line's feed still links its three newest stories by their old short URLs."""
    if "redirect" in outlet.traps and article is not None and article in outlet.articles[:3]:
        return f"/p/{outlet.articles.index(article) + 1001}"
    return path


def _rss(outlet: Outlet, base_url: str, entries: list[tuple[str, Article | None]]) -> str:
    items = []
    for path, article in entries:
        title = article.title if article else "Members only"
        date = article.date if article else dt.date(2020, 1, 1)
        when = email.utils.format_datetime(dt.datetime.combine(date, dt.time(7, 0), dt.UTC))
        link = base_url + _feed_path(outlet, path, article)
        items.append(f"<item><title>{xml_escape(title)}</title><link>{link}</link><guid>{link}</guid>"
                     f"<pubDate>{when}</pubDate><description>{xml_escape(article.dek if article else '')}"
                     "</description></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{xml_escape(outlet.name)}'
            f"</title><link>{base_url}/</link><description>{xml_escape(outlet.name)}</description>"
            + "".join(items) + "</channel></rss>")


def _atom(outlet: Outlet, base_url: str, entries: list[tuple[str, Article | None]]) -> str:
    items = []
    for path, article in entries:
        title = article.title if article else "Gelöscht"
        date = article.date if article else dt.date(2020, 1, 1)
        items.append(f"<entry><title>{xml_escape(title)}</title><link rel=\"alternate\" href=\"{base_url}{path}\"/>"
                     f"<id>{base_url}{path}</id><published>{date}T07:00:00Z</published>"
                     f"<updated>{date}T09:00:00Z</updated></entry>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>'
            f"{xml_escape(outlet.name)}</title><id>{base_url}/</id><updated>2026-10-31T00:00:00Z</updated>"
            + "".join(items) + "</feed>")


def _urlset(base_url: str, entries: list[tuple[str, Article | None]]) -> str:
    urls = "".join(f"<url><loc>{base_url}{path}</loc>" + (f"<lastmod>{a.date}</lastmod>" if a else "") + "</url>"
                   for path, a in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>")


def _trap_routes(outlet: Outlet, routes: dict[str, Route]) -> dict[str, Route]:
    traps: dict[str, Route] = {}
    if "redirect" in outlet.traps:
        for article in outlet.articles[:3]:
            traps[_feed_path(outlet, article.path, article)] = Response(301, b"", headers={"Location": article.path})
    if "redirect-loop" in outlet.traps:
        traps["/go/loop-a"] = Response(302, b"", headers={"Location": "/go/loop-b"})
        traps["/go/loop-b"] = Response(302, b"", headers={"Location": "/go/loop-a"})
    if "pdf" in outlet.traps:
        for path in ("/reports/patchwork-report-2020.pdf", "/files/survey-results-2019.pdf"):
            traps[path] = Response(body=PDF_BYTES, content_type="application/pdf")
    if "print-view" in outlet.traps:
        # served like the article itself, so a crawler that ignores the wildcard rule gets a page, not a hint
        for article in outlet.articles:
            traps[article.path + PRINT_QUERY] = routes[article.path]
    if "retry-after" in outlet.traps:
        target = next(a for a in outlet.articles if a.topic and not a.paywalled)
        page = routes[target.path]
        busy = Response(503, b"<html><body>Service busy</body></html>", headers={"Retry-After": "1"})
        traps[target.path] = lambda nth: busy if nth == 1 else page
    return traps


def intent_rows(outlets: list[Outlet]) -> list[dict[str, Any]]:
    """One row per page the corpus serves or lists, with what its author meant and what should happen."""
    rows = []
    for outlet in outlets:
        for path, article in listed_entries(outlet):
            if article is None:
                status = {"/members/": "robots-disallowed", "/features/": "http-404", "/go/": "redirect-loop",
                          "/reports/": "not-html"}[next(k for k in ("/members/", "/features/", "/go/", "/reports/")
                                                        if path.startswith(k))]
                rows.append({"outlet": outlet.name, "path": path, "language": outlet.language, "topic": "",
                             "frames": "", "dominant": "", "expected_status": status, "syndicated": "", "title": "",
                             "date": ""})
                continue
            rows.append({"outlet": outlet.name, "path": path, "language": outlet.language,
                         "topic": str(article.topic).lower(), "frames": " ".join(article.frames),
                         "dominant": article.dominant or "", "expected_status": article.expected_status,
                         "syndicated": str(article.syndicated).lower(), "title": article.title,
                         "date": article.date.isoformat()})
        rows += [_link_row(outlet, path, status) for path, status in _linked_only(outlet)]
    return rows


def _linked_only(outlet: Outlet) -> list[tuple[str, str]]:
    """``(path, expected status)`` of pages that only the site's own links lead to, not its feeds or sitemaps."""
    linked = []
    if "pdf" in outlet.traps and "homepage" in outlet.discovery:
        linked.append(("/files/survey-results-2019.pdf", "not-html"))
    # robots.txt's wildcard rule /*?print= forbids them; print_links puts them where a crawl of the listings looks
    linked += [(path, "robots-disallowed") for path in print_links(outlet)]
    return linked


def _link_row(outlet: Outlet, path: str, status: str) -> dict[str, Any]:
    return {"outlet": outlet.name, "path": path, "language": "", "topic": "", "frames": "", "dominant": "",
            "expected_status": status, "syndicated": "", "title": "", "date": ""}


def intent_csv(outlets: list[Outlet]) -> str:
    return _csv(intent_rows(outlets))


QUOTE_COLUMNS = ["outlet", "path", "says", "speaker", "actor", "direct"]


def quote_rows(outlets: list[Outlet], corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """The quotation manifest: per article its marked quotations (``quotes/<outlet>.yml``, the wire
    story's in ``quotes/wire.yml``), one row per quotation, a row with empty ``says`` for an article
    with none. Pages that are no article (the paywall stub) are not listed."""
    marked: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for file in sorted((corpus / "quotes").glob("*.yml")):
        marked[file.stem] = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    rows = []
    for outlet in outlets:
        for article in sorted(outlet.articles, key=lambda a: a.path):
            quotes = marked.get("wire" if article.syndicated else outlet.id, {}).get(article.slug)
            if quotes is None:
                continue
            key = {"outlet": outlet.name, "path": article.path}
            rows += [{**key, "says": q["says"], "speaker": q["speaker"], "actor": q.get("actor") or "",
                      "direct": str(bool(q["direct"])).lower()} for q in quotes]
            if not quotes:
                rows.append({**key, "says": "", "speaker": "", "actor": "", "direct": ""})
    return rows


def quotes_csv(outlets: list[Outlet]) -> str:
    return _csv(quote_rows(outlets))


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


if __name__ == "__main__":  # python -m framing.demo.site  -> rewrites the corpus's intent.csv and quotes.csv
    corpus_outlets = load_corpus()[0]
    (CORPUS / "intent.csv").write_text(intent_csv(corpus_outlets), encoding="utf-8")
    (CORPUS / "quotes.csv").write_text(quotes_csv(corpus_outlets), encoding="utf-8")
    print(f"wrote {CORPUS / 'intent.csv'} and {CORPUS / 'quotes.csv'}")
