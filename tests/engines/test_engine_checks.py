"""An engine reading a file itself keeps what the memory path keeps: labels trimmed, the
usual spellings of no value missing, Unicode composed (DuckDB), timestamps outside
1677-2262 or named by a zone abbreviation unreadable, numbers read as epoch times, CSVs in
Latin-1 or UTF-16, a line with too many fields left out and counted."""
from __future__ import annotations

import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import journeylab as jl

from .conftest import ENGINES

KEYS = dict(case_id_key="case", activity_key="act", timestamp_key="ts")


def _both(path, engine, spark, **kw):
    mem = jl.read_events(str(path), **KEYS, **kw)
    got = jl.read_events(str(path), **KEYS, **kw, engine=engine,
                         **({"spark": spark} if engine == "spark" else {}))
    return mem, got


def _same_paths(mem, got):
    assert got.report.rows_in == mem.report.rows_in
    assert got.report.rows_kept == mem.report.rows_kept
    assert got.n_cases == mem.n_cases
    assert jl.discover_dfg(got).to_dict() == jl.discover_dfg(mem).to_dict()
    cols = ["variant", "cases", "median_duration_s"]
    pd.testing.assert_frame_equal(jl.get_variants(got)[cols], jl.get_variants(mem)[cols],
                                  check_dtype=False)


MESSY = [("1", "visit", "2024-01-01 10:00"), ("1", " buy", "2024-01-01 10:01"),
         (" 1", "buy ", "2024-01-01 10:02"), ("2", "N/A", "2024-01-01 10:00"),
         ("2", "visit", "2024-01-01 10:01"), ("NULL", "visit", "2024-01-01 10:00"),
         ("  ", "visit", "2024-01-01 10:00"), ("none", "buy", "2024-01-01 10:00"),
         ("3", "visit", "2300-01-01 10:00"), ("3", "buy", "1600-01-01 10:00"),
         ("3", "buy", "2024-01-02 10:00"), ("4", "visit", "2024-01-01 10:00 EST"),
         ("4", "buy", "2024-01-01 10:05 UTC"), ("4", "visit", "2024-01-01T10:06:00Z")]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize("engine", ENGINES)
def test_messy_labels_and_times_are_kept_as_the_memory_path_keeps_them(tmp_path, spark,
                                                                         engine, kind):
    frame = pd.DataFrame(MESSY, columns=["case", "act", "ts"])
    path = tmp_path / f"messy.{kind}"
    frame.to_csv(path, index=False) if kind == "csv" else frame.to_parquet(path, index=False)
    mem, got = _both(path, engine, spark)
    assert mem.report.rows_quarantined == 7  # N/A, NULL, blank, none, two years, EST
    _same_paths(mem, got)
    assert got.report.reasons == {"missing_case_id": 3, "missing_activity": 1,
                                  "bad_timestamp": 3}


def test_duckdb_composes_unicode_as_the_memory_path_does(tmp_path):
    nfd = unicodedata.normalize("NFD", "é3")
    path = tmp_path / "nfd.parquet"
    pd.DataFrame({"case": [nfd, "é3"], "act": ["visit", "buy"],
                  "ts": ["2024-01-01 10:00", "2024-01-01 10:01"]}).to_parquet(path)
    mem, got = _both(path, "duckdb", None)
    assert mem.n_cases == got.n_cases == 1
    _same_paths(mem, got)


@pytest.mark.parametrize("engine", ENGINES)
def test_numbers_are_read_as_epoch_times_of_the_unit_their_size_tells(tmp_path, spark, engine):
    seconds = tmp_path / "seconds.csv"
    pd.DataFrame({"case": ["a", "a", "b", "b"], "act": ["x", "y", "x", "y"],
                  "ts": ["1704103200", "1704103260.5", "1704103200", "1704110400"]}
                 ).to_csv(seconds, index=False)
    millis = tmp_path / "millis.parquet"
    pq.write_table(pa.table({"case": ["a", "a", "b"], "act": ["x", "y", "x"],
                             "ts": pa.array([1704103200000, 1704103260250, 1704103200000],
                                            pa.int64())}), millis)
    for path, median in ((seconds, 3630.25), (millis, 60.25)):
        mem, got = _both(path, engine, spark)
        _same_paths(mem, got)
        assert jl.discover_dfg(got).edges["median_s"].tolist() == [median]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_duckdb_reads_latin1_and_utf16_csvs_and_counts_lines_it_cannot_split(tmp_path,
                                                                             encoding):
    path = tmp_path / "events.csv"
    path.write_text("case,act,ts\n1,café,2024-01-01 10:00\n1,b,2024-01-01 10:01,extra\n"
                    "1,b,2024-01-01 10:02\n2,café,2024-01-01 10:00\n", encoding=encoding)
    mem, got = _both(path, "duckdb", None)
    assert got.report.reasons == {"malformed_line": 1}
    assert got.report.rows_in == got.report.rows_kept + got.report.rows_quarantined == 4
    _same_paths(mem, got)
    assert "café" in jl.get_variants(got)["variant"].iloc[0]


def test_duckdb_hands_a_cp1252_csv_to_journeylabs_reader(tmp_path):
    path = tmp_path / "euro.csv"
    path.write_bytes("case,act,ts\n1,€uro,2024-01-01 10:00\n1,b,2024-01-01 10:01\n"
                     .encode("cp1252"))
    mem, got = _both(path, "duckdb", None)
    assert jl.get_variants(got)["variant"].tolist() == ["€uro > b"]
    assert "encoding_guessed" in {f.code for f in got.report.findings}
