"""Every engine gives the memory path's maps, variants, journey matrix and funnels, on a
log with ties in time, one-event journeys, unicode names, time zones and a duplicate."""
from __future__ import annotations

import sys

import pandas as pd
import pytest

import journeylab as jl

from .conftest import ENGINES

TIMES = dict(check_exact=False, rtol=1e-9, atol=1e-9)
VARIANT_COLUMNS = ["variant", "length", "cases", "share", "cum_share", "median_duration_s"]


@pytest.mark.parametrize("engine", ENGINES)
def test_dfg_and_performance_dfg_equal_memory(engine_logs, engine):
    mem, other = jl.discover_dfg(engine_logs["memory"]), jl.discover_dfg(engine_logs[engine])
    pd.testing.assert_frame_equal(other.edges, mem.edges, check_dtype=False, **TIMES)
    pd.testing.assert_frame_equal(other.nodes, mem.nodes, check_dtype=False)
    assert other.n_cases == mem.n_cases == engine_logs[engine].n_cases
    assert other.to_dict() == mem.to_dict()


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_dfg_equals_pm4py(awkward, engine_logs, engine):
    sys._pm4py_welcome_shown = True
    import pm4py

    frame = engine_logs["memory"].to_pm4py()
    dfg, starts, ends = pm4py.discover_dfg(frame)
    got = jl.discover_dfg(engine_logs[engine])
    assert got.to_dict() == {k: int(v) for k, v in dfg.items()}
    assert got.start_activities == {k: int(v) for k, v in starts.items()}
    assert got.end_activities == {k: int(v) for k, v in ends.items()}


@pytest.mark.parametrize("engine", ENGINES)
def test_variants_equal_memory(engine_logs, engine):
    mem = jl.get_variants(engine_logs["memory"])[VARIANT_COLUMNS]
    got = jl.get_variants(engine_logs[engine])
    pd.testing.assert_frame_equal(got, mem, check_dtype=False, **TIMES)
    top = jl.get_variants(engine_logs[engine], top=5)
    pd.testing.assert_frame_equal(top, mem.head(5), check_dtype=False, **TIMES)
    assert any("電話" in v for v in got["variant"])  # unicode names come through intact


@pytest.mark.parametrize("engine", ENGINES)
def test_journey_matrix_equals_memory(engine_logs, engine):
    mem = jl.journey_matrix(engine_logs["memory"]).drop(columns="mean_satisfaction")
    got = jl.journey_matrix(engine_logs[engine])
    pd.testing.assert_frame_equal(got, mem, check_dtype=False, **TIMES)
    assert got.attrs["rate"] == mem.attrs["rate"] == "end_rate"


@pytest.mark.parametrize("engine", ENGINES)
def test_journey_matrix_when_a_stage_is_called_unmapped(tmp_path, spark, engine):
    """Events without a stage or a channel make the unmapped cell; a stage of the log's
    own with that name keeps cells of its own, as in memory."""
    from journeylab.paths.funnels import UNMAPPED

    frame = pd.DataFrame({
        "case_id": ["a", "a", "a", "b", "b", "c"],
        "activity": ["x", "y", "z", "x", "y", "z"],
        "timestamp": pd.date_range("2024-01-01", periods=6, freq="h", tz="UTC"),
        "channel": ["web", None, "web", "web", "app", "web"],
        "stage": ["s1", "s2", UNMAPPED, "s1", None, UNMAPPED]})
    path = tmp_path / "cells.parquet"
    frame.to_parquet(path)
    kwargs = dict(channel_key="channel", stage_key="stage")
    mem = jl.journey_matrix(jl.read_events(frame, **kwargs))
    got = jl.journey_matrix(jl.read_events(str(path), **kwargs, engine=engine,
                                           **({"spark": spark} if engine == "spark" else {})))
    pd.testing.assert_frame_equal(got, mem.drop(columns="mean_satisfaction", errors="ignore"),
                                  check_dtype=False, **TIMES)
    cell = got[(got["stage"] == UNMAPPED) & (got["channel"] == UNMAPPED)]
    assert cell["customers"].tolist() == [2] and cell["events"].tolist() == [2]
    own = got[(got["stage"] == UNMAPPED) & (got["channel"] == "web")]
    assert own["customers"].tolist() == [2] and own["events"].tolist() == [2]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("steps,on", [
    (["awareness", "consideration", "purchase"], "stage"),
    (["visité «site»", ["add_to_cart_web", "call 'support' \\ 電話"], "checkout_web"], "activity"),
])
def test_funnel_equals_memory(engine_logs, engine, steps, on):
    mem = jl.compute_funnel(engine_logs["memory"], steps, on=on)
    got = jl.compute_funnel(engine_logs[engine], steps, on=on)
    pd.testing.assert_frame_equal(got, mem, check_dtype=False, **TIMES)
    assert mem["customers"].iloc[0] > mem["customers"].iloc[-1] > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_default_funnel_steps_and_stage_order_equal_memory(engine_logs, engine):
    assert jl.stage_order(engine_logs[engine]) == jl.stage_order(engine_logs["memory"])
    assert jl.default_funnel_steps(engine_logs[engine]) == \
        jl.default_funnel_steps(engine_logs["memory"])


@pytest.mark.parametrize("engine", ENGINES)
def test_quarantine_counts_rows_in_as_kept_plus_set_aside(awkward, engine_logs, engine):
    ev = awkward[0]
    mem, got = engine_logs["memory"].report, engine_logs[engine].report
    assert got.rows_in == len(ev) == mem.rows_in
    assert got.rows_kept == mem.rows_kept == engine_logs[engine].n_events
    assert got.rows_in == got.rows_kept + got.rows_quarantined
    assert got.reasons == {"duplicate_event": mem.rows_quarantined} and mem.rows_quarantined > 0


@pytest.mark.parametrize("engine", ENGINES)
def test_csv_with_mixed_utc_offsets_equals_memory(awkward, spark, engine):
    """Times written with different offsets are the same instants in every engine; an exact
    copy is a copy of the text, as in the memory path."""
    _, kwargs, _, csv = awkward
    mem = jl.read_events(str(csv), **kwargs)
    got = jl.read_events(str(csv), **kwargs, engine=engine,
                         **({"spark": spark} if engine == "spark" else {}))
    assert got.report.rows_kept == mem.report.rows_kept
    pd.testing.assert_frame_equal(jl.discover_dfg(got).edges, jl.discover_dfg(mem).edges,
                                  check_dtype=False, **TIMES)
    pd.testing.assert_frame_equal(jl.get_variants(got), jl.get_variants(mem)[VARIANT_COLUMNS],
                                  check_dtype=False, **TIMES)


@pytest.mark.parametrize("engine", ENGINES)
def test_unreadable_rows_are_quarantined_with_their_reason(tmp_path, spark, engine):
    frame = pd.DataFrame({"case_id": ["a", "a", None, "b", "b", "c"],
                          "activity": ["x", "y", "x", "", "y", "z"],
                          "timestamp": ["2024-01-01 10:00", "2024/01/01 10:05:00.250",
                                        "2024-01-01", "2024-01-02", "not a time",
                                        "2024-01-03"]})
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    log = jl.read_events(str(path), engine=engine,
                         **({"spark": spark} if engine == "spark" else {}))
    assert log.report.reasons == {"bad_timestamp": 1, "missing_activity": 1,
                                  "missing_case_id": 1}
    assert (log.report.rows_in, log.report.rows_kept) == (6, 3)
    dfg = jl.discover_dfg(log)
    assert dfg.to_dict() == {("x", "y"): 1}
    assert dfg.edges["mean_s"].tolist() == [300.25]  # slashes read as ISO dates, to the ms


@pytest.mark.parametrize("engine", ENGINES)
def test_a_log_with_nothing_usable_says_why(tmp_path, spark, engine):
    path = tmp_path / "none.csv"
    pd.DataFrame({"case_id": ["a"], "activity": ["x"], "timestamp": ["soon"]}).to_csv(
        path, index=False)
    with pytest.raises(jl.EmptyLogError, match="bad_timestamp: 1"):
        jl.read_events(str(path), engine=engine,
                       **({"spark": spark} if engine == "spark" else {}))


def test_spark_is_given_encodings_by_its_own_names():
    from journeylab.engines.spark import spark_charset

    assert spark_charset("latin-1") == "iso-8859-1" and spark_charset("UTF8") == "utf-8"
    assert spark_charset("cp1252") is None and spark_charset("no-such") is None


@pytest.mark.parametrize("engine", ENGINES)
def test_a_frame_or_xes_is_validated_in_memory_then_handed_over(awkward, spark, engine):
    ev, kwargs, _, _ = awkward
    got = jl.read_events(ev, **kwargs, engine=engine,
                         **({"spark": spark} if engine == "spark" else {}))
    mem = jl.read_events(ev, **kwargs)
    assert got.engine == engine
    assert got.report.rows_quarantined == mem.report.rows_quarantined
    assert jl.discover_dfg(got).to_dict() == jl.discover_dfg(mem).to_dict()


def test_sample_is_whole_journeys_and_reproducible(engine_logs):
    a = engine_logs["duckdb"].sample(0.5, random_state=3)
    b = engine_logs["duckdb"].sample(0.5, random_state=3)
    c = engine_logs["duckdb"].sample(0.5, random_state=4)
    mem = engine_logs["memory"]
    assert list(a.cases) == list(b.cases) and list(a.cases) != list(c.cases)
    assert 0.3 * mem.n_cases < a.n_cases < 0.7 * mem.n_cases
    whole = mem.filter_cases(list(a.cases))
    assert a.n_events == whole.n_events
    assert jl.discover_dfg(a).to_dict() == jl.discover_dfg(whole).to_dict()


def test_engine_options_are_checked(awkward):
    ev, kwargs, parquet, _ = awkward
    with pytest.raises(jl.InvalidInputError, match="engine must be one of"):
        jl.read_events(str(parquet), **kwargs, engine="polars")
    with pytest.raises(jl.InvalidInputError, match="options of engine='duckdb'"):
        jl.read_events(ev, **kwargs, memory_limit="1GB")
    with pytest.raises(jl.InvalidInputError, match="engine's log"):
        jl.get_variants(jl.read_events(str(parquet), **kwargs, engine="duckdb"),
                        outcome="purchase")


def test_duckdb_memory_limit_and_spill_folder(awkward, tmp_path):
    _, kwargs, parquet, _ = awkward
    log = jl.read_events(str(parquet), **kwargs, engine="duckdb", memory_limit="200MB",
                         temp_directory=str(tmp_path / "spill"), threads=1)
    limit = log.connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "").upper().startswith(("190", "200"))
    assert (tmp_path / "spill").is_dir() and any((tmp_path / "spill").iterdir())
    assert jl.discover_dfg(log).n_cases == log.n_cases


@pytest.mark.parametrize("engine", ENGINES)
def test_logs_sharing_a_session_keep_their_own_tables(awkward, spark, engine_logs, engine):
    """A second log on the same Spark session or DuckDB connection, and a log without
    some touchpoints, leave the first log's tables alone."""
    ev, kwargs, _, _ = awkward
    first = engine_logs[engine]
    before = jl.discover_dfg(first).to_dict()
    small = ev[ev["case_id"].isin(ev["case_id"].unique()[:20])]
    second = jl.read_events(small, **kwargs, engine=engine,
                            **({"spark": spark} if engine == "spark" else {}))
    surveys = ["nps_survey", "csat_survey"]
    without = first.filter_activities(surveys, keep=False)
    assert jl.discover_dfg(first).to_dict() == before
    assert second.n_cases == 20 < first.n_cases
    mem = engine_logs["memory"].filter_activities(surveys, keep=False)
    assert jl.discover_dfg(without).to_dict() == jl.discover_dfg(mem).to_dict()
    pd.testing.assert_frame_equal(jl.get_variants(without), jl.get_variants(mem)[VARIANT_COLUMNS],
                                  check_dtype=False, **TIMES)


def test_table_names_are_renamed_only_where_a_table_is_named():
    from journeylab.engines.sql import DUCKDB, SPARK, rename_tables

    names = {"steps": "s_1", "events": "e_1"}
    assert rename_tables("SELECT count(*) AS events, 'FROM steps', \"steps\" FROM steps "
                         "JOIN events e", names, DUCKDB) == \
        "SELECT count(*) AS events, 'FROM steps', \"steps\" FROM s_1 JOIN e_1 e"
    assert rename_tables("CREATE VIEW events AS SELECT 'it\\'s' FROM `steps`, steps",
                         names, SPARK) == "CREATE VIEW e_1 AS SELECT 'it\\'s' FROM `steps`, steps"
