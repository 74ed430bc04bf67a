"""Two independent passes at once. NumPy lets go of the interpreter lock in its sorts,
selections and arithmetic, so a second thread puts a second core to work on an analysis
whose parts do not depend on each other (the DFG's edges and touchpoints, the variants'
ranking and durations). Results are the same as one after the other."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

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
    with ThreadPoolExecutor(max_workers=1) as pool:  # leaving it waits for ``second``
        other = pool.submit(second)
        mine = first()
        return mine, other.result()
