"""Collect: sources (feeds, sitemaps, URL lists, crawls, WARC imports) and the polite fetcher."""
