"""What the classifiers accept as X: a sequence of texts, checked for the classic mistakes."""

from __future__ import annotations

from typing import Any


def as_texts(X: Any, allow_empty: bool = True) -> list[str]:  # noqa: N803
    """Texts as a list of str.

    A bare string is refused (it would be read character by character), and so is a table of
    several columns (iterating a DataFrame yields its column names); a single column, of a
    DataFrame or a 2-D array, is taken.

    Examples
    --------
    >>> import pandas as pd
    >>> as_texts(pd.DataFrame({"text": ["a b", "c d"]}))
    ['a b', 'c d']
    >>> as_texts("one text")
    Traceback (most recent call last):
    ...
    ValueError: X must be a sequence of texts, not a single string
    """
    if isinstance(X, str):
        raise ValueError("X must be a sequence of texts, not a single string")
    if getattr(X, "ndim", 1) == 2:
        if X.shape[1] != 1:
            raise ValueError(f"X must be one column of texts; got {X.shape[1]} columns")
        X = X.iloc[:, 0] if hasattr(X, "iloc") else X[:, 0]  # noqa: N806
    texts = list(X)
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise ValueError(f"X must hold texts (str); items {bad[:5]} are {type(texts[bad[0]]).__name__}")
    if not texts and not allow_empty:
        raise ValueError("X holds no texts")
    return texts
