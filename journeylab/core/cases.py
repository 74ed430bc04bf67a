"""Each journey's outcome and satisfaction score, one value per journey indexed by case
code (:func:`case_outcome`, :func:`case_satisfaction`), and the journeys of one segment
value that started in a period (:func:`select_journeys`, the explorers' filter).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, MissingColumnError
from .log import EventLog

__all__ = ["ALL", "case_outcome", "case_satisfaction", "select_journeys"]

#: The segment value that selects every journey (the explorers' "(all)" option).
ALL = "(all)"


# ----------------------------------------------------------------------------- outcomes, scores
def case_outcome(log: EventLog, outcome: str | Sequence[str] | None) -> np.ndarray | None:
    """Per-journey boolean outcome, by case code.

    Parameters
    ----------
    log : EventLog
    outcome : str, list of str or None
        A column holding a per-journey flag (e.g. ``"converted"``), or a list of
        touchpoints that count as reaching the outcome (e.g. ``["checkout_web",
        "store_purchase"]``).

    Returns
    -------
    ndarray of bool or None
        None when ``outcome`` is None.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "activity": ["visit", "buy", "visit"], "timestamp": ["2024-01-01"] * 3}))
    >>> case_outcome(log, ["buy"]).tolist()
    [True, False]
    """
    if outcome is None:
        return None
    if isinstance(outcome, str):
        if outcome not in log.events.columns:
            raise MissingColumnError(
                f"No outcome column {outcome!r}; the log has {list(log.events.columns)}. Pass a "
                "column holding a per-journey flag, or a list of touchpoints.")
        col = log.events[outcome]
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            flag = col.fillna(0).astype(bool)
        else:  # text or categories: the usual spellings of "yes"
            flag = col.astype(str).str.strip().str.lower().isin(
                ["true", "1", "yes", "y", "converted"])
        return np.add.reduceat(flag.to_numpy().astype(np.int64), log.case_offsets[:-1]) > 0
    codes = np.flatnonzero(log.activities.isin(list(outcome)))
    if not len(codes):
        raise InvalidInputError(f"None of the outcome touchpoints {list(outcome)} is in the log.")
    hit = np.isin(log.activity_codes, codes).astype(np.int64)
    return np.add.reduceat(hit, log.case_offsets[:-1]) > 0


def case_satisfaction(log: EventLog, instrument: str | None = None) -> np.ndarray | None:
    """Mean satisfaction score per journey (NaN where the journey has none), by case code.

    Parameters
    ----------
    log : EventLog
    instrument : str, optional
        A survey activity; by default the one with the widest scale (usually NPS), or the
        case-level satisfaction column.

    Returns
    -------
    ndarray of float or None
        None when the log has no satisfaction column.
    """
    if "satisfaction" not in log.events.columns:
        return None
    inst = log.schema.instruments
    name = (instrument or max(inst, key=lambda k: inst[k][1] - inst[k][0])) if inst else None
    if name is not None and f"score:{name}" in log.events.columns:  # from touchpoints()
        return log.events[f"score:{name}"].to_numpy(dtype=float)[log.case_offsets[:-1]]
    score = log.events["satisfaction"].to_numpy(dtype=float)
    if name is not None:
        score = np.where(log.events["activity"].astype(object).to_numpy() == name, score, np.nan)
    return log.per_case_mean(score)


# ----------------------------------------------------------------------------- selection
def select_journeys(log: EventLog, *, segment: str | None = None, value: Any = None,
                    start: Any = None, end: Any = None) -> EventLog:
    """Journeys of one segment value that started in ``[start, end)`` (all when None).

    Parameters
    ----------
    log : EventLog
    segment : str, optional
        A journey-level column (e.g. ``"segment"``).
    value : optional
        The value of ``segment`` to keep; None or :data:`ALL` keeps every value.
    start, end : timestamp, optional
        Keep the journeys whose first event is in ``[start, end)``.

    Returns
    -------
    EventLog
        A new log; ``log`` itself is unchanged.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(100, random_state=1).events)
    >>> select_journeys(log, segment="segment", value=ALL).n_cases == log.n_cases
    True
    """
    out = log
    if segment is not None and value is not None and value != ALL:
        out = out.filter_attribute(segment, [value], how="cases")
    if start is not None or end is not None:
        out = out.filter_time(start, end, how="started")
    return out
