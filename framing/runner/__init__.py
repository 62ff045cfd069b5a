"""The stages in order, wired to the study folder: :func:`run` and the manifest.

Each stage's logic lives in its own package (collect, extract, tag, aggregate, report) and takes
rows and returns rows; the modules here read a stage's input tables through the study store,
call it, and write its output tables.
"""

from framing.runner.order import StageResult, default_stages, run, stage_key

__all__ = ["StageResult", "default_stages", "run", "stage_key"]
