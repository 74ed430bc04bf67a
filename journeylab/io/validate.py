"""Validation: turn raw rows into usable events, quarantine the rest, and report it all.
Here live :func:`validate_events`, :func:`clean_events` (the pass itself, which
:func:`journeylab.read_events` shares) and :class:`ValidationReport`. The accounting always
balances: ``rows_in == rows_kept + rows_quarantined + rows_set_aside``. Every quarantined row
carries its source row number and the reason; nothing is dropped silently. Each class of bad
value is checked in one place: key columns in :func:`journeylab.core.encode.encode_keys`,
timestamps in :mod:`.timestamps`, scores in :mod:`.scores`, lifecycle transitions in
:mod:`.lifecycle`, column roles in :meth:`journeylab.core.schema.Schema.resolve_noted`; the
reasons and the quarantine table are in :mod:`.quarantine`, the kept rows become events in
:mod:`.assemble`.
"""
from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import EmptyLogError, InvalidInputError, MissingColumnError, ValidationError
from ..core.encode import code_dtype, encode_keys, null_spellings, sort_rows
from ..core.schema import Schema
from .assemble import apply_catalogue, assemble, log_findings
from .findings import EXAMPLES, Finding, label_notes, null_spelling_finding, short
from .lifecycle import LIFECYCLE_MODES, lifecycle_set_aside
from .quarantine import (FIXES, QUARANTINE_REASONS, REASON_CODES, REASON_ROLE,
                         TIMESTAMP_REASONS, describe_example, exact_duplicates, quarantine_frame,
                         unquoted_finding)
from .readers import check_reading_options, read_table
from .scores import check_scores, find_instruments
from .table import RawTable
from .timestamps import parse_timestamps
from .writers import write_table

__all__ = ["ValidationReport", "validate_events", "clean_events"]


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

    def without_values(self, column: Any) -> "ValidationReport":
        """The same report with the values of ``column`` quoted by none of its findings:
        what a study that shows pseudonyms carries, so no customer id reaches a table or a
        file beside the report. A finding about ``column`` that quotes values keeps its
        code, counts, example rows and fix; its message names the rows instead. The
        quarantined rows are left as read (a study writes them with the pseudonyms).

        Examples
        --------
        >>> import journeylab as jl, pandas as pd
        >>> raw = pd.DataFrame({"case_id": ["a", [1], "a"], "activity": ["x", "y", "z"],
        ...                     "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]})
        >>> report = jl.validate_events(raw)
        >>> "[1]" in report.without_values("case_id").findings_frame().to_csv()
        False
        """
        return replace(self, findings=[unquoted_finding(f) if f.column == column else f
                                       for f in self.findings])

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

        table = self.findings_frame()[["severity", "code", "column", "rows", "message", "fix"]]
        table = table.rename(columns={"code": "finding", "message": "what"})
        table["rows"] = table["rows"].where(table["rows"] > 0)  # none counted: shown as –
        table.attrs["row_examples"] = ["what"]  # quotes single rows: not in a shared report
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
                     columns=columns, schema=schema)
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
    # source record number of each frame row (records that could not be parsed are not rows);
    # None: row i is record i (no array of them held through the pass)
    records = None if raw.records is None else np.asarray(raw.records, dtype=np.int64)
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
    # one small integer per row: 0 keeps it, i > 0 quarantines it for REASON_CODES[i]
    reason = np.zeros(n, dtype=np.int8)
    codes: dict[str, np.ndarray] = {}
    cats: dict[str, pd.Index] = {}
    why: dict[int, str] = {}  # row -> the cause of its quarantine in the user's terms

    def flag(mask: np.ndarray, code: str, causes: Mapping[int, str] | None = None) -> None:
        hit = np.asarray(mask, dtype=bool) & (reason == 0)
        reason[hit] = REASON_CODES.index(code)
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
        # labels (few of them) as the narrowest integers that hold their codes
        codes[role] = enc.codes if role == "case_id" else enc.codes.astype(
            code_dtype(len(enc.categories)), copy=False)
        cats[role] = enc.categories
        # what the encoding freed, Arrow's allocator gives back at once (it may otherwise
        # hold it, and the process's peak, for the rest of the pass)
        pa.default_memory_pool().release_unused()
        if role in ("case_id", "activity"):
            flag(enc.null, f"null_{role}")
            flag(enc.invalid, f"invalid_{role}", enc.why)
        elif enc.invalid.any():
            idx = np.flatnonzero(enc.invalid)[:EXAMPLES]
            findings.append(Finding(
                "invalid_labels_cleared", "warning",
                f"{int(enc.invalid.sum()):,} rows of {col!r} hold values that are not labels; "
                f"their {role} is left empty (" + "; ".join(
                    f"row {i}: {enc.why.get(int(i), 'not a label')}" for i in idx) + ").",
                rows=int(enc.invalid.sum()), column=col,
                examples=[{"row": int(i), "value": short(frame[col].iloc[i])} for i in idx],
                fix=f"give the {role} as text"))
        findings += null_spelling_finding(enc.spelled, col, role)
        if enc.changed:
            findings.append(Finding("labels_normalised", "warning",
                                    f"{enc.changed:,} rows of {col!r} had spaces around the text "
                                    "or non-canonical Unicode; they were trimmed and "
                                    "NFC-normalised.", rows=enc.changed, column=col))
        findings += label_notes(enc.notes, frame[col], col, role)

    # timestamps ---------------------------------------------------------------------------
    tcol = schema.key("timestamp")
    _check_zone(assume_timezone)
    ts, t_null, t_bad, t_findings, t_why, t_spelled = parse_timestamps(
        frame[tcol], column=tcol, fmt=timestamp_format, dayfirst=dayfirst,
        assume_timezone=assume_timezone, null_values=null_values)
    findings += null_spelling_finding(t_spelled, tcol, "timestamp")
    findings += t_findings
    flag(t_null, "null_timestamp")
    for code in TIMESTAMP_REASONS:
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
        score, s_read, s_out, s_findings = check_scores(frame[scol], codes["activity"],
                                                        cats["activity"], schema,
                                                        null_values=null_values)
        findings += null_spelling_finding(s_read.spelled, scol, "satisfaction")
        findings += s_findings
        flag(s_read.not_numeric, "satisfaction_not_numeric")
        flag(s_read.not_finite, "satisfaction_not_finite")
        flag(s_read.ambiguous_comma, "satisfaction_ambiguous_comma")
        flag(s_out, "satisfaction_out_of_range")

    # lifecycle: valid rows left out on purpose (set aside, not quarantined) -----------------
    aside, lc_values, lc_info, lc_findings = lifecycle_set_aside(frame, schema, lifecycle,
                                                                 valid=reason == 0)
    findings += lc_findings

    # one sort by (case, timestamp, source row); exact duplicates sit in equal (case, time) runs
    t_ns = _ns(ts)
    # the labels travel with the sort (taken in the new order once, not one by one later)
    labels = {r: codes[r] for r in ("activity", "channel", "stage") if r in codes}
    if reason.any() or aside.any():
        usable = np.flatnonzero((reason == 0) & ~aside)
        local, taken = sort_rows(codes["case_id"][usable], t_ns[usable],
                                 {r: v[usable] for r, v in labels.items()})
        order = usable[local]
    else:  # every row usable: no gathers before the sort (none at all when in order)
        order, taken = sort_rows(codes["case_id"], t_ns, labels)
    case_sorted, t_sorted = taken["case_id"], taken["timestamp"]
    dup = exact_duplicates(frame, case_sorted, t_sorted, order)
    if duplicates == "quarantine":
        flag(dup, "duplicate_event")
    elif dup.any():
        idx = np.flatnonzero(dup)[:EXAMPLES]
        findings.append(Finding(
            "duplicate_event_kept", "warning",
            f"{int(dup.sum()):,} rows are exact copies of an earlier row and were kept "
            f"(duplicates='keep'), e.g. rows {', '.join(map(str, idx))}.",
            rows=int(dup.sum()), examples=[{"row": int(i)} for i in idx],
            fix="use duplicates='quarantine' if the copies are export glitches"))
    keep = (reason == 0) & ~aside
    if len(order) == n and not reason.any():
        kept = order
    else:  # duplicates quarantined after the sort leave it, and their sorted values too
        in_kept = keep[order]
        kept = order[in_kept]
        taken = {k: v[in_kept] for k, v in taken.items()}

    # assemble -----------------------------------------------------------------------------
    events = assemble(frame, kept, codes, cats, ts, score, schema, findings,
                      text_source=raw.source.get("format") == "csv",
                      records=records, gathered=taken)
    if catalogue is not None:
        events = apply_catalogue(events, catalogue, findings)
    quarantined = quarantine_frame(frame, reason, reason > 0, raw.bad_lines, records)
    aside_rows = np.flatnonzero(aside)
    set_aside = pd.DataFrame({"row": aside_rows if records is None else records[aside_rows],
                              "reason": "lifecycle_not_complete",
                              "value": lc_values[aside_rows] if lc_values is not None
                              else np.zeros(0, object)})
    for code in QUARANTINE_REASONS:
        m = quarantined["reason"].astype(str).str.startswith(code) if len(quarantined) else []
        cnt = int(np.sum(m))
        if cnt:
            ex = quarantined.loc[np.asarray(m)].head(EXAMPLES)
            role = REASON_ROLE.get(code)
            col = schema.key(role) if role else None
            examples = [{"row": int(r["row"]),
                         **({"line": int(r["line"])} if r["line"] >= 0 else {}),
                         **({"value": short(r.get(col))} if col else {}),
                         **({"why": why[int(r["row"])]} if int(r["row"]) in why else {})}
                        for r in ex.to_dict("records")]
            where = ", ".join(describe_example(e) for e in examples)
            of = f" of {col!r}" if col else ""
            findings.append(Finding(code, "error",
                                    f"{cnt:,} rows{of} quarantined: {QUARANTINE_REASONS[code]} "
                                    f"({where}{', ...' if cnt > len(examples) else ''}).",
                                    rows=cnt, column=col, examples=examples, fix=FIXES[code]))
    findings += log_findings(events, schema)
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


def _check_zone(zone: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(zone)
    except Exception:
        raise InvalidInputError(
            f"assume_timezone={zone!r} is not a time zone. Fix: give a zone name such as "
            "'UTC' or 'Europe/Amsterdam' (an IANA name; abbreviations like 'EST' are "
            "ambiguous).") from None


def _ns(ts: pd.Series) -> np.ndarray:
    return ts.array.asi8 if getattr(ts.dtype, "tz", None) is not None else ts.to_numpy().view("i8")
