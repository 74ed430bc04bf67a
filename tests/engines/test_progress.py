"""Long engine steps say what they are doing; short ones stay quiet."""
from __future__ import annotations

import journeylab.engines.progress as progress


def test_a_slow_step_is_reported_in_text_and_a_fast_one_is_not(monkeypatch, capsys):
    with progress.engine_step("duckdb", "quick"):
        pass
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(progress, "SLOW_SECONDS", 0.0)
    with progress.engine_step("duckdb", "sorting events by journey"):
        pass
    assert capsys.readouterr().out.startswith("duckdb: sorting events by journey (")


def test_reading_into_an_engine_reports_its_steps(awkward, monkeypatch, capsys):
    import journeylab as jl

    monkeypatch.setattr(progress, "SLOW_SECONDS", 0.0)
    _, kwargs, parquet, _ = awkward
    log = jl.read_events(str(parquet), **kwargs, engine="duckdb")
    jl.discover_dfg(log)
    out = capsys.readouterr().out
    assert "duckdb: reading, validating and sorting events by journey" in out
    assert "duckdb: directly-follows graph with times" in out
