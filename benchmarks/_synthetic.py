"""A synthetic news corpus with the demo corpus's vocabulary and word frequencies (Zipf-like).

The generator lives in :mod:`framing.demo.synthetic`, shared with the tests.
"""

from framing.demo.synthetic import news_articles as articles
from framing.demo.synthetic import vocabulary

__all__ = ["articles", "vocabulary"]
