"""Satisfaction scores: the one reading of a score column (numbers; a decimal comma where it
cannot separate thousands, ``1,234`` left unread as ambiguous; true/false as 1 and 0; a
percentage as its number, ``85%`` as 85; usual spellings of no value), the look-up of
survey activities and their scales when none are declared (:func:`find_instruments`), and
the check of every score against its instrument's scale or the journey-level scale
(:func:`check_scores`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.encode import null_mask, null_spellings
from ..core.schema import Schema
from .findings import EXAMPLES, Finding, short
from .timestamps import match

__all__ = ["find_instruments", "check_scores"]


#: The usual scales of survey instruments, looked up by name (lower case, word parts).
_SCALE_BY_NAME: tuple[tuple[str, tuple[float, float]], ...] = (
    ("nps", (0.0, 10.0)), ("csat", (1.0, 5.0)), ("ces", (1.0, 7.0)))
#: Scales a survey's observed scores are snapped to, narrowest first.
_USUAL_SCALES: tuple[tuple[float, float], ...] = (
    (1.0, 5.0), (0.0, 5.0), (1.0, 7.0), (0.0, 10.0), (1.0, 10.0), (0.0, 100.0))


_THOUSANDS_RE = r"[+-]?\d{1,3}(?:,\d{3})+"
_DECIMAL_COMMA_RE = r"[+-]?\d*,\d+"
_PERCENT_RE = r"[+-]?\d[\d.,]*\s*%"


@dataclass
class _Scores:
    """Scores read from a column: ``values`` (float64, NaN when absent or unusable), row
    masks ``present``, ``not_numeric``, ``not_finite``, ``ambiguous_comma`` (``1,234``),
    ``decimal_comma`` (``4,5`` read as 4.5), ``boolean``; ``spelled``: null spellings found;
    ``percent``: written as a percentage (``85%`` read as 85)."""

    values: np.ndarray
    present: np.ndarray
    not_numeric: np.ndarray
    not_finite: np.ndarray
    ambiguous_comma: np.ndarray
    decimal_comma: np.ndarray
    boolean: np.ndarray
    spelled: dict
    percent: np.ndarray


def _score_values(s: pd.Series, null_values=None) -> _Scores:
    """The one reading of a score column (validation and instrument look-up share it).

    A comma is a decimal separator only when it cannot separate thousands (``4,5``,
    ``3,25``, ``1234,5``); ``1,234`` is ambiguous and not read. A percentage is its
    number (``85%``, ``85 %``, ``85,5%``: 85, 85, 85.5).
    """
    n = len(s)
    none = np.zeros(n, bool)
    if pd.api.types.is_complex_dtype(s.dtype):  # not a score; float() would drop the imaginary
        s = s.astype(object).where(s.notna(), None).map(str, na_action="ignore")
    if pd.api.types.is_bool_dtype(s.dtype):
        present = s.notna().to_numpy()
        vals = np.where(present, s.astype("float64").to_numpy(), np.nan)
        return _Scores(vals, present, none, none, none, none, present.copy(), {}, none)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        is_bool = (s.map(lambda v: isinstance(v, (bool, np.bool_)), na_action="ignore")
                   .fillna(False).to_numpy(dtype=bool)) if s.dtype == object else none
        txt = s.astype("string[pyarrow]").str.strip()
        present = txt.notna().to_numpy() & (txt != "").to_numpy(dtype=bool, na_value=False)
        spelled_mask = present & null_mask(txt, null_spellings(null_values))
        spelled = ({str(k): int(v) for k, v in txt[spelled_mask].value_counts().items()}
                   if spelled_mask.any() else {})
        present &= ~spelled_mask
        percent = present & match(txt, _PERCENT_RE, full=True)
        if percent.any():  # the number before the sign, then read as any other
            txt = txt.copy()
            txt[percent] = txt[percent].str.replace(r"\s*%$", "", regex=True)
        thousands = present & match(txt, _THOUSANDS_RE, full=True)
        comma = present & ~thousands & match(txt, _DECIMAL_COMMA_RE, full=True)
        if comma.any():
            txt = txt.copy()
            txt[comma] = txt[comma].str.replace(",", ".", regex=False)
        usable = present & ~thousands & ~is_bool
        vals = np.asarray(pd.to_numeric(txt.where(usable), errors="coerce"), dtype="float64")
        not_numeric = present & ~thousands & (np.isnan(vals) | is_bool)
        vals = np.where(not_numeric, np.nan, vals)
        percent &= ~not_numeric & ~thousands
    else:
        present = s.notna().to_numpy()
        vals = (s.to_numpy() if s.dtype == np.float64  # numbers: taken as they are
                else s.to_numpy(dtype="float64", na_value=np.nan)
                if pd.api.types.is_numeric_dtype(s.dtype)
                else np.asarray(pd.to_numeric(s, errors="coerce"), dtype="float64"))
        not_numeric = present & np.isnan(vals)
        thousands = comma = is_bool = percent = none
        spelled = {}
    not_finite = present & np.isinf(vals)
    unread = not_finite | thousands
    if unread.any():  # else the column's own values, not a copy
        vals = np.where(unread, np.nan, vals)
    return _Scores(vals, present, not_numeric, not_finite, thousands, comma, is_bool & present,
                   spelled, percent & ~not_finite)


#: Words of an activity's name that say it is a survey.
_SURVEY_WORDS = {"survey", "feedback", "rating", "nps", "csat", "ces"}


def _words(name: str) -> set[str]:
    return set("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def _scale_named(name: str) -> tuple[float, float] | None:
    """The usual scale of a survey named like ``nps_survey`` (None for other names)."""
    words = _words(name)
    return next((sc for key, sc in _SCALE_BY_NAME
                 if any(w == key or w.startswith(key) for w in words)), None)


def find_instruments(scores: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, *,
                     column: str = "satisfaction", null_values=None
                     ) -> tuple[dict[str, tuple[float, float]], Finding | None]:
    """Look up the survey activities of a log and their scales.

    A survey activity is one whose rows carry a score at least one time in twenty (most
    surveys go unanswered by many), or any score when its name says survey (``nps``,
    ``csat``, ``ces``, ``survey``, ``feedback``, ``rating``), in a log where such
    activities are a minority (scores on most touchpoints are a journey-level score,
    declared with ``satisfaction_scale=``). A stray score on a touchpoint is not enough.
    Its scale is the usual one for its name (``nps``: 0-10, ``csat``: 1-5, ``ces``: 1-7)
    when its scores fit it, else the narrowest usual scale holding every score, else the
    observed range.

    Returns the instruments and a finding that says what was found and how to override it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> acts = pd.Index(["visit", "nps_survey"])
    >>> found, _ = find_instruments(pd.Series([np.nan, 9, np.nan, 3]), np.array([0, 1, 0, 1]), acts)
    >>> found
    {'nps_survey': (0.0, 10.0)}
    """
    values = _score_values(scores, null_values).values
    ok = np.isfinite(values) & (act_codes >= 0)
    n_acts = len(act_cats)
    if not ok.any() or n_acts == 0:
        return {}, None
    rows = np.bincount(act_codes[act_codes >= 0], minlength=n_acts)
    scored = np.bincount(act_codes[ok], minlength=n_acts)
    named = np.array([bool(_words(str(a)) & _SURVEY_WORDS) or _scale_named(str(a)) is not None
                      for a in act_cats], dtype=bool)
    survey = np.flatnonzero((scored > 0) & ((scored * 20 >= rows) | named))
    if len(survey) * 2 > n_acts and n_acts > 1:
        return {}, Finding(
            "instruments_not_found", "warning",
            f"Scores in {column!r} sit on most touchpoints, so no survey activities were "
            f"looked up; the scores are kept as they are.", column=column,
            fix="pass instruments={activity: (low, high)} for survey events, or "
                "satisfaction_scale=(low, high) for a score per journey")
    found: dict[str, tuple[float, float]] = {}
    said = []
    for code in survey:
        name = str(act_cats[code])
        v = values[ok & (act_codes == code)]
        lo, hi = float(v.min()), float(v.max())
        by_name = _scale_named(name)
        if by_name is not None and by_name[0] <= lo and hi <= by_name[1]:
            scale, why = by_name, "its name"
        else:
            scale = next((sc for sc in _USUAL_SCALES if sc[0] <= lo and hi <= sc[1]), None)
            why = "its scores"
            if scale is None:
                scale = (lo, hi if hi > lo else lo + 1.0)
                why = "the range of its scores"
        found[name] = scale
        said.append(f"{name!r} {scale[0]:g}-{scale[1]:g} (from {why}; scored on "
                    f"{scored[code] / rows[code]:.0%} of its rows)")
    if not found:
        return {}, None
    return found, Finding(
        "instruments_found", "info",
        f"Survey activities looked up from the scores in {column!r}: {', '.join(said)}. "
        "Their rows measure satisfaction and are not touchpoints.", column=column,
        fix="pass instruments={activity: (low, high)} to set them yourself")


def check_scores(s: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, schema: Schema,
                 null_values=None):
    findings: list[Finding] = []
    col = schema.satisfaction_key
    read = _score_values(s, null_values)
    present = read.present
    for mask, code, what in (
            (read.decimal_comma, "score_decimal_comma",
             "use a comma as the decimal separator; they were read as decimals"),
            (read.boolean, "score_boolean", "are true/false; they were read as 1 and 0"),
            (read.percent, "score_percent", "are written as percentages; they were read as "
             "the number before the sign (a 0-100 scale)")):
        if mask.any():
            idx = np.flatnonzero(mask)[:EXAMPLES]
            ex = [{"row": int(i), "value": short(s.iloc[i]), "read": float(read.values[i])}
                  for i in idx]
            findings.append(Finding(
                code, "warning", f"{int(mask.sum()):,} scores of {col!r} {what} (e.g. "
                + ", ".join(f"row {e['row']}: {e['value']!r} -> {e['read']:g}" for e in ex)
                + ").", rows=int(mask.sum()), column=col, examples=ex,
                fix="check the examples; write scores with a decimal point to be sure"))
    score = read.values
    score = pd.Series(np.asarray(score, dtype="float64"), copy=False)
    values = score.to_numpy()
    bad = read.not_numeric | read.not_finite | read.ambiguous_comma
    scored = np.flatnonzero(present & ~bad)  # the rows whose range is checked
    low = np.full(len(scored), -np.inf)
    high = np.full(len(scored), np.inf)
    if schema.instruments:
        lookup_lo = np.full(len(act_cats) + 1, -np.inf)
        lookup_hi = np.full(len(act_cats) + 1, np.inf)
        is_survey_cat = np.zeros(len(act_cats) + 1, bool)
        for name, (lo, hi) in schema.instruments.items():
            hit = np.flatnonzero(act_cats == name)
            lookup_lo[hit], lookup_hi[hit], is_survey_cat[hit] = lo, hi, True
        codes = act_codes[scored]
        low, high = lookup_lo[codes], lookup_hi[codes]  # code -1 reads the spare slot
        is_survey = is_survey_cat[act_codes]
        stray = ~is_survey_cat[codes]  # scored rows whose activity is not a survey
        if stray.any():
            if schema.satisfaction_scale is not None:
                low = np.where(stray, schema.satisfaction_scale[0], low)
                high = np.where(stray, schema.satisfaction_scale[1], high)
            findings.append(Finding(
                "score_outside_survey", "warning",
                f"{int(stray.sum()):,} rows carry a score in {col!r} but their activity is not a "
                f"declared survey ({', '.join(schema.instruments)}); the scores are kept.",
                rows=int(stray.sum()), column=col,
                fix="declare those activities in instruments= if they are surveys"))
        unanswered = is_survey & ~present
        if unanswered.any():
            findings.append(Finding(
                "survey_without_score", "warning",
                f"{int(unanswered.sum()):,} survey rows have no score; they are kept as "
                "non-responses.", rows=int(unanswered.sum()), column=col))
        missing = [k for k in schema.instruments if k not in set(act_cats)]
        if missing:
            findings.append(Finding("instrument_not_found", "warning",
                                    f"No rows of survey activity {', '.join(map(repr, missing))}.",
                                    column=col, fix="check the activity names in instruments="))
    elif schema.satisfaction_scale is not None:
        low[:], high[:] = schema.satisfaction_scale
    out = np.zeros(len(s), bool)
    out[scored] = (values[scored] < low) | (values[scored] > high)
    return score, read, out, findings
