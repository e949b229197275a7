"""Where per-document batches run: this machine's processes, or a Dask cluster.

Every engine offers the same `map_ordered(fn, items, *, workers, initializer, initargs)`: results
come back in input order, so both engines give identical stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class MapOrdered(Protocol):
    def __call__(self, fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int,
                 initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> Iterator[Any]: ...


def get_engine(name: str, scheduler: str | None = None) -> MapOrdered:
    """The engine called `name` ("local" or "dask"); `scheduler` is a Dask scheduler address."""
    if name == "local":
        from echotrace.engines.local import map_ordered

        return map_ordered
    if name == "dask":
        from echotrace.engines.dask import dask_map_ordered

        return dask_map_ordered(scheduler)
    raise ValueError(f"unknown engine {name!r}: choose local or dask")
