"""Every input format, checked against an independent reader where one exists (pm4py)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pm4py
import pytest

import journeylab as jl


@pytest.fixture(scope="module")
def pm4py_frame(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    return log.to_pm4py()


def test_xes_matches_pm4py_reader(tmp_path, pm4py_frame):
    path = tmp_path / "log.xes"
    pm4py.write_xes(pm4py_frame[["case:concept:name", "concept:name", "time:timestamp",
                                 "channel", "satisfaction"]], str(path))
    theirs = pm4py.read_xes(str(path))
    ours = jl.read_events(path)
    assert ours.n_events == len(theirs)
    assert ours.n_cases == theirs["case:concept:name"].nunique()
    pairs = lambda df, c, a: sorted(zip(df[c].astype(str), df[a].astype(str)))  # noqa: E731
    assert pairs(ours.events, "case_id", "activity") == \
        pairs(theirs, "case:concept:name", "concept:name")
    assert ours.events["timestamp"].min() == pd.Timestamp(theirs["time:timestamp"].min())
    assert ours.events["timestamp"].max() == pd.Timestamp(theirs["time:timestamp"].max())


def test_xes_gz_and_trace_attributes(tmp_path, pm4py_frame):
    path = tmp_path / "log.xes.gz"
    frame = pm4py_frame[["case:concept:name", "concept:name", "time:timestamp"]].copy()
    frame["case:segment"] = "vip"
    pm4py.write_xes(frame, str(path))
    ours = jl.read_events(path)
    assert ours.n_events == len(frame)
    assert set(ours.events["case:segment"]) == {"vip"}
    assert "case:segment" in ours.case_table().columns


def test_parquet_jsonl_csv_agree(tmp_path, small_truth):
    ev = small_truth.events
    base = jl.read_events(ev, **small_truth.read_kwargs())
    ev.to_parquet(tmp_path / "e.parquet")
    base.write(tmp_path / "e.jsonl")
    base.write(tmp_path / "e.csv")
    for name in ("e.parquet", "e.jsonl", "e.csv"):
        other = jl.read_events(tmp_path / name, **small_truth.read_kwargs())
        assert other.n_events == base.n_events and other.n_cases == base.n_cases, name
        assert other.events["activity"].astype(str).tolist() == \
            base.events["activity"].astype(str).tolist(), name
        assert other.timestamps_ns.tolist() == base.timestamps_ns.tolist(), name
        pd.testing.assert_series_equal(other.events["satisfaction"], base.events["satisfaction"],
                                       check_names=False)


def test_duckdb_relation_and_database_table(tmp_path, basic_frame):
    con = duckdb.connect()
    con.register("src", basic_frame)
    rel = con.sql("select * from src where activity <> 'leave'")
    assert jl.read_events(rel).n_events == 4
    db = tmp_path / "events.duckdb"
    with duckdb.connect(str(db)) as c:
        c.register("src", basic_frame)
        c.execute("create table events as select * from src")
        c.execute("create table other as select 1 as x")
    assert jl.read_events(db, table="events").n_events == 5
    with pytest.raises(jl.InvalidInputError, match="pass table= to choose one"):
        jl.read_events(db)


def test_catalogue_fills_stage_and_channel(tmp_path, basic_frame):
    cat = tmp_path / "tp.csv"
    cat.write_text("activity,stage,channel\nvisit,consideration,web\ncart,purchase,web\n"
                   "buy,purchase,store\n")
    log = jl.read_events(basic_frame, catalogue=cat)
    got = log.events.set_index("activity")[["stage", "channel"]].astype(object)
    assert got.loc["buy"].tolist() == ["purchase", "store"]
    assert pd.isna(got.loc["leave", "stage"])
    f = {x.code: x for x in log.report.findings}["activity_not_in_catalogue"]
    assert "'leave'" in f.message and f.rows == 1
    as_dict = jl.read_events(basic_frame, catalogue={"visit": ("consideration", "web")})
    assert as_dict.events.loc[as_dict.events["activity"] == "visit", "channel"].iloc[0] == "web"


def test_catalogue_errors_are_clear():
    with pytest.raises(jl.InvalidInputError, match="needs an 'activity' column"):
        jl.read_catalogue(pd.DataFrame({"name": ["x"], "stage": ["s"]}))
    with pytest.raises(jl.InvalidInputError, match="lists 'x' more than once"):
        jl.read_catalogue(pd.DataFrame({"activity": ["x", "x"], "stage": ["s", "t"]}))


def test_pm4py_column_names_are_found_without_mapping(pm4py_frame):
    log = jl.read_events(pm4py_frame)
    assert log.schema.case_id_key == "case:concept:name"
    assert {f.code for f in log.report.findings} >= {"role_mapped"}


def test_input_frame_is_never_modified(basic_frame):
    before = basic_frame.copy(deep=True)
    log = jl.read_events(basic_frame)
    log.filter_time("2024-03-02").to_pandas()
    pd.testing.assert_frame_equal(basic_frame, before)


def test_scan_events_pushes_filters_and_samples_whole_journeys(tmp_path, small_truth):
    path = tmp_path / "big.parquet"
    small_truth.events.to_parquet(path)
    full = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    rel = jl.scan_events(path, where="activity <> 'csat_survey'", memory_limit="256MB",
                         temp_directory=str(tmp_path / "spill"))
    assert jl.read_events(rel, **small_truth.read_kwargs()).n_events == \
        full.filter_activities(["csat_survey"], keep=False).n_events
    a = jl.read_events(jl.scan_events(path, case_id_key="case_id", frac=0.3, random_state=1))
    b = jl.read_events(jl.scan_events(path, case_id_key="case_id", frac=0.3, random_state=1))
    c = jl.read_events(jl.scan_events(path, case_id_key="case_id", frac=0.3, random_state=2))
    assert list(a.cases) == list(b.cases) != list(c.cases)
    assert 0.2 * full.n_cases < a.n_cases < 0.4 * full.n_cases
    whole = full.filter_cases(a.cases)
    assert whole.n_events == a.n_events  # sampled journeys arrive complete
    narrow = jl.scan_events(path, columns=["case_id", "activity", "timestamp"])
    assert narrow.columns == ["case_id", "activity", "timestamp"]
    with pytest.raises(jl.InvalidInputError, match="pass case_id_key="):
        jl.scan_events(path, frac=0.5)


def test_reading_only_some_columns(tmp_path, small_truth):
    path = tmp_path / "e.parquet"
    small_truth.events.to_parquet(path)
    log = jl.read_events(path, columns=["case_id", "activity", "timestamp", "region"])
    assert list(log.events.columns) == ["case_id", "activity", "timestamp", "region", "row"]
    with pytest.raises(jl.MissingColumnError, match="No column 'nope'"):
        jl.read_events(path, columns=["case_id", "nope"])


def test_parquet_dictionaries_per_row_group_read_as_arrow_reads_them(tmp_path):
    """Row groups with their own dictionaries (some repeated, with missing values, one
    ordered column) give the values and categories pyarrow's own conversion gives."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from journeylab.io.formats import arrow_frame

    groups = [["b", "a", None, "b"], ["c", "c", "a", "d"], ["b", "a", None, "b"], []]
    stage = pa.DictionaryArray.from_arrays(pa.array([1, 0, 1]), pa.array(["early", "late"]),
                                           ordered=True)
    path = tmp_path / "groups.parquet"
    with pq.ParquetWriter(path, pa.schema([("case", pa.dictionary(pa.int32(), pa.string())),
                                           ("n", pa.int64()), ("at", pa.int64())])) as w:
        for i, g in enumerate(groups):
            w.write_table(pa.table({"case": pa.array(g, pa.string()).dictionary_encode(),
                                    "n": pa.array(range(len(g)), pa.int64()),
                                    "at": pa.array([1_700_000_000 + i] * len(g), pa.int64())}))
    table = pq.read_table(path)
    ours, theirs = arrow_frame(table), pq.read_table(path).to_pandas()
    assert list(ours.columns) == ["case", "n", "at"]
    assert ours["case"].astype(object).where(ours["case"].notna(), None).tolist() == \
        theirs["case"].astype(object).where(theirs["case"].notna(), None).tolist()
    assert set(ours["case"].cat.categories) == {"a", "b", "c", "d"}
    assert ours["n"].tolist() == theirs["n"].tolist()
    t = pa.table({"stage": stage, "x": [1.0, 2.0, 3.0]})
    got = arrow_frame(t)["stage"]
    assert got.cat.ordered and list(got.cat.categories) == ["early", "late"]
    assert got.tolist() == ["late", "early", "late"]
    log = jl.read_events(path, case_id_key="case", activity_key="n", timestamp_key="at",
                         timestamp_format="epoch_s")
    assert log.report.rows_in == log.report.rows_kept + log.report.rows_quarantined == 12
    assert log.report.rows_quarantined == 2  # the two missing case ids


def test_parquet_categorical_of_many_ids_reads_the_same_values(tmp_path):
    """A pandas categorical of many ids (every row group repeats the whole list of
    categories, the slow case of Arrow's dictionary reader) is read by another route: the
    values, missing ones and row order are those pyarrow's conversion gives; a declared
    order of a column with many values is kept."""
    import numpy as np
    import pyarrow.parquet as pq

    from journeylab.io.formats import read_parquet

    rng = np.random.default_rng(7)
    n = 30_000
    ids = np.unique([f"c-{v:016x}" for v in rng.integers(0, 2**63, 15_000)])
    case = pd.Categorical(rng.choice(ids, n), categories=np.append(ids, "never-seen"))
    case[rng.choice(n, 50, replace=False)] = np.nan
    levels = [f"level {i:05d}" for i in range(6_000)]
    frame = pd.DataFrame({
        'the "case" id': case,
        "activity": pd.Categorical(rng.choice(["a", "b", "c"], n)),
        "level": pd.Categorical(rng.choice(levels, n), categories=levels[::-1], ordered=True),
        "at": np.arange(n, dtype=np.int64)})
    path = tmp_path / "many.parquet"
    frame.to_parquet(path, row_group_size=7_000)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 5
    first = meta.row_group(0).column(0)  # the ids' dictionary page: the many-values case
    assert first.data_page_offset - first.dictionary_page_offset > 1 << 16
    ours = read_parquet(path).frame
    theirs = pq.read_table(path).to_pandas()
    assert list(ours.columns) == list(theirs.columns)
    for col in theirs.columns:
        assert ours[col].astype(object).where(ours[col].notna(), None).tolist() == \
            theirs[col].astype(object).where(theirs[col].notna(), None).tolist(), col
    assert ours['the "case" id'].isna().sum() == 50
    assert ours["level"].cat.ordered and list(ours["level"].cat.categories) == levels[::-1]
    log = jl.read_events(path, case_id_key='the "case" id', activity_key="activity",
                         timestamp_key="at", timestamp_format="epoch_s", duplicates="keep")
    assert log.report.rows_in == n and log.report.rows_quarantined == 50
    assert log.n_cases == pd.Series(case).dropna().nunique()


def test_parquet_written_with_pandas_index_reads_its_rows(tmp_path):
    # a filtered or shuffled frame saved as it is: pandas stores its row labels as a column
    df = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "activity": ["x", "y", "x", "z"],
                       "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02",
                                                    "2024-01-03", "2024-01-04"])})
    df.iloc[[3, 0, 2, 1]].to_parquet(tmp_path / "labels.parquet")
    df.set_index("case_id").to_parquet(tmp_path / "named.parquet")  # a named index is data
    df.set_index(["case_id", "activity"]).to_parquet(tmp_path / "multi.parquet")
    for name in ("labels", "named", "multi"):
        for engine in ("memory", "duckdb"):
            log = jl.read_events(tmp_path / f"{name}.parquet", engine=engine)
            assert log.n_events == 4 and log.n_cases == 2, (name, engine)
            assert log.report.rows_in == 4
        mem = jl.read_events(tmp_path / f"{name}.parquet")
        assert list(mem.events.columns[:3]) == ["case_id", "activity", "timestamp"]
        assert not any(str(c).startswith("__index_level") for c in mem.events.columns)
        assert jl.discover_dfg(mem).to_dict() == {("x", "y"): 1, ("x", "z"): 1}
