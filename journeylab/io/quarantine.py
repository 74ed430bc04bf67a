"""Why rows are left out of the log, and the table of those quarantined: the reasons a row is
quarantined (:data:`QUARANTINE_REASONS`, a row getting the first that applies; their codes as
stored per row, :data:`REASON_CODES`; the role whose value each is about,
:data:`REASON_ROLE`; the timestamp reasons, :data:`TIMESTAMP_REASONS`; the fix for each,
:data:`FIXES`) or set aside on purpose (:data:`SET_ASIDE_REASONS`), the wording of an example
row in a finding (:func:`describe_example`), the marking of exact copies of an earlier row
(:func:`exact_duplicates`), a finding without the values it quotes
(:func:`unquoted_finding`), and the quarantined rows as read with their source row, line and
reason, records that could not be parsed among them (:func:`quarantine_frame`).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .findings import Finding

__all__ = ["QUARANTINE_REASONS", "SET_ASIDE_REASONS", "REASON_CODES", "REASON_ROLE",
           "TIMESTAMP_REASONS", "FIXES", "describe_example", "exact_duplicates",
           "quarantine_frame", "unquoted_finding"]


#: Why a row is quarantined (a row gets the first that applies, in this order).
QUARANTINE_REASONS: dict[str, str] = {
    "malformed_line": "the line could not be parsed (wrong number of fields or not valid JSON)",
    "null_case_id": "the case id is empty or a usual spelling of no value (NULL, None, N/A, -)",
    "invalid_case_id": "the case id is not a usable label",
    "null_activity": "the activity is empty or a usual spelling of no value (NULL, None, N/A, -)",
    "invalid_activity": "the activity is not a usable label",
    "null_timestamp": "the timestamp is empty or a usual spelling of no value",
    "unparsable_timestamp": "the timestamp is not a date and time",
    "timestamp_out_of_range": "the timestamp lies outside the years 1677-2262 journeylab can hold",
    "timezone_abbreviation": "the time zone is an abbreviation that names several zones",
    "nonexistent_local_time": "the local time does not exist: the clock jumped forward "
                              "(daylight saving time) in assume_timezone",
    "ambiguous_local_time": "the local time happened twice: the clock was set back "
                            "(daylight saving time) in assume_timezone",
    "satisfaction_not_numeric": "the satisfaction score is not a number",
    "satisfaction_not_finite": "the satisfaction score is infinite",
    "satisfaction_ambiguous_comma": "the satisfaction score has a comma that may separate "
                                    "thousands or decimals (e.g. 1,234)",
    "satisfaction_out_of_range": "the satisfaction score is outside its declared scale",
    "duplicate_event": "an exact copy of an earlier row",
    "event_outside_trace": "an XES <event> outside any <trace>, so without a case",
}
REASON_CODES: list[str | None] = [None, *QUARANTINE_REASONS]
#: The role whose column a reason is about (its examples show that column's value).
REASON_ROLE: dict[str, str] = {
    "null_case_id": "case_id", "invalid_case_id": "case_id",
    "null_activity": "activity", "invalid_activity": "activity",
    **{code: "timestamp" for code in ("null_timestamp", "unparsable_timestamp",
                                      "timestamp_out_of_range", "timezone_abbreviation",
                                      "nonexistent_local_time", "ambiguous_local_time")},
    **{code: "satisfaction" for code in ("satisfaction_not_numeric", "satisfaction_not_finite",
                                         "satisfaction_ambiguous_comma",
                                         "satisfaction_out_of_range")},
}
TIMESTAMP_REASONS = ("unparsable_timestamp", "timestamp_out_of_range", "timezone_abbreviation",
                     "nonexistent_local_time", "ambiguous_local_time")
FIXES: dict[str, str] = {
    "malformed_line": "check the delimiter (sep=, CLI --sep) and quoting of that line",
    "null_case_id": "fill the case id, or leave the rows out on purpose; if a spelling such as "
                    "'None' is a real id, pass null_values=() (only empty cells are missing)",
    "invalid_case_id": "give the case id as one text or whole number (ids above 2**53 as text "
                       "or int64, not float)",
    "null_activity": "fill the activity name; if a spelling such as 'None' is a real activity, "
                     "pass null_values=()",
    "invalid_activity": "give the activity as one text value",
    "null_timestamp": "fill the timestamp",
    "unparsable_timestamp": "correct the value, or give timestamp_format= (e.g. '%d/%m/%Y %H:%M', "
                            "or 'epoch_s', 'epoch_ms', 'excel' for numbers)",
    "timestamp_out_of_range": "correct the value (dates before 1677 or after 2262 are usually "
                              "placeholders or typos)",
    "timezone_abbreviation": "write the UTC offset instead of the abbreviation "
                             "(e.g. 2024-03-01T10:00-05:00), or UTC",
    "nonexistent_local_time": "give the times with their offset, or assume_timezone='UTC'",
    "ambiguous_local_time": "give the times with their offset, or assume_timezone='UTC'",
    "satisfaction_not_numeric": "scores must be numbers; correct the value",
    "satisfaction_not_finite": "correct the score (inf usually comes from a division by zero)",
    "satisfaction_ambiguous_comma": "write the score with a decimal point (1.234) or without "
                                    "separators (1234)",
    "satisfaction_out_of_range": "correct the score, or declare the right scale in instruments=",
    "duplicate_event": "nothing, if the copy was an export glitch; otherwise add a "
                       "distinguishing column",
    "event_outside_trace": "put the event inside the <trace> of its journey",
}
#: Why a row is set aside (kept out of the log on purpose, not an error).
SET_ASIDE_REASONS: dict[str, str] = {
    "lifecycle_not_complete": "a lifecycle transition other than the completion of the "
                              "activity (start, schedule, ...); lifecycle='all' keeps it",
}


def describe_example(ex: dict) -> str:
    loc = (f"line {ex['line']}" if ex.get("row", -1) < 0 else f"row {ex['row']} (line {ex['line']})"
           ) if "line" in ex else f"row {ex['row']}"
    text = f"{loc}: {ex['value']!r}" if "value" in ex else loc
    return f"{text} ({ex['why']})" if "why" in ex else text


def unquoted_finding(f: Finding) -> Finding:
    """``f`` without the values it quotes: its code, counts, fix and example rows kept, its
    message naming the rows. Spellings of no value (no one's values) stay as they are.

    >>> f = Finding("invalid_case_id", "error", "1 rows quarantined ('c-9')", rows=1,
    ...             column="case", examples=[{"row": 3, "value": "c-9"}])
    >>> unquoted_finding(f).message
    "1 rows of 'case' quarantined: the case id is not a usable label (row 3)."
    """
    if f.code == "null_spellings" or all(e.get("value") is None for e in f.examples):
        return f
    examples = [{k: v for k, v in e.items() if k in ("row", "line")} for e in f.examples]
    where = ", ".join(describe_example(e) for e in examples if e)
    what = f"quarantined: {QUARANTINE_REASONS[f.code]}" if f.code in QUARANTINE_REASONS \
        else f"{f.code.replace('_', ' ')}, values left out"
    return replace(f, examples=examples, message=f"{f.rows:,} rows of {f.column!r} {what}"
                   + (f" ({where}{', ...' if f.rows > len(examples) else ''})" if where else "")
                   + ".")


def exact_duplicates(frame: pd.DataFrame, case_sorted: np.ndarray, ts_sorted: np.ndarray,
                     order: np.ndarray) -> np.ndarray:
    """Mark later copies of identical rows; only rows sharing (case, time) are compared."""
    dup = np.zeros(len(frame), bool)
    if len(order) < 2:
        return dup
    same = (case_sorted[1:] == case_sorted[:-1]) & (ts_sorted[1:] == ts_sorted[:-1])
    if not same.any():
        return dup
    cand = np.zeros(len(order), bool)
    cand[1:] |= same
    cand[:-1] |= same
    rows = np.sort(order[cand])
    sub = frame.iloc[rows]
    try:
        found = sub.duplicated(keep="first").to_numpy()
    except TypeError:  # unhashable cells (lists, dicts from JSON or XES containers)
        found = sub.astype(object).where(sub.notna(), None).apply(
            lambda c: c.map(repr)).duplicated(keep="first").to_numpy()
    dup[rows[found]] = True
    return dup


def quarantine_frame(frame: pd.DataFrame, reason: np.ndarray, mask: np.ndarray,
                     bad_lines: pd.DataFrame, records: np.ndarray | None = None) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    # nothing quarantined (a clean export): a slice, not a take (which may first combine
    # every chunk of an Arrow text column)
    q = (frame.iloc[idx] if len(idx) else frame.iloc[:0]).reset_index(drop=True).copy()
    q.insert(0, "reason", np.asarray(REASON_CODES, dtype=object)[reason[idx]])
    q.insert(0, "line", np.full(len(idx), -1, dtype=np.int64))
    q.insert(0, "row", idx.astype(np.int64) if records is None else records[idx])
    if len(bad_lines):
        row = bad_lines["row"].astype(np.int64) if "row" in bad_lines else -1
        b = pd.DataFrame({"row": row, "line": bad_lines["line"].astype(np.int64),
                          "reason": bad_lines["reason"], "raw_text": bad_lines["text"]})
        q = pd.concat([b, q], ignore_index=True).sort_values("row", kind="stable",
                                                            ignore_index=True)
    return q
