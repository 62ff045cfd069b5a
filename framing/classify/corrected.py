"""The aggregate stage's corrected shares: the study's machine labels corrected with its validation labels.

``framing evaluate`` leaves ``tables/validation_labels.parquet``: every gold unit's gold label and
each method's out-of-fold label. The study's method (``tag.method``) labelled the corpus; its
out-of-fold labels measure how often it errs (TPR, FPR), and
:func:`framing.classify.prevalence.corrected_prevalence` turns each outlet's raw share into a
corrected one. This module only chooses the inputs and writes the table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from framing.classify.prevalence import corrected_prevalence
from framing.config import Pipeline
from framing.store import Study

TABLE = "prevalence_corrected"
ALL_OUTLETS = "(all outlets)"


def corrected_shares(frames: pd.DataFrame, validation: pd.DataFrame, method: str, level: float = 0.95,
                     n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Raw and corrected share of every frame per outlet and over all outlets.

    Parameters
    ----------
    frames
        One row per article x frame: ``outlet``, ``frame``, ``present`` (the study's machine labels).
    validation
        ``tables/validation_labels``: ``unit, frame, gold`` and a 0/1 column per method.
    method
        The column of ``validation`` holding the study's method's out-of-fold labels.
    level, n_boot, seed
        Confidence level, bootstrap replicates and seed (see :func:`corrected_prevalence`).

    Returns
    -------
    DataFrame
        ``outlet`` (``(all outlets)`` for the whole corpus), ``frame``, ``method`` and the columns of
        :func:`~framing.classify.prevalence.acc_estimate`.
    """
    checks = validation[["frame", "gold", method]].rename(columns={method: "present"})
    checks = checks.astype({"frame": str, "gold": bool, "present": bool})
    rows = frames[["outlet", "frame", "present"]].astype({"outlet": str, "frame": str, "present": bool})
    options = {"n_boot": n_boot, "seed": seed, "level": level}
    by_outlet = corrected_prevalence(rows, checks, by=["outlet"], **options)
    overall = corrected_prevalence(rows, checks, **options).assign(outlet=ALL_OUTLETS)
    out = pd.concat([by_outlet, overall[by_outlet.columns]], ignore_index=True)
    out.insert(2, "method", method)
    return out


def correct_study(spec: Pipeline, study: Study, frames: pd.DataFrame) -> dict[str, Any]:
    """Write ``tables/prevalence_corrected`` when the study can be corrected; say why not otherwise.

    Returns
    -------
    dict
        ``{"corrected_prevalence": sentence}`` for the aggregate stage's summary.
    """
    method = spec.tag.method
    if method == "rules":
        return _skip(study, "not computed: the rule tagger is not corrected (tag.method is rules)")
    if not spec.aggregate.correct_prevalence:
        return _skip(study, "not computed: aggregate.correct_prevalence is false")
    path = study.table("validation_labels")
    if not path.is_file():
        return _skip(study, f"not computed: no validation labels; run `framing evaluate {spec.path or 'PIPELINE'}` "
                            "first, then the aggregate stage again")
    validation = pd.read_parquet(path)
    if method not in validation.columns:
        return _skip(study, f"not computed: the validation labels have no {method} column; run "
                            f"`framing evaluate {spec.path or 'PIPELINE'}` again")
    table = corrected_shares(frames, validation, method, level=spec.aggregate.level)
    study.write_frame(TABLE, table, csv=True)
    undefined = int(table["corrected_share"].isna().sum())
    return {"corrected_prevalence": f"{len(table)} shares corrected with the {method}'s out-of-fold labels on "
                                    f"{validation['unit'].nunique()} gold units ({undefined} not correctable)"}


def _skip(study: Study, why: str) -> dict[str, Any]:
    # A table left from an earlier run would show corrections the current settings do not make.
    for suffix in (".parquet", ".csv"):
        (study.tables / f"{TABLE}{suffix}").unlink(missing_ok=True)
    return {"corrected_prevalence": why}
