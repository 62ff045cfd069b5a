"""The library behind the commands: one function per command, each returning a result object.

A notebook calls them the way ``framing`` does::

    from framing.api import run, train, evaluate, agree, export, rehydrate
    outcome = run("pipelines/demo.yml")
    evaluation = evaluate("pipelines/demo.yml", rules_only=True)
    evaluation.rules            # the scoring table, as pandas

Nothing here prints or exits; long work reports through an optional ``progress`` callable and
``notify`` receives one-line messages a console may show before the work starts.
"""

from framing.api.agreement import AgreementOutcome, agree
from framing.api.evaluation import Evaluation, evaluate
from framing.api.exporting import Export, export
from framing.api.rehydration import Rehydration, rehydrate
from framing.api.running import RunOutcome, run
from framing.api.training import Training, train

__all__ = ["AgreementOutcome", "Evaluation", "Export", "Rehydration", "RunOutcome", "Training", "agree", "evaluate",
           "export", "rehydrate", "run", "train"]
