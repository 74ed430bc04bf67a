"""One plot contract, as seaborn's: every ``plot_*`` takes its table (or model) first, then
keyword-only options; a matplotlib figure function takes ``ax=None``, returns the Axes it
drew on, and leaves the layout of a figure it was given as it was."""
from __future__ import annotations

import ast
import inspect
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import journeylab as jl  # noqa: E402
from journeylab import plot as jplot  # noqa: E402

from ..test_robust_data import NAMES, _figure_inputs  # noqa: E402  (a case for every figure)

NOT_AXES = {"plot_process_map", "plot_process_model",  # return a graphviz.Digraph,
            "plot_sankey"}  # and a plotly figure (tests/paths/test_flows.py)
PLOTS = sorted(n for n in jplot.__all__ if n.startswith("plot_"))
FIGURES = sorted(set(PLOTS) - NOT_AXES)


def _inputs(name: str) -> tuple[tuple, dict]:
    args, kwargs = _figure_inputs()[name]
    if name == "plot_persona_selection":  # one Axes: one criterion
        kwargs = {**kwargs, "criterion": "icl"}
    return args, kwargs


def _layout(fig) -> dict:
    """What a plot function must leave alone in a figure it was given."""
    pars = fig.subplotpars
    return {"engine": fig.get_layout_engine(),
            "engine kind": type(fig.get_layout_engine()).__name__,
            "subplotpars": (pars.left, pars.right, pars.bottom, pars.top, pars.wspace,
                            pars.hspace),
            "size": tuple(fig.get_size_inches()),
            "positions": [tuple(np.round(a.get_position().bounds, 6)) for a in fig.axes]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_every_plot_function_lives_in_plot_and_is_public():
    public = {n for n in jl.__all__ if n.startswith("plot_")}
    assert public == set(PLOTS)
    assert all(getattr(jl, n) is getattr(jplot, n) for n in PLOTS)
    elsewhere = []
    package = Path(jl.__file__).parent
    for path in package.rglob("*.py"):
        if path.parent == package / "plot":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.name.startswith("plot_"):
                elsewhere.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name}")
    assert not elsewhere, f"plot_* functions outside journeylab/plot/: {elsewhere}"


@pytest.mark.parametrize("name", PLOTS)
def test_data_first_then_keyword_only_options(name):
    params = list(inspect.signature(getattr(jl, name)).parameters.values())
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params[0].default is inspect.Parameter.empty, f"{name}: the data is required"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[1:]), \
        f"{name}: options after the data are keyword-only"
    if name in FIGURES:
        ax = [p for p in params if p.name == "ax"]
        assert ax and ax[0].default is None, f"{name} takes ax=None"


@pytest.mark.parametrize("name", FIGURES)
def test_draws_on_the_axes_given_and_returns_it(name):
    args, kwargs = _inputs(name)
    fig, (ax, other) = plt.subplots(1, 2, figsize=(9, 4))
    other.set_title("$\\alpha$ of the caller")  # the caller's own mathtext stays so
    figures = plt.get_fignums()
    before = _layout(fig)
    out = getattr(jl, name)(*args, ax=ax, **kwargs)
    assert out is ax
    assert plt.get_fignums() == figures, f"{name} made a figure of its own"
    assert ax.has_data() or ax.collections or ax.patches or ax.lines
    assert not (other.has_data() or other.collections or other.patches or other.lines), \
        f"{name} drew on another Axes of the figure"
    assert _layout(fig) == before, f"{name} changed the layout of the figure it was given"
    fig.canvas.draw()  # names from the data parsed as mathtext would raise here
    assert _layout(fig) == before, f"{name} left the figure a layout to apply when drawn"
    named = [t for t in ax.findobj(Text) if any(n in t.get_text() for n in NAMES)]
    assert all(not t.get_parse_math() for t in named)
    assert other.title.get_parse_math()


@pytest.mark.parametrize("name", FIGURES)
def test_a_constrained_layout_figure_keeps_its_layout_engine(name):
    args, kwargs = _inputs(name)
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    engine = fig.get_layout_engine()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "The figure layout has changed to tight"
        assert getattr(jl, name)(*args, ax=ax, **kwargs) is ax
    assert fig.get_layout_engine() is engine


@pytest.mark.parametrize("name", FIGURES)
def test_without_axes_a_new_figure_is_made_and_laid_out(name):
    args, kwargs = _figure_inputs()[name]
    figures = set(plt.get_fignums())
    out = getattr(jl, name)(*args, **kwargs)
    first = np.ravel(np.asarray(out, dtype=object))[0]
    assert set(plt.get_fignums()) - figures == {first.figure.number}
    if name != "plot_persona_selection":
        assert isinstance(out, matplotlib.axes.Axes)


def test_persona_selection_takes_one_axes_per_criterion():
    args, _ = _figure_inputs()["plot_persona_selection"]
    selection = args[0]  # bic and icl
    panels = jl.plot_persona_selection(selection)
    assert isinstance(panels, np.ndarray) and len(panels) == 2
    assert len(panels[0].figure.axes) == 2 and panels[1].figure is panels[0].figure
    assert [a.get_title() for a in panels] == ["BIC (lower is better)",
                                               "ICL (lower is better)"]

    fig, axes = plt.subplots(1, 2)
    before = _layout(fig)
    out = jl.plot_persona_selection(selection, ax=list(axes))
    assert [a is b for a, b in zip(out, axes)] == [True, True]
    assert _layout(fig) == before

    fig, ax = plt.subplots()
    assert jl.plot_persona_selection(selection, criterion="bic", ax=ax) is ax
    assert ax.get_title() == "BIC (lower is better)"
    one = selection.drop(columns="icl")
    assert jl.plot_persona_selection(one, ax=ax) is ax

    with pytest.raises(jl.InvalidInputError, match="one Axes per criterion"):
        jl.plot_persona_selection(selection, ax=ax)
    with pytest.raises(jl.InvalidInputError, match="No criterion 'silhouette'"):
        jl.plot_persona_selection(selection, criterion="silhouette")


def test_graphviz_maps_return_a_digraph():
    import graphviz

    log = jl.read_events(jl.generate_journeys(100, random_state=1).events)
    assert isinstance(jl.plot_process_map(jl.discover_dfg(log)), graphviz.Digraph)
    model = jl.designed_journey(["visit", "cart", "buy"])
    for notation in ("bpmn", "petri"):
        assert isinstance(jl.plot_process_model(model, notation=notation), graphviz.Digraph)
    with pytest.raises(jl.InvalidInputError, match="notation"):
        jl.plot_process_model(model, notation="uml")


def test_the_weakest_persona_panel_draws_the_line_a_kept_number_must_reach():
    from journeylab.personas import PERSONA_KEPT

    selection = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.3, 0.4, 0.2],
                              "weakest_persona": [0.9, 0.8, 0.6],
                              "chosen": [False, True, False]})
    weakest = jl.plot_persona_selection(selection, criterion="weakest_persona")[0]
    flat = [line.get_ydata() for line in weakest.get_lines()
            if len(set(line.get_ydata())) == 1 and len(line.get_ydata()) == 2]
    assert [list(y) for y in flat] == [[PERSONA_KEPT, PERSONA_KEPT]]
    assert any(t.get_text() == f"kept: {PERSONA_KEPT}" for t in weakest.texts)
    silhouette = jl.plot_persona_selection(selection, criterion="silhouette")[0]
    assert not silhouette.texts  # the line belongs to the weakest persona's panel only
