"""Paths: checked against pm4py, hand-computed cases and the generator's planted process."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pm4py
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylab as jl


def pm4py_view(df: pd.DataFrame) -> pd.DataFrame:
    """pm4py's own formatting of the same raw rows (it sorts and ties by row itself)."""
    out = pm4py.format_dataframe(df.copy(), case_id="case_id", activity_key="activity",
                                 timestamp_key="timestamp")
    return out.astype({"case:concept:name": object, "concept:name": object})


def assert_same_as_pm4py(df: pd.DataFrame) -> None:
    ours = jl.read_events(df, duplicates="keep")
    theirs = pm4py_view(df)
    dfg, start, end = pm4py.discover_dfg(theirs)
    mine = jl.discover_dfg(ours)
    assert mine.to_dict() == dfg
    assert mine.start_activities == start and mine.end_activities == end
    perf, _, _ = pm4py.discover_performance_dfg(theirs)
    e = mine.edges.set_index(["source", "target"])
    for key, stats in perf.items():
        assert e.loc[key, "mean_s"] == pytest.approx(stats["mean"], abs=1e-6)
        assert e.loc[key, "median_s"] == pytest.approx(stats["median"], abs=1e-6)
    variants = {" > ".join(k): v for k, v in pm4py.get_variants(theirs).items()}
    v = jl.get_variants(ours)
    assert dict(zip(v["variant"], v["cases"])) == variants


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identical_to_pm4py_on_synthetic_logs(seed):
    ev = jl.generate_journeys(1500, random_state=seed, noise=0.05).events
    raw = ev[["case_id", "activity", "timestamp"]].astype(
        {"case_id": str, "activity": str}).sample(frac=1, random_state=seed)
    assert_same_as_pm4py(raw.reset_index(drop=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["c1", "c2", "c3", "c4"]),
                          st.sampled_from(["a", "b", "c", "ä d"]),
                          st.integers(0, 6)), min_size=1, max_size=40))
def test_identical_to_pm4py_on_random_logs_with_ties(rows):
    df = pd.DataFrame(rows, columns=["case_id", "activity", "minute"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.pop("minute"), unit="min")
    assert_same_as_pm4py(df)


@pytest.fixture
def hand_log():
    # c1: a b c b (hairpin b>c>b), c2: a a c (self-loop), c3: a b ; times in minutes
    rows = [("c1", "a", 0), ("c1", "b", 10), ("c1", "c", 30), ("c1", "b", 60),
            ("c2", "a", 0), ("c2", "a", 5), ("c2", "c", 65),
            ("c3", "a", 0), ("c3", "b", 20)]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "minute"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.pop("minute"), unit="min")
    df["converted"] = df["case_id"].isin(["c1"])
    df["segment"] = df["case_id"].map({"c1": "x", "c2": "x", "c3": "y"})
    return jl.read_events(df)


def test_hand_computed_dfg(hand_log):
    e = jl.discover_dfg(hand_log).edges.set_index(["source", "target"])
    assert e.loc[("a", "b"), "events"] == 2 and e.loc[("a", "b"), "cases"] == 2
    assert e.loc[("a", "b"), "median_s"] == 900.0  # 10 and 20 minutes
    assert e.loc[("a", "b"), "mean_s"] == 900.0
    assert e.loc[("a", "b"), "p90_s"] == pytest.approx(600 + 0.9 * 600)
    assert e.loc[("a", "a"), "events"] == 1 and e.loc[("a", "c"), "median_s"] == 3600.0
    assert set(e.index) == {("a", "b"), ("b", "c"), ("c", "b"), ("a", "a"), ("a", "c")}
    n = jl.discover_dfg(hand_log).nodes.set_index("activity")
    assert n.loc["a", "starts"] == 3 and n.loc["b", "ends"] == 2 and n.loc["c", "ends"] == 1
    assert n.loc["a", "events"] == 4 and n.loc["a", "cases"] == 3


def test_hand_computed_variants_and_coverage(hand_log):
    v = jl.get_variants(hand_log, outcome="converted")
    assert v["variant"].tolist() == ["a > a > c", "a > b", "a > b > c > b"]  # ties by text
    assert v["cases"].tolist() == [1, 1, 1]
    assert v["cum_share"].iloc[-1] == pytest.approx(1.0)
    assert v.set_index("variant").loc["a > b > c > b", "conversion"] == 1.0
    assert v.set_index("variant").loc["a > b", "median_duration_s"] == 1200.0
    assert len(jl.cover_variants(v, 0.5)) == 2 and len(jl.cover_variants(v, 0.3)) == 1


def test_hand_computed_loops_and_rework(hand_log):
    loops = jl.find_loops(hand_log).set_index("touchpoint")
    assert loops.loc["a", "self_loops"] == 1 and loops.loc["a", "self_loop_cases"] == 1
    assert loops.loc["b", "hairpins"] == 1 and loops.loc["b", "repeat_cases"] == 1
    assert loops.loc["a", "repeat_cases"] == 1 and loops.loc["a", "mean_repeats"] == 1.0
    rework = jl.journey_rework(hand_log).set_index("case_id")
    assert rework.loc["c1", "repeats"] == 1 and rework.loc["c2", "self_loops"] == 1
    assert rework["hairpins"].to_dict() == {"c1": 1, "c2": 0, "c3": 0}  # b > c > b


def test_channel_switches_count_only_known_channels_in_a_row():
    # hand counts: j1 web, -, web, app, app, -, web: 2 switches (web>app, app>web);
    # j2 -, app: none; j3 phone, web, phone: 2
    rows = [("j1", "web"), ("j1", None), ("j1", "web"), ("j1", "app"), ("j1", "app"),
            ("j1", None), ("j1", "web"), ("j2", None), ("j2", "app"),
            ("j3", "phone"), ("j3", "web"), ("j3", "phone")]
    log = jl.read_events(pd.DataFrame({
        "case_id": [c for c, _ in rows], "activity": [f"t{i}" for i in range(len(rows))],
        "channel": [ch for _, ch in rows],
        "timestamp": pd.date_range("2024-01-01", periods=len(rows), freq="h")}))
    switches = jl.journey_rework(log).set_index("case_id")["channel_switches"]
    assert switches.to_dict() == {"j1": 2, "j2": 0, "j3": 2}


def test_hand_computed_dropoffs_and_funnel(hand_log):
    d = jl.find_dropoffs(hand_log, outcome="converted").set_index("touchpoint")
    assert d.loc["c", "dropoffs"] == 1 and d.loc["b", "dropoffs"] == 1  # c1 converted
    assert d.loc["b", "reach"] == 2 and d.loc["b", "dropoff_rate"] == 0.5
    f = jl.compute_funnel(hand_log, ["a", "b", "c"])
    assert f["customers"].tolist() == [3, 2, 1]
    assert f["conversion_from_previous"].tolist()[1:] == [2 / 3, 0.5]
    assert f.loc[1, "median_time_s"] == 900.0 and f.loc[2, "median_time_s"] == 1200.0
    by = jl.compute_funnel(hand_log, ["a", "c"], by="segment")
    assert by.set_index(["segment", "step"]).loc[("x", 2), "customers"] == 2
    assert by.set_index(["segment", "step"]).loc[("y", 2), "customers"] == 0
    with pytest.raises(jl.InvalidInputError, match="'zzz' is not a activity"):
        jl.compute_funnel(hand_log, ["a", "zzz"])


def test_without_an_outcome_endings_are_ends_not_dropoffs(hand_log):
    # c1 ends at b, c2 at c, c3 at b: a normal end is not a drop-off
    d = jl.find_dropoffs(hand_log)
    assert not [c for c in d.columns if c.startswith("dropoff") or "dropoffs" in c]
    assert list(d.columns) == ["touchpoint", "reach", "ends", "end_rate", "share_of_ends"]
    assert d.attrs["measure"] == "ends" and "no outcome" in d.attrs["description"]
    d = d.set_index("touchpoint")
    assert d["ends"].to_dict() == {"b": 2, "c": 1, "a": 0}
    assert d.loc["b", "end_rate"] == 1.0 and d.loc["c", "end_rate"] == 0.5
    assert d.loc["b", "share_of_ends"] == pytest.approx(2 / 3)
    assert d["ends"].sum() == hand_log.n_cases  # every journey ends exactly once


def test_with_an_outcome_dropoffs_leave_out_converted_journeys(hand_log):
    d = jl.find_dropoffs(hand_log, outcome="converted")
    assert d.attrs["measure"] == "dropoffs" and "ends" not in d.columns
    d = d.set_index("touchpoint")
    assert d["dropoffs"].sum() == 2  # c1 converted: its end at b is not a drop-off
    assert d.loc["b", "dropoffs"] == 1 and d.loc["b", "share_of_dropoffs"] == 0.5
    by_touchpoints = jl.find_dropoffs(hand_log, outcome=["c"]).set_index("touchpoint")
    assert by_touchpoints["dropoffs"].to_dict() == {"b": 1, "a": 0, "c": 0}  # only c3 lost


def test_journey_matrix_names_its_rate_by_the_outcome(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    plain = jl.journey_matrix(log)
    assert "end_rate" in plain and not [c for c in plain.columns if "dropoff" in c]
    assert plain.attrs["rate"] == "end_rate" and plain.attrs["measure"] == "ends"
    with_outcome = jl.journey_matrix(log, outcome="converted")
    assert with_outcome.attrs["rate"] == "dropoff_rate" and "end_rate" not in with_outcome
    assert (with_outcome["dropoff_rate"] <= plain["end_rate"] + 1e-12).all()


def test_funnel_requires_order(hand_log):
    # c2 meets c only after a; nobody meets b after c except c1 -> step 3 counts c1 only
    f = jl.compute_funnel(hand_log, ["a", "c", "b"])
    assert f["customers"].tolist() == [3, 2, 1]


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_one_event_never_reaches_two_steps_and_ties_keep_the_log_order(tmp_path, engine):
    t, h = pd.Timestamp("2024-01-01 10:00"), pd.Timedelta("1h")
    path = tmp_path / "funnel.parquet"
    pd.DataFrame([("a", "visit", t), ("b", "visit", t), ("b", "visit", t + h),
                  ("b", "buy", t + 2 * h), ("c", "buy", t), ("c", "visit", t)],
                 columns=["case_id", "activity", "timestamp"]).to_parquet(path)
    log = jl.read_events(str(path), engine=engine)
    again = jl.compute_funnel(log, ["visit", "visit"])  # only b came back
    assert again["customers"].tolist() == [3, 1] and again["median_time_s"].iloc[1] == 3600
    overlap = jl.compute_funnel(log, ["visit", ["visit", "buy"]])
    assert overlap["customers"].tolist() == [3, 1]
    # c bought before it visited, in the same second (the source's order): no buy after it
    bought = jl.compute_funnel(log, ["visit", "buy"])
    assert bought["customers"].tolist() == [3, 1] and bought["median_time_s"].iloc[1] == 7200


def test_hand_computed_step_matrix(hand_log):
    sm = jl.step_matrix(hand_log, max_steps=4)
    assert sm.loc["a", 1] == 1.0 and sm.loc["b", 2] == pytest.approx(2 / 3)
    assert sm.loc["(ended)", 3] == pytest.approx(1 / 3)
    assert sm.loc["(ended)", 4] == pytest.approx(2 / 3)
    assert np.allclose(sm.sum(axis=0), 1.0)
    anchored = jl.step_matrix(hand_log, anchor="c", max_steps=2, before=1)
    assert anchored.loc["c", 0] == 1.0 and anchored.loc["b", 1] == 0.5
    # c1 (a b c b) and c2 (a a c) meet c at their third step: three steps before it
    # neither has started; one step after it c2 has ended
    early = jl.step_matrix(hand_log, anchor="c", max_steps=2, before=3)
    assert early.loc["(not started)"].to_dict() == {-3: 1.0, -2: 0.0, -1: 0.0, 0: 0.0, 1: 0.0}
    assert early.loc["(ended)"].to_dict() == {-3: 0.0, -2: 0.0, -1: 0.0, 0: 0.0, 1: 0.5}
    assert np.allclose(early.sum(axis=0), 1.0)


def test_journey_matrix_on_synthetic(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    m = jl.journey_matrix(log, outcome="converted")
    assert list(m["stage"].cat.categories[:3]) == ["awareness", "consideration", "purchase"]
    assert m["events"].sum() == log.n_events
    phone = m[(m["stage"] == "service") & (m["channel"] == "phone")].iloc[0]
    assert "hold_queue" in phone["touchpoints"]
    customers = log.events.loc[(log.events["stage"] == "service") &
                               (log.events["channel"] == "phone"), "case_id"].nunique()
    assert phone["customers"] == customers
    assert m["mean_satisfaction"].between(0, 10).all()
    assert m["dropoff_rate"].between(0, 1).all()


def test_discovered_map_recovers_the_generating_process():
    truth = jl.generate_journeys(3000, random_state=4)  # default noise
    log = jl.read_events(truth.events, **truth.read_kwargs())
    dfg = jl.filter_dfg(log, min_edge_share=0.01)
    found = set(zip(dfg.edges["source"], dfg.edges["target"]))
    expected = truth.edges()
    precision = len(found & expected) / len(found)
    recall = len(found & expected) / len(expected)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    raw = jl.discover_dfg(log)
    assert len(raw.edges) > len(dfg.edges)  # the noise was there to remove


def test_filter_dfg_sliders(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    full = jl.filter_dfg(log)
    fewer = jl.filter_dfg(log, activity_coverage=0.6)
    assert fewer.edges["source"].nunique() < full.edges["source"].nunique()
    kept = set(fewer.nodes["activity"])
    assert set(fewer.edges["source"]) <= kept and set(fewer.edges["target"]) <= kept
    thin = jl.filter_dfg(log, path_coverage=0.3)
    assert len(thin.edges) < len(full.edges)
    for a in set(thin.edges["source"]) | set(thin.edges["target"]):  # nothing left floating
        assert (thin.edges["source"] == a).any() or (thin.edges["target"] == a).any()
    with pytest.raises(jl.InvalidInputError, match="path_coverage must be in"):
        jl.filter_dfg(log, path_coverage=0)


def test_compare_segments(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    a = log.filter_attribute("segment", ["new"], how="cases")
    b = log.filter_attribute("segment", ["returning"], how="cases")
    out = jl.compare_logs(a, b, labels=("new", "returning"))
    assert set(out) == {"edges", "variants", "kpis"}
    assert {"share_new", "share_returning", "share_diff"} <= set(out["edges"].columns)
    assert out["kpis"].set_index("metric").loc["journeys", "new"] == a.n_cases


def test_dead_points_rank_the_planted_long_waits(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    dead = jl.find_dead_points(log, min_cases=3, top=5)
    assert dead["median_s"].is_monotonic_decreasing
    assert dead["median_s"].iloc[0] > 5 * 86_400  # loyalty/repurchase waits are weeks


def test_conformance_hand_cases():
    rows = [("ok", "a"), ("ok", "b"), ("ok", "c"), ("skip", "a"), ("skip", "c"),
            ("extra", "a"), ("extra", "x"), ("extra", "b"), ("extra", "c")]
    df = pd.DataFrame(rows, columns=["case_id", "activity"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(range(len(df)), unit="min")
    log = jl.read_events(df)
    res = jl.check_conformance(log, ["a", "b", "c"])
    j = res.journeys.set_index("case_id")
    assert j.loc["ok", "conforming"] and j.loc["ok", "fitness"] == 1.0
    assert j.loc["skip", "deviations"] == 1 and j.loc["extra", "deviations"] == 1
    dev = res.deviations.set_index(["kind", "touchpoint"])["journeys"].to_dict()
    assert dev == {("skipped", "b"): 1, ("extra", "x"): 1}
    assert res.checked_share == 1.0 and res.conforming_share == pytest.approx(1 / 3)


def test_process_models_replay_their_variants(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    model = jl.discover_process_model(log, coverage=0.3, noise_threshold=0.0)
    top = jl.cover_variants(jl.get_variants(log), 0.3)
    res = jl.check_conformance(log, model, max_variants=len(top))
    fit = res.journeys.set_index("variant")["fitness"]
    assert (fit.loc[top["variant"]] == 1.0).all()  # IMf without noise fits what it saw
    heur = jl.discover_process_model(log, method="heuristics", coverage=0.3)
    assert len(heur.net.transitions) > 0
    for notation in ("bpmn", "petri"):
        svg = jl.plot_process_model(model, notation=notation).pipe(format="svg")
        assert svg.startswith(b"<?xml") and b"<svg" in svg


@pytest.mark.parametrize("variants", [
    {"A B C": 3000, "A C": 500},  # A>C at 500/3000 is under IMf's noise of 0.2
    {"A B C D": 3000, "A B D": 400, "A D": 250},
    {"A B D": 1500, "A B B D": 200}])
def test_process_models_are_pm4py_s_on_the_same_journeys(variants):
    rows = [(f"c{n}-{i}", a, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=j))
            for n, (path, count) in enumerate(variants.items()) for i in range(count)
            for j, a in enumerate(path.split())]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    log = jl.read_events(df)
    ours = jl.discover_process_model(log, coverage=1.0, noise_threshold=0.2)
    theirs = pm4py.discover_process_tree_inductive(
        df, noise_threshold=0.2, case_id_key="case_id", activity_key="activity",
        timestamp_key="timestamp")
    assert str(ours.tree) == str(theirs)
    heur = jl.discover_process_model(log, method="heuristics", coverage=1.0)
    net, _, _ = pm4py.discover_petri_net_heuristics(
        df, dependency_threshold=0.5, case_id_key="case_id", activity_key="activity",
        timestamp_key="timestamp")
    assert sorted(str(t.label) for t in heur.net.transitions) == \
        sorted(str(t.label) for t in net.transitions)
    assert len(heur.net.arcs) == len(net.arcs) and len(heur.net.places) == len(net.places)


def test_designed_journey_files_are_read_safely(tmp_path):
    model = jl.designed_journey(["a", "b"])
    path = tmp_path / "d.pnml"
    pm4py.write_pnml(model.net, model.initial_marking, model.final_marking, str(path))
    again = jl.designed_journey(path)
    assert {t.label for t in again.net.transitions} >= {"a", "b"}
    evil = tmp_path / "evil.bpmn"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    "<definitions>&x;</definitions>")
    with pytest.raises(jl.UnsafeInputError):
        jl.designed_journey(evil)


def test_process_map_renders_names_as_text():
    evil = "<script>alert(1)</script>"
    df = pd.DataFrame({"case_id": ["c", "c", "d", "d"], "activity": [evil, "b\\n", evil, "b\\n"],
                       "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")})
    g = jl.plot_process_map(jl.discover_dfg(jl.read_events(df)), mode="time")
    svg = g.pipe(format="svg").decode()
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "b\\n" in svg  # a backslash in a name stays a backslash


def test_widget_twins_return_the_numbers_shown(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    pm = jl.ProcessMapExplorer(log, segment="segment")
    pm.path_coverage.value, pm.segment_value.value = 0.5, "new"
    twin = jl.filter_dfg(jl.select_journeys(log, segment="segment", value="new",
                                            start=pm.period.value[0], end=pm.period.value[1]),
                         activity_coverage=1.0, path_coverage=0.5)
    pd.testing.assert_frame_equal(pm.data().edges, twin.edges)
    ve = jl.VariantExplorer(log, outcome="converted")
    ve.coverage.value = 0.4
    pd.testing.assert_frame_equal(ve.data(), jl.cover_variants(
        jl.get_variants(log, outcome="converted"), 0.4))
    fb = jl.FunnelBuilder(log, segments=["segment"])
    fb.by.value = "segment"
    assert list(fb.steps.value) == ["awareness", "consideration", "purchase", "delivery"]
    pd.testing.assert_frame_equal(fb.data(), jl.compute_funnel(
        log, ["awareness", "consideration", "purchase", "delivery"], on="stage",
        by="segment"))


def _variant_ids_by_python_bytes(log):
    """Variant ids the slow, sure way: each journey's codes as Python bytes, factorised."""
    buf = log.activity_codes.astype(np.int32).tobytes()
    off = (log.case_offsets * 4).tolist()
    ids = pd.factorize(pd.Series([buf[a:b] for a, b in zip(off[:-1], off[1:])],
                                 dtype=object))[0]
    first = np.full(ids.max() + 1, -1, np.int64)
    first[ids[::-1]] = np.arange(len(ids))[::-1]
    return ids, first


def test_variant_grouping_agrees_with_python_bytes(small_truth):
    from journeylab.core.journeys import variant_ids, variant_text

    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    ids_h, first_h = variant_ids(log)
    ids_b, first_b = _variant_ids_by_python_bytes(log)
    assert ids_h.tolist() == ids_b.tolist() and first_h.tolist() == first_b.tolist()
    text_h, text_b = variant_text(log, first_h), variant_text(log, first_b)
    assert text_h[ids_h].tolist() == text_b[ids_b].tolist()  # same path for every journey
    assert len(set(text_h)) == len(text_h) == len(text_b)
    by_hand = log.events.groupby("case_id", observed=True)["activity"].agg(
        lambda s: " > ".join(s.astype(str)))
    assert text_h[ids_h].tolist() == by_hand.tolist()


def test_variants_of_more_touchpoints_than_two_bytes_hold_group_exactly():
    """Past 65,534 touchpoints each code takes four bytes in the variant keys: journeys
    whose codes would agree in their low two bytes stay apart."""
    from journeylab.core.journeys import variant_ids

    rng = np.random.default_rng(5)
    n_act = 70_000
    acts = np.r_[np.arange(n_act), rng.integers(0, n_act, 30_000)]
    cases = np.r_[np.arange(n_act) // 2, rng.integers(0, n_act // 2, 30_000)]
    events = pd.DataFrame({"case_id": cases.astype(str),
                           "activity": [f"t{a:05d}" for a in acts],
                           "timestamp": pd.Timestamp("2024-01-01")
                           + pd.to_timedelta(np.arange(len(acts)), unit="s")})
    events.loc[0:1, "activity"] = ["t00000", "t65535"]  # codes 0 and 65,535: low bytes agree
    log = jl.read_events(events)
    assert log.n_activities > 65_535
    ids, first = variant_ids(log)
    ids_b, first_b = _variant_ids_by_python_bytes(log)
    assert ids.tolist() == ids_b.tolist() and first.tolist() == first_b.tolist()


def test_quantiles_match_numpy_for_many_and_few_groups():
    from journeylab.core.journeys import group_quantiles

    rng = np.random.default_rng(0)
    for n_groups in (5, 30_000):
        groups = rng.integers(0, n_groups, 50_000)
        values = rng.exponential(100, 50_000).round(1)
        got = group_quantiles(groups, values, n_groups, (0.5, 0.9))
        for g in rng.choice(np.unique(groups), 20):
            assert got[g, 0] == pytest.approx(np.quantile(values[groups == g], 0.5))
            assert got[g, 1] == pytest.approx(np.quantile(values[groups == g], 0.9))


def test_journeys_per_group_over_many_blocks_equal_a_count_of_distinct_pairs():
    """The touchpoints' journeys are counted block by block of journeys (sets of bits): on
    more journeys than a block holds, with groups at the edge of 64 bits, each count equals
    pandas' count of distinct (journey, group) pairs, and the sort's count agrees."""
    from journeylab.core.journeys import distinct_count, group_order

    rng = np.random.default_rng(3)
    for n_groups in (64, 7):
        cases = np.sort(rng.integers(0, 700_000, 2_000_000))
        groups = rng.integers(0, n_groups, len(cases)).astype(np.int8)
        truth = (pd.DataFrame({"c": cases, "g": groups}).drop_duplicates()["g"]
                 .value_counts().reindex(range(n_groups), fill_value=0).to_numpy())
        assert distinct_count(groups, cases, n_groups).tolist() == truth.tolist()
        assert distinct_count(groups, cases, n_groups,
                              group_order(groups, n_groups)).tolist() == truth.tolist()


def test_side_by_side_returns_both_results_and_raises_what_either_raises():
    from journeylab.core.threads import side_by_side

    assert side_by_side(lambda: np.arange(3).sum(), lambda: "second") == (3, "second")
    with pytest.raises(ZeroDivisionError):
        side_by_side(lambda: 1, lambda: 1 / 0)
    with pytest.raises(KeyError):
        side_by_side(lambda: {}["x"], lambda: 2)


@pytest.fixture(scope="module")
def default_map():
    """The map notebook 01 draws on the 20,000-journey default data (33 touchpoints)."""
    truth = jl.generate_journeys(20000, random_state=42)
    log = jl.read_events(truth.events, instruments={"csat_survey": (1, 5),
                                                    "nps_survey": (0, 10)}).touchpoints()
    return jl.filter_dfg(log, activity_coverage=1.0, path_coverage=0.8, min_edge_share=0.01,
                         min_customers=5)


def node_positions(svg: str) -> list[tuple[float, float]]:
    """Centres of the node texts in the SVG's viewBox units (Graphviz's transform applied)."""
    import re

    scale = float(re.search(r'transform="scale\(([\d.]+)', svg).group(1))
    tx, ty = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", svg).groups())
    out = []
    for node in re.findall(r'<g id="node\d+" class="node">(.*?)</g>', svg, flags=re.S):
        for x, y in re.findall(r'<text[^>]* x="([-\d.]+)" y="([-\d.]+)"', node):
            out.append((scale * (float(x) + tx), scale * (float(y) + ty)))
    return out


def test_process_map_text_is_legible_at_page_width(default_map, small_truth):
    from journeylab.plot.graphs import process_map_text_px

    small = jl.filter_dfg(jl.read_events(small_truth.events, **small_truth.read_kwargs())
                          .touchpoints().sample_cases(150, random_state=0), min_customers=5)
    for dfg in (default_map, small):  # a report's map, and a persona's
        for mode in ("frequency", "time"):
            svg = jl.plot_process_map(dfg, mode=mode).pipe(format="svg").decode()
            seen = process_map_text_px(svg, 1000)
            assert seen["node_text_px"] >= 10 and seen["edge_text_px"] >= 9, seen
    # the former look (left to right, capped at 11 x 8 inches) fails the same measure
    old = jl.plot_process_map(default_map, rankdir="LR", size="11,8", start_end_share=0)
    assert process_map_text_px(old.pipe(format="svg"), 1000)["node_text_px"] < 6


def test_process_map_summarises_start_and_end_edges(default_map):
    g = jl.plot_process_map(default_map)
    dashed = g.source.count("style=dashed")
    assert dashed <= 6  # not ~30 dashed edges to the end node
    ends = default_map.end_activities
    assert len(ends) > 25 and dashed < len(ends)
    for a, n in ends.items():  # every end count is still written, in its box
        assert f"end {n:,}" in g.source
    assert "every start and end count is in its box" in g.source
    assert jl.plot_process_map(default_map, start_end_share=0).source.count("style=dashed") \
        == len(ends) + len(default_map.start_activities)
    assert g.source == jl.plot_process_map(default_map).source  # deterministic
    with pytest.raises(jl.InvalidInputError, match="rankdir must be"):
        jl.plot_process_map(default_map, rankdir="diagonal")


def test_process_map_is_never_clipped(small_truth):
    import re

    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    dfg = jl.filter_dfg(log.sample_cases(60, random_state=1), min_customers=2)
    for size in (None, "4,4", "4,4!", "20,20!"):
        svg = jl.plot_process_map(dfg, size=size).pipe(format="svg").decode()
        box = [float(v) for v in re.search(r'viewBox="([-\d. ]+)"', svg).group(1).split()]
        points = node_positions(svg)
        assert len(points) >= len(dfg.nodes)
        assert all(0 <= x <= box[2] and 0 <= y <= box[3] for x, y in points), size
    with pytest.raises(jl.InvalidInputError, match="mode must be"):
        jl.plot_process_map(dfg, mode="colour")


def test_process_maps_and_models_never_run_past_a_report_page():
    """A map wide whichever way it is laid out (20 parallel paths of 12 steps) is scaled
    to the page's 1000 px (750 pt) instead of running past its edge, where the report
    would cut it."""
    import re

    rows = []
    for i in range(20):
        steps = ["open", *[f"path {i:02d} step {k:02d}" for k in range(12)], "close"]
        for j, act in enumerate(steps):
            for c in range(5):
                rows.append((f"c{i}-{c}", act, f"2024-01-01 {j:02d}:00"))
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    for graph in (jl.plot_process_map(jl.discover_dfg(log)),
                  jl.plot_process_model(jl.discover_process_model(log, coverage=1.0))):
        svg = graph.pipe(format="svg").decode()
        width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
        assert width <= 750.5, width


def test_variant_order_puts_most_journeys_first_then_text_in_python_order_then_id():
    """Ties in journeys are broken by the path text as Python orders it (code points, so
    accented and non-Latin names sort after ASCII), then by variant id."""
    from journeylab.core.journeys import variant_order

    text = np.array(["b > a", "é > x", "a", "Z", "a", "z > ä", "日本", "b > a"], dtype=object)
    cases = np.array([2, 5, 2, 2, 2, 1, 2, 5])
    expected = sorted(range(len(text)), key=lambda i: (-cases[i], text[i], i))
    assert variant_order(cases, text).tolist() == expected


def test_variants_of_equal_count_are_in_path_text_order_in_every_engine(tmp_path):
    # names a path writes quoted ("a > b", x"y) sort by their quote, before B
    rows = [("c1", "B"), ("c2", "a > b"), ("c3", 'x"y'), ("c4", "B"), ("c4", "a > b"),
            ("c5", "a > b"), ("c5", "B")]
    df = pd.DataFrame({"case_id": [c for c, _ in rows], "activity": [a for _, a in rows],
                       "timestamp": pd.date_range("2024-01-01", periods=len(rows), freq="h")})
    df.to_parquet(tmp_path / "ties.parquet")
    expected = ['"a > b"', '"a > b" > B', '"x""y"', "B", 'B > "a > b"']
    for engine in ("memory", "duckdb"):
        log = jl.read_events(tmp_path / "ties.parquet", engine=engine)
        assert jl.get_variants(log)["variant"].tolist() == expected, engine
        assert jl.get_variants(log, top=2)["variant"].tolist() == expected[:2], engine


def test_a_model_of_journeys_over_hundreds_of_touchpoints_is_mined_from_their_dfg():
    # IMf's fall-throughs on 400 touchpoints take minutes: IMd on the journeys' DFG instead
    rng = np.random.default_rng(1)
    rows = [(f"c{i}", f"a{a}", pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=j))
            for i in range(900) for j, a in enumerate(rng.choice(400, rng.integers(3, 9)))]
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    model = jl.discover_process_model(log, coverage=0.5)
    assert model.method.startswith("inductive (IMd")
    labels = {t.label for t in model.net.transitions if t.label}
    top = jl.cover_variants(jl.get_variants(log), 0.5)
    kept = {a for v in top["variant"] for a in v.split(" > ")}
    assert len(kept) > 250 and labels == kept  # every touchpoint of those journeys
