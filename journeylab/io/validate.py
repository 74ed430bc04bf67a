"""Validation: turn raw rows into usable events, quarantine the rest, and report it all.

The accounting always balances: ``rows_in == rows_kept + rows_quarantined + rows_set_aside``.
Every quarantined row carries its source row number and the reason; nothing is dropped
silently. Each class of bad value is checked in one place: key columns in
:func:`journeylab.core.encode.encode_keys`, timestamps in :func:`_parse_timestamps`, scores in
:func:`_score_values`, column roles in :meth:`journeylab.core.schema.Schema.resolve_noted`.
"""
from __future__ import annotations

import html
import json
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import EmptyLogError, InvalidInputError, MissingColumnError, ValidationError
from ..core.encode import (categorical, densify, encode_keys, null_mask,
                     null_spellings, sort_order)
from .readers import RawTable, check_reading_options, read_catalogue, read_table, write_table
from ..core.schema import Schema

__all__ = ["Finding", "ValidationReport", "validate_events", "find_instruments",
           "QUARANTINE_REASONS", "SET_ASIDE_REASONS"]

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
_REASON_CODES: list[str | None] = [None, *QUARANTINE_REASONS]
#: The role whose column a reason is about (its examples show that column's value).
_REASON_ROLE: dict[str, str] = {
    "null_case_id": "case_id", "invalid_case_id": "case_id",
    "null_activity": "activity", "invalid_activity": "activity",
    **{code: "timestamp" for code in ("null_timestamp", "unparsable_timestamp",
                                      "timestamp_out_of_range", "timezone_abbreviation",
                                      "nonexistent_local_time", "ambiguous_local_time")},
    **{code: "satisfaction" for code in ("satisfaction_not_numeric", "satisfaction_not_finite",
                                         "satisfaction_ambiguous_comma",
                                         "satisfaction_out_of_range")},
}
_TIMESTAMP_REASONS = ("unparsable_timestamp", "timestamp_out_of_range", "timezone_abbreviation",
                      "nonexistent_local_time", "ambiguous_local_time")
_FIXES: dict[str, str] = {
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
_EXAMPLES = 5
#: Why a row is set aside (kept out of the log on purpose, not an error).
SET_ASIDE_REASONS: dict[str, str] = {
    "lifecycle_not_complete": "a lifecycle transition other than the completion of the "
                              "activity (start, schedule, ...); lifecycle='all' keeps it",
}
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
_MAX_ACTIVITIES = 1000
_TZ_RE = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"
_ISO_RE = (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
           r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?")
_ISO_DOT_RE = _ISO_RE.replace("[.,]", r"\.")  # ISO 8601 with a decimal point only
_DATEISH_RE = (r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}"
               r"|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4}|\d{8}(?:[T ]?\d{4,6})?)")


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


@dataclass
class ValidationReport:
    """What validation did to every row.

    Attributes
    ----------
    rows_in, rows_kept, rows_quarantined, rows_set_aside : int
        ``rows_in == rows_kept + rows_quarantined + rows_set_aside`` always.
        ``rows_set_aside`` are valid rows left out on purpose, not errors: lifecycle
        transitions other than completions (see ``lifecycle=`` of
        :func:`validate_events`); 0 unless a lifecycle choice left rows out.
    findings : list of Finding
    quarantined : DataFrame
        The quarantined rows as read, with ``row`` (0-based data record of the source,
        counting records that could not be parsed; -1 when unknown), ``line`` (1-based
        physical line where a malformed record starts, else -1) and ``reason``.
    schema : Schema
        The resolved column roles.
    source : dict
        What was read (path, format, encoding, delimiter).
    set_aside : DataFrame
        ``row, reason, value`` of each row set aside (``value``: its lifecycle transition).
    lifecycle : dict
        The lifecycle choice: ``mode`` asked, ``column`` found (or None), ``counts`` per
        value, ``kept`` (the values kept).
    """

    rows_in: int
    rows_kept: int
    rows_quarantined: int
    findings: list[Finding]
    quarantined: pd.DataFrame
    schema: Schema
    source: dict
    rows_set_aside: int = 0
    set_aside: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["row", "reason", "value"]))
    lifecycle: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_in != self.rows_kept + self.rows_quarantined + self.rows_set_aside:
            raise AssertionError("row accounting does not balance")  # pragma: no cover

    @property
    def ok(self) -> bool:
        """True when nothing was quarantined."""
        return self.rows_quarantined == 0

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a table (one row each)."""
        cols = ["code", "severity", "column", "rows", "message", "fix", "examples"]
        return pd.DataFrame([asdict(f) for f in self.findings], columns=cols)

    def to_dict(self) -> dict:
        """A JSON-ready dict (the CLI's ``--json`` output)."""
        return {
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_quarantined": self.rows_quarantined,
            "rows_set_aside": self.rows_set_aside,
            "quarantine_reasons": self.quarantined["reason"].value_counts().sort_index().to_dict()
            if len(self.quarantined) else {},
            "set_aside_reasons": self.set_aside["reason"].value_counts().sort_index().to_dict()
            if len(self.set_aside) else {},
            "lifecycle": self.lifecycle,
            "mapping": self.schema.mapping(),
            "source": self.source,
            "findings": [asdict(f) for f in self.findings],
        }

    def to_json(self, **kwargs: Any) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), default=str, ensure_ascii=False, **kwargs)

    def write_quarantine(self, path) -> Any:
        """Write the quarantined rows (CSV safe for spreadsheets, Parquet or JSON lines)."""
        return write_table(self.quarantined, path)

    def accounting(self) -> str:
        """``rows in N = kept K + quarantined Q`` (``+ set aside by lifecycle S`` when any)."""
        text = (f"rows in {self.rows_in:,} = kept {self.rows_kept:,} + "
                f"quarantined {self.rows_quarantined:,}")
        if self.rows_set_aside:
            text += f" + set aside by lifecycle {self.rows_set_aside:,}"
        return text

    def summary(self) -> str:
        """A few plain lines: the accounting, then one line per finding."""
        lines = [self.accounting()]
        for f in self.findings:
            fix = f" Fix: {f.fix}." if f.fix else ""
            lines.append(f"[{f.severity}] {f.code}: {f.message}{fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from ..plot.display import format_table

        table = self.findings_frame()[["severity", "code", "rows", "message", "fix"]]
        table = table.rename(columns={"code": "finding", "message": "what"})
        table["rows"] = table["rows"].where(table["rows"] > 0)  # none counted: shown as –
        return (f"<p><b>Validation</b>: {html.escape(self.accounting())}</p>"
                + format_table(table, max_rows=None).to_html())


def validate_events(source: Any, *, case_id_key: str | None = None,
                    activity_key: str | None = None, timestamp_key: str | None = None,
                    channel_key: str | None = None, stage_key: str | None = None,
                    satisfaction_key: str | None = None,
                    instruments: Mapping[str, tuple[float, float]] | None = None,
                    satisfaction_scale: tuple[float, float] | None = None,
                    catalogue: Any = None, timestamp_format: str | None = None,
                    dayfirst: bool = False, assume_timezone: str = "UTC",
                    duplicates: str = "quarantine", lifecycle: str = "auto",
                    strict: bool = False, sep: str | None = None, encoding: str | None = None,
                    format: str | None = None, table: str | None = None,
                    columns: list[str] | None = None,
                    null_values: list[str] | tuple[str, ...] | None = None) -> ValidationReport:
    """Check an event source and report what would be kept and what quarantined.

    Parameters
    ----------
    source : DataFrame, path or DuckDB relation
        See :func:`journeylab.io.read_table`.
    case_id_key, activity_key, timestamp_key, channel_key, stage_key, satisfaction_key : str
        Column roles (see :class:`~journeylab.core.schema.Schema`).
    instruments : mapping, optional
        Survey activity -> (low, high) scale, e.g. ``{"nps_survey": (0, 10)}``.
    satisfaction_scale : (low, high), optional
        Scale of a case-level satisfaction column.
    catalogue : dict, DataFrame or path, optional
        Touchpoint catalogue supplying stage/channel when the log lacks them.
    timestamp_format : str, optional
        A strptime format; when given, values not in it are quarantined. For a column of
        numbers: ``"epoch_s"``, ``"epoch_ms"``, ``"epoch_us"``, ``"epoch_ns"`` (Unix time,
        UTC) or ``"excel"`` (Excel serial days, local time). Without it, a column holding
        only numbers is read as the unit whose 1980-2100 range holds them (reported as
        ``numeric_timestamps``), and refused when none does.
    dayfirst : bool
        Read ambiguous dates like 03/04/2024 as 3 April.
    assume_timezone : str
        The zone of timestamps written without an offset when others carry one. Local
        times that do not exist in it (the clock jumped forward) or happened twice (the
        clock was set back) are quarantined as ``nonexistent_local_time`` /
        ``ambiguous_local_time``, naming the change of clock. Zone names at the end of a
        value are read for UTC, GMT, UT and Z only; other abbreviations (EST, IST, CST, ...)
        name several zones and are quarantined as ``timezone_abbreviation``.
    duplicates : {"quarantine", "keep"}
        What to do with exact copies of an earlier row (same values in every column):
        quarantine them (default) or keep them, as pm4py does; either way they are reported.
    lifecycle : {"auto", "complete", "all"}
        What to do with a lifecycle column (XES ``lifecycle:transition``, or a column named
        ``lifecycle``, ``transition`` or ``event_type`` holding start/complete values), where
        one activity instance is several events (schedule, start, complete).
        ``"auto"`` (default) keeps only the completions when the column holds both
        completions and other transitions, as process-mining tools show a map, and sets the
        others aside (``rows_set_aside``); a log with completions only, or statuses that are
        not transitions, is left as it is. ``"complete"`` does the same but requires a
        lifecycle column with completions (raises otherwise). ``"all"`` keeps every event.
        Events with an empty lifecycle value are kept. The report says what was found and
        kept either way.
    strict : bool
        Raise :class:`ValidationError` instead of quarantining.
    sep, encoding, format, table, columns :
        Passed to :func:`journeylab.io.read_table` (``columns`` reads only those columns).
    null_values : list of str, optional
        Spellings read as "no value" in the case id, activity, channel, stage, timestamp
        and satisfaction columns, compared after trimming and ignoring case. Default
        (``None``): :data:`journeylab.core.encode.NULL_SPELLINGS` (NULL, None, nan, NA, N/A,
        #N/A, <NA>, nil, (null), -, --). ``null_values=()`` reads only empty cells as
        missing (e.g. for a customer really called "None"). Each spelling found is
        reported (``null_spellings``).

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"case_id": ["a", "a", None], "activity": ["x", "y", "x"],
    ...                    "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]})
    >>> r = validate_events(df)
    >>> (r.rows_in, r.rows_kept, r.rows_quarantined)
    (3, 2, 1)
    """
    schema = Schema(case_id_key, activity_key, timestamp_key, channel_key, stage_key,
                    satisfaction_key, instruments or {}, satisfaction_scale)
    check_reading_options(timestamp_format=timestamp_format, assume_timezone=assume_timezone)
    raw = read_table(source, sep=sep, encoding=encoding, format=format, table=table,
                     columns=columns)
    _, report = clean_events(raw, schema, catalogue=catalogue, timestamp_format=timestamp_format,
                             dayfirst=dayfirst, assume_timezone=assume_timezone,
                             duplicates=duplicates, lifecycle=lifecycle, strict=strict,
                             null_values=null_values)
    return report


# ----------------------------------------------------------------------------- the pass itself
def clean_events(raw: RawTable, schema: Schema, *, catalogue: Any = None,
                 timestamp_format: str | None = None, dayfirst: bool = False,
                 assume_timezone: str = "UTC", duplicates: str = "quarantine",
                 lifecycle: str = "auto", strict: bool = False,
                 allow_empty: bool = True,
                 null_values=None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate ``raw`` and return the kept events in canonical columns with the report.

    The kept frame has ``case_id``, ``activity``, ``timestamp`` and any mapped optional role
    under its canonical name, then every other column as an attribute, plus ``row`` (the
    source row). Used by :func:`validate_events` and :func:`journeylab.read_events`.
    """
    if duplicates not in ("quarantine", "keep"):
        raise InvalidInputError(f"duplicates must be 'quarantine' or 'keep', not {duplicates!r}.")
    if lifecycle not in LIFECYCLE_MODES:
        raise InvalidInputError(f"lifecycle must be 'auto', 'complete' or 'all', not "
                                f"{lifecycle!r}.")
    frame = raw.frame
    # how the source was read (encoding guessed, columns renamed, ...): io.py's findings
    findings: list[Finding] = [Finding(**f) for f in raw.findings]
    # source record number of each frame row (records that could not be parsed are not rows)
    records = (np.arange(len(frame), dtype=np.int64) if raw.records is None
               else np.asarray(raw.records, dtype=np.int64))
    stripped = [str(c).strip() for c in frame.columns]
    if stripped != [str(c) for c in frame.columns]:
        findings.append(Finding("column_names_trimmed", "info",
                                "Spaces around column names were removed."))
        frame = frame.set_axis(stripped, axis=1)
    schema, notes = schema.resolve_noted(list(frame.columns))
    for note in notes:
        findings.append(Finding("column_choice", "warning" if "kept as attributes" in
                                note["message"] else "info", note["message"],
                                column=note["column"]))
    ambiguous = raw.source.get("duplicate_columns", {})
    for role, col in schema.mapping().items():
        if col in ambiguous:
            names = ambiguous[col]
            raise InvalidInputError(
                f"The {role} role is column {col!r}, but the source has {len(names)} columns "
                f"named {col!r} (read as {', '.join(map(repr, names))}). Rename them in the "
                f"source, or name the one to use, e.g. {role}_key={names[1]!r}.")
    for role, col in schema.mapping().items():
        if col != role:
            findings.append(Finding("role_mapped", "info", f"The {role} role is column {col!r}.",
                                    column=col))
    n = len(frame)
    # one small integer per row: 0 keeps it, i > 0 quarantines it for _REASON_CODES[i]
    reason = np.zeros(n, dtype=np.int8)
    codes: dict[str, np.ndarray] = {}
    cats: dict[str, pd.Index] = {}
    why: dict[int, str] = {}  # row -> the cause of its quarantine in the user's terms

    def flag(mask: np.ndarray, code: str, causes: Mapping[int, str] | None = None) -> None:
        hit = np.asarray(mask, dtype=bool) & (reason == 0)
        reason[hit] = _REASON_CODES.index(code)
        for row, text in (causes or {}).items():
            if hit[row]:
                why.setdefault(int(row), text)

    # keys and labels ----------------------------------------------------------------------
    null_values = null_spellings(null_values)
    for role in ("case_id", "activity", "channel", "stage"):
        col = schema.key(role)
        if col is None:
            continue
        enc = encode_keys(frame[col], null_values=null_values)
        codes[role], cats[role] = enc.codes, enc.categories
        if role in ("case_id", "activity"):
            flag(enc.null, f"null_{role}")
            flag(enc.invalid, f"invalid_{role}", enc.why)
        elif enc.invalid.any():
            idx = np.flatnonzero(enc.invalid)[:_EXAMPLES]
            findings.append(Finding(
                "invalid_labels_cleared", "warning",
                f"{int(enc.invalid.sum()):,} rows of {col!r} hold values that are not labels; "
                f"their {role} is left empty (" + "; ".join(
                    f"row {i}: {enc.why.get(int(i), 'not a label')}" for i in idx) + ").",
                rows=int(enc.invalid.sum()), column=col,
                examples=[{"row": int(i), "value": _short(frame[col].iloc[i])} for i in idx],
                fix=f"give the {role} as text"))
        findings += _null_spelling_finding(enc.spelled, col, role)
        if enc.changed:
            findings.append(Finding("labels_normalised", "warning",
                                    f"{enc.changed:,} rows of {col!r} had spaces around the text "
                                    "or non-canonical Unicode; they were trimmed and "
                                    "NFC-normalised.", rows=enc.changed, column=col))
        findings += _label_notes(enc.notes, frame[col], col, role)

    # timestamps ---------------------------------------------------------------------------
    tcol = schema.key("timestamp")
    _check_zone(assume_timezone)
    ts, t_null, t_bad, t_findings, t_why, t_spelled = _parse_timestamps(
        frame[tcol], column=tcol, fmt=timestamp_format, dayfirst=dayfirst,
        assume_timezone=assume_timezone, null_values=null_values)
    findings += _null_spelling_finding(t_spelled, tcol, "timestamp")
    findings += t_findings
    flag(t_null, "null_timestamp")
    for code in _TIMESTAMP_REASONS:
        flag(t_bad[code], code, t_why)

    # satisfaction -------------------------------------------------------------------------
    scol = schema.key("satisfaction")
    score = None
    if schema.find_instruments and scol is not None and schema.satisfaction_scale is None:
        found, finding = find_instruments(frame[scol], codes["activity"], cats["activity"],
                                          column=scol, null_values=null_values)
        schema = replace(schema, instruments=found, find_instruments=False)
        if finding is not None:
            findings.append(finding)
    elif schema.instruments and scol is None:
        raise MissingColumnError(
            f"Survey instruments were given ({', '.join(map(repr, schema.instruments))}) but "
            f"the log has no satisfaction column. Set satisfaction_key to the column that "
            f"holds the scores, or leave instruments empty.")
    if scol is not None:
        score, s_read, s_out, s_findings = _check_scores(frame[scol], codes["activity"],
                                                         cats["activity"], schema,
                                                         null_values=null_values)
        findings += _null_spelling_finding(s_read.spelled, scol, "satisfaction")
        findings += s_findings
        flag(s_read.not_numeric, "satisfaction_not_numeric")
        flag(s_read.not_finite, "satisfaction_not_finite")
        flag(s_read.ambiguous_comma, "satisfaction_ambiguous_comma")
        flag(s_out, "satisfaction_out_of_range")

    # lifecycle: valid rows left out on purpose (set aside, not quarantined) -----------------
    aside, lc_values, lc_info, lc_findings = _lifecycle(frame, schema, lifecycle,
                                                        valid=reason == 0)
    findings += lc_findings

    # one sort by (case, timestamp, source row); exact duplicates sit in equal (case, time) runs
    usable = np.flatnonzero((reason == 0) & ~aside)
    t_ns = _ns(ts)
    order = usable[sort_order(codes["case_id"][usable], t_ns[usable])]
    dup = _exact_duplicates(frame, codes["case_id"][order], t_ns[order], order)
    if duplicates == "quarantine":
        flag(dup, "duplicate_event")
    elif dup.any():
        idx = np.flatnonzero(dup)[:_EXAMPLES]
        findings.append(Finding(
            "duplicate_event_kept", "warning",
            f"{int(dup.sum()):,} rows are exact copies of an earlier row and were kept "
            f"(duplicates='keep'), e.g. rows {', '.join(map(str, idx))}.",
            rows=int(dup.sum()), examples=[{"row": int(i)} for i in idx],
            fix="use duplicates='quarantine' if the copies are export glitches"))
    keep = (reason == 0) & ~aside
    kept = order[keep[order]]

    # assemble -----------------------------------------------------------------------------
    events = _assemble(frame, kept, codes, cats, ts, score, schema, findings,
                       text_source=raw.source.get("format") == "csv", records=records)
    if catalogue is not None:
        events = _apply_catalogue(events, catalogue, findings)
    quarantined = _quarantine_frame(frame, reason, reason > 0, raw.bad_lines, records)
    aside_rows = np.flatnonzero(aside)
    set_aside = pd.DataFrame({"row": records[aside_rows],
                              "reason": "lifecycle_not_complete",
                              "value": lc_values[aside_rows] if lc_values is not None
                              else np.zeros(0, object)})
    for code in QUARANTINE_REASONS:
        m = quarantined["reason"].astype(str).str.startswith(code) if len(quarantined) else []
        cnt = int(np.sum(m))
        if cnt:
            ex = quarantined.loc[np.asarray(m)].head(_EXAMPLES)
            role = _REASON_ROLE.get(code)
            col = schema.key(role) if role else None
            examples = [{"row": int(r["row"]),
                         **({"line": int(r["line"])} if r["line"] >= 0 else {}),
                         **({"value": _short(r.get(col))} if col else {}),
                         **({"why": why[int(r["row"])]} if int(r["row"]) in why else {})}
                        for r in ex.to_dict("records")]
            where = ", ".join(_where(e) for e in examples)
            of = f" of {col!r}" if col else ""
            findings.append(Finding(code, "error",
                                    f"{cnt:,} rows{of} quarantined: {QUARANTINE_REASONS[code]} "
                                    f"({where}{', ...' if cnt > len(examples) else ''}).",
                                    rows=cnt, column=col, examples=examples, fix=_FIXES[code]))
    findings += _log_findings(events, schema)
    report = ValidationReport(rows_in=n + len(raw.bad_lines), rows_kept=len(events),
                              rows_quarantined=len(quarantined), findings=findings,
                              quarantined=quarantined, schema=schema, source=dict(raw.source),
                              rows_set_aside=len(set_aside), set_aside=set_aside,
                              lifecycle=lc_info)
    if strict and report.rows_quarantined:
        raise ValidationError("Strict validation failed:\n" + report.summary(), report)
    if not allow_empty and report.rows_kept == 0:
        raise EmptyLogError("No usable events remain after validation:\n" + report.summary())
    return events, report


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


def _lifecycle(frame: pd.DataFrame, schema: Schema, mode: str, *, valid: np.ndarray):
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


def _where(ex: dict) -> str:
    loc = (f"line {ex['line']}" if ex.get("row", -1) < 0 else f"row {ex['row']} (line {ex['line']})"
           ) if "line" in ex else f"row {ex['row']}"
    text = f"{loc}: {ex['value']!r}" if "value" in ex else loc
    return f"{text} ({ex['why']})" if "why" in ex else text


_ROLE_NOUN = {"case_id": "case id", "activity": "activity", "timestamp": "timestamp",
              "satisfaction": "score", "channel": "channel", "stage": "stage"}
_NULL_EFFECT = {"case_id": "the rows are quarantined as null_case_id",
                "activity": "the rows are quarantined as null_activity",
                "timestamp": "the rows are quarantined as null_timestamp",
                "satisfaction": "the rows are kept without a score",
                "channel": "the rows are kept with an empty channel",
                "stage": "the rows are kept with an empty stage"}


def _null_spelling_finding(spelled: Mapping[str, int], col: str, role: str) -> list[Finding]:
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
    "control_characters": ("control_characters", "hold control characters (tab, line break, "
                           "NUL, ...) inside the text; they are kept as they are",
                           "clean the export if these are glitches"),
    "long": ("long_labels", "hold labels longer than 500 characters; they are kept as they "
             "are", "check that the role is mapped to the right column"),
}


def _label_notes(notes: Mapping[str, np.ndarray], s: pd.Series, col: str,
                 role: str) -> list[Finding]:
    out = []
    for kind, mask in notes.items():
        code, what, fix = _NOTE_TEXT[kind]
        idx = np.flatnonzero(mask)[:_EXAMPLES]
        ex = [{"row": int(i), "value": _short(repr(s.iloc[i]) if kind != "long" else s.iloc[i])}
              for i in idx]
        out.append(Finding(code, "warning",
                           f"{int(mask.sum()):,} rows of {col!r} ({_ROLE_NOUN[role]}) {what} (e.g. "
                           + ", ".join(f"row {e['row']}: {e['value']}" for e in ex) + ").",
                           rows=int(mask.sum()), column=col, examples=ex, fix=fix))
    return out


def _rows_read(code: str, mask: np.ndarray, s: pd.Series, column: str, what: str) -> Finding:
    """An info finding for rows read in a documented way: how many rows of ``column``
    ``what``, with example rows and their values."""
    idx = np.flatnonzero(mask)[:_EXAMPLES]
    return Finding(
        code, "info",
        f"{int(mask.sum()):,} rows of {column!r} {what}, e.g. " + ", ".join(
            f"row {i}: {_short(s.iloc[i])!r}" for i in idx) + ".",
        rows=int(mask.sum()), column=column,
        examples=[{"row": int(i), "value": _short(s.iloc[i])} for i in idx])


def _check_zone(zone: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(zone)
    except Exception:
        raise InvalidInputError(
            f"assume_timezone={zone!r} is not a time zone. Fix: give a zone name such as "
            "'UTC' or 'Europe/Amsterdam' (an IANA name; abbreviations like 'EST' are "
            "ambiguous).") from None


def _short(v: Any, limit: int = 60) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"


_NS_LO, _NS_HI = pd.Timestamp.min.value, pd.Timestamp.max.value
_NAT = np.iinfo(np.int64).min
_UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
#: timestamp_format= values for numbers: Unix epoch units and Excel serial dates.
NUMBER_FORMATS = {"epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us", "epoch_ns": "ns",
                  "excel": "excel"}
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds",
               "ns": "nanoseconds", "excel": "Excel serial dates (days since 1899-12-30)"}
#: A whole column of numbers is read as the unit whose 1980-2100 window holds them.
_EPOCH_WINDOW = (315_532_800, 4_102_444_800)  # 1980-01-01 .. 2100-01-01 in seconds
_EXCEL_WINDOW = (29_221.0, 73_051.0)  # the same years as Excel serial days
_EXCEL_ORIGIN_NS = pd.Timestamp("1899-12-30").value
#: Zone names read by name (the others are abbreviations of several zones).
ZONE_NAMES = {"UTC": "+00:00", "GMT": "+00:00", "UT": "+00:00", "Z": "+00:00"}
_AMBIGUOUS_ZONES = {
    "EST": "US Eastern -05:00 or Australian Eastern +10:00",
    "EDT": "US Eastern daylight -04:00 or Australian Eastern daylight +11:00",
    "CST": "US Central -06:00, China +08:00 or Cuba -05:00",
    "CDT": "US Central daylight -05:00 or Cuba daylight -04:00",
    "IST": "India +05:30, Ireland +01:00 or Israel +02:00",
    "BST": "British summer time +01:00 or Bangladesh +06:00",
    "AST": "Atlantic -04:00 or Arabia +03:00",
    "MST": "US Mountain -07:00 or Malaysia +08:00",
    "PST": "US Pacific -08:00 or Philippine +08:00",
}
_ZONE_RE = (r"^(?P<dt>.*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*\(?(?P<zone>[A-Za-z]{1,5})\)?$")
_NUMBER_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"


def _instants(p: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """int64 nanoseconds of parsed datetimes (NaT -> _NAT) and the rows outside 1677-2262."""
    if not pd.api.types.is_datetime64_any_dtype(p.dtype):
        p = pd.to_datetime(p, errors="coerce", utc=True)
    unit = getattr(p.dtype, "unit", None) or np.datetime_data(p.dtype)[0]
    vals = np.asarray(p.array.asi8 if hasattr(p.array, "asi8") else p.to_numpy().view("i8"),
                      dtype=np.int64)
    nat = vals == _NAT
    f = _UNIT_NS[unit]
    lo, hi = -(-_NS_LO // f), _NS_HI // f
    oob = ~nat & ((vals < lo) | (vals > hi))
    ok = ~nat & ~oob
    return np.where(ok, np.where(ok, vals, 0) * f, _NAT), oob


def _oob_why(value: Any) -> str:
    return f"{_short(value)!s}: a placeholder such as 9999-12-31, or a typo?"


def _arrow(text: pd.Series) -> pa.Array:
    arr = pa.array(text.astype("string[pyarrow]"), type=pa.large_string())
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _match(text: pd.Series | pa.Array, pattern: str, *, full: bool = False,
           where: np.ndarray | None = None) -> np.ndarray:
    """Regex test in Arrow (RE2, vectorised); False where the text is missing, or outside
    ``where`` when given (only those rows are tested)."""
    arr = text if isinstance(text, pa.Array) else _arrow(text)
    pattern = f"^(?:{pattern})$" if full else pattern
    if where is None:
        hit = pc.match_substring_regex(arr, pattern)
        return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    out = np.zeros(len(arr), bool)
    if where.any():
        hit = pc.match_substring_regex(arr.filter(pa.array(where)), pattern)
        out[where] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    return out


def _parse_timestamps(s: pd.Series, *, column: str, fmt: str | None, dayfirst: bool,
                      assume_timezone: str, null_values=None):
    """Read the timestamp column.

    Returns ``(ts, null, bad, findings, why, spelled)``: nanosecond timestamps (UTC when any
    value carried an offset), the empty rows, ``{quarantine reason: row mask}``, findings,
    ``{row: the cause in the user's terms}`` and the null spellings found.
    """
    findings: list[Finding] = []
    n = len(s)
    bad = {code: np.zeros(n, bool) for code in _TIMESTAMP_REASONS}
    why: dict[int, str] = {}
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s.dt.tz_convert("UTC") if getattr(s.dtype, "tz", None) is not None else s
        ns, oob = _instants(ts)
        bad["timestamp_out_of_range"] = oob
        for i in np.flatnonzero(oob)[:_EXAMPLES]:
            why[int(i)] = _oob_why(s.iloc[i])
        null = (ns == _NAT) & ~oob
        return (_build_ts(ns, getattr(s.dtype, "tz", None) is not None), null, bad, findings,
                why, {})
    if fmt is not None and fmt in NUMBER_FORMATS:
        unit = NUMBER_FORMATS[fmt]
    else:
        unit = None
    spellings = null_spellings(null_values)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        null = s.isna().to_numpy()
        numeric = ~null
        shown = s.astype("string")
        ns, aware = _from_numbers(s, numeric, column=column, unit=unit, bad=bad, why=why,
                                  findings=findings, shown=shown)
        return _build_ts(ns, aware), null, bad, findings, why, {}
    text = s.astype("string[pyarrow]").str.strip()
    null = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    spelled_mask = ~null & null_mask(text.array._pa_array if hasattr(text.array, "_pa_array")
                                     else text, spellings)
    spelled: dict[str, int] = {}
    if spelled_mask.any():
        spelled = {str(k): int(v) for k, v in text[spelled_mask].value_counts().items()}
        null |= spelled_mask
    text = text.where(~null)
    arr = _arrow(text)  # converted once; the regex tests below run on it
    # most rows of a clean column are plain ISO 8601; only the rest need the other tests
    iso_dot = _match(arr, _ISO_DOT_RE, full=True)
    rest = ~null & ~iso_dot

    def m(pattern: str, full: bool = False) -> np.ndarray:
        return _match(arr, pattern, full=full, where=rest)

    numeric = m(_NUMBER_RE, full=True)
    others = ~null & ~numeric
    if unit is not None or (numeric.any() and not (
            others & (iso_dot | m(_DATEISH_RE + "|" + _ISO_RE))).any()):
        # a column of numbers: epoch seconds/ms/us/ns or Excel serial dates
        ns, aware = _from_numbers(text, numeric, column=column, unit=unit, bad=bad, why=why,
                                  findings=findings, shown=text)
        bad["unparsable_timestamp"] |= others
        return _build_ts(ns, aware), null, bad, findings, why, spelled
    out = np.full(n, _NAT, np.int64)
    # zone names at the end ("10:00 UTC" is read; "10:00 EST" names several zones)
    # a fast pre-filter (extract() runs in Python): text ending in letters after a digit
    ends_alpha = m(r"\d\s*\(?[A-Za-z]{1,5}\)?$")
    zone_m = pd.DataFrame({"dt": pd.Series(pd.NA, index=text.index, dtype=text.dtype),
                           "zone": pd.Series(pd.NA, index=text.index, dtype=text.dtype)})
    if ends_alpha.any():
        zone_m.loc[ends_alpha, ["dt", "zone"]] = text[ends_alpha].str.extract(_ZONE_RE).values
    zone = zone_m["zone"].str.upper()
    has_zone = zone.notna().to_numpy() & ~zone.isin(["AM", "PM", "A", "P", "H"]).to_numpy(
        dtype=bool, na_value=False)
    named = has_zone & zone.isin(list(ZONE_NAMES)).to_numpy(dtype=bool, na_value=False)
    if named.any():
        text = text.copy()
        text[named] = (zone_m["dt"][named] + zone[named].map(ZONE_NAMES)).astype(text.dtype)
        arr = _arrow(text)
        findings.append(_rows_read(
            "timezone_names_read", named, s, column,
            "name their zone as UTC, GMT or Z (read as offset +00:00)"))
    abbr = has_zone & ~named
    bad["timezone_abbreviation"] = abbr
    for i in np.flatnonzero(abbr)[:_EXAMPLES]:
        z = zone.iloc[i]
        means = _AMBIGUOUS_ZONES.get(z)
        why[int(i)] = (f"{z} stands for several zones ({means})" if means else
                       f"{z} is a zone abbreviation; only UTC, GMT and Z are read by name")
    # numbers among dates: not guessed one by one
    stray = numeric & ~null
    bad["unparsable_timestamp"] |= stray
    for i in np.flatnonzero(stray)[:_EXAMPLES]:
        why[int(i)] = ("a number among dates (epoch seconds? an Excel date?); numbers are read "
                       "only when the whole column holds them")
    todo = ~null & ~abbr & ~stray
    # ISO 8601 allows a comma before the fraction of a second
    comma = todo & m(r"\d:\d{2},\d")
    if comma.any():
        text = text.copy()
        text[comma] = text[comma].str.replace(r"(\d:\d{2}),(\d)", r"\1.\2", regex=True)
        arr = _arrow(text)
        findings.append(_rows_read(
            "timestamp_decimal_comma", comma, s, column,
            "write the fraction of a second after a comma, as ISO 8601 allows; read exactly"))
    has_tz = _match(arr, _TZ_RE)
    oob = np.zeros(n, bool)
    repaired = np.zeros(n, bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt is not None:
            rows = np.flatnonzero(todo)
            p = pd.to_datetime(text[todo].astype(object), format=fmt, errors="coerce", utc=True)
            out[rows], oob[rows] = _instants(p)
        else:
            iso = todo & (iso_dot | m(_ISO_RE, full=True))
            rows = np.flatnonzero(iso)
            if len(rows):
                p = pd.to_datetime(text[iso], format="ISO8601", errors="coerce", utc=True)
                out[rows], oob[rows] = _instants(p)
            retry = todo & ~iso & m(_DATEISH_RE)
            if retry.any():
                rows = np.flatnonzero(retry)
                fb = pd.to_datetime(text[retry].astype(object), format="mixed",
                                    dayfirst=dayfirst, errors="coerce", utc=True)
                out[rows], oob[rows] = _instants(fb)
                repaired = retry & (out != _NAT)
    bad["timestamp_out_of_range"] = oob
    for i in np.flatnonzero(oob)[:_EXAMPLES]:
        why[int(i)] = _oob_why(s.iloc[i])
    bad["unparsable_timestamp"] |= todo & (out == _NAT) & ~oob
    if repaired.any():
        idx = np.flatnonzero(repaired)[:_EXAMPLES]
        ex = [{"row": int(i), "value": _short(text.iloc[i]),
               "parsed": str(pd.Timestamp(out[i], tz="UTC" if has_tz[i] else None))}
              for i in idx]
        findings.append(Finding(
            "mixed_timestamp_formats", "warning",
            f"{int(repaired.sum()):,} rows of {column!r} are not ISO 8601 and were read "
            f"{'day-first' if dayfirst else 'month-first'} (e.g. "
            + ", ".join(f"row {e['row']}: {e['value']!r} -> {e['parsed']}" for e in ex)
            + ").", rows=int(repaired.sum()), column=column, examples=ex,
            fix="check the examples; pass dayfirst=True or timestamp_format= if they "
                "are read wrongly"))
    ok = out != _NAT
    naive = ~has_tz & ok
    aware = has_tz & ok
    if aware.any() and naive.any():
        idx = np.flatnonzero(naive)[:_EXAMPLES]
        n_naive = int(naive.sum())
        if assume_timezone.upper() != "UTC":
            _localise(out, naive, s, assume_timezone, bad, why)
        ex = [{"row": int(i), "value": _short(text.iloc[i])} for i in idx]
        findings.append(Finding(
            "mixed_timezones", "warning",
            f"{n_naive:,} rows of {column!r} have no UTC offset while "
            f"{int(aware.sum()):,} have one; the former were taken as {assume_timezone} and all "
            "timestamps converted to UTC (e.g. " + ", ".join(f"row {e['row']}: {e['value']!r}"
                                                          for e in ex) + ").",
            rows=n_naive, column=column, examples=ex,
            fix="pass assume_timezone= (e.g. 'Europe/Amsterdam') if those rows are local time"))
        return _build_ts(out, True), null, bad, findings, why, spelled
    if naive.any() and assume_timezone.upper() != "UTC":
        findings.append(Finding(
            "assume_timezone_unused", "info",
            f"No value of {column!r} carries a UTC offset, so the times are kept as local "
            f"wall-clock times; assume_timezone={assume_timezone!r} applies only to a column "
            "that mixes times with and without an offset.", column=column,
            fix="convert the column yourself (pd.to_datetime(...).dt.tz_localize(zone)) if "
                "the times must become UTC"))
    return _build_ts(out, bool(aware.any())), null, bad, findings, why, spelled


def _localise(out: np.ndarray, naive: np.ndarray, s: pd.Series, zone: str, bad: dict,
              why: dict) -> None:
    """Turn the naive wall-clock times of ``out`` into UTC instants of ``zone`` (in place);
    times in a daylight-saving gap or overlap are marked with the cause."""
    rows = np.flatnonzero(naive)
    wall = pd.Series(out[rows].astype("datetime64[ns]"))
    loc = wall.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    fail = loc.isna().to_numpy()
    gap = wall.dt.tz_localize(zone, ambiguous=np.ones(len(wall), bool),
                              nonexistent="NaT").isna().to_numpy()
    out[rows] = np.where(fail, _NAT, loc.array.asi8)
    bad["nonexistent_local_time"][rows[gap]] = True
    bad["ambiguous_local_time"][rows[fail & ~gap]] = True
    for j in np.flatnonzero(fail)[:_EXAMPLES]:
        w = pd.Timestamp(wall.iloc[j])
        if gap[j]:
            after = w.tz_localize(zone, nonexistent="shift_forward")
            jump = after.utcoffset() - (after - pd.Timedelta(1, "ns")).utcoffset()
            start = after.tz_localize(None) - jump
            why[int(rows[j])] = (f"{w} does not exist in {zone}: the clock jumped forward from "
                                 f"{start:%H:%M} to {after:%H:%M} on {after:%Y-%m-%d}")
        else:
            a = w.tz_localize(zone, ambiguous=True)
            b = w.tz_localize(zone, ambiguous=False)
            why[int(rows[j])] = (f"{w} happened twice in {zone} on {w:%Y-%m-%d}, when the clock "
                                 f"was set back ({a.isoformat()} or {b.isoformat()})")


def _from_numbers(values: pd.Series, numeric: np.ndarray, *, column: str, unit: str | None,
                  bad: dict, why: dict, findings: list, shown: pd.Series):
    """Numbers read as epoch time or Excel serial dates: ``(int64 ns, aware)``."""
    n = len(values)
    out = np.full(n, _NAT, np.int64)
    rows = np.flatnonzero(numeric)
    if not len(rows):
        return out, False
    sub = values.iloc[rows]
    is_text = not pd.api.types.is_numeric_dtype(values.dtype)
    whole = (~sub.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
             if is_text
             else np.asarray(pd.api.types.is_integer_dtype(values.dtype)).repeat(len(rows)))
    num = pd.to_numeric(sub, errors="coerce").to_numpy(dtype="float64")
    guessed = unit is None
    if guessed:
        finite = num[np.isfinite(num)]
        med = float(np.median(finite)) if len(finite) else float("nan")
        for cand, f in (("s", 1), ("ms", 10**3), ("us", 10**6), ("ns", 10**9)):
            if _EPOCH_WINDOW[0] * f <= abs(med) <= _EPOCH_WINDOW[1] * f:
                unit = cand
                break
        else:
            if _EXCEL_WINDOW[0] <= med <= _EXCEL_WINDOW[1]:
                unit = "excel"
        if unit is None:
            ex = ", ".join(repr(_short(shown.iloc[i])) for i in rows[:3])
            raise InvalidInputError(
                f"Column {column!r} (the timestamp role) holds numbers, not dates (e.g. {ex}), "
                "and they are not in the range of Unix epoch seconds, milliseconds, "
                "microseconds or nanoseconds, or of Excel serial dates, for the years "
                "1980-2100. Fix: pass timestamp_format='epoch_s' (or 'epoch_ms', 'epoch_us', "
                "'epoch_ns', 'excel') to say how to read them, or convert the column first, "
                f"e.g. df[{column!r}] = pd.to_datetime(df[{column!r}], unit='s'), or map the "
                "timestamp role to another column.")
    if unit == "excel":
        ns_f = _EXCEL_ORIGIN_NS + np.round(num * 86_400_000) * 1e6  # to the millisecond
        lo_w, hi_w = _EXCEL_WINDOW
        scaled = num
    else:
        f = _UNIT_NS[unit]
        scaled = num / (10**9 / f)  # in seconds, for the window check
        lo_w, hi_w = _EPOCH_WINDOW
        ints = np.zeros(len(rows), np.int64)
        exact = whole & (np.abs(num) < 2**62 / f)
        if exact.any():  # whole numbers: exact integer arithmetic
            src = sub[exact] if is_text else sub[exact]
            ints[exact] = pd.to_numeric(src, errors="coerce").astype("int64").to_numpy() * f
        rounding = 1_000 if unit in ("s", "ms") else 1
        ns_f = np.where(exact, ints.astype("float64"),
                        np.round(num * f / rounding) * rounding)
    in_range = np.isfinite(ns_f) & (ns_f >= _NS_LO) & (ns_f <= _NS_HI)
    good = in_range.copy()
    if guessed:  # the rest of the column sets the unit; strays are not guessed again
        good &= (np.abs(scaled) >= lo_w) & (np.abs(scaled) <= hi_w)
        stray = in_range & ~good
        bad["unparsable_timestamp"][rows[stray]] = True
        for i in rows[stray][:_EXAMPLES]:
            why[int(i)] = (f"the number {_short(shown.iloc[i])} is not {_UNIT_WORDS[unit]} of "
                           "the years 1980-2100, like the rest of the column")
    oob = ~in_range
    bad["timestamp_out_of_range"][rows[oob]] = True
    for i in rows[oob][:_EXAMPLES]:
        why[int(i)] = (f"the number {_short(shown.iloc[i])} read as {_UNIT_WORDS[unit]} is "
                       "outside the years 1677-2262 that a timestamp can hold")
    if unit != "excel":
        res = np.where(good & exact, ints, 0)
        res = np.where(good & ~exact, np.where(good, ns_f, 0).astype(np.int64), res)
    else:
        res = np.where(good, ns_f, 0).astype(np.int64)
    out[rows[good]] = res[good]
    idx = rows[good][:_EXAMPLES]
    aware = unit != "excel"
    ex = [{"row": int(i), "value": _short(shown.iloc[i]),
           "parsed": str(pd.Timestamp(out[i], tz="UTC" if aware else None))} for i in idx]
    what = (f"Unix epoch {_UNIT_WORDS[unit]} (since 1970-01-01 UTC)" if aware
            else f"{_UNIT_WORDS[unit]}, local wall-clock times")
    findings.append(Finding(
        "numeric_timestamps", "warning",
        f"Column {column!r} holds numbers; "
        + ("their size says they are " if guessed else "as timestamp_format says, they are ")
        + f"{what}, and were read so (e.g. "
        + ", ".join(f"row {e['row']}: {e['value']} -> {e['parsed']}" for e in ex) + ").",
        rows=int(good.sum()), column=column, examples=ex,
        fix="check the examples; pass timestamp_format='epoch_s', 'epoch_ms', 'epoch_us', "
            "'epoch_ns' or 'excel' if they are another unit"))
    return out, aware


def _build_ts(ns: np.ndarray, aware: bool) -> pd.Series:
    ts = pd.Series(ns.view("datetime64[ns]"), copy=False)
    return ts.dt.tz_localize("UTC") if aware else ts


#: The usual scales of survey instruments, looked up by name (lower case, word parts).
_SCALE_BY_NAME: tuple[tuple[str, tuple[float, float]], ...] = (
    ("nps", (0.0, 10.0)), ("csat", (1.0, 5.0)), ("ces", (1.0, 7.0)))
#: Scales a survey's observed scores are snapped to, narrowest first.
_USUAL_SCALES: tuple[tuple[float, float], ...] = (
    (1.0, 5.0), (0.0, 5.0), (1.0, 7.0), (0.0, 10.0), (1.0, 10.0), (0.0, 100.0))


_THOUSANDS_RE = r"[+-]?\d{1,3}(?:,\d{3})+"
_DECIMAL_COMMA_RE = r"[+-]?\d*,\d+"


@dataclass
class _Scores:
    """Scores read from a column: ``values`` (float64, NaN when absent or unusable), row
    masks ``present``, ``not_numeric``, ``not_finite``, ``ambiguous_comma`` (``1,234``),
    ``decimal_comma`` (``4,5`` read as 4.5), ``boolean``; ``spelled``: null spellings found."""

    values: np.ndarray
    present: np.ndarray
    not_numeric: np.ndarray
    not_finite: np.ndarray
    ambiguous_comma: np.ndarray
    decimal_comma: np.ndarray
    boolean: np.ndarray
    spelled: dict


def _score_values(s: pd.Series, null_values=None) -> _Scores:
    """The one reading of a score column (validation and instrument look-up share it).

    A comma is a decimal separator only when it cannot separate thousands (``4,5``,
    ``3,25``, ``1234,5``); ``1,234`` is ambiguous and not read.
    """
    n = len(s)
    none = np.zeros(n, bool)
    if pd.api.types.is_complex_dtype(s.dtype):  # not a score; float() would drop the imaginary
        s = s.astype(object).where(s.notna(), None).map(str, na_action="ignore")
    if pd.api.types.is_bool_dtype(s.dtype):
        present = s.notna().to_numpy()
        vals = np.where(present, s.astype("float64").to_numpy(), np.nan)
        return _Scores(vals, present, none, none, none, none, present.copy(), {})
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        is_bool = (s.map(lambda v: isinstance(v, (bool, np.bool_)), na_action="ignore")
                   .fillna(False).to_numpy(dtype=bool)) if s.dtype == object else none
        txt = s.astype("string[pyarrow]").str.strip()
        present = txt.notna().to_numpy() & (txt != "").to_numpy(dtype=bool, na_value=False)
        spelled_mask = present & null_mask(txt, null_spellings(null_values))
        spelled = ({str(k): int(v) for k, v in txt[spelled_mask].value_counts().items()}
                   if spelled_mask.any() else {})
        present &= ~spelled_mask
        thousands = present & _match(txt, _THOUSANDS_RE, full=True)
        comma = present & ~thousands & _match(txt, _DECIMAL_COMMA_RE, full=True)
        if comma.any():
            txt = txt.copy()
            txt[comma] = txt[comma].str.replace(",", ".", regex=False)
        usable = present & ~thousands & ~is_bool
        vals = np.asarray(pd.to_numeric(txt.where(usable), errors="coerce"), dtype="float64")
        not_numeric = present & ~thousands & (np.isnan(vals) | is_bool)
        vals = np.where(not_numeric, np.nan, vals)
    else:
        present = s.notna().to_numpy()
        vals = np.asarray(pd.to_numeric(s, errors="coerce"), dtype="float64")
        not_numeric = present & np.isnan(vals)
        thousands = comma = is_bool = none
        spelled = {}
    not_finite = present & np.isinf(vals)
    vals = np.where(not_finite | thousands, np.nan, vals)
    return _Scores(vals, present, not_numeric, not_finite, thousands, comma, is_bool & present,
                   spelled)


def find_instruments(scores: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, *,
                     column: str = "satisfaction", null_values=None
                     ) -> tuple[dict[str, tuple[float, float]], Finding | None]:
    """Look up the survey activities of a log and their scales.

    A survey activity is one whose rows carry a score at least half of the time, in a log
    where such activities are a minority (scores on most touchpoints are a journey-level
    score, declared with ``satisfaction_scale=``). Its scale is the usual one for its name
    (``nps``: 0-10, ``csat``: 1-5, ``ces``: 1-7) when its scores fit it, else the narrowest
    usual scale holding every score, else the observed range.

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
    survey = np.flatnonzero((scored > 0) & (scored * 2 >= rows))
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
        words = "".join(ch if ch.isalnum() else " " for ch in name.lower()).split()
        named = next((sc for key, sc in _SCALE_BY_NAME
                      if any(w == key or w.startswith(key) for w in words)), None)
        if named is not None and named[0] <= lo and hi <= named[1]:
            scale, why = named, "its name"
        else:
            scale = next((sc for sc in _USUAL_SCALES if sc[0] <= lo and hi <= sc[1]), None)
            why = "its scores"
            if scale is None:
                scale = (lo, hi if hi > lo else lo + 1.0)
                why = "the range of its scores"
        found[name] = scale
        said.append(f"{name!r} {scale[0]:g}-{scale[1]:g} (from {why})")
    if not found:
        return {}, None
    return found, Finding(
        "instruments_found", "info",
        f"Survey activities looked up from the scores in {column!r}: {', '.join(said)}. "
        "Their rows measure satisfaction and are not touchpoints.", column=column,
        fix="pass instruments={activity: (low, high)} to set them yourself")


def _check_scores(s: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, schema: Schema,
                  null_values=None):
    findings: list[Finding] = []
    col = schema.satisfaction_key
    read = _score_values(s, null_values)
    present = read.present
    for mask, code, what in (
            (read.decimal_comma, "score_decimal_comma",
             "use a comma as the decimal separator; they were read as decimals"),
            (read.boolean, "score_boolean", "are true/false; they were read as 1 and 0")):
        if mask.any():
            idx = np.flatnonzero(mask)[:_EXAMPLES]
            ex = [{"row": int(i), "value": _short(s.iloc[i]), "read": float(read.values[i])}
                  for i in idx]
            findings.append(Finding(
                code, "warning", f"{int(mask.sum()):,} scores of {col!r} {what} (e.g. "
                + ", ".join(f"row {e['row']}: {e['value']!r} -> {e['read']:g}" for e in ex)
                + ").", rows=int(mask.sum()), column=col, examples=ex,
                fix="check the examples; write scores with a decimal point to be sure"))
    score = read.values
    score = pd.Series(np.asarray(score, dtype="float64"))
    values = score.to_numpy()
    bad = read.not_numeric | read.not_finite | read.ambiguous_comma
    low = np.full(len(s), -np.inf)
    high = np.full(len(s), np.inf)
    if schema.instruments:
        lookup_lo = np.full(len(act_cats) + 1, -np.inf)
        lookup_hi = np.full(len(act_cats) + 1, np.inf)
        is_survey_cat = np.zeros(len(act_cats) + 1, bool)
        for name, (lo, hi) in schema.instruments.items():
            hit = np.flatnonzero(act_cats == name)
            lookup_lo[hit], lookup_hi[hit], is_survey_cat[hit] = lo, hi, True
        low, high = lookup_lo[act_codes], lookup_hi[act_codes]  # code -1 reads the spare slot
        is_survey = is_survey_cat[act_codes]
        stray = present & ~bad & ~is_survey
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
    out = present & ~bad & ((values < low) | (values > high))
    return score, read, out, findings


def _ns(ts: pd.Series) -> np.ndarray:
    return ts.array.asi8 if getattr(ts.dtype, "tz", None) is not None else ts.to_numpy().view("i8")


def _exact_duplicates(frame: pd.DataFrame, case_sorted: np.ndarray, ts_sorted: np.ndarray,
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


def _assemble(frame: pd.DataFrame, kept: np.ndarray, codes: dict, cats: dict, ts: pd.Series,
              score: pd.Series | None, schema: Schema, findings: list[Finding],
              text_source: bool, records: np.ndarray | None = None) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    for role in ("case_id", "activity"):
        c, k = densify(codes[role][kept], cats[role])
        cols[role] = categorical(c, k)
    cols["timestamp"] = ts.iloc[kept].reset_index(drop=True)
    for role in ("channel", "stage"):
        if role in codes:
            c, k = densify(codes[role][kept], cats[role])
            src = frame[schema.key(role)]
            ordered = isinstance(src.dtype, pd.CategoricalDtype) and src.cat.ordered
            if ordered:  # keep a declared stage order (e.g. awareness < ... < advocacy)
                order = [str(x) for x in src.cat.categories if str(x) in set(k)]
                remap = pd.Index(k).get_indexer(order)
                inv = np.empty(len(k), np.int64)
                inv[remap] = np.arange(len(k))
                c, k = np.where(c >= 0, inv[np.maximum(c, 0)], -1), pd.Index(order, dtype=object)
            cols[role] = categorical(c, k, ordered=ordered)
    if score is not None:
        cols["satisfaction"] = score.to_numpy()[kept]
    mapped = set(schema.mapping().values())
    for col in frame.columns:
        if col in mapped:
            continue
        name = col
        if name in cols or name == "row":
            name = f"{col}_attr"
            findings.append(Finding("attribute_renamed", "info",
                                    f"Column {col!r} is not the {col} role here; it is kept as "
                                    f"attribute {name!r}.", column=col))
        values = frame[col].iloc[kept].reset_index(drop=True)
        cols[name] = _attribute(values) if text_source else values
    cols["row"] = kept.astype(np.int64) if records is None else records[kept]
    return pd.DataFrame(cols)


def _attribute(s: pd.Series) -> pd.Series:
    """Numbers and true/false read as text from a CSV become numbers and booleans, when
    every present value is one."""
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        present = s.dropna()
        lowered = present.astype(str).str.strip().str.lower()
        if len(present) and lowered.isin(["true", "false"]).all() and len(present) == len(s):
            return lowered.eq("true").reindex(s.index)
        if len(present) and present.map(lambda v: isinstance(v, str)).all():
            num = pd.to_numeric(present, errors="coerce")
            if num.notna().all() and not present.str.match(r"^\s*0\d").any():
                return pd.to_numeric(s, errors="coerce")
    return s


def _apply_catalogue(events: pd.DataFrame, catalogue: Any, findings: list[Finding]):
    cat = read_catalogue(catalogue).set_index("activity")
    events = events.copy()
    acts = events["activity"].astype(object)
    for role in ("stage", "channel"):
        if role in cat.columns and role not in events.columns:
            events[role] = pd.Categorical(acts.map(cat[role].to_dict()))
    if "owner" in cat.columns and "owner" not in events.columns:
        events["owner"] = acts.map(cat["owner"].to_dict())
    unknown = sorted(set(acts.unique()) - set(cat.index.astype(str)))
    if unknown:
        n = int(acts.isin(unknown).sum())
        findings.append(Finding("activity_not_in_catalogue", "warning",
                                f"{len(unknown)} activities ({n:,} rows) are not in the touchpoint "
                                f"catalogue: {', '.join(map(repr, unknown[:10]))}"
                                f"{' ...' if len(unknown) > 10 else ''}; their stage/channel is "
                                "empty.", rows=n, fix="add them to the catalogue"))
    return events


def _quarantine_frame(frame: pd.DataFrame, reason: np.ndarray, mask: np.ndarray,
                      bad_lines: pd.DataFrame, records: np.ndarray | None = None) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    q = frame.iloc[idx].reset_index(drop=True).copy()
    q.insert(0, "reason", np.asarray(_REASON_CODES, dtype=object)[reason[idx]])
    q.insert(0, "line", np.full(len(idx), -1, dtype=np.int64))
    q.insert(0, "row", idx.astype(np.int64) if records is None else records[idx])
    if len(bad_lines):
        row = bad_lines["row"].astype(np.int64) if "row" in bad_lines else -1
        b = pd.DataFrame({"row": row, "line": bad_lines["line"].astype(np.int64),
                          "reason": bad_lines["reason"], "raw_text": bad_lines["text"]})
        q = pd.concat([b, q], ignore_index=True).sort_values("row", kind="stable",
                                                            ignore_index=True)
    return q


def _log_findings(events: pd.DataFrame, schema: Schema) -> list[Finding]:
    findings: list[Finding] = []
    if events.empty:
        findings.append(Finding("empty_log", "error", "No usable events remain.",
                                fix="read the quarantine findings above"))
        return findings
    sizes = events["case_id"].value_counts(sort=False)
    single = int((sizes == 1).sum())
    if single:
        findings.append(Finding("single_event_journeys", "warning",
                                f"{single:,} of {len(sizes):,} journeys have one event only; they "
                                "have no transitions and no duration.", rows=single,
                                column=schema.case_id_key,
                                fix="nothing if expected; filter them with EventLog.filter_cases"))
    n_act = len(events["activity"].cat.categories)
    if n_act > _MAX_ACTIVITIES or (n_act > 50 and n_act > 0.5 * len(events)):
        findings.append(Finding("activity_cardinality", "warning",
                                f"{n_act:,} distinct activities in {len(events):,} events: maps "
                                "and variants will be unreadable. Is the activity role an id or "
                                "free text?", rows=n_act, column=schema.activity_key,
                                fix="map the activity role to a touchpoint column, or group "
                                    "activities with a catalogue"))
    return findings

