"""The other table formats, each read into a :class:`~journeylab.io.table.RawTable`: Parquet
(:func:`read_parquet`, only the columns asked for), JSON lines (:func:`read_jsonl`: one object
a line, or one JSON array of objects; a comma ending a line is removed and reported; integers
stay exact), and DuckDB database files (:func:`read_duckdb`, opened read-only without
extensions or external access) and relations (:func:`duckdb_frame`: 128-bit integers, wide
decimals and nested types read as text), with :func:`sql_name` to quote a column or table name
in SQL.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.encode import categorical, code_dtype
from ..core.factorize import (DUCKDB_CONFIG, PROBE_ROWS, factorize_text, layout,
                              local_duckdb, number_in_duckdb)
from ..core.schema import Schema
from ..errors import EmptyLogError, InvalidInputError, MissingColumnError, UnreadableFileError
from .table import EXAMPLES, RawTable, bad_lines_frame, canonical_json, finding, finish, listing
from .text import decode_text, read_all_bytes

__all__ = ["read_parquet", "read_jsonl", "read_duckdb", "duckdb_frame", "sql_name"]


# --------------------------------------------------------------------------- Parquet, JSONL, DuckDB
def read_parquet(path: Path, columns: list[str] | None = None, *,
                 schema: Schema | None = None) -> RawTable:
    """Read a Parquet file (``columns`` only, when given). With the ``schema`` of the roles,
    a large journey-id column whose first rows are in no journey order is read already
    numbered, by DuckDB straight from the file (see ``_numbered``)."""
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)  # the footer, read once: column names and row groups
        # pandas' unnamed index (a filtered frame's row labels) is no data; a named one is
        names = [n for n in file.schema_arrow.names if not re.fullmatch(r"__index_level_\d+__", n)]
        if columns:
            missing = [c for c in columns if c not in names]
            if missing:
                raise MissingColumnError(f"No column {missing[0]!r} in {str(path)!r}; it has "
                                         f"{names}.")
        coded = _few_values(file.metadata, columns)
        ids = schema.column_of("case_id", names) if schema is not None else None
        table, encoded = _read_table(path, file, columns or names, coded, ids)
        frame = arrow_frame(table, encoded=encoded)
    except MissingColumnError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types
        raise UnreadableFileError(f"{str(path)!r} is not a readable Parquet file ({exc}). "
                                  "Export it again, or pass format= for another format.") from None
    raw = RawTable(frame)
    return finish(raw, list(columns) if columns else list(frame.columns), repr(str(path)))


#: A text column whose dictionary page is at most this large in every row group holds few
#: distinct values (touchpoints, channels, stages): it is read as codes into that dictionary,
#: without hashing every row.
_SMALL_DICTIONARY = 1 << 16


def _read_table(path: Path, file, columns: list[str], coded: list[str], ids: str | None):
    """The Arrow table of ``columns`` (``coded`` read as dictionaries) and the names of the
    columns it encoded itself (their dictionaries hold distinct values, no missing one).

    Pages are read one after another rather than buffered ahead (faster on a local file,
    less memory). A text column stored with a dictionary type of many values (a pandas
    categorical of ids, whose every row group repeats the whole list of categories) is read
    as plain text by DuckDB and encoded once, several times faster than Arrow's dictionary
    reader; its values and order are the file's. The journey-id column ``ids``, when its
    rows are many and in no order, is numbered by DuckDB as it reads it (see
    ``_numbered``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = file.schema_arrow
    n = file.metadata.num_rows
    unique = len(set(columns)) == len(columns)
    wide = [] if not unique else [
        c for c in columns if c not in coded and pa.types.is_dictionary(schema.field(c).type)
        and pa.types.is_string(schema.field(c).type.value_type)
        and not schema.field(c).type.ordered]  # a declared order is Arrow's to keep
    scattered = [ids] if unique and ids in columns and ids not in coded and ids not in wide \
        and _text_type(schema.field(ids).type) and _scattered(file, ids, n) else []
    # a column stored with a dictionary type is read as one anyway; asking for it again
    # would drop its declared order
    coded = [c for c in coded if not pa.types.is_dictionary(schema.field(c).type)]
    encoded = {}
    if wide:
        # the wide columns first, encoded and their text freed before the others are read
        # (DuckDB's reading is the peak of memory: less is held beside it)
        text = _duckdb_columns(path, wide)
        if text is not None and text.num_rows == n:
            encoded = {c: _encoded(text.column(c)) for c in wide}
        del text
    for c in scattered:
        numbered = _numbered(path, c, n)
        if numbered is not None:
            encoded[c] = numbered
    rest = [c for c in columns if c not in encoded]
    table = pq.read_table(path, columns=rest, read_dictionary=coded, pre_buffer=False)
    if not encoded:
        return table, ()
    if rest and table.num_rows != n:
        return pq.read_table(path, columns=columns, read_dictionary=coded,
                             pre_buffer=False), ()
    return pa.table({c: encoded[c] if c in encoded else table.column(c) for c in columns}), \
        tuple(encoded)


def _text_type(t) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _scattered(file, column: str, n: int) -> bool:
    """Whether the first rows of ``column`` (a million rows or more) hold many distinct
    values in no order (see ``journeylab.core.factorize.layout``)."""
    if n < 2 or file.metadata.num_row_groups == 0:
        return False
    head = next(file.iter_batches(batch_size=PROBE_ROWS, columns=[column])).column(0)
    return layout(head, n) == "duckdb"


def _numbered(path: Path, column: str, n: int):
    """A text column of a Parquet file as a dictionary array of its sorted distinct values,
    numbered by DuckDB as it reads the file (:func:`journeylab.core.factorize.
    number_in_duckdb`): the text is never held in Python, and the hashing runs on every
    core. None when DuckDB cannot read it (Arrow's reader is the fallback)."""
    try:
        with local_duckdb() as con:
            index = "INTEGER" if n < 2**31 else "BIGINT"
            con.read_parquet(str(path), file_row_number=True).select(
                f"{sql_name(column)} AS t, CAST(file_row_number AS {index}) AS i"
            ).create_view("rows_to_code")
            codes, values = number_in_duckdb(con, "rows_to_code", n)
    except Exception:  # noqa: BLE001 - Arrow's reader is the fallback
        return None
    return _dictionary(codes, values)


def _encoded(text):
    """Arrow text as a dictionary array of its distinct values (see ``factorize_text``)."""
    return _dictionary(*factorize_text(text))


def _dictionary(codes, values):
    """A dictionary array of ``codes`` (-1: missing) into ``values``."""
    import pyarrow as pa

    missing = codes < 0
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing if missing.any()
                                                   else None), values)


def _duckdb_columns(path: Path, columns: list[str]):
    """Columns of a Parquet file read by DuckDB as an Arrow table, or None if it cannot."""
    try:
        with local_duckdb() as con:
            return con.sql(
                f"SELECT {', '.join(sql_name(c) for c in columns)} FROM read_parquet($path)",
                params={"path": str(path)}).to_arrow_table()
    except Exception:  # noqa: BLE001 - Arrow's reader is the fallback
        return None


def _few_values(meta, columns: list[str] | None) -> list[str]:
    """The text columns of a Parquet file whose every row group is dictionary-coded with a
    small dictionary."""
    names = [meta.schema.column(i).path for i in range(meta.num_columns)]
    out = []
    for i, name in enumerate(names):
        if (columns and name not in columns) or meta.schema.column(i).logical_type.type \
                != "STRING" or meta.num_row_groups == 0:
            continue
        sizes = []
        for g in range(meta.num_row_groups):
            col = meta.row_group(g).column(i)
            if not col.has_dictionary_page:
                break
            sizes.append(col.data_page_offset - (col.dictionary_page_offset or 0))
        if len(sizes) == meta.num_row_groups and max(sizes) <= _SMALL_DICTIONARY:
            out.append(name)
    return out


def arrow_frame(table, *, encoded: tuple[str, ...] = ()) -> pd.DataFrame:
    """The pandas frame of an Arrow table, in its column order.

    Dictionary-encoded text columns (Parquet's per-row-group dictionaries, pandas
    categoricals written to Parquet) become Categoricals whose categories are the distinct
    values: each distinct dictionary is read once and merged by one hash pass, where Arrow's
    own conversion compares every chunk's dictionary with every other. The other columns
    are Arrow's conversion (buffers freed column by column while pandas takes them over).
    ``encoded`` names columns whose one dictionary is known to hold distinct values (made
    by ``pyarrow.compute.dictionary_encode``): it is taken as it is.
    """
    import pyarrow as pa

    meta = table.schema.metadata or {}
    if b"pandas" in meta:  # the columns pandas wrote as its index stay columns
        pandas_meta = {**json.loads(meta[b"pandas"]), "index_columns": []}
        table = table.replace_schema_metadata({**meta, b"pandas": json.dumps(pandas_meta)})
    coded = {f.name: _categorical(table.column(i), distinct=f.name in encoded)
             for i, f in enumerate(table.schema)
             if pa.types.is_dictionary(f.type)
             and (pa.types.is_string(f.type.value_type)
                  or pa.types.is_large_string(f.type.value_type))}
    # whole numbers past 2**53 beside a missing value: pandas' nullable integers, as they are
    # (Arrow's conversion makes such a column float64, which changes them: ids merge, epoch
    # nanoseconds move)
    coded.update({f.name: table.column(i).to_pandas(types_mapper=_NULLABLE_INTS.get)
                  for i, f in enumerate(table.schema)
                  if pa.types.is_integer(f.type) and _past_floats(table.column(i))})
    if not coded or len(set(table.column_names)) != len(table.column_names):
        return table.to_pandas(self_destruct=True, split_blocks=True)
    names = table.column_names
    frame = table.drop_columns(list(coded)).to_pandas(self_destruct=True, split_blocks=True)
    # one frame of every column in place (inserting a column would copy it)
    return pd.DataFrame({name: coded[name] if name in coded else frame[name] for name in names},
                        index=frame.index, copy=False)


_NULLABLE_INTS = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
                  pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
                  pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                  pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}


def _past_floats(column) -> bool:
    """Whether an Arrow integer column has a missing value and a value that float64 cannot
    hold exactly (2**53 or more either way)."""
    import pyarrow.compute as pc

    if not column.null_count or column.null_count == len(column):
        return False
    low, high = pc.min_max(column).values()
    return max(abs(low.as_py()), abs(high.as_py())) >= 2**53


def _categorical(column, *, distinct: bool = False) -> pd.Categorical:
    """A Categorical of a dictionary-encoded text column: the distinct dictionaries of its
    chunks are concatenated and hashed once (not at all when ``distinct`` says the one
    dictionary holds distinct values); each chunk's indices are mapped through."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = [c for c in column.chunks if len(c)]
    seen: dict[tuple, int] = {}  # dictionary buffers -> where its values start in ``parts``
    kept: dict[tuple, tuple] = {}
    parts, starts = [], []
    offset = 0
    for c in chunks:
        d = c.dictionary
        key = tuple(b.address if b is not None else 0 for b in d.buffers())
        if key not in seen:  # a copy of a dictionary already read (row groups often repeat it)
            same = [start for k, (start, other) in kept.items() if other.equals(d)]
            seen[key] = same[0] if same else offset
            if not same:
                kept[key] = (offset, d)
                parts.append(d.cast(pa.large_string()))
                offset += len(d)
        starts.append(seen[key])
    if not parts:
        return pd.Categorical([], categories=pd.Index([], dtype="str"))
    if distinct and len(parts) == 1 and not parts[0].null_count:
        values = parts[0]
        remap = np.append(np.arange(len(values), dtype=np.int32), np.int32(-1))
    else:
        merged = pc.dictionary_encode(pa.concat_arrays(parts))
        values = merged.dictionary
        remap = np.append(pc.fill_null(merged.indices, -1).to_numpy(zero_copy_only=False), -1)
        remap = remap.astype(np.int32)
    # the usual case: the dictionaries hold distinct values, so a code is its position
    same = np.array_equal(remap[:-1], np.arange(len(remap) - 1))
    dtype = code_dtype(len(values))  # pandas' own
    codes = None if len(chunks) == 1 else np.empty(sum(len(c) for c in chunks), dtype)
    at = 0
    for c, start in zip(chunks, starts):
        idx = c.indices
        if pa.types.is_unsigned_integer(idx.type):
            idx = idx.cast(pa.int64())
        if idx.null_count:
            idx = pc.fill_null(idx, -1)
        idx = idx.to_numpy(zero_copy_only=False)
        # a missing value is -1 already, or reads remap's last slot, which is -1
        part = idx if same and start == 0 else \
            remap[np.where(idx >= 0, idx + start, len(remap) - 1)]
        if codes is None:  # one chunk: its indices are the codes (no copy if narrow)
            codes = part.astype(dtype, copy=False)
        else:
            codes[at:at + len(c)] = part
        at += len(c)
    categories = pd.Index(values.to_pandas())  # text, as Arrow's conversion gives
    # distinct by construction (one hash pass above, or known to be); a declared order
    # (e.g. of stages) is kept
    return categorical(codes, categories, ordered=bool(column.type.ordered))


def read_jsonl(path: Path, *, encoding: str | None = None) -> RawTable:
    """JSON lines (one object per line). Blank lines are not records; a file that is one JSON
    array of objects is read as its elements; a comma ending a line is removed (reported);
    nested objects and arrays become canonical JSON text (reported)."""
    name = str(path)
    text, enc, findings = decode_text(read_all_bytes(path), encoding, name)
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
            findings.append(finding(
                "json_array", "info",
                f"{name!r} is one JSON array, not JSON lines; its {len(whole):,} elements "
                "were read as the records (row = position in the array)."))
            for i, obj in enumerate(whole):
                if isinstance(obj, dict):
                    objs.append((i, -1, obj))
                else:
                    bad.append((i, -1, canonical_json(obj),
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
        findings.append(finding(
            "trailing_commas_removed", "warning",
            f"{len(commas):,} lines end with a comma after the JSON object (lines "
            f"{listing(commas)}); the comma was ignored.", rows=len(commas),
            examples=[{"line": n} for n in commas[:EXAMPLES]],
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
    raw = RawTable(frame, bad_lines_frame(bad), {"encoding": enc}, findings,
                   None if np.array_equal(records, np.arange(len(records))) else records)
    return finish(raw, list(frame.columns), repr(name))


_DUCKDB_CONFIG = {**DUCKDB_CONFIG, "enable_external_access": False}


def read_duckdb(path: Path, *, table: str | None) -> RawTable:
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
        raw = duckdb_frame(con.sql(f"select * from {sql_name(table)}"), repr(name))
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


def duckdb_frame(rel, where: str) -> RawTable:
    """A relation as a frame; 128-bit integers and wide decimals become exact text, nested
    types DuckDB's text form (pandas would turn the first into floats, losing digits)."""
    names, types = list(rel.columns), [str(t) for t in rel.types]
    exact = [c for c, t in zip(names, types) if _EXACT_AS_TEXT.match(t)]
    nested = [c for c, t in zip(names, types) if _NESTED_TYPE.search(t)]
    findings = []
    if exact or nested:
        rel = rel.select(", ".join(
            f"CAST({sql_name(c)} AS VARCHAR) AS {sql_name(c)}" if c in exact or c in nested
            else sql_name(c) for c in names))
    if exact:
        findings.append(finding(
            "exact_numbers_as_text", "info",
            f"Columns {', '.join(map(repr, exact))} of {where} hold 128-bit integers or wide "
            "decimals; they were read as exact text (a float would lose digits).",
            column=exact[0]))
    if nested:
        findings.append(finding(
            "nested_values_as_text", "warning",
            f"Columns {', '.join(map(repr, nested))} of {where} hold structs, lists or maps; "
            "they were read as DuckDB's text form of each value.", column=nested[0],
            fix="unnest or flatten them in SQL if they should be labels"))
    raw = RawTable(rel.df(), findings=findings)
    return finish(raw, names, where)


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
