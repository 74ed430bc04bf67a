"""Readers and writers for every input format journeylab takes.

:func:`read_table` turns a source (DataFrame, CSV, Parquet, XES/XES.gz, JSON lines, DuckDB
relation or database table) into a raw :class:`RawTable`: the rows as read, plus the lines
that could not be parsed at all (they are quarantined later, never dropped).
:func:`read_events` (in :mod:`journeylab.log`) validates and encodes on top of it.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io as _io
import json
import os
import re
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import (EmptyLogError, InvalidInputError, MissingColumnError, UnreadableFileError,
                     UnsafeInputError)

__all__ = ["RawTable", "read_table", "scan_events", "read_catalogue", "write_table",
           "neutralise_formulas"]

_SNIFF_BYTES = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RawTable:
    """Rows as read from a source, before any validation.

    Attributes
    ----------
    frame : DataFrame
        The parsed rows, in source order.
    bad_lines : DataFrame
        Lines that could not be parsed (``line``, ``text``, ``reason``).
    source : dict
        What was read and how (``path``, ``format``, ``encoding``, ``delimiter``).
    """

    frame: pd.DataFrame
    bad_lines: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"line": pd.Series([], dtype="int64"),
                                              "text": pd.Series([], dtype=object),
                                              "reason": pd.Series([], dtype=object)}))
    source: dict = field(default_factory=dict)


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
        For CSV: the delimiter and text encoding; sniffed when not given.
    format : {"csv", "parquet", "xes", "jsonl", "duckdb"}, optional
        Overrides the format taken from the file name.
    table : str, optional
        For a DuckDB database file: the table or view to read.
    columns : list of str, optional
        Read only these columns (Parquet and CSV skip the others while reading).

    Examples
    --------
    >>> import pandas as pd
    >>> read_table(pd.DataFrame({"a": [1]})).frame.shape
    (1, 1)
    """
    if isinstance(source, pd.DataFrame):
        return RawTable((source[list(columns)] if columns else source).copy(),
                        source={"format": "dataframe"})
    if _is_duckdb_relation(source):
        rel = source.select(", ".join(_sql_name(c) for c in columns)) if columns else source
        return RawTable(rel.df(), source={"format": "duckdb-relation"})
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
    fmt = format or _format_of(path)
    if path.stat().st_size == 0:
        raise EmptyLogError(f"{str(path)!r} is empty (0 bytes): there are no events to read.")
    reader = {"csv": _read_csv, "parquet": _read_parquet, "xes": _read_xes,
              "jsonl": _read_jsonl, "duckdb": _read_duckdb}.get(fmt)
    if reader is None:
        raise UnreadableFileError(
            f"Unknown format {fmt!r} for {str(path)!r}. Use format= one of "
            "'csv', 'parquet', 'xes', 'jsonl', 'duckdb'.")
    if fmt == "parquet" and columns:
        raw = reader(path, columns=list(columns))
    elif fmt == "csv":
        raw = reader(path, sep=sep, encoding=encoding)
    elif fmt == "duckdb":
        raw = reader(path, table=table)
    else:
        raw = reader(path)
    if columns:
        missing = [c for c in columns if c not in raw.frame.columns]
        if missing:
            raise MissingColumnError(f"No column {missing[0]!r} in {str(path)!r}; it has "
                                     f"{list(raw.frame.columns)}.")
        raw.frame = raw.frame[list(columns)]
    raw.source = {"path": str(path), "format": fmt, **raw.source}
    return raw


def _is_duckdb_relation(obj: Any) -> bool:
    return type(obj).__name__ == "DuckDBPyRelation"


def _format_of(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in ((".xes.gz", "xes"), (".xes", "xes"), (".parquet", "parquet"),
                        (".pq", "parquet"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
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
        return gzip.open(path, "rb")
    return open(path, "rb")


def _read_all_bytes(path: Path) -> bytes:
    try:
        with _open_bytes(path) as fh:
            return fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(
            f"{str(path)!r} cannot be decompressed ({exc}). The file is truncated or not gzip: "
            "download or export it again.") from None


# ----------------------------------------------------------------------------- CSV
def _sniff_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:_SNIFF_BYTES], final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data[:_SNIFF_BYTES].decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for d in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        header = counts[0]
        agree = sum(c == header for c in counts)
        score = (agree if header > 1 else 0, header)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(path: Path, *, sep: str | None, encoding: str | None) -> RawTable:
    data = _read_all_bytes(path)
    if not data.strip():
        raise EmptyLogError(f"{str(path)!r} holds only white space: there are no events to read.")
    enc = encoding or _sniff_encoding(data)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        if encoding:
            raise UnreadableFileError(
                f"{str(path)!r} is not valid {encoding} (byte {exc.start}). Pass the file's "
                "encoding (encoding=..., CLI --encoding), e.g. 'latin-1' or 'cp1252'.") from None
        enc = "cp1252"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            enc = "latin-1"
            text = data.decode(enc)
    if text.startswith("\ufeff"):
        text = text[1:]
    delim = sep or _sniff_delimiter(text[:_SNIFF_BYTES])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                                na_values=[""], on_bad_lines="warn", engine="c")
        except pd.errors.EmptyDataError:
            raise EmptyLogError(f"{str(path)!r} has no header and no rows.") from None
        except pd.errors.ParserError as exc:
            raise UnreadableFileError(f"{str(path)!r} cannot be parsed as CSV with delimiter "
                                      f"{delim!r}: {exc}. Pass sep= (CLI --sep).") from None
    bad = _bad_lines_from_warnings(caught, text)
    frame.columns = [str(c) for c in frame.columns]
    if frame.empty and bad.empty:
        raise EmptyLogError(f"{str(path)!r} has a header ({', '.join(frame.columns)}) but no rows.")
    return RawTable(frame, bad, {"encoding": enc, "delimiter": delim})


_SKIP_RE = re.compile(r"Skipping line (\d+): (.*)")


def _bad_lines_from_warnings(caught, text: str) -> pd.DataFrame:
    found = []
    for w in caught:
        for m in _SKIP_RE.finditer(str(w.message)):
            found.append((int(m.group(1)), m.group(2).strip()))
    if not found:
        return RawTable(pd.DataFrame()).bad_lines
    lines = text.splitlines()
    rows = [(n, lines[n - 1] if 0 < n <= len(lines) else "", f"malformed_line: {why}")
            for n, why in found]
    return pd.DataFrame(rows, columns=["line", "text", "reason"])


# ----------------------------------------------------------------------------- Parquet, JSONL, DuckDB
def _read_parquet(path: Path, columns: list[str] | None = None) -> RawTable:
    import pyarrow.parquet as pq

    try:
        if columns:
            names = pq.read_schema(path).names
            missing = [c for c in columns if c not in names]
            if missing:
                raise MissingColumnError(f"No column {missing[0]!r} in {str(path)!r}; it has "
                                         f"{names}.")
        table = pq.read_table(path, columns=columns)
        # free Arrow's buffers column by column while pandas takes them over
        return RawTable(table.to_pandas(self_destruct=True, split_blocks=True))
    except MissingColumnError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise UnreadableFileError(f"{str(path)!r} is not a readable Parquet file ({exc}). "
                                  "Export it again, or pass format= for another format.") from None


def _read_jsonl(path: Path) -> RawTable:
    text = _read_all_bytes(path).decode("utf-8-sig", errors="strict")
    rows, bad = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((n, line, f"malformed_line: not valid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            bad.append((n, line, "malformed_line: a JSON line must be an object"))
            continue
        rows.append(obj)
    frame = pd.DataFrame.from_records(rows)
    if frame.empty and not bad:
        raise EmptyLogError(f"{str(path)!r} holds no JSON objects.")
    return RawTable(frame, pd.DataFrame(bad, columns=["line", "text", "reason"]) if bad
                    else RawTable(frame).bad_lines)


def _read_duckdb(path: Path, *, table: str | None) -> RawTable:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables").fetchall()]
        if table is None:
            if len(tables) != 1:
                raise InvalidInputError(f"{str(path)!r} holds tables {tables}; pass table= to "
                                        "choose one.")
            table = tables[0]
        if table not in tables:
            raise InvalidInputError(f"No table {table!r} in {str(path)!r}; it has {tables}.")
        frame = con.table(table).df()
    finally:
        con.close()
    return RawTable(frame, source={"table": table})


# ----------------------------------------------------------------------------- XES
_ROOT_RE = re.compile(rb"<(?![?!])")


def _check_xml_prologue(head: bytes, path: Path) -> None:
    """Refuse DTDs and entity declarations before the parser sees them."""
    m = _ROOT_RE.search(head)
    prologue = head if m is None else head[: m.start()]
    if b"<!DOCTYPE" in prologue.upper() or b"<!ENTITY" in prologue.upper():
        raise UnsafeInputError(
            f"{str(path)!r} declares a DTD or XML entities. XES logs never need them and they "
            "can read local files or expand without bound, so journeylab refuses the file. "
            "Remove the <!DOCTYPE ...> block and read it again.")


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
                "float": _xes_float, "boolean": _xes_bool, "list": _xes_text,
                "container": _xes_text}
# the same converters under the XES namespace and without it
_XES_TAGS = {**_XES_CONVERT, **{"{http://www.xes-standard.org/}" + k: f
                                for k, f in _XES_CONVERT.items()}}


def _read_xes(path: Path) -> RawTable:
    from lxml import etree

    try:
        with _open_bytes(path) as fh:
            head = fh.read(1 << 16)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise UnreadableFileError(f"{str(path)!r} cannot be decompressed ({exc}). The file is "
                                  "truncated or not gzip: download or export it again.") from None
    _check_xml_prologue(head, path)
    records: list[dict] = []
    try:
        with _open_bytes(path) as fh:
            ctx = etree.iterparse(fh, events=("end",), resolve_entities=False, no_network=True,
                                  load_dtd=False, huge_tree=False, remove_comments=True,
                                  remove_pis=True)
            for _, el in ctx:
                tag = el.tag
                if not isinstance(tag, str) or not (tag == "trace" or tag.endswith("}trace")):
                    continue
                case_attrs = {}
                events = []
                for child in el:
                    ctag = child.tag
                    if not isinstance(ctag, str):
                        continue
                    if ctag == "event" or ctag.endswith("}event"):
                        ev = {}
                        for a in child:
                            conv = _XES_TAGS.get(a.tag)
                            if conv is not None:
                                ev[a.get("key")] = conv(a.get("value"))
                        events.append(ev)
                    else:
                        conv = _XES_TAGS.get(ctag)
                        if conv is not None:
                            case_attrs["case:" + str(child.get("key"))] = conv(child.get("value"))
                for ev in events:
                    ev.update(case_attrs)
                    records.append(ev)
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise UnreadableFileError(f"{str(path)!r} is not well-formed XES: {exc}. "
                                  "Export the log again.") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise UnreadableFileError(f"{str(path)!r} is truncated ({exc}): download or export it "
                                  "again.") from None
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        raise EmptyLogError(f"{str(path)!r} holds no events inside <trace> elements.")
    return RawTable(frame)


# ----------------------------------------------------------------------------- larger than memory
def scan_events(path: str | os.PathLike, *, case_id_key: str | None = None,
                columns: list[str] | None = None, where: str | None = None,
                sample_frac: float | None = None, seed: int = 0,
                memory_limit: str | None = None, temp_directory: str | None = None,
                connection=None):
    """A lazy DuckDB relation over a Parquet or CSV file of any size.

    Only what the relation selects reaches memory when it is passed to
    :func:`journeylab.read_events`: DuckDB reads the file in a stream, pushes ``where``
    and the column list down to the scan, and samples whole journeys by a hash of the
    case id (same seed, same journeys; ``seed`` values give independent samples).

    Parameters
    ----------
    path : str or path
        A Parquet file (or glob of them, e.g. ``"events/*.parquet"``) or a CSV file.
    case_id_key : str, optional
        The case column; needed for ``sample_frac``.
    columns : list of str, optional
        Columns to keep (all by default).
    where : str, optional
        A SQL predicate, e.g. ``"timestamp >= '2025-06-01'"``.
    sample_frac : float, optional
        Share of journeys to keep, in (0, 1].
    memory_limit, temp_directory : str, optional
        DuckDB's memory cap (e.g. ``"4GB"``) and where it spills beyond it.
    connection : duckdb connection, optional
        Reuse a connection (default: a new in-memory one).

    Examples
    --------
    >>> import os, tempfile, journeylab as jl
    >>> path = os.path.join(tempfile.mkdtemp(), "events.parquet")
    >>> jl.generate_journeys(500, seed=1).events.to_parquet(path)
    >>> rel = scan_events(path, case_id_key="case_id", sample_frac=0.5,
    ...                   where="timestamp >= '2025-06-01'")
    >>> log = jl.read_events(rel)
    >>> 0 < log.n_cases < 500
    True
    """
    import duckdb

    con = connection or duckdb.connect()
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
    if sample_frac is not None:
        if not 0 < sample_frac <= 1:
            raise InvalidInputError(f"sample_frac must be in (0, 1], got {sample_frac}.")
        if not case_id_key or case_id_key not in rel.columns:
            raise InvalidInputError("sample_frac samples whole journeys: pass case_id_key= "
                                    f"naming one of {rel.columns}.")
        bucket = int(round(sample_frac * 1_000_000))
        rel = rel.filter(f"hash(CAST({_sql_name(case_id_key)} AS VARCHAR) || '#{int(seed)}') "
                         f"% 1000000 < {bucket}")
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
        is_str = text.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
        risky = is_str & text.where(is_str, "").astype(str).str.startswith(_FORMULA_START)
        if risky.any():
            text = text.copy()
            text[risky] = "'" + text[risky].astype(str)
            out[col] = text
    if any(str(c).startswith(_FORMULA_START) for c in out.columns):
        out.columns = ["'" + str(c) if str(c).startswith(_FORMULA_START) else c for c in out.columns]
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

