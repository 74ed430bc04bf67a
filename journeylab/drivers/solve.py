"""The numbers behind :class:`~journeylab.drivers.SatisfactionDrivers`, as pure functions of
the arrays it fits on: the weighted ridge solve on the distinct rows of the design, the
Poisson bootstrap and the variance inflation factors (:func:`ridge_solve`,
:func:`bootstrap`, :func:`vif`), the touchpoint model of ``fit`` (:func:`fit_touchpoints`)
and its effects table (:func:`effects_table`), a touchpoint's effect within each control
group (:func:`group_effects`), each journey's gap split into its Shapley parts
(:func:`shapley_parts`), the irritants and delights table (:func:`irritants_and_delights`)
and the scores with an effect removed (:func:`what_if_scores`). The estimator reads its
fitted attributes and hands them here.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .design import within_scale

__all__ = ["distinct_rows", "ridge_solve", "bootstrap", "vif", "TouchpointFit",
           "fit_touchpoints", "fitted_attributes", "effects_table", "group_effects",
           "shapley_parts", "irritants_and_delights", "what_if_scores"]


def distinct_rows(X: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of ``[X, y]`` (as X and y) and how often each occurs: fitted once
    with their multiplicity as weight. With ``weights`` (whole numbers: rows already
    grouped, each standing for that many journeys), the rows' weights are summed.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    >>> distinct_rows(X, np.array([3.0, 5.0, 3.0]))[2].tolist()
    [2, 1]
    """
    U, inverse = _unique_rows(np.column_stack([X, y]))
    counts = np.zeros(len(U), dtype=np.int64)
    np.add.at(counts, inverse, 1 if weights is None else np.asarray(weights, dtype=np.int64))
    return U[:, :-1], U[:, -1], counts


def _unique_rows(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(Z, axis=0, return_inverse=True)``: the distinct rows in the same
    (lexicographic) order, four times faster: rows are hashed as bytes (-0.0 read as 0.0
    first), and only the distinct ones sorted. NumPy's own for rows holding NaN."""
    if Z.dtype.kind == "f":
        Z = Z + 0.0  # -0.0 and 0.0: one value, as NumPy compares them
    if not len(Z) or not Z.shape[1] or (Z.dtype.kind == "f" and not np.isfinite(Z).all()):
        U, inverse = np.unique(Z, axis=0, return_inverse=True)
        return U, inverse.ravel()
    Z = np.ascontiguousarray(Z)
    codes, _ = pd.factorize(Z.view(np.dtype((np.void, Z.dtype.itemsize * Z.shape[1]))).ravel())
    first = np.empty(codes.max() + 1, np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # each distinct row's first row
    order = np.lexsort(Z[first].T[::-1])  # first column first, as np.unique
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return Z[first[order]], rank[codes]


def ridge_solve(X: np.ndarray, y: np.ndarray, weights: np.ndarray,
                penalty: np.ndarray) -> np.ndarray:
    """Weighted least squares with a ridge penalty per coefficient (0: not penalised)."""
    xtwx = X.T @ (weights[:, None] * X) + np.diag(penalty)
    return np.linalg.lstsq(xtwx, X.T @ (weights * y), rcond=None)[0]


def bootstrap(X: np.ndarray, y: np.ndarray, counts: np.ndarray, penalty: np.ndarray,
              n_boot: int, random_state: int) -> np.ndarray:
    """Coefficients refitted on ``n_boot`` resamples of the journeys (Poisson weights on
    the distinct rows' counts), one row per resample."""
    n_boot = int(n_boot)
    if n_boot <= 0:
        return np.zeros((0, X.shape[1]))
    rng = np.random.default_rng(random_state)
    # the same draws as one rng.poisson(counts) per resample, in order
    weights = rng.poisson(counts, size=(n_boot, len(counts))).astype(float)
    n, p = X.shape
    # every resample's X'WX at once: the weights times each row's outer product (one
    # matrix product), over blocks of rows of at most ~80 MB
    xtwx = np.zeros((n_boot, p * p))
    rows = max(1, int(1e7 // max(p * p, 1)))
    for start in range(0, n, rows):
        block = X[start:start + rows]
        outer = (block[:, :, None] * block[:, None, :]).reshape(len(block), p * p)
        xtwx += weights[:, start:start + rows] @ outer
    xtwx = xtwx.reshape(n_boot, p, p) + np.diag(penalty)
    xtwy = weights @ (X * y[:, None])
    try:
        return np.linalg.solve(xtwx, xtwy[..., None])[..., 0]
    except np.linalg.LinAlgError:  # a singular resample: least squares, one by one
        return np.array([ridge_solve(X, y, w, penalty) for w in weights])


def vif(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Variance inflation factor of each column of X (weighted rows)."""
    mean = (w[:, None] * X).sum(axis=0) / w.sum()
    Xc = X - mean
    C = Xc.T @ (w[:, None] * Xc)
    d = np.sqrt(np.maximum(np.diag(C), 1e-300))
    R = C / np.outer(d, d)
    return np.diag(np.linalg.pinv(R, hermitian=True))


class TouchpointFit(NamedTuple):
    """The ridge model of the scored journeys' scores on the touchpoints they met and
    their controls; per touchpoint, NaN where it has no effect."""

    varies: np.ndarray
    """Touchpoints whose exposure varies among the scored journeys: the model's columns."""
    beta: np.ndarray
    """The intercept, the effects of the touchpoints that vary, the controls' effects."""
    baseline: float
    """Mean fitted score of the scored journeys."""
    effect: np.ndarray
    """Effect of each touchpoint in score points."""
    ci: np.ndarray
    """Bootstrap interval of each effect, kept within the scale's width."""
    se: np.ndarray
    """Bootstrap standard error of each effect."""
    vif: np.ndarray
    """Variance inflation factor of each touchpoint's exposure."""


def fit_touchpoints(Xe: np.ndarray, ys: np.ndarray, F: np.ndarray,
                    scale: tuple[float, float], *, ridge: float, n_boot: int, level: float,
                    random_state: int, weights: np.ndarray | None = None) -> TouchpointFit:
    """Fit the scores ``ys`` on the exposures ``Xe`` (journeys x touchpoints, as floats)
    and the control columns ``F``: the touchpoint effects penalised by ``ridge``, their
    ``level`` intervals from ``n_boot`` resamples. With ``weights``, each row stands for
    that many journeys (the grouped rows of an engine's log): the same fit."""
    A = Xe.shape[1]
    varies = (Xe.min(axis=0) != Xe.max(axis=0))
    X = np.column_stack([np.ones(len(ys)), Xe[:, varies], F])
    p_t = int(varies.sum())
    penalty = np.zeros(X.shape[1])
    penalty[1:1 + p_t] = ridge
    Xu, yu, w = distinct_rows(X, ys, weights)
    beta = ridge_solve(Xu, yu, w.astype(float), penalty)
    vifs = np.full(A, np.nan)
    vifs[varies] = vif(Xu[:, 1:], w.astype(float))[:p_t]
    boots = bootstrap(Xu, yu, w, penalty, n_boot, random_state)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    eff = np.full(A, np.nan)
    eff[varies] = beta[1:1 + p_t]
    ci = np.full((A, 2), np.nan)
    se = np.full(A, np.nan)
    if len(boots):
        ci[varies] = np.quantile(boots[:, 1:1 + p_t], [lo_q, hi_q], axis=0).T
        se[varies] = boots[:, 1:1 + p_t].std(axis=0, ddof=1)
    ci = within_scale(ci, scale)
    baseline = float((X @ beta).mean()) if weights is None else \
        float(w @ (Xu @ beta) / w.sum())
    return TouchpointFit(varies, beta, baseline, eff, ci, se, vifs)


def fitted_attributes(model: TouchpointFit) -> dict[str, Any]:
    """The estimator's attributes that come from the fit ``model``: ``baseline_``,
    ``estimable_``, ``intercept_``, ``coef_``, ``control_coef_`` and ``intervals_``."""
    p_t = int(model.varies.sum())
    return {"baseline_": model.baseline, "estimable_": model.varies,
            "intercept_": float(model.beta[0]), "coef_": model.effect,
            "control_coef_": model.beta[1 + p_t:], "intervals_": model.ci}


def effects_table(model: TouchpointFit, Xe: np.ndarray, ys: np.ndarray, acts: Any,
                  stage: Any, channel: Any, customers: np.ndarray, *, smallest: float,
                  max_vif: float, weights: np.ndarray | None = None) -> pd.DataFrame:
    """The effects table of a touchpoint model (one row per touchpoint ``acts``, in their
    order), with the naive gap of each and its kind: ``not separable`` above ``max_vif``,
    ``negligible`` when its interval excludes zero but it is under ``smallest``, irritant
    or delight when its interval excludes zero, else unclear. With ``weights``, each row
    of ``Xe`` and ``ys`` stands for that many journeys."""
    A = len(acts)
    eff, ci, se = model.effect, model.ci, model.se
    if weights is None:
        exposed_n = Xe.sum(axis=0)
        n_scored = len(ys)
        with np.errstate(invalid="ignore", divide="ignore"):
            naive = np.array([ys[Xe[:, j] > 0].mean() - ys[Xe[:, j] == 0].mean()
                              if 0 < exposed_n[j] < len(ys) else np.nan for j in range(A)])
    else:
        w = np.asarray(weights, dtype=float)
        exposed_n = w @ Xe
        n_scored = int(w.sum())
        wy, on = w * ys, Xe > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            naive = np.array([wy[on[:, j]].sum() / w[on[:, j]].sum()
                              - wy[~on[:, j]].sum() / w[~on[:, j]].sum()
                              if 0 < exposed_n[j] < n_scored else np.nan for j in range(A)])
    effects = pd.DataFrame({
        "touchpoint": np.asarray(acts, dtype=object),
        "stage": stage,
        "channel": channel,
        "effect": eff, "ci_low": ci[:, 0], "ci_high": ci[:, 1], "se": se,
        "journeys_scored": int(n_scored), "exposed_scored": exposed_n.astype(np.int64),
        "customers": customers.astype(np.int64), "points_lost": eff * customers,
        "naive_gap": naive,
    })
    effects["vif"] = model.vif
    clear = (effects["ci_high"] < 0) | (effects["ci_low"] > 0)
    effects.insert(7, "kind", np.select(
        [effects["vif"] > max_vif, clear & (effects["effect"].abs() < smallest),
         effects["ci_high"] < 0, effects["ci_low"] > 0],
        ["not separable", "negligible", "irritant", "delight"], "unclear"))
    return effects


def group_effects(Xe: np.ndarray, ys: np.ndarray, gs: np.ndarray, j: int,
                  estimable: np.ndarray, F: np.ndarray, groups: list[str],
                  scale: tuple[float, float], *, ridge: float, n_boot: int, level: float,
                  random_state: int) -> pd.DataFrame:
    """Touchpoint ``j``'s effect within each control group (``gs``: each journey's, an
    index into ``groups``): the touchpoint model with its exposure interacted with the
    groups. A group where every or no journey met it has no effect (NaN)."""
    G = len(groups)
    others = [c for c in np.flatnonzero(estimable) if c != j]
    inter = np.zeros((len(ys), G))
    inter[np.arange(len(ys)), gs] = Xe[:, j]
    X = np.column_stack([np.ones(len(ys)), Xe[:, others], inter, F])
    penalty = np.zeros(X.shape[1])
    penalty[1:1 + len(others) + G] = ridge
    Xu, yu, w = distinct_rows(X, ys)
    sl = slice(1 + len(others), 1 + len(others) + G)
    beta = ridge_solve(Xu, yu, w.astype(float), penalty)[sl]
    boots = int(n_boot)
    draws = bootstrap(Xu, yu, w, penalty, boots, random_state)[:, sl]
    exposed = np.bincount(gs, weights=Xe[:, j], minlength=G)
    size = np.bincount(gs, minlength=G)
    ok = (exposed > 0) & (exposed < size)
    q = (1 - level) / 2
    lo = within_scale(np.quantile(draws, q, axis=0), scale) if boots \
        else np.full(G, np.nan)
    hi = within_scale(np.quantile(draws, 1 - q, axis=0), scale) if boots \
        else np.full(G, np.nan)
    return pd.DataFrame({"group": groups, "effect": np.where(ok, beta, np.nan),
                         "ci_low": np.where(ok, lo, np.nan),
                         "ci_high": np.where(ok, hi, np.nan),
                         "exposed_scored": exposed.astype(np.int64)})


def shapley_parts(x: np.ndarray, coef: np.ndarray, control_part: np.ndarray,
                  names: list, cases: np.ndarray, *, intercept: float,
                  baseline: float) -> pd.DataFrame:
    """Each journey's fitted score's gap to ``baseline``, split into the Shapley values of
    the additive model: one per touchpoint column of ``x`` (effects ``coef``) and one for
    the controls (``control_part``, each journey's), named by ``names``. Long format,
    zero contributions left out; ``attrs['gap']`` holds each journey's gap."""
    contrib = (x - x.mean(axis=0)) * coef
    persona = control_part - control_part.mean()
    values = np.column_stack([contrib, persona])
    long = pd.DataFrame({"case_id": np.repeat(cases, len(names)),
                         "factor": np.tile(np.asarray(names, dtype=object), len(cases)),
                         "contribution": values.ravel()})
    long = long[long["contribution"] != 0].reset_index(drop=True)
    fitted = intercept + x @ coef + control_part
    long.attrs["gap"] = pd.Series(fitted - baseline, index=cases)
    return long


def irritants_and_delights(effects: pd.DataFrame, touchpoints: np.ndarray, coef: np.ndarray,
                           y: np.ndarray, exposed: np.ndarray, scale: tuple[float, float],
                           detractor_max: float | None) -> pd.DataFrame:
    """The irritants of ``effects`` by points lost, then its delights by points gained,
    with the share of detractors (scores ``y`` up to ``detractor_max``: 6 on a 0-10
    ``scale``, its midpoint otherwise) each irritant explains and the action it calls
    for."""
    lo, hi = scale
    cut = detractor_max if detractor_max is not None else (6.0 if (lo, hi) == (0, 10)
                                                          else lo + (hi - lo) / 2)
    det = y <= cut
    explained = {}
    for j, (a, b) in enumerate(zip(touchpoints, coef)):
        if not np.isfinite(b) or b >= 0 or not det.any():
            explained[a] = np.nan
            continue
        explained[a] = float((det & exposed[:, j] & (y - b > cut)).sum() / det.sum())
    table = effects[effects["kind"].isin(["irritant", "delight"])].copy()
    table["share_of_detractors_explained"] = table["touchpoint"].map(explained)
    table["action"] = [
        f"fix {t} ({s}): worth {-e:.2f} points to each of {c:,} customers"
        if k == "irritant"
        else f"extend {t} ({s}): worth +{e:.2f} points to each of {c:,} customers"
        for t, s, e, c, k in zip(table["touchpoint"], table["stage"], table["effect"],
                                 table["customers"], table["kind"])]
    table["order"] = np.where(table["kind"] == "irritant", table["points_lost"],
                              -table["points_lost"])
    table = table.sort_values(["kind", "order"], ascending=[False, True], kind="stable")
    cols = ["stage", "touchpoint", "kind", "effect", "ci_low", "ci_high", "customers",
            "points_lost", "share_of_detractors_explained", "action"]
    return table[cols].reset_index(drop=True)


def what_if_scores(y: np.ndarray, met: np.ndarray, effect: float, scale: tuple[float, float],
                   *, fixed_share: float, random_state: int) -> pd.DataFrame:
    """The mean score (and NPS on 0-10) now and with ``effect`` removed from a seeded
    ``fixed_share`` of the journeys that ``met`` the touchpoint, kept on the scale."""
    fixed = met & (np.random.default_rng(random_state).random(len(y)) < fixed_share)
    lo, hi = scale
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
