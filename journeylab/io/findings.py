"""What validation notices and how the checks word it: :class:`Finding`, one thing noticed
(an error for quarantined rows, a warning for rows kept but repaired or suspicious, info for
how the data was read), the findings every label, timestamp and score column can give
(:func:`null_spelling_finding` for usual spellings of no value such as NULL or N/A,
:func:`label_notes` for labels kept as they are: true/false, mixed types, control characters,
very long text), :func:`short` to shorten a value shown in a message, and :data:`EXAMPLES`,
how many example rows a finding shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["Finding", "EXAMPLES", "null_spelling_finding", "label_notes", "short"]

EXAMPLES = 5


@dataclass
class Finding:
    """One thing validation noticed.

    ``severity`` is ``"error"`` for quarantined rows, ``"warning"`` for rows kept but
    repaired or suspicious, ``"info"`` for how the data was read.
    """

    code: str
    severity: str
    message: str
    rows: int = 0
    column: str | None = None
    examples: list = field(default_factory=list)
    fix: str = ""


_ROLE_NOUN = {"case_id": "case id", "activity": "activity", "timestamp": "timestamp",
              "satisfaction": "score", "channel": "channel", "stage": "stage"}
_NULL_EFFECT = {"case_id": "the rows are quarantined as null_case_id",
                "activity": "the rows are quarantined as null_activity",
                "timestamp": "the rows are quarantined as null_timestamp",
                "satisfaction": "the rows are kept without a score",
                "channel": "the rows are kept with an empty channel",
                "stage": "the rows are kept with an empty stage"}


def null_spelling_finding(spelled: Mapping[str, int], col: str, role: str) -> list[Finding]:
    """One finding per column naming the spellings of "no value" found, and how to keep
    them as values."""
    if not spelled:
        return []
    rows = sum(spelled.values())
    shown = ", ".join(f"{k!r} ({v:,})" for k, v in list(spelled.items())[:8])
    first = next(iter(spelled))
    return [Finding(
        "null_spellings", "warning",
        f"{rows:,} rows of {col!r} hold {shown}, usual spellings of no value, so their "
        f"{_ROLE_NOUN[role]} is missing: {_NULL_EFFECT[role]}.", rows=rows, column=col,
        examples=[{"value": k, "rows": v} for k, v in spelled.items()],
        fix=f"if {first!r} is a real {_ROLE_NOUN[role]}, pass null_values=() to read only empty "
            "cells as missing, or null_values=[...] with your own spellings")]


_NOTE_TEXT = {
    "boolean": ("boolean_labels", "hold true/false values, read as the labels 'True' and "
                "'False'", "map the role to another column if this is a flag"),
    "mixed_types": ("mixed_type_labels", "hold values of different types that write the same "
                    "text (e.g. 1 and '1'); each such pair was taken as one label",
                    "convert the column to one type first if they differ"),
    "control_characters": ("control_characters", "hold control characters (tab, NUL, ...) or "
                           "direction marks (U+202E, ...); kept as they are",
                           "clean the export if these are glitches"),
    "long": ("long_labels", "hold labels longer than 500 characters; they are kept as they "
             "are", "check that the role is mapped to the right column"),
}


def label_notes(notes: Mapping[str, np.ndarray], s: pd.Series, col: str,
                role: str) -> list[Finding]:
    out = []
    for kind, mask in notes.items():
        code, what, fix = _NOTE_TEXT[kind]
        idx = np.flatnonzero(mask)[:EXAMPLES]
        ex = [{"row": int(i), "value": short(repr(s.iloc[i]) if kind != "long" else s.iloc[i])}
              for i in idx]
        out.append(Finding(code, "warning",
                           f"{int(mask.sum()):,} rows of {col!r} ({_ROLE_NOUN[role]}) {what} (e.g. "
                           + ", ".join(f"row {e['row']}: {e['value']}" for e in ex) + ").",
                           rows=int(mask.sum()), column=col, examples=ex, fix=fix))
    return out


def short(v: Any, limit: int = 60) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"
