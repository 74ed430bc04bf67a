"""The raw table every reader returns and what all readers share: :class:`RawTable` (the rows
as read, the records that could not be parsed, how the source was read), the table of those
records (:func:`bad_lines_frame`), findings about the reading as the keyword arguments of a
:class:`~journeylab.io.findings.Finding` (:func:`finding`, :func:`listing`, :data:`EXAMPLES`),
and :func:`finish`, the one place every format's frame passes: column names made unique text
(:func:`unique_names`), objects and arrays in cells kept as canonical JSON text
(:func:`canonical_json`).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["RawTable", "EXAMPLES", "bad_lines_frame", "finding", "listing", "unique_names",
           "canonical_json", "finish"]

EXAMPLES = 5


def bad_lines_frame(rows: list | None = None) -> pd.DataFrame:
    rows = rows or []
    return pd.DataFrame({"row": pd.Series([r[0] for r in rows], dtype="int64"),
                         "line": pd.Series([r[1] for r in rows], dtype="int64"),
                         "text": pd.Series([r[2] for r in rows], dtype=object),
                         "reason": pd.Series([r[3] for r in rows], dtype=object)})


@dataclass
class RawTable:
    """Rows as read from a source, before any validation.

    Attributes
    ----------
    frame : DataFrame
        The parsed rows, in source order.
    bad_lines : DataFrame
        Records that could not be parsed (``row``: 0-based source record, ``line``: 1-based
        physical line where it starts, ``text``, ``reason``).
    source : dict
        What was read and how (``path``, ``format``, ``encoding``, ``delimiter``).
    findings : list of dict
        How the source was read (keyword arguments of
        :class:`journeylab.io.findings.Finding`): repairs and choices made while reading.
    records : array of int, optional
        The source record number of each row of ``frame`` (None: row ``i`` is record ``i``).
    """

    frame: pd.DataFrame
    bad_lines: pd.DataFrame = field(default_factory=bad_lines_frame)
    source: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    records: Any = None

    @property
    def rows_in(self) -> int:
        """Records in the source: rows read plus records that could not be parsed."""
        return len(self.frame) + len(self.bad_lines)


def finding(code: str, severity: str, message: str, *, rows: int = 0,
            column: str | None = None, examples: list | None = None, fix: str = "") -> dict:
    return {"code": code, "severity": severity, "message": message, "rows": int(rows),
            "column": column, "examples": list(examples or []), "fix": fix}


def listing(values, limit: int = EXAMPLES) -> str:
    values = list(values)
    text = ", ".join(str(v) for v in values[:limit])
    return text + (", ..." if len(values) > limit else "")


# ----------------------------------------------------------------------------- shared checks
def unique_names(names: list) -> tuple[list[str], list[dict], dict]:
    """Column names as unique text, with a finding for each kind of change."""
    findings, out = [], []
    as_text = [n if isinstance(n, str) else ("" if n is None or (isinstance(n, float) and
                                                                 math.isnan(n)) else str(n))
               for n in names]
    not_text = [(n, t) for n, t in zip(names, as_text) if not isinstance(n, str) and t]
    if not_text:
        findings.append(finding(
            "column_names_as_text", "info",
            f"{len(not_text)} column names were not text and are used as text: "
            f"{listing(f'{n!r} -> {t!r}' for n, t in not_text)}.",
            rows=0, examples=[{"name": repr(n), "as": t} for n, t in not_text[:EXAMPLES]],
            fix="name the columns with text, or map roles with those names (e.g. "
                "case_id_key='0')"))
    seen: set[str] = set(as_text)
    used: set[str] = set()
    unnamed, groups = [], {}
    for i, t in enumerate(as_text):
        if not t.strip():
            new = f"Unnamed: {i}"
            k = 1
            while new in seen or new in used:
                new, k = f"Unnamed: {i}.{k}", k + 1
            unnamed.append((i, new))
        elif t in used:
            k = 1
            while f"{t}.{k}" in seen or f"{t}.{k}" in used:
                k += 1
            new = f"{t}.{k}"
            groups.setdefault(t, [t]).append(new)
        else:
            new = t
        used.add(new)
        out.append(new)
    if unnamed:
        findings.append(finding(
            "empty_column_names", "warning",
            f"{len(unnamed)} columns have no name (columns "
            f"{listing(i + 1 for i, _ in unnamed)}, counting from 1); they are kept as "
            f"{listing(repr(n) for _, n in unnamed)}.",
            examples=[{"column_number": i + 1, "as": n} for i, n in unnamed[:EXAMPLES]],
            fix="name every column in the header (a trailing delimiter makes an empty one)"))
    for name, group in groups.items():
        findings.append(finding(
            "duplicate_column_names", "warning",
            f"The column name {name!r} appears {len(group)} times; the columns are kept as "
            f"{', '.join(map(repr, group))} (in file order). A role cannot use the name "
            f"{name!r}: name the column you mean (e.g. {group[1]!r}).",
            column=name, examples=[{"as": g} for g in group],
            fix="give each column its own name in the source"))
    return out, findings, groups


def _is_nested(v: Any) -> bool:
    return isinstance(v, (dict, list, tuple, set, frozenset, np.ndarray))


def canonical_json(v: Any) -> str:
    if isinstance(v, np.ndarray):
        v = v.tolist()
    elif isinstance(v, (set, frozenset)):
        v = sorted(v, key=repr)
    return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)


def _serialise_nested(frame: pd.DataFrame, where: str, records=None) -> tuple[pd.DataFrame, list]:
    """Objects and arrays in cells become canonical JSON text (one finding per column)."""
    findings = []
    for col in frame.columns:
        s = frame[col]
        if s.dtype != object:
            continue
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind in ("string", "empty", "integer", "floating", "boolean", "decimal",
                    "datetime", "date", "time", "timedelta", "bytes", "mixed-integer-float"):
            continue
        mask = s.map(_is_nested, na_action="ignore").fillna(False).astype(bool).to_numpy()
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        s = s.copy()
        s.iloc[idx] = [canonical_json(v) for v in s.iloc[idx]]
        frame[col] = s  # frame is the reader's own (a DataFrame input was copied)
        rows = idx if records is None else np.asarray(records)[idx]
        findings.append(finding(
            "nested_values_as_json", "warning",
            f"{len(idx):,} values of column {col!r} in {where} are objects or arrays, not "
            f"text; they are kept as canonical JSON text (keys sorted), e.g. rows "
            f"{listing(int(r) for r in rows)}.",
            rows=len(idx), column=str(col), examples=[{"row": int(r)} for r in rows[:EXAMPLES]],
            fix="flatten the field into text or separate columns if it should be a label"))
    return frame, findings


def finish(raw: RawTable, names: list, where: str) -> RawTable:
    """The one place every format's frame passes: unique text names, nested values as JSON."""
    new, findings, groups = unique_names(names)
    if new != list(raw.frame.columns) or not all(isinstance(c, str) for c in raw.frame.columns):
        raw.frame = raw.frame.set_axis(new, axis=1)
    raw.frame, more = _serialise_nested(raw.frame, where, raw.records)
    raw.findings = findings + more + raw.findings
    if groups:
        raw.source["duplicate_columns"] = {k: list(v) for k, v in groups.items()}
    return raw
