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

import numpy as np
import pandas as pd

from ..core.factorize import DUCKDB_CONFIG
from ..core.schema import Schema
from ..errors import InvalidInputError, UnreadableFileError
from ..io.text import open_bytes, sniff_encoding
from .base import (CANONICAL_COLUMNS, OPTIONAL, SQLLog, memory_schema, read_in_memory,
                   whole_journeys)
from .progress import engine_step
from .sql import DUCKDB, literal, paths_query

__all__ = ["DuckDBLog", "read_duckdb"]

PARQUET = (".parquet", ".pq")
CSV = (".csv", ".csv.gz", ".tsv", ".txt")
DATABASE = (".duckdb", ".db", ".ddb")


class DuckDBLog(SQLLog):
    """A log held by DuckDB (see :func:`read_duckdb`)."""

    engine = "duckdb"
    dialect = DUCKDB
    #: whether a row's number comes from the order rows are read in
    ordered = True
    #: the table of the CSV lines DuckDB could not read (None: not a CSV)
    rejects: str | None = None

    def __init__(self, connection, workdir: str | None):
        self.connection = connection
        self.workdir = workdir
        if workdir:  # the spill and table files go when the log does
            weakref.finalize(self, _close, connection, workdir)

    def query(self, sql: str) -> pd.DataFrame:
        return _as_text(self.connection.execute(self.sql(sql)).df())

    def _build(self, kept: str, values: str | None = None) -> None:
        """DuckDB's ``walk`` holds the fewest bytes per event: the journey as an integer
        code (``cases``: the journey ids, numbered in their sorted order) and the
        touchpoint, stage and channel as ENUMs (their names taken from ``values``); the
        view ``steps`` puts the ids and names back."""
        self.table_names()  # this log's number, for its types' names
        values = values or kept
        present = set(self._columns)
        enums, cols = {}, []
        with engine_step(self.engine, "reading, validating and sorting events by journey"):
            for role in ("activity", "channel", "stage"):
                if role in present:
                    enums[role] = f"journeylab_{role}_{self.number}"
                    self.execute(f"CREATE TYPE {enums[role]} AS ENUM (SELECT DISTINCT {role} "
                                 f"FROM {values} WHERE {role} IS NOT NULL ORDER BY 1)")
                    cols.append(f"CAST(k.{role} AS {enums[role]}) AS {role}")
            if "satisfaction" in present:
                cols.append("k.satisfaction")
            self.materialise("cases", "SELECT case_id, CAST(row_number() OVER (ORDER BY "
                             f"case_id) AS INTEGER) AS journey FROM (SELECT DISTINCT case_id "
                             f"FROM {values} WHERE case_id IS NOT NULL) d")
            # two steps, each faster alone: the events coded, then sorted by journey
            self.materialise("coded", f"SELECT c.journey, {', '.join(cols)}, "
                             f"epoch_us(k.timestamp) AS us, k.row FROM {kept} "
                             "JOIN cases c ON c.case_id = k.case_id")
            roles = [r for r in ("activity", "channel", "stage", "satisfaction") if r in present]
            self.execute("SET preserve_insertion_order = false")  # rows are numbered now
            self.materialise("walk", (
                f"SELECT journey, {', '.join(roles)}, us, CAST(row_number() OVER w AS INTEGER) "
                "AS pos, lead(activity) OVER w AS next_activity, lead(us) OVER w AS next_us "
                "FROM coded WINDOW w AS (PARTITION BY journey ORDER BY us, row)"))
            self.execute("DROP TABLE coded")
            self.execute(f"SET preserve_insertion_order = {str(self.ordered).lower()}")
        view = ["c.case_id", "w.journey", "w.activity",
                "CAST(make_timestamp(w.us) AS TIMESTAMPTZ) AS timestamp"]
        for role in OPTIONAL:
            kind = "DOUBLE" if role == "satisfaction" else "VARCHAR"
            view.append(f"w.{role}" if role in present else f"CAST(NULL AS {kind}) AS {role}")
        view += ["w.us", "w.pos AS row", "w.pos", "w.next_activity", "w.next_us"]
        # views a cursor sees too (the database is this log's own, in memory)
        self.execute(f"CREATE OR REPLACE VIEW steps AS SELECT {', '.join(view)} FROM walk w "
                     "JOIN cases c ON c.journey = w.journey")
        self.execute("CREATE OR REPLACE VIEW events AS SELECT "
                     + ", ".join(CANONICAL_COLUMNS) + " FROM steps")

    def distinct(self, role: str) -> list[Any]:
        if role not in ("activity", "channel", "stage", "satisfaction") or \
                role not in self._columns:
            return super().distinct(role)
        got = self.query(f"SELECT DISTINCT {role} AS v FROM walk WHERE {role} IS NOT NULL")
        return sorted(got["v"].tolist())

    def _count(self) -> tuple[int, int]:
        if self._counts is None:
            n = self.query("SELECT count(*) AS events, count(*) FILTER (WHERE pos = 1) AS "
                           "cases FROM walk")
            self._counts = (int(n["events"].iloc[0]), int(n["cases"].iloc[0]))
        return self._counts

    def fetch_paths(self):
        import pyarrow.compute as pc

        result = self.connection.sql(self.sql(paths_query(self.dialect))).to_arrow_table()
        flat = pc.list_flatten(result.column("path")).to_numpy()
        names = self.query(f"SELECT unnest(enum_range(NULL::journeylab_activity_{self.number}))"
                           " AS activity")["activity"].to_numpy(dtype=object)
        table = result.drop_columns(["path"]).to_pandas()
        return table, (flat % (1 << 24)).astype(np.int64), names

    def execute(self, sql: str) -> None:
        self.connection.execute(self.sql(sql))

    def materialise(self, name: str, sql: str) -> None:
        self.connection.execute(self.sql(f"CREATE OR REPLACE TABLE {name} AS {sql}"))

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.connection.register(name, frame)

    def raw_types(self) -> dict[str, str]:
        rel = self.connection.sql(self.sql("SELECT * EXCLUDE (__row) FROM raw LIMIT 0"))
        return {c: str(t) for c, t in zip(rel.columns, rel.types)}

    def malformed_lines(self) -> int:
        if not self.rejects:
            return 0
        try:
            got = self.connection.execute(
                f"SELECT count(DISTINCT line) FROM {self.rejects}").fetchall()
        except Exception:  # noqa: BLE001 - no table: the source was no CSV
            return 0
        return int(got[0][0])

    def timestamp_expression(self, column: str, type_name: str) -> str:
        if type_name.upper().startswith("TIMESTAMP") or type_name.upper() == "DATE":
            return "CAST({0} AS TIMESTAMPTZ)"
        return "TRY_CAST(CAST({0} AS VARCHAR) AS TIMESTAMPTZ)"

    def iter_journeys(self, columns: Sequence[str], batch_rows: int):
        cols = ", ".join(list(columns) + ["row"])
        cur = self.connection.cursor()  # a cursor sees tables, not the temporary view events
        cur.execute(self.sql(f"SELECT {cols} FROM steps ORDER BY journey, pos"))
        def chunks():
            while True:
                chunk = cur.fetch_df_chunk(max(1, batch_rows // 2048))
                if chunk is None or not len(chunk):
                    return
                yield _as_text(chunk)

        yield from whole_journeys(chunks())


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ENUM columns (touchpoint, stage, channel), which pandas receives
    as categories, as text again."""
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            values = frame[col].astype(object)
            frame[col] = values.where(values.notna(), None)
    return frame


#: The encodings DuckDB reads itself, by Python's names of them.
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "ascii": "utf-8",
                     "utf-16": "utf-16", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                     "latin-1": "latin-1", "iso8859-1": "latin-1"}


def _csv_encoding(path: Path) -> str | None:
    """The encoding DuckDB is to read the CSV at ``path`` in, told by its first bytes as
    journeylab's reader tells it; None when DuckDB cannot read it (cp1252's own characters,
    UTF-32): journeylab's reader then reads it."""
    import codecs

    with open_bytes(path) as f:
        head = f.read(1 << 16)
    guess = sniff_encoding(head)
    if guess in ("cp1252", "latin-1") and sniff_encoding(head[:-3]) == "utf-8":
        guess = "utf-8"  # a character cut at the end of the first bytes
    if guess == "cp1252" and not any(0x80 <= b <= 0x9F for b in head):
        guess = "latin-1"  # the same characters as Latin-1
    return _DUCKDB_ENCODINGS.get(codecs.lookup(guess).name if guess else "", None)


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
        # in memory, spilling tables and sorts to workdir past memory_limit; no extension
        # installed or loaded behind the user's back (DUCKDB_CONFIG)
        connection = duckdb.connect(":memory:", config=dict(DUCKDB_CONFIG))
        connection.execute(f"SET temp_directory = {literal(workdir, DUCKDB)}")
    connection.execute("SET TimeZone = 'UTC'")
    if memory_limit:
        connection.execute(f"SET memory_limit = {literal(str(memory_limit), DUCKDB)}")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    log = DuckDBLog(connection, workdir)
    report = None
    log.rejects = f"journeylab_rejects_{log.table_names()['raw']}"
    raw = _raw_query(source, sep=sep, encoding=encoding, table=table, connection=connection,
                     rejects=log.rejects)
    if raw is None:  # validated in memory, then handed over
        frame, mem = read_in_memory(source, dict(read_options or {}, duplicates=duplicates))
        connection.register(f"journeylab_frame_{log.table_names()['raw']}", frame)
        raw = f"SELECT *, row AS __row FROM journeylab_frame_{log.table_names()['raw']}"
        schema, report = memory_schema(frame, mem), mem.report
        log.execute(f"CREATE OR REPLACE TEMP VIEW raw AS SELECT * EXCLUDE (row, __row), "
                    f"__row FROM ({raw}) r")
    else:
        log.execute(f"CREATE OR REPLACE TEMP VIEW raw AS {raw}")
    # a source row's number comes from the order rows are read in, unless Parquet's own
    # file_row_number gives it: only then may DuckDB stop keeping that order (faster)
    log.ordered = "file_row_number" not in raw
    connection.execute(f"SET preserve_insertion_order = {str(log.ordered).lower()}")
    try:
        log.load(schema, duplicates=duplicates, report=report)
    except duckdb.Error as exc:  # the file itself (DuckDB's words, then what to do)
        if report is not None:
            raise
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnreadableFileError(
            f"DuckDB could not read {str(source)!r}: {said}. Fix: give its encoding= and "
            "sep=, or read it with engine='memory' (journeylab's own reader, which repairs "
            "and reports what it can).") from None
    return log


def _raw_query(source: Any, *, sep, encoding, table, connection, rejects: str) -> str | None:
    """A query of ``source``'s rows with ``__row``, each row's place in the source; None
    for a source DuckDB does not read itself (also a CSV in an encoding it does not know).
    A CSV's lines with the wrong number of fields are left in the table ``rejects``."""
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
        encoding = encoding or _csv_encoding(Path(text))
        if encoding is None:
            return None
        opts = ["header = true", "all_varchar = true", "store_rejects = true",
                f"rejects_table = {literal(rejects, DUCKDB)}",
                f"rejects_scan = {literal(rejects + '_scans', DUCKDB)}"]
        if sep:
            opts.append(f"delim = {literal(sep, DUCKDB)}")
        if encoding != "utf-8":
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
