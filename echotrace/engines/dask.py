"""The Dask engine: the same per-document batches on a Dask cluster, results in input order.

Without a scheduler address it starts a local cluster of `workers` single-threaded worker
processes; with one (`tcp://host:8786`) it uses that cluster, which may run on Kubernetes, Slurm
or a cloud. Like the local engine it keeps at most `2 × worker threads` batches in flight, so the
input streams through and the store receives batches in input order: both engines give the same
store.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from distributed import Client, LocalCluster, Worker, WorkerPlugin
from distributed import Future as DaskFuture

from echotrace.engines import MapOrdered, bounded_in_order

In = TypeVar("In")
Out = TypeVar("Out")
T = TypeVar("T")

_plugin_numbers = itertools.count()


class MainThreadExecutor(Executor):
    """Runs each task on the worker's main thread.

    The pipeline bounds each document's time with SIGALRM, and Python lets only the main thread
    install a signal handler; Dask's default executor runs tasks in a thread pool. A local
    worker has one task slot anyway, so running the task inline costs no parallelism (the
    worker's event loop waits while a batch runs, which batches of seconds tolerate).
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to Dask, which reports it to the caller
            future.set_exception(exc)
        return future


class InitialiserPlugin(WorkerPlugin):
    """Runs `initializer(*initargs)` once in every worker process, also in workers that join later."""

    def __init__(self, name: str, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self.name = name
        self.initializer = initializer
        self.initargs = initargs

    def setup(self, worker: Worker) -> None:
        self.initializer(*self.initargs)


def _local_cluster(workers: int) -> LocalCluster:
    return LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=max(1, workers),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,  # task errors still reach the caller through `result()`
        executor=MainThreadExecutor(),
    )


def dask_map_ordered(scheduler: str | None) -> MapOrdered:
    """A `map_ordered` that runs on the cluster at `scheduler`, or on a new local cluster."""

    def map_ordered(
        fn: Callable[[In], Out],
        items: Iterable[In],
        *,
        workers: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> Iterator[Out]:
        with contextlib.ExitStack() as stack:
            if scheduler:
                client = stack.enter_context(Client(scheduler))  # type: ignore[no-untyped-call]
            else:
                cluster = stack.enter_context(_local_cluster(workers))
                client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
            if initializer is not None:
                name = f"echotrace-init-{os.getpid()}-{next(_plugin_numbers)}"
                client.register_plugin(InitialiserPlugin(name, initializer, initargs))
                stack.callback(_unregister, client, name)
            slots = max(1, sum(client.nthreads().values()))
            pending: deque[DaskFuture[Any]] = deque()
            stack.callback(_cancel, client, pending)

            def submit(item: In) -> DaskFuture[Any]:
                future: DaskFuture[Any] = client.submit(fn, item, pure=False)
                return future

            yield from bounded_in_order(items, submit, _result, 2 * slots, pending)

    return map_ordered


def _result(future: DaskFuture[Any]) -> Any:
    result = future.result()
    future.release()  # type: ignore[no-untyped-call]
    return result


def _cancel(client: Client, pending: deque[DaskFuture[Any]]) -> None:
    """A caller that stops early leaves no work running on a shared cluster."""
    if pending and client.status == "running":
        client.cancel(list(pending))  # type: ignore[no-untyped-call]
    pending.clear()


def _unregister(client: Client, name: str) -> None:
    if client.status == "running":
        with contextlib.suppress(Exception):  # the cluster may already be going away
            client.unregister_worker_plugin(name)  # type: ignore[no-untyped-call]


__all__ = ["InitialiserPlugin", "MainThreadExecutor", "dask_map_ordered"]
