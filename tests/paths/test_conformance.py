"""Conformance: alignments belong to their variants, checked against pm4py and by hand.

A designed journey is a plain sequence, so an optimal alignment of a journey ``p`` with a
design ``d`` makes ``len(p) + len(d) - 2 * LCS(p, d)`` deviations and pm4py's fitness is
``1 - deviations / (len(p) + len(d))``; the tests use that as a pm4py-free reference.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pm4py
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylab as jl

DESIGN = ["social_ad", "browse_app", "add_to_cart_app", "checkout_app", "order_confirmation",
          "home_delivery"]


def lcs(a: tuple, b: tuple) -> int:
    """Length of the longest common subsequence (dynamic programming)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def paths_by_case(log: jl.EventLog) -> dict[str, tuple[str, ...]]:
    """Each journey's touchpoints in order, from the events table (not from variants)."""
    ev = log.to_pandas()
    return {str(c): tuple(g["activity"]) for c, g in ev.groupby("case_id", sort=False)}


def pm4py_fitness_by_case(log: jl.EventLog, design: list[str]) -> pd.Series:
    """pm4py's own alignment fitness per case id, on the pm4py-formatted events."""
    model = jl.designed_journey(design)
    with warnings.catch_warnings():  # pm4py's numpy.matrix chatter
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        traces = pm4py.convert_to_event_log(log.to_pm4py())
        diag = pm4py.conformance_diagnostics_alignments(traces, model.net, model.initial_marking,
                                                        model.final_marking,
                                                        return_diagnostics_dataframe=True)
    return diag.set_index(diag["case_id"].astype(str))["fitness"]


@pytest.fixture(scope="module")
def many_variants() -> jl.EventLog:
    truth = jl.generate_journeys(3000, random_state=1)
    return jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()


@pytest.fixture(scope="module")
def all_checked(many_variants) -> jl.ConformanceResult:
    return jl.check_conformance(many_variants, DESIGN)


def test_fitness_agrees_with_pm4py_on_hundreds_of_variants(many_variants, all_checked):
    log, res = many_variants, all_checked
    n_variants = len(jl.get_variants(log))
    assert 300 <= n_variants < 1000
    assert res.checked_share == 1.0 and len(res.journeys) == log.n_cases
    ours = res.journeys.set_index(res.journeys["case_id"].astype(str))
    theirs = pm4py_fitness_by_case(log, DESIGN).reindex(ours.index)
    assert theirs.notna().all()
    np.testing.assert_allclose(ours["fitness"].to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-9)
    # one fitness per variant, on both sides
    per_variant = pd.DataFrame({"variant": ours["variant"], "ours": ours["fitness"],
                                "theirs": theirs}).groupby("variant")
    assert (per_variant.nunique() == 1).all().all() and per_variant.ngroups == n_variants
    # deviations: the optimum for a sequence, and the exact design conforms
    paths = paths_by_case(log)
    m = len(DESIGN)
    for case, row in ours.iterrows():
        p = paths[case]
        expected = len(p) + m - 2 * lcs(p, tuple(DESIGN))
        assert row["deviations"] == expected
        assert row["fitness"] == pytest.approx(1 - expected / (len(p) + m), abs=1e-12)
        assert row["conforming"] == (p == tuple(DESIGN))
    assert ours["conforming"].any()


def test_deviations_are_attributed_to_their_variants(many_variants, all_checked):
    log, res = many_variants, all_checked
    table = res.deviations.set_index(["kind", "touchpoint"])["journeys"]
    paths = list(paths_by_case(log).values())
    designed = set(DESIGN)
    for touchpoint in set().union(*paths) - designed:  # never in the design: always extra
        assert table.loc[("extra", touchpoint)] == sum(touchpoint in p for p in paths)
    for step in DESIGN:  # a designed step a journey lacks is always skipped
        assert table.loc[("skipped", step)] >= sum(step not in p for p in paths)
    assert (table <= log.n_cases).all()
    np.testing.assert_allclose(res.deviations["share"], res.deviations["journeys"] / log.n_cases)


def test_results_do_not_depend_on_max_variants(many_variants):
    log = many_variants
    runs = {k: jl.check_conformance(log, DESIGN, max_variants=k) for k in (10, 50, 400)}
    frames = {k: r.journeys.set_index("case_id") for k, r in runs.items()}
    for small, big in ((10, 50), (50, 400), (10, 400)):
        a, b = frames[small], frames[big]
        assert a.index.isin(b.index).all()
        common = b.loc[a.index]
        assert (a["variant"] == common["variant"]).all()
        np.testing.assert_array_equal(a["fitness"].to_numpy(), common["fitness"].to_numpy())
        np.testing.assert_array_equal(a["deviations"].to_numpy(),
                                      common["deviations"].to_numpy())
        assert set(a.index[a["conforming"]]) == set(common.index[common["conforming"]])
        assert runs[small].checked_share < runs[big].checked_share
    exact = " > ".join(DESIGN)
    for frame in frames.values():
        conforming = frame[frame["conforming"]]
        assert len(conforming) and (conforming["variant"] == exact).all()
        assert (conforming["fitness"] == 1.0).all()


# ---------------------------------------------------------------- property: the design conforms
_PIECES = ["a", "b", "Z", "é", "ß", "日本", "→", " > ", ">>", "|", ",", ";", "'", '"', " "]
names = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map(
    lambda ps: "".join(ps).strip()).filter(bool)


@st.composite
def designed_logs(draw):
    """A design, many distinct other journeys, and a few journeys equal to the design."""
    design = draw(st.lists(names, min_size=1, max_size=5))
    others = draw(st.lists(names, min_size=1, max_size=4))
    pool = sorted(set(design) | set(others))
    seed = draw(st.integers(0, 2**32 - 1))
    n_random = draw(st.integers(12, 60))
    n_exact = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    journeys = {tuple(rng.choice(pool, size=rng.integers(1, 8)).tolist())
                for _ in range(n_random)}
    journeys.discard(tuple(design))
    journeys = sorted(journeys) + [tuple(design)] * n_exact
    order = rng.permutation(len(journeys))
    rows = [(f"c{k}", act, i) for k, j in zip(order, journeys) for i, act in enumerate(j)]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "step"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["step"], unit="min")
    return design, df.drop(columns="step")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designed_logs())
def test_the_design_conforms_however_many_variants(case):
    design, df = case
    log = jl.read_events(df)
    assert set(design) <= set(log.activities)  # names are read as written
    res = jl.check_conformance(log, design)
    assert res.checked_share == 1.0 and len(res.journeys) == log.n_cases
    paths = paths_by_case(log)
    target = tuple(design)
    for row in res.journeys.itertuples():
        p = paths[str(row.case_id)]
        d = len(p) + len(design) - 2 * lcs(p, target)
        assert row.deviations == d
        assert row.fitness == pytest.approx(1 - d / (len(p) + len(design)), abs=1e-12)
        if p == target:
            assert row.conforming and row.fitness == 1.0
        else:
            assert not row.conforming and row.fitness < 1.0
    assert res.journeys["conforming"].sum() == sum(p == target for p in paths.values()) >= 1


def test_touchpoints_holding_the_separator_or_the_skip_symbol():
    rows = [("ok", ">>"), ("ok", "b"), ("ok", "c > d"),
            ("twice", ">>"), ("twice", ">>"), ("twice", "b"), ("twice", "c > d"),
            ("split", ">>"), ("split", "b"), ("split", "c"), ("split", "d")]
    df = pd.DataFrame(rows, columns=["case_id", "activity"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(range(len(df)), unit="min")
    res = jl.check_conformance(jl.read_events(df), [">>", "b", "c > d"])
    j = res.journeys.set_index("case_id")
    assert j["conforming"].to_dict() == {"ok": True, "twice": False, "split": False}
    assert j["deviations"].to_dict() == {"ok": 0, "twice": 1, "split": 3}
    # "split" is another variant, and its text says so: the name holding " > " is quoted
    assert j.loc["ok", "variant"] == '>> > b > "c > d"'
    assert j.loc["split", "variant"] == ">> > b > c > d"
    dev = res.deviations.set_index(["kind", "touchpoint"])["journeys"].to_dict()
    assert dev == {("extra", ">>"): 1, ("extra", "c"): 1, ("extra", "d"): 1,
                   ("skipped", "c > d"): 1}
