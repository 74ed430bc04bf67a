"""Flows of the first steps (the Sankey's data) against hand-counted journeys, and the
Sankey figure drawn from them."""
from __future__ import annotations

import html

import pandas as pd
import pytest

import journeylab as jl
from journeylab.paths.flows import DROP_OFF, OTHER

# c1: a b c | c2: a b | c3: a c c d | c4: b
PATHS = {"c1": "abc", "c2": "ab", "c3": "accd", "c4": "b"}
STAGE = {"a": "awareness", "b": "awareness", "c": "purchase", "d": "loyalty"}


def frame() -> pd.DataFrame:
    return pd.DataFrame([{"case_id": c, "activity": a, "stage": STAGE[a],
                          "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)}
                         for c, path in PATHS.items() for i, a in enumerate(path)])


@pytest.fixture
def log():
    return jl.read_events(frame())


def as_set(flows: pd.DataFrame) -> set:
    return set(zip(flows["step"], flows["source"], flows["target"], flows["customers"]))


def test_flows_of_the_first_steps_are_the_hand_counted_ones(log):
    before = log.events.copy()
    flows = jl.compute_step_flows(log, steps=3)
    assert as_set(flows) == {(1, "a", "b", 2), (1, "a", "c", 1), (1, "b", DROP_OFF, 1),
                             (2, "b", "c", 1), (2, "b", DROP_OFF, 1), (2, "c", "c", 1)}
    share = flows.set_index(["step", "source", "target"])["share"]
    assert share[(1, "a", "b")] == pytest.approx(2 / 3)
    assert share[(2, "b", DROP_OFF)] == pytest.approx(1 / 2)
    # every journey at a step takes one link out of it
    assert flows[flows["step"] == 1]["customers"].sum() == len(PATHS)
    assert flows[flows["step"] == 2]["customers"].sum() == 3  # c4 ended at step 1
    pd.testing.assert_frame_equal(log.events, before)


def test_links_of_fewer_than_k_journeys_are_merged_then_left_out(log):
    flows = jl.compute_step_flows(log, steps=3, min_customers=2)
    assert as_set(flows) == {(1, "a", "b", 2), (2, "b", OTHER, 2)}
    assert flows["customers"].min() >= 2


def test_stage_flows_count_a_run_of_one_stage_as_one_step(log):
    flows = jl.compute_step_flows(log, steps=3, on="stage")
    # c1: awareness purchase | c2: awareness | c3: awareness purchase loyalty | c4: awareness
    assert as_set(flows) == {(1, "awareness", "purchase", 2),
                             (1, "awareness", DROP_OFF, 2),
                             (2, "purchase", DROP_OFF, 1), (2, "purchase", "loyalty", 1)}


def test_only_the_top_names_of_a_step_keep_their_name(log):
    flows = jl.compute_step_flows(log, steps=3, top=1)
    # step 1: a (3 journeys) kept, b -> (other); step 2: b (2) kept, c -> (other);
    # step 3: c (2) kept
    assert as_set(flows) == {(1, "a", "b", 2), (1, "a", OTHER, 1), (1, OTHER, DROP_OFF, 1),
                             (2, "b", "c", 1), (2, "b", DROP_OFF, 1), (2, OTHER, "c", 1)}


def test_bad_arguments_say_what_to_do(log):
    with pytest.raises(jl.InvalidInputError, match="steps"):
        jl.compute_step_flows(log, steps=1)
    with pytest.raises(jl.InvalidInputError, match="on must be"):
        jl.compute_step_flows(log, on="channel")
    no_stage = jl.read_events(frame().drop(columns=["stage"]))
    with pytest.raises(jl.MissingColumnError, match="stage"):
        jl.compute_step_flows(no_stage, on="stage")


def test_sankey_draws_each_step_as_a_column_with_escaped_names(log):
    events = frame()
    long = ("asked about a delivery that never came " * 3).strip()
    events["activity"] = events["activity"].replace({"a": "<b>x</b>", "b": 'the "VIP" desk',
                                                     "c": long})
    hostile = jl.read_events(events)
    flows = jl.compute_step_flows(hostile, steps=3)
    fig = jl.plot_sankey(flows)
    (trace,) = fig.data
    assert trace.type == "sankey"
    labels = list(trace.node.label)
    assert html.escape("<b>x</b>") in labels and "<b>x</b>" not in labels
    # quotes as written: plotly decodes &amp; &lt; &gt; but would show &quot; literally
    assert 'the "VIP" desk' in labels and not any("&quot;" in t for t in labels)
    # a long name is shortened on the figure, whole in its hover text
    assert max(map(len, labels)) <= 40 and long[:20] + "…" not in labels
    assert any(t.startswith(long[:39].rstrip()) and t.endswith("…") for t in labels)
    assert any(long in t for t in trace.node.customdata)
    assert sorted(trace.link.value) == sorted(flows["customers"])
    # node x: one column per step, left to right
    xs = dict(zip(zip(labels, trace.node.x), trace.node.x))
    assert len(set(trace.node.x)) == 3 and min(xs.values()) < 0.1 < 0.9 < max(xs.values())
    empty = jl.plot_sankey(flows.iloc[0:0])
    assert "no link" in empty.layout.annotations[0].text


def test_links_to_other_from_top_and_from_small_links_are_one_link():
    # G's five targets: top=2 keeps B and C (3 journeys each at step 2), so G>D, G>E, G>F
    # go to "(other)" (3 journeys); G>B and G>C (1 each) are under min_customers=2
    paths = ["AB"] * 3 + ["AC"] * 3 + ["GB", "GC", "GD", "GE", "GF"]
    rows = [{"case_id": f"c{i}", "activity": a,
             "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=j)}
            for i, p in enumerate(paths) for j, a in enumerate(p)]
    flows = jl.compute_step_flows(jl.read_events(pd.DataFrame(rows)), steps=2, top=2,
                                  min_customers=2)
    assert not flows.duplicated(["step", "source", "target"]).any()
    g = flows[flows["source"] == "G"]
    assert g[["target", "customers", "share"]].values.tolist() == [[OTHER, 5, 1.0]]
