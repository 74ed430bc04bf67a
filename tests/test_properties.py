"""Property tests: row accounting always balances; load then export preserves events."""
from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylab as jl
from journeylab.core.encode import NULL_SPELLINGS

text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=8)
timestamps = st.one_of(
    st.datetimes(min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2030-01-01").to_pydatetime()).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    st.sampled_from(["", "garbage", "2024/02/03", "31.12.2024"]),
)
rows = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["a", "b", "c", " ", "ü"])),
                          st.one_of(st.none(), text), timestamps,
                          st.one_of(st.none(), st.integers(-3, 13))),
                min_size=0, max_size=40)


def frame_of(rs):
    return pd.DataFrame(rs, columns=["case_id", "activity", "timestamp", "score"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_row_accounting_always_balances(rs):
    df = frame_of(rs)
    r = jl.validate_events(df, satisfaction_key="score", satisfaction_scale=(0, 10))
    assert r.rows_in == len(df) == r.rows_kept + r.rows_quarantined
    assert r.quarantined["row"].is_unique
    errors = sum(f.rows for f in r.findings if f.severity == "error" and f.code != "empty_log")
    assert errors == r.rows_quarantined


clean_rows = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "ü-1", "x y"]),
              st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                      min_size=1, max_size=6).filter(  # a spelling of "no value" is not clean
                  lambda t: t.strip().lower() not in NULL_SPELLINGS),
              st.datetimes(min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
                           max_value=pd.Timestamp("2030-01-01").to_pydatetime()),
              st.one_of(st.none(), st.floats(0, 10, allow_nan=False).map(lambda v: round(v, 2)))),
    min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(clean_rows, st.sampled_from(["csv", "parquet", "jsonl"]))
def test_load_then_export_preserves_events(tmp_path_factory, rs, fmt):
    df = frame_of(rs)
    df["timestamp"] = pd.to_datetime(df["timestamp"]).dt.floor("s")
    first = jl.read_events(df, satisfaction_key="score")
    path = tmp_path_factory.mktemp("rt") / f"events.{fmt}"
    first.write(path, safe_for_spreadsheets=False)
    second = jl.read_events(path, satisfaction_key="score")
    cols = ["case_id", "activity", "timestamp", "satisfaction"]
    a, b = first.to_pandas()[cols], second.to_pandas()[cols]
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert second.report.rows_quarantined == 0  # what was kept once is kept again


@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from([0, 1, 2, 3, 4, 62, 63, 64, 90])),
                min_size=1, max_size=80),
       st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_distinct_journeys_per_group_match_a_set_count(items, extra_groups):
    """Journeys per group (nodes' and edges' "cases"), in log order and out of it, with up
    to 64 groups (one set of bits per journey) and more (a sort), equal a count of distinct
    (journey, group) pairs; groups nobody reaches count 0."""
    import numpy as np

    from journeylab.core.journeys import distinct_count, group_order

    n_groups = max(g for _, g in items) + 1 + extra_groups
    truth = [len({c for c, g in items if g == k}) for k in range(n_groups)]
    for rows in (sorted(items, key=lambda x: x[0]), items):  # log order, then any order
        cases = np.array([c for c, _ in rows])
        groups = np.array([g for _, g in rows])
        assert distinct_count(groups, cases, n_groups).tolist() == truth
        assert distinct_count(groups, cases, n_groups,
                              group_order(groups, n_groups)).tolist() == truth


@given(st.lists(st.lists(st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0]), min_size=3, max_size=3),
                min_size=1, max_size=40),
       st.lists(st.integers(1, 4), min_size=40, max_size=40))
@settings(max_examples=200, deadline=None)
def test_distinct_rows_match_numpy_unique(rows, weights):
    """The drivers' distinct rows (fitted once, with their multiplicity) are NumPy's
    ``unique(axis=0)``: the same rows in the same order, the same counts."""
    import numpy as np

    from journeylab.drivers.solve import distinct_rows

    Z = np.array(rows)
    w = np.array(weights[:len(Z)])
    U, inverse = np.unique(Z, axis=0, return_inverse=True)
    X, y, counts = distinct_rows(Z[:, :2], Z[:, 2])
    assert np.array_equal(np.column_stack([X, y]), U)
    assert counts.tolist() == np.bincount(inverse.ravel(), minlength=len(U)).tolist()
    _, _, summed = distinct_rows(Z[:, :2], Z[:, 2], w)
    assert summed.tolist() == np.bincount(inverse.ravel(), weights=w,
                                          minlength=len(U)).astype(int).tolist()


labels = st.text(alphabet=st.sampled_from(["a", "b", " ", ">", "!", "é", "\x00", "z"]),
                 min_size=0, max_size=4)
# runs of a value (as journey ids in journey order), missing values among them
runs = st.lists(st.tuples(st.one_of(st.none(), labels), st.integers(1, 4)), max_size=30).map(
    lambda rs: [v for v, k in rs for _ in range(k)])


@given(st.one_of(st.lists(st.one_of(st.none(), labels), min_size=0, max_size=60), runs))
@settings(max_examples=150, deadline=None)
def test_text_codes_are_the_same_grouping_every_way(values):
    """Large text is encoded by DuckDB (no order), by its runs (journey order) or by one
    hash table: each way gives each row the code of its own text (missing: -1), each
    distinct text once, byte for byte."""
    import numpy as np
    import pyarrow as pa

    from journeylab.core.factorize import factorize_text

    for how in ("duckdb", "runs", "hash"):
        codes, distinct = factorize_text(pa.array(values, pa.string()), how=how)
        seen = distinct.to_pylist()
        assert len(seen) == len(set(seen)) == len({v for v in values if v is not None})
        assert codes.dtype == np.int32
        assert [seen[c] if c >= 0 else None for c in codes] == values


paths = st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=6), min_size=1, max_size=30)
names = st.lists(st.text(alphabet=st.sampled_from(["a", "b", " ", ">", "-", "!"]), min_size=1,
                         max_size=3).filter(lambda s: s == s.strip()),
                 min_size=6, max_size=6, unique=True)


@given(paths, names)
@settings(max_examples=150, deadline=None)
def test_variant_keys_rank_paths_as_their_text_does(journeys, touchpoints):
    """Variants are ranked by their codes as bytes when the touchpoint names allow it: the
    same order as ranking their text (Python's order), and no keys when a name begins
    another's (``"a"`` and ``"a >"`` would order differently)."""
    import numpy as np

    from journeylab.core.journeys import variant_ids, variant_keys, variant_order, variant_text

    events = pd.DataFrame(
        [(f"c{i:03d}", touchpoints[a], pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=k))
         for i, steps in enumerate(journeys) for k, a in enumerate(steps)],
        columns=["case_id", "activity", "timestamp"])
    log = jl.read_events(events, null_values=())  # "-" is a touchpoint here
    ids, first = variant_ids(log)
    cases = np.bincount(ids)
    text = variant_text(log, first)
    keys = variant_keys(log, first)
    used = sorted(log.activities)
    prefix = any(b.startswith(a) for a in used for b in used if a != b)
    assert (keys is None) == prefix
    by_text = sorted(range(len(first)), key=lambda v: (-cases[v], text[v], v))
    assert variant_order(cases, text).tolist() == by_text
    if keys is not None:
        assert variant_order(cases, None, keys).tolist() == by_text


_SOME_CHARACTERS = "ab\x00\x1f\x7f\x80\x9f\xa0\xc2éÂ\u0100\U0001f600"


@given(st.lists(st.one_of(st.none(), st.text(alphabet=_SOME_CHARACTERS, max_size=6)),
                max_size=30))
@settings(max_examples=300, deadline=None)
def test_control_characters_are_flagged_exactly_as_the_pattern_finds_them(values):
    """Labels holding control characters are noted (kept): the check made from the bytes
    first flags exactly the values the pattern U+0000-U+001F, U+007F-U+009F matches,
    including the bytes 0xC2 0x80-0x9F that encode U+0080-U+009F and look-alikes that do
    not."""
    import re

    import pyarrow as pa

    from journeylab.core.encode import _text_flags

    truth = [v is not None and re.search("[\x00-\x1f\x7f-\x9f]", v) is not None for v in values]
    arr = pa.array(values, pa.large_string())
    assert _text_flags(arr, "control").tolist() == truth
    assert _text_flags(arr.slice(len(values) // 2), "control").tolist() == \
        truth[len(values) // 2:]
