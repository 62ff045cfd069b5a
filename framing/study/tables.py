"""Table schemas and the status vocabularies (and their groups), named once for every stage and summary."""

from __future__ import annotations

import pyarrow as pa

# URL statuses kept in the crawl frontier (urls table). Every URL ends in exactly one of these.
URL_STATUSES = {
    "queued": "waiting to be fetched",
    "fetched": "stored in a WARC file",
    "robots-disallowed": "robots.txt forbids it; never requested",
    "robots-unavailable": "the host's robots.txt could not be read (5xx, timeout, refused); retried next run",
    "crawl-delay-too-long": "robots.txt asks for a Crawl-delay over collect.max_crawl_delay_s; retried next run",
    "unreadable": "a feed or sitemap that was empty, broken or not one; retried next run",
    "timeout": "no answer within the timeout, after all retries",
    "connection-error": "the host refused or dropped the connection, after all retries",
    "too-large": "body exceeded collect.max_bytes, as received or as decoded",
    "decode-error": "the body is not in the content coding its header names",
    "not-html": "content type is not a web page (PDF, image, ...)",
    "redirected": "answered with a redirect; the target was queued",
    "redirect-loop": "a redirect led back to a URL of the same chain",
    "too-many-redirects": "more than collect.max_redirects hops",
    "off-host": "a crawl link that leaves the start page's host, or an archive's redirect that leaves the archive",
    "max-pages": "not fetched because the page budget was spent (or, for a sitemap or a CDX index page, covered; "
                 "for an index page also: the source's max_index_pages read); queued next run",
    "cursor-repeated": "a CDX index page whose resumption key was given before: paging stopped there",
    "max-sitemaps": "a sitemap over collect.max_sitemaps of its source; queued next run",
    "sitemap-too-deep": "a sitemap nested deeper than collect.max_sitemap_depth",
    "invalid-url": "not an http(s) URL",
    "range-ignored": "a WARC record asked for by its bytes came as the whole file (or other bytes): not downloaded",
    "record-unreadable": "the bytes an index gave for a capture are not one gzipped WARC response record of its "
                         "URL (a revisit, another record type or URL, not gzip, cut off)",
    "prefiltered": "a WARC record whose page mentions none of filter.keywords: set aside at import, never "
                   "extracted, listed in tables/prefiltered (studies imported before 0.x kept it as a URL status)",
}
# plus "http-NNN" for any final HTTP error status

# Article statuses. "ok" and "duplicate" are articles; the rest say why a page is not one.
ARTICLE_STATUSES = {
    "ok": "an article in scope",
    "duplicate": "same text as another article (duplicate_of names it)",
    "empty": "no main text found",
    "too-short": "main text shorter than extract.min_chars",
    "paywall-suspected": "short text on a page marked or worded as paywalled",
    "wrong-language": "language not in filter.languages",
    "out-of-range": "published outside filter.since .. filter.until",
    "off-topic": "none of filter.keywords occurs",
    "decode-error": "the capture could not be read",
    "too-large": "the capture decodes to more than collect.max_bytes",
}
# What `framing rehydrate` found for each article of an export (tables/rehydration). Compared by the
# exact text's SHA-256, which is what the offsets of hits, quotes and mentions count in.
REHYDRATION_STATUSES = {
    "same": "the page gives the study's text again, character for character: its offsets hold",
    "changed": "the page gives other text now (or none); the new text is kept, the offsets are not used",
    "vanished": "the page is gone: HTTP 404 or 410, or its host name no longer exists",
    "not-fetched": "not asked or not answered: robots.txt, a timeout, a redirect loop, an error (the reason says)",
    "no-text": "the study kept no text for this page (its status says why): nothing to restore",
}
# Groups of URL statuses, named once for the crawler, the frontier, the funnel and the summaries.
# statuses that mean "not now" rather than "never": the next run queues them again
HELD = ("max-pages", "max-sitemaps", "robots-unavailable", "crawl-delay-too-long")
# page statuses that spent nothing of a page budget: never asked, held, or a hop to another URL
UNSPENT = ("queued", "robots-disallowed", "invalid-url", "redirected", "redirect-loop", "too-many-redirects", *HELD)
# listing outcomes that a new run leaves alone: success, or a verdict that another request would not change
LISTING_FINAL = ("queued", "fetched", "redirected", "redirect-loop", "too-many-redirects", "robots-disallowed",
                 "invalid-url", "sitemap-too-deep", "cursor-repeated")
# page outcomes that are not failures: done, waiting, forbidden, or a hop to another URL
NOT_FAILED = ("fetched", "queued", "robots-disallowed", "redirected", "prefiltered", *HELD)

ARTICLES = ("ok", "duplicate")  # the statuses of pages that are articles: tagged, coded, evaluated

ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("outlet", pa.string()),
        ("title", pa.string()),
        ("author", pa.string()),
        ("published", pa.date32()),
        ("date_source", pa.string()),
        ("date_extracted", pa.date32()),
        ("date_listed", pa.date32()),
        ("language", pa.string()),
        ("text", pa.string()),
        ("n_chars", pa.int64()),
        ("content_hash", pa.string()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("duplicate_of", pa.string()),
        ("warc_file", pa.string()),
        ("warc_offset", pa.int64()),
        ("encoding", pa.string()),  # codec and where it came from, e.g. "cp1252 (detected)"
    ]
)

# what extraction writes before clustering: each passing article's MinHash signature rides along
# (see framing.extract.near_duplicates) and is dropped from the article table once clusters are set
RAW_ARTICLE_SCHEMA = ARTICLE_SCHEMA.append(pa.field("minhash", pa.binary()))

# WARC records set aside at import, their pages mentioning none of filter.keywords (framing.collect.archive)
PREFILTERED_SCHEMA = pa.schema([("url", pa.string()), ("outlet", pa.string()), ("warc_file", pa.string()),
                                ("warc_offset", pa.int64())])

# who speaks (framing.discourse): each quotation with its speaker as written, the name a pronoun or
# role stands for, and the actor linked; and every place an article names one of the codebook's actors
QUOTE_SCHEMA = pa.schema([("article_id", pa.string()), ("outlet", pa.string()), ("quote", pa.int32()),
                          ("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()), ("speaker", pa.string()),
                          ("resolved", pa.string()), ("actor", pa.string()), ("verb", pa.string()),
                          ("direct", pa.bool_())])
# the frames in each quotation's words (framing.discourse.framed), by the study's tag.method
QUOTE_FRAME_SCHEMA = pa.schema([("article_id", pa.string()), ("outlet", pa.string()), ("quote", pa.int32()),
                                ("actor", pa.string()), ("frame", pa.string()), ("hits", pa.int32()),
                                ("negated_hits", pa.int32()), ("present", pa.bool_()), ("dominant", pa.bool_()),
                                ("score", pa.float64())])
ACTOR_MENTION_SCHEMA = pa.schema([("article_id", pa.string()), ("outlet", pa.string()), ("actor", pa.string()),
                                  ("start", pa.int32()), ("end", pa.int32()), ("name", pa.string())])

FRAME_HIT_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("outlet", pa.string()),
        ("frame", pa.string()),
        ("pattern", pa.string()),
        ("sentence", pa.int32()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("sentence_start", pa.int32()),
        ("sentence_end", pa.int32()),
        ("negated", pa.bool_()),
        ("negated_by", pa.string()),
    ]
)

ARTICLE_FRAME_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("outlet", pa.string()),
        ("published", pa.date32()),
        ("frame", pa.string()),
        ("hits", pa.int32()),
        ("negated_hits", pa.int32()),
        ("sentences_hit", pa.int32()),
        ("n_sentences", pa.int32()),
        ("sentence_share", pa.float64()),
        ("present", pa.bool_()),
        ("dominant", pa.bool_()),
        ("score", pa.float64()),   # the classifier's probability (ensemble: its combined score); null for rules
    ]
)

# The crawl frontier as a table (tables/urls.parquet): the coverage funnel's input.
URL_SCHEMA = pa.schema([
    ("url", pa.string()), ("host", pa.string()), ("outlet", pa.string()), ("kind", pa.string()),
    ("source", pa.string()), ("via", pa.string()), ("depth", pa.int64()), ("listed_date", pa.string()),
    ("status", pa.string()), ("reason", pa.string()), ("http_status", pa.int64()),
    ("content_type", pa.string()), ("attempts", pa.int64()), ("redirect_hops", pa.int64()), ("warc_file", pa.string()),
    ("warc_offset", pa.int64()), ("fetched_at", pa.string()),
    ("archive_url", pa.string()), ("archived_at", pa.string()),  # cdx pages: where and when an archive had them
])

# Near-duplicate clusters (extract stage), joined into the article table as two columns.
CLUSTER_SCHEMA = pa.schema([("article_id", pa.string()), ("cluster_id", pa.string()),
                            ("near_duplicate_of", pa.string())])

# The coders' gold table (framing annotate gold): adjudicated labels, else labels all coders agree on.
GOLD_SCHEMA = pa.schema([
    ("unit_id", pa.string()), ("article_id", pa.string()), ("sentence", pa.int32()), ("url", pa.string()),
    ("outlet", pa.string()), ("language", pa.string()), ("title", pa.string()), ("text", pa.string()),
    ("frames", pa.list_(pa.string())), ("dominant", pa.string()), ("relevant", pa.bool_()),
    ("source", pa.string()), ("coders", pa.list_(pa.string())), ("decided_by", pa.string()),
    ("codebook_version", pa.int32()),
])
