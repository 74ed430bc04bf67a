"""Data that used to stop a notebook: each test would have caught its failure."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import journeylab as jl  # noqa: E402
from journeylab import plot as jplot  # noqa: E402

# --------------------------------------------------------------- 1. FunnelBuilder options


def _staged_log(tz: str | None = None) -> jl.EventLog:
    """10 customers reach awareness and consideration; only 2 reach purchase."""
    rows = []
    for i in range(10):
        steps = [("ad", "awareness"), ("browse", "consideration")]
        if i < 2:
            steps.append(("buy", "purchase"))
        for j, (act, stage) in enumerate(steps):
            rows.append({"case_id": f"c{i}", "activity": act, "stage": stage,
                         "timestamp": pd.Timestamp("2024-01-28") + pd.Timedelta(days=3 * i + j)})
    df = pd.DataFrame(rows)
    if tz is not None:
        df["timestamp"] = df["timestamp"].dt.tz_localize(tz)
    return jl.read_events(df, stage_key="stage")


def test_funnel_builder_drops_steps_under_k_from_its_value():
    log = _staged_log()
    steps = ["awareness", "consideration", "purchase"]  # purchase: 2 customers
    fb = jl.FunnelBuilder(log, steps=steps, on="stage", min_customers=5)
    assert list(fb.steps.allowed_tags) == ["awareness", "consideration"]
    assert list(fb.steps.value) == ["awareness", "consideration"]
    assert len(fb.data()) == 2
    fb.on.value = "activity"  # values of the other level, filtered the same way
    assert list(fb.steps.allowed_tags) == ["ad", "browse"]
    assert set(fb.steps.value) <= set(fb.steps.allowed_tags)
    fb.on.value = "stage"
    assert list(fb.steps.value) == ["awareness", "consideration"]


@pytest.mark.parametrize("k, offered", [(3, 2), (10, 2), (11, 0)])
@pytest.mark.parametrize("level", ["stage", "activity"])
def test_funnel_builder_takes_any_options_list(level, k, offered):
    log = _staged_log()
    wanted = ["purchase", "awareness"] if level == "stage" else ["buy", "ad"]
    fb = jl.FunnelBuilder(log, steps=wanted, on=level, min_customers=k)
    assert len(fb.steps.allowed_tags) == offered
    assert set(fb.steps.value) <= set(fb.steps.allowed_tags)
    assert fb.steps.disabled == (offered == 0)  # nothing to type in when nothing is offered
    other = "activity" if level == "stage" else "stage"
    fb.on.value = other
    assert set(fb.steps.value) <= set(fb.steps.allowed_tags)
    fb.on.value = level


def test_funnel_builder_with_one_option_asks_for_nothing_impossible():
    log = _staged_log()
    fb = jl.FunnelBuilder(log, steps=["purchase"], on="stage", min_customers=3)
    fb.steps.value = ["awareness"]
    fb.render()  # fewer than two steps: a message, not an error


def test_driver_explorer_value_is_always_an_option(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs())
    drivers = jl.attribute_satisfaction(log, n_boot=0)
    ex = jl.DriverExplorer(drivers, log, touchpoint="no such touchpoint", min_customers=5)
    assert ex.touchpoint.value in ex.touchpoint.options
    none = jl.DriverExplorer(drivers, log, min_customers=10 ** 9)
    assert none.touchpoint.value is None and not none.touchpoint.options

# --------------------------------------------------------------- 2. intervals and error bars


def test_plot_drivers_draws_an_effect_a_rounding_error_outside_its_interval():
    effects = pd.DataFrame({"touchpoint": ["a", "b"], "effect": [0.5, -0.2],
                            "ci_low": [0.5 + 3e-14, -0.4], "ci_high": [0.9, -0.2 - 3e-14],
                            "kind": ["delight", "irritant"], "naive_gap": [0.4, np.nan]})
    ax = jl.plot_drivers(effects)
    ax.figure.canvas.draw()
    plt.close(ax.figure)
    traj = pd.DataFrame({"answer": [-1, 1], "answers": [5, 5], "customers": [5, 5],
                         "mean": [8.0, 6.0], "ci_low": [8.0 + 1e-14, 5.0],
                         "ci_high": [9.0, 6.0 - 1e-14]})
    ax = jl.plot_score_trajectory(traj)
    plt.close(ax.figure)


def _scored_log() -> jl.EventLog:
    """Three customers answer 10, 10 and 9 on a 0-10 survey after one call: a t interval
    on three answers reaches past 10."""
    rows = []
    for i, score in enumerate([10, 10, 9, 10]):
        t0 = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        rows += [{"case_id": f"c{i}", "activity": "call", "timestamp": t0, "score": np.nan},
                 {"case_id": f"c{i}", "activity": "nps_survey",
                  "timestamp": t0 + pd.Timedelta(hours=1), "score": score},
                 {"case_id": f"c{i}", "activity": "wait",
                  "timestamp": t0 + pd.Timedelta(hours=2), "score": np.nan},
                 {"case_id": f"c{i}", "activity": "nps_survey",
                  "timestamp": t0 + pd.Timedelta(hours=3), "score": [0, 10, 1, 9][i]}]
    return jl.read_events(pd.DataFrame(rows), satisfaction_key="score",
                          instruments={"nps_survey": (0, 10)})


def test_mean_score_intervals_stay_on_the_scale():
    log = _scored_log()
    table = jl.satisfaction_by(log, by="touchpoint")
    assert (table["ci_high"] <= 10).all() and (table["ci_low"] >= 0).all()
    assert table.set_index("touchpoint").at["call", "ci_high"] == 10  # it was 10.6
    traj = jl.score_trajectory(log, "wait", instrument="nps_survey", steps=1)
    assert (traj["ci_high"] <= 10).all() and (traj["ci_low"] >= 0).all()
    drops = jl.satisfaction_drops(log, instrument="nps_survey")
    assert (drops["ci_low"] >= -10).all() and (drops["ci_high"] <= 10).all()


def test_effect_intervals_stay_within_the_scale_width():
    from journeylab.drivers.design import within_scale

    got = within_scale(np.array([[-12.0, 0.5], [np.nan, 10.17]]), (0, 10))
    np.testing.assert_array_equal(got, [[-10.0, 0.5], [np.nan, 10.0]])

# --------------------------------------------------------------- 3. names drawn literally


NAMES = ["$\\unknowncmd{x}$", "a_b^c", "$x$"]


def _figure_inputs() -> dict:
    """Arguments for every matplotlib plot_* function, with names from the data."""
    n = len(NAMES)
    return {
        "plot_journey_lengths": ((pd.DataFrame({"n_events": [1, 2, 2, 5]}),), {}),
        "plot_journey_matrix": ((pd.DataFrame({
            "stage": NAMES, "channel": NAMES[::-1], "customers": [5, 7, 9]}),), {}),
        "plot_step_matrix": ((pd.DataFrame({1: [0.5, 0.3, 0.2], 2: [0.1, 0.6, 0.3]},
                                           index=NAMES),), {}),
        "plot_funnel": ((pd.DataFrame({"step": [1, 2, 3], "name": NAMES,
                                       "customers": [10, 6, 3],
                                       "conversion_from_start": [1.0, 0.6, 0.3]}),), {}),
        "plot_variants": ((pd.DataFrame({"variant": NAMES, "share": [0.5, 0.3, 0.2]}),), {}),
        "plot_persona_selection": ((pd.DataFrame({"k": [2, 3], "bic": [10.0, 8.0],
                                                  "icl": [11.0, 9.0],
                                                  "chosen": [False, True]}),), {}),
        "plot_persona_embedding": ((pd.DataFrame({"x": np.arange(9.0), "y": np.arange(9.0) % 4,
                                                  "persona": [0, 1, 2] * 3}),),
                                   {"names": dict(enumerate(NAMES))}),
        "plot_persona_reach": ((pd.DataFrame({p: [0.5, 0.4, 0.0] for p in range(n)},
                                             index=NAMES),),
                               {"names": dict(enumerate(NAMES))}),
        "plot_drivers": ((pd.DataFrame({"touchpoint": NAMES, "effect": [-0.5, 0.1, 0.4],
                                        "ci_low": [-0.8, -0.1, 0.2],
                                        "ci_high": [-0.2, 0.3, 0.6],
                                        "kind": ["irritant", "unclear", "delight"],
                                        "naive_gap": [-0.6, 0.0, 0.5]}),), {}),
        "plot_score_trajectory": ((pd.DataFrame({"answer": [-1, 1], "mean": [8.0, 6.0],
                                                 "ci_low": [7.0, 5.0],
                                                 "ci_high": [9.0, 7.0]}),),
                                  {"touchpoint": NAMES[0]}),
    }


def test_every_figure_draws_names_from_the_data_literally():
    # DOT labels and the plotly Sankey's labels are tested apart (test_plot, test_flows)
    graphviz_drawn = {"plot_process_map", "plot_process_model", "plot_sankey"}
    inputs = _figure_inputs()
    public = {n for n in jplot.__all__ if n.startswith("plot_")}
    assert set(inputs) == public - graphviz_drawn, "a new plot_* function needs a case here"
    for name, (args, kwargs) in inputs.items():
        fn = getattr(jl, name)
        assert getattr(fn, "_literal_text", False), f"{name} is not wrapped in _literal_text"
        out = fn(*args, **kwargs)
        fig = np.atleast_1d(out)[0].figure
        fig.canvas.draw()  # mathtext would raise on \unknowncmd here
        texts = [t for t in fig.findobj(Text) if t.get_text()]
        shown = " | ".join(t.get_text() for t in texts)
        if name not in ("plot_journey_lengths", "plot_persona_selection"):
            assert any(NAMES[0] in t.get_text() for t in texts), f"{name}: {shown}"
        for t in texts:
            assert not t.get_parse_math(), f"{name}: {t.get_text()!r} is parsed as math"
        plt.close(fig)
    assert matplotlib.rcParams["text.parse_math"]  # the user's own setting is left alone

# --------------------------------------------------------------- 4. tz-aware logs


def test_explorer_months_on_a_tz_aware_log_raise_no_warning():
    from journeylab.explore.widgets import _months

    log = _staged_log(tz="Europe/Amsterdam")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        months = _months(log)
        pm = jl.ProcessMapExplorer(log)
    # local months of the log (data from 28 January to 23 February)
    assert [m.strftime("%Y-%m") for m in months] == ["2024-01", "2024-02", "2024-03"]
    assert all(m.tzinfo is not None for m in months)
    assert pm.period is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(pm.data().edges)


def test_every_figure_of_a_notebook_shows_not_only_the_first(tmp_path):
    """The literal-text setting of the figure functions must not undo what the notebook's
    backend set up with the first figure: every later figure still shows under its cell."""
    import nbformat

    code = ("import journeylab as jl, pandas as pd\n"
            "v = pd.DataFrame({'variant': ['a > b', 'a'], 'share': [0.6, 0.4], "
            "'cases': [6, 4], 'length': [2, 1]})\n"
            "jl.plot_variants(v);")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code),
                                         nbformat.v4.new_code_cell("jl.plot_variants(v);"),
                                         nbformat.v4.new_code_cell("jl.plot_variants(v);")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "figures.ipynb"
    nbformat.write(nb, path)
    done = jl.run_notebook(path, tmp_path / "out", html=False)
    ran = nbformat.read(done["notebook"], as_version=4)
    shown = [sum("image/png" in o.get("data", {}) for o in c.outputs) for c in ran.cells]
    assert shown == [1, 1, 1]


def test_a_map_with_nothing_left_to_show_still_draws():
    """Every touchpoint under min_customers (a small persona in a shared report): an empty map
    with its start and end, not a crash."""
    log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["x", "y", "x"],
                                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-03"]}))
    dfg = jl.filter_dfg(log, min_customers=5)
    assert dfg.nodes.empty or (dfg.nodes["cases"] < 5).all()
    for mode in ("frequency", "time"):
        svg = jl.plot_process_map(dfg, mode=mode).pipe(format="svg").decode()
        assert "<svg" in svg
