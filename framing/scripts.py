"""Writing systems, as character classes: which texts have no spaces between their words.

One definition for the places that must tell (the keyword filter, language detection, word
counts, collocates, quote scoring): Chinese characters are the CJK Unified Ideographs, their
Extension A and the compatibility ideographs; Japanese adds hiragana and katakana.
"""

from __future__ import annotations

import re

HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
KANA_RANGES = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # hiragana, katakana, half-width
HAN = re.compile(f"[{HAN_RANGES}]")
KANA = re.compile(f"[{KANA_RANGES}]")
UNSPACED = re.compile(f"[{HAN_RANGES}{KANA_RANGES}]")  # scripts written without spaces between words
UNSPACED_LANGUAGES = frozenset({"zh"})  # languages so written that framing segments (Chinese, with jieba)
