"""What the distinct paths of a log decide, counted in numpy from the table of paths an
engine returns (one row per distinct path, far fewer than the events): the variants, and
the journeys, starts and ends of each touchpoint and the journeys of each edge.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.journeys import path_label

__all__ = ["path_counts", "path_variants"]


def path_counts(times: pd.DataFrame, table: pd.DataFrame, codes: np.ndarray,
                names: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The directly-follows graph's edges and nodes: each edge's events and times from
    ``times`` (:func:`.sql.edge_times_query`), and the journeys, starts and ends of each
    touchpoint and the journeys of each edge counted from the distinct paths
    (:meth:`SQLLog.fetch_paths`): a path's journeys count once for each touchpoint and
    edge it holds."""
    lengths = table["length"].to_numpy(dtype=np.int64)
    weight = table["cases"].to_numpy(dtype=np.int64)
    k = max(len(names), 1)
    path = np.repeat(np.arange(len(table), dtype=np.int64), lengths)
    ends = np.cumsum(lengths) - 1
    firsts = ends - lengths + 1
    w = weight[path]
    once = _distinct(path, codes, k)  # each (path, touchpoint) once
    nodes = pd.DataFrame({
        "activity": pd.Series(names, dtype=object),
        "events": np.bincount(codes, weights=w, minlength=len(names)).astype(np.int64),
        "cases": np.bincount(once % k, weights=weight[once // k],
                             minlength=len(names)).astype(np.int64),
        "starts": np.bincount(codes[firsts], weights=weight, minlength=len(names)
                              ).astype(np.int64),
        "ends": np.bincount(codes[ends], weights=weight, minlength=len(names)).astype(np.int64)})
    step = np.ones(len(codes), dtype=bool)
    step[ends] = False  # an edge leaves every position but a path's last
    at = np.flatnonzero(step)
    edge = codes[at] * k + codes[at + 1]
    kinds, edge = np.unique(edge, return_inverse=True)  # the edges, numbered from 0
    pairs = _distinct(path[at], edge, len(kinds))  # each (path, edge) once
    per_edge = np.bincount(pairs % max(len(kinds), 1), weights=weight[pairs // max(
        len(kinds), 1)], minlength=len(kinds)).astype(np.int64)
    cases = pd.DataFrame({"source": names[kinds // k], "target": names[kinds % k],
                          "cases": per_edge})
    edges = times.assign(source=times["source"].astype(object),
                         target=times["target"].astype(object)).merge(
        cases, on=["source", "target"], how="left")
    edges = edges[["source", "target", "events", "cases", "mean_s", "median_s", "p90_s"]]
    return edges, nodes[nodes["events"] > 0].reset_index(drop=True)


def path_variants(table: pd.DataFrame, codes: np.ndarray, names: np.ndarray, sep: str,
                  top: int | None = None) -> pd.DataFrame:
    """The variants (``variant, length, cases, median_duration_s``) of the distinct
    paths, most journeys first, ties by path text; the first ``top`` only when given (the
    text is made only for the paths that can be among them)."""
    cases = table["cases"].to_numpy(dtype=np.int64)
    chosen = np.arange(len(table))
    if top and top < len(table):
        cut = np.partition(cases, len(cases) - top)[len(cases) - top]
        chosen = np.flatnonzero(cases >= cut)
    starts = np.concatenate([[0], np.cumsum(table["length"].to_numpy(dtype=np.int64))])
    labels = np.array([path_label(str(n)) for n in names], dtype=object)
    text = np.array([sep.join(labels[codes[starts[i]:starts[i + 1]]]) for i in chosen],
                    dtype=object)
    out = pd.DataFrame({"variant": text,
                        "length": table["length"].to_numpy(dtype=np.int64)[chosen],
                        "cases": cases[chosen],
                        "median_duration_s": table["median_duration_s"].to_numpy(
                            dtype=float)[chosen]})
    out = out.sort_values(["cases", "variant"], ascending=[False, True], kind="stable")
    return out.head(top if top else len(out)).reset_index(drop=True)


def _distinct(major: np.ndarray, minor: np.ndarray, base: int) -> np.ndarray:
    """The distinct values of ``major * base + minor`` (``0 <= minor < base``; the
    product stays far below 2**63: paths times touchpoints or edges), sorted: by one sort
    of integers, faster here than numpy's hashing unique."""
    keys = np.sort(major * max(base, 1) + minor)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return keys[keep]
