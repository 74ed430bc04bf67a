"""EventLog: sorting, encoding, filters, sampling and pm4py conversion."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pm4py
import pytest

import journeylab as jl


def test_sorted_by_case_time_then_source_row():
    df = pd.DataFrame({"case_id": ["b", "a", "a", "a"], "activity": ["x", "second", "first", "z"],
                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-01"]})
    log = jl.read_events(df)
    assert log.events["activity"].astype(str).tolist() == ["z", "second", "first", "x"]
    assert log.events["row"].tolist() == [3, 1, 2, 0]
    assert log.case_offsets.tolist() == [0, 3, 4]
    assert log.case_codes.tolist() == [0, 0, 0, 1]
    assert list(log.activities) == ["first", "second", "x", "z"]
    assert log.activity_codes.tolist() == [3, 1, 0, 2]


def test_row_order_of_input_does_not_change_the_log(small_truth):
    ev = small_truth.events
    shuffled = ev.sample(frac=1, random_state=1)
    a = jl.read_events(ev, **small_truth.read_kwargs())
    b = jl.read_events(shuffled, **small_truth.read_kwargs())
    cols = ["case_id", "activity", "timestamp", "satisfaction"]
    pd.testing.assert_frame_equal(a.events[cols], b.events[cols])


def test_filters(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    mid = log.events["timestamp"].median()
    ev = log.filter_time(start=mid)
    assert (ev.events["timestamp"] >= mid).all() and ev.n_events < log.n_events
    cont = log.filter_time(end=mid, how="contained")
    assert (cont.case_table()["end"] < mid).all()
    started = log.filter_time(start=mid, how="started")
    assert (started.case_table()["start"] >= mid).all()
    inter = log.filter_time(start=mid, end=mid + pd.Timedelta(days=1), how="intersecting")
    assert inter.n_cases >= 1
    span = log.case_table()
    expected = span[(span["start"] < mid + pd.Timedelta(days=1)) & (span["end"] >= mid)]
    assert sorted(inter.cases) == sorted(expected["case_id"].astype(str))
    with pytest.raises(jl.InvalidInputError, match="how must be"):
        log.filter_time(how="sometimes")

    some = list(log.cases[:5])
    assert list(log.filter_cases(some).cases) == some
    assert log.filter_cases(some, keep=False).n_cases == log.n_cases - 5

    no_surveys = log.filter_activities(["csat_survey", "nps_survey"], keep=False)
    assert not no_surveys.events["activity"].isin(["csat_survey", "nps_survey"]).any()
    holders = log.filter_activities(["hold_queue"], how="cases")
    per_case = holders.events.groupby("case_id", observed=True)["activity"].apply(
        lambda s: (s == "hold_queue").any())
    assert per_case.all() and len(per_case) == holders.n_cases

    north = log.filter_attribute("region", ["north"])
    assert set(north.events["region"].astype(str)) == {"north"}
    with pytest.raises(jl.MissingColumnError, match="No column 'nope'"):
        log.filter_attribute("nope", [1])


def test_filtered_log_is_re_encoded_densely(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    sub = log.filter_activities(["browse_web", "checkout_web"])
    assert list(sub.activities) == ["browse_web", "checkout_web"]
    assert sub.activity_codes.max() == 1
    assert sub.case_codes.max() == sub.n_cases - 1
    assert sub.case_offsets[-1] == sub.n_events


def test_sampling_is_seeded(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    a = log.sample_cases(50, random_state=7)
    b = log.sample_cases(50, random_state=7)
    c = log.sample_cases(50, random_state=8)
    assert list(a.cases) == list(b.cases) and list(a.cases) != list(c.cases)
    assert a.n_cases == 50
    assert log.sample_cases(frac=0.5).n_cases == round(log.n_cases * 0.5)
    with pytest.raises(jl.InvalidInputError, match="exactly one of"):
        log.sample_cases()


def test_case_table_and_describe(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    cases = log.case_table()
    assert len(cases) == log.n_cases and cases["n_events"].sum() == log.n_events
    assert {"segment", "region", "converted"} <= set(cases.columns)  # constant per journey
    assert "revenue" not in cases.columns  # varies within journeys
    d = jl.describe_log(log).set_index("metric")["value"]
    assert d["journeys"] == 400 and d["events"] == log.n_events


def test_pm4py_round_trip_and_counts(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    frame = log.to_pm4py()
    assert frame["case:concept:name"].dtype == object
    formatted = pm4py.format_dataframe(frame.copy(), case_id="case:concept:name",
                                       activity_key="concept:name",
                                       timestamp_key="time:timestamp")
    assert pm4py.get_start_activities(formatted) == \
        log.events.groupby("case_id", observed=True)["activity"].first().astype(str)\
        .value_counts().to_dict()
    back = jl.EventLog.from_pm4py(frame)
    assert back.n_events == log.n_events and list(back.cases) == list(log.cases)


def test_eventlog_from_a_plain_frame_sorts_and_encodes():
    df = pd.DataFrame({"case_id": ["b", "a"], "activity": ["x", "y"],
                       "timestamp": pd.to_datetime(["2024-01-02", "2024-01-01"])})
    log = jl.EventLog(df)
    assert log.events["case_id"].astype(str).tolist() == ["a", "b"]
    with pytest.raises(jl.MissingColumnError, match="EventLog needs a 'activity' column"):
        jl.EventLog(df.drop(columns="activity"))


def test_timezone_aware_bounds(small_truth):
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
                       "timestamp": ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"]})
    log = jl.read_events(df)
    assert log.filter_time(start="2024-01-01T12:00:00").n_events == 1
    naive = jl.read_events(df.assign(timestamp=["2024-01-01", "2024-01-02"]))
    with pytest.raises(jl.InvalidInputError, match="pass a naive bound"):
        naive.filter_time(start=pd.Timestamp("2024-01-01", tz="UTC"))
    assert np.all(np.diff(log.timestamps_ns) > 0)


# ----------------------------------------------------------------------------- lifecycles
def lifecycle_frame(column: str = "lifecycle:transition") -> pd.DataFrame:
    """Two journeys of start/complete pairs (the W_ activities of BPIC 2012), one scheduled."""
    rows = [("c1", "call", "SCHEDULE", 0), ("c1", "call", "START", 1),
            ("c1", "call", "COMPLETE", 2),
            ("c1", "check", "START", 3), ("c1", "check", "COMPLETE", 4),
            ("c2", "check", "START", 0), ("c2", "check", "COMPLETE", 5),
            ("c2", "decide", "COMPLETE", 6), ("c2", "note", None, 7)]
    df = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", column, "minute"])
    df["time:timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.pop("minute"), unit="m")
    return df


def test_lifecycle_auto_keeps_completions_so_pairs_make_no_self_loops():
    df = lifecycle_frame()
    before = df.copy()
    log = jl.read_events(df)
    pd.testing.assert_frame_equal(df, before)  # the input is left as it was
    edges = jl.discover_dfg(log).edges
    assert not (edges["source"] == edges["target"]).any()
    assert log.events["activity"].astype(str).tolist() == ["call", "check", "check", "decide",
                                                           "note"]  # empty value: kept
    r = log.report
    assert (r.rows_in, r.rows_kept, r.rows_quarantined, r.rows_set_aside) == (9, 5, 0, 4)
    assert r.rows_in == r.rows_kept + r.rows_quarantined + r.rows_set_aside
    assert r.ok  # setting aside is not an error
    assert sorted(r.set_aside["value"]) == ["SCHEDULE", "START", "START", "START"]
    assert set(r.set_aside["reason"]) == {"lifecycle_not_complete"}
    assert r.lifecycle["counts"] == {"COMPLETE": 4, "START": 3, "SCHEDULE": 1}
    assert r.lifecycle["kept"] == ["COMPLETE"] and r.lifecycle["column"] == "lifecycle:transition"
    finding = next(f for f in r.findings if f.code == "lifecycle_complete_kept")
    assert finding.column == "lifecycle:transition" and finding.rows == 4
    text = r.summary()
    assert "set aside by lifecycle 4" in text and "START 3" in text
    assert "lifecycle='all'" in text  # how to keep every event
    d = r.to_dict()
    assert d["rows_set_aside"] == 4 and d["set_aside_reasons"] == {"lifecycle_not_complete": 4}


def test_lifecycle_all_keeps_every_event_and_says_so():
    log = jl.read_events(lifecycle_frame(), lifecycle="all")
    r = log.report
    assert (r.rows_kept, r.rows_set_aside) == (9, 0)
    edges = jl.discover_dfg(log).edges.set_index(["source", "target"])
    assert edges.loc[("check", "check"), "events"] == 2  # the start/complete self-loops
    assert any(f.code == "lifecycle_column" and "lifecycle='auto'" in f.fix for f in r.findings)
    assert jl.validate_events(lifecycle_frame(), lifecycle="all").rows_set_aside == 0


def test_completions_only_are_left_untouched_with_a_finding():
    df = lifecycle_frame()
    df = df[df["lifecycle:transition"] == "COMPLETE"].assign(**{"lifecycle:transition": "complete"})
    for mode in ("auto", "complete"):
        r = jl.validate_events(df, lifecycle=mode)
        assert (r.rows_in, r.rows_kept, r.rows_set_aside) == (4, 4, 0)
        f = next(f for f in r.findings if f.code == "lifecycle_column")
        assert "completions only" in f.message and f.column == "lifecycle:transition"


def test_lifecycle_under_other_names_and_statuses_that_are_not_transitions():
    df = lifecycle_frame("event_type").rename(columns={"event_type": "Event_Type"})
    r = jl.validate_events(df)
    assert (r.rows_kept, r.rows_set_aside) == (5, 4) and r.lifecycle["column"] == "Event_Type"
    clicks = lifecycle_frame("event_type").assign(event_type="click")
    assert jl.validate_events(clicks).lifecycle["column"] is None  # not a lifecycle column
    with pytest.raises(jl.InvalidInputError, match="lifecycle='all'"):
        jl.validate_events(clicks, lifecycle="complete")
    statuses = lifecycle_frame().assign(**{"lifecycle:transition": "In Progress"})
    r = jl.validate_events(statuses)  # BPIC 2013 incidents: statuses, not transitions
    assert r.rows_set_aside == 0 and r.rows_kept == 9
    assert any(f.code == "lifecycle_column" and "In Progress 9" in f.message for f in r.findings)
    with pytest.raises(jl.InvalidInputError, match="no completion value"):
        jl.validate_events(statuses, lifecycle="complete")
    with pytest.raises(jl.InvalidInputError, match="lifecycle must be"):
        jl.validate_events(statuses, lifecycle="completes")


def test_lifecycle_accounting_balances_with_quarantined_rows():
    df = lifecycle_frame()
    df.loc[1, "case:concept:name"] = None  # a START without a case: quarantined, not set aside
    df.loc[4, "time:timestamp"] = pd.NaT  # a COMPLETE without a time: quarantined
    r = jl.validate_events(df)
    assert (r.rows_in, r.rows_kept, r.rows_quarantined, r.rows_set_aside) == (9, 4, 2, 3)
    assert set(r.set_aside["row"]).isdisjoint(r.quarantined["row"])


def test_a_large_unordered_log_is_sorted_like_lexsort_with_ties_in_row_order():
    """Above a million rows the sort runs in DuckDB; the order must be NumPy's stable
    (case, time) order, ties in input order."""
    import numpy as np

    from journeylab.core.encode import _ENGINE_SORT_ROWS, sort_order

    rng = np.random.default_rng(7)
    n = _ENGINE_SORT_ROWS + 1_000
    case = rng.integers(0, n // 4, n).astype(np.int32)
    ts = rng.integers(0, 30, n).astype(np.int64)  # many ties within a case
    assert sort_order(case, ts).tolist() == np.lexsort((ts, case)).tolist()


def test_large_text_is_encoded_the_way_its_layout_calls_for_into_the_same_codes():
    """From a million rows, ids in no order go to DuckDB, ids in runs (journey order) are
    hashed where they change, few distinct values in one hash table; the codes and
    categories are those of the pandas path for the same values."""
    import numpy as np
    import pyarrow as pa

    from journeylab.core.encode import encode_labels
    from journeylab.core.factorize import _ENGINE_TEXT_ROWS, layout

    rng = np.random.default_rng(3)
    n = _ENGINE_TEXT_ROWS + 1_000
    shuffled = np.char.add("C", rng.integers(0, n // 5, n).astype(str)).astype(object)
    shuffled[rng.integers(0, n, 50)] = None
    in_runs = np.sort(shuffled[shuffled != None].astype(str)).astype(object)  # noqa: E711
    in_runs[rng.integers(0, len(in_runs), 50)] = None
    few = rng.choice(["visit", "cart", "buy"], n).astype(object)
    probe = 1 << 16
    for ids, way in ((shuffled, "duckdb"), (in_runs, "runs"), (few, "hash")):
        assert layout(pa.array(ids[:probe], pa.large_string()), len(ids)) == way
        codes, cats, _ = encode_labels(pd.Series(ids, dtype="str"))
        want_codes, want_cats, _ = encode_labels(pd.Series(ids, dtype=object))
        assert list(cats) == list(want_cats) == sorted(set(ids) - {None})
        assert np.array_equal(codes, want_codes)
        assert (codes == -1).sum() == sum(v is None for v in ids)


def test_a_large_shuffled_log_reads_as_the_same_log_as_in_order():
    """Above a million rows the rows are sorted by DuckDB with their labels carried along:
    reading them shuffled gives the same events (row numbers aside) as reading them in
    order, and quarantines the same bad rows and exact copies."""
    import numpy as np

    from journeylab.core.encode import _ENGINE_SORT_ROWS

    rng = np.random.default_rng(11)
    n = _ENGINE_SORT_ROWS + 5_000
    case = np.sort(rng.integers(0, n // 6, n))
    step = np.arange(n) - np.searchsorted(case, case)  # position within the journey
    df = pd.DataFrame({
        "case_id": np.char.add("J", case.astype(str)),
        "activity": rng.choice(["visit", "cart", "buy", "help"], n),
        "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(step * 60 + case % 50,
                                                                  unit="s"),
        "channel": rng.choice(["web", "app", "store"], n),
        "stage": rng.choice(["aware", "buy", "use"], n),
    })
    df.loc[rng.choice(n, 40, replace=False), "activity"] = None  # quarantined
    copies = df.iloc[rng.choice(n, 60, replace=False)]  # exact copies, quarantined
    in_order = pd.concat([df, copies]).sort_values(["case_id", "timestamp"], kind="stable")
    shuffled = in_order.sample(frac=1, random_state=3)
    roles = dict(channel_key="channel", stage_key="stage")
    a, b = jl.read_events(in_order, **roles), jl.read_events(shuffled, **roles)
    assert a.report.rows_quarantined == b.report.rows_quarantined >= 60 + 40 - 2
    assert list(a.events.columns) == list(b.events.columns)
    _assert_same_columns(a.events, b.events, a.events.columns.drop("row"))
    # the row column still names each event's own source row
    src = shuffled.reset_index(drop=True)
    assert (src["activity"].to_numpy()[b.events["row"]] == b.events["activity"].astype(str)).all()


def test_sort_rows_carries_columns_into_the_stable_order():
    """DuckDB's sort with columns carried along equals NumPy's stable order and gathers,
    dtypes kept."""
    import numpy as np

    from journeylab.core.encode import _ENGINE_SORT_ROWS, sort_rows

    rng = np.random.default_rng(5)
    n = _ENGINE_SORT_ROWS + 1_000
    case = rng.integers(0, n // 4, n).astype(np.int32)
    ts = rng.integers(0, 30, n).astype(np.int64)
    label = rng.integers(-1, 100, n).astype(np.int8)
    order, taken = sort_rows(case, ts, {"activity": label})
    want = np.lexsort((ts, case))
    assert np.array_equal(order, want)
    for key, values in (("case_id", case), ("timestamp", ts), ("activity", label)):
        assert taken[key].dtype == values.dtype and np.array_equal(taken[key], values[want])


def test_a_large_shuffled_parquet_numbers_its_ids_as_it_reads_into_the_same_log(tmp_path):
    """A Parquet file of a million rows or more whose journey ids come in no order has them
    numbered by DuckDB as it reads the file (no text of them held): the log, the
    quarantine (missing ids, null spellings) and the trimmed, odd ids are those of the same
    rows read from a DataFrame; a column name holding quotes is read as it is."""
    import numpy as np

    from journeylab.core.encode import _ENGINE_SORT_ROWS
    from journeylab.core.schema import Schema
    from journeylab.io import read_table

    rng = np.random.default_rng(12)
    n = _ENGINE_SORT_ROWS + 3_000
    case = rng.integers(0, n // 5, n)
    ids = np.char.add("Jé", case.astype(str)).astype(object)
    ids[rng.choice(n, 30, replace=False)] = None  # quarantined
    ids[rng.choice(n, 20, replace=False)] = "NULL"  # a null spelling: quarantined
    ids[rng.choice(n, 25, replace=False)] = " Jé7 "  # trimmed into journey Jé7
    key = 'case "id"'
    df = pd.DataFrame({
        key: pd.array(ids, dtype="str"),
        "activity": rng.choice(["visit", "cart", "buy", "help"], n),
        "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, n),
                                                                  unit="s"),
    })
    path = tmp_path / "shuffled.parquet"
    df.to_parquet(path, index=False)
    raw = read_table(path, schema=Schema(case_id_key=key))
    assert isinstance(raw.frame[key].dtype, pd.CategoricalDtype)  # numbered while read
    assert raw.frame[key].astype(object).where(raw.frame[key].notna(), None).tolist() == \
        df[key].astype(object).where(df[key].notna(), None).tolist()
    a, b = jl.read_events(df, case_id_key=key), jl.read_events(path, case_id_key=key)
    assert a.report.rows_quarantined == b.report.rows_quarantined == 50
    assert a.report.quarantined["row"].tolist() == b.report.quarantined["row"].tolist()
    _assert_same_columns(a.events, b.events, a.events.columns)
    assert "Jé7" in set(b.events["case_id"].cat.categories)


def _assert_same_columns(a: pd.DataFrame, b: pd.DataFrame, columns) -> None:
    """Equal columns, categoricals compared by categories and codes (a frame compare is
    slow on a million rows)."""
    import numpy as np

    for col in columns:
        x, y = a[col], b[col]
        if isinstance(x.dtype, pd.CategoricalDtype):
            assert x.cat.categories.equals(y.cat.categories), col
            assert np.array_equal(x.array.codes, y.array.codes), col
        else:
            assert x.equals(y), col


def test_intersecting_keeps_a_journey_spanning_the_window_as_pm4py_does():
    import pm4py

    log = jl.read_events(pd.DataFrame({
        "case_id": ["spans", "spans", "before", "before", "inside", "after"],
        "activity": ["x", "y", "x", "y", "x", "x"],
        "timestamp": ["2024-01-01", "2024-03-01", "2024-01-01", "2024-01-02", "2024-02-05",
                      "2024-03-01"]}))
    kept = log.filter_time("2024-02-01", "2024-02-15", how="intersecting")
    theirs = pm4py.filter_time_range(log.to_pm4py(), "2024-02-01 00:00:00",
                                     "2024-02-15 00:00:00", mode="traces_intersecting")
    assert sorted(kept.cases) == sorted(theirs["case:concept:name"].unique()) == \
        ["inside", "spans"]
