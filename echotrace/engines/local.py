"""The local engine: batches run in a process pool, results come back in input order.

Bounded: at most `2 × workers` batches are in flight, so a 10-million-document input streams
through in constant memory (multiprocessing's own `imap` would read the whole input ahead).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing import forkserver
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from echotrace.engines import bounded_in_order

In = TypeVar("In")
Out = TypeVar("Out")


def start_server(modules: Sequence[str]) -> None:
    """Start the fork server now, importing `modules`, while the caller does other work.

    Each worker would otherwise import the pipeline anew (~2.5 CPU-s: numpy, sklearn, fastText);
    the server imports it once and forks ready workers. Its import then overlaps the caller's
    first pass instead of delaying the first batch. The preload counts only where the server
    starts, i.e. at a process's first pool (Python 3.11 never preloads `__main__` itself).
    """
    mp.get_context("forkserver").set_forkserver_preload(list(modules))
    forkserver.ensure_running()


def map_ordered(
    fn: Callable[[In], Out],
    items: Iterable[In],
    *,
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[Out]:
    """`map(fn, items)` over `workers` processes (in this process when workers <= 1)."""
    if workers <= 1:
        if initializer is not None:
            initializer(*initargs)
        yield from map(fn, items)
        return
    context = mp.get_context("forkserver")
    context.set_forkserver_preload(sorted({fn.__module__} | ({initializer.__module__} if initializer else set())))
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        def submit(item: In) -> AsyncResult[Out]:
            return pool.apply_async(fn, (item,))

        yield from bounded_in_order(items, submit, AsyncResult.get, 2 * workers)
