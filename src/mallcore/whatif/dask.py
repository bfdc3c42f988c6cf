"""Run a what-if's partitions on a Dask cluster (``dask.distributed``, ``analysis`` extra).

:func:`dask_parts` gives :func:`~mallcore.whatif.run.run_whatif` a
``map_parts``: one task per partition of the history, run by the cluster's
workers, the results handed back in partition order. Each worker reads its
own partition from the history path (a job holds paths and names, not data),
and only a bounded window of parts (twice the cluster's threads) is in flight or
waiting at any time: memory stays flat however long the history is. The
output is the same, byte for byte, as one process or a process pool writes.

With no address, a :class:`distributed.LocalCluster` of *workers* processes
is started for the run and shut down after it. With a scheduler's address
(``tcp://host:8786``) the run uses that cluster and leaves it running. Its
workers must then be able to open the history path and import mallcore: put
the file on storage they all mount at the same path, or give a URL pyarrow
can open, and install the same mallcore (and rule files) on each worker.

::

    with dask_parts("tcp://scheduler:8786") as map_parts:
        run_whatif("/shared/history.parquet", rules, "out.parquet", map_parts=map_parts)
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from itertools import islice
from typing import Any, TypeVar

from mallcore.checks import check_count
from mallcore.errors import ConfigError

__all__ = ["MapParts", "dask_parts"]

_T = TypeVar("_T")
_R = TypeVar("_R")

#: What :func:`dask_parts` yields: ``map_parts(function, jobs)`` → results in job order.
MapParts = Callable[[Callable[[Any], Any], Sequence[Any]], Iterator[Any]]

_INSTALL = "pip install 'mallcore[analysis]'"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        msg = f"running a what-if on Dask needs dask.distributed: {_INSTALL}"
        raise ConfigError(msg) from exc
    return distributed


@contextmanager
def dask_parts(
    scheduler: str | None = None,
    *,
    workers: int = 2,
    timeout: float = 30.0,
) -> Iterator[MapParts]:
    """A ``map_parts`` for :func:`~mallcore.whatif.run.run_whatif` that runs on Dask.

    Args:
        scheduler: A scheduler's address (``tcp://host:8786``); None starts a
            local cluster for the run.
        workers: The local cluster's worker processes (one thread each);
            ignored with an address.
        timeout: Seconds to wait for the scheduler to answer.

    Raises:
        ConfigError: dask.distributed is not installed, *workers* is not a
            count, or the scheduler cannot be reached (the message names the
            address; the cause is chained).
    """
    check_count("workers", workers, minimum=1, maximum=256)
    distributed = _distributed()
    with ExitStack() as stack:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            stack.callback(cluster.close)
            client = distributed.Client(cluster, set_as_default=False)
        else:
            try:
                client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                msg = f"cannot reach the Dask scheduler at {scheduler!r}: {exc}"
                # Without its traceback the cause no longer holds the half-made
                # Client, which is then collected now, not at exit (where closing
                # it waits on a stopped event loop).
                raise ConfigError(msg) from exc.with_traceback(None)
        stack.callback(client.close)
        yield _mapper(client)


def _mapper(client: Any) -> MapParts:
    def map_parts(function: Callable[[_T], _R], jobs: Sequence[_T]) -> Iterator[_R]:
        # One task per job, at most *window* submitted and not yet collected;
        # collected in job order, each collection making room for the next job.
        window = max(2, 2 * sum(client.nthreads().values()))
        queued = iter(jobs)
        pending: deque[Any] = deque()

        def submit_next() -> None:
            for job in islice(queued, 1):
                pending.append(client.submit(function, job, pure=False))

        try:
            for _ in range(window):
                submit_next()
            while pending:
                future = pending.popleft()
                result: _R = future.result()  # a worker's error is raised here
                future.release()
                submit_next()
                yield result
        finally:
            if pending:  # stopped early (an error, the consumer gave up): drop the rest
                client.cancel(list(pending))

    return map_parts
