"""The checks of the memory path's validation, written in SQL for the engines' own readers:
labels read as :func:`journeylab.read_events` reads them (booleans as ``True``/``False``,
spaces around text trimmed, Unicode in its composed form, the usual spellings of no value
missing), and timestamps held to the same rules (outside the years 1677-2262, or named by
a zone abbreviation such as ``EST``: unreadable; a column of numbers read as Unix epoch
seconds to nanoseconds or Excel serial days, the unit told by their size). Each builder
returns SQL over ``{0}``, the raw column, for :meth:`str.format`.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from ..core.encode import NULL_SPELLINGS
from ..io.timestamps import ZONE_NAMES, epoch_unit
from ..core.schema import Schema
from .sql import Dialect, literal, quote

__all__ = ["label_expression", "label_work", "labels_to_clean", "checked_timestamp",
           "epoch_timestamp", "NUMBER_TYPES", "BOOLEANS"]

#: The engines' number types (DuckDB's and Spark's names, in lower case, without sizes).
NUMBER_TYPES = ("tinyint", "smallint", "integer", "int", "bigint", "hugeint", "utinyint",
                "usmallint", "uinteger", "ubigint", "uhugeint", "float", "double", "real",
                "decimal", "long", "short", "byte")
#: The engines' boolean types (read as True/False, as the memory path writes them).
BOOLEANS = ("boolean", "bool")
#: pandas' timestamps' range in epoch microseconds (1677-09-22 to 2262-04-11).
_RANGE_US = (pd.Timestamp.min.value // 1000 + 1, pd.Timestamp.max.value // 1000)
#: Microseconds in one unit of a number read as time (Excel: a day since 1899-12-30).
_MICROS = {"s": "1000000", "ms": "1000", "us": "1", "ns": "0.001", "excel": "86400000000"}
_EXCEL_EPOCH_DAYS = 25569  # 1970-01-01 as an Excel serial day


def _braced(sql: str) -> str:
    """``sql`` with its braces doubled, to sit inside a ``{0}`` template."""
    return sql.replace("{", "{{").replace("}", "}}")


def _missing(dialect: Dialect) -> str:
    """The spellings of no value as a SQL list (inside a ``{0}`` template)."""
    return ", ".join(_braced(literal(s, dialect)) for s in NULL_SPELLINGS)


def label_expression(dialect: Dialect, type_name: str) -> str:
    """The raw column ``{0}`` of engine type ``type_name`` as a label: booleans as
    ``True``/``False``; text trimmed of spaces, NFC-normalised (where the engine can) and
    NULL when it is a usual spelling of no value (``NULL``, ``N/A``, ``-``, any case).

    >>> from journeylab.engines.sql import DUCKDB
    >>> label_expression(DUCKDB, "BOOLEAN").format('"flag"')
    'CASE WHEN "flag" THEN \\'True\\' WHEN NOT "flag" THEN \\'False\\' END'
    """
    if type_name.lower() in BOOLEANS:
        return "CASE WHEN {0} THEN 'True' WHEN NOT {0} THEN 'False' END"
    raw = f"CAST({{0}} AS {dialect.text})"
    clean = dialect.nfc.format(f"trim({raw})")
    return (f"CASE WHEN {label_work(dialect)} THEN CASE WHEN lower({clean}) IN "
            f"({_missing(dialect)}) THEN NULL ELSE {clean} END ELSE {raw} END")


def label_work(dialect: Dialect) -> str:
    """Whether the text ``{0}`` is changed by :func:`label_expression` (SQL): most text
    is not, and is read as it is: only a short text may be a spelling of no value, only
    one with a space at an end is trimmed, only one that is not ASCII is normalised."""
    raw = f"CAST({{0}} AS {dialect.text})"
    missing = _missing(dialect)
    short = max(len(s) for s in NULL_SPELLINGS)
    octets = dialect.octets.format(raw)
    return (f"(({octets} <= {short} AND lower({raw}) IN ({missing})) OR {raw} LIKE ' %' "
            f"OR {raw} LIKE '% ' OR {octets} <> length({raw}))")


def labels_to_clean(dialect: Dialect, schema: Schema, types: dict[str, str],
                    query: Callable[[str], pd.DataFrame]) -> list[str]:
    """The label roles of the view ``raw`` to read by :func:`label_expression`: all of them
    when any value of one would be read otherwise (:func:`label_work`, one pass over the
    columns by ``query``), else only the boolean ones; clean text pays for no check."""
    roles = [r for r in ("case_id", "activity", "channel", "stage") if schema.key(r)]
    booleans = [r for r in roles if types[schema.key(r)].lower() in BOOLEANS]
    work = " OR ".join(label_work(dialect).format(quote(schema.key(r), dialect))
                       for r in roles if r not in booleans)
    return roles if work and len(query(f"SELECT * FROM raw WHERE {work} LIMIT 1")) \
        else booleans


def checked_timestamp(dialect: Dialect, timestamp: str, text: bool) -> str:
    """``timestamp`` (SQL over ``{0}``) NULL where the memory path quarantines the row: out
    of pandas' range, and (for a text column) a time named by a zone abbreviation (``EST``
    stands for several zones; ``UTC``, ``GMT``, ``Z`` and ``AM``/``PM`` are read)."""
    us = dialect.micros.format(timestamp)
    out = f"CASE WHEN {us} BETWEEN {_RANGE_US[0]} AND {_RANGE_US[1]} THEN {timestamp} END"
    if not text:
        return out
    raw = f"CAST({{0}} AS {dialect.text})"
    named = "|".join(sorted(set(ZONE_NAMES) | {"AM", "PM", "A", "P", "H"}))
    zone = dialect.matches.format(raw, _braced(literal(r"[0-9]\s*\(?[A-Za-z]{1,5}\)?$",
                                                       dialect)))
    read = dialect.matches.format(f"upper({raw})", _braced(literal(
        rf"[0-9]\s*\(?({named})\)?$", dialect)))
    return f"CASE WHEN {zone} AND NOT {read} THEN NULL ELSE {out} END"


def epoch_timestamp(dialect: Dialect, type_name: str,
                    sample: Callable[[str], pd.Series]) -> str | None:
    """SQL over ``{0}`` reading a column of numbers as times, or None for a column of
    dates. The unit is told by the median of the first values (``sample(sql)`` runs a
    query over ``{0}`` as text and returns its values) as the memory path tells it; text
    that is not all numbers is dates."""
    number_type = type_name.lower().split("(")[0].strip() in NUMBER_TYPES
    values = sample(f"trim(CAST({{0}} AS {dialect.text}))")
    numbers = pd.to_numeric(values, errors="coerce")
    if not len(values) or (not number_type and numbers.isna().any()):
        return None
    unit = epoch_unit(float(numbers.median()))
    if unit is None:
        return None
    exact = f"TRY_CAST(trim(CAST({{0}} AS {dialect.text})) AS DECIMAL(38, 9))"
    if unit == "excel":
        exact = f"({exact} - {_EXCEL_EPOCH_DAYS})"
    micros = f"CAST(round({exact} * {_MICROS[unit]}) AS BIGINT)"
    return dialect.from_micros.format(micros)
