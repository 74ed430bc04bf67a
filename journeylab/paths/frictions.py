"""Where journeys lose time or customers: rework per touchpoint (self-loops, repeats,
hairpins: :func:`find_loops`) and per journey (:func:`journey_rework`), where journeys end
without the outcome, or simply end (:func:`find_dropoffs`, whose column names
:func:`ending_columns` and :func:`ending_attrs` give every table of endings), and the
transitions with the longest waits (:func:`find_dead_points`). Every function takes an
:class:`~journeylab.core.log.EventLog` and returns a tidy DataFrame, computed with
vectorised numpy over the log's sorted, encoded arrays.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..core.journeys import distinct_count, pairs
from ..core.cases import case_outcome
from ..core.log import EventLog
from .maps import discover_dfg

__all__ = ["find_loops", "find_dropoffs", "find_dead_points", "journey_rework",
           "ending_columns", "ending_attrs"]


# ----------------------------------------------------------------------------- loops
def find_loops(log: EventLog) -> pd.DataFrame:
    """Rework per touchpoint: self-loops (A > A), repeats, hairpins (A > B > A).

    Columns: ``touchpoint, cases, self_loops, self_loop_cases, repeat_cases,
    mean_repeats, hairpins, hairpin_cases``; ``repeat_cases`` are journeys that meet the
    touchpoint more than once, ``mean_repeats`` the mean number of extra visits among them.
    """
    A = log.n_activities
    act = log.activity_codes.astype(np.int64)
    src, dst, _, case = pairs(log)
    selfm = src == dst
    self_loops = np.bincount(src[selfm], minlength=A)
    self_cases = distinct_count(src[selfm], case[selfm], A)
    key = log.case_codes.astype(np.int64) * A + act
    per = pd.Series(key).value_counts()
    rep = per[per > 1]
    rep_act = (rep.index.to_numpy() % A)
    repeat_cases = np.bincount(rep_act, minlength=A)
    extra = np.bincount(rep_act, weights=rep.to_numpy() - 1, minlength=A)
    at, of = _hairpins(log)
    hairpins = np.bincount(at, minlength=A)
    hairpin_cases = distinct_count(at, of, A)
    out = pd.DataFrame({
        "touchpoint": np.asarray(log.activities, dtype=object),
        "cases": distinct_count(act, log.case_codes, A),
        "self_loops": self_loops, "self_loop_cases": self_cases,
        "repeat_cases": repeat_cases,
        "mean_repeats": np.divide(extra, repeat_cases, out=np.zeros(A), where=repeat_cases > 0),
        "hairpins": hairpins, "hairpin_cases": hairpin_cases,
    })
    return out.sort_values(["repeat_cases", "touchpoint"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def _hairpins(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Every hairpin (A > B > A, B not A) of the log: the touchpoint it returns to and its
    journey, as codes."""
    c, act = log.case_codes, log.activity_codes.astype(np.int64)
    if log.n_events < 3:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    same3 = c[2:] == c[:-2]
    a0, a1, a2 = act[:-2][same3], act[1:-1][same3], act[2:][same3]
    hp = (a0 == a2) & (a0 != a1)
    return a0[hp], c[:-2][same3][hp].astype(np.int64)


def journey_rework(log: EventLog) -> pd.DataFrame:
    """Per journey: events, distinct touchpoints, repeats, self-loops, hairpins and
    channel switches: a channel followed by another, among the journey's events whose
    channel is known (web, an event without channel, web: no switch).

    Examples
    --------
    >>> import journeylab as jl, pandas as pd
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a"] * 4,
    ...     "activity": ["x", "y", "z", "x"], "channel": ["web", None, "web", "app"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")}))
    >>> int(journey_rework(log).loc[0, "channel_switches"])
    1
    """
    n = log.n_cases
    src, dst, _, case = pairs(log)
    out = pd.DataFrame({"case_id": np.asarray(log.cases, dtype=object),
                        "events": log.case_lengths})
    key = pd.unique(log.case_codes.astype(np.int64) * log.n_activities + log.activity_codes)
    out["distinct_touchpoints"] = np.bincount(key // log.n_activities, minlength=n)
    out["repeats"] = out["events"] - out["distinct_touchpoints"]
    out["self_loops"] = np.bincount(case[src == dst], minlength=n)
    out["hairpins"] = np.bincount(_hairpins(log)[1], minlength=n)
    if "channel" in log.events.columns:
        ch = log.events["channel"].cat.codes.to_numpy()
        known = ch >= 0
        ch, codes = ch[known], log.case_codes[known]
        switch = (codes[1:] == codes[:-1]) & (ch[1:] != ch[:-1])
        out["channel_switches"] = np.bincount(codes[:-1][switch], minlength=n)
    return out


# ----------------------------------------------------------------------------- drop-offs
def find_dropoffs(log: EventLog, *, outcome: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Where journeys end without the outcome; without an outcome, where journeys end.

    A drop-off is a journey that ended *without reaching the outcome*, so drop-offs are only
    counted when ``outcome`` is given (a column holding a per-journey flag, or the
    touchpoints that count as reaching it, see :func:`case_outcome`). Without it the table
    says what can be measured, the last touchpoint of every journey, and names its columns
    for that: a ticket that ends at "Closed" ended normally, it did not drop off.

    Parameters
    ----------
    log : EventLog
    outcome : str or list of str, optional
        The outcome that makes an ending a success.

    Returns
    -------
    DataFrame
        With ``outcome``: ``touchpoint, reach`` (journeys that meet it), ``dropoffs``
        (journeys whose last touchpoint it is and that did not reach the outcome),
        ``dropoff_rate`` (dropoffs / reach) and ``share_of_dropoffs``, most drop-offs first.
        Without ``outcome``: ``touchpoint, reach, ends`` (journeys whose last touchpoint it
        is), ``end_rate`` (ends / reach) and ``share_of_ends``, most ends first.
        ``attrs["measure"]`` is ``"dropoffs"`` or ``"ends"`` and ``attrs["description"]``
        says it in words.

    Examples
    --------
    >>> import pandas as pd
    >>> from journeylab import read_events
    >>> log = read_events(pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["visit", "buy", "visit", "leave"], "bought": [1, 1, 0, 0],
    ...     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02"]}))
    >>> find_dropoffs(log).columns.tolist()
    ['touchpoint', 'reach', 'ends', 'end_rate', 'share_of_ends']
    >>> find_dropoffs(log, outcome="bought")[["touchpoint", "dropoffs"]].head(1).to_dict("records")
    [{'touchpoint': 'leave', 'dropoffs': 1}]
    """
    A = log.n_activities
    last = log.case_offsets[1:] - 1
    conv = case_outcome(log, outcome)
    lost = np.ones(log.n_cases, bool) if conv is None else ~conv
    act = log.activity_codes.astype(np.int64)
    drops = np.bincount(act[last][lost], minlength=A)
    reach = distinct_count(act, log.case_codes, A)
    count, rate, share = ending_columns(outcome)
    out = pd.DataFrame({"touchpoint": np.asarray(log.activities, dtype=object), "reach": reach,
                        count: drops, rate: drops / np.maximum(reach, 1),
                        share: drops / max(int(lost.sum()), 1)})
    out = out.sort_values([count, "touchpoint"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    out.attrs.update(ending_attrs(outcome))
    return out


def ending_columns(outcome: Any) -> tuple[str, str, str]:
    """Column names of endings: drop-offs with an outcome, plain ends without one."""
    if outcome is None:
        return "ends", "end_rate", "share_of_ends"
    return "dropoffs", "dropoff_rate", "share_of_dropoffs"


def ending_attrs(outcome: Any) -> dict[str, str]:
    """The ``attrs`` of a table of endings: what it counts and, in words, what it holds."""
    if outcome is None:
        return {"measure": "ends", "description":
                "last touchpoints of journeys (no outcome given, so no ending is called a "
                "drop-off; pass outcome= to count journeys that ended without it)"}
    return {"measure": "dropoffs", "outcome": str(outcome), "description":
            f"last touchpoints of journeys that did not reach the outcome {outcome!r}"}


def find_dead_points(log: EventLog, *, min_cases: int = 5, top: int = 15) -> pd.DataFrame:
    """The transitions with the longest waits: momentum breakers.

    Edges seen in at least ``min_cases`` journeys, ranked by median wait, with ``p90_s``
    and the share of the log's journeys that go through them.
    """
    e = discover_dfg(log).edges
    e = e[e["cases"] >= min_cases].copy()
    e["share_of_journeys"] = e["cases"] / max(log.n_cases, 1)
    e["median_wait"] = pd.to_timedelta(e["median_s"], unit="s").dt.round("min")
    return e.sort_values(["median_s", "source", "target"], ascending=[False, True, True],
                         kind="stable").head(top).reset_index(drop=True)
