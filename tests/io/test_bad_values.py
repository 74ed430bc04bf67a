"""Bad values in the timestamp, key and score columns: every case asserts the exact outcome.

Each case is a source (CSV text, a DataFrame, Parquet or JSON lines) and either the exact
accounting, quarantine reasons and the finding that says what happened (naming the column
and the row or value), or the exact error type and the words of its message (the column and
the fix). A hypothesis property test then throws hostile mixes at the same columns.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylab as jl
from journeylab.errors import InvalidInputError, JourneylabError, MissingColumnError

from ..conftest import write_bytes

OK = "2024-01-01 10:00:00"
OK2 = "2024-01-02 10:00:00"


def csv_of(rows, header=("case_id", "activity", "timestamp")) -> Callable:
    """A CSV file (every field quoted) written by the case."""
    def make(tmp_path):
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        return write_bytes(tmp_path, "events.csv", buf.getvalue().encode("utf-8"))
    return make


def csv_scores(scores):
    rows = [("a", f"s{i}", f"2024-01-0{i + 1} 10:00:00", s) for i, s in enumerate(scores)]
    return csv_of(rows, header=("case_id", "activity", "timestamp", "score"))


def frame_of(**cols) -> Callable:
    n = max(len(v) for v in cols.values())
    cols.setdefault("case_id", ["a"] * n)
    cols.setdefault("activity", [f"x{i}" for i in range(n)])
    cols.setdefault("timestamp", [f"2024-01-0{i + 1} 10:00:00" for i in range(n)])
    return lambda tmp_path: pd.DataFrame(cols)


def parquet_of(table: pa.Table) -> Callable:
    def make(tmp_path):
        pq.write_table(table, tmp_path / "events.parquet")
        return tmp_path / "events.parquet"
    return make


def ts_csv(*values):
    return csv_of([("a", f"x{i}", v) for i, v in enumerate(values)])


def ids_csv(*ids):
    return csv_of([(v, f"x{i}", f"2024-01-0{i + 1} 10:00:00") for i, v in enumerate(ids)])


@dataclass
class Case:
    id: str
    make: Callable
    kw: dict = field(default_factory=dict)
    rows: tuple | None = None          # (rows_in, kept, quarantined)
    reasons: dict = field(default_factory=dict)
    finding: str | None = None         # the finding that explains what happened
    says: tuple = ()                   # words its message (or the error's) must hold
    error: type | None = None
    check: Callable[[Any], None] | None = None  # exact values of the kept events


def ts_is(*expected):
    def check(log):
        assert log.events.sort_values("row")["timestamp"].tolist() == [
            pd.Timestamp(x) for x in expected]
    return check


def ids_are(*expected):
    def check(log):
        assert sorted(log.events["case_id"].astype(str).unique()) == sorted(expected)
    return check


def scores_are(*expected):
    def check(log):
        got = log.events.sort_values("row")["satisfaction"].tolist()
        assert [None if (isinstance(g, float) and math.isnan(g)) else g for g in got] == \
            list(expected)
    return check


ACT2 = ("case_id", "activity", "Activity", "timestamp")

CASES: list[Case] = [
    # --- timestamps outside 1677-2262 -----------------------------------------------------------
    Case("csv-year-1500", ts_csv(OK, "1500-01-01", OK2), rows=(3, 2, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("'timestamp'", "row 1", "1500-01-01"), check=ts_is(OK, OK2)),
    Case("csv-9999-12-31", ts_csv(OK, "9999-12-31 23:59:59"), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("'timestamp'", "row 1", "9999-12-31", "placeholder")),
    Case("csv-year-2263", ts_csv("2263-01-01T00:00:00", OK), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("row 0", "2263-01-01")),
    Case("csv-year-1677-jan", ts_csv(OK, "1677-01-01"), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("row 1", "1677-01-01")),
    Case("csv-oob-with-offset", ts_csv("2024-01-01T10:00:00+02:00", "3000-01-01T00:00:00+01:00"),
         rows=(2, 1, 1), reasons={"timestamp_out_of_range": 1},
         finding="timestamp_out_of_range", says=("row 1", "3000-01-01"),
         check=ts_is(pd.Timestamp("2024-01-01 08:00", tz="UTC"))),
    Case("csv-oob-non-iso", ts_csv("01/02/2024 10:00", "01/02/1500 10:00"), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("row 1", "01/02/1500")),
    Case("df-datetime64-us", frame_of(timestamp=np.array(
        ["2024-01-01T10:00", "1500-01-01T00:00"], dtype="datetime64[us]")), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("'timestamp'", "row 1", "1500-01-01"), check=ts_is("2024-01-01 10:00")),
    Case("df-datetime64-s", frame_of(timestamp=np.array(
        ["2024-01-01T10:00:01", "3000-06-01T00:00"], dtype="datetime64[s]")), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("row 1", "3000-06-01"), check=ts_is("2024-01-01 10:00:01")),
    Case("df-datetime64-us-utc", frame_of(timestamp=pd.Series(np.array(
        ["2024-01-01T10:00", "2500-01-01T00:00"], dtype="datetime64[us]")).dt.tz_localize("UTC")),
         rows=(2, 1, 1), reasons={"timestamp_out_of_range": 1},
         finding="timestamp_out_of_range", says=("row 1", "2500-01-01"),
         check=ts_is(pd.Timestamp("2024-01-01 10:00", tz="UTC"))),
    Case("parquet-timestamp-s", parquet_of(pa.table({
        "case_id": ["a", "a", "a"], "activity": ["x", "y", "z"],
        "timestamp": pa.array([1_704_103_200, -20_000_000_000, 1_704_189_600],
                              pa.timestamp("s"))})),
         rows=(3, 2, 1), reasons={"timestamp_out_of_range": 1},
         finding="timestamp_out_of_range", says=("'timestamp'", "row 1", "1336"),
         check=ts_is(OK, OK2)),
    Case("parquet-timestamp-ms-future", parquet_of(pa.table({
        "case_id": ["a", "a"], "activity": ["x", "y"],
        "timestamp": pa.array([1_704_103_200_000, 20_000_000_000_000], pa.timestamp("ms"))})),
         rows=(2, 1, 1), reasons={"timestamp_out_of_range": 1},
         finding="timestamp_out_of_range", says=("row 1", "2603")),
    # --- numbers in the timestamp column ----------------------------------------------------------
    Case("csv-epoch-seconds", ts_csv("1704103200", "1704189600"), rows=(2, 2, 0),
         finding="numeric_timestamps", says=("'timestamp'", "epoch seconds", "row 0",
                                             "1704103200"),
         check=ts_is(pd.Timestamp(OK, tz="UTC"), pd.Timestamp(OK2, tz="UTC"))),
    Case("csv-epoch-ms", ts_csv("1704103200123", "1704189600000"), rows=(2, 2, 0),
         finding="numeric_timestamps", says=("milliseconds", "row 0"),
         check=ts_is(pd.Timestamp("2024-01-01 10:00:00.123", tz="UTC"),
                     pd.Timestamp(OK2, tz="UTC"))),
    Case("csv-epoch-us", ts_csv("1704103200123456", "1704189600000001"), rows=(2, 2, 0),
         finding="numeric_timestamps", says=("microseconds",),
         check=ts_is(pd.Timestamp("2024-01-01 10:00:00.123456", tz="UTC"),
                     pd.Timestamp("2024-01-02 10:00:00.000001", tz="UTC"))),
    Case("csv-epoch-ns", ts_csv("1704103200123456789", "1704189600000000001"), rows=(2, 2, 0),
         finding="numeric_timestamps", says=("nanoseconds",),
         check=ts_is(pd.Timestamp("2024-01-01 10:00:00.123456789", tz="UTC"),
                     pd.Timestamp("2024-01-02 10:00:00.000000001", tz="UTC"))),
    Case("df-int-epoch-seconds", frame_of(timestamp=[1_704_103_200, 1_704_189_600]),
         rows=(2, 2, 0), finding="numeric_timestamps", says=("epoch seconds",),
         check=ts_is(pd.Timestamp(OK, tz="UTC"), pd.Timestamp(OK2, tz="UTC"))),
    Case("df-float-epoch-half-second", frame_of(timestamp=[1_704_103_200.5, np.nan]),
         rows=(2, 1, 1), reasons={"null_timestamp": 1}, finding="numeric_timestamps",
         says=("epoch seconds",), check=ts_is(pd.Timestamp("2024-01-01 10:00:00.5", tz="UTC"))),
    Case("csv-epoch-with-a-zero", ts_csv("1704103200", "0", "1704189600"), rows=(3, 2, 1),
         reasons={"unparsable_timestamp": 1}, finding="unparsable_timestamp",
         says=("'timestamp'", "row 1", "'0'", "not seconds of the years 1980-2100")),
    Case("csv-small-numbers-refused", ts_csv("5", "7"), error=InvalidInputError,
         says=("'timestamp'", "holds numbers", "timestamp_format='epoch_s'", "'excel'")),
    Case("df-small-ints-refused", frame_of(timestamp=[3, 4]), error=InvalidInputError,
         says=("'timestamp'", "timestamp_format=")),
    Case("csv-epoch-ms-declared", ts_csv("1704103200000", "1704189600000"),
         kw={"timestamp_format": "epoch_ms"}, rows=(2, 2, 0), finding="numeric_timestamps",
         says=("as timestamp_format says", "milliseconds"),
         check=ts_is(pd.Timestamp(OK, tz="UTC"), pd.Timestamp(OK2, tz="UTC"))),
    Case("csv-epoch-declared-out-of-range", ts_csv("1704103200", "99999999999999"),
         kw={"timestamp_format": "epoch_s"}, rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("row 1", "99999999999999")),
    Case("csv-excel-serials", ts_csv("45292.5", "45293.25"), rows=(2, 2, 0),
         finding="numeric_timestamps", says=("Excel serial dates", "row 0", "45292.5"),
         check=ts_is("2024-01-01 12:00", "2024-01-02 06:00")),
    Case("csv-excel-declared", ts_csv("45292", "45293.75"), kw={"timestamp_format": "excel"},
         rows=(2, 2, 0), finding="numeric_timestamps", says=("Excel",),
         check=ts_is("2024-01-01", "2024-01-02 18:00")),
    Case("csv-number-among-dates", ts_csv(OK, "1704103200", OK2), rows=(3, 2, 1),
         reasons={"unparsable_timestamp": 1}, finding="unparsable_timestamp",
         says=("row 1", "1704103200", "a number among dates")),
    # --- zones, fractions, daylight saving -------------------------------------------------------
    Case("csv-EST", ts_csv(OK, "2024-03-01 10:00 EST"), rows=(2, 1, 1),
         reasons={"timezone_abbreviation": 1}, finding="timezone_abbreviation",
         says=("'timestamp'", "row 1", "EST stands for several zones", "-05:00")),
    Case("csv-IST", ts_csv("2024-03-01 10:00:00 IST", OK), rows=(2, 1, 1),
         reasons={"timezone_abbreviation": 1}, finding="timezone_abbreviation",
         says=("row 0", "IST", "India +05:30")),
    Case("csv-CST-everywhere", ts_csv("2024-03-01 10:00 CST", "2024-03-01 11:00 CST", OK),
         rows=(3, 1, 2), reasons={"timezone_abbreviation": 2}, finding="timezone_abbreviation",
         says=("row 0", "row 1", "China +08:00")),
    Case("csv-PDT-not-read-by-name", ts_csv(OK, "2024-03-01 10:00 PDT"), rows=(2, 1, 1),
         reasons={"timezone_abbreviation": 1}, finding="timezone_abbreviation",
         says=("row 1", "only UTC, GMT and Z are read by name")),
    Case("csv-UTC-named", ts_csv("2024-03-01 10:00 UTC", "2024-03-01 11:00:30 UTC"),
         rows=(2, 2, 0), finding="timezone_names_read", says=("'timestamp'", "row 0", "UTC"),
         check=ts_is(pd.Timestamp("2024-03-01 10:00", tz="UTC"),
                     pd.Timestamp("2024-03-01 11:00:30", tz="UTC"))),
    Case("csv-GMT-named", ts_csv("2024-03-01 10:00:00 GMT", "2024-03-01T12:00:00+01:00"),
         rows=(2, 2, 0), finding="timezone_names_read", says=("row 0", "GMT"),
         check=ts_is(pd.Timestamp("2024-03-01 10:00", tz="UTC"),
                     pd.Timestamp("2024-03-01 11:00", tz="UTC"))),
    Case("csv-Z-after-space", ts_csv("2024-03-01 10:00:00 Z", "2024-03-01 10:30:00 Z"),
         rows=(2, 2, 0), finding="timezone_names_read", says=("row 1",),
         check=ts_is(pd.Timestamp("2024-03-01 10:00", tz="UTC"),
                     pd.Timestamp("2024-03-01 10:30", tz="UTC"))),
    # --- one order of day and month for a whole column; offsets only after a time -----------
    Case("csv-day-first-told-by-the-column", ts_csv("01/02/2024", "13/02/2024",
                                                   "05/03/2024 09:00", "25/03/2024 09:00"),
         rows=(4, 4, 0), finding="mixed_timestamp_formats",
         says=("day-first", "2 rows can only be day-first", "whole column"),
         check=ts_is("2024-02-01", "2024-02-13", "2024-03-05 09:00", "2024-03-25 09:00")),
    Case("csv-date-against-the-column-order", ts_csv("13/01/2024", "14/01/2024", "01/13/2024"),
         rows=(3, 2, 1), reasons={"unparsable_timestamp": 1}, finding="unparsable_timestamp",
         says=("row 2", "01/13/2024", "month-first", "whole column"),
         check=ts_is("2024-01-13", "2024-01-14")),
    Case("csv-month-first-told-despite-dayfirst", ts_csv("02/13/2024", "03/04/2024"),
         kw={"dayfirst": True}, rows=(2, 2, 0), finding="mixed_timestamp_formats",
         says=("month-first",), check=ts_is("2024-02-13", "2024-03-04")),
    Case("csv-dayfirst-when-nothing-tells", ts_csv("03/04/2024", "05/06/2024"),
         kw={"dayfirst": True}, rows=(2, 2, 0), check=ts_is("2024-04-03", "2024-06-05")),
    Case("csv-dotted-dates-two-digit-years", ts_csv("25.12.23 10:00", "01.01.24"),
         rows=(2, 2, 0), check=ts_is("2023-12-25 10:00", "2024-01-01")),
    Case("csv-year-first-has-no-thirteenth-month", ts_csv("2024/02/13", "2024/13/02"),
         rows=(2, 1, 1), reasons={"unparsable_timestamp": 1}, check=ts_is("2024-02-13")),
    Case("csv-dash-date-is-no-offset", ts_csv("01-02-2024", "2024-01-05 10:00"),
         kw={"assume_timezone": "Europe/Amsterdam"}, rows=(2, 2, 0),
         check=ts_is("2024-01-02", "2024-01-05 10:00")),  # naive: no zone was written
    Case("csv-offset-of-hours-only", ts_csv("2024-01-01T10:00:00+01", "2024-01-01T10:30:00"),
         rows=(2, 2, 0), finding="mixed_timezones", says=("row 1", "1 have one"),
         check=ts_is(pd.Timestamp("2024-01-01 09:00", tz="UTC"),
                     pd.Timestamp("2024-01-01 10:30", tz="UTC"))),
    # --- epoch numbers with a fraction, exactly; Arrow's own dates --------------------------
    Case("csv-decimal-epoch-seconds-exact", ts_csv("1704103200.5", "1704103260.25",
                                                  "1704103260.001", "-0.25"),
         kw={"timestamp_format": "epoch_s"}, rows=(4, 4, 0),
         check=ts_is(*(pd.Timestamp(x, tz="UTC") for x in (
             "2024-01-01 10:00:00.5", "2024-01-01 10:01:00.25", "2024-01-01 10:01:00.001",
             "1969-12-31 23:59:59.75")))),
    Case("df-float-epoch-seconds-to-the-microsecond", frame_of(
        timestamp=[1_704_103_260.25, 1_704_103_260.001, 1_704_103_260.000123]), rows=(3, 3, 0),
         check=ts_is(*(pd.Timestamp(x, tz="UTC") for x in (
             "2024-01-01 10:01:00.25", "2024-01-01 10:01:00.001",
             "2024-01-01 10:01:00.000123")))),
    Case("df-arrow-timestamps", frame_of(timestamp=pd.array(
        [pd.Timestamp("2024-01-01 10:00", tz="UTC"), None, pd.Timestamp("3000-01-01", tz="UTC")],
        dtype=pd.ArrowDtype(pa.timestamp("us", tz="UTC")))), rows=(3, 1, 2),
         reasons={"null_timestamp": 1, "timestamp_out_of_range": 1},
         check=ts_is(pd.Timestamp("2024-01-01 10:00", tz="UTC"))),
    Case("df-arrow-dates", frame_of(timestamp=pd.array(
        [pd.Timestamp("2024-01-02").date(), pd.Timestamp("2024-01-01").date()],
        dtype=pd.ArrowDtype(pa.date32()))), rows=(2, 2, 0),
         check=ts_is("2024-01-02", "2024-01-01")),
    Case("csv-PM-is-not-a-zone", ts_csv("03/01/2024 10:00 PM", "03/01/2024 11:00 PM"),
         rows=(2, 2, 0), finding="mixed_timestamp_formats", says=("row 0",),
         check=ts_is("2024-03-01 22:00", "2024-03-01 23:00")),
    Case("csv-comma-fraction", ts_csv("2024-01-01 10:00:00,5", OK2), rows=(2, 2, 0),
         finding="timestamp_decimal_comma", says=("'timestamp'", "row 0", "10:00:00,5"),
         check=ts_is("2024-01-01 10:00:00.5", OK2)),
    Case("csv-comma-fraction-micro", ts_csv("2024-01-01T10:00:00,123456", OK2), rows=(2, 2, 0),
         finding="timestamp_decimal_comma", says=("row 0",),
         check=ts_is("2024-01-01 10:00:00.123456", OK2)),
    Case("csv-dst-gap-amsterdam", ts_csv("2024-03-31 02:30:00", "2024-03-31 05:00:00+00:00",
                                         "2024-03-31 04:00:00"),
         kw={"assume_timezone": "Europe/Amsterdam"}, rows=(3, 2, 1),
         reasons={"nonexistent_local_time": 1}, finding="nonexistent_local_time",
         says=("'timestamp'", "row 0", "does not exist in Europe/Amsterdam",
               "jumped forward from 02:00 to 03:00 on 2024-03-31"),
         check=ts_is(pd.Timestamp("2024-03-31 05:00", tz="UTC"),
                     pd.Timestamp("2024-03-31 02:00", tz="UTC"))),
    Case("csv-dst-overlap-amsterdam", ts_csv("2024-10-27 02:30:00", "2024-10-27 05:00:00Z"),
         kw={"assume_timezone": "Europe/Amsterdam"}, rows=(2, 1, 1),
         reasons={"ambiguous_local_time": 1}, finding="ambiguous_local_time",
         says=("row 0", "happened twice in Europe/Amsterdam", "+02:00 or", "+01:00")),
    Case("csv-dst-gap-new-york", ts_csv("2024-03-10 02:30", "2024-03-10T12:00:00-04:00"),
         kw={"assume_timezone": "America/New_York"}, rows=(2, 1, 1),
         reasons={"nonexistent_local_time": 1}, finding="nonexistent_local_time",
         says=("row 0", "from 02:00 to 03:00 on 2024-03-10")),
    Case("bad-assume-timezone", ts_csv(OK, OK2), kw={"assume_timezone": "Mars/Base"},
         error=InvalidInputError, says=("'Mars/Base'", "assume_timezone", "IANA name")),
    Case("assume-timezone-unused", ts_csv(OK, OK2), kw={"assume_timezone": "Europe/Amsterdam"},
         rows=(2, 2, 0), finding="assume_timezone_unused",
         says=("'timestamp'", "wall-clock", "Europe/Amsterdam"), check=ts_is(OK, OK2)),
    Case("csv-NULL-timestamp", ts_csv(OK, "NULL", "n/a"), rows=(3, 1, 2),
         reasons={"null_timestamp": 2}, finding="null_spellings",
         says=("'timestamp'", "'NULL'", "'n/a'", "null_values=()")),
    Case("csv-dash-timestamp", ts_csv(OK, "-"), rows=(2, 1, 1), reasons={"null_timestamp": 1},
         finding="null_timestamp", says=("'timestamp'", "row 1", "'-'")),
]

# --- values: null spellings of ids and activities ---------------------------------------------
for spelling in ["NULL", "None", "nan", "NaN", "N/A", "n/a", "-", "#N/A", "null"]:
    CASES.append(Case(f"case-id-{spelling}", ids_csv("c1", spelling, "c1"), rows=(3, 2, 1),
                      reasons={"null_case_id": 1}, finding="null_spellings",
                      says=("'case_id'", repr(spelling), "null_values=()"),
                      check=ids_are("c1")))
CASES += [
    Case("case-id-whitespace", ids_csv("c1", "   ", "c1"), rows=(3, 2, 1),
         reasons={"null_case_id": 1}, finding="null_case_id",
         says=("'case_id'", "row 1", "'   '")),
    Case("case-id-null-message-names-spelling", ids_csv("c1", "NULL"), rows=(2, 1, 1),
         reasons={"null_case_id": 1}, finding="null_case_id",
         says=("'case_id'", "row 1: 'NULL'")),
    Case("activity-None", csv_of([("a", "None", OK), ("a", "visit", OK2)]), rows=(2, 1, 1),
         reasons={"null_activity": 1}, finding="null_spellings",
         says=("'activity'", "'None'", "null_activity")),
    Case("activity-#N/A", csv_of([("a", "#N/A", OK), ("a", "visit", OK2)]), rows=(2, 1, 1),
         reasons={"null_activity": 1}, finding="null_activity", says=("row 0", "'#N/A'")),
    Case("null-values-off-keeps-None", ids_csv("None", "None", "c1"),
         kw={"null_values": ()}, rows=(3, 3, 0), check=ids_are("None", "c1")),
    Case("null-values-own-list", ids_csv("None", "unknown", "c1"),
         kw={"null_values": ["UNKNOWN"]}, rows=(3, 2, 1), reasons={"null_case_id": 1},
         finding="null_spellings", says=("'unknown'",), check=ids_are("None", "c1")),
    Case("null-values-as-text-refused", ids_csv("c1"), kw={"null_values": "NULL"},
         error=InvalidInputError, says=("null_values", "['NULL']")),
    # --- big integer ids stay exact ----------------------------------------------------------
    Case("int64-above-2**53", frame_of(case_id=np.array([2**53 + 1, 2**53], dtype="int64")),
         rows=(2, 2, 0), check=ids_are("9007199254740993", "9007199254740992")),
    Case("uint64-max", frame_of(case_id=np.array([2**64 - 1, 2**64 - 2], dtype="uint64")),
         rows=(2, 2, 0), check=ids_are("18446744073709551615", "18446744073709551614")),
    Case("text-ids-above-2**53", ids_csv("9007199254740993", "9007199254740992"),
         rows=(2, 2, 0), check=ids_are("9007199254740993", "9007199254740992")),
    Case("nullable-Int64-ids", frame_of(case_id=pd.array([2**53 + 1, 2**53, None],
                                                         dtype="Int64")),
         rows=(3, 2, 1), reasons={"null_case_id": 1},
         check=ids_are("9007199254740993", "9007199254740992")),
    Case("float-ids-above-2**53", frame_of(case_id=[float(2**53 + 2), 5.0, None]),
         rows=(3, 1, 2), reasons={"invalid_case_id": 1, "null_case_id": 1},
         finding="invalid_case_id", says=("'case_id'", "row 0", "2**53"), check=ids_are("5")),
    Case("float-ids-past-int64", frame_of(case_id=[1e19, -1e300, 5.0]),
         rows=(3, 1, 2), reasons={"invalid_case_id": 2}, finding="invalid_case_id",
         says=("row 0", "row 1", "2**53"), check=ids_are("5")),
    Case("parquet-int64-with-null", parquet_of(pa.table({
        "case_id": pa.array([2**53 + 1, 2**53, None], pa.int64()),
        "activity": ["x", "y", "z"], "timestamp": [OK, OK2, OK]})),
         rows=(3, 2, 1), reasons={"null_case_id": 1},
         check=ids_are("9007199254740993", "9007199254740992")),  # exact, beside the null
    Case("parquet-uint64-with-null", parquet_of(pa.table({
        "case_id": pa.array([2**64 - 1, 2**63, None], pa.uint64()),
        "activity": ["x", "y", "z"], "timestamp": [OK, OK2, OK]})),
         rows=(3, 2, 1), reasons={"null_case_id": 1},
         check=ids_are("18446744073709551615", "9223372036854775808")),
    Case("json-big-int-ids", lambda tmp_path: write_bytes(tmp_path, "e.jsonl", "\n".join(
        json.dumps({"case_id": i, "activity": "x", "timestamp": OK})
        for i in (2**53 + 1, 2**53)).encode()),
         rows=(2, 2, 0), check=ids_are("9007199254740993", "9007199254740992")),
    # --- scores ---------------------------------------------------------------------------------
    Case("score-inf", csv_scores(["inf", "4"]), kw={"satisfaction_key": "score"},
         rows=(2, 1, 1), reasons={"satisfaction_not_finite": 1},
         finding="satisfaction_not_finite", says=("'score'", "row 0", "'inf'"),
         check=scores_are(4.0)),
    Case("score-minus-inf", csv_scores(["3", "-inf"]), kw={"satisfaction_key": "score"},
         rows=(2, 1, 1), reasons={"satisfaction_not_finite": 1},
         finding="satisfaction_not_finite", says=("row 1", "'-inf'")),
    Case("score-Infinity", csv_scores(["Infinity", "1e400"]), kw={"satisfaction_key": "score"},
         rows=(2, 0, 2), reasons={"satisfaction_not_finite": 2},
         finding="satisfaction_not_finite", says=("row 0", "row 1", "1e400")),
    Case("df-score-float-inf", frame_of(score=[np.inf, 2.0, -np.inf]),
         kw={"satisfaction_key": "score"}, rows=(3, 1, 2),
         reasons={"satisfaction_not_finite": 2}, finding="satisfaction_not_finite",
         says=("'score'", "row 0", "row 2"), check=scores_are(2.0)),
    Case("score-thousands-comma", csv_scores(["1,234", "4"]), kw={"satisfaction_key": "score"},
         rows=(2, 1, 1), reasons={"satisfaction_ambiguous_comma": 1},
         finding="satisfaction_ambiguous_comma", says=("'score'", "row 0", "'1,234'"),
         check=scores_are(4.0)),
    Case("score-millions-comma", csv_scores(["12,345,678"]), kw={"satisfaction_key": "score"},
         rows=(1, 0, 1), reasons={"satisfaction_ambiguous_comma": 1},
         finding="satisfaction_ambiguous_comma", says=("row 0", "12,345,678")),
    Case("score-decimal-comma", csv_scores(["4,5", "3"]), kw={"satisfaction_key": "score",
                                                           "satisfaction_scale": (1, 5)},
         rows=(2, 2, 0), finding="score_decimal_comma", says=("'score'", "row 0", "'4,5'",
                                                               "4.5"),
         check=scores_are(4.5, 3.0)),
    Case("score-decimal-comma-long", csv_scores(["1234,5", "-0,25"]),
         kw={"satisfaction_key": "score"}, rows=(2, 2, 0), finding="score_decimal_comma",
         says=("row 0", "row 1", "1234.5"), check=scores_are(1234.5, -0.25)),
    Case("score-comma-and-point", csv_scores(["1,234.5", "2"]), kw={"satisfaction_key": "score"},
         rows=(2, 1, 1), reasons={"satisfaction_not_numeric": 1},
         finding="satisfaction_not_numeric", says=("'score'", "row 0", "1,234.5")),
    Case("score-percent", csv_scores(["85%", "92 %", "7,5%", "60"]),
         kw={"satisfaction_key": "score"}, rows=(4, 4, 0), finding="score_percent",
         says=("'score'", "row 0", "'85%'", "-> 85", "row 2", "7.5"),
         check=scores_are(85.0, 92.0, 7.5, 60.0)),
    Case("score-percent-not-a-number", csv_scores(["%", "1,234%", "50%"]),
         kw={"satisfaction_key": "score"}, rows=(3, 1, 2),
         reasons={"satisfaction_not_numeric": 1, "satisfaction_ambiguous_comma": 1},
         finding="score_percent", says=("row 2", "'50%'"), check=scores_are(50.0)),
    Case("score-NaN-text-is-no-score", csv_scores(["NaN", "5"]), kw={"satisfaction_key": "score"},
         rows=(2, 2, 0), finding="null_spellings", says=("'score'", "'NaN'", "without a score"),
         check=scores_are(None, 5.0)),
    Case("score-bool-column", frame_of(score=[True, False]), kw={"satisfaction_key": "score"},
         rows=(2, 2, 0), finding="score_boolean", says=("'score'", "row 0", "1 and 0"),
         check=scores_are(1.0, 0.0)),
    Case("score-bool-in-text", frame_of(score=pd.Series([True, "4"], dtype=object)),
         kw={"satisfaction_key": "score"}, rows=(2, 1, 1),
         reasons={"satisfaction_not_numeric": 1}, finding="satisfaction_not_numeric",
         says=("row 0", "True")),
    Case("score-complex-column", frame_of(score=[1 + 2j, 2, 3]), kw={"satisfaction_key": "score"},
         rows=(3, 0, 3), reasons={"satisfaction_not_numeric": 3},
         finding="satisfaction_not_numeric", says=("'score'", "row 0", "(1+2j)")),
    Case("score-decimal-objects", frame_of(score=pd.Series(
        [__import__("decimal").Decimal("4.5"), 2, None], dtype=object)),
         kw={"satisfaction_key": "score"}, rows=(3, 3, 0), check=scores_are(4.5, 2.0, None)),
    # objects and arrays in any field are kept as canonical JSON text (one rule, in reading)
    Case("channel-dict-as-json", frame_of(channel=pd.Series([{"a": 1}, "web"], dtype=object)),
         rows=(2, 2, 0), finding="nested_values_as_json", says=("'channel'", "rows 0"),
         check=lambda log: log.events.sort_values("row")["channel"].astype(object).tolist()
         == ['{"a":1}', "web"]),
    Case("float-timestamp-inf", frame_of(timestamp=[1.7e9, np.inf]), rows=(2, 1, 1),
         reasons={"timestamp_out_of_range": 1}, finding="timestamp_out_of_range",
         says=("'timestamp'", "row 1", "inf")),
    # --- values that are not labels ------------------------------------------------------------
    Case("dict-case-id", frame_of(case_id=pd.Series([{"id": 1}, "b"], dtype=object)),
         rows=(2, 2, 0), finding="nested_values_as_json", says=("'case_id'", "rows 0"),
         check=lambda log: '{"id":1}' in set(log.cases)),
    Case("list-activity", frame_of(activity=pd.Series([["x", "y"], "z"], dtype=object)),
         rows=(2, 2, 0), finding="nested_values_as_json", says=("'activity'", "rows 0"),
         check=lambda log: '["x","y"]' in set(log.activities)),
    Case("tuple-case-id", frame_of(case_id=pd.Series([("a", 1), "b"], dtype=object)),
         rows=(2, 2, 0), finding="nested_values_as_json", says=("'case_id'", "rows 0")),
    Case("json-list-activity", lambda tmp_path: write_bytes(tmp_path, "e.jsonl", "\n".join(
        json.dumps(d) for d in [{"case_id": "a", "activity": ["x"], "timestamp": OK},
                                {"case_id": "a", "activity": {"k": 1}, "timestamp": OK2},
                                {"case_id": "a", "activity": "y", "timestamp": OK2}]).encode()),
         rows=(3, 3, 0), finding="nested_values_as_json", says=("'activity'", "rows 0, 1")),
    Case("bytes-case-id", frame_of(case_id=pd.Series([b"a", "b"], dtype=object)),
         rows=(2, 1, 1), reasons={"invalid_case_id": 1}, finding="invalid_case_id",
         says=("'case_id'", "row 0", "bytes")),
    Case("inf-case-id", frame_of(case_id=[np.inf, 1.0]), rows=(2, 1, 1),
         reasons={"invalid_case_id": 1}, finding="invalid_case_id", says=("row 0", "inf")),
    Case("bool-case-ids", frame_of(case_id=[True, False, True]), rows=(3, 3, 0),
         finding="boolean_labels", says=("'case_id'", "row 0", "'True'"),
         check=ids_are("False", "True")),
    Case("mixed-int-and-text-ids", frame_of(case_id=pd.Series([1, "1", 2], dtype=object)),
         rows=(3, 3, 0), finding="mixed_type_labels", says=("'case_id'", "row 0", "row 1"),
         check=ids_are("1", "2")),
    Case("true-and-1-stay-apart", frame_of(case_id=pd.Series([True, 1, "1"], dtype=object)),
         rows=(3, 3, 0), finding="mixed_type_labels", says=("'case_id'", "row 1", "row 2"),
         check=ids_are("1", "True")),
    Case("decimal-and-text-ids", frame_of(case_id=pd.Series(
        [__import__("decimal").Decimal("7"), "7", np.int64(8)], dtype=object)),
         rows=(3, 3, 0), finding="mixed_type_labels", says=("row 0", "row 1"),
         check=ids_are("7", "8")),
    Case("long-activity", frame_of(activity=["x" * 600, "y"]), rows=(2, 2, 0),
         finding="long_labels", says=("'activity'", "row 0"),
         check=lambda log: sorted(log.activities) == ["x" * 600, "y"]),
    Case("control-char-in-csv", csv_of([("a", "vis\x01it", OK), ("a", "buy", OK2)]),
         rows=(2, 2, 0), finding="control_characters", says=("'activity'", "row 0", "\\x01"),
         check=lambda log: sorted(log.activities) == ["buy", "vis\x01it"]),
    Case("nul-in-activity", frame_of(activity=["a\x00b", "c"]), rows=(2, 2, 0),
         finding="control_characters", says=("row 0", "\\x00"),
         check=lambda log: sorted(log.activities) == ["a\x00b", "c"]),
    Case("tab-inside-case-id", frame_of(case_id=["a\tb", "a\tb"]), rows=(2, 2, 0),
         finding="control_characters", says=("'case_id'", "\\t"), check=ids_are("a\tb")),
    Case("spaces-around-ids", ids_csv(" c1 ", "c1"), rows=(2, 2, 0),
         finding="labels_normalised", says=("'case_id'",), check=ids_are("c1")),
    # --- which column plays a role ---------------------------------------------------------------
    Case("activity-key-matches-two-columns",
         csv_of([("a", "x", "X", OK)], header=ACT2), kw={"activity_key": "ACTIVITY"},
         error=InvalidInputError, says=("activity_key='ACTIVITY'", "'activity', 'Activity'",
                                        "exact name")),
    Case("activity-key-exact-lower", csv_of([("a", "x", "X", OK)], header=ACT2),
         kw={"activity_key": "activity"}, rows=(1, 1, 0),
         check=lambda log: list(log.activities) == ["x"]),
    Case("activity-key-exact-upper", csv_of([("a", "x", "X", OK)], header=ACT2),
         kw={"activity_key": "Activity"}, rows=(1, 1, 0),
         check=lambda log: list(log.activities) == ["X"]),
    Case("activity-lookup-prefers-exact", csv_of([("a", "x", "X", OK)],
                                                 header=("case_id", "Activity", "activity",
                                                         "timestamp")),
         rows=(1, 1, 0), finding="column_choice", says=("'activity'", "'Activity'", "activity_key"),
         check=lambda log: list(log.activities) == ["X"]),
    Case("activity-lookup-two-spellings", csv_of([("a", "x", "X", OK)],
                                                 header=("case_id", "Activity", "ACTIVITY",
                                                         "timestamp")),
         rows=(1, 1, 0), finding="column_choice", says=("'Activity'", "'ACTIVITY'"),
         check=lambda log: list(log.activities) == ["x"]),
    Case("case-key-loose-single", ids_csv("c1"), kw={"case_id_key": "CASE_ID"}, rows=(1, 1, 0),
         finding="column_choice", says=("case_id_key='CASE_ID'", "'case_id'")),
    Case("duplicate-column-name", lambda tmp_path: pd.DataFrame(
        [["a", "x", "y", OK]], columns=["case_id", "activity", "activity", "timestamp"]),
         error=InvalidInputError, says=("'activity'", "2 columns named", "Rename")),
    Case("missing-key-names-candidates", ids_csv("c1"), kw={"case_id_key": "customer"},
         error=MissingColumnError, says=("'customer'", "Available columns", "case_id_key")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_value(case: Case, tmp_path):
    source = case.make(tmp_path)
    if case.error is not None:
        with pytest.raises(case.error) as err:
            jl.validate_events(source, **case.kw)
        for word in case.says:
            assert word in str(err.value), (word, str(err.value))
        return
    r = jl.validate_events(source, **case.kw)
    assert (r.rows_in, r.rows_kept, r.rows_quarantined) == case.rows, r.summary()
    assert r.rows_in == r.rows_kept + r.rows_quarantined + r.rows_set_aside
    got = r.quarantined["reason"].value_counts().to_dict() if len(r.quarantined) else {}
    assert got == case.reasons, r.summary()
    if case.finding is not None:
        found = [f for f in r.findings if f.code == case.finding]
        assert found, r.summary()
        f = found[0]
        assert f.column is not None and repr(f.column) in f.message, f.message
        for word in case.says:
            assert word in f.message + " " + f.fix, (word, f.message)
    # every quarantined row is explained by a finding naming its reason
    for code in got:
        assert any(f.code == code and f.severity == "error" for f in r.findings)
    if case.check is not None and r.rows_kept:
        log = jl.read_events(case.make(tmp_path), **case.kw)
        assert case.check(log) is not False


def test_enough_cases():
    assert len(CASES) >= 65


# --- hostile CSV content: a property test -------------------------------------------------------
NULLS = ["NULL", "None", "nan", "N/A", "n/a", "-", "", "  ", "NaN", "#N/A"]
_alphabet = st.sampled_from(list("abcXYZ019 _-.") + ["é", "e\u0301", "支", "🛒", "\t", "\x01",
                                                      "\x1b", "\x7f", "\u200b", "ß", "İ"])
labels = st.one_of(st.lists(_alphabet, max_size=6).map("".join), st.sampled_from(NULLS),
                   st.sampled_from(["9007199254740993", "9007199254740992", "1", "01", "1.0",
                                    "True", "None ", " a "]))
good_times = st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
                          max_value=pd.Timestamp("2090-01-01").to_pydatetime())
times = st.one_of(
    good_times.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    good_times.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+02:00"),
    good_times.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S") + ",25"),
    good_times.map(lambda d: d.strftime("%Y-%m-%d %H:%M") + " UTC"),
    good_times.map(lambda d: d.strftime("%Y-%m-%d %H:%M") + " EST"),
    st.sampled_from(["1500-01-01", "9999-12-31 23:59:59", "0001-01-01", "2262-04-12",
                     "1677-09-21", "45292.5", "1700000000", "1700000000000", "-1", "0",
                     "2024-03-31 02:30:00", "2024-13-45", "yesterday", "∞", "2024-01-01\x01"]),
    st.sampled_from(NULLS))
scores = st.one_of(st.integers(-5, 15).map(str), st.floats(-100, 100, allow_nan=False).map(repr),
                   st.sampled_from(["inf", "-inf", "Infinity", "1,234", "4,5", "0,75", "1e3",
                                    "1,234.5", "five", "½", "1e400", " 3 "]),
                   st.sampled_from(NULLS))
hostile_rows = st.lists(st.tuples(labels, labels, times, scores), min_size=1, max_size=30)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _number(text: str) -> float:
    t = text.strip()
    if re.fullmatch(r"[+-]?\d*,\d+", t) and not re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+", t):
        t = t.replace(",", ".")
    return float(t)


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rs=hostile_rows, assume_tz=st.sampled_from(["UTC", "Europe/Amsterdam"]))
def test_hostile_csv_keeps_accounting_and_exact_values(tmp_path, rs, assume_tz):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(["case_id", "activity", "timestamp", "score"])
    w.writerows(rs)
    path = write_bytes(tmp_path, "hostile.csv", buf.getvalue().encode("utf-8"))
    try:
        r = jl.validate_events(path, satisfaction_key="score", sep=",", assume_timezone=assume_tz)
    except JourneylabError:
        return
    assert r.rows_in == len(rs) == r.rows_kept + r.rows_quarantined + r.rows_set_aside
    assert r.quarantined["row"].is_unique
    errors = sum(f.rows for f in r.findings if f.severity == "error" and f.code != "empty_log")
    assert errors == r.rows_quarantined
    if not r.rows_kept:
        return
    log = jl.read_events(path, satisfaction_key="score", sep=",", assume_timezone=assume_tz)
    for row, case_id, activity, ts, score in log.events[
            ["row", "case_id", "activity", "timestamp", "satisfaction"]].itertuples(index=False):
        src = rs[row]
        assert case_id == _norm(src[0]) and activity == _norm(src[1])
        assert _norm(src[0]).lower() not in {n.strip().lower() for n in NULLS}
        if math.isnan(score):
            assert src[3].strip().lower() in {n.strip().lower() for n in NULLS}
        else:
            assert score == _number(src[3])
        stamp = src[2]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(,25)?", stamp):
            want = pd.Timestamp(stamp.replace(",", "."))
            got = ts.tz_convert(None) if ts.tzinfo is not None else ts
            if ts.tzinfo is not None and assume_tz != "UTC":
                want = want.tz_localize(assume_tz).tz_convert(None)
            assert got == want
        elif stamp.endswith("+02:00"):
            assert ts == pd.Timestamp(stamp)
        assert not stamp.endswith(" EST")
