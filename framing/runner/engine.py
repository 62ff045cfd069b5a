"""Where a stage's partitions run: here (``engine: local``) or on a Dask cluster (``engine: dask``).

Dask's distributed scheduler places the tasks, retries those of a worker that dies, and moves
their results; this module only opens the client (a ``LocalCluster`` on this machine, or a
running scheduler) and hands it one task per partition, a few at a time, taking the results
back in partition order. Partition order is what makes the tables the same at any scale: the
rows of partition 3 are written after those of partition 2 whichever finished first.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from framing.errors import FramingError
from framing.study.config import Engine as EngineSettings


class LocalEngine:
    """Partitions run one after another in this process."""

    name = "local"
    workers = 1

    def map(self, func: Callable[..., Any], partitions: Iterable[Any], *args: Any) -> Iterator[Any]:
        """``func(partition, *args)`` for each partition, in order."""
        for partition in partitions:
            yield func(partition, *args)


class DaskEngine:
    """Partitions run as tasks on a Dask cluster; at most ``2 x workers`` are in flight, so a
    corpus never waits in memory as one list of futures."""

    name = "dask"

    def __init__(self, client: Any):
        self.client = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))

    def map(self, func: Callable[..., Any], partitions: Iterable[Any], *args: Any) -> Iterator[Any]:
        """``func(partition, *args)`` for each partition on the cluster; results in partition order."""
        from distributed import KilledWorker

        pending: deque = deque()
        window = 2 * self.workers
        try:
            for partition in partitions:
                pending.append(self.client.submit(func, partition, *args, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except KilledWorker as exc:
            raise FramingError(f"Dask workers died running the same partition again and again ({exc}); a worker "
                               "may run out of memory: give workers more (--memory-limit) or lower "
                               "engine.partition_size. Rerun to go on: finished partitions are kept") from exc
        finally:
            for future in pending:
                future.cancel()


Engine = LocalEngine | DaskEngine


@contextmanager
def open_engine(settings: EngineSettings) -> Iterator[LocalEngine | DaskEngine]:
    """The engine a study asks for; with ``dask``, its client open for the duration.

    Raises
    ------
    FramingError
        When the scheduler cannot be reached, or dask.distributed is not installed.
    """
    if settings.name == "local":
        yield LocalEngine()
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise FramingError("engine dask needs dask.distributed: pip install 'framing[dask]'") from exc
    if settings.scheduler:
        try:
            client = Client(settings.scheduler, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise FramingError(f"cannot reach the Dask scheduler at {settings.scheduler}: {exc}. Start one "
                               "(`dask scheduler`, then `dask worker ADDRESS` on each machine), or leave "
                               "engine.scheduler unset for a cluster on this machine") from exc
        with client:
            yield DaskEngine(client)
        return
    workers = settings.workers or os.cpu_count() or 1
    # processes, one thread each: extraction and tagging hold the GIL most of the time
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster, set_as_default=False) as client:
        yield DaskEngine(client)
