"""Two independent passes at once. NumPy lets go of the interpreter lock in its sorts,
selections and arithmetic, so a second thread puts a second core to work on an analysis
whose parts do not depend on each other (the DFG's edges and touchpoints, the variants'
ranking and durations). Results are the same as one after the other."""
from __future__ import annotations

import ctypes
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

import pyarrow as pa

__all__ = ["side_by_side"]

A = TypeVar("A")
B = TypeVar("B")


def side_by_side(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """``(first(), second())``, ``second`` run in another thread while ``first`` runs here.

    An exception in either is raised here, once both have finished.

    Examples
    --------
    >>> side_by_side(lambda: 1 + 1, lambda: "b")
    (2, 'b')
    """
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:  # leaving it waits for ``second``
            other = pool.submit(second)
            mine = first()
            return mine, other.result()
    finally:
        _give_back()


def _give_back() -> None:
    """Hand the memory the other thread freed back to the system: the C library and Arrow
    keep it in that thread's own pools, where this thread's allocations cannot reuse it
    (0.3 GB held on after the analyses of 10M events). Where there is no ``malloc_trim``
    (not glibc), only Arrow's is given back."""
    pa.default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return
    trim(0)
