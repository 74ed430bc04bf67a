"""Journey features: one sparse row per journey, for vector-space clustering.

:class:`JourneyFeatures` is a scikit-learn transformer from an :class:`EventLog` to a
``(journeys, features)`` sparse matrix. It is made of blocks, each optional:

- ``touchpoints``: how often each touchpoint occurs (counts, square-root counts, binary or
  tf-idf);
- ``transitions``: the same for consecutive pairs (2-grams), START and END included;
- ``channels``: each channel's share of the journey's events;
- ``stages``: the furthest stage the journey reached (one-hot, in journey order);
- ``numeric``: journey length, duration, median wait, repeats and channel switches (log1p,
  standardised);
- ``outcome`` and ``satisfaction``: the journey's outcome flag and mean score.

Each block is scaled so that its rows have, on average, unit length, then multiplied by its
weight: blocks count as much as their weights say, whatever their number of columns.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
# scikit-learn's own parameter checks: the constraint types live in a private module
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..errors import InvalidInputError
from ..core.journeys import activity_counts, group_quantiles, transition_counts
from ..core.cases import case_outcome, case_satisfaction
from ..core.log import EventLog
from .params import check_params

__all__ = ["JourneyFeatures"]

_SCALINGS = ("counts", "sqrt", "binary", "tfidf")
_NUMERIC = ("length", "duration", "wait", "repeats", "channel_switches")


class JourneyFeatures(TransformerMixin, BaseEstimator):
    """Turn journeys into feature rows for clustering.

    Parameters
    ----------
    touchpoints, transitions : {"sqrt", "counts", "binary", "tfidf"} or None
        How touchpoint (and consecutive-pair) occurrences are scaled, or None to leave the
        block out. Square-root counts (the default for touchpoints) keep a repeated
        touchpoint from outweighing the rest of the journey.
    channels, stages : bool
        Add each channel's share of the journey, and the furthest stage reached.
    numeric : sequence of str
        Any of ``"length", "duration", "wait", "repeats", "channel_switches"``.
    outcome : str or list of str, optional
        Adds the outcome flag (a column, or touchpoints that count as reaching it).
    satisfaction : bool
        Adds the journey's mean satisfaction score (0 where none; scaled to 0-1).
    weights : mapping, optional
        Weight per block name (``touchpoints``, ``transitions``, ``channels``, ``stages``,
        ``numeric``, ``outcome``, ``satisfaction``); 1 by default.

    Attributes
    ----------
    feature_names_ : ndarray of str
        One name per column, prefixed by its block (``touchpoint:browse_web``).
    block_slices_ : dict
        Block name -> slice of its columns.
    n_features_out_ : int
        Number of columns.
    norms_ : dict
        Block name -> mean row length of the block, scaled, on the journeys fitted: each
        block is divided by it (then multiplied by its weight).
    touchpoints_ : Index
        With ``touchpoints``: the touchpoints counted, one column each.
    transition_touchpoints_, transition_columns_ : Index, ndarray of int
        With ``transitions``: the touchpoints whose consecutive pairs are counted, and the
        pairs seen in the journeys fitted (columns of the pair counts; the others are left
        out).
    idf_ : dict
        ``"touchpoints"`` and ``"transitions"`` -> inverse document frequency of each
        column (used by ``"tfidf"``).
    channels_, stages_ : Index
        With ``channels`` or ``stages``: the channels and the stages (in journey order), one
        column each.
    numeric_mean_, numeric_std_ : ndarray
        With ``numeric``: the mean and standard deviation (1 where it is 0) of each feature
        on the journeys fitted, after log1p.
    satisfaction_range_ : (float, float)
        With ``satisfaction``: the lowest and highest mean score of the journeys fitted,
        which the block maps to 0 and 1.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events).touchpoints()
    >>> X = JourneyFeatures(transitions="binary", channels=True).fit_transform(log)
    >>> X.shape[0] == log.n_cases
    True
    """

    _parameter_constraints: dict = {
        "touchpoints": [StrOptions(set(_SCALINGS)), None],
        "transitions": [StrOptions(set(_SCALINGS)), None],
        "channels": ["boolean"],
        "stages": ["boolean"],
        "numeric": ["array-like"],  # the names are checked in fit
        "outcome": [str, "array-like", None],
        "satisfaction": ["boolean"],
        "weights": [Mapping, None],
    }

    def __init__(self, *, touchpoints: str | None = "sqrt", transitions: str | None = None,
                 channels: bool = False, stages: bool = False,
                 numeric: Sequence[str] = (), outcome: str | Sequence[str] | None = None,
                 satisfaction: bool = False, weights: Mapping[str, float] | None = None):
        self.touchpoints = touchpoints
        self.transitions = transitions
        self.channels = channels
        self.stages = stages
        self.numeric = numeric
        self.outcome = outcome
        self.satisfaction = satisfaction
        self.weights = weights

    # ---------------------------------------------------------------------------- blocks
    def _check(self) -> None:
        check_params(self)
        bad = [v for v in self.numeric if v not in _NUMERIC]
        if bad:
            raise InvalidInputError(f"Unknown numeric features {bad}; choose from {_NUMERIC}.")

    def _raw_blocks(self, log: EventLog, fitting: bool) -> dict[str, sp.csr_matrix]:
        from ..paths import journey_rework, stage_order

        blocks: dict[str, sp.csr_matrix] = {}
        if self.touchpoints is not None:
            if fitting:
                self.touchpoints_ = pd.Index(log.activities)
            blocks["touchpoints"] = activity_counts(log, self.touchpoints_)
        if self.transitions is not None:
            if fitting:
                counts, self.transition_touchpoints_ = transition_counts(log)
                self.transition_columns_ = np.flatnonzero(np.asarray(counts.sum(axis=0)).ravel())
            else:
                counts, _ = transition_counts(log, self.transition_touchpoints_)
            blocks["transitions"] = counts[:, self.transition_columns_].tocsr()
        if self.channels:
            self._need(log, "channel")
            if fitting:
                self.channels_ = pd.Index(log.events["channel"].cat.categories)
            ch = self.channels_.get_indexer(log.events["channel"].astype(object))
            keep = ch >= 0
            m = sp.csr_matrix((np.ones(int(keep.sum())), (log.case_codes[keep], ch[keep])),
                              shape=(log.n_cases, len(self.channels_)))
            m.sum_duplicates()
            blocks["channels"] = sp.csr_matrix(m.multiply(1.0 / log.case_lengths[:, None]))
        if self.stages:
            self._need(log, "stage")
            if fitting:
                self.stages_ = pd.Index(stage_order(log))
            st = self.stages_.get_indexer(log.events["stage"].astype(object))
            reached = np.maximum.reduceat(st, log.case_offsets[:-1]) if log.n_events else st
            keep = reached >= 0
            blocks["stages"] = sp.csr_matrix(
                (np.ones(int(keep.sum())), (np.flatnonzero(keep), reached[keep])),
                shape=(log.n_cases, len(self.stages_)))
        if self.numeric:
            blocks["numeric"] = sp.csr_matrix(self._numeric(log, journey_rework, fitting))
        if self.outcome is not None:
            blocks["outcome"] = sp.csr_matrix(
                case_outcome(log, self.outcome).astype(float)[:, None])
        if self.satisfaction:
            sat = case_satisfaction(log)
            if sat is None:
                raise InvalidInputError("satisfaction=True needs a satisfaction column; map "
                                        "one with read_events(..., satisfaction_key=...).")
            if fitting:
                finite = sat[np.isfinite(sat)]
                self.satisfaction_range_ = (float(finite.min()), float(finite.max())) \
                    if len(finite) else (0.0, 1.0)
            lo, hi = self.satisfaction_range_
            blocks["satisfaction"] = sp.csr_matrix(
                np.nan_to_num((sat - lo) / max(hi - lo, 1e-12))[:, None])
        return blocks

    @staticmethod
    def _need(log: EventLog, role: str) -> None:
        if role not in log.events.columns:
            raise InvalidInputError(f"This feature needs a {role} column; map one with "
                                    f"read_events(..., {role}_key=...).")

    def _numeric(self, log: EventLog, journey_rework, fitting: bool) -> np.ndarray:
        cols = []
        rework = journey_rework(log) if {"repeats", "channel_switches"} & set(self.numeric) \
            else None
        first = log.case_offsets[:-1]
        for name in self.numeric:
            if name == "length":
                v = log.case_lengths.astype(float)
            elif name == "duration":
                v = (log.timestamps_ns[log.case_offsets[1:] - 1] - log.timestamps_ns[first]) / 1e9
            elif name == "wait":
                same = log.case_codes[1:] == log.case_codes[:-1]
                gaps = np.diff(log.timestamps_ns)[same] / 1e9
                v = np.zeros(log.n_cases)
                if len(gaps):
                    v = np.nan_to_num(group_quantiles(log.case_codes[1:][same], gaps,
                                                      log.n_cases, (0.5,))[:, 0])
            else:
                if name not in rework:
                    self._need(log, "channel")
                v = rework[name].to_numpy(dtype=float)
            cols.append(np.log1p(np.maximum(v, 0.0)))
        mat = np.column_stack(cols)
        if fitting:
            self.numeric_mean_ = mat.mean(axis=0)
            self.numeric_std_ = np.where(mat.std(axis=0) > 0, mat.std(axis=0), 1.0)
        return (mat - self.numeric_mean_) / self.numeric_std_

    @staticmethod
    def _scale(m: sp.csr_matrix, how: str, idf: np.ndarray | None) -> sp.csr_matrix:
        m = m.astype(float)
        if how == "sqrt":
            return m.sqrt()
        if how == "binary":
            return (m > 0).astype(float)
        if how == "tfidf":
            return sp.csr_matrix(m.sqrt().multiply(idf[None, :]))
        return m

    # ---------------------------------------------------------------------------- API
    def fit(self, log: EventLog, y=None) -> "JourneyFeatures":
        self._fit_transform(log)
        return self

    def fit_transform(self, log: EventLog, y=None, **_) -> sp.csr_matrix:
        return self._fit_transform(log)

    def _fit_transform(self, log: EventLog) -> sp.csr_matrix:
        self._check()
        raw = self._raw_blocks(log, fitting=True)
        if not raw:
            raise InvalidInputError("JourneyFeatures has no block switched on.")
        self.idf_ = {}
        for name in ("touchpoints", "transitions"):
            if name in raw:
                df = np.asarray((raw[name] > 0).sum(axis=0)).ravel()
                self.idf_[name] = np.log((1 + log.n_cases) / (1 + df)) + 1.0
        scaled = self._scaled(raw)
        self.norms_ = {name: float(np.sqrt(m.multiply(m).sum(axis=1)).mean()) or 1.0
                      for name, m in scaled.items()}
        names, slices, start = [], {}, 0
        for name, m in scaled.items():
            labels = self._labels(name, m.shape[1])
            names += [f"{name.rstrip('s') if name != 'numeric' else 'numeric'}:{x}"
                      for x in labels]
            slices[name] = slice(start, start + m.shape[1])
            start += m.shape[1]
        self.feature_names_ = np.asarray(names, dtype=object)
        self.block_slices_ = slices
        self.n_features_out_ = start
        return self._assemble(scaled)

    def _labels(self, name: str, width: int) -> list[str]:
        if name == "touchpoints":
            return [str(a) for a in self.touchpoints_]
        if name == "transitions":
            states = [str(a) for a in self.transition_touchpoints_] + ["START", "END"]
            S = len(states)
            return [f"{states[c // S]}>{states[c % S]}" for c in self.transition_columns_]
        if name == "channels":
            return [str(c) for c in self.channels_]
        if name == "stages":
            return [str(s) for s in self.stages_]
        if name == "numeric":
            return list(self.numeric)
        return [name]

    def _scaled(self, raw: dict[str, sp.csr_matrix]) -> dict[str, sp.csr_matrix]:
        out = {}
        for name, m in raw.items():
            how = getattr(self, name) if name in ("touchpoints", "transitions") else None
            out[name] = self._scale(m, how, self.idf_.get(name)) if how else m.astype(float)
        return out

    def _assemble(self, scaled: dict[str, sp.csr_matrix]) -> sp.csr_matrix:
        weights = dict(self.weights or {})
        unknown = set(weights) - set(scaled)
        if unknown:
            raise InvalidInputError(f"weights name blocks that are off or unknown: "
                                    f"{sorted(unknown)}; blocks on: {list(scaled)}.")
        parts = [m * (weights.get(name, 1.0) / self.norms_[name]) for name, m in scaled.items()]
        return sp.hstack(parts, format="csr")

    def transform(self, log: EventLog) -> sp.csr_matrix:
        """Feature rows of ``log``'s journeys, with the vocabulary learned by ``fit``."""
        check_is_fitted(self, "feature_names_")
        return self._assemble(self._scaled(self._raw_blocks(log, fitting=False)))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_
