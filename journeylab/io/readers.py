"""Readers and writers for every input format journeylab takes.

:func:`read_table` turns a source (DataFrame, CSV, Parquet, XES/XES.gz, JSON lines, DuckDB
relation or database table) into a raw :class:`RawTable`: the rows as read, plus the records
that could not be parsed at all (they are quarantined later, never dropped), plus findings
about how the source was read (encoding guessed, columns renamed, values kept as JSON text).

Numbering, for every format: ``row`` is the 0-based number of a data record in the source
(the header is not a record; a record may span several physical lines when a quoted field
holds a line break), ``line`` the 1-based physical line where the record starts (XES: the
line of the ``<event>``). Only ``\\r``, ``\\n`` and ``\\r\\n`` end a line: U+2028, NEL and
form feed are data.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io as _io
import json
import math
import os
import re
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import (EmptyLogError, InvalidInputError, MissingColumnError, UnreadableFileError,
                     UnsafeInputError)

__all__ = ["RawTable", "read_table", "scan_events", "read_catalogue", "write_table",
           "neutralise_formulas", "check_reading_options", "check_xml_prologue"]

_SNIFF_CHARS = 1 << 20
_SNIFF_RECORDS = 50
_DELIMITERS = (",", ";", "\t", "|")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXAMPLES = 5
_FORMATS = ("csv", "parquet", "xes", "jsonl", "duckdb")


def _bad_lines_frame(rows: list | None = None) -> pd.DataFrame:
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
        :class:`journeylab.io.validate.Finding`): repairs and choices made while reading.
    records : array of int, optional
        The source record number of each row of ``frame`` (None: row ``i`` is record ``i``).
    """

    frame: pd.DataFrame
    bad_lines: pd.DataFrame = field(default_factory=_bad_lines_frame)
    source: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    records: Any = None

    @property
    def rows_in(self) -> int:
        """Records in the source: rows read plus records that could not be parsed."""
        return len(self.frame) + len(self.bad_lines)


def _finding(code: str, severity: str, message: str, *, rows: int = 0,
             column: str | None = None, examples: list | None = None, fix: str = "") -> dict:
    return {"code": code, "severity": severity, "message": message, "rows": int(rows),
            "column": column, "examples": list(examples or []), "fix": fix}


def _listing(values, limit: int = _EXAMPLES) -> str:
    values = list(values)
    text = ", ".join(str(v) for v in values[:limit])
    return text + (", ..." if len(values) > limit else "")


# ----------------------------------------------------------------------------- options
_SEP_ALIASES = {"\\t": "\t", "tab": "\t", "TAB": "\t", "\\x09": "\t"}


def check_reading_options(*, sep: str | None = None, encoding: str | None = None,
                          format: str | None = None, timestamp_format: str | None = None,
                          assume_timezone: str | None = None) -> str | None:
    """Check the reading options before any file is opened; return ``sep`` as used.

    Each bad value raises :class:`~journeylab.errors.InvalidInputError` naming the option
    (and its command-line flag) and giving examples of good values.

    Examples
    --------
    >>> check_reading_options(sep="\\\\t") == "\\t"
    True
    >>> check_reading_options(assume_timezone="Mars/Olympus")
    Traceback (most recent call last):
    ...
    journeylab.errors.InvalidInputError: Unknown time zone 'Mars/Olympus' (assume_timezone=, CLI --assume-timezone). Use an IANA name such as 'UTC', 'Europe/Brussels' or 'America/New_York'.
    """  # noqa: E501
    if sep is not None:
        sep = _SEP_ALIASES.get(sep, sep)
        if not isinstance(sep, str) or len(sep) != 1 or sep in "\r\n\"" or sep.isalnum():
            raise InvalidInputError(
                f"The delimiter must be one character that is not a letter, digit, quote or "
                f"line break, not {sep!r} (sep=, CLI --sep). Use e.g. sep=';', sep='|' or "
                "sep='\\t' for tabs; leave it out to have it sniffed.")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise InvalidInputError(
                f"Unknown text encoding {encoding!r} (encoding=, CLI --encoding). Use e.g. "
                "'utf-8', 'cp1252', 'latin-1', 'utf-16'; leave it out to have it sniffed."
            ) from None
    if format is not None and format not in _FORMATS:
        raise InvalidInputError(f"Unknown format {format!r} (format=, CLI --format). Use one "
                                f"of {', '.join(map(repr, _FORMATS))}.")
    if timestamp_format is not None and timestamp_format not in (
            "ISO8601", "mixed", "epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "excel"):
        if not isinstance(timestamp_format, str) or not re.search(
                r"%[-#]?[aAwdbBmyYHIpMSfzZjUWcxXGuVsN]", timestamp_format):
            raise InvalidInputError(
                f"The timestamp format {timestamp_format!r} holds no strptime directive "
                "(timestamp_format=, CLI --timestamp-format). Write it with % codes, e.g. "
                "'%d/%m/%Y %H:%M' or '%Y-%m-%dT%H:%M:%S%z'; leave it out to have it inferred.")
        bad = re.findall(r"%(?:[-#]?)([^%aAwdbBmyYHIpMSfzZjUWcxXGuVsN:])", timestamp_format)
        if bad:
            raise InvalidInputError(
                f"The timestamp format {timestamp_format!r} holds an unknown directive "
                f"'%{bad[0]}' (timestamp_format=, CLI --timestamp-format). Use strptime codes "
                "such as %Y %m %d %H %M %S %z, e.g. '%d/%m/%Y %H:%M'.")
    if assume_timezone is not None:
        _check_timezone(assume_timezone)
    return sep


def _check_timezone(tz: Any) -> None:
    try:  # the judge is what the timestamp parser will do with it
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception:  # ValueError, ZoneInfoNotFoundError, IsADirectoryError...
        raise InvalidInputError(
            f"Unknown time zone {tz!r} (assume_timezone=, CLI --assume-timezone). Use an "
            "IANA name such as 'UTC', 'Europe/Brussels' or 'America/New_York'.") from None


def read_table(source: Any, *, sep: str | None = None, encoding: str | None = None,
               format: str | None = None, table: str | None = None,
               columns: list[str] | None = None) -> RawTable:
    """Read ``source`` into a :class:`RawTable` without interpreting any column.

    Parameters
    ----------
    source : DataFrame, path, or DuckDB relation
        A pandas DataFrame (copied, never modified), a path to a CSV/TSV (optionally
        ``.gz``), Parquet, XES or XES.gz, JSON-lines or DuckDB database file, or a DuckDB
        relation (``con.sql("select ...")``).
    sep, encoding : str, optional
        For CSV (``encoding`` also for JSON lines): the delimiter and text encoding;
        sniffed when not given.
    format : {"csv", "parquet", "xes", "jsonl", "duckdb"}, optional
        Overrides the format taken from the file name.
    table : str, optional
        For a DuckDB database file: the table or view to read.
    columns : list of str, optional
        Read only these columns (Parquet and CSV skip the others while reading).

    Whatever the format, column names become unique text (duplicates get ``.1``, ``.2``;
    empty names ``Unnamed: i``), and values that are objects or arrays (JSON, XES lists and
    containers, DuckDB structs) become canonical JSON text; each is reported as a finding.

    Examples
    --------
    >>> import pandas as pd
    >>> read_table(pd.DataFrame({"a": [1]})).frame.shape
    (1, 1)
    """
    sep = check_reading_options(sep=sep, encoding=encoding, format=format)
    if isinstance(source, pd.DataFrame):
        names = list(source.columns)
        frame = source.copy()
        raw = RawTable(frame, source={"format": "dataframe"})
        _finish(raw, names, "the DataFrame")
        if columns:
            raw.frame = _select(raw.frame, columns, "the DataFrame")
        return raw
    if _is_duckdb_relation(source):
        rel = source.select(", ".join(_sql_name(c) for c in columns)) if columns else source
        raw = _duckdb_frame(rel, "the DuckDB relation")
        raw.source = {"format": "duckdb-relation", **raw.source}
        return raw
    if not isinstance(source, (str, os.PathLike)):
        raise InvalidInputError(
            f"Cannot read events from a {type(source).__name__}. Pass a pandas DataFrame, "
            "a file path (CSV, Parquet, XES, JSON lines, DuckDB) or a DuckDB relation."
        )
    path = Path(source)
    if not path.exists():
        raise UnreadableFileError(f"File not found: {str(path)!r}. Check the path (relative "
                                  f"paths start from {os.getcwd()!r}).")
    if path.is_dir():
        raise UnreadableFileError(f"{str(path)!r} is a folder; pass one event file.")
    if not path.is_file():
        raise UnreadableFileError(f"{str(path)!r} is not a regular file (a device or pipe); "
                                  "pass an event file.")
    fmt = format or _format_of(path)
    if path.stat().st_size == 0:
        raise EmptyLogError(f"{str(path)!r} is empty (0 bytes): there are no events to read.")
    _check_magic(path, fmt)
    reader = {"csv": _read_csv, "parquet": _read_parquet, "xes": _read_xes,
              "jsonl": _read_jsonl, "duckdb": _read_duckdb}[fmt]
    if fmt == "parquet":
        raw = reader(path, columns=list(columns) if columns else None)
    elif fmt == "csv":
        raw = reader(path, sep=sep, encoding=encoding)
    elif fmt == "jsonl":
        raw = reader(path, encoding=encoding)
    elif fmt == "duckdb":
        raw = reader(path, table=table)
    else:
        raw = reader(path)
    if columns:
        raw.frame = _select(raw.frame, columns, repr(str(path)))
    raw.source = {"path": str(path), "format": fmt, **raw.source}
    return raw


def _select(frame: pd.DataFrame, columns, where: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnError(f"No column {missing[0]!r} in {where}; it has "
                                 f"{list(frame.columns)}.")
    return frame[list(columns)]


# ----------------------------------------------------------------------------- shared checks
def _unique_names(names: list) -> tuple[list[str], list[dict], dict]:
    """Column names as unique text, with a finding for each kind of change."""
    findings, out = [], []
    as_text = [n if isinstance(n, str) else ("" if n is None or (isinstance(n, float) and
                                                                 math.isnan(n)) else str(n))
               for n in names]
    not_text = [(n, t) for n, t in zip(names, as_text) if not isinstance(n, str) and t]
    if not_text:
        findings.append(_finding(
            "column_names_as_text", "info",
            f"{len(not_text)} column names were not text and are used as text: "
            f"{_listing(f'{n!r} -> {t!r}' for n, t in not_text)}.",
            rows=0, examples=[{"name": repr(n), "as": t} for n, t in not_text[:_EXAMPLES]],
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
        findings.append(_finding(
            "empty_column_names", "warning",
            f"{len(unnamed)} columns have no name (columns "
            f"{_listing(i + 1 for i, _ in unnamed)}, counting from 1); they are kept as "
            f"{_listing(repr(n) for _, n in unnamed)}.",
            examples=[{"column_number": i + 1, "as": n} for i, n in unnamed[:_EXAMPLES]],
            fix="name every column in the header (a trailing delimiter makes an empty one)"))
    for name, group in groups.items():
        findings.append(_finding(
            "duplicate_column_names", "warning",
            f"The column name {name!r} appears {len(group)} times; the columns are kept as "
            f"{', '.join(map(repr, group))} (in file order). A role cannot use the name "
            f"{name!r}: name the column you mean (e.g. {group[1]!r}).",
            column=name, examples=[{"as": g} for g in group],
            fix="give each column its own name in the source"))
    return out, findings, groups


def _is_nested(v: Any) -> bool:
    return isinstance(v, (dict, list, tuple, set, frozenset, np.ndarray))


def _canonical_json(v: Any) -> str:
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
        s.iloc[idx] = [_canonical_json(v) for v in s.iloc[idx]]
        frame[col] = s  # frame is the reader's own (a DataFrame input was copied)
        rows = idx if records is None else np.asarray(records)[idx]
        findings.append(_finding(
            "nested_values_as_json", "warning",
            f"{len(idx):,} values of column {col!r} in {where} are objects or arrays, not "
            f"text; they are kept as canonical JSON text (keys sorted), e.g. rows "
            f"{_listing(int(r) for r in rows)}.",
            rows=len(idx), column=str(col), examples=[{"row": int(r)} for r in rows[:_EXAMPLES]],
            fix="flatten the field into text or separate columns if it should be a label"))
    return frame, findings


def _finish(raw: RawTable, names: list, where: str) -> RawTable:
    """The one place every format's frame passes: unique text names, nested values as JSON."""
    new, findings, groups = _unique_names(names)
    if new != list(raw.frame.columns) or not all(isinstance(c, str) for c in raw.frame.columns):
        raw.frame = raw.frame.set_axis(new, axis=1)
    raw.frame, more = _serialise_nested(raw.frame, where, raw.records)
    raw.findings = findings + more + raw.findings
    if groups:
        raw.source["duplicate_columns"] = {k: list(v) for k, v in groups.items()}
    return raw


_MAGIC = ((b"PAR1", 0, "a Parquet file"), (b"SQLite format 3\x00", 0, "a SQLite database"),
          (b"DUCK", 8, "a DuckDB database"), (b"\x1f\x8b", 0, "gzip-compressed"),
          (b"PK\x03\x04", 0, "a ZIP archive (an Excel .xlsx workbook?)"),
          (b"\xd0\xcf\x11\xe0", 0, "an old Excel/Office file"),
          (b"ARROW1", 0, "an Arrow IPC file"), (b"%PDF", 0, "a PDF document"),
          (b"BZh", 0, "bzip2-compressed"), (b"\xfd7zXZ", 0, "xz-compressed"),
          (b"\x28\xb5\x2f\xfd", 0, "zstd-compressed"))
_MAGIC_FORMAT = {"a Parquet file": "parquet", "a DuckDB database": "duckdb"}


def _magic_kind(head: bytes) -> str | None:
    for magic, at, kind in _MAGIC:
        if head[at:at + len(magic)] == magic:
            return kind
    return None


def _open_raw(path: Path):
    try:
        return open(path, "rb")
    except PermissionError:
        raise UnreadableFileError(f"{str(path)!r} cannot be read: permission denied. Check the "
                                  "file's permissions (or copy it somewhere readable).") from None
    except OSError as exc:
        raise UnreadableFileError(f"{str(path)!r} cannot be opened ({exc.strerror or exc}). "
                                  "Check the path and that the file is readable.") from None


def _check_magic(path: Path, fmt: str) -> None:
    """Refuse a file whose first bytes say it is something else than its format."""
    with _open_raw(path) as fh:
        head = fh.read(16)
    kind = _magic_kind(head)
    gz_name = path.name.lower().endswith(".gz")
    name = str(path)
    if gz_name and kind != "gzip-compressed":
        what = kind or ("plain text" if _looks_textual(head) else "not gzip")
        raise UnreadableFileError(
            f"{name!r} cannot be decompressed: it is named .gz but is {what}. The file is "
            "truncated or not gzip: rename it without .gz if it is plain text, or export it "
            "again.")
    if gz_name:
        if fmt not in ("csv", "xes", "jsonl"):
            raise UnreadableFileError(f"{name!r} is gzip-compressed; journeylab reads .gz only "
                                      "for CSV, JSON lines and XES. Decompress it first.")
        return
    if fmt in ("parquet", "duckdb"):
        want = "a Parquet file" if fmt == "parquet" else "a DuckDB database"
        if kind != want:
            what = kind or ("text" if _looks_textual(head) else "an unknown binary file")
            other = _MAGIC_FORMAT.get(kind)
            hint = (f"pass format={other!r}" if other else
                    "export the table to CSV or Parquet" if kind == "a SQLite database" else
                    "pass format= with the file's real format ('csv', 'jsonl', 'xes')"
                    if kind is None and _looks_textual(head) else "export it again")
            raise UnreadableFileError(
                f"{name!r} is not {want}: it is {what}. journeylab checks a file's first "
                f"bytes before opening it (and opens DuckDB files without extensions, offline); "
                f"{hint}.")
        return
    if kind is not None:
        other = _MAGIC_FORMAT.get(kind)
        hint = (f"pass format={other!r} (CLI --format {other})" if other else
                "name it .csv.gz / .xes.gz / .jsonl.gz" if kind == "gzip-compressed" else
                "export the table to CSV or Parquet")
        raise UnreadableFileError(f"{name!r} is {kind}, not {fmt.upper()} text; {hint}.")


def _looks_textual(head: bytes) -> bool:
    return bool(head) and all(b in b"\t\n\r\x0c" or 32 <= b for b in head) and b"\x00" not in head


def _is_duckdb_relation(obj: Any) -> bool:
    return type(obj).__name__ == "DuckDBPyRelation"


def _format_of(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in ((".xes.gz", "xes"), (".xes", "xes"), (".parquet", "parquet"),
                        (".pq", "parquet"), (".jsonl.gz", "jsonl"), (".ndjson.gz", "jsonl"),
                        (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                        (".json", "jsonl"), (".duckdb", "duckdb"), (".db", "duckdb"),
                        (".csv.gz", "csv"), (".tsv.gz", "csv"), (".csv", "csv"),
                        (".tsv", "csv"), (".txt", "csv")):
        if name.endswith(suffix):
            return fmt
    raise UnreadableFileError(
        f"Cannot tell the format of {path.name!r} from its name. Pass format= one of "
        "'csv', 'parquet', 'xes', 'jsonl', 'duckdb' (CLI: --format).")


def _open_bytes(path: Path):
    if path.name.lower().endswith(".gz"):
        _open_raw(path).close()  # permission and existence errors, named
        return gzip.open(path, "rb")
    return _open_raw(path)


def _read_all_bytes(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(
            f"{str(path)!r} cannot be decompressed ({exc}). The file is truncated or not gzip: "
            "download or export it again.") from None


# ----------------------------------------------------------------------------- text decoding
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _sniff_encoding(data: bytes) -> str:
    """The encoding of ``data`` by its BOM, NUL-byte pattern, or UTF-8 validity.

    Examples
    --------
    >>> _sniff_encoding("é,x".encode("utf-16-le"))
    'utf-16-le'
    >>> _sniff_encoding("é".encode("utf-32"))
    'utf-32'
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    wide = _wide_encoding(data)
    if wide:
        return wide
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NUL bytes of ASCII characters fall."""
    head = data[:4096]
    if b"\x00" not in head:
        return None
    n4 = len(head) // 4 * 4
    if n4 >= 4:
        cols = [head[i:n4:4] for i in range(4)]
        zero = [c.count(0) / len(c) for c in cols]
        if zero[1] > .9 and zero[2] > .9 and zero[3] > .9 and zero[0] < .5:
            return "utf-32-le"
        if zero[0] > .9 and zero[1] > .9 and zero[2] > .9 and zero[3] < .5:
            return "utf-32-be"
    n2 = len(head) // 2 * 2
    if n2 >= 2:
        even, odd = head[0:n2:2], head[1:n2:2]
        ze, zo = even.count(0) / len(even), odd.count(0) / len(odd)
        if zo > .6 and ze < .2:
            return "utf-16-le"
        if ze > .6 and zo < .2:
            return "utf-16-be"
    return None


_LINE_BREAK_BYTES = re.compile(rb"(\r\n|\r|\n)")


def _decode_text(data: bytes, encoding: str | None, name: str) -> tuple[str, str, list[dict]]:
    """Decode a text file; every guess and repair comes back as a finding."""
    findings: list[dict] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise UnreadableFileError(
                f"{name!r} is not valid {encoding} (byte {exc.start}) at line {line}. Pass the "
                "file's encoding (encoding=..., CLI --encoding), e.g. 'latin-1' or 'cp1252'."
            ) from None
        return text.removeprefix("\ufeff"), encoding, findings
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"{name!r} starts with a {enc} byte-order mark but is not valid {enc} "
                    f"(byte {exc.start}). Pass the file's encoding (encoding=, CLI "
                    "--encoding) or export it again.") from None
            return text.removeprefix("\ufeff"), enc, findings
    wide = _wide_encoding(data)
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            findings.append(_finding(
                "encoding_detected", "info",
                f"{name!r} has no byte-order mark; its NUL-byte pattern says {wide.upper()}, "
                f"so it was read as {wide}.", fix=f"pass encoding= if {wide} is wrong"))
            return text.removeprefix("\ufeff"), wide, findings
    if b"\x00" in data:
        at = data.index(b"\x00")
        line = data[:at].count(b"\n") + 1
        raise UnreadableFileError(
            f"{name!r} holds NUL bytes (first at byte {at}, line {line}): this looks like "
            "UTF-16/UTF-32 text or a binary file, not 8-bit text. Pass encoding= (CLI "
            "--encoding), e.g. 'utf-16-le', 'utf-16-be', 'utf-32'; or pass format= with the "
            "file's real format.")
    try:
        return data.decode("utf-8"), "utf-8", findings
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole: decode line by line (a line break is one byte in both UTF-8 and
    # the 8-bit code pages), UTF-8 where it is valid, cp1252 (latin-1 for bytes cp1252 does
    # not define) elsewhere, and say which lines.
    parts, legacy, utf8_non_ascii, latin = [], [], 0, False
    first = None
    pieces = _LINE_BREAK_BYTES.split(data)  # line, break, line, break, ..., line
    for n, chunk in enumerate(pieces[::2], start=1):
        if n > 1:
            parts.append(pieces[2 * n - 3].decode("ascii"))
        try:
            parts.append(chunk.decode("utf-8"))
            if not chunk.isascii():
                utf8_non_ascii += 1
        except UnicodeDecodeError as exc:
            if first is None:
                first = (n, exc.start)
            legacy.append(n)
            try:
                parts.append(chunk.decode("cp1252"))
            except UnicodeDecodeError:
                parts.append(chunk.decode("latin-1"))
                latin = True
    text = "".join(parts)
    fallback = "latin-1" if latin else "cp1252"
    if utf8_non_ascii == 0:
        findings.append(_finding(
            "encoding_guessed", "info",
            f"{name!r} is not UTF-8 (first at line {first[0]}, byte {first[1]} of the line); "
            f"no line holds UTF-8 text, so the file was read as {fallback}.",
            rows=len(legacy), examples=[{"line": n} for n in legacy[:_EXAMPLES]],
            fix="pass encoding= (CLI --encoding) if the accents look wrong"))
        return text, fallback, findings
    findings.append(_finding(
        "lines_not_utf8", "warning",
        f"{len(legacy):,} line{'s' * (len(legacy) > 1)} of {name!r} "
        f"{'are' if len(legacy) > 1 else 'is'} "
        f"not valid UTF-8 (line{'s' * (len(legacy) > 1)} {_listing(legacy)}; "
        f"first bad byte at line {first[0]}, byte {first[1]} of the line) while "
        f"{utf8_non_ascii:,} other lines are UTF-8: those lines were read as {fallback}, the "
        "rest as UTF-8. Check their labels.",
        rows=len(legacy), examples=[{"line": n} for n in legacy[:_EXAMPLES]],
        fix="export the file again as UTF-8, or pass encoding= for one encoding"))
    return text, "utf-8", findings


# ----------------------------------------------------------------------------- CSV
@contextlib.contextmanager
def _big_fields():
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records (complete ones only) most consistently.

    Examples
    --------
    >>> _sniff_delimiter('a;b;c\\n1;"x' + 'y' * 200_000 + '";3\\n')
    ';'
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    best, best_score = ",", (-1, -1)
    with _big_fields():
        for d in _DELIMITERS:
            counts = []
            try:
                reader = csv.reader(_io.StringIO(sample, newline=""), delimiter=d)
                for rec in reader:
                    if rec:
                        counts.append(len(rec))
                    if len(counts) > _SNIFF_RECORDS:
                        break
            except csv.Error:
                continue
            if truncated and len(counts) > 1 and len(counts) <= _SNIFF_RECORDS:
                counts.pop()  # the last record may be cut by the sample
            if not counts:
                continue
            header = counts[0]
            agree = sum(c == header for c in counts)
            score = (agree if header > 1 else 0, header)
            if score > best_score:
                best, best_score = d, score
    return best


_EXCEL_SEP_RE = re.compile(r"sep=(.)[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)


def _read_csv(path: Path, *, sep: str | None, encoding: str | None) -> RawTable:
    name = str(path)
    data = _read_all_bytes(path)
    text, enc, findings = _decode_text(data, encoding, name)
    del data
    if not text.strip():
        raise EmptyLogError(f"{name!r} holds only white space: there are no events to read.")
    line_offset = 0
    m = _EXCEL_SEP_RE.match(text)
    if m:
        excel = m.group(1)
        text = text[m.end():]
        line_offset = 1
        if sep is None:
            sep = excel
        findings.append(_finding(
            "excel_sep_line", "info",
            f"Line 1 of {name!r} is Excel's 'sep={excel}' line: it is not data"
            + (f"; the delimiter {excel!r} was taken from it." if sep == excel else
               f"; the delimiter sep={sep!r} you gave was used instead of {excel!r}."),
            examples=[{"line": 1}]))
        if not text.strip():
            raise EmptyLogError(f"{name!r} holds only Excel's 'sep=' line: there are no "
                                "events to read.")
    delim = sep or _sniff_delimiter(text)
    header, body_start_line = _header_record(text, delim, name)
    names, name_findings, groups = _unique_names(header)
    raw = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                                na_values=[""], on_bad_lines="warn", engine="c", header=0,
                                names=names, index_col=False, quotechar='"')
        except (pd.errors.ParserError, ValueError, csv.Error):
            frame = None
    if frame is None or caught:
        raw = _read_csv_records(text, delim, names, line_offset, fast=frame)
    else:
        raw = RawTable(frame)
    if raw.frame.empty and raw.bad_lines.empty:
        raise EmptyLogError(f"{name!r} has a header ({', '.join(header)}) but no rows.")
    raw.findings = findings + name_findings + raw.findings
    raw.source = {"encoding": enc, "delimiter": delim}
    if groups:
        raw.source["duplicate_columns"] = {k: list(v) for k, v in groups.items()}
    return raw


def _header_record(text: str, delim: str, name: str) -> tuple[list[str], int]:
    with _big_fields():
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)
        try:
            for rec in reader:
                if rec and any(f.strip() for f in rec):
                    if reader.line_num > 1:  # a header over several lines: a quote left open?
                        head = "".join(_io.StringIO(text, newline="").readlines()[
                            :reader.line_num])
                        if _unclosed_quote(head.lstrip(), delim):
                            raise UnreadableFileError(
                                f"{name!r} has a header with a quote that never closes, so "
                                "the whole file reads as its header. Close the quote in the "
                                "first line (or remove it) and read the file again.")
                    return rec, reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFileError(f"{name!r} has a header that cannot be parsed as CSV "
                                      f"with delimiter {delim!r} ({exc}). Pass sep= (CLI "
                                      "--sep).") from None
    raise EmptyLogError(f"{name!r} has no header and no rows.")


def _physical_lines(text: str) -> list[str]:
    """Lines ended by \\r, \\n or \\r\\n only (U+2028, NEL, form feed are data)."""
    return _io.StringIO(text, newline="").readlines()


def _read_csv_records(text: str, delim: str, names: list[str], line_offset: int,
                      fast: pd.DataFrame | None = None) -> RawTable:
    """The careful path, taken when pandas' fast parser reports anything: every record with
    its number, its first physical line and its text; records with more fields than the
    header, and the line of a quote that never closes, are bad lines. The rows are pandas'
    (``fast``) when it kept exactly the records this pass keeps, else built here."""
    lines = _physical_lines(text)
    width = len(names)
    build = fast is None
    rows: list = []
    records: list = []
    bad: list = []
    record = -1          # -1: the header is still to come
    start = 0            # index into lines where parsing (re)starts
    while True:
        with _big_fields():
            rows, records, bad, record, restart = _scan_records(
                lines, start, delim, width, line_offset, record, build, rows, records, bad)
        if restart is None:
            break
        build, start = True, restart  # pandas stopped at the open quote: build the rows here
    if not build and len(records) != len(fast):
        with _big_fields():
            rows, records, bad, _, _ = _scan_records(lines, 0, delim, width, line_offset, -1,
                                                     True, [], [], [])
        build = True
    del lines
    if build:
        frame = pd.DataFrame(rows, dtype="str") if rows else pd.DataFrame(dtype="str")
        for i in range(frame.shape[1], width):
            frame[i] = pd.Series(np.nan, index=frame.index, dtype="str")
        frame.columns = names
        frame = frame.mask(frame == "")
    else:
        frame = fast
    rec_arr = np.asarray(records, dtype=np.int64)
    return RawTable(frame.reset_index(drop=True), _bad_lines_frame(bad),
                    records=None if np.array_equal(rec_arr, np.arange(len(rec_arr))) else rec_arr)


def _scan_records(lines, start, delim, width, line_offset, record, build, rows, records, bad):
    total = len(lines)
    reader = csv.reader(iter(lines[start:]) if start else iter(lines), delimiter=delim,
                        strict=False)
    consumed = 0
    for rec in reader:
        first = start + consumed
        consumed = reader.line_num
        last = start + consumed          # exclusive
        if len(rec) <= 1 and (not rec or (not rec[0].strip() and last - first == 1)):
            continue                      # a blank line is not a record
        if record < 0:
            record = 0                    # the header
            continue
        if last == total and _unclosed_quote("".join(lines[first:last]), delim):
            line_no = first + 1 + line_offset
            bad.append((record, line_no, lines[first].rstrip("\r\n"),
                        f"malformed_line: a quoted field opens on line {line_no} and "
                        "never closes"))
            return rows, records, bad, record + 1, first + 1
        if len(rec) > width:
            bad.append((record, first + 1 + line_offset,
                        "".join(lines[first:last]).rstrip("\r\n"),
                        f"malformed_line: expected {width} fields, saw {len(rec)}"))
        else:
            if build:
                rows.append(rec)
            records.append(record)
        record += 1
    return rows, records, bad, record, None


def _unclosed_quote(raw_text: str, delim: str) -> bool:
    if '"' not in raw_text:
        return False
    try:
        for _ in csv.reader(_io.StringIO(raw_text + "\n", newline=""), delimiter=delim,
                            strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# --------------------------------------------------------------------------- Parquet, JSONL, DuckDB
def _read_parquet(path: Path, columns: list[str] | None = None) -> RawTable:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        if columns:
            missing = [c for c in columns if c not in names]
            if missing:
                raise MissingColumnError(f"No column {missing[0]!r} in {str(path)!r}; it has "
                                         f"{names}.")
        table = pq.read_table(path, columns=columns)
        # free Arrow's buffers column by column while pandas takes them over
        frame = table.to_pandas(self_destruct=True, split_blocks=True)
    except MissingColumnError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise UnreadableFileError(f"{str(path)!r} is not a readable Parquet file ({exc}). "
                                  "Export it again, or pass format= for another format.") from None
    raw = RawTable(frame)
    return _finish(raw, list(columns) if columns else list(frame.columns), repr(str(path)))


def _read_jsonl(path: Path, *, encoding: str | None = None) -> RawTable:
    """JSON lines (one object per line). Blank lines are not records; a file that is one JSON
    array of objects is read as its elements; a comma ending a line is removed (reported);
    nested objects and arrays become canonical JSON text (reported)."""
    name = str(path)
    text, enc, findings = _decode_text(_read_all_bytes(path), encoding, name)
    stripped = text.strip()
    if not stripped:
        raise EmptyLogError(f"{name!r} holds only white space: there are no events to read.")
    objs: list[tuple[int, int, Any]] = []     # (record, line, object)
    bad: list[tuple] = []
    if stripped.startswith("["):
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, list):
            findings.append(_finding(
                "json_array", "info",
                f"{name!r} is one JSON array, not JSON lines; its {len(whole):,} elements "
                "were read as the records (row = position in the array)."))
            for i, obj in enumerate(whole):
                if isinstance(obj, dict):
                    objs.append((i, -1, obj))
                else:
                    bad.append((i, -1, _canonical_json(obj),
                                f"malformed_line: element {i} of the array is a "
                                f"{_json_kind(obj)}, not an object"))
            return _json_table(objs, bad, findings, name, enc)
    commas = []
    record = 0
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            body = line.rstrip()
            obj = None
            if body.endswith(","):
                try:
                    obj = json.loads(body[:-1])
                    commas.append(n)
                except json.JSONDecodeError:
                    obj = None
            if obj is None:
                bad.append((record, n, line,
                            f"malformed_line: not valid JSON ({exc.msg} at column {exc.colno})"))
                record += 1
                continue
        if not isinstance(obj, dict):
            bad.append((record, n, line, f"malformed_line: a JSON line must be an object, "
                                         f"this one is a {_json_kind(obj)}"))
        else:
            objs.append((record, n, obj))
        record += 1
    if commas:
        findings.append(_finding(
            "trailing_commas_removed", "warning",
            f"{len(commas):,} lines end with a comma after the JSON object (lines "
            f"{_listing(commas)}); the comma was ignored.", rows=len(commas),
            examples=[{"line": n} for n in commas[:_EXAMPLES]],
            fix="write one JSON object per line without separators"))
    return _json_table(objs, bad, findings, name, enc)


def _json_kind(obj: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "true/false",
            type(None): "null"}.get(type(obj), "number")


def _json_table(objs, bad, findings, name, enc) -> RawTable:
    records = np.asarray([r for r, _, _ in objs], dtype=np.int64)
    keys: dict[str, None] = {}
    for _, _, o in objs:
        for k in o:
            keys.setdefault(k, None)
    cols = {}
    for k in keys:
        vals = [o.get(k) for _, _, o in objs]
        s = pd.Series(vals, dtype=object) if vals else pd.Series([], dtype=object)
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind == "string":
            s = s.astype("str")
        elif kind == "floating" or (kind == "integer" and s.notna().all()
                                    and all(-2**63 <= v < 2**63 for v in vals)):
            s = pd.to_numeric(s)
        elif kind == "boolean" and s.notna().all():
            s = s.astype(bool)
        # integers with gaps, integers past 64 bits and mixed values stay Python objects:
        # no id goes through float (12345678901234567891 stays exact)
        cols[k] = s
    frame = pd.DataFrame(cols) if cols else pd.DataFrame(index=range(len(objs)))
    if len(frame.columns) == 0:
        if bad:
            raise EmptyLogError(
                f"No line of {name!r} is a JSON object with fields: {len(bad):,} lines are "
                f"malformed (first at line {bad[0][1]}: {bad[0][3].split(': ', 1)[-1]}). "
                "Write one JSON object per line, e.g. "
                '{"case_id": "a", "activity": "visit", "timestamp": "2024-01-01"}.')
        if objs:
            raise EmptyLogError(f"{name!r} holds {len(objs):,} JSON objects, all without "
                                "fields: there are no events to read.")
        raise EmptyLogError(f"{name!r} holds no JSON objects.")
    raw = RawTable(frame, _bad_lines_frame(bad), {"encoding": enc}, findings,
                   None if np.array_equal(records, np.arange(len(records))) else records)
    return _finish(raw, list(frame.columns), repr(name))


_DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                  "enable_external_access": False}


def _read_duckdb(path: Path, *, table: str | None) -> RawTable:
    import duckdb

    name = str(path)
    try:
        con = duckdb.connect(name, read_only=True, config=dict(_DUCKDB_CONFIG))
    except Exception as exc:  # duckdb.IOException, duckdb.Error, ...
        raise UnreadableFileError(
            f"{name!r} cannot be opened as a DuckDB database ({str(exc).splitlines()[0]}). "
            "It may come from another DuckDB version or be damaged: export the table to "
            "Parquet or CSV and read that.") from None
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables order by table_name").fetchall()]
        if table is None:
            if len(tables) != 1:
                raise InvalidInputError(f"{name!r} holds tables {tables}; pass table= to "
                                        "choose one (CLI --table).")
            table = tables[0]
        if table not in tables:
            raise InvalidInputError(f"No table {table!r} in {name!r}; it has {tables}. Pass "
                                    "table= (CLI --table) naming one of them.")
        raw = _duckdb_frame(con.sql(f"select * from {_sql_name(table)}"), repr(name))
    except duckdb.Error as exc:
        raise UnreadableFileError(f"{name!r}: DuckDB cannot read table {table!r} "
                                  f"({str(exc).splitlines()[0]}). Export it to Parquet or CSV "
                                  "and read that.") from None
    finally:
        con.close()
    raw.source = {"table": table, **raw.source}
    return raw


_EXACT_AS_TEXT = re.compile(r"^(HUGEINT|UHUGEINT|INT128|UINT128|DECIMAL\((1[6-9]|[23]\d),\d+\))$",
                            re.IGNORECASE)
_NESTED_TYPE = re.compile(r"(STRUCT|MAP|UNION|\[\d*\]$)", re.IGNORECASE)


def _duckdb_frame(rel, where: str) -> RawTable:
    """A relation as a frame; 128-bit integers and wide decimals become exact text, nested
    types DuckDB's text form (pandas would turn the first into floats, losing digits)."""
    names, types = list(rel.columns), [str(t) for t in rel.types]
    exact = [c for c, t in zip(names, types) if _EXACT_AS_TEXT.match(t)]
    nested = [c for c, t in zip(names, types) if _NESTED_TYPE.search(t)]
    findings = []
    if exact or nested:
        rel = rel.select(", ".join(
            f"CAST({_sql_name(c)} AS VARCHAR) AS {_sql_name(c)}" if c in exact or c in nested
            else _sql_name(c) for c in names))
    if exact:
        findings.append(_finding(
            "exact_numbers_as_text", "info",
            f"Columns {', '.join(map(repr, exact))} of {where} hold 128-bit integers or wide "
            "decimals; they were read as exact text (a float would lose digits).",
            column=exact[0]))
    if nested:
        findings.append(_finding(
            "nested_values_as_text", "warning",
            f"Columns {', '.join(map(repr, nested))} of {where} hold structs, lists or maps; "
            "they were read as DuckDB's text form of each value.", column=nested[0],
            fix="unnest or flatten them in SQL if they should be labels"))
    raw = RawTable(rel.df(), findings=findings)
    return _finish(raw, names, where)


# ----------------------------------------------------------------------------- XES
_UNSAFE_XML = ("{name!r} declares a DTD or XML entities. XES logs never need them and they "
               "can read local files or expand without bound, so journeylab refuses the file. "
               "Remove the <!DOCTYPE ...> block and read it again.")


def check_xml_prologue(path: str | Path) -> None:
    """Refuse an XML file (plain or gzip) whose prologue declares a DTD or entities.

    XES logs, BPMN and PNML models never need them, and they can read local files or
    expand without bound. The prologue is streamed up to the root element, however long
    its comments; nothing after it is read.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    UnsafeInputError
        The prologue holds ``<!DOCTYPE`` or ``<!ENTITY``.
    UnreadableFileError
        The file cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:  # doctest: +ELLIPSIS
    ...     _ = Path(folder, "ok.xes").write_bytes(b'<?xml version="1.0"?><log/>')
    ...     check_xml_prologue(Path(folder, "ok.xes"))  # fine: nothing happens
    ...     _ = Path(folder, "x.xes").write_bytes(b'<!-- x --><!DOCTYPE log []><log/>')
    ...     check_xml_prologue(Path(folder, "x.xes"))
    Traceback (most recent call last):
    ...
    journeylab.errors.UnsafeInputError: '.../x.xes' declares a DTD or XML entities. XES logs never need them and they can read local files or expand without bound, so journeylab refuses the file. Remove the <!DOCTYPE ...> block and read it again.
    """  # noqa: E501
    path = Path(path)
    with _open_bytes(path) as fh:
        _scan_prologue(iter(lambda: fh.read(1 << 16), b""), path)


def _scan_prologue(chunks, path: Path) -> None:
    """Stream through the XML prologue, however long its comments, up to the root element;
    refuse any <!DOCTYPE or <!ENTITY on the way. Reads nothing past the root's start."""
    buf = ""
    decoder = None
    for chunk in chunks:
        if decoder is None:
            enc = "utf-8"
            for bom, e in _BOMS:
                if chunk.startswith(bom):
                    enc = {"utf-8-sig": "utf-8-sig"}.get(e, e)
                    break
            else:
                enc = _wide_encoding(chunk) or "utf-8"
            decoder = codecs.getincrementaldecoder(enc)(errors="replace")
        buf += decoder.decode(chunk)
        while True:
            i = buf.find("<")
            if i < 0:
                buf = ""
                break
            rest = buf[i:]
            if rest.startswith("<?"):
                j = rest.find("?>")
                if j < 0:
                    buf = rest
                    break
                buf = rest[j + 2:]
            elif rest.startswith("<!--"):
                j = rest.find("-->", 4)
                if j < 0:
                    buf = "<!--" + rest[-2:] if len(rest) > 6 else rest
                    break
                buf = rest[j + 3:]
            elif len(rest) < 9:
                buf = rest
                break
            elif rest[:9].upper() in ("<!DOCTYPE",) or rest[:8].upper() == "<!ENTITY":
                raise UnsafeInputError(_UNSAFE_XML.format(name=str(path)))
            else:
                return  # the root element (or not XML at all: the parser will say)
    return


def _xes_int(v: str | None) -> Any:
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def _xes_float(v: str | None) -> Any:
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _xes_bool(v: str | None) -> Any:
    return None if v is None else v.strip().lower() == "true"


def _xes_text(v: str | None) -> Any:
    return v


_XES_CONVERT = {"string": _xes_text, "date": _xes_text, "id": _xes_text, "int": _xes_int,
                "float": _xes_float, "boolean": _xes_bool}
_XES_NESTED = ("list", "container")


def _local(tag: Any) -> str | None:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


class _XesNotes:
    """What reading XES changed, counted per attribute key, for the findings."""

    def __init__(self):
        self.nested: Counter = Counter()
        self.meta: Counter = Counter()
        self.unknown: Counter = Counter()
        self.dup: Counter = Counter()
        self.first_line: dict = {}

    def note(self, kind: Counter, key: str, line: int | None) -> None:
        kind[key] += 1
        self.first_line.setdefault((id(kind), key), line)

    def findings(self, name: str) -> list[dict]:
        out = []

        def where(kind, keys):
            return ", ".join(f"{k!r} ({kind[k]:,}x, first at line "
                             f"{self.first_line.get((id(kind), k))})" for k in keys[:_EXAMPLES])

        if self.nested:
            keys = list(self.nested)
            out.append(_finding(
                "xes_nested_as_json", "warning",
                f"XES list/container attributes in {name!r} were kept as canonical JSON text: "
                f"{where(self.nested, keys)}.", rows=sum(self.nested.values()), column=keys[0],
                fix="flatten them when exporting the log if they should be labels"))
        if self.meta:
            keys = list(self.meta)
            out.append(_finding(
                "xes_meta_attributes_dropped", "warning",
                f"Attributes nested inside other attributes (XES meta-attributes) in {name!r} "
                f"were not read; their parents' values were kept: {where(self.meta, keys)}.",
                rows=sum(self.meta.values()), column=keys[0],
                fix="export them as event attributes if you need them"))
        if self.unknown:
            keys = list(self.unknown)
            out.append(_finding(
                "xes_unknown_elements_ignored", "warning",
                f"Elements that are not XES attributes in {name!r} were ignored: "
                f"{where(self.unknown, keys)}.", rows=sum(self.unknown.values()),
                fix="check the exporter; XES attributes are string, date, int, float, "
                    "boolean, id, list and container"))
        if self.dup:
            keys = list(self.dup)
            out.append(_finding(
                "xes_duplicate_attribute", "warning",
                f"Some events of {name!r} give the same attribute key twice; the first value "
                f"was kept: {where(self.dup, keys)}.", rows=sum(self.dup.values()),
                column=keys[0], fix="give each attribute of an event its own key"))
        return out


def _xes_attrs(el, prefix: str, notes: _XesNotes) -> dict:
    out: dict = {}
    for a in el:
        tag = _local(a.tag)
        if tag is None:
            continue
        if tag in ("event", "trace"):
            continue
        key = a.get("key")
        if key is None and (tag in _XES_NESTED or tag in _XES_CONVERT):
            notes.note(notes.unknown, f"<{tag}> without a key", a.sourceline)
            continue
        if tag in _XES_NESTED:
            value = _canonical_json(_xes_json(a))
            notes.note(notes.nested, str(key), a.sourceline)
        elif tag in _XES_CONVERT:
            value = _XES_CONVERT[tag](a.get("value"))
            if len([c for c in a if isinstance(c.tag, str)]):
                notes.note(notes.meta, str(key), a.sourceline)
        else:
            notes.note(notes.unknown, f"<{tag}>", a.sourceline)
            continue
        col = prefix + str(key)
        if col in out:
            notes.note(notes.dup, str(key), a.sourceline)
            continue
        out[col] = value
    return out


def _xes_json(a) -> Any:
    """A list (array of values) or container (object by key) as plain JSON values."""
    tag = _local(a.tag)
    kids = [c for c in a if isinstance(c.tag, str)]
    if tag == "list":
        if len(kids) == 1 and _local(kids[0].tag) == "values":
            kids = [c for c in kids[0] if isinstance(c.tag, str)]
        return [_xes_json(c) if _local(c.tag) in _XES_NESTED else
                {"key": c.get("key"), "value": _XES_CONVERT.get(_local(c.tag), _xes_text)(
                    c.get("value"))} for c in kids]
    if tag == "container":
        return {str(c.get("key")): _xes_json(c) if _local(c.tag) in _XES_NESTED else
                _XES_CONVERT.get(_local(c.tag), _xes_text)(c.get("value")) for c in kids}
    return _XES_CONVERT.get(tag, _xes_text)(a.get("value"))


def _read_xes(path: Path) -> RawTable:
    from lxml import etree

    name = str(path)
    try:
        check_xml_prologue(path)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(f"{name!r} cannot be decompressed ({exc}). The file is "
                                  "truncated or not gzip: download or export it again.") from None
    records: list[dict] = []
    numbers: list[int] = []
    bad: list[tuple] = []
    notes = _XesNotes()
    record = 0
    checked = False
    try:
        with _open_bytes(path) as fh:
            ctx = etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True,
                                  load_dtd=False, huge_tree=False, remove_comments=True,
                                  remove_pis=True)
            for _, el in ctx:
                if not checked:  # the prologue is parsed by now: no DTD may be there
                    info = el.getroottree().docinfo
                    if info.doctype or info.internalDTD is not None:
                        raise UnsafeInputError(_UNSAFE_XML.format(name=name))
                    checked = True
                tag = _local(el.tag)
                if tag == "event":
                    parent = el.getparent()
                    if parent is not None and _local(parent.tag) == "trace":
                        continue  # read with its trace
                    text = etree.tostring(el, encoding="unicode", with_tail=False)
                    where = "<log>" if parent is None or parent.getparent() is None \
                        else f"<{_local(parent.tag)}>"
                    bad.append((record, el.sourceline or -1, text,
                                f"event_outside_trace: an <event> directly inside {where}, "
                                "not inside a <trace>: it has no case"))
                    record += 1
                elif tag == "trace":
                    case_attrs = _xes_attrs(el, "case:", notes)
                    for child in el:
                        if _local(child.tag) != "event":
                            continue
                        ev = _xes_attrs(child, "", notes)
                        ev.update(case_attrs)
                        records.append(ev)
                        numbers.append(record)
                        record += 1
                else:
                    continue
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise UnreadableFileError(f"{name!r} is not well-formed XES: {exc}. "
                                  "Export the log again.") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise UnreadableFileError(f"{name!r} is truncated ({exc}): download or export it "
                                  "again.") from None
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        if bad:
            raise EmptyLogError(
                f"{name!r} holds {len(bad):,} events, all outside <trace> elements (first at "
                f"line {bad[0][1]}): without a trace they have no case. Wrap each journey's "
                "events in a <trace> with a concept:name, or export the log again.")
        raise EmptyLogError(f"{name!r} holds no events inside <trace> elements.")
    numbers_arr = np.asarray(numbers, dtype=np.int64)
    raw = RawTable(frame, _bad_lines_frame(bad), findings=notes.findings(name),
                   records=None if not bad else numbers_arr)
    return _finish(raw, list(frame.columns), repr(name))


# ----------------------------------------------------------------------------- larger than memory
def scan_events(path: str | os.PathLike, *, case_id_key: str | None = None,
                columns: list[str] | None = None, where: str | None = None,
                frac: float | None = None, random_state: int = 0,
                memory_limit: str | None = None, temp_directory: str | None = None,
                connection=None):
    """A lazy DuckDB relation over a Parquet or CSV file of any size.

    Only what the relation selects reaches memory when it is passed to
    :func:`journeylab.read_events`: DuckDB reads the file in a stream, pushes ``where``
    and the column list down to the scan, and samples whole journeys by a hash of the
    case id (same ``random_state``, same journeys; other values give independent samples).

    Parameters
    ----------
    path : str or path
        A Parquet file (or glob of them, e.g. ``"events/*.parquet"``) or a CSV file.
    case_id_key : str, optional
        The case column; needed for ``frac``.
    columns : list of str, optional
        Columns to keep (all by default).
    where : str, optional
        A SQL predicate, e.g. ``"timestamp >= '2025-06-01'"``.
    frac : float, optional
        Share of journeys to keep, in (0, 1].
    random_state : int
        Which sample: the same value gives the same journeys.
    memory_limit, temp_directory : str, optional
        DuckDB's memory cap (e.g. ``"4GB"``) and where it spills beyond it.
    connection : duckdb connection, optional
        Reuse a connection (default: a new in-memory one).

    Examples
    --------
    >>> import os, tempfile, journeylab as jl
    >>> path = os.path.join(tempfile.mkdtemp(), "events.parquet")
    >>> jl.generate_journeys(500, random_state=1).events.to_parquet(path)
    >>> rel = scan_events(path, case_id_key="case_id", frac=0.5,
    ...                   where="timestamp >= '2025-06-01'")
    >>> log = jl.read_events(rel)
    >>> 0 < log.n_cases < 500
    True
    """
    import duckdb

    # no extension is installed or loaded behind the user's back (that would be a download)
    con = connection or duckdb.connect(config={"autoinstall_known_extensions": False,
                                               "autoload_known_extensions": False})
    if memory_limit:
        con.execute(f"SET memory_limit = '{_sql_text(memory_limit)}'")
    if temp_directory:
        con.execute(f"SET temp_directory = '{_sql_text(str(temp_directory))}'")
    text = str(path)
    low = text.lower()
    if low.endswith((".parquet", ".pq")) or "*" in text:
        rel = con.read_parquet(text)
    elif low.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        rel = con.read_csv(text, all_varchar=True)
    else:
        raise UnreadableFileError(f"scan_events reads Parquet or CSV files, not {text!r}; use "
                                  "read_events for other formats.")
    if where:
        rel = rel.filter(where)
    if frac is not None:
        if not 0 < frac <= 1:
            raise InvalidInputError(f"frac must be in (0, 1], got {frac}.")
        if not case_id_key or case_id_key not in rel.columns:
            raise InvalidInputError("frac samples whole journeys: pass case_id_key= "
                                    f"naming one of {rel.columns}.")
        bucket = int(round(frac * 1_000_000))
        rel = rel.filter(f"hash(CAST({_sql_name(case_id_key)} AS VARCHAR) || "
                         f"'#{int(random_state)}') % 1000000 < {bucket}")
    if columns:
        missing = [c for c in columns if c not in rel.columns]
        if missing:
            raise InvalidInputError(f"No column {missing[0]!r} in {text!r}; it has {rel.columns}.")
        rel = rel.select(", ".join(_sql_name(c) for c in columns))
    return rel


def _sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


# ----------------------------------------------------------------------------- catalogue
def read_catalogue(source: Any) -> pd.DataFrame:
    """Read a touchpoint catalogue: activity -> stage, channel (and optional owner).

    Parameters
    ----------
    source : dict, DataFrame or path to a CSV
        A dict ``{activity: {"stage": ..., "channel": ...}}`` or ``{activity: (stage,
        channel)}``, or a table with an ``activity`` column and ``stage``/``channel``.

    Examples
    --------
    >>> read_catalogue({"checkout": ("purchase", "web")}).loc[0, "channel"]
    'web'
    """
    if isinstance(source, dict):
        rows = []
        for act, info in source.items():
            if isinstance(info, dict):
                rows.append({"activity": act, **info})
            else:
                stage, channel = tuple(info)[:2]
                rows.append({"activity": act, "stage": stage, "channel": channel})
        frame = pd.DataFrame(rows)
    elif isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        frame = read_table(source, format="csv").frame
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "activity" not in frame.columns:
        raise InvalidInputError(
            f"The touchpoint catalogue needs an 'activity' column; it has {list(frame.columns)}.")
    if not {"stage", "channel"} & set(frame.columns):
        raise InvalidInputError("The touchpoint catalogue needs a 'stage' or 'channel' column "
                                f"(or both); it has {list(frame.columns)}.")
    dup = frame["activity"][frame["activity"].duplicated()]
    if len(dup):
        raise InvalidInputError(f"The touchpoint catalogue lists {dup.iloc[0]!r} more than once; "
                                "give each activity one row.")
    return frame.reset_index(drop=True)


# ----------------------------------------------------------------------------- writers
def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading
    apostrophe, which spreadsheets show as text. Numbers are left alone.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok"]}))["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
                or isinstance(s.dtype, pd.CategoricalDtype)):
            continue
        text = s.astype(object)
        is_str = (text.map(lambda v: isinstance(v, str), na_action="ignore")
                  .fillna(False).astype(bool))
        risky = is_str & text.where(is_str, "").astype(str).str.startswith(_FORMULA_START)
        if risky.any():
            text = text.copy()
            text[risky] = "'" + text[risky].astype(str)
            out[col] = text
    if any(str(c).startswith(_FORMULA_START) for c in out.columns):
        out.columns = ["'" + str(c) if str(c).startswith(_FORMULA_START) else c
                       for c in out.columns]
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, format: str | None = None,
                safe_for_spreadsheets: bool = True) -> Path:
    """Write a table as CSV, Parquet or JSON lines, choosing by the file name.

    CSV output neutralises formula injection unless ``safe_for_spreadsheets=False``.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> p = write_table(pd.DataFrame({"a": [1]}), os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> p.suffix
    '.csv'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = format or _format_of(path)
    if fmt == "csv":
        out = neutralise_formulas(frame) if safe_for_spreadsheets else frame
        out.to_csv(path, index=False, lineterminator="\n",
                   compression={"method": "gzip", "mtime": 0}  # same bytes on every run
                   if path.name.endswith(".gz") else None)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, date_format="iso", force_ascii=False)
    else:
        raise InvalidInputError(f"Cannot write format {fmt!r}; use .csv, .parquet or .jsonl.")
    return path

