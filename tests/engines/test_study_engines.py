"""A study opened with engine= gives the memory study's tables over every journey, and a
seeded sample in memory for the rest; the command line's --engine writes the same files."""
from __future__ import annotations

import pandas as pd
import pytest

import journeylab as jl
from journeylab.cli import main

EXACT_FROM_ENGINE = ("dfg", "nodes")  # the funnel is by segment here: from the sample


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("study") / "events.csv"
    jl.generate_journeys(800, random_state=11).events.to_csv(path, index=False)
    return path


def test_engine_study_tables_equal_the_memory_study(events_csv, tmp_path):
    mem = jl.open_study(str(events_csv), output_dir=str(tmp_path / "m"))
    eng = jl.open_study(str(events_csv), output_dir=str(tmp_path / "d"), engine="duckdb",
                        sample_journeys=300, random_state=2)
    assert eng.engine_log is not None and eng.full_journeys.n_cases == mem.journeys.n_cases
    assert 150 < eng.journeys.n_cases < 450  # the sample in memory
    assert eng.engine_log.schema.instruments == mem.log.schema.instruments  # found in the sample
    assert any("engine duckdb" in note for note in eng.notes)
    a = jl.tabulate_paths(mem, max_steps=4)
    b = jl.tabulate_paths(eng, max_steps=4)
    for name in EXACT_FROM_ENGINE:
        pd.testing.assert_frame_equal(b[name], a[name], check_dtype=False, check_exact=False,
                                      rtol=1e-9)
    cols = list(b["variants"].columns)
    pd.testing.assert_frame_equal(b["variants"], a["variants"][cols], check_dtype=False,
                                  check_exact=False, rtol=1e-9)
    # the sample is whole journeys of the log, read with every column
    sample_cases = set(map(str, eng.journeys.cases))
    assert sample_cases <= set(map(str, mem.journeys.cases))
    assert set(eng.log.attribute_columns()) == set(mem.log.attribute_columns())
    again = jl.open_study(str(events_csv), output_dir=str(tmp_path / "d2"), engine="duckdb",
                          sample_journeys=300, random_state=2)
    assert list(again.journeys.cases) == list(eng.journeys.cases)


def test_cli_paths_with_engine_writes_the_memory_dfg(events_csv, tmp_path, capsys):
    assert main(["paths", str(events_csv), "--out", str(tmp_path / "m")]) == 0
    assert main(["paths", str(events_csv), "--out", str(tmp_path / "d"), "--engine",
                 "duckdb", "--memory-limit", "1GB"]) == 0
    out = capsys.readouterr().out
    assert "From the engine, over every journey" in out
    for name in ("dfg", "nodes"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "d" / f"{name}.csv"),
                                      pd.read_csv(tmp_path / "m" / f"{name}.csv"),
                                      check_exact=False, rtol=1e-9)


def test_study_parameters_check_the_engine(events_csv):
    with pytest.raises(jl.InvalidInputError, match="engine"):
        jl.check_parameters(engine="polars")
    assert jl.check_parameters(events_path="lake.events", engine="spark")["engine"] == "spark"
    with pytest.raises(jl.InvalidInputError, match="no such file"):
        jl.check_parameters(events_path="lake.events", engine="duckdb")
