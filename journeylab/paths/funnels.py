"""Journeys stage by stage and step by step: the stages in journey order
(:func:`stage_order`), the stage x channel journey map (:func:`journey_matrix`), ordered
funnels and default steps for one (:func:`compute_funnel`, :func:`default_funnel_steps`),
and the share of journeys at each touchpoint at each step (:func:`step_matrix`). Every
function takes an :class:`~journeylab.core.log.EventLog` and returns a tidy DataFrame,
computed with vectorised numpy over the log's sorted, encoded arrays.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, MissingColumnError
from ..core.encode import run_starts
from ..core.journeys import SEP, distinct_count, path_label
from ..core.cases import case_outcome, case_satisfaction
from ..core.engine import EngineLog
from ..core.log import EventLog
from .frictions import ending_attrs, ending_columns
from .models import ranked_variants, variant_paths

__all__ = ["journey_matrix", "compute_funnel", "compute_funnels", "step_matrix", "stage_order",
           "STAGE_ORDER", "default_funnel_steps"]


#: Journey stages in the order customers go through them (practice's usual names).
STAGE_ORDER = ("awareness", "discovery", "consideration", "evaluation", "decision", "purchase",
               "delivery", "onboarding", "usage", "service", "support", "retention", "loyalty",
               "advocacy")


def stage_order(log: EventLog | EngineLog) -> list[str]:
    """The log's stages in journey order: a declared order if the stage column has one,
    else the usual stage vocabulary (:data:`STAGE_ORDER`), unknown stages last (A-Z)."""
    if isinstance(log, EngineLog):
        cats = [str(c) for c in log.distinct("stage")]
    else:
        col = log.events["stage"]
        cats = [str(c) for c in col.cat.categories]
        if col.cat.ordered:
            return cats
    rank = {s: i for i, s in enumerate(STAGE_ORDER)}
    return sorted(cats, key=lambda c: (rank.get(c.lower(), len(rank)), c))


# ----------------------------------------------------------------------------- journey map
def journey_matrix(log: EventLog, *, outcome: str | Sequence[str] | None = None,
                   instrument: str | None = None) -> pd.DataFrame:
    """The stage x channel journey map as a tidy table.

    One row per (stage, channel) cell with ``events``, ``customers`` (distinct journeys),
    ``touchpoints`` (the cell's touchpoints, most used first), ``mean_satisfaction`` of the
    journeys that passed through the cell (where measured) and, with ``outcome``,
    ``dropoff_rate``: the share of journeys through the cell whose last touchpoint was there
    and that did not reach the outcome. Without ``outcome`` nothing is a drop-off: the column
    is ``end_rate``, the share of journeys through the cell that ended there.
    ``attrs["measure"]`` is ``"dropoffs"`` or ``"ends"`` and ``attrs["rate"]`` names the
    rate column.
    """
    for role in ("stage", "channel"):
        if role not in (log.columns if isinstance(log, EngineLog) else log.events.columns):
            raise MissingColumnError(f"The journey matrix needs the {role} role; map it with "
                                     f"{role}_key= or give a touchpoint catalogue.")
    if isinstance(log, EngineLog):
        if outcome is not None or instrument is not None:
            raise InvalidInputError("journey_matrix on an engine's log counts events, "
                                    "customers and ends; for drop-offs by outcome or "
                                    "satisfaction use log.sample() (in memory).")
        cells, tops = log.matrix(unmapped=UNMAPPED)
        return _matrix_table(cells, tops, stage_order(log), None)
    ev = log.events
    stage = ev["stage"].cat.codes.to_numpy().astype(np.int64)
    chan = ev["channel"].cat.codes.to_numpy().astype(np.int64)
    S, C = len(ev["stage"].cat.categories), len(ev["channel"].cat.categories)
    ok = (stage >= 0) & (chan >= 0)
    cell = np.where(ok, stage * C + chan, S * C)  # S*C collects unmapped events
    n_cells = S * C + 1
    events = np.bincount(cell, minlength=n_cells)
    customers = distinct_count(cell, log.case_codes, n_cells)
    last = log.case_offsets[1:] - 1
    conv = case_outcome(log, outcome)
    ended = np.ones(log.n_cases, bool) if conv is None else ~conv
    stages = np.array(list(ev["stage"].cat.categories) + [UNMAPPED], dtype=object)
    chans = np.array(list(ev["channel"].cat.categories) + [UNMAPPED], dtype=object)
    names = (stages[np.minimum(np.arange(n_cells) // C, S)],
             np.where(np.arange(n_cells) < S * C, chans[np.arange(n_cells) % C], UNMAPPED))
    cells = pd.DataFrame({"stage": names[0], "channel": names[1], "events": events,
                          "customers": customers,
                          "ends": np.bincount(cell[last][ended], minlength=n_cells)})
    sat = case_satisfaction(log, instrument)
    if sat is not None:
        key = pd.DataFrame({"cell": cell, "case": log.case_codes}).drop_duplicates()
        key["sat"] = sat[key["case"].to_numpy()]
        cells["mean_satisfaction"] = (key.groupby("cell")["sat"].mean()
                                      .reindex(np.arange(n_cells)).to_numpy())
    # events of each (cell, touchpoint), counted over the codes (no text per event)
    A = log.n_activities
    pair = np.bincount(cell * A + log.activity_codes, minlength=n_cells * A)
    seen = np.flatnonzero(pair)
    tops = pd.DataFrame({"stage": names[0][seen // A], "channel": names[1][seen // A],
                         "activity": np.asarray(log.activities, dtype=object)[seen % A],
                         "events": pair[seen]})
    return _matrix_table(cells[cells["events"] > 0], tops, stage_order(log), outcome)


#: The cell of events without a stage or a channel.
UNMAPPED = "(unmapped)"


def _matrix_table(cells: pd.DataFrame, tops: pd.DataFrame, order: list[str],
                  outcome: Any) -> pd.DataFrame:
    """The journey map from its cells (``stage, channel, events, customers, ends``) and
    their touchpoints (``stage, channel, activity, events``): each cell's rate and four
    most used touchpoints (ties by name), in stage order."""
    rate = ending_columns(outcome)[1]
    rows = cells.astype({"events": "int64", "customers": "int64"}).copy()
    rows.insert(4, rate, rows.pop("ends") / np.maximum(rows["customers"], 1))
    tops = tops.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    listed = tops.groupby(["stage", "channel"], sort=False)["activity"].agg(
        lambda a: ", ".join(map(str, a.iloc[:4])))
    rows["touchpoints"] = [listed.get((st, ch), "") for st, ch in
                           zip(rows["stage"], rows["channel"])]
    rows["stage"] = pd.Categorical(  # a stage of the log's own may carry the name
        rows["stage"].astype(str), categories=list(dict.fromkeys(order + [UNMAPPED])),
        ordered=True)
    rows["channel"] = rows["channel"].astype(str).astype(object)
    rows = rows.sort_values(["stage", "channel"], kind="stable").reset_index(drop=True)
    rows.attrs.update(ending_attrs(outcome), rate=rate)
    return rows


# ----------------------------------------------------------------------------- funnels
def compute_funnel(log: EventLog, steps: Sequence[str | Sequence[str]], *,
                   on: str = "activity", by: str | None = None) -> pd.DataFrame:
    """Ordered funnel: how many journeys reach each step after the previous one.

    Parameters
    ----------
    steps : list
        Touchpoints (``on="activity"``) or stages (``on="stage"``); an item may be a
        list of alternatives (any of them counts).
    by : str, optional
        A case-level column to break the funnel down by (e.g. ``"segment"``).

    Returns
    -------
    DataFrame with ``step, name, customers, conversion_from_previous, conversion_from_start,
    median_time_s, p90_time_s`` (time from the previous step), plus ``by``'s column.
    """
    _check_on(log, on)
    _check_list(steps)
    if len(steps) < 2:
        raise InvalidInputError("A funnel needs at least two steps.")
    groups = [[step] if isinstance(step, str) else list(step) for step in steps]
    if isinstance(log, EngineLog):
        if by is not None:
            raise InvalidInputError("A funnel by a journey-level column needs the journeys "
                                    "in memory: use log.sample().")
        _check_steps(groups, set(log.distinct(on)), on)
        got = log.funnel(groups, on=on).set_index("step")
        counts = got["customers"].astype(int).tolist()
        times = [(got.loc[k + 1, "median_time_s"], got.loc[k + 1, "p90_time_s"])
                 for k in range(len(groups))]
        return pd.DataFrame(_funnel_rows(groups, counts, times))
    col = log.events[on].astype(object).to_numpy()
    _check_steps(groups, set(pd.unique(col)), on)
    cases = _case_groups(log, by)
    state, stats = _funnel_start(log), []
    for names in groups:
        state = _funnel_step(log, col, names, state)
        stats.append(_step_stats(state, cases))
    return _funnel_table(groups, stats, cases, by)


def compute_funnels(log: EventLog, steps: Sequence[str], *, on: str = "activity",
                    by: str | None = None, min_steps: int = 2
                    ) -> dict[tuple[str, ...], pd.DataFrame]:
    """Every funnel over ``steps`` kept in their order: ``{subset: compute_funnel(log,
    list(subset), on=on, by=by)}`` for each subset of at least ``min_steps`` steps, with
    the work of each shared prefix done once (the funnels of 7 steps cost about as much
    as 127 single steps, not 448). An explorer's page offers every such funnel.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    >>> steps = jl.stage_order(log)[:3]
    >>> all_ = compute_funnels(log, steps, on="stage")
    >>> len(all_), all_[tuple(steps)].equals(jl.compute_funnel(log, steps, on="stage"))
    (4, True)
    """
    _check_list(steps)
    steps = [str(s) for s in steps]
    _check_on(log, on)
    col = log.events[on].astype(object).to_numpy()
    _check_steps([[s] for s in steps], set(pd.unique(col)), on)
    out: dict[tuple[str, ...], pd.DataFrame] = {}
    cases = _case_groups(log, by)

    def grow(start: int, chosen: list[int], state, stats: list) -> None:
        for i in range(start, len(steps)):
            nxt = _funnel_step(log, col, [steps[i]], state)
            path, more = chosen + [i], stats + [_step_stats(nxt, cases)]
            if len(path) >= max(min_steps, 1):
                out[tuple(steps[j] for j in path)] = _funnel_table(
                    [[steps[j]] for j in path], more, cases, by)
            grow(i + 1, path, nxt, more)

    grow(0, [], _funnel_start(log), [])
    return out


def _check_list(steps: Any) -> None:
    """Steps are a list: a text given alone is not read as its characters."""
    if isinstance(steps, str):
        raise InvalidInputError(f"steps must be a list of touchpoints or stages, not the text "
                                f"{steps!r}. Fix: steps=[{steps!r}, ...], at least two.")


def _check_on(log: EventLog | EngineLog, on: str) -> None:
    if on not in ("activity", "stage"):
        raise InvalidInputError(f"on must be 'activity' or 'stage', not {on!r}.")
    columns = log.columns if isinstance(log, EngineLog) else log.events.columns
    if on == "stage" and "stage" not in columns:
        raise MissingColumnError("A stage funnel needs the stage role (stage_key=).")


def _funnel_start(log: EventLog) -> tuple[np.ndarray, np.ndarray, None]:
    """Before the first step: every journey alive, no event of it used yet."""
    return np.full(log.n_cases, -1, np.int64), np.ones(log.n_cases, bool), None


def _funnel_step(log: EventLog, col: np.ndarray, names: list, state: tuple
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One more step: (the event, by its place in the log, at which each journey reached
    it; whether it did; its wait in seconds from the previous step). A step is reached by
    an event after the one that reached the previous step, in the log's order (time,
    then source row): one event never counts for two steps."""
    reached, alive, _ = state
    pos = np.arange(log.n_events)
    hit = np.flatnonzero(np.isin(col, names) & (pos > reached[log.case_codes])
                         & alive[log.case_codes])
    # the log is in journey order: each journey's first hit is where its hits start
    journeys = log.case_codes[hit]
    first_of = run_starts(journeys)
    now = np.zeros(log.n_cases, bool)
    now[journeys[first_of]] = True
    event = reached.copy()
    event[journeys[first_of]] = hit[first_of]
    wait = np.full(log.n_cases, np.nan)
    t = log.timestamps_ns
    came = now & (reached >= 0)
    wait[came] = (t[event[came]] - t[reached[came]]) / 1e9
    return event, now, wait


def _step_stats(state: tuple, cases: list[tuple[Any, np.ndarray]]
                ) -> list[tuple[int, float, float]]:
    """Per journey group: journeys that reached the step, median and 90th percentile wait."""
    _, mask, wait = state
    out = []
    for _, g_mask in cases:
        m = mask & g_mask
        out.append((int(m.sum()), float(np.median(wait[m])), float(np.quantile(wait[m], 0.9)))
                   if m.any() else (0, np.nan, np.nan))
    return out


def _funnel_table(groups: list[list[Any]], stats: list, cases: list[tuple[Any, np.ndarray]],
                  by: str | None) -> pd.DataFrame:
    rows = []
    for g, (g_name, _) in enumerate(cases):
        counts = [step[g][0] for step in stats]
        times = [step[g][1:] for step in stats]
        rows += [{by: g_name, **row} if by else row
                 for row in _funnel_rows(groups, counts, times)]
    return pd.DataFrame(rows)


def _check_steps(groups: list[list[Any]], present: set, on: str) -> None:
    for names in groups:
        unknown = [n for n in names if n not in present]
        if unknown:
            raise InvalidInputError(f"Funnel step {unknown[0]!r} is not a {on} of this log.")


def _funnel_rows(groups: list[list[Any]], counts: list[int],
                 times: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """The funnel's rows from the journeys reaching each step and the median and 90th
    percentile wait from the previous step (none for the first)."""
    return [{"step": k + 1, "name": " | ".join(map(str, names)), "customers": counts[k],
             "conversion_from_previous": counts[k] / max(counts[k - 1], 1) if k else np.nan,
             "conversion_from_start": counts[k] / max(counts[0], 1),
             "median_time_s": float(times[k][0]) if k and counts[k] else np.nan,
             "p90_time_s": float(times[k][1]) if k and counts[k] else np.nan}
            for k, names in enumerate(groups)]


def default_funnel_steps(log: EventLog, n: int = 4) -> tuple[list[str], str]:
    """Sensible funnel steps when none are given: the stages in journey order, or else the
    first ``n`` distinct touchpoints of the most frequent multi-step path. Returns
    ``(steps, on)``."""
    engine = isinstance(log, EngineLog)
    if (log.has("stage") and log.distinct("stage")) if engine else \
            ("stage" in log.events.columns and log.events["stage"].notna().any()):
        return stage_order(log)[:n], "stage"
    return list(dict.fromkeys(_top_path(log)))[:n], "activity"


def _top_path(log: EventLog | EngineLog) -> list[str]:
    """The touchpoints of the first path of :func:`get_variants` with more than one step
    (else the first path), read from the codes: a touchpoint's name may hold the text's
    separator, so the text is never split."""
    if isinstance(log, EngineLog):
        table, codes, names = log.paths()
        starts = np.r_[0, np.cumsum(table["length"].to_numpy(dtype=np.int64))]
        steps = [list(names[codes[a:b]]) for a, b in zip(starts[:-1], starts[1:])]
        order = sorted(range(len(steps)), key=lambda i: (-int(table["cases"].iloc[i]),
                                                         SEP.join(map(path_label, steps[i]))))
        longer = [i for i in order if len(steps[i]) > 1]
        return [str(a) for a in steps[(longer or order)[0]]]
    ranked = ranked_variants(log)  # get_variants' order, as conformance reads it
    first = ranked.first[ranked.order]
    longer = np.flatnonzero(log.case_lengths[first] > 1)
    return list(variant_paths(log, first[longer[:1] if len(longer) else [0]])[0])


def _case_groups(log: EventLog, by: str | None) -> list[tuple[Any, np.ndarray]]:
    if by is None:
        return [(None, np.ones(log.n_cases, bool))]
    cases = log.case_table()
    if by not in cases.columns:
        raise MissingColumnError(f"{by!r} is not a journey-level column; journey-level columns "
                                 f"are {list(cases.columns)}.")
    values = cases[by].astype(object).to_numpy()
    return [(v, values == v) for v in sorted(pd.unique(values), key=str)]


# ----------------------------------------------------------------------------- step matrix
def step_matrix(log: EventLog, *, max_steps: int = 10, anchor: str | None = None,
                before: int = 3) -> pd.DataFrame:
    """Share of journeys at each touchpoint at each step (rows touchpoints, columns steps).

    Step 1 is the first event; ``"(ended)"`` holds journeys already over. With ``anchor``,
    steps count from the anchor's first occurrence (negative before it, 0 at it), for the
    journeys that contain it; ``before`` steps are shown before the anchor, where
    ``"(not started)"`` holds the journeys with fewer steps before their anchor.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "a", "b"],
    ...     "activity": ["x", "y", "z", "z"], "timestamp": pd.date_range("2024-01-01",
    ...     periods=4, freq="h")}))
    >>> step_matrix(log, max_steps=2, anchor="z", before=2).loc[
    ...     ["(not started)", "(ended)"]].to_dict("list")
    {-2: [0.5, 0.0], -1: [0.5, 0.0], 0: [0.0, 0.0], 1: [0.0, 1.0]}
    """
    pos = np.arange(log.n_events) - np.repeat(log.case_offsets[:-1], log.case_lengths)
    n = log.n_cases
    cases_mask = np.ones(n, bool)
    if anchor is not None:
        code = np.flatnonzero(log.activities == anchor)
        if not len(code):
            raise InvalidInputError(f"Anchor {anchor!r} is not a touchpoint of this log.")
        hit = log.activity_codes == code[0]
        first = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first, log.case_codes[hit], pos[hit])
        cases_mask = first < np.iinfo(np.int64).max
        rel = pos - np.where(cases_mask, first, 0)[log.case_codes]
        steps = list(range(-before, max_steps))
        keep = cases_mask[log.case_codes] & (rel >= -before) & (rel < max_steps)
        step_of, denom = rel[keep], int(cases_mask.sum())
    else:
        steps = list(range(1, max_steps + 1))
        keep = pos < max_steps
        step_of, denom = pos[keep] + 1, n
    if denom == 0:
        raise InvalidInputError(f"No journey contains the anchor {anchor!r}." if anchor is not None
                                else "The log has no journeys (a filter left none?).")
    labels = np.asarray(log.activities, dtype=object)
    tab = pd.crosstab(labels[log.activity_codes[keep]], step_of)
    tab = tab.reindex(columns=steps, fill_value=0) / denom
    rest = 1 - tab.sum(axis=0)
    if anchor is not None:  # before its anchor a journey has not started yet, never ended
        tab.loc["(not started)"] = rest.where(rest.index < 0, 0.0)
        rest = rest.where(rest.index >= 0, 0.0)
    tab.loc["(ended)"] = rest
    tab.index.name, tab.columns.name = "touchpoint", "step"
    tab.attrs["share_of"] = denom  # the journeys each share is of (a shared report's k)
    return tab
