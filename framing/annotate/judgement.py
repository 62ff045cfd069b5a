"""The records human coding produces, shared by the app, agreement, adjudication and import/export."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The ``coder`` of an adjudicated (final, gold) judgement.
GOLD_CODER = "gold"


@dataclass(frozen=True)
class Judgement:
    """One coder's verdict on one unit (an article, or one sentence of it when the codebook codes sentences).

    ``frames`` lists the frames the coder saw as present (empty when ``relevant`` is False);
    ``dominant`` is one of them or None. ``unit`` is the article id (``article_id`` or
    ``article_id#sentence`` for sentence units).
    """

    unit: str
    coder: str
    frames: tuple[str, ...] = ()
    dominant: str | None = None
    relevant: bool = True
    note: str = ""
    codebook: str = ""
    codebook_version: int = 0
    created_at: str = ""            # ISO 8601, UTC
    meta: dict = field(default_factory=dict, compare=False, hash=False)
