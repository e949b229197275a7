"""Where per-document batches run: this machine's processes, or a Dask cluster.

Every engine offers the same `map_ordered(fn, items, *, workers, initializer, initargs)`: results
come back in input order, so both engines give identical stores.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
Pending = TypeVar("Pending")


class MapOrdered(Protocol):
    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> Iterator[Any]: ...


def bounded_in_order(items: Iterable[In], submit: Callable[[In], Pending], take: Callable[[Pending], Out],
                     limit: int, pending: deque[Pending] | None = None) -> Iterator[Out]:
    """Submit items as results are taken, at most `limit` in flight, results in input order.

    The bound is what lets a 10-million-document input stream through in constant memory. Pass
    `pending` to see what is still in flight (to cancel it when the caller stops early).
    """
    in_flight: deque[Pending] = deque() if pending is None else pending
    for item in items:
        in_flight.append(submit(item))
        if len(in_flight) >= limit:
            yield take(in_flight.popleft())
    while in_flight:
        yield take(in_flight.popleft())


def get_engine(name: str, scheduler: str | None = None) -> MapOrdered:
    """The engine called `name` ("local" or "dask"); `scheduler` is a Dask scheduler address."""
    if name == "local":
        from echotrace.engines.local import map_ordered

        return map_ordered
    if name == "dask":
        from echotrace.engines.dask import dask_map_ordered

        return dask_map_ordered(scheduler)
    raise ValueError(f"unknown engine {name!r}: choose local or dask")
