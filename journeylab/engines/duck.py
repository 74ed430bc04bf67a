"""The DuckDB engine: embedded, out of core. Parquet and CSV files are read by DuckDB in a
stream; the one sort by journey and time and every aggregation after it spill to disk past
``memory_limit``, so a log larger than memory is analysed on one machine.
"""
from __future__ import annotations

import glob
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from ..core.schema import Schema
from ..errors import InvalidInputError, UnreadableFileError
from .base import SQLLog, memory_schema, read_in_memory, whole_journeys
from .sql import DUCKDB, literal

__all__ = ["DuckDBLog", "read_duckdb"]

PARQUET = (".parquet", ".pq")
CSV = (".csv", ".csv.gz", ".tsv", ".txt")
DATABASE = (".duckdb", ".db", ".ddb")


class DuckDBLog(SQLLog):
    """A log held by DuckDB (see :func:`read_duckdb`)."""

    engine = "duckdb"
    dialect = DUCKDB

    def __init__(self, connection, workdir: str | None):
        self.connection = connection
        self.workdir = workdir
        if workdir:  # the spill and table files go when the log does
            weakref.finalize(self, _close, connection, workdir)

    def query(self, sql: str) -> pd.DataFrame:
        return self.connection.execute(self.sql(sql)).df()

    def execute(self, sql: str) -> None:
        self.connection.execute(self.sql(sql))

    def materialise(self, name: str, sql: str) -> None:
        self.connection.execute(self.sql(f"CREATE OR REPLACE TABLE {name} AS {sql}"))

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.connection.register(name, frame)

    def raw_types(self) -> dict[str, str]:
        rel = self.connection.sql(self.sql("SELECT * EXCLUDE (__row) FROM raw LIMIT 0"))
        return {c: str(t) for c, t in zip(rel.columns, rel.types)}

    def timestamp_expression(self, column: str, type_name: str) -> str:
        if type_name.upper().startswith("TIMESTAMP") or type_name.upper() == "DATE":
            return "CAST({0} AS TIMESTAMPTZ)"
        return "TRY_CAST(CAST({0} AS VARCHAR) AS TIMESTAMPTZ)"

    def iter_journeys(self, columns: Sequence[str], batch_rows: int):
        cols = ", ".join(list(columns) + ["row"])
        cur = self.connection.cursor()  # a cursor sees tables, not the temporary view events
        cur.execute(self.sql(f"SELECT {cols} FROM steps ORDER BY case_id, timestamp, row"))
        def chunks():
            while True:
                chunk = cur.fetch_df_chunk(max(1, batch_rows // 2048))
                if chunk is None or not len(chunk):
                    return
                yield chunk

        yield from whole_journeys(chunks())


def _close(connection, workdir: str) -> None:
    try:
        connection.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def read_duckdb(source: Any, schema: Schema, *, duplicates: str = "quarantine",
                read_options: dict[str, Any] | None = None, sep: str | None = None,
                encoding: str | None = None, table: str | None = None,
                memory_limit: str | None = None, temp_directory: str | None = None,
                threads: int | None = None, connection=None) -> DuckDBLog:
    """Read ``source`` into DuckDB: a Parquet file or glob of them, a CSV file, a DuckDB
    database file (with ``table``), a DuckDB relation, or anything
    :func:`journeylab.read_events` reads (validated there first).

    ``memory_limit`` (e.g. ``"4GB"``) caps DuckDB's memory; past it, sorts and tables
    spill to ``temp_directory`` (default: a new folder in the system's temporary folder,
    removed with the log).
    """
    import duckdb

    workdir = None
    if connection is None:
        base = temp_directory or None
        if base:
            Path(base).mkdir(parents=True, exist_ok=True)
        workdir = tempfile.mkdtemp(prefix="journeylab-duckdb-", dir=base)
        # no extension is installed or loaded behind the user's back (that is a download)
        connection = duckdb.connect(os.path.join(workdir, "log.duckdb"), config={
            "autoinstall_known_extensions": False, "autoload_known_extensions": False})
        connection.execute(f"SET temp_directory = {literal(workdir, DUCKDB)}")
    connection.execute("SET TimeZone = 'UTC'")
    if memory_limit:
        connection.execute(f"SET memory_limit = {literal(str(memory_limit), DUCKDB)}")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    connection.execute("SET preserve_insertion_order = true")
    log = DuckDBLog(connection, workdir)
    report = None
    raw = _raw_query(source, sep=sep, encoding=encoding, table=table, connection=connection)
    if raw is None:  # validated in memory, then handed over
        frame, mem = read_in_memory(source, dict(read_options or {}, duplicates=duplicates))
        connection.register(f"journeylab_frame_{log.table_names()['raw']}", frame)
        raw = f"SELECT *, row AS __row FROM journeylab_frame_{log.table_names()['raw']}"
        schema, report = memory_schema(frame, mem), mem.report
        log.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * EXCLUDE (row, __row), "
                    f"__row FROM ({raw}) r")
    else:
        log.execute(f"CREATE OR REPLACE TEMP VIEW raw AS {raw}")
    log.load(schema, duplicates=duplicates, report=report)
    return log


def _raw_query(source: Any, *, sep, encoding, table, connection) -> str | None:
    """A query of ``source``'s rows with ``__row``, each row's place in the source; None
    for a source DuckDB does not read itself."""
    if hasattr(source, "sql_query") and hasattr(source, "columns"):  # a DuckDB relation
        return f"SELECT *, row_number() OVER () - 1 AS __row FROM ({source.sql_query()}) s"
    if not isinstance(source, (str, os.PathLike)):
        return None
    text = str(source)
    low = text.lower()
    if low.endswith(PARQUET) or ("*" in text and not low.endswith(CSV)):
        files = sorted(glob.glob(text)) if "*" in text else [text]
        if not files:
            raise UnreadableFileError(f"No Parquet file matches {text!r}.")
        return " UNION ALL BY NAME ".join(
            f"SELECT * EXCLUDE (file_row_number), file_row_number + {i << 40} AS __row "
            f"FROM read_parquet({literal(f, DUCKDB)}, file_row_number = true)"
            for i, f in enumerate(files))
    if low.endswith(CSV):
        if not Path(text).exists():
            raise UnreadableFileError(f"No such file: {text!r}.")
        opts = ["header = true", "all_varchar = true"]
        if sep:
            opts.append(f"delim = {literal(sep, DUCKDB)}")
        if encoding:
            opts.append(f"encoding = {literal(encoding, DUCKDB)}")
        return (f"SELECT *, row_number() OVER () - 1 AS __row "
                f"FROM read_csv({literal(text, DUCKDB)}, {', '.join(opts)})")
    if low.endswith(DATABASE):
        if not table:
            raise InvalidInputError(f"{Path(text).name} is a DuckDB database: name its table "
                                    "with table= (CLI: --table).")
        connection.execute(f"ATTACH {literal(text, DUCKDB)} AS source_db (READ_ONLY)")
        return (f"SELECT *, row_number() OVER () - 1 AS __row FROM source_db."
                f"{table if table.replace('_', '').isalnum() else repr(table)}")
    return None
