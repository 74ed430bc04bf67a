"""Honest progress for an engine's long steps: a tqdm bar on a terminal (the command
line), one line of text per step that took a while elsewhere (a notebook, a report), so a
run on a hundred million events says what it is doing and a small log stays quiet."""
from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator

__all__ = ["engine_step", "SLOW_SECONDS"]

#: Steps at least this long are reported in text where there is no terminal.
SLOW_SECONDS = 2.0


@contextlib.contextmanager
def engine_step(engine: str, what: str) -> Iterator[None]:
    """Say that ``engine`` is doing ``what``: a tqdm spinner on a terminal, else a line
    of text once it is done if it took :data:`SLOW_SECONDS` or more.

    Examples
    --------
    >>> with engine_step("duckdb", "counting journeys"):
    ...     pass
    """
    start = time.perf_counter()
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=1, desc=f"{engine}: {what}", leave=False, file=sys.stderr,
                   bar_format="{desc} {elapsed}")
    try:
        yield
    finally:
        took = time.perf_counter() - start
        if bar is not None:
            bar.update(1)
            bar.close()
        if took >= SLOW_SECONDS:
            print(f"{engine}: {what} ({took:.1f} s)", file=sys.stderr if bar else sys.stdout,
                  flush=True)
