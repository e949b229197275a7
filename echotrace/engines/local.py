"""The local engine: batches run in a process pool, results come back in input order.

Bounded: at most `2 × workers` batches are in flight, so a 10-million-document input streams
through in constant memory (multiprocessing's own `imap` would read the whole input ahead).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from echotrace.engines import bounded_in_order

In = TypeVar("In")
Out = TypeVar("Out")


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
    with context.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        def submit(item: In) -> AsyncResult[Out]:
            return pool.apply_async(fn, (item,))

        yield from bounded_in_order(items, submit, AsyncResult.get, 2 * workers)
