"""Satisfaction drivers: which touchpoints move a journey's score, adjusted for persona.

Each journey with a target score (an NPS answer, say) is one row: the score, the
touchpoints the journey met *before* it (survey events are never causes), and the
journey's persona or segment as a fixed effect. A ridge-regularised linear model gives
each touchpoint's effect in score points; journeys are resampled (Poisson bootstrap) for
confidence intervals. Identical rows are fitted once with their multiplicity as weight, so
the bootstrap costs little even on a million journeys.

What the estimates assume, stated with every result: a touchpoint precedes the score it
is credited with; the effect of meeting a touchpoint is the same for every journey
(additive, within persona); and there is no unmeasured confounder beyond the controls.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import InvalidInputError
from .log import EventLog
from .personas import TOO_SHORT

__all__ = ["SatisfactionDrivers", "attribute_satisfaction", "decompose_satisfaction",
           "rank_irritants", "effect_by_group", "what_if", "ASSUMPTIONS"]

ASSUMPTIONS = ("Effects are associations adjusted for the controls, read as causes only if: "
               "each touchpoint precedes the score (guaranteed here: only touchpoints before "
               "the answer count); meeting a touchpoint shifts the score by the same points in "
               "every journey of a persona (additive); and nothing that drives both the "
               "touchpoints and the score is left out of the controls.")


@dataclass
class SatisfactionDrivers:
    """Result of :func:`attribute_satisfaction`.

    Attributes
    ----------
    effects : DataFrame
        One row per touchpoint: ``touchpoint, stage, channel, effect, ci_low, ci_high, se,
        kind, journeys_scored, exposed_scored, customers, points_lost, naive_gap, vif``.
        ``kind``: irritant or delight when the interval excludes zero, ``negligible``
        when it does but the effect is under ``min_effect``, ``not separable`` when other
        touchpoints determine its exposure, else unclear. ``naive_gap``: mean
        score of exposed minus unexposed journeys, unadjusted.
    controls : DataFrame
        Fixed effect of each control level (relative to the first).
    instrument : str
        The target survey (or ``"satisfaction"`` for a case-level score).
    baseline : float
        Mean fitted score of the scored journeys.
    assumptions : str
        What the estimates assume.
    """

    effects: pd.DataFrame
    controls: pd.DataFrame
    instrument: str
    baseline: float
    scale: tuple[float, float]
    assumptions: str = ASSUMPTIONS
    _design: dict = field(default_factory=dict, repr=False)

    def _repr_html_(self) -> str:
        from .display import format_table

        return format_table(self.effects).to_html()


def _target(log: EventLog, instrument: str | None, window: str = "journey"
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, tuple[float, float]]:
    """Per journey: the target score (NaN if none), the event position it was given at
    and the position the window opens at (touchpoints in ``[start, at)`` count)."""
    if window not in ("journey", "since_previous"):
        raise InvalidInputError(f"window must be 'journey' or 'since_previous', got {window!r}.")
    if "satisfaction" not in log.events.columns:
        raise InvalidInputError("attribute_satisfaction needs satisfaction scores: map them "
                                "with read_events(..., satisfaction_key=..., instruments=...).")
    inst = log.schema.instruments
    score = log.events["satisfaction"].to_numpy(dtype=float)
    n = log.n_cases
    if inst:
        name = instrument or max(inst, key=lambda k: inst[k][1] - inst[k][0])
        if name not in inst:
            raise InvalidInputError(f"Unknown instrument {name!r}; the log's instruments are "
                                    f"{sorted(inst)}.")
        is_target = (log.events["activity"].astype(object).to_numpy() == name) & \
            np.isfinite(score)
        pos = np.flatnonzero(is_target)
        answers = pd.Series(pos).groupby(log.case_codes[pos])
        last = answers.max()  # the last answer counts
        y = np.full(n, np.nan)
        at = np.full(n, -1, dtype=np.int64)
        y[last.index.to_numpy()] = score[last.to_numpy()]
        at[last.index.to_numpy()] = last.to_numpy()
        start = log.case_offsets[:-1].astype(np.int64).copy()
        if window == "since_previous":  # a CSAT rates what happened since the last one
            previous = answers.nth(-2)
            start[log.case_codes[previous.to_numpy()]] = previous.to_numpy() + 1
        return y, at, start, name, tuple(inst[name])
    if window != "journey":
        raise InvalidInputError("window='since_previous' needs survey events; a case-level "
                                "score rates the whole journey.")
    scale = log.schema.satisfaction_scale or (np.nanmin(score), np.nanmax(score))
    y = log.per_case_mean(score)
    return y, log.case_offsets[1:], log.case_offsets[:-1].astype(np.int64), "satisfaction", \
        tuple(scale)


def _controls(log: EventLog, controls: Any) -> tuple[np.ndarray, list, np.ndarray | None]:
    """Control group per journey, the groups, and (for probabilities) soft covariates."""
    if controls is None:
        return np.zeros(log.n_cases, dtype=np.int64), ["(all)"], None
    if isinstance(controls, pd.DataFrame):  # probabilities of each persona, by case_id
        probs = controls.reindex(log.cases.astype(str))
        if probs.isna().any(axis=None):
            raise InvalidInputError(f"controls lacks {int(probs.isna().any(axis=1).sum())} of "
                                    "the log's journeys; give one row per case_id.")
        p = probs.to_numpy(dtype=float)
        if (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
            raise InvalidInputError("A controls DataFrame holds each journey's persona "
                                    "probabilities: non-negative rows summing to 1.")
        return p.argmax(axis=1).astype(np.int64), [str(c) for c in probs.columns], p
    if isinstance(controls, str):
        table = log.case_table()
        if controls not in table.columns:
            raise InvalidInputError(f"controls={controls!r} is not a journey-level column; "
                                    f"those are {[c for c in table.columns][5:]}.")
        values = table[controls].astype(object).fillna("(missing)").to_numpy()
    elif isinstance(controls, pd.Series):
        values = controls.reindex(log.cases.astype(str)).to_numpy(dtype=object)
        if pd.isna(values).any():
            raise InvalidInputError(f"controls lacks {int(pd.isna(values).sum())} of the log's "
                                    "journeys; give one value per case_id.")
    else:
        values = np.asarray(getattr(controls, "labels_", controls), dtype=object)
        if values.shape != (log.n_cases,):
            raise InvalidInputError(f"controls must hold one value per journey ({log.n_cases}), "
                                    f"got shape {values.shape}.")
    codes, levels = pd.factorize(pd.Series(values).astype(str), sort=True)
    return codes.astype(np.int64), list(levels), None


def _control_matrix(group: np.ndarray, G: int, soft: np.ndarray | None) -> np.ndarray:
    """Fixed-effect columns (the first group is the reference)."""
    if soft is not None:
        return soft[:, 1:]
    F = np.zeros((len(group), G - 1))
    if G > 1:
        F[group > 0, group[group > 0] - 1] = 1.0
    return F


def attribute_satisfaction(log: EventLog, *, instrument: str | None = None, controls: Any = None,
                           window: str = "journey", ridge: float = 1.0, n_boot: int = 200,
                           level: float = 0.95, max_vif: float = 10.0,
                           min_effect: float | None = None,
                           random_state: int = 0) -> SatisfactionDrivers:
    """Each touchpoint's effect on a journey's satisfaction score, with bootstrap intervals.

    Parameters
    ----------
    log : EventLog
        The full log, survey events included (they give the scores; they are never causes).
    instrument : str, optional
        Target survey activity (default: the one with the widest scale, usually NPS). The
        journey's last answer is the target; only touchpoints before it count.
    controls : None, str, Series, DataFrame or array
        Fixed effects: a journey-level column (``"segment"``), a Series of labels by
        case_id, or one label per journey (a persona model's ``labels_`` fitted on this
        log; journeys labelled -1, too short to tell their persona, are left out, and
        their number is in ``controls.attrs``). A DataFrame by case_id of each persona's
        probability (a mixture's
        ``predict_proba``) adjusts by the expected persona instead: right for journeys too
        short to tell, whose persona is uncertain. Adjusts the effects for who the
        customers are.
    window : {"journey", "since_previous"}
        Which touchpoints a score is explained by: all before it (a relationship NPS), or
        only those since the journey's previous answer of the same instrument (a CSAT
        that rates the latest contacts).
    ridge : float
        Ridge penalty on touchpoint effects (not on the intercept or the controls), in
        units of journeys: small against thousands of journeys, it steadies rare
        touchpoints.
    n_boot : int
        Bootstrap resamples of journeys (Poisson weights) for the intervals.
    level : float
        Confidence level of the intervals (percentile bootstrap).
    max_vif : float
        A touchpoint whose exposure the others (and the controls) almost determine
        (variance inflation factor above this) is marked ``not separable``: the data cannot
        tell its effect from theirs (an order confirmation that always follows a checkout).
    min_effect : float, optional
        Smallest effect, in score points, worth calling an irritant or delight; a smaller
        one whose interval excludes zero is ``negligible`` (on a million journeys a tenth
        of a point is significant but not worth acting on). Default: 1% of the scale's
        range (0.1 on 0-10).
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    SatisfactionDrivers

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(2000, seed=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = attribute_satisfaction(log, n_boot=20)
    >>> bool(d.effects.set_index("touchpoint").loc["hold_queue", "effect"] < 0)
    True
    """
    if not 0 < level < 1:
        raise InvalidInputError(f"level must be between 0 and 1, got {level}.")
    y, at, start, name, scale = _target(log, instrument, window)
    surveys = set(log.schema.instruments or {})
    acts = pd.Index([a for a in log.activities if a not in surveys])
    code = acts.get_indexer(log.activities)[log.activity_codes]
    pos = np.arange(log.n_events)
    before = (code >= 0) & (pos < at[log.case_codes]) & (pos >= start[log.case_codes])
    A = len(acts)
    exposed = np.zeros((log.n_cases, A), dtype=bool)
    exposed[log.case_codes[before], code[before]] = True
    met_any = np.zeros((log.n_cases, A), dtype=bool)  # customers affected: scored or not
    met_any[log.case_codes[code >= 0], code[code >= 0]] = True
    group, levels, soft = _controls(log, controls)
    scored = np.isfinite(y)
    untold = 0
    if soft is None and str(TOO_SHORT) in levels:  # persona unknown: no control, left out
        drop = levels.index(str(TOO_SHORT))
        untold = int((scored & (group == drop)).sum())
        scored &= group != drop
        group = np.where(group > drop, group - 1, group)
        levels = [lv for lv in levels if lv != str(TOO_SHORT)]
    if scored.sum() < 10:
        raise InvalidInputError(f"Only {int(scored.sum())} journeys have a {name} score; "
                                "attribution needs more.")
    Xe, ys, gs = exposed[scored].astype(float), y[scored], group[scored]
    varies = (Xe.min(axis=0) != Xe.max(axis=0))
    G = len(levels)
    F = _control_matrix(gs, G, None if soft is None else soft[scored])
    X = np.column_stack([np.ones(len(ys)), Xe[:, varies], F])
    U, inverse, w = np.unique(np.column_stack([X, ys]), axis=0, return_inverse=True,
                              return_counts=True)
    inverse = inverse.ravel()
    Xu, yu = U[:, :-1], U[:, -1]
    p_t = int(varies.sum())
    penalty = np.zeros(X.shape[1])
    penalty[1:1 + p_t] = ridge

    def solve(weights: np.ndarray) -> np.ndarray:
        xtwx = Xu.T @ (weights[:, None] * Xu) + np.diag(penalty)
        return np.linalg.lstsq(xtwx, Xu.T @ (weights * yu), rcond=None)[0]

    beta = solve(w.astype(float))
    vif = np.full(A, np.nan)
    vif[varies] = _vif(Xu[:, 1:], w.astype(float))[:p_t]
    rng = np.random.default_rng(random_state)
    boots = np.array([solve(rng.poisson(w).astype(float)) for _ in range(int(n_boot))]) \
        if n_boot else np.zeros((0, len(beta)))
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    eff = np.full(A, np.nan)
    eff[varies] = beta[1:1 + p_t]
    ci = np.full((A, 2), np.nan)
    se = np.full(A, np.nan)
    if len(boots):
        ci[varies] = np.quantile(boots[:, 1:1 + p_t], [lo_q, hi_q], axis=0).T
        se[varies] = boots[:, 1:1 + p_t].std(axis=0, ddof=1)
    ci = _within_scale(ci, scale)
    exposed_n = Xe.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        naive = np.array([ys[Xe[:, j] > 0].mean() - ys[Xe[:, j] == 0].mean()
                          if 0 < exposed_n[j] < len(ys) else np.nan for j in range(A)])
    customers = met_any.sum(axis=0)
    stage = _mode_by_activity(log, "stage", acts)
    channel = _mode_by_activity(log, "channel", acts)
    effects = pd.DataFrame({
        "touchpoint": np.asarray(acts, dtype=object), "stage": stage, "channel": channel,
        "effect": eff, "ci_low": ci[:, 0], "ci_high": ci[:, 1], "se": se,
        "journeys_scored": int(len(ys)), "exposed_scored": exposed_n.astype(np.int64),
        "customers": customers.astype(np.int64), "points_lost": eff * customers,
        "naive_gap": naive,
    })
    effects["vif"] = vif
    smallest = 0.01 * (scale[1] - scale[0]) if min_effect is None else float(min_effect)
    clear = (effects["ci_high"] < 0) | (effects["ci_low"] > 0)
    effects.insert(7, "kind", np.select(
        [effects["vif"] > max_vif, clear & (effects["effect"].abs() < smallest),
         effects["ci_high"] < 0, effects["ci_low"] > 0],
        ["not separable", "negligible", "irritant", "delight"], "unclear"))
    effects = effects.sort_values(["effect", "touchpoint"], kind="stable",
                                  na_position="last").reset_index(drop=True)
    fe = np.r_[0.0, beta[1 + p_t:]]
    ctrl = pd.DataFrame({"level": levels, "effect": fe,
                         "journeys_scored": np.bincount(gs, minlength=G)})
    ctrl.attrs["left_out_too_short"] = untold
    fitted = X @ beta
    control_part = F @ beta[1 + p_t:]
    design = {"beta": beta, "varies": varies, "acts": acts, "exposed": exposed, "y": y,
              "group": group, "fe": fe, "p_t": p_t, "scored": scored, "levels": levels,
              "soft": soft, "control_part": control_part,
              "window": window, "min_effect": smallest, "ridge": ridge, "level": level,
              "n_boot": n_boot, "seed": random_state,
              "mean_exposure": Xe[:, varies].mean(axis=0)}
    return SatisfactionDrivers(effects, ctrl, name, float(fitted.mean()), scale, ASSUMPTIONS,
                               design)


def _within_scale(bounds: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Interval bounds of an effect (a difference of scores) kept within plus or minus
    the width of the score's scale; missing stays missing."""
    width = float(scale[1]) - float(scale[0])
    return np.clip(bounds, -width, width)


def _vif(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Variance inflation factor of each column of X (weighted rows)."""
    mean = (w[:, None] * X).sum(axis=0) / w.sum()
    Xc = X - mean
    C = Xc.T @ (w[:, None] * Xc)
    d = np.sqrt(np.maximum(np.diag(C), 1e-300))
    R = C / np.outer(d, d)
    return np.diag(np.linalg.pinv(R, hermitian=True))


def _mode_by_activity(log: EventLog, role: str, acts: pd.Index) -> np.ndarray:
    if role not in log.events.columns:
        return np.full(len(acts), None, dtype=object)
    pairs = pd.DataFrame({"a": log.events["activity"].astype(object),
                          "v": log.events[role].astype(object)})
    mode = pairs.dropna().groupby("a")["v"].agg(lambda s: s.value_counts().index[0])
    return mode.reindex(acts).to_numpy(dtype=object)


def decompose_satisfaction(drivers: SatisfactionDrivers, log: EventLog) -> pd.DataFrame:
    """Per scored journey, its fitted score's gap to the average journey, split into
    touchpoints and persona (Shapley values of the additive model, which sum exactly to the
    gap): long format ``case_id, factor, contribution``; ``attrs['gap']`` holds each
    journey's gap.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, seed=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> parts = decompose_satisfaction(attribute_satisfaction(log, n_boot=0), log)
    >>> gaps = parts.groupby("case_id")["contribution"].sum()
    >>> bool(abs(gaps - parts.attrs["gap"].reindex(gaps.index)).max() < 1e-9)
    True
    """
    d = drivers._design
    if log.n_cases != len(d["y"]):
        raise InvalidInputError("decompose_satisfaction needs the log the drivers were fitted on.")
    scored = d["scored"]
    beta, p_t = d["beta"], d["p_t"]
    x = d["exposed"][scored][:, d["varies"]].astype(float)
    contrib = (x - d["mean_exposure"]) * beta[1:1 + p_t]
    persona = d["control_part"] - d["control_part"].mean()
    names = list(np.asarray(d["acts"], dtype=object)[d["varies"]]) + ["(persona)"]
    values = np.column_stack([contrib, persona])
    cases = np.asarray(log.cases, dtype=object)[scored]
    long = pd.DataFrame({"case_id": np.repeat(cases, len(names)),
                         "factor": np.tile(np.asarray(names, dtype=object), len(cases)),
                         "contribution": values.ravel()})
    long = long[long["contribution"] != 0].reset_index(drop=True)
    fitted = beta[0] + x @ beta[1:1 + p_t] + d["control_part"]
    long.attrs["gap"] = pd.Series(fitted - drivers.baseline, index=cases)
    return long


def rank_irritants(drivers: SatisfactionDrivers, *, detractor_max: float | None = None
                   ) -> pd.DataFrame:
    """The irritants and delights table: ``stage, touchpoint, kind, effect, ci_low,
    ci_high, customers, points_lost, share_of_detractors_explained, action``.

    Irritants (interval below zero) first, by points lost; then delights (interval above
    zero) by points gained. ``share_of_detractors_explained``: of all scored detractors
    (score <= ``detractor_max``; 6 on a 0-10 scale, the scale's midpoint otherwise), the
    share who met the irritant and would not be detractors without its effect.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(3000, seed=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> table = rank_irritants(attribute_satisfaction(log, n_boot=50))
    >>> "hold_queue" in set(table.loc[table["kind"] == "irritant", "touchpoint"])
    True
    """
    d = drivers._design
    lo, hi = drivers.scale
    cut = detractor_max if detractor_max is not None else (6.0 if (lo, hi) == (0, 10)
                                                          else lo + (hi - lo) / 2)
    scored = d["scored"]
    y = d["y"][scored]
    det = y <= cut
    eff = drivers.effects.set_index("touchpoint")
    acts = list(np.asarray(d["acts"], dtype=object))
    exposed = d["exposed"][scored]
    explained = {}
    for j, a in enumerate(acts):
        b = eff.at[a, "effect"]
        if not np.isfinite(b) or b >= 0 or not det.any():
            explained[a] = np.nan
            continue
        explained[a] = float((det & exposed[:, j] & (y - b > cut)).sum() / det.sum())
    table = drivers.effects[drivers.effects["kind"].isin(["irritant", "delight"])].copy()
    table["share_of_detractors_explained"] = table["touchpoint"].map(explained)
    table["action"] = [
        f"fix {t} ({s}): worth {-e:.2f} points to each of {c:,} customers" if k == "irritant"
        else f"extend {t} ({s}): worth +{e:.2f} points to each of {c:,} customers"
        for t, s, e, c, k in zip(table["touchpoint"], table["stage"], table["effect"],
                                 table["customers"], table["kind"])]
    table["order"] = np.where(table["kind"] == "irritant", table["points_lost"],
                              -table["points_lost"])
    table = table.sort_values(["kind", "order"], ascending=[False, True], kind="stable")
    cols = ["stage", "touchpoint", "kind", "effect", "ci_low", "ci_high", "customers",
            "points_lost", "share_of_detractors_explained", "action"]
    return table[cols].reset_index(drop=True)


def _touchpoint_column(drivers: SatisfactionDrivers, touchpoint: str) -> int:
    acts = list(drivers._design["acts"])
    if touchpoint not in acts:
        raise InvalidInputError(f"Unknown touchpoint {touchpoint!r}; the drivers cover "
                                f"{sorted(map(str, acts))}.")
    return acts.index(touchpoint)


def effect_by_group(drivers: SatisfactionDrivers, touchpoint: str, *,
                    n_boot: int | None = None) -> pd.DataFrame:
    """A touchpoint's effect within each control group (persona or segment): the same
    model with that touchpoint's exposure interacted with the groups.

    Columns ``group, effect, ci_low, ci_high, exposed_scored``; groups where every or no
    scored journey met the touchpoint have no effect (NaN).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(3000, seed=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = jl.attribute_satisfaction(log, controls="segment", n_boot=0)
    >>> list(effect_by_group(d, "hold_queue", n_boot=20)["group"])
    ['new', 'returning']
    """
    d = drivers._design
    j = _touchpoint_column(drivers, touchpoint)
    scored = d["scored"]
    Xe = d["exposed"][scored].astype(float)
    ys, gs = d["y"][scored], d["group"][scored]
    levels = d["levels"]
    G = len(levels)
    others = [c for c in np.flatnonzero(d["varies"]) if c != j]
    F = _control_matrix(gs, G, None if d["soft"] is None else d["soft"][scored])
    inter = np.zeros((len(ys), G))
    inter[np.arange(len(ys)), gs] = Xe[:, j]
    X = np.column_stack([np.ones(len(ys)), Xe[:, others], inter, F])
    U, inverse, w = np.unique(np.column_stack([X, ys]), axis=0, return_inverse=True,
                              return_counts=True)
    Xu, yu = U[:, :-1], U[:, -1]
    pen = np.zeros(X.shape[1])
    pen[1:1 + len(others) + G] = d["ridge"]

    def solve(weights):
        return np.linalg.lstsq(Xu.T @ (weights[:, None] * Xu) + np.diag(pen),
                               Xu.T @ (weights * yu), rcond=None)[0]

    sl = slice(1 + len(others), 1 + len(others) + G)
    beta = solve(w.astype(float))[sl]
    boots = int(d["n_boot"] if n_boot is None else n_boot)
    rng = np.random.default_rng(d["seed"])
    draws = np.array([solve(rng.poisson(w).astype(float))[sl] for _ in range(boots)])
    exposed = np.bincount(gs, weights=Xe[:, j], minlength=G)
    size = np.bincount(gs, minlength=G)
    ok = (exposed > 0) & (exposed < size)
    q = (1 - d["level"]) / 2
    lo = _within_scale(np.quantile(draws, q, axis=0), drivers.scale) if boots \
        else np.full(G, np.nan)
    hi = _within_scale(np.quantile(draws, 1 - q, axis=0), drivers.scale) if boots \
        else np.full(G, np.nan)
    return pd.DataFrame({"group": levels, "effect": np.where(ok, beta, np.nan),
                         "ci_low": np.where(ok, lo, np.nan), "ci_high": np.where(ok, hi, np.nan),
                         "exposed_scored": exposed.astype(np.int64)})


def what_if(drivers: SatisfactionDrivers, touchpoint: str, *, fixed_share: float = 1.0,
            random_state: int = 0) -> pd.DataFrame:
    """Expected satisfaction if a touchpoint's effect were removed for a share of the
    journeys that meet it (fixing an irritant, or losing a delight).

    Each scored journey that met the touchpoint, drawn with probability ``fixed_share``
    (seeded), has its score moved by minus the touchpoint's effect (kept on the scale).
    Returns ``measure, now, what_if, change`` for the mean score and, on 0-10 scales, NPS
    (a moved score counts as a promoter from 8.5, a detractor below 6.5).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(3000, seed=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = jl.attribute_satisfaction(log, n_boot=0)
    >>> bool(what_if(d, "hold_queue").set_index("measure").at["mean score", "change"] > 0)
    True
    """
    if not 0 <= fixed_share <= 1:
        raise InvalidInputError(f"fixed_share must be between 0 and 1, got {fixed_share}.")
    d = drivers._design
    j = _touchpoint_column(drivers, touchpoint)
    effect = drivers.effects.set_index("touchpoint").at[touchpoint, "effect"]
    if not np.isfinite(effect):
        raise InvalidInputError(f"{touchpoint!r} has no estimated effect (no scored journey "
                                "met it before answering, or all did).")
    scored = d["scored"]
    y = d["y"][scored]
    met = d["exposed"][scored][:, j]
    fixed = met & (np.random.default_rng(random_state).random(len(y)) < fixed_share)
    lo, hi = drivers.scale
    moved = np.clip(np.where(fixed, y - effect, y), lo, hi)
    rows = [("mean score", float(y.mean()), float(moved.mean()))]
    if (lo, hi) == (0, 10):
        def nps(s):
            return 100.0 * (np.mean(s >= 8.5) - np.mean(s < 6.5))
        rows.append(("NPS", nps(y), nps(moved)))
    out = pd.DataFrame(rows, columns=["measure", "now", "what_if"])
    out["change"] = out["what_if"] - out["now"]
    out.attrs["journeys_changed"] = int(fixed.sum())
    return out
