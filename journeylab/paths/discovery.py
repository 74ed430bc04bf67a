"""Discover the paths customers actually take: DFG, variants, journey matrix, funnels,
step matrix, loops, drop-offs, dead points and comparisons.

Every function takes an :class:`~journeylab.core.log.EventLog` and returns tidy DataFrames. The
heavy passes (pairs of consecutive events, per-case sequences, in
:mod:`journeylab.core.journeys`) are vectorised numpy over the log's sorted, encoded arrays;
nothing loops over cases in Python except variant keys.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, MissingColumnError
from ..core.journeys import (SEP, case_outcome, case_satisfaction, distinct_count, group_order,
                       group_quantiles, pairs, variant_ids, variant_order, variant_text)
from ..core.log import EventLog

__all__ = [
    "discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "get_variants", "cover_variants",
    "journey_matrix", "compute_funnel", "step_matrix", "find_loops", "find_dropoffs",
    "find_dead_points", "compare_logs", "journey_rework",
    "stage_order", "STAGE_ORDER", "default_funnel_steps",
]


#: Journey stages in the order customers go through them (practice's usual names).
STAGE_ORDER = ("awareness", "discovery", "consideration", "evaluation", "decision", "purchase",
               "delivery", "onboarding", "usage", "service", "support", "retention", "loyalty",
               "advocacy")


def stage_order(log: EventLog) -> list[str]:
    """The log's stages in journey order: a declared order if the stage column has one,
    else the usual stage vocabulary (:data:`STAGE_ORDER`), unknown stages last (A-Z)."""
    col = log.events["stage"]
    cats = [str(c) for c in col.cat.categories]
    if col.cat.ordered:
        return cats
    rank = {s: i for i, s in enumerate(STAGE_ORDER)}
    return sorted(cats, key=lambda c: (rank.get(c.lower(), len(rank)), c))


# ----------------------------------------------------------------------------- DFG
@dataclass
class DirectlyFollowsGraph:
    """A directly-follows graph with frequency and time.

    Attributes
    ----------
    edges : DataFrame
        ``source, target, events, cases, mean_s, median_s, p90_s``: one row per pair of
        touchpoints that follow each other directly, most frequent first.
    nodes : DataFrame
        ``activity, events, cases, starts, ends``.
    n_cases : int
        Journeys in the log the graph was discovered from.
    """

    edges: pd.DataFrame
    nodes: pd.DataFrame
    n_cases: int

    @property
    def start_activities(self) -> dict[str, int]:
        s = self.nodes[self.nodes["starts"] > 0]
        return dict(zip(s["activity"], s["starts"].astype(int)))

    @property
    def end_activities(self) -> dict[str, int]:
        s = self.nodes[self.nodes["ends"] > 0]
        return dict(zip(s["activity"], s["ends"].astype(int)))

    def to_dict(self) -> dict[tuple[str, str], int]:
        """``{(source, target): events}``, the form of ``pm4py.discover_dfg``."""
        return {(a, b): int(n) for a, b, n in zip(self.edges["source"], self.edges["target"],
                                                   self.edges["events"])}

    def to_pm4py(self):
        """A ``pm4py`` DFG object (for the inductive miner on big logs)."""
        from pm4py.objects.dfg.obj import DFG

        return DFG(self.to_dict(), self.start_activities, self.end_activities)


def discover_dfg(log: EventLog) -> DirectlyFollowsGraph:
    """Discover the directly-follows graph with frequency and time overlays.

    Edge counts, start and end counts equal ``pm4py.discover_dfg``'s; times are the
    seconds between the two events (``pm4py.discover_performance_dfg``'s measure).

    Examples
    --------
    >>> import pandas as pd
    >>> from journeylab import read_events
    >>> log = read_events(pd.DataFrame({"case_id": ["a", "a", "a"],
    ...     "activity": ["x", "y", "x"], "timestamp": ["2024-01-01 10:00",
    ...     "2024-01-01 10:01", "2024-01-01 10:03"]}))
    >>> discover_dfg(log).edges[["source", "target", "events", "median_s"]].to_dict("records")
    [{'source': 'x', 'target': 'y', 'events': 1, 'median_s': 60.0}, {'source': 'y', 'target': 'x', 'events': 1, 'median_s': 120.0}]
    """  # noqa: E501
    A = log.n_activities
    src, dst, dt, case = pairs(log)
    edge = src * A + dst
    events = np.bincount(edge, minlength=A * A)
    present = np.flatnonzero(events)
    dense = np.full(A * A, -1, np.int32)
    dense[present] = np.arange(len(present))
    edge = dense[edge]  # dense edge ids, so one radix sort serves counts and quantiles
    order = group_order(edge, len(present))
    cases = distinct_count(edge, case, len(present), order)
    total = np.bincount(edge, weights=dt, minlength=len(present))
    qs = group_quantiles(edge, dt, len(present), (0.5, 0.9), order)
    labels = np.asarray(log.activities, dtype=object)
    edges = pd.DataFrame({
        "source": labels[present // A], "target": labels[present % A],
        "events": events[present], "cases": cases,
        "mean_s": total / np.maximum(events[present], 1), "median_s": qs[:, 0], "p90_s": qs[:, 1],
    })
    edges = edges.sort_values(["events", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    first, last = log.case_offsets[:-1], log.case_offsets[1:] - 1
    act = log.activity_codes.astype(np.int64)
    nodes = pd.DataFrame({
        "activity": labels,
        "events": np.bincount(act, minlength=A),
        "cases": distinct_count(act, log.case_codes, A),
        "starts": np.bincount(act[first], minlength=A),
        "ends": np.bincount(act[last], minlength=A),
    }).sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    return DirectlyFollowsGraph(edges, nodes.reset_index(drop=True), log.n_cases)


def filter_dfg(log: EventLog, *, activity_coverage: float = 1.0, path_coverage: float = 1.0,
               min_edge_share: float = 0.0, min_customers: int = 1) -> DirectlyFollowsGraph:
    """A simplified map, as Disco's two sliders make it.

    ``activity_coverage`` keeps the most frequent touchpoints that together hold that share
    of events; the others are removed from the journeys (their neighbours then follow each
    other directly). ``path_coverage`` keeps the most frequent edges that together hold that
    share of transitions, plus each kept touchpoint's strongest incoming and outgoing edge,
    so nothing is left floating. ``min_edge_share`` drops edges that are less than that share
    of *both* their source's outgoing and their target's incoming transitions: stray
    transitions (logging noise, one-off detours) rather than paths (0.01 recovers the
    synthetic generator's process with precision and recall above 0.95). Edges seen in fewer
    than ``min_customers`` journeys are dropped; so are touchpoints met by fewer, and start and
    end counts under it (a shared map then shows nothing about fewer than ``min_customers``
    customers).
    """
    for name, v in (("activity_coverage", activity_coverage), ("path_coverage", path_coverage)):
        if not 0 < v <= 1:
            raise InvalidInputError(f"{name} must be in (0, 1], got {v}.")
    full = discover_dfg(log)
    nodes = full.nodes
    if activity_coverage < 1:
        share = nodes["events"].cumsum() / nodes["events"].sum()
        keep = nodes["activity"][(share.shift(fill_value=0) < activity_coverage)].tolist()
        full = discover_dfg(log.filter_activities(keep))
    edges = full.edges[full.edges["cases"] >= min_customers]
    if min_customers > 1:
        nodes = full.nodes[full.nodes["cases"] >= min_customers].copy()
        for end in ("starts", "ends"):
            nodes[end] = nodes[end].where(nodes[end] >= min_customers, 0)
        edges = edges[edges["source"].isin(nodes["activity"]) &
                      edges["target"].isin(nodes["activity"])]
        full = DirectlyFollowsGraph(full.edges, nodes.reset_index(drop=True), full.n_cases)
    if min_edge_share > 0 and len(edges):
        out = edges.groupby("source")["events"].transform("sum")
        inn = edges.groupby("target")["events"].transform("sum")
        edges = edges[np.minimum(edges["events"] / out, edges["events"] / inn) >= min_edge_share]
    if path_coverage < 1 and len(edges):
        share = edges["events"].cumsum() / edges["events"].sum()
        kept = share.shift(fill_value=0) < path_coverage
        strongest = set(edges.groupby("source", sort=False).head(1).index) | \
            set(edges.groupby("target", sort=False).head(1).index)
        edges = edges[kept | edges.index.isin(strongest)]
    return DirectlyFollowsGraph(edges.reset_index(drop=True), full.nodes, full.n_cases)


# ----------------------------------------------------------------------------- variants
def get_variants(log: EventLog, *, outcome: str | Sequence[str] | None = None,
                 instrument: str | None = None) -> pd.DataFrame:
    """Every distinct path with its journeys, share, cumulative share and duration.

    Columns: ``variant`` (touchpoints joined by `` > ``), ``length``, ``cases``, ``share``,
    ``cum_share``, ``median_duration_s``; ``conversion`` when ``outcome`` is given (see
    :func:`case_outcome`) and ``mean_satisfaction`` when the log has scores. Most frequent
    first; ties by path text, so the order is the same on every run.
    """
    ids, first_case = variant_ids(log)
    n_var = len(first_case)
    cases = np.bincount(ids, minlength=n_var)
    first, last = log.case_offsets[:-1], log.case_offsets[1:] - 1
    dur = (log.timestamps_ns[last] - log.timestamps_ns[first]) / 1e9
    out = pd.DataFrame({
        "variant": variant_text(log, first_case),
        "length": log.case_lengths[first_case],
        "cases": cases,
        "median_duration_s": group_quantiles(ids, dur, n_var, (0.5,))[:, 0],
    })
    conv = case_outcome(log, outcome)
    if conv is not None:
        out["conversion"] = np.bincount(ids, weights=conv, minlength=n_var) / cases
    sat = case_satisfaction(log, instrument)
    if sat is not None:
        has = ~np.isnan(sat)
        n = np.bincount(ids[has], minlength=n_var)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_satisfaction"] = np.bincount(ids[has], weights=sat[has],
                                                   minlength=n_var) / n
        out["satisfaction_answers"] = n
    out = out.iloc[variant_order(cases, out["variant"].to_numpy())]
    out.insert(3, "share", out["cases"] / log.n_cases)
    out.insert(4, "cum_share", out["share"].cumsum())
    return out.reset_index(drop=True)


def cover_variants(variants: pd.DataFrame, coverage: float = 0.8) -> pd.DataFrame:
    """The smallest set of most frequent variants covering ``coverage`` of journeys."""
    if not 0 < coverage <= 1:
        raise InvalidInputError(f"coverage must be in (0, 1], got {coverage}.")
    n = int(np.searchsorted(variants["cum_share"].to_numpy(), coverage - 1e-12) + 1)
    return variants.head(n)


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
        if role not in log.events.columns:
            raise MissingColumnError(f"The journey matrix needs the {role} role; map it with "
                                     f"{role}_key= or give a touchpoint catalogue.")
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
    endings = np.bincount(cell[last][ended], minlength=n_cells)
    sat = case_satisfaction(log, instrument)
    rate = _ending_columns(outcome)[1]
    rows = pd.DataFrame({"cell": np.arange(n_cells), "events": events, "customers": customers,
                         rate: endings / np.maximum(customers, 1)})
    if sat is not None:
        key = pd.DataFrame({"cell": cell, "case": log.case_codes}).drop_duplicates()
        key["sat"] = sat[key["case"].to_numpy()]
        rows["mean_satisfaction"] = (key.groupby("cell")["sat"].mean().reindex(rows["cell"])
                                     .to_numpy())
    tp = pd.DataFrame({"cell": cell, "activity": ev["activity"].astype(object)})
    tops = tp.groupby("cell")["activity"].agg(lambda s: ", ".join(s.value_counts().index[:4]))
    rows["touchpoints"] = tops.reindex(rows["cell"]).fillna("").to_numpy()
    rows = rows[rows["events"] > 0].copy()
    stages = list(ev["stage"].cat.categories) + ["(unmapped)"]
    chans = list(ev["channel"].cat.categories) + ["(unmapped)"]
    ordered = stage_order(log) + ["(unmapped)"]
    rows.insert(0, "stage", pd.Categorical(
        [stages[c // C] if c < S * C else "(unmapped)" for c in rows["cell"]],
        categories=ordered, ordered=True))
    rows.insert(1, "channel", [chans[c % C] if c < S * C else "(unmapped)" for c in rows["cell"]])
    rows = rows.drop(columns="cell").sort_values(["stage", "channel"], kind="stable")
    rows = rows.reset_index(drop=True)
    rows.attrs.update(_ending_attrs(outcome), rate=rate)
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
    if on not in ("activity", "stage"):
        raise InvalidInputError(f"on must be 'activity' or 'stage', not {on!r}.")
    if on == "stage" and "stage" not in log.events.columns:
        raise MissingColumnError("A stage funnel needs the stage role (stage_key=).")
    if len(steps) < 2:
        raise InvalidInputError("A funnel needs at least two steps.")
    col = log.events[on].astype(object).to_numpy()
    present = set(pd.unique(col))
    t = log.timestamps_ns
    never = np.iinfo(np.int64).max
    reached = np.full(log.n_cases, np.iinfo(np.int64).min)  # time each journey reached the step
    alive = np.ones(log.n_cases, bool)
    step_masks, waits, names_of = [], [], []
    for step in steps:
        names = [step] if isinstance(step, str) else list(step)
        unknown = [n for n in names if n not in present]
        if unknown:
            raise InvalidInputError(f"Funnel step {unknown[0]!r} is not a {on} of this log.")
        hit = np.isin(col, names) & (t >= reached[log.case_codes]) & alive[log.case_codes]
        first = np.full(log.n_cases, never)
        np.minimum.at(first, log.case_codes[hit], t[hit])
        now = first < never
        waits.append((first - reached) / 1e9)
        step_masks.append(now)
        names_of.append(" | ".join(map(str, names)))
        reached, alive = np.where(now, first, reached), now
    rows = []
    for g_name, g_mask in _case_groups(log, by):
        counts = [int((m & g_mask).sum()) for m in step_masks]
        for k, (m, w) in enumerate(zip(step_masks, waits)):
            sel = w[m & g_mask]
            row = {"step": k + 1, "name": names_of[k], "customers": counts[k],
                   "conversion_from_previous": counts[k] / max(counts[k - 1], 1) if k else np.nan,
                   "conversion_from_start": counts[k] / max(counts[0], 1),
                   "median_time_s": float(np.median(sel)) if k and len(sel) else np.nan,
                   "p90_time_s": float(np.quantile(sel, 0.9)) if k and len(sel) else np.nan}
            rows.append({by: g_name, **row} if by else row)
    return pd.DataFrame(rows)


def default_funnel_steps(log: EventLog, n: int = 4) -> tuple[list[str], str]:
    """Sensible funnel steps when none are given: the stages in journey order, or else the
    first ``n`` distinct touchpoints of the most frequent multi-step path. Returns
    ``(steps, on)``."""
    if "stage" in log.events.columns and log.events["stage"].notna().any():
        return stage_order(log)[:n], "stage"
    variants = get_variants(log)
    longer = variants[variants["length"] > 1]
    path = (longer if len(longer) else variants)["variant"].iloc[0].split(SEP)
    return list(dict.fromkeys(path))[:n], "activity"


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
    journeys that contain it; ``before`` steps are shown before the anchor.
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
        raise InvalidInputError(f"No journey contains the anchor {anchor!r}.")
    labels = np.asarray(log.activities, dtype=object)
    tab = pd.crosstab(labels[log.activity_codes[keep]], step_of)
    tab = tab.reindex(columns=steps, fill_value=0) / denom
    tab.loc["(ended)"] = 1 - tab.sum(axis=0)
    tab.index.name, tab.columns.name = "touchpoint", "step"
    return tab


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
    if log.n_events >= 3:
        c = log.case_codes
        same3 = (c[2:] == c[:-2])
        a0, a1, a2 = act[:-2][same3], act[1:-1][same3], act[2:][same3]
        hp = (a0 == a2) & (a0 != a1)
        hairpins = np.bincount(a0[hp], minlength=A)
        hairpin_cases = distinct_count(a0[hp], c[:-2][same3][hp].astype(np.int64), A)
    else:
        hairpins = hairpin_cases = np.zeros(A, np.int64)
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


def journey_rework(log: EventLog) -> pd.DataFrame:
    """Per journey: events, distinct touchpoints, repeats, self-loops, hairpins and
    channel switches (consecutive events on different channels)."""
    n = log.n_cases
    src, dst, _, case = pairs(log)
    out = pd.DataFrame({"case_id": np.asarray(log.cases, dtype=object),
                        "events": log.case_lengths})
    key = pd.unique(log.case_codes.astype(np.int64) * log.n_activities + log.activity_codes)
    out["distinct_touchpoints"] = np.bincount(key // log.n_activities, minlength=n)
    out["repeats"] = out["events"] - out["distinct_touchpoints"]
    out["self_loops"] = np.bincount(case[src == dst], minlength=n)
    if "channel" in log.events.columns:
        ch = log.events["channel"].cat.codes.to_numpy()
        same = log.case_codes[1:] == log.case_codes[:-1]
        switch = same & (ch[1:] != ch[:-1])
        out["channel_switches"] = np.bincount(log.case_codes[:-1][switch], minlength=n)
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
    count, rate, share = _ending_columns(outcome)
    out = pd.DataFrame({"touchpoint": np.asarray(log.activities, dtype=object), "reach": reach,
                        count: drops, rate: drops / np.maximum(reach, 1),
                        share: drops / max(int(lost.sum()), 1)})
    out = out.sort_values([count, "touchpoint"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    out.attrs.update(_ending_attrs(outcome))
    return out


def _ending_columns(outcome: Any) -> tuple[str, str, str]:
    """Column names of endings: drop-offs with an outcome, plain ends without one."""
    if outcome is None:
        return "ends", "end_rate", "share_of_ends"
    return "dropoffs", "dropoff_rate", "share_of_dropoffs"


def _ending_attrs(outcome: Any) -> dict[str, str]:
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


# ----------------------------------------------------------------------------- compare
def compare_logs(a: EventLog, b: EventLog, *, labels: tuple[str, str] = ("a", "b"),
                 top: int = 20) -> dict[str, pd.DataFrame]:
    """What changed between two segments or periods.

    Returns ``{"edges": ..., "variants": ..., "kpis": ...}``: edges and variants with the
    share of journeys in each log, the difference in points and median times, and
    ``cases``, the journeys on them in both logs together.
    """
    la, lb = labels
    ea, eb = discover_dfg(a).edges, discover_dfg(b).edges
    for e, log in ((ea, a), (eb, b)):
        e["share"] = e["cases"] / max(log.n_cases, 1)
    edges = ea[["source", "target", "share", "median_s", "cases"]].merge(
        eb[["source", "target", "share", "median_s", "cases"]], on=["source", "target"],
        how="outer", suffixes=(f"_{la}", f"_{lb}"))
    edges[[f"share_{la}", f"share_{lb}"]] = edges[[f"share_{la}", f"share_{lb}"]].fillna(0.0)
    # seconds end in _s, so every report shows them as durations
    edges = edges.rename(columns={f"median_s_{la}": f"median_{la}_s",
                                  f"median_s_{lb}": f"median_{lb}_s"})
    edges.insert(2, "cases", (edges.pop(f"cases_{la}").fillna(0)
                              + edges.pop(f"cases_{lb}").fillna(0)).astype(np.int64))
    edges["share_diff"] = edges[f"share_{lb}"] - edges[f"share_{la}"]
    edges = edges.reindex(edges["share_diff"].abs().sort_values(ascending=False,
                                                                 kind="stable").index)
    va, vb = get_variants(a), get_variants(b)
    variants = va[["variant", "share", "cases"]].merge(
        vb[["variant", "share", "cases"]], on="variant", how="outer",
        suffixes=(f"_{la}", f"_{lb}")).fillna(0.0)
    variants.insert(1, "cases", (variants.pop(f"cases_{la}")
                                 + variants.pop(f"cases_{lb}")).astype(np.int64))
    variants["share_diff"] = variants[f"share_{lb}"] - variants[f"share_{la}"]
    variants = variants.reindex(variants["share_diff"].abs().sort_values(
        ascending=False, kind="stable").index)
    ka, kb = (a.case_table(), b.case_table())
    kpis = pd.DataFrame({
        "metric": ["journeys", "events per journey (median)", "duration days (median)",
                   "variants"],
        la: [a.n_cases, ka["n_events"].median(), ka["duration_s"].median() / 86_400, len(va)],
        lb: [b.n_cases, kb["n_events"].median(), kb["duration_s"].median() / 86_400, len(vb)],
    })
    return {"edges": edges.head(top).reset_index(drop=True),
            "variants": variants.head(top).reset_index(drop=True), "kpis": kpis}
