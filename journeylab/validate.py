"""Validation: turn raw rows into usable events, quarantine the rest, and report it all.

The accounting always balances: ``rows_in == rows_kept + rows_quarantined``. Every
quarantined row carries its source row number and the reason; nothing is dropped silently.
"""
from __future__ import annotations

import html
import json
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import EmptyLogError, InvalidInputError, MissingColumnError, ValidationError
from .encode import categorical, densify, encode_labels, sort_order
from .io import RawTable, check_reading_options, read_catalogue, read_table, write_table
from .schema import Schema

__all__ = ["Finding", "ValidationReport", "validate_events", "find_instruments",
           "QUARANTINE_REASONS", "SET_ASIDE_REASONS"]

#: Why a row is quarantined, in the order they are checked (a row gets the first that applies).
QUARANTINE_REASONS: dict[str, str] = {
    "malformed_line": "the line could not be parsed (wrong number of fields or not valid JSON)",
    "null_case_id": "the case id is empty",
    "null_activity": "the activity is empty",
    "null_timestamp": "the timestamp is empty",
    "unparsable_timestamp": "the timestamp is not a date and time",
    "satisfaction_not_numeric": "the satisfaction score is not a number",
    "satisfaction_out_of_range": "the satisfaction score is outside its declared scale",
    "duplicate_event": "an exact copy of an earlier row",
    "event_outside_trace": "an XES <event> outside any <trace>, so without a case",
}
_REASON_CODES: list[str | None] = [None, *QUARANTINE_REASONS]
_FIXES: dict[str, str] = {
    "malformed_line": "check the delimiter (sep=, CLI --sep) and quoting of that line",
    "null_case_id": "fill the case id, or leave the rows out on purpose",
    "null_activity": "fill the activity name",
    "null_timestamp": "fill the timestamp",
    "unparsable_timestamp": "correct the value, or give timestamp_format= (e.g. '%d/%m/%Y %H:%M')",
    "satisfaction_not_numeric": "scores must be numbers; correct the value",
    "satisfaction_out_of_range": "correct the score, or declare the right scale in instruments=",
    "duplicate_event": "nothing, if the copy was an export glitch; otherwise add a distinguishing column",
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
        from .display import format_table

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
                    columns: list[str] | None = None) -> ValidationReport:
    """Check an event source and report what would be kept and what quarantined.

    Parameters
    ----------
    source : DataFrame, path or DuckDB relation
        See :func:`journeylab.io.read_table`.
    case_id_key, activity_key, timestamp_key, channel_key, stage_key, satisfaction_key : str
        Column roles (see :class:`~journeylab.schema.Schema`).
    instruments : mapping, optional
        Survey activity -> (low, high) scale, e.g. ``{"nps_survey": (0, 10)}``.
    satisfaction_scale : (low, high), optional
        Scale of a case-level satisfaction column.
    catalogue : dict, DataFrame or path, optional
        Touchpoint catalogue supplying stage/channel when the log lacks them.
    timestamp_format : str, optional
        A strptime format; when given, values not in it are quarantined.
    dayfirst : bool
        Read ambiguous dates like 03/04/2024 as 3 April.
    assume_timezone : str
        The zone of timestamps written without an offset when others carry one.
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
                             duplicates=duplicates, lifecycle=lifecycle, strict=strict)
    return report


# ----------------------------------------------------------------------------- the pass itself
def clean_events(raw: RawTable, schema: Schema, *, catalogue: Any = None,
                 timestamp_format: str | None = None, dayfirst: bool = False,
                 assume_timezone: str = "UTC", duplicates: str = "quarantine",
                 lifecycle: str = "auto", strict: bool = False,
                 allow_empty: bool = True) -> tuple[pd.DataFrame, ValidationReport]:
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
    schema = schema.resolve(list(frame.columns))
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

    def flag(mask: np.ndarray, code: str) -> None:
        reason[np.asarray(mask, dtype=bool) & (reason == 0)] = _REASON_CODES.index(code)

    # keys and labels ----------------------------------------------------------------------
    for role in ("case_id", "activity", "channel", "stage"):
        col = schema.key(role)
        if col is None:
            continue
        codes[role], cats[role], changed = encode_labels(frame[col])
        if role in ("case_id", "activity"):
            flag(codes[role] < 0, f"null_{role}")
        if changed:
            findings.append(Finding("labels_normalised", "warning",
                                    f"{changed:,} rows of {col!r} had spaces around the text or "
                                    "non-canonical Unicode; they were trimmed and NFC-normalised.",
                                    rows=changed, column=col))

    # timestamps ---------------------------------------------------------------------------
    tcol = schema.key("timestamp")
    ts, t_null, t_bad, t_findings = _parse_timestamps(
        frame[tcol], column=tcol, fmt=timestamp_format, dayfirst=dayfirst,
        assume_timezone=assume_timezone)
    findings += t_findings
    flag(t_null, "null_timestamp")
    flag(t_bad, "unparsable_timestamp")

    # satisfaction -------------------------------------------------------------------------
    scol = schema.key("satisfaction")
    score = None
    if schema.find_instruments and scol is not None and schema.satisfaction_scale is None:
        found, finding = find_instruments(frame[scol], codes["activity"], cats["activity"],
                                          column=scol)
        schema = replace(schema, instruments=found, find_instruments=False)
        if finding is not None:
            findings.append(finding)
    elif schema.instruments and scol is None:
        raise MissingColumnError(
            f"Survey instruments were given ({', '.join(map(repr, schema.instruments))}) but "
            f"the log has no satisfaction column. Set satisfaction_key to the column that "
            f"holds the scores, or leave instruments empty.")
    if scol is not None:
        score, s_bad, s_out, s_findings = _check_scores(frame[scol], codes["activity"],
                                                        cats["activity"], schema)
        findings += s_findings
        flag(s_bad, "satisfaction_not_numeric")
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
            col = {"null_case_id": schema.case_id_key, "null_activity": schema.activity_key,
                   "null_timestamp": tcol, "unparsable_timestamp": tcol,
                   "satisfaction_not_numeric": scol, "satisfaction_out_of_range": scol}.get(code)
            examples = [{"row": int(r["row"]), **({"line": int(r["line"])} if r["line"] >= 0 else {}),
                         **({"value": _short(r.get(col))} if col else {})}
                        for r in ex.to_dict("records")]
            where = ", ".join(_where(e) for e in examples)
            findings.append(Finding(code, "error",
                                    f"{cnt:,} rows quarantined: {QUARANTINE_REASONS[code]} "
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
    return f"{loc}: {ex['value']!r}" if "value" in ex else loc


def _short(v: Any, limit: int = 60) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _parse_timestamps(s: pd.Series, *, column: str, fmt: str | None, dayfirst: bool,
                      assume_timezone: str):
    findings: list[Finding] = []
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        ts = s
        if getattr(s.dtype, "tz", None) is not None:
            ts = s.dt.tz_convert("UTC")
        null = ts.isna().to_numpy()
        return _to_ns(ts), null, np.zeros(len(s), bool), findings
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        raise InvalidInputError(
            f"Column {column!r} (the timestamp role) holds numbers, not dates. Convert it first, "
            f"e.g. df[{column!r}] = pd.to_datetime(df[{column!r}], unit='s'), or map the "
            "timestamp role to another column.")
    text = s.astype("string[pyarrow]").str.strip()
    null = (text.isna() | (text == "")).to_numpy(dtype=bool, na_value=True)
    text = text.where(~null)
    has_tz = text.str.contains(_TZ_RE, regex=True).to_numpy(dtype=bool, na_value=False)
    repaired = np.zeros(len(s), bool)
    if fmt is not None:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    else:
        iso = text.str.fullmatch(_ISO_RE).to_numpy(dtype=bool, na_value=False)
        parsed = pd.to_datetime(text.where(iso), format="ISO8601", errors="coerce",
                                utc=True).dt.as_unit("ns")
        retry = (~iso & ~null
                 & text.str.contains(_DATEISH_RE, regex=True).to_numpy(dtype=bool, na_value=False))
        if retry.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fb = pd.to_datetime(text[retry].astype(object), format="mixed",
                                    dayfirst=dayfirst, errors="coerce", utc=True).dt.as_unit("ns")
            parsed = parsed.copy()
            parsed[retry] = fb.to_numpy()
            repaired = retry & parsed.notna().to_numpy()
            if repaired.any():
                idx = np.flatnonzero(repaired)[:_EXAMPLES]
                ex = [{"row": int(i), "value": _short(text.iloc[i]),
                       "parsed": str(parsed.iloc[i])} for i in idx]
                findings.append(Finding(
                    "mixed_timestamp_formats", "warning",
                    f"{int(repaired.sum()):,} rows of {column!r} are not ISO 8601 and were read "
                    f"{'day-first' if dayfirst else 'month-first'} (e.g. "
                    + ", ".join(f"row {e['row']}: {e['value']!r} -> {e['parsed']}" for e in ex)
                    + ").", rows=int(repaired.sum()), column=column, examples=ex,
                    fix="check the examples; pass dayfirst=True or timestamp_format= if they "
                        "are read wrongly"))
    bad = parsed.isna().to_numpy() & ~null
    naive = ~has_tz & ~null & ~bad
    aware = has_tz & ~null & ~bad
    if aware.any() and naive.any():
        if assume_timezone.upper() != "UTC":
            wall = parsed[naive].dt.tz_localize(None)
            parsed = parsed.copy()
            parsed[naive] = wall.dt.tz_localize(assume_timezone, ambiguous="NaT",
                                                nonexistent="NaT").dt.tz_convert("UTC").to_numpy()
            bad = parsed.isna().to_numpy() & ~null
        idx = np.flatnonzero(naive)[:_EXAMPLES]
        ex = [{"row": int(i), "value": _short(text.iloc[i])} for i in idx]
        findings.append(Finding(
            "mixed_timezones", "warning",
            f"{int(naive.sum()):,} rows of {column!r} have no UTC offset while "
            f"{int(aware.sum()):,} have one; the former were taken as {assume_timezone} and all "
            "timestamps converted to UTC (e.g. " + ", ".join(f"row {e['row']}: {e['value']!r}"
                                                          for e in ex) + ").",
            rows=int(naive.sum()), column=column, examples=ex,
            fix="pass assume_timezone= (e.g. 'Europe/Amsterdam') if those rows are local time"))
        ts = parsed
    elif aware.any():
        ts = parsed
    else:
        ts = parsed.dt.tz_localize(None)
    return _to_ns(ts), null, bad, findings


def _to_ns(ts: pd.Series) -> pd.Series:
    tz = getattr(ts.dtype, "tz", None)
    target = f"datetime64[ns, {tz}]" if tz is not None else "datetime64[ns]"
    return pd.Series(ts.to_numpy() if tz is None else ts.array, copy=False).astype(target) \
        .reset_index(drop=True)


#: The usual scales of survey instruments, looked up by name (lower case, word parts).
_SCALE_BY_NAME: tuple[tuple[str, tuple[float, float]], ...] = (
    ("nps", (0.0, 10.0)), ("csat", (1.0, 5.0)), ("ces", (1.0, 7.0)))
#: Scales a survey's observed scores are snapped to, narrowest first.
_USUAL_SCALES: tuple[tuple[float, float], ...] = (
    (1.0, 5.0), (0.0, 5.0), (1.0, 7.0), (0.0, 10.0), (1.0, 10.0), (0.0, 100.0))


def _numeric_scores(s: pd.Series) -> np.ndarray:
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        txt = s.astype("string[pyarrow]").str.strip().str.replace(",", ".", regex=False)
        return np.asarray(pd.to_numeric(txt.where(txt != ""), errors="coerce"), dtype="float64")
    return np.asarray(pd.to_numeric(s, errors="coerce"), dtype="float64")


def find_instruments(scores: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, *,
                     column: str = "satisfaction"
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
    values = _numeric_scores(scores)
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


def _check_scores(s: pd.Series, act_codes: np.ndarray, act_cats: pd.Index, schema: Schema):
    findings: list[Finding] = []
    col = schema.satisfaction_key
    present = s.notna().to_numpy()
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        txt = s.astype("string[pyarrow]").str.strip().str.replace(",", ".", regex=False)
        present = present & (txt != "").to_numpy(dtype=bool, na_value=False)
        score = pd.to_numeric(txt.where(present), errors="coerce")
    else:
        score = pd.to_numeric(s, errors="coerce")
    score = pd.Series(np.asarray(score, dtype="float64"))
    values = score.to_numpy()
    bad = present & np.isnan(values)
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
    return score, bad, out, findings


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
                                f"{n_act:,} distinct activities in {len(events):,} events: maps and "
                                "variants will be unreadable. Is the activity role an id or free "
                                "text?", rows=n_act, column=schema.activity_key,
                                fix="map the activity role to a touchpoint column, or group "
                                    "activities with a catalogue"))
    return findings

