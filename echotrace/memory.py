"""Giving freed heap memory back to the operating system between the phases of a long run.

glibc serves allocations below its mmap threshold from the heap, and the threshold grows (up to
32 MiB) each time a larger block is freed: after the first big numpy temporaries, arrays of
several MiB (unpickled worker results, chunked verification, embedding batches) all come from
the heap, and freed heap pages stay in the process. On the generated 100k corpus the copy search
held ~1 GiB of such free pages by the time it paired paragraphs. `malloc_trim(0)` returns them;
it costs a walk of the free lists (milliseconds), so it runs between phases, not inside loops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None
    return trim


def release_freed_memory() -> None:
    """Return the heap's free pages to the operating system (glibc; a no-op elsewhere)."""
    trim = _trim()
    if trim is not None:
        trim(0)
