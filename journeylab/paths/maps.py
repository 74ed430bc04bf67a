"""The map of the paths customers actually take: the directly-follows graph with frequency
and time (:func:`discover_dfg`), simplified as Disco's sliders make it (:func:`filter_dfg`),
the variants (every distinct path) and the few that cover most journeys, and what changed
in the map and the variants between two logs (:func:`compare_logs`). Every function takes
an :class:`~journeylab.core.log.EventLog` and returns tidy DataFrames (or the graph); the
heavy passes (pairs of consecutive events, per-case sequences, in
:mod:`journeylab.core.journeys`) are vectorised numpy over the log's sorted, encoded
arrays; nothing loops over cases in Python except variant keys.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..core.journeys import (distinct_count, group_order, group_quantiles, pairs, variant_ids,
                             variant_keys, variant_order, variant_text)
from ..core.cases import case_outcome, case_satisfaction
from ..core.engine import EngineLog
from ..core.log import EventLog
from ..core.threads import side_by_side

__all__ = ["discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "covered_activities",
           "simplify_dfg", "get_variants", "cover_variants", "compare_logs"]


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


def discover_dfg(log: EventLog | EngineLog) -> DirectlyFollowsGraph:
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
    if isinstance(log, EngineLog):
        edges, nodes = log.dfg()
        return _graph(edges, nodes, log.n_cases)
    edges, nodes = side_by_side(lambda: _edge_table(log), lambda: _node_table(log))
    return _graph(edges, nodes, log.n_cases)


def _edge_table(log: EventLog) -> pd.DataFrame:
    """The DFG's edges; the times' quantiles are taken on a second core while the journeys
    per edge are counted."""
    A = log.n_activities
    edge, dst, dt, case = pairs(log)
    edge *= A  # src * A + dst, in the pairs' own array (less held beside the second core)
    edge += dst
    del dst
    events = np.bincount(edge, minlength=A * A)
    present = np.flatnonzero(events)
    dense = np.full(A * A, -1, edge.dtype)
    dense[present] = np.arange(len(present))
    # dense edge ids, so one radix sort serves counts and quantiles (each id read, then
    # overwritten, in place)
    np.take(dense, edge, out=edge, mode="clip")
    order = group_order(edge, len(present))
    (cases, total), qs = side_by_side(
        lambda: (distinct_count(edge, case, len(present), order),
                 np.bincount(edge, weights=dt, minlength=len(present))),
        lambda: group_quantiles(edge, dt, len(present), (0.5, 0.9), order))
    labels = np.asarray(log.activities, dtype=object)
    return pd.DataFrame({
        "source": labels[present // A], "target": labels[present % A],
        "events": events[present], "cases": cases,
        "mean_s": total / np.maximum(events[present], 1), "median_s": qs[:, 0], "p90_s": qs[:, 1],
    })


def _node_table(log: EventLog) -> pd.DataFrame:
    """The DFG's touchpoints: events, journeys, starts and ends."""
    A = log.n_activities
    first, last = log.case_offsets[:-1], log.case_offsets[1:] - 1
    act = log.activity_codes
    return pd.DataFrame({
        "activity": np.asarray(log.activities, dtype=object),
        "events": np.bincount(act, minlength=A),
        "cases": distinct_count(act, log.case_codes, A),
        "starts": np.bincount(act[first], minlength=A),
        "ends": np.bincount(act[last], minlength=A),
    })


def _graph(edges: pd.DataFrame, nodes: pd.DataFrame, n_cases: int) -> DirectlyFollowsGraph:
    """The graph from its edge and node tables, in the one order every engine gives."""
    counts = ["events", "cases"]
    edges = edges.astype({c: "int64" for c in counts}).astype(
        {c: "float64" for c in ("mean_s", "median_s", "p90_s")})
    nodes = nodes.astype({c: "int64" for c in counts + ["starts", "ends"]})
    edges = edges.sort_values(["events", "source", "target"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    nodes = nodes.sort_values(["events", "activity"], ascending=[False, True], kind="stable")
    return DirectlyFollowsGraph(edges, nodes.reset_index(drop=True), n_cases)


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
    if activity_coverage < 1:
        full = discover_dfg(log.filter_activities(covered_activities(full, activity_coverage)))
    return simplify_dfg(full, path_coverage=path_coverage, min_edge_share=min_edge_share,
                        min_customers=min_customers)


def covered_activities(dfg: DirectlyFollowsGraph, coverage: float) -> list[str]:
    """The most frequent touchpoints of ``dfg`` that together hold ``coverage`` of its
    events (the touchpoint that crosses the share included): the touchpoints
    :func:`filter_dfg` keeps for ``activity_coverage``.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> len(covered_activities(jl.discover_dfg(log), 0.5)) < log.n_activities
    True
    """
    nodes = dfg.nodes
    share = nodes["events"].cumsum() / nodes["events"].sum()
    return nodes["activity"][(share.shift(fill_value=0) < coverage)].tolist()


def simplify_dfg(dfg: DirectlyFollowsGraph, *, path_coverage: float = 1.0,
                 min_edge_share: float = 0.0, min_customers: int = 1) -> DirectlyFollowsGraph:
    """The edge filters of :func:`filter_dfg` (``path_coverage``, ``min_edge_share``,
    ``min_customers``) applied to a graph already discovered: ``filter_dfg(log, ...)`` is
    ``simplify_dfg(discover_dfg(log), ...)`` when every touchpoint is kept. Explorers use it
    to draw many maps of one log without discovering it again.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> a = simplify_dfg(jl.discover_dfg(log), path_coverage=0.5)
    >>> a.edges.equals(jl.filter_dfg(log, path_coverage=0.5).edges)
    True
    """
    if not 0 < path_coverage <= 1:
        raise InvalidInputError(f"path_coverage must be in (0, 1], got {path_coverage}.")
    full = dfg
    nodes = full.nodes
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
def get_variants(log: EventLog | EngineLog, *, outcome: str | Sequence[str] | None = None,
                 instrument: str | None = None, top: int | None = None) -> pd.DataFrame:
    """Every distinct path with its journeys, share, cumulative share and duration.

    Columns: ``variant`` (touchpoints joined by `` > ``), ``length``, ``cases``, ``share``,
    ``cum_share``, ``median_duration_s``; ``conversion`` when ``outcome`` is given (see
    :func:`case_outcome`) and ``mean_satisfaction`` when the log has scores. Most frequent
    first; ties by path text, so the order is the same on every run. With ``top``, the
    first ``top`` variants only (shares stay of all journeys). On an
    :class:`~journeylab.core.engine.EngineLog`, ``outcome`` and ``instrument`` are not
    taken (their columns need the journeys in memory: ``log.sample()``).
    """
    if isinstance(log, EngineLog):
        if outcome is not None or instrument is not None:
            raise InvalidInputError("get_variants on an engine's log gives paths, journeys "
                                    "and durations; for conversion or satisfaction by "
                                    "variant use log.sample() (in memory).")
        out = log.variants(top=top).astype({"length": "int64", "cases": "int64"})
        out = out.iloc[variant_order(out["cases"].to_numpy(), out["variant"].to_numpy())]
        return _shares(out, log.n_cases)
    ids, first_case = variant_ids(log)
    n_var = len(first_case)
    cases = np.bincount(ids, minlength=n_var)

    def ranked() -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
        # ranked by keys when the names allow (faster than by text); with ``top``, only the
        # variants shown are written out as text (all of them: in log order, the faster one)
        keys = variant_keys(log, first_case)
        text = variant_text(log, first_case) if keys is None or not top else None
        order = variant_order(cases, text, keys)
        order = order[:top] if top else order
        return order, variant_text(log, first_case[order]) if text is None else text[order]

    def median_durations() -> np.ndarray:
        first, last = log.case_offsets[:-1], log.case_offsets[1:] - 1
        dur = (log.timestamps_ns[last] - log.timestamps_ns[first]) / 1e9
        return group_quantiles(ids, dur, n_var, (0.5,))[:, 0]

    (order, text), median = side_by_side(ranked, median_durations)  # on two cores
    out = pd.DataFrame({
        "variant": text,
        "length": log.case_lengths[first_case[order]],
        "cases": cases[order],
        "median_duration_s": median[order],
    })
    conv = case_outcome(log, outcome)
    if conv is not None:
        out["conversion"] = (np.bincount(ids, weights=conv, minlength=n_var) / cases)[order]
    sat = case_satisfaction(log, instrument)
    if sat is not None:
        has = ~np.isnan(sat)
        n = np.bincount(ids[has], minlength=n_var)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_satisfaction"] = (np.bincount(ids[has], weights=sat[has],
                                                    minlength=n_var) / n)[order]
        out["satisfaction_answers"] = n[order]
    return _shares(out, log.n_cases)


def _shares(variants: pd.DataFrame, n_cases: int) -> pd.DataFrame:
    out = variants.copy()
    out.insert(3, "share", out["cases"] / n_cases)
    out.insert(4, "cum_share", out["share"].cumsum())
    return out.reset_index(drop=True)


def cover_variants(variants: pd.DataFrame, coverage: float = 0.8) -> pd.DataFrame:
    """The smallest set of most frequent variants covering ``coverage`` of journeys."""
    if not 0 < coverage <= 1:
        raise InvalidInputError(f"coverage must be in (0, 1], got {coverage}.")
    n = int(np.searchsorted(variants["cum_share"].to_numpy(), coverage - 1e-12) + 1)
    return variants.head(n)


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
