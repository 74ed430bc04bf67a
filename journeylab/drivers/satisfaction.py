"""Satisfaction where it is measured: by touchpoint, stage and journey-map cell, and the
drops between two answers of the same journey.

Survey answers are events of survey activities (one scale per instrument). An answer is
credited to the touchpoint just before it in the journey (the contact it rates, as a CSAT
after a call), and to that touchpoint's stage and channel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..core.journeys import SEP, path_label
from ..errors import InvalidInputError
from ..core.log import EventLog

__all__ = ["satisfaction_by", "satisfaction_drops", "score_trajectory", "survey_answers"]

_BY = {"touchpoint": ["touchpoint"], "stage": ["stage"], "channel": ["channel"],
       "cell": ["stage", "channel"]}


def survey_answers(log: EventLog, *, instrument: str | None = None) -> pd.DataFrame:
    """One row per answer: ``case_id, instrument, score, position`` (event index) and the
    ``touchpoint`` before it (with its ``stage`` and ``channel`` when the log has them).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(200, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> set(survey_answers(log)["instrument"]) <= {"csat_survey", "nps_survey"}
    True
    """
    inst = log.schema.instruments or {}
    if "satisfaction" not in log.events.columns or not inst:
        raise InvalidInputError("Survey answers need a satisfaction column and the survey "
                                "instruments: read_events(..., satisfaction_key=..., "
                                "instruments={'nps_survey': (0, 10)}).")
    if instrument is not None and instrument not in inst:
        raise InvalidInputError(f"Unknown instrument {instrument!r}; the log's instruments are "
                                f"{sorted(inst)}.")
    act = log.events["activity"].astype(object).to_numpy()
    score = log.events["satisfaction"].to_numpy(dtype=float)
    is_survey = np.isin(act, list(inst))
    wanted = is_survey & np.isfinite(score)
    if instrument is not None:
        wanted &= act == instrument
    pos = np.flatnonzero(wanted)
    # the touchpoint before: the last non-survey event earlier in the same journey
    idx = np.arange(log.n_events)
    last_tp = np.where(~is_survey, idx, -1)
    last_tp = np.maximum.accumulate(last_tp)
    starts = np.repeat(log.case_offsets[:-1], log.case_lengths)
    prev = np.where(pos > 0, last_tp[np.maximum(pos - 1, 0)], -1)
    prev = np.where(prev >= starts[pos], prev, -1)
    out = pd.DataFrame({
        "case_id": np.asarray(log.cases, dtype=object)[log.case_codes[pos]],
        "instrument": act[pos], "score": score[pos], "position": pos,
        "touchpoint": np.where(prev >= 0, act[np.maximum(prev, 0)], None),
    })
    for role in ("stage", "channel"):
        if role in log.events.columns:
            vals = log.events[role].astype(object).to_numpy()
            out[role] = np.where(prev >= 0, vals[np.maximum(prev, 0)], None)
    return out


def _summarise(groups: pd.core.groupby.DataFrameGroupBy, scale: tuple[float, float],
               level: float) -> pd.DataFrame:
    lo, hi = scale
    agg = groups["score"].agg(answers="size", customers=lambda s: s.index.nunique(),
                              mean="mean", sd="std")
    t = stats.t.ppf(0.5 + level / 2, np.maximum(agg["answers"] - 1, 1))
    half = t * agg["sd"] / np.sqrt(agg["answers"])  # no interval from a single answer
    # a mean score cannot leave the instrument's scale, nor can its interval
    agg["ci_low"] = np.clip(agg["mean"] - half, lo, hi)
    agg["ci_high"] = np.clip(agg["mean"] + half, lo, hi)
    if (lo, hi) == (0, 10):  # NPS: promoters 9-10, detractors 0-6, on -100..100
        promoters = groups["score"].agg(lambda s: (s >= 9).mean())
        detractors = groups["score"].agg(lambda s: (s <= 6).mean())
        agg["nps"] = 100 * (promoters - detractors)
        var = (promoters + detractors - (promoters - detractors) ** 2) / agg["answers"]
        z = stats.norm.ppf(0.5 + level / 2)
        agg["nps_ci_low"] = np.maximum(agg["nps"] - 100 * z * np.sqrt(var), -100.0)
        agg["nps_ci_high"] = np.minimum(agg["nps"] + 100 * z * np.sqrt(var), 100.0)
    return agg.drop(columns="sd").reset_index()


def satisfaction_by(log: EventLog, *, by: str = "touchpoint", instrument: str | None = None,
                    level: float = 0.95) -> pd.DataFrame:
    """Satisfaction per touchpoint (the one just before each answer), stage, channel or
    stage x channel cell.

    Columns: the grouping, ``instrument, answers, customers, mean, ci_low, ci_high``
    (t interval at ``level``, kept within the instrument's scale), and for 0-10 instruments
    ``nps`` (promoters 9-10 minus detractors 0-6, in points) with its interval. Each
    instrument is summarised on its own scale; pick one with ``instrument``.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(2000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> table = satisfaction_by(log, by="stage", instrument="csat_survey")
    >>> bool((table["ci_low"] <= table["mean"]).all())
    True
    """
    if by not in _BY:
        raise InvalidInputError(f"by must be one of {sorted(_BY)}, got {by!r}.")
    if not 0 < level < 1:
        raise InvalidInputError(f"level must be between 0 and 1, got {level}.")
    keys = _BY[by]
    missing = [k for k in keys if k != "touchpoint" and k not in log.events.columns]
    if missing:
        raise InvalidInputError(f"by={by!r} needs the {missing} role(s); map them with "
                                "read_events(..., stage_key=..., channel_key=...) or a catalogue.")
    answers = survey_answers(log, instrument=instrument).dropna(subset=keys)
    parts = []
    for name, part in answers.groupby("instrument", sort=True):
        scale = tuple(log.schema.instruments[name])
        table = _summarise(part.set_index("case_id").groupby(keys, sort=True), scale, level)
        table.insert(len(keys), "instrument", name)
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[*keys, "instrument", "answers", "customers", "mean",
                                     "ci_low", "ci_high"])
    return pd.concat(parts, ignore_index=True)


def satisfaction_drops(log: EventLog, *, instrument: str, level: float = 0.95) -> pd.DataFrame:
    """Where satisfaction drops along journeys: for every two consecutive answers of
    ``instrument`` in a journey, the change in score is credited to each touchpoint met
    between them.

    Columns: ``touchpoint, windows`` (pairs of answers with the touchpoint between them),
    ``mean_change, ci_low, ci_high`` (within plus or minus the scale's width) and
    ``mean_change_without`` (windows without it);
    largest drop first. ``attrs['windows']`` holds every window: ``case_id, before,
    after, change, touchpoints``.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(3000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> list(satisfaction_drops(log, instrument="csat_survey").columns[:2])
    ['touchpoint', 'windows']
    """
    answers = survey_answers(log, instrument=instrument)
    lo, hi = log.schema.instruments[instrument]
    widest = float(hi) - float(lo)  # a change in score is bounded by the scale's width
    same = answers["case_id"].to_numpy()[1:] == answers["case_id"].to_numpy()[:-1]
    a = answers.iloc[:-1][same].reset_index(drop=True)
    b = answers.iloc[1:][same].reset_index(drop=True)
    inst = set(log.schema.instruments or {})
    act = log.events["activity"].astype(object).to_numpy()
    between = [sorted({x for x in act[p + 1:q] if x not in inst})
               for p, q in zip(a["position"], b["position"])]
    windows = pd.DataFrame({"case_id": a["case_id"], "before": a["score"], "after": b["score"],
                            "change": b["score"].to_numpy() - a["score"].to_numpy(),
                            "touchpoints": [SEP.join(map(path_label, t)) for t in between]})
    rows = []
    if len(windows):
        exploded = pd.DataFrame({"w": np.repeat(np.arange(len(windows)),
                                                [len(t) for t in between]),
                                 "touchpoint": [x for t in between for x in t]})
        change = windows["change"].to_numpy()
        z = stats.t
        for tp, part in exploded.groupby("touchpoint", sort=True):
            inside = np.zeros(len(windows), bool)
            inside[part["w"].to_numpy()] = True
            c = change[inside]
            half = z.ppf(0.5 + level / 2, max(len(c) - 1, 1)) * (c.std(ddof=1) if len(c) > 1
                                                                 else np.nan) / np.sqrt(len(c))
            rows.append({"touchpoint": tp, "windows": int(inside.sum()),
                         "mean_change": float(c.mean()),
                         "ci_low": float(np.clip(c.mean() - half, -widest, widest)),
                         "ci_high": float(np.clip(c.mean() + half, -widest, widest)),
                         "mean_change_without": float(change[~inside].mean())
                         if (~inside).any() else np.nan})
    out = pd.DataFrame(rows, columns=["touchpoint", "windows", "mean_change", "ci_low",
                                      "ci_high", "mean_change_without"])
    out = out.sort_values(["mean_change", "touchpoint"], kind="stable").reset_index(drop=True)
    out.attrs["windows"] = windows
    return out


def score_trajectory(log: EventLog, touchpoint: str, *, instrument: str, steps: int = 3,
                     level: float = 0.95) -> pd.DataFrame:
    """Scores before and after a touchpoint, in the journeys that met it.

    Each journey's answers of ``instrument`` are numbered from the first time it met
    ``touchpoint``: -1 is the last answer before it, 1 the first answer after it, and so
    on up to ``steps`` each side. Columns: ``answer, answers, customers, mean, ci_low,
    ci_high`` (t interval, kept within the instrument's scale). A drop between -1 and 1 is
    what the touchpoint did to the journeys that met it; ``satisfaction_drops`` sets it
    against windows without it.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(3000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> tr = score_trajectory(log, "hold_queue", instrument="csat_survey")
    >>> bool(tr.set_index("answer").loc[1, "mean"] < tr.set_index("answer").loc[-1, "mean"])
    True
    """
    if steps < 1:
        raise InvalidInputError(f"steps must be at least 1, got {steps}.")
    if touchpoint not in set(log.activities):
        raise InvalidInputError(f"Unknown touchpoint {touchpoint!r}; the log's activities are "
                                f"{sorted(map(str, log.activities))}.")
    answers = survey_answers(log, instrument=instrument)
    scale = tuple(log.schema.instruments[instrument])
    hit = np.flatnonzero(log.events["activity"].astype(object).to_numpy() == touchpoint)
    first = pd.Series(hit).groupby(log.case_codes[hit]).min()
    met_at = np.full(log.n_cases, -1, dtype=np.int64)
    met_at[first.index.to_numpy()] = first.to_numpy()
    pos = answers["position"].to_numpy()
    at = met_at[log.case_codes[pos]]
    keep = at >= 0
    a = answers.loc[keep, ["case_id", "score", "position"]].copy()
    after = a["position"].to_numpy() > at[keep]
    order_after = a[after].groupby("case_id", sort=False).cumcount().to_numpy() + 1
    order_before = -(a[~after].iloc[::-1].groupby("case_id", sort=False).cumcount()
                     .to_numpy()[::-1] + 1)
    answer = np.zeros(len(a), dtype=np.int64)
    answer[after], answer[~after] = order_after, order_before
    a["answer"] = answer
    a = a[np.abs(a["answer"]) <= steps]
    cols = ["answer", "answers", "customers", "mean", "ci_low", "ci_high"]
    if a.empty:
        return pd.DataFrame(columns=cols)
    table = _summarise(a.set_index("case_id").groupby("answer", sort=True), scale, level)
    return table[[c for c in table.columns if c in cols or c.startswith("nps")]]
