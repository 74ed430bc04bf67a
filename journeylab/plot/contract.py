"""The contract every figure keeps, and the machinery the figures share. One contract, as
seaborn's axes-level functions: every ``plot_*`` takes its tidy table (or fitted model)
first, then keyword-only options. A matplotlib figure function takes ``ax=None`` and
returns the Axes it drew on: the one given, or a new figure's (:func:`figure_axes` makes
it, and lays out only a figure it made itself; a figure the caller gave keeps its layout,
size and the positions of its Axes); :func:`~journeylab.plot.personas.plot_persona_selection`
draws one panel per criterion: it takes one Axes per criterion drawn and returns an array
of them. A map drawn by Graphviz (:mod:`journeylab.plot.graphs`) returns a
``graphviz.Digraph``: it shows itself in a notebook, gives its DOT source as ``.source``,
renders with ``.pipe(format="svg")`` and saves with :func:`save_figure`. Every matplotlib
figure function is wrapped in :func:`literal_text`, so names from the data are drawn as
typed (never as mathtext) and a shared report's protection reaches the figure; numbers
use the formats of :mod:`journeylab.plot.display` (:func:`cell_labels`). What a figure
function returns is written once (:data:`RETURNS_AXES`, :data:`RETURNS_GRAPH`).
"""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import numpy as np
import pandas as pd

from .display import format_value

__all__ = ["literal_text", "figure_axes", "with_returns", "save_figure", "cell_labels",
           "nothing_to_draw"]


_F = TypeVar("_F", bound=Callable[..., Any])

#: The Returns section of every figure function that draws on one Axes, written once:
#: :func:`literal_text` puts it into each such function's docstring that has none.
RETURNS_AXES = """\
    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
"""

#: The Returns section of every map Graphviz draws, written once (see :func:`with_returns`).
RETURNS_GRAPH = """\
    Returns
    -------
    graphviz.Digraph
        Shows itself in a notebook; ``.source`` is its DOT text, ``.pipe(format="svg")``
        renders it (with Graphviz's ``dot``) and :func:`save_figure` saves it.
"""


def literal_text(draw: _F) -> _F:
    """Every text a matplotlib figure function draws shows as typed: names from the data
    (``$\\unknowncmd{x}$``, ``a_b^c``) are never parsed as mathtext. The one place that
    makes it so: each public ``plot_*`` that draws with matplotlib is wrapped in it.

    It is also the one place where a shared report's protection reaches figures (see
    :func:`journeylab.enable_report_display`): the table a figure is drawn from (its first
    argument) loses the rows about fewer than ``min_customers`` customers and the rows and
    columns named by a rare name, and every text of the figure drawn (titles, tick
    labels, legends, annotations) has rare names replaced by their label.

    On an Axes the caller gave, whose texts were made before under the caller's setting,
    see :func:`_literal_given_axes`. A docstring that does not say what the function
    returns gets the contract's :data:`RETURNS_AXES`."""
    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib as mpl

        from ..privacy import report_context, shown_table

        ctx = report_context()
        if ctx.active and args and isinstance(args[0], (pd.DataFrame, pd.Series)):
            args = (shown_table(args[0], for_figure=True), *args[1:])
        # only this one setting, put back after: an rc_context would also put back what
        # the notebook's backend sets when the first figure starts it (figures would then
        # no longer show at the end of a cell)
        before = mpl.rcParams["text.parse_math"]
        mpl.rcParams["text.parse_math"] = False
        try:
            with _literal_given_axes(kwargs.get("ax")):
                drawn = draw(*args, **kwargs)
        finally:
            mpl.rcParams["text.parse_math"] = before
        if ctx.active:
            _mask_figure_text(drawn, ctx)
        _fit_ticks(drawn)
        return drawn
    wrapper._literal_text = True  # type: ignore[attr-defined]
    wrapper.__doc__ = _returns_documented(draw.__doc__, RETURNS_AXES)
    return wrapper  # type: ignore[return-value]


def nothing_to_draw(ax: Any, why: str) -> Any:
    """An Axes that says in words why there is no figure (``why``), where a figure function
    was given an empty table (e.g. every cell under a shared report's ``min_customers``).

    Examples
    --------
    >>> nothing_to_draw(None, "no cell with 5 customers or more").texts[0].get_text()
    'no cell with 5 customers or more'
    """
    with figure_axes(ax, (6, 1.2)) as ax:
        ax.set_axis_off()
        ax.text(0.5, 0.5, why, ha="center", va="center", transform=ax.transAxes)
    return ax


@contextlib.contextmanager
def figure_axes(ax: Any, figsize: tuple[float, float], *,
                panels: int | None = None) -> Iterator[Any]:
    """Where a figure function draws: the Axes the caller gave, or those of a new figure
    of ``figsize`` inches, laid out (``tight_layout``) once the drawing is done. Only a
    figure made here is laid out: one the caller gave keeps its layout, size and the
    positions of its Axes.

    With ``panels``, an array of Axes, one per panel: a new figure's row of ``panels``,
    or those given (one Axes, or a sequence or array of them; the caller checks their
    number).

    Examples
    --------
    >>> with figure_axes(None, (4, 3)) as ax:
    ...     _ = ax.plot([1, 2], [3, 4])
    >>> ax.figure.get_size_inches().tolist()
    [4.0, 3.0]
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is not None:  # a figure the caller gave keeps its layout
        if panels is None:
            yield ax
            return
        given = [ax] if isinstance(ax, Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
        axes = np.empty(len(given), dtype=object)
        axes[:] = given
        yield axes
        return
    _, grid = plt.subplots(1, panels or 1, figsize=figsize, squeeze=False)
    yield grid[0, 0] if panels is None else grid[0]
    grid[0, 0].figure.tight_layout()


def with_returns(section: str) -> Callable[[_F], _F]:
    """A decorator that puts the contract's Returns ``section`` (:data:`RETURNS_GRAPH`)
    into the docstring of the function it decorates, before its Examples (or at its end),
    unless the docstring says what the function returns itself."""
    def document(fn: _F) -> _F:
        fn.__doc__ = _returns_documented(fn.__doc__, section)
        return fn
    return document


def _returns_documented(doc: str | None, section: str) -> str | None:
    """``doc`` with the Returns ``section`` before its Examples (or at its end), unless it
    says what it returns itself."""
    if not doc or "\n    Returns\n" in doc:
        return doc
    head, examples, rest = doc.partition("\n    Examples\n")
    return head.rstrip() + "\n\n" + section + (examples + rest if examples else "    ")


def _drawn_axes(drawn: Any) -> list:
    """The Axes of ``drawn`` (an Axes, a sequence or array of them, or None) and their
    insets (colour bars)."""
    if drawn is None:
        return []
    items = [drawn] if hasattr(drawn, "child_axes") else \
        list(np.ravel(np.asarray(drawn, dtype=object)))
    return [a for ax in items if hasattr(ax, "child_axes") for a in (ax, *ax.child_axes)]


@contextlib.contextmanager
def _literal_given_axes(ax: Any):
    """The texts of Axes the caller gave show as typed while a figure function draws on
    them (seaborn draws the figure before it is done), and after: they were made before,
    under the caller's setting. Tick labels stay literal (the function sets the ticks);
    a text of the caller's own that the function left unchanged gets its setting back."""
    from matplotlib.text import Text

    axes = _drawn_axes(ax)
    ticks = {id(t) for a in axes for axis in (a.xaxis, a.yaxis)
             for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]
             for t in (tick.label1, tick.label2)}
    saved = [(t, t.get_text(), t.get_parse_math()) for a in axes for t in a.findobj(Text)]
    for t, _, _ in saved:
        t.set_parse_math(False)
    try:
        yield
    finally:
        for t, text, parse_math in saved:
            if id(t) not in ticks and t.get_text() == text:
                t.set_parse_math(parse_math)


#: The longest tick label of a figure; a longer name ends in "…" (a heatmap of a
#: 270-character touchpoint would otherwise squeeze its cells to the edge).
TICK_CHARS = 40


def _short_tick(text: str) -> str:
    return text if len(text) <= TICK_CHARS else text[:TICK_CHARS - 1].rstrip() + "…"


def _tick_text(every_axes: list, f: Callable[[str], str]) -> None:
    """``f`` of every tick label of ``every_axes``: those drawn, and those their fixed,
    function (``set_ticklabels``') or categorical formatters make later. Categories that
    ``f`` would make alike keep their labels (two categories must keep two labels)."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.ticker import FixedFormatter, FuncFormatter

    for ax in every_axes:
        for axis in (ax.xaxis, ax.yaxis):
            for fmt in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(fmt, FixedFormatter):
                    fmt.seq = [f(str(v)) for v in fmt.seq]
                elif isinstance(fmt, FuncFormatter):  # set_ticklabels' labels
                    fmt.func = lambda x, pos=None, _made=fmt.func: f(str(_made(x, pos)))
                elif isinstance(fmt, StrCategoryFormatter):
                    units = type(fmt._units)((f(str(key)), v) for key, v in fmt._units.items())
                    if len(units) == len(fmt._units):
                        fmt._units = units
            try:  # tick labels drawn already
                for label in axis.get_majorticklabels():
                    if f(label.get_text()) != label.get_text():
                        label.set_text(f(label.get_text()))
            except (TypeError, ValueError):  # an empty categorical axis has none
                pass


def _figure_of(drawn: Any) -> Any:
    """The figure of ``drawn`` (an Axes, an array of them or a Figure), or None."""
    first = np.ravel(np.asarray(drawn, dtype=object))[0] if isinstance(drawn, np.ndarray) \
        else drawn
    fig = getattr(first, "figure", first)
    return fig if fig is not None and hasattr(fig, "findobj") else None


def _fit_ticks(drawn: Any) -> None:
    """Tick labels of the figure of ``drawn`` shortened to :data:`TICK_CHARS`."""
    fig = _figure_of(drawn)
    if fig is not None:
        _tick_text([a for ax in fig.axes for a in (ax, *ax.child_axes)], _short_tick)


def _mask_figure_text(drawn: Any, ctx) -> None:
    """Replace rare names in every text of the figure of ``drawn`` (an Axes, an array of
    them or a Figure), tick labels made later from a fixed or categorical formatter
    included."""
    from matplotlib.text import Text

    fig = _figure_of(drawn)
    if fig is None:
        return
    every_axes = [a for ax in fig.axes for a in (ax, *ax.child_axes)]  # insets: colour bars
    _tick_text(every_axes, ctx.mask)
    texts: list = [*fig.texts]
    for legend in [*getattr(fig, "legends", []), *(ax.get_legend() for ax in every_axes)]:
        if legend is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    for ax in every_axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label,
                  *ax.texts, *(c for c in ax.get_children() if isinstance(c, Text))]
        for axis in (ax.xaxis, ax.yaxis):
            try:  # tick labels drawn already (later ones come from the formatters above)
                texts += axis.get_majorticklabels()
            except (TypeError, ValueError):  # an empty categorical axis has none
                pass
    for text in texts:
        shown = text.get_text()
        masked = ctx.mask(shown)
        if masked != shown:
            text.set_text(masked)


def cell_labels(table: pd.DataFrame, kind: str, *, blank_zero: bool = False) -> np.ndarray:
    """Annotations of a heatmap in the report's number formats (``kind``: "count",
    "share" or "number", two decimals); missing cells (and zeros with ``blank_zero``)
    empty; a share above zero that would read 0.0% reads "<0.1%".

    >>> cell_labels(pd.DataFrame({1: [0.0002, 0.0, 0.3]}), "share", blank_zero=True).tolist()
    [['<0.1%'], [''], ['30.0%']]
    """
    values = table.to_numpy(dtype=float)
    return np.array([["" if np.isnan(v) or (blank_zero and v == 0) else
                      "<0.1%" if kind == "share" and 0 < v < 0.0005 else
                      format_value(v, kind=kind, decimals=2) for v in row] for row in values],
                    dtype=object).reshape(values.shape)


def save_figure(fig_or_ax, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a figure, an axes' figure or a Graphviz map as PNG or SVG, by the file name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(fig_or_ax, "pipe"):  # a graphviz graph
        path.write_bytes(fig_or_ax.pipe(format=path.suffix.lstrip(".").lower() or "svg"))
        return path
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    # no creation date in SVG, so the same figure gives the same bytes
    fig.savefig(path, dpi=dpi, bbox_inches="tight",
                metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    return path
