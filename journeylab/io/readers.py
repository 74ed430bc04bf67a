"""Reading any source: :func:`read_table` turns a source (DataFrame, CSV, Parquet, XES/XES.gz,
JSON lines, DuckDB relation or database table) into a raw :class:`~journeylab.io.table.RawTable`:
the rows as read, plus the records that could not be parsed at all (they are quarantined later,
never dropped), plus findings about how the source was read (encoding guessed, columns renamed,
values kept as JSON text). Here live the reading options and their checks
(:func:`check_reading_options`), the format told by the file name (:func:`format_of`) and the
check of a file's first bytes against it, the hand-over to the reader of each format (CSV in
:mod:`.text`, Parquet, JSON lines and DuckDB in :mod:`.formats`, XES in :mod:`.xes`),
:func:`scan_events` (a lazy DuckDB relation over a file of any size) and
:func:`read_catalogue`. Numbering, for every format: ``row`` is the 0-based number of a data
record in the source (the header is not a record; a record may span several physical lines
when a quoted field holds a line break), ``line`` the 1-based physical line where the record
starts (XES: the line of the ``<event>``). Only ``\\r``, ``\\n`` and ``\\r\\n`` end a line:
U+2028, NEL and form feed are data.
"""
from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.factorize import DUCKDB_CONFIG
from ..core.schema import Schema
from ..errors import EmptyLogError, InvalidInputError, MissingColumnError, UnreadableFileError
from .formats import duckdb_frame, read_duckdb, read_jsonl, read_parquet, sql_name
from .table import RawTable, finish
from .text import open_raw, read_csv
from .xes import read_xes

__all__ = ["read_table", "scan_events", "read_catalogue", "check_reading_options",
           "format_of"]

_FORMATS = ("csv", "parquet", "xes", "jsonl", "duckdb")


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
               columns: list[str] | None = None, schema: Schema | None = None) -> RawTable:
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
    schema : Schema, optional
        The column roles, when known. A large Parquet file's journey ids, when its rows
        are in no journey order, are then read already numbered (faster; no text of them
        held in memory). The values read are the same either way.

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
        finish(raw, names, "the DataFrame")
        if columns:
            raw.frame = _select(raw.frame, columns, "the DataFrame")
        return raw
    if _is_duckdb_relation(source):
        rel = source.select(", ".join(sql_name(c) for c in columns)) if columns else source
        raw = duckdb_frame(rel, "the DuckDB relation")
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
    fmt = format or format_of(path)
    if path.stat().st_size == 0:
        raise EmptyLogError(f"{str(path)!r} is empty (0 bytes): there are no events to read.")
    _check_magic(path, fmt)
    reader = {"csv": read_csv, "parquet": read_parquet, "xes": read_xes,
              "jsonl": read_jsonl, "duckdb": read_duckdb}[fmt]
    if fmt == "parquet":
        raw = reader(path, columns=list(columns) if columns else None, schema=schema)
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


# --------------------------------------------------------------------------- format and first bytes
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


def _check_magic(path: Path, fmt: str) -> None:
    """Refuse a file whose first bytes say it is something else than its format."""
    with open_raw(path) as fh:
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


def format_of(path: Path) -> str:
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

    con = connection or duckdb.connect(config=dict(DUCKDB_CONFIG))  # no download behind
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
        rel = rel.filter(f"hash(CAST({sql_name(case_id_key)} AS VARCHAR) || "
                         f"'#{int(random_state)}') % 1000000 < {bucket}")
    if columns:
        missing = [c for c in columns if c not in rel.columns]
        if missing:
            raise InvalidInputError(f"No column {missing[0]!r} in {text!r}; it has {rel.columns}.")
        rel = rel.select(", ".join(sql_name(c) for c in columns))
    return rel


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
