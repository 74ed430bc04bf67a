"""Text to integer codes, the fastest way for how the text is laid out: one hash table,
runs of a value (a log in journey order), or DuckDB's partitioned hash on every core (many
distinct values in no order). :func:`factorize_text` chooses from the first rows."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InvalidInputError

if TYPE_CHECKING:
    import duckdb

__all__ = ["factorize_text", "increasing", "numpy_column", "number_in_duckdb", "layout",
           "PROBE_ROWS", "local_duckdb", "DUCKDB_CONFIG"]

#: DuckDB opened by journeylab installs and loads no extension behind the user's back
#: (that would be a download).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

#: From this many rows on, how text is encoded is chosen from its first rows (see
#: :func:`factorize_text`): one hash table over a million ids misses the cache on nearly
#: every row when they come in no order (10M shuffled rows, 1.5M ids: 2.5 s in Arrow, 1.3 s
#: in DuckDB, whose hash tables are partitioned and built on every core); ids sorted in runs
#: (an export in journey order) need no hashing at all (10M rows, 1.9M ids: 0.5-0.9 s ->
#: 0.3 s).
_ENGINE_TEXT_ROWS = 1_000_000
#: How many first rows :func:`layout` looks at.
PROBE_ROWS = 1 << 16


def factorize_text(text: pa.Array | pa.ChunkedArray, *,
                   how: str | None = None) -> tuple[np.ndarray, pa.Array]:
    """Codes of Arrow text into its distinct values: ``(codes, values)``.

    ``codes`` is int32 with -1 for a missing value; ``values`` holds each distinct text once
    (large_string), in no promised order (callers sort them). ``how``: ``"hash"`` (Arrow's
    hash table), ``"runs"`` (text in runs, as a log's journey ids in journey order: when
    the runs come in text order, as in an export sorted by journey, each is numbered with
    nothing hashed; else as ``"hash"``) or ``"duckdb"`` (DuckDB's partitioned hash, on
    every core: many distinct values in no order). By default large text takes the one its
    first rows call for (see ``_ENGINE_TEXT_ROWS``), smaller text ``"hash"``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> codes, values = factorize_text(pa.array(["b", None, "a", "b"]))
    >>> [values[c].as_py() if c >= 0 else None for c in codes]
    ['b', None, 'a', 'b']
    """
    if how is None:
        how = layout(text.slice(0, PROBE_ROWS), len(text))
    if how not in ("hash", "runs", "duckdb"):
        raise InvalidInputError(f"how must be 'hash', 'runs' or 'duckdb', not {how!r}.")
    if how == "duckdb":
        return _engine_factorize(text)
    if how == "runs" and len(text) > 1:
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        n = len(text)
        change = np.empty(n, bool)
        change[0] = True
        change[1:] = _bools(pc.fill_null(pc.not_equal(text.slice(1), text.slice(0, n - 1)),
                                         True))
        starts = np.flatnonzero(change)
        heads = text.take(pa.array(starts))
        if not heads.null_count and increasing(heads):
            # runs of ids in their text order (an export sorted by journey): each run is a
            # journey of its own, numbered in order, with nothing to hash
            sizes = np.diff(np.append(starts, n))
            return (np.repeat(np.arange(len(starts), dtype=np.int32), sizes),
                    heads.cast(pa.large_string()))
    enc = pc.dictionary_encode(text)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], pa.large_string()))
    idx = pc.fill_null(enc.indices, -1) if enc.indices.null_count else enc.indices
    codes = idx.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    return codes, enc.dictionary.cast(pa.large_string())


def _bools(mask: pa.BooleanArray) -> np.ndarray:
    """A boolean Arrow array without missing values as NumPy booleans (its bits unpacked
    at once: several times faster than Arrow's conversion)."""
    bits = np.frombuffer(mask.buffers()[1], np.uint8)
    return np.unpackbits(bits, count=mask.offset + len(mask), bitorder="little")[
        mask.offset:].view(bool)


def increasing(text: pa.Array) -> bool:
    """Whether each value is greater than the one before (so all are distinct).

    >>> increasing(pa.array(["a", "b", "c"])), increasing(pa.array(["a", "a"]))
    (True, False)
    """
    return len(text) < 2 or bool(pc.all(pc.greater(text.slice(1), text.slice(0, len(text) - 1))
                                        ).as_py())


def numpy_column(column: pa.ChunkedArray | pa.Array, dtype) -> np.ndarray:
    """An Arrow column of numbers without missing values as one NumPy array of ``dtype``,
    filled chunk by chunk from views of Arrow's buffers (no joined copy first, and no second
    array when the dtype differs).

    >>> numpy_column(pa.chunked_array([[1, 2], [3]], pa.int32()), np.int64).tolist()
    [1, 2, 3]
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = np.empty(sum(len(c) for c in chunks), dtype)
    at = 0
    for c in chunks:
        out[at:at + len(c)] = c.to_numpy()
        at += len(c)
    return out


def layout(head: pa.Array | pa.ChunkedArray, n_rows: int) -> str:
    """How to encode ``n_rows`` of text whose first rows (up to :data:`PROBE_ROWS`) are
    ``head``: under a million rows ``"hash"``; else ``"runs"`` when most rows repeat the
    one before, ``"duckdb"`` when many distinct values do not, else ``"hash"``.

    >>> ids = pa.array([f"c{i % 9_000:05d}" for i in range(PROBE_ROWS)])
    >>> layout(ids, 10_000_000), layout(ids, 1_000)
    ('duckdb', 'hash')
    """
    if len(head) < 2 or n_rows < _ENGINE_TEXT_ROWS:
        return "hash"
    head = head.combine_chunks() if isinstance(head, pa.ChunkedArray) else head
    repeated = pc.sum(pc.equal(head.slice(1), head.slice(0, len(head) - 1))).as_py() or 0
    if repeated >= 0.5 * (len(head) - 1):
        return "runs"
    return "duckdb" if len(pc.unique(head)) > 0.05 * len(head) else "hash"


def local_duckdb() -> "duckdb.DuckDBPyConnection":
    """A private in-memory DuckDB connection for one pass (use it in ``with``): no
    extension installed or loaded (see :data:`DUCKDB_CONFIG`), no progress bar.

    >>> with local_duckdb() as con:
    ...     con.sql("SELECT 1 + 1").fetchall()
    [(2,)]
    """
    import duckdb

    con = duckdb.connect(config=dict(DUCKDB_CONFIG))
    con.execute("SET enable_progress_bar = false")
    return con


def _engine_factorize(text: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """:func:`factorize_text` by DuckDB (see :func:`number_in_duckdb`)."""
    n = len(text)
    index = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)  # narrow: faster joins
    with local_duckdb() as con:
        con.register("rows_to_code", pa.table({"t": text, "i": pa.array(index)}))
        return number_in_duckdb(con, "rows_to_code", n)


def number_in_duckdb(con, rows: str, n: int) -> tuple[np.ndarray, pa.Array]:
    """Codes of the text column ``t`` of the DuckDB table or view ``rows``, whose column
    ``i`` numbers its ``n`` rows from 0 (any order): ``(codes, values)`` as
    :func:`factorize_text` gives them, the values sorted.

    The distinct values are numbered once, in their text order (kept in a table, so the
    join and the list read the same numbers), and each row finds its own; DuckDB hashes on
    every core. Sorting the distinct values here costs less than sorting them again in
    Arrow (1.9M ids: 0.1 s against 0.6 s). ``rows`` may read a file itself (a Parquet
    column numbered as DuckDB reads it, no text held in Python).
    """
    con.execute("CREATE TEMP TABLE distinct_text AS SELECT t, "
                "CAST(row_number() OVER (ORDER BY t) - 1 AS INTEGER) AS code FROM "
                f"(SELECT DISTINCT t FROM {rows} WHERE t IS NOT NULL)")
    found = con.sql(f"SELECT i, code FROM {rows} JOIN distinct_text USING (t)"
                    ).to_arrow_table()
    values = con.sql("SELECT t FROM distinct_text ORDER BY code").to_arrow_table()
    con.execute("DROP TABLE distinct_text")
    codes = np.full(n, -1, np.int32)  # a missing text finds no code
    for rows_of, codes_of in zip(found.column(0).chunks, found.column(1).chunks):
        codes[rows_of.to_numpy()] = codes_of.to_numpy()  # chunk by chunk: no copy of them
    return codes, values.column(0).combine_chunks().cast(pa.large_string())
