"""The first steps of journeys as flows between steps: what a Sankey (alluvial) diagram of
journeys draws, with the journeys that stop at each step shown as drop-off."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.log import EventLog
from ..errors import InvalidInputError, MissingColumnError

__all__ = ["compute_step_flows", "DROP_OFF", "OTHER"]

DROP_OFF = "(drop-off)"
"""The target of the journeys that end at a step."""
OTHER = "(other)"
"""The target of a step's links about fewer than ``min_customers`` journeys, merged."""


def compute_step_flows(log: EventLog, *, steps: int = 5, on: str = "activity",
                       top: int | None = 8, min_customers: int = 1) -> pd.DataFrame:
    """How journeys flow through their first ``steps`` steps.

    Step 1 is each journey's first touchpoint (``on="activity"``) or stage
    (``on="stage"``; a run of events in the same stage is one step), step 2 the next, and
    so on. A journey that ends at step k flows to :data:`DROP_OFF` at step k+1.

    Parameters
    ----------
    log : EventLog
    steps : int
        Steps drawn (2 or more).
    on : {"activity", "stage"}
    top : int, optional
        At each step, the ``top`` touchpoints (or stages) most journeys are at keep their
        name; the others are drawn together as :data:`OTHER` (None: every name).
    min_customers : int
        Nothing about fewer journeys is shown: a step's links under it are merged into
        one link to :data:`OTHER` per source, which is left out if still under it.

    Returns
    -------
    DataFrame
        ``step`` (the link from step ``step`` to step ``step + 1``), ``source``,
        ``target``, ``customers`` (journeys taking the link; each journey takes one link
        per step it reaches), ``share`` (of all the journeys at the source, those of
        links left out included). Sorted by step, then the largest links first.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    >>> flows = compute_step_flows(log, steps=3)
    >>> int(flows[flows["step"] == 1]["customers"].sum()) == log.n_cases
    True
    """
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise InvalidInputError(f"steps must be a whole number of at least 2, got {steps!r}.")
    if on not in ("activity", "stage"):
        raise InvalidInputError(f"on must be 'activity' or 'stage', not {on!r}.")
    if on not in log.events.columns:
        raise MissingColumnError("Flows between stages need the stage role (stage_key=); "
                                 "use on='activity' for touchpoints.")
    values = log.events[on].astype(object).where(log.events[on].notna(), f"(no {on})")
    values = values.astype(str).to_numpy()
    case = log.case_codes
    if on == "stage":  # a run of one stage is one step
        first = np.r_[True, (case[1:] != case[:-1]) | (values[1:] != values[:-1])]
        values, case = values[first], case[first]
    starts = np.r_[0, np.flatnonzero(case[1:] != case[:-1]) + 1]
    lengths = np.diff(np.r_[starts, len(case)])
    pos = np.arange(len(case)) - np.repeat(starts, lengths)
    if top is not None:
        values = _top_names(values, pos, steps, int(top))
    here = pos < steps - 1
    last = np.repeat(starts + lengths - 1, lengths)
    nxt = np.minimum(np.arange(len(case)) + 1, len(case) - 1)
    target = np.where(np.arange(len(case)) < last, values[nxt], DROP_OFF)
    links = pd.DataFrame({"step": pos[here] + 1, "source": values[here],
                          "target": target[here]})
    flows = links.groupby(["step", "source", "target"], sort=False).size() \
        .rename("customers").reset_index()
    at_source = _masked(flows).groupby(["step", "source"])["customers"].sum()
    if min_customers > 1:
        flows = _merge_small(flows, int(min_customers))
    flows = _masked(flows)
    flows["share"] = flows["customers"].to_numpy() / at_source.reindex(
        pd.MultiIndex.from_frame(flows[["step", "source"]])).to_numpy()
    flows = flows.sort_values(["step", "customers", "source", "target"],
                              ascending=[True, False, True, True], kind="stable")
    return flows.reset_index(drop=True)


def _top_names(values: np.ndarray, pos: np.ndarray, steps: int, top: int) -> np.ndarray:
    """At each of the first ``steps`` positions, names outside the ``top`` most frequent
    there (ties by name) replaced by :data:`OTHER`."""
    shown = pos < steps
    at = pd.DataFrame({"pos": pos[shown], "name": values[shown]})
    counts = at.value_counts().rename("n").reset_index() \
        .sort_values(["pos", "n", "name"], ascending=[True, False, True], kind="stable")
    counts["rank"] = counts.groupby("pos").cumcount()
    kept = counts[counts["rank"] < top]
    keep = pd.MultiIndex.from_frame(kept[["pos", "name"]])
    out = values.copy()
    hit = pd.MultiIndex.from_frame(at).isin(keep)
    out[np.flatnonzero(shown)[~hit]] = OTHER
    return out


def _merge_small(flows: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each source's links under ``k`` journeys as one link to :data:`OTHER` (with the
    link to it ``top`` made, if any), left out when still under ``k``."""
    small = flows["customers"] < k
    merged = flows[small].groupby(["step", "source"], as_index=False)["customers"].sum()
    merged["target"] = OTHER
    out = pd.concat([flows[~small], merged], ignore_index=True).groupby(
        ["step", "source", "target"], as_index=False, sort=False)["customers"].sum()
    return out[out["customers"] >= k].reset_index(drop=True)


def _masked(flows: pd.DataFrame) -> pd.DataFrame:
    """Rare names (under the report context) replaced by their label."""
    from ..privacy import report_context

    ctx = report_context()
    if not ctx.active:
        return flows
    flows = flows.assign(source=flows["source"].map(ctx.mask),
                         target=flows["target"].map(ctx.mask))
    return flows.groupby(["step", "source", "target"], as_index=False, sort=False)[
        "customers"].sum()
