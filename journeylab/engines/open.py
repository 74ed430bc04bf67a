"""Reading a log into the engine a user chose (:func:`read_engine`)."""
from __future__ import annotations

from typing import Any

from ..core.engine import ENGINES
from ..core.schema import Schema
from ..errors import InvalidInputError

__all__ = ["read_engine", "ENGINE_OPTIONS"]

#: Options only an engine takes, beside read_events' own.
ENGINE_OPTIONS = ("memory_limit", "temp_directory", "threads", "spark")


def read_engine(source: Any, engine: str, schema: Schema, *, duplicates: str = "quarantine",
                read_options: dict[str, Any] | None = None, sep: str | None = None,
                encoding: str | None = None, table: str | None = None,
                memory_limit: str | None = None, temp_directory: str | None = None,
                threads: int | None = None, spark: Any = None):
    """``source`` read into ``engine`` (``"duckdb"`` or ``"spark"``) as an
    :class:`~journeylab.core.engine.EngineLog`; :func:`journeylab.read_events` calls this
    for ``engine=`` other than ``"memory"``."""
    if engine == "duckdb":
        from .duck import read_duckdb

        if spark is not None:
            raise InvalidInputError("spark= is an option of engine='spark', not 'duckdb'.")
        return read_duckdb(source, schema, duplicates=duplicates, read_options=read_options,
                           sep=sep, encoding=encoding, table=table, memory_limit=memory_limit,
                           temp_directory=temp_directory, threads=threads)
    if engine == "spark":
        from .spark import read_spark

        if memory_limit or temp_directory or threads:
            raise InvalidInputError("memory_limit=, temp_directory= and threads= are options "
                                    "of engine='duckdb'; give Spark's settings to the "
                                    "session passed as spark=.")
        return read_spark(source, schema, duplicates=duplicates, read_options=read_options,
                          sep=sep, encoding=encoding, table=table, spark=spark)
    raise InvalidInputError(f"engine must be one of {list(ENGINES)}, not {engine!r}.")
