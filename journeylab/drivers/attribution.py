"""Markov-chain attribution of an outcome over touchpoint paths, and moments of truth.

A first-order Markov chain over touchpoints with a start and two absorbing ends (the
outcome, and its absence). The probability of reaching the outcome from the start is an
absorption probability; a touchpoint's *removal effect* is the share of that probability
lost when journeys that reach the touchpoint are sent to the no-outcome end instead (the
definition of Anderl et al. 2016, as the ChannelAttribution package computes it, here
solved exactly rather than simulated).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..core.journeys import variant_ids, variant_text
from ..core.cases import case_outcome
from ..core.log import EventLog

__all__ = ["removal_effects", "paths_from_log", "moments_of_truth"]


def paths_from_log(log: EventLog, *, outcome: str | Sequence[str]) -> pd.DataFrame:
    """Aggregate journeys into ChannelAttribution-style paths: ``path, conversions,
    nulls`` (``path`` is `` > ``-joined touchpoints; one row per variant).

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(100, random_state=1).events).touchpoints()
    >>> p = paths_from_log(log, outcome="converted")
    >>> int(p["conversions"].sum() + p["nulls"].sum()) == log.n_cases
    True
    """
    first, conversions, nulls = _variant_outcomes(log, outcome)
    out = pd.DataFrame({"path": variant_text(log, first), "conversions": conversions,
                        "nulls": nulls})
    return out.sort_values(["conversions", "path"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def _variant_outcomes(log: EventLog, outcome: str | Sequence[str]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each variant's first journey, and its journeys with and without the outcome."""
    conv = case_outcome(log, outcome)
    ids, first = variant_ids(log)
    conversions = np.bincount(ids, weights=conv.astype(float), minlength=len(first))
    total = np.bincount(ids, minlength=len(first))
    return first, conversions.astype(np.int64), (total - conversions).astype(np.int64)


def _split_paths(paths: pd.DataFrame, sep: str) -> pd.Series:
    """Each path's steps, from ``sep``-joined text."""
    split = paths["path"].astype(str).str.split(sep, regex=False).map(
        lambda steps: [x.strip() for x in steps])
    empty = split.map(lambda steps: any(not x for x in steps)).to_numpy()
    if empty.any():
        bad = int(np.flatnonzero(empty)[0])
        raise InvalidInputError(f"Path row {bad} has an empty step ({paths['path'].iloc[bad]!r}); "
                                f"steps are separated by {sep!r}.")
    return split


def _log_paths(log: EventLog, outcome: str | Sequence[str]) -> tuple[pd.Series, pd.DataFrame]:
    """Each variant's steps straight from the log (names may hold any character, '>'
    too), and its ``conversions, nulls``."""
    first, conversions, nulls = _variant_outcomes(log, outcome)
    names = np.asarray(log.activities, dtype=object)
    split = pd.Series([list(names[log.activity_codes[log.case_offsets[c]:log.case_offsets[c + 1]]])
                       for c in first], dtype=object)
    return split, pd.DataFrame({"conversions": conversions, "nulls": nulls})


def _chain(split: pd.Series, paths: pd.DataFrame):
    """Transition counts over states: touchpoints, then START, CONV, NULL."""
    steps = split.explode()
    names = pd.Index(sorted(steps.unique()))
    A = len(names)
    START, CONV, NULL = A, A + 1, A + 2
    lengths = split.map(len).to_numpy()
    codes = names.get_indexer(steps.to_numpy())
    row = np.repeat(np.arange(len(paths)), lengths)
    first = np.r_[True, row[1:] != row[:-1]]
    last = np.r_[row[1:] != row[:-1], True]
    conv = paths["conversions"].to_numpy(dtype=float)
    null = paths["nulls"].to_numpy(dtype=float)
    weight = (conv + null)[row]
    S = A + 3
    T = np.zeros((S, S))
    np.add.at(T, (np.full(int(first.sum()), START), codes[first]), weight[first])
    inner = ~last
    np.add.at(T, (codes[:-1][inner[:-1]], codes[1:][inner[:-1]]), weight[:-1][inner[:-1]])
    np.add.at(T, (codes[last], np.full(int(last.sum()), CONV)), conv)
    np.add.at(T, (codes[last], np.full(int(last.sum()), NULL)), null)
    return names, T


def _absorption(T: np.ndarray, removed: int | None = None) -> float:
    """Probability of ending in CONV from START (states: touchpoints, START, CONV, NULL)."""
    S = T.shape[0]
    A = S - 3
    T = T.copy()
    if removed is not None:  # journeys reaching the removed touchpoint end without outcome
        T[:, A + 2] += T[:, removed]
        T[:, removed] = 0.0
        T[removed, :] = 0.0
    transient = A + 1
    out = T[:transient].sum(axis=1, keepdims=True)
    P = np.divide(T[:transient], out, out=np.zeros_like(T[:transient]), where=out > 0)
    Q = P[:, :transient]
    r = P[:, A + 1]
    x = np.linalg.solve(np.eye(transient) - Q, r)
    return float(x[A])


def removal_effects(paths: pd.DataFrame | EventLog, *, outcome: str | Sequence[str] | None = None,
                    sep: str = ">") -> pd.DataFrame:
    """Markov removal effect of every touchpoint on an outcome.

    Parameters
    ----------
    paths : DataFrame or EventLog
        ChannelAttribution-style paths (``path``, ``conversions``, ``nulls``; ``path`` holds
        steps joined by ``sep``), or a log (with ``outcome``) aggregated by
        :func:`paths_from_log`.
    outcome : str or list of str
        With a log: a journey-level flag column, or touchpoints that count as the outcome.

    Returns
    -------
    DataFrame
        ``touchpoint, removal_effect`` (share of the outcome probability lost without it),
        ``share`` (removal effects normalised to sum to 1) and ``attributed`` (the
        outcomes credited to it: share x total outcomes), largest first. ``attrs`` holds
        the outcome probability from the start, ``p_outcome``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"path": ["a > b", "b"], "conversions": [1, 0], "nulls": [0, 1]})
    >>> removal_effects(p)["removal_effect"].round(3).tolist()
    [1.0, 0.5]
    """
    if isinstance(paths, EventLog):
        if outcome is None:
            raise InvalidInputError("removal_effects on a log needs outcome= (a flag column or "
                                    "the touchpoints that count as the outcome).")
        split, paths = _log_paths(paths, outcome)
    else:
        missing = [c for c in ("path", "conversions", "nulls") if c not in paths.columns]
        if missing:
            raise InvalidInputError(f"paths needs columns path, conversions and nulls; "
                                    f"missing {missing}. Build them with "
                                    "paths_from_log(log, outcome=...).")
        split = _split_paths(paths, sep)
    names, T = _chain(split, paths)
    base = _absorption(T)
    if base <= 0:
        raise InvalidInputError("No path reaches the outcome: removal effects are undefined.")
    effects = np.array([1.0 - _absorption(T, removed=i) / base for i in range(len(names))])
    total = float(paths["conversions"].sum())
    share = effects / effects.sum() if effects.sum() > 0 else np.zeros_like(effects)
    out = pd.DataFrame({"touchpoint": np.asarray(names, dtype=object),
                        "removal_effect": effects, "share": share,
                        "attributed": share * total})
    out = out.sort_values(["removal_effect", "touchpoint"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    out.attrs["p_outcome"] = base
    return out


def moments_of_truth(log: EventLog, *, outcome: str | Sequence[str], min_cases: int = 20
                     ) -> pd.DataFrame:
    """The touchpoints after which the outcome diverges most.

    For each touchpoint ``t``, journeys that reach it are split by the step they take next
    (or ending there). ``p_outcome`` is the outcome rate of journeys reaching ``t``;
    ``divergence`` is how far the branches' outcome rates spread around it (the
    journey-weighted mean absolute difference between each branch's rate and
    ``p_outcome``); ``best_next``/``worst_next`` name the branches with the highest and
    lowest rates. Branches with fewer than ``min_cases`` journeys count in ``p_outcome``
    but not as best or worst. Ranked by divergence x reach.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(500, random_state=1).events).touchpoints()
    >>> m = moments_of_truth(log, outcome="converted")
    >>> bool((m["divergence"] >= 0).all())
    True
    """
    conv = case_outcome(log, outcome)
    if conv is None:
        raise InvalidInputError("moments_of_truth needs outcome=.")
    A = log.n_activities
    case = log.case_codes.astype(np.int64)
    act = log.activity_codes.astype(np.int64)
    nxt = np.full(len(act), A, dtype=np.int64)  # A stands for "ends here"
    same = case[1:] == case[:-1]
    nxt[:-1][same] = act[1:][same]
    # one (journey, touchpoint, next) per journey: its first passage through the touchpoint
    key = case * A + act
    first = ~pd.Series(key).duplicated().to_numpy()
    t, n, c = act[first], nxt[first], case[first]
    y = conv[c].astype(float)
    branch = t * (A + 1) + n
    cnt = np.bincount(branch, minlength=A * (A + 1)).reshape(A, A + 1)
    hit = np.bincount(branch, weights=y, minlength=A * (A + 1)).reshape(A, A + 1)
    reach = cnt.sum(axis=1)
    p = np.divide(hit.sum(axis=1), reach, out=np.zeros(A), where=reach > 0)
    rate = np.divide(hit, cnt, out=np.full_like(hit, np.nan), where=cnt > 0)
    div = np.nansum(cnt * np.abs(rate - p[:, None]), axis=1) / np.maximum(reach, 1)
    labels = np.append(np.asarray(log.activities, dtype=object), "(end)")
    big = np.where(cnt >= min_cases, rate, np.nan)
    rows = []
    for a in np.flatnonzero(reach > 0):
        ok = np.flatnonzero(np.isfinite(big[a]))
        best = ok[np.argmax(big[a, ok])] if len(ok) else None
        worst = ok[np.argmin(big[a, ok])] if len(ok) else None
        rows.append({
            "touchpoint": labels[a], "journeys": int(reach[a]), "p_outcome": float(p[a]),
            "divergence": float(div[a]),
            "best_next": labels[best] if best is not None else None,
            "best_rate": float(big[a, best]) if best is not None else np.nan,
            "worst_next": labels[worst] if worst is not None else None,
            "worst_rate": float(big[a, worst]) if worst is not None else np.nan,
        })
    out = pd.DataFrame(rows)
    out["weight"] = out["divergence"] * out["journeys"] / max(log.n_cases, 1)
    return out.sort_values(["weight", "touchpoint"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
