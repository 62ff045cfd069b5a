"""Chinese, Japanese or Cantonese: the language of a text in Chinese characters, decided by its script.

py3langid's character n-grams confuse texts written in Chinese characters when they are short or
dense with characters that Japanese shares (地方, 社会, 信用, 東京): a Chinese headline or lead
can come out Japanese (``ja``), Wu (``wuu``) or Cantonese (``yue``). The script settles it:

- Japanese writing puts hiragana or katakana in every sentence (the particles の, は, を, verb
  endings, loanwords), so a text with Chinese characters and no kana is not Japanese.
- Wu Chinese is spoken, not written: a text py3langid calls Wu is standard written Chinese.
- Cantonese is written (Hong Kong papers' quotes, forums) with characters standard Chinese does
  not use (嘅 咗 唔 佢 哋 冇 喺 嚟 啲 嘢); without any of them, a "Cantonese" text is standard
  Chinese in traditional characters, as Hong Kong and Taiwan outlets print it.
"""

from __future__ import annotations

import re

from framing.scripts import HAN as _HAN
from framing.scripts import KANA as _KANA

_CANTONESE = re.compile("[嘅咗唔佢哋冇喺嚟啲嘢噉]")


def han_language(text: str, guess: str) -> str:
    """``zh`` for a text in Chinese characters that ``guess`` (py3langid's) calls Japanese without
    kana, Wu, or Cantonese without Cantonese characters; ``guess`` otherwise.

    Parameters
    ----------
    text
        The text that was judged (the same window py3langid saw).
    guess
        py3langid's language code for it.

    Examples
    --------
    >>> han_language("中国人民银行征信中心", "ja"), han_language("日本の社会信用システム", "ja")
    ('zh', 'ja')
    >>> han_language("佢哋話唔係監控", "yue"), han_language("社會信用體系", "yue")
    ('yue', 'zh')
    """
    if guess not in ("ja", "wuu", "yue") or not _HAN.search(text):
        return guess
    if guess == "ja":
        return "ja" if _KANA.search(text) else "zh"
    if guess == "yue" and _CANTONESE.search(text):
        return "yue"
    return "zh"
