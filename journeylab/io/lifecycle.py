"""Lifecycle transitions, where one activity instance is several events (schedule, start,
complete): the column that holds them (XES ``lifecycle:transition``, or a column such as
``lifecycle``, ``transition`` or ``event_type`` holding start/complete values) and which
valid rows the ``lifecycle=`` choice sets aside, not quarantined
(:func:`lifecycle_set_aside`): with ``"auto"`` only the completions are kept when the column
holds both completions and other transitions, with ``"all"`` every event.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..core.schema import Schema
from .findings import Finding

__all__ = ["LIFECYCLE_COLUMNS", "COMPLETE_VALUES", "START_VALUES", "LIFECYCLE_MODES",
           "lifecycle_set_aside"]


#: Column names that may hold XES lifecycle transitions (compared lower-case).
LIFECYCLE_COLUMNS = ("lifecycle:transition", "lifecycle", "transition", "event_type",
                     "lifecycle_transition", "eventtype")
#: Lifecycle values that complete an activity instance (compared lower-case).
COMPLETE_VALUES = frozenset({"complete", "completed", "end", "ended", "finish", "finished",
                             "done"})
#: The other XES lifecycle transitions (standard model) and their usual spellings.
START_VALUES = frozenset({"start", "started", "begin", "schedule", "scheduled", "assign",
                          "assigned", "reassign", "resume", "suspend", "withdraw", "autoskip",
                          "manualskip", "ate_abort", "pi_abort"})
LIFECYCLE_MODES = ("auto", "complete", "all")


def _lifecycle_column(frame: pd.DataFrame, schema: Schema) -> str | None:
    """The column holding lifecycle transitions, if any (not a mapped role)."""
    mapped = set(schema.mapping().values())
    by_name = {str(c).lower(): c for c in frame.columns if c not in mapped}
    for name in LIFECYCLE_COLUMNS:
        col = by_name.get(name)
        if col is None:
            continue
        if name == "lifecycle:transition":
            return col  # the XES attribute: report it whatever it holds
        values = frame[col].dropna().astype(str).str.strip().str.lower()
        known = values.isin(COMPLETE_VALUES | START_VALUES)
        if len(values) and known.all() and values.isin(COMPLETE_VALUES).any():
            return col  # e.g. an event_type column of start/complete, not of clicks
    return None


def lifecycle_set_aside(frame: pd.DataFrame, schema: Schema, mode: str, *, valid: np.ndarray):
    """Which valid rows the lifecycle choice sets aside.

    Returns ``(aside mask, lifecycle values as text or None, info dict, findings)``.
    """
    n = len(frame)
    none = np.zeros(n, bool)
    col = _lifecycle_column(frame, schema)
    if col is None:
        if mode == "complete":
            raise InvalidInputError(
                "lifecycle='complete' needs a lifecycle column (lifecycle:transition, or "
                "lifecycle/transition/event_type holding start/complete values); the columns "
                f"are {list(frame.columns)}. Fix: rename the column that holds the transitions, "
                "or pass lifecycle='all' (or 'auto').")
        return none, None, {"mode": mode, "column": None}, []
    raw = frame[col]
    text = raw.astype("string").str.strip()
    lower = text.str.lower()
    present = text.notna().to_numpy() & (text != "").to_numpy(dtype=bool, na_value=False)
    counts = text[present & valid].value_counts()
    counts = {str(k): int(v) for k, v in counts.items()}
    shown = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    is_complete = lower.isin(COMPLETE_VALUES).to_numpy(dtype=bool, na_value=False)
    is_start = lower.isin(START_VALUES).to_numpy(dtype=bool, na_value=False)
    has_complete, has_other = bool((is_complete & valid).any()), bool((is_start & valid).any())
    values = text.to_numpy(dtype=object, na_value=None)
    info = {"mode": mode, "column": str(col), "counts": counts}
    examples = [{"value": k, "rows": v} for k, v in counts.items()]
    if mode == "complete" and not has_complete:
        raise InvalidInputError(
            f"lifecycle='complete': column {col!r} holds no completion value "
            f"({shown or 'only empty values'}); completions are spelled "
            f"{', '.join(sorted(COMPLETE_VALUES))}. "
            "Fix: pass lifecycle='all' to keep every event.")
    if mode == "all" or not (has_complete and has_other):
        info["kept"] = sorted(counts)
        if mode == "all":
            msg = (f"Column {col!r} holds lifecycle transitions ({shown}); every event was kept "
                   "(lifecycle='all'), so an activity with a start and a completion shows twice "
                   "and maps draw self-loops for it.")
            fix = "pass lifecycle='auto' to keep only the completions"
        elif has_complete:  # completions only: nothing to do
            msg = (f"Column {col!r} holds lifecycle transitions ({shown}): completions only, so "
                   "every event was kept.")
            fix = ""
        else:
            msg = (f"Column {col!r} holds values that are not start/complete lifecycle "
                   f"transitions ({shown[:300]}); every event was kept.")
            fix = ("nothing if these are statuses; if they are transitions, spell completions "
                   "'complete' and pass lifecycle='complete'")
        return none, values, info, [Finding("lifecycle_column", "info", msg, rows=int(
            present.sum()), column=str(col), examples=examples, fix=fix)]
    keep = is_complete | ~present  # empty values count as completions, as in pm4py
    aside = valid & ~keep
    kept_vals = sorted({k for k in counts if k.strip().lower() in COMPLETE_VALUES})
    set_vals = [k for k in counts if k not in kept_vals]
    info["kept"] = kept_vals
    n_aside = int(aside.sum())
    msg = (f"Column {col!r} holds lifecycle transitions ({shown}); only the completions "
           f"({', '.join(kept_vals)}) were kept (lifecycle={mode!r}), so each activity "
           f"instance is one event and maps show no start/complete self-loops. {n_aside:,} rows "
           f"({', '.join(set_vals)}) were set aside, not quarantined "
           "(report.set_aside lists them)."
           + (f" {int((valid & ~present).sum()):,} rows with no lifecycle value were kept."
              if (valid & ~present).any() else ""))
    return aside, values, info, [Finding(
        "lifecycle_complete_kept", "info", msg, rows=n_aside, column=str(col), examples=examples,
        fix="pass lifecycle='all' (CLI --lifecycle all) to keep every event")]
