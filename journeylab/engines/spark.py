"""The Apache Spark engine (PySpark): the same queries as DuckDB's, run by a Spark session,
a local one by default, a cluster's, or a Spark Connect server's (``"sc://host:15002"``).
Only small results come back to Python; personas are assigned where the journeys are,
each partition holding whole journeys.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.schema import Schema
from ..errors import InvalidInputError, UnreadableFileError
from .base import SQLLog, memory_schema, predict_frame, read_in_memory, whole_journeys
from .progress import engine_step
from .sql import SPARK, literal

__all__ = ["SparkLog", "read_spark", "spark_session", "spark_charset"]

PARQUET = (".parquet", ".pq")
CSV = (".csv", ".csv.gz", ".tsv", ".txt")

#: Settings of the local session journeylab starts when it is given none.
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "4g",
    "spark.sql.ansi.enabled": "false",
}


def spark_session(spark: Any = None):
    """The Spark session to use: ``spark`` itself when it is one; a Spark Connect session
    for a ``"sc://host:port"`` URL; the active session; or else a new local one (all cores,
    no web UI, UTC)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:  # pragma: no cover - pyspark is in the lock
        raise InvalidInputError("engine='spark' needs PySpark: run the README's set-up "
                                "(make setup), which installs it with Java 17.") from err
    if spark is not None and not isinstance(spark, str):
        return spark
    if isinstance(spark, str):
        if not spark.startswith("sc://"):
            raise InvalidInputError(f"spark= takes a SparkSession or a Spark Connect URL "
                                    f"such as 'sc://host:15002', not {spark!r}.")
        return SparkSession.builder.remote(spark).getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("JAVA_HOME") and not _which("java"):
        raise InvalidInputError("engine='spark' needs Java 17 or newer: run the README's "
                                "set-up (make setup installs openjdk-17-jre-headless on "
                                "Debian/Ubuntu) or install a JDK and set JAVA_HOME.")
    # the local workers that assign personas run this Python, which has journeylab
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master("local[*]").appName("journeylab")
    for key, value in LOCAL_SETTINGS.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


class SparkLog(SQLLog):
    """A log held by Spark (see :func:`read_spark`)."""

    engine = "spark"
    dialect = SPARK

    def __init__(self, session):
        self.session = session
        self._cached: list = []
        self.nanos: set[str] = set()
        self.session.conf.set("spark.sql.session.timeZone", "UTC")

    def query(self, sql: str) -> pd.DataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PySpark's notices about pandas 3
            return self.session.sql(self.sql(sql)).toPandas()

    def execute(self, sql: str) -> None:
        self.session.sql(self.sql(sql))

    def materialise(self, name: str, sql: str) -> None:
        from pyspark import StorageLevel

        frame = self.session.sql(self.sql(sql)).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(self.table_names().get(name, name))
        frame.count()  # made now, so the step's progress tells its real time
        self._cached.append(frame)

    def raw_types(self) -> dict[str, str]:
        return {c: t for c, t in self.session.table(self.table_names()["raw"]).dtypes
                if c != "__row"}

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.session.createDataFrame(frame, "case_id string, grp string") \
            .createOrReplaceTempView(name)

    def timestamp_expression(self, column: str, type_name: str) -> str:
        if column in self.nanos:  # nanoseconds since the epoch, read as a long
            return "timestamp_micros(div({0}, 1000))"
        if type_name.startswith("timestamp") or type_name == "date":
            return "CAST({0} AS TIMESTAMP)"
        # ISO text as DuckDB and the memory path read it: with slashes (2016/01/02
        # 01:00:01.353), a zone named UTC, GMT or Z after the time (+00:00), an offset
        # after a time without seconds (10:05+01:00: Spark wants 10:05:00+01:00)
        text = "CAST(__column__ AS STRING)"
        for pattern, replacement in _ISO_REPAIRS:
            text = (f"regexp_replace({text}, {literal(pattern, SPARK)}, "
                    f"{literal(replacement, SPARK)})")
        sql = f"try_to_timestamp({text})"
        return sql.replace("{", "{{").replace("}", "}}").replace("__column__", "{0}")

    def label_journeys(self, model: Any, *, batch_rows: int = 2_000_000) -> pd.DataFrame:
        """Every journey assigned in Spark: events partitioned by journey, sorted within
        each partition, and the fitted model applied to each partition's journeys."""
        cols = list(self._columns) + ["row"]
        schema = self.schema
        frame = (self.session.sql(self.sql(f"SELECT {', '.join(cols)} FROM events"))
                 .repartition("case_id").sortWithinPartitions("case_id", "timestamp", "row"))

        def assign(batches):
            for part in whole_journeys(batches):
                yield predict_frame(part, model, schema)

        out = frame.mapInPandas(assign, "case_id string, persona long")
        with warnings.catch_warnings(), engine_step(self.engine, "assigning every journey "
                                                    "its persona"):
            warnings.simplefilter("ignore")  # PySpark's notices about pandas 3
            got = out.toPandas()
        return got.sort_values("case_id", kind="stable").reset_index(drop=True)

    def close(self) -> None:
        for frame in self._cached:
            frame.unpersist()
        self._cached.clear()


def read_spark(source: Any, schema: Schema, *, duplicates: str = "quarantine",
               read_options: dict[str, Any] | None = None, sep: str | None = None,
               encoding: str | None = None, table: str | None = None,
               spark: Any = None) -> SparkLog:
    """Read ``source`` into Spark: a Parquet file or folder (globs too), a CSV file, a
    table of the session's catalogue (``table=`` or a name such as ``"lake.events"``), a
    Spark DataFrame, or anything :func:`journeylab.read_events` reads (validated there
    first and handed to Spark)."""
    from pyspark.sql import functions as F

    session = spark_session(spark)
    log = SparkLog(session)
    raw, log.nanos = _raw_frame(source, session, sep=sep, encoding=encoding, table=table)
    report = None
    if raw is None:
        frame, mem = read_in_memory(source, dict(read_options or {}, duplicates=duplicates))
        frame = frame.assign(timestamp=frame["timestamp"].dt.tz_convert("UTC")
                             .dt.tz_localize(None))
        from pyspark.sql import types as T

        kinds = {"satisfaction": T.DoubleType(), "timestamp": T.TimestampType(),
                 "row": T.LongType()}
        struct = T.StructType([T.StructField(str(c), kinds.get(c, T.StringType()))
                               for c in frame.columns])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PySpark's notices about pandas 3
            raw = session.createDataFrame(frame, struct).withColumnRenamed("row", "__row")
        schema, report = memory_schema(frame, mem), mem.report
    else:
        raw = raw.withColumn("__row", F.monotonically_increasing_id())
    raw.createOrReplaceTempView(log.table_names()["raw"])
    log.load(schema, duplicates=duplicates, report=report)
    return log


def _nanosecond_columns(path: str) -> set[str]:
    """The columns of nanosecond timestamps in the (first) Parquet file at ``path``."""
    import glob

    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted(glob.glob(path)) if "*" in path else \
        sorted(str(p) for p in Path(path).rglob("*.parquet")) if Path(path).is_dir() else [path]
    if not files:
        raise UnreadableFileError(f"No Parquet file matches {path!r}.")
    return {f.name for f in pq.read_schema(files[0])
            if pa.types.is_timestamp(f.type) and f.type.unit == "ns"}


#: Text repairs before Spark reads a timestamp (regex, replacement), in order.
_ISO_REPAIRS = ((r"^([0-9]{4})/([0-9]{2})/([0-9]{2})", "$1-$2-$3"),
                (r"(?i)([0-9])\s*\(?(UTC|GMT|UT|Z)\)?$", "$1+00:00"),
                (r"([T ][0-9]{2}:[0-9]{2})([+-][0-9]{2})", "$1:00$2"))

#: Python's names of the encodings Spark's CSV reader knows, and Spark's.
_CHARSETS = {"iso8859-1": "iso-8859-1", "utf-8": "utf-8", "ascii": "us-ascii",
             "utf-16": "utf-16", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be",
             "utf-32": "utf-32"}


def spark_charset(encoding: str) -> str | None:
    """Spark's name of ``encoding`` (``"latin-1"`` -> ``"iso-8859-1"``), or None."""
    import codecs

    try:
        return _CHARSETS.get(codecs.lookup(encoding).name)
    except LookupError:
        return None


def _raw_frame(source: Any, session, *, sep, encoding, table):
    if table:
        return session.table(table), set()
    if hasattr(source, "sparkSession") and hasattr(source, "schema"):  # a Spark DataFrame
        return source, set()
    if not isinstance(source, (str, os.PathLike)):
        return None, set()
    text = str(source)
    low = text.lower()
    if low.endswith(PARQUET) or (Path(text).is_dir()) or ("*" in text and not low.endswith(CSV)):
        nanos = _nanosecond_columns(text)
        if nanos:  # Spark reads no nanosecond timestamp, only the long that holds it
            session.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
        return session.read.parquet(text), nanos
    if low.endswith(CSV):
        if not Path(text).exists():
            raise UnreadableFileError(f"No such file: {text!r}.")
        reader = session.read.option("header", True).option("inferSchema", False)
        if sep:
            reader = reader.option("sep", sep)
        if encoding:
            charset = spark_charset(encoding)
            if charset is None:  # one Spark cannot read: journeylab's reader decodes it
                return None, set()
            reader = reader.option("encoding", charset)
        return reader.csv(text), set()
    if not Path(text).exists() and "." in text and "/" not in text:
        return session.table(text), set()  # a catalogue table such as "lake.events"
    return None, set()
