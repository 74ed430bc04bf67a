"""What a satisfaction-drivers fit is built from, journey by journey.

For each journey: its target score and the window of touchpoints that may explain it
(:func:`target_scores`), which touchpoints it met in that window
(:func:`touchpoint_exposure`), and its control group, persona or segment
(:func:`control_groups`), turned into fixed-effect columns by :func:`control_matrix`.
:class:`~journeylab.drivers.SatisfactionDrivers` fits its model on these.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..core.log import EventLog

__all__ = ["Target", "Exposure", "ControlGroups", "target_scores", "touchpoint_exposure",
           "control_groups", "leave_out_group", "control_matrix", "mode_by_activity",
           "within_scale"]


class Target(NamedTuple):
    """Per journey, the score to explain and the touchpoints that may explain it."""

    scores: np.ndarray
    """Target score of each journey (NaN when it has none)."""
    answered_at: np.ndarray
    """Event position of the score: touchpoints before it count."""
    window_start: np.ndarray
    """Event position the window opens at: touchpoints from it on count."""
    instrument: str
    """The survey scored (``"satisfaction"`` for a journey-level score)."""
    scale: tuple[float, float]
    """Lowest and highest possible score."""


class Exposure(NamedTuple):
    """Which touchpoints each journey met."""

    touchpoints: pd.Index
    """The touchpoints (every activity but the surveys): the columns of both arrays."""
    in_window: np.ndarray
    """Journeys x touchpoints, True when met within the journey's window."""
    anywhere: np.ndarray
    """Journeys x touchpoints, True when met at all (before or after the score)."""


class ControlGroups(NamedTuple):
    """The control group of each journey."""

    codes: np.ndarray
    """Group of each journey: an index into ``levels``."""
    levels: list
    """Name of each group, as a string; the first is the reference."""
    probabilities: np.ndarray | None
    """Journeys x groups, each journey's probability of each group (persona
    probabilities given as controls), else None."""


def target_scores(log: EventLog, instrument: str | None, window: str = "journey") -> Target:
    """Per journey: the target score (NaN if none), the event position it was given at and
    the position the window opens at (touchpoints in ``[window_start, answered_at)`` count).

    With survey instruments, the journey's last answer of ``instrument`` (default: the one
    with the widest scale) is its score; ``window="since_previous"`` opens the window after
    the answer before it. Without them, the journey's mean score and all its touchpoints.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(200, random_state=1)
    >>> target = target_scores(jl.read_events(t.events, **t.read_kwargs()), None)
    >>> target.instrument, target.scale
    ('nps_survey', (0.0, 10.0))
    """
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
        return Target(y, at, start, name, tuple(inst[name]))
    if window != "journey":
        raise InvalidInputError("window='since_previous' needs survey events; a case-level "
                                "score rates the whole journey.")
    scale = log.schema.satisfaction_scale or (np.nanmin(score), np.nanmax(score))
    return Target(log.per_case_mean(score), log.case_offsets[1:],
                  log.case_offsets[:-1].astype(np.int64), "satisfaction", tuple(scale))


def touchpoint_exposure(log: EventLog, target: Target) -> Exposure:
    """Which touchpoints each journey met within its window (``target``), and at all.

    Survey events are never touchpoints: they give the scores, they do not cause them.
    """
    surveys = set(log.schema.instruments or {})
    acts = pd.Index([a for a in log.activities if a not in surveys])
    code = acts.get_indexer(log.activities)[log.activity_codes]
    pos = np.arange(log.n_events)
    before = (code >= 0) & (pos < target.answered_at[log.case_codes]) & \
        (pos >= target.window_start[log.case_codes])
    A = len(acts)
    exposed = np.zeros((log.n_cases, A), dtype=bool)
    exposed[log.case_codes[before], code[before]] = True
    met_any = np.zeros((log.n_cases, A), dtype=bool)  # customers affected: scored or not
    met_any[log.case_codes[code >= 0], code[code >= 0]] = True
    return Exposure(acts, exposed, met_any)


def control_groups(log: EventLog, controls: Any) -> ControlGroups:
    """The control group of each journey, from any form of ``controls`` that
    :class:`~journeylab.drivers.SatisfactionDrivers` takes (None: one group)."""
    if controls is None:
        return ControlGroups(np.zeros(log.n_cases, dtype=np.int64), ["(all)"], None)
    if isinstance(controls, pd.DataFrame):  # probabilities of each persona, by case_id
        probs = controls.reindex(log.cases.astype(str))
        if probs.isna().any(axis=None):
            raise InvalidInputError(f"controls lacks {int(probs.isna().any(axis=1).sum())} of "
                                    "the log's journeys; give one row per case_id.")
        p = probs.to_numpy(dtype=float)
        if (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
            raise InvalidInputError("A controls DataFrame holds each journey's persona "
                                    "probabilities: non-negative rows summing to 1.")
        return ControlGroups(p.argmax(axis=1).astype(np.int64), [str(c) for c in probs.columns],
                             p)
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
    return ControlGroups(codes.astype(np.int64), list(levels), None)


def leave_out_group(group: np.ndarray, levels: list[str], scored: np.ndarray, level: str
                    ) -> tuple[np.ndarray, list[str], np.ndarray, int]:
    """The journeys of control group ``level`` (personas too short to tell), if any, left
    out: no longer scored, their group -1, the later groups renumbered. Returns the group
    codes, the levels left, the journeys scored and how many scored journeys were left
    out."""
    untold = 0
    if level in levels:
        drop = levels.index(level)
        untold = int((scored & (group == drop)).sum())
        scored = scored & (group != drop)
        group = np.where(group == drop, -1, np.where(group > drop, group - 1, group))
        levels = [lv for lv in levels if lv != level]
    return group, levels, scored, untold


def control_matrix(codes: np.ndarray, n_groups: int,
                   probabilities: np.ndarray | None = None) -> np.ndarray:
    """Fixed-effect columns of the journeys whose groups are ``codes`` (one per group but
    the first, the reference), or their ``probabilities`` of the groups but the first."""
    if probabilities is not None:
        return probabilities[:, 1:]
    F = np.zeros((len(codes), n_groups - 1))
    if n_groups > 1:
        F[codes > 0, codes[codes > 0] - 1] = 1.0
    return F


def mode_by_activity(log: EventLog, role: str, touchpoints: pd.Index) -> np.ndarray:
    """The most frequent value of a column role (``"stage"``, ``"channel"``) for each
    touchpoint; None when the log lacks the role."""
    if role not in log.events.columns:
        return np.full(len(touchpoints), None, dtype=object)
    pairs = pd.DataFrame({"a": log.events["activity"].astype(object),
                          "v": log.events[role].astype(object)})
    mode = pairs.dropna().groupby("a")["v"].agg(lambda s: s.value_counts().index[0])
    return mode.reindex(touchpoints).to_numpy(dtype=object)


def within_scale(bounds: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Interval bounds of an effect (a difference of scores) kept within plus or minus
    the width of the score's scale; missing stays missing.

    Examples
    --------
    >>> within_scale(np.array([-12.0, 0.5, np.nan]), (0, 10))
    array([-10. ,   0.5,   nan])
    """
    width = float(scale[1]) - float(scale[0])
    return np.clip(bounds, -width, width)
