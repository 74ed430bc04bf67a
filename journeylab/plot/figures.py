"""Static figures drawn from the tidy tables journeylab computes.

One contract, as seaborn's axes-level functions: every ``plot_*`` takes its tidy table (or
fitted model) first, then keyword-only options.

- A matplotlib figure function takes ``ax=None`` and returns the Axes it drew on: the one
  given, or a new figure's. It lays out (``tight_layout``) only a figure it made itself;
  a figure the caller gave keeps its layout, size and the positions of its Axes.
  :func:`plot_persona_selection` draws one panel per criterion: it takes one Axes per
  criterion drawn and returns an array of them (see there).
- A map drawn by Graphviz (:func:`plot_process_map`, :func:`plot_process_model`) returns a
  ``graphviz.Digraph``: it shows itself in a notebook, gives its DOT source as ``.source``,
  renders with ``.pipe(format="svg")`` and saves with :func:`save_figure`.

Every matplotlib figure function is wrapped in :func:`_literal_text`, so names from the
data are drawn as typed (never as mathtext); numbers use the formats of
:mod:`journeylab.plot.display`."""
from __future__ import annotations

import contextlib
import functools
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import numpy as np
import pandas as pd

from .display import format_duration, format_value, style_table

if TYPE_CHECKING:
    from ..paths.models import ProcessModel

__all__ = ["dot_label", "plot_journey_lengths", "save_figure", "plot_process_map",
           "plot_process_model", "plot_journey_matrix",
           "plot_step_matrix", "plot_funnel", "plot_variants", "format_duration",
           "plot_persona_selection", "plot_persona_embedding", "plot_persona_reach",
           "plot_drivers", "plot_score_trajectory", "style_table"]


_F = TypeVar("_F", bound=Callable[..., Any])

#: Graphviz ``size`` that caps a map at a report page's width: 1000 px (750 pt, 10.4 in),
#: with no practical cap on its height.
PAGE_WIDTH_SIZE = "10.4,200"


def _literal_text(draw: _F) -> _F:
    """Every text a matplotlib figure function draws shows as typed: names from the data
    (``$\\unknowncmd{x}$``, ``a_b^c``) are never parsed as mathtext. The one place that
    makes it so: each public ``plot_*`` that draws with matplotlib is wrapped in it.

    It is also the one place where a shared report's protection reaches figures (see
    :func:`journeylab.enable_report_display`): the table a figure is drawn from (its first
    argument) loses the rows about fewer than ``min_customers`` customers and the rows and
    columns named by a rare name, and every text of the figure drawn (titles, tick
    labels, legends, annotations) has rare names replaced by their label.

    On an Axes the caller gave, whose texts were made before under the caller's setting,
    see :func:`_literal_given_axes`."""
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
        return drawn
    wrapper._literal_text = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


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


def _mask_figure_text(drawn: Any, ctx) -> None:
    """Replace rare names in every text of the figure of ``drawn`` (an Axes, an array of
    them or a Figure), tick labels made later from a fixed or categorical formatter
    included."""
    from matplotlib.category import StrCategoryFormatter
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter

    first = np.ravel(np.asarray(drawn, dtype=object))[0] if isinstance(drawn, np.ndarray) \
        else drawn
    fig = getattr(first, "figure", first)
    if fig is None or not hasattr(fig, "findobj"):
        return
    every_axes = [a for ax in fig.axes for a in (ax, *ax.child_axes)]  # insets: colour bars
    for ax in every_axes:
        for axis in (ax.xaxis, ax.yaxis):
            for fmt in (axis.get_major_formatter(), axis.get_minor_formatter()):
                if isinstance(fmt, FixedFormatter):
                    fmt.seq = [ctx.mask(str(v)) for v in fmt.seq]
                elif isinstance(fmt, StrCategoryFormatter):
                    fmt._units = type(fmt._units)(
                        (ctx.mask(str(key)), v) for key, v in fmt._units.items())
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


def _cell_labels(table: pd.DataFrame, kind: str, *, blank_zero: bool = False) -> np.ndarray:
    """Annotations of a heatmap in the report's number formats (``kind``: "count",
    "share" or "number", two decimals); missing cells (and zeros with ``blank_zero``)
    empty."""
    values = table.to_numpy(dtype=float)
    return np.array([["" if np.isnan(v) or (blank_zero and v == 0) else
                      format_value(v, kind=kind, decimals=2) for v in row] for row in values],
                    dtype=object).reshape(values.shape)


@_literal_text
def plot_journey_lengths(case_table: pd.DataFrame, *, ax=None, max_length: int = 40):
    """Histogram of events per journey from :meth:`EventLog.case_table`.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_journey_lengths(pd.DataFrame({"n_events": [1, 2, 2, 5]}))
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(7, 3.2))
    lengths = case_table["n_events"].clip(upper=max_length)
    sns.histplot(lengths, discrete=True, ax=ax, color="#4C72B0")
    ax.set_xlabel(f"events per journey (>= {max_length} pooled)" if lengths.max() >= max_length
                  else "events per journey")
    ax.set_ylabel("journeys")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


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


def dot_label(*lines: Any) -> Any:
    """The one Graphviz label of every graph journeylab draws (its process maps, and
    pm4py's process models): lines of literal text, rare names masked under a shared
    report's context, backslashes escaped, joined by DOT's ``\\n``, and marked as no
    HTML, so a name in angle brackets (``<B>HREF="javascript:..."</B>``) is neither a
    Graphviz HTML label nor a link, and a quote cannot end the attribute.

    Examples
    --------
    >>> import graphviz
    >>> g = graphviz.Digraph()
    >>> g.node("n", label=dot_label('a"] ; b [label="x', "<B>x</B>"))
    >>> print(g.source.splitlines()[1].strip())
    n [label="a\\"] ; b [label=\\"x\\n<B>x</B>"]
    """
    import graphviz

    from ..privacy import mask_text

    return graphviz.nohtml("\\n".join(graphviz.escape(str(mask_text(str(p))))
                                       for p in lines))


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in rgba[:3]))


def plot_process_map(dfg, *, mode: str = "frequency", rankdir: str = "auto",
                     title: str | None = None, size: str | None = PAGE_WIDTH_SIZE,
                     fontsize: float = 14,
                     start_end_share: float = 0.1):
    """Draw a directly-follows graph as a process map (a ``graphviz.Digraph``).

    Edge thickness follows frequency; in ``mode="time"`` edge colour follows the median
    time between the two touchpoints (pale = quick, dark red = slow) and edges are labelled
    with it, in ``mode="frequency"`` with journeys. Each box shows the touchpoint, its
    events and, where journeys start or end there, how many (``start 1,234``,
    ``end 567``). Dashed edges from *start* and to *end* are drawn only for touchpoints
    holding at least ``start_end_share`` of the starts (or ends), so a map where journeys
    end everywhere has no bundle of dashed edges; a note under the map says so. Touchpoint
    names are shown as text, never interpreted as markup; the same graph gives the same
    DOT source.

    The map is laid out to be read at page width (about 1000 px, where a report shows it
    scaled to fit): ``rankdir="auto"`` lays it out both top to bottom and left to right
    and keeps the one whose text shows larger at 1000 px (the shorter one on a tie; top to
    bottom without Graphviz's ``dot``). Journey maps are usually deeper than wide, so top
    to bottom wins: left to right, a 30-touchpoint map shrinks its text to about 6 px.
    A filtered map (:func:`journeylab.filter_dfg`) of up to ~35 touchpoints keeps its text
    at 10 px or more at 1000 px; a map of every edge of a noisy log does not.
    :func:`process_map_text_px` measures the text of a rendered map.

    Parameters
    ----------
    dfg : DirectlyFollowsGraph
        From :func:`journeylab.discover_dfg` or :func:`journeylab.filter_dfg`.
    mode : {"frequency", "time"}
    rankdir : {"auto", "TB", "LR", "BT", "RL"}
        Direction of the flow; see above for "auto".
    title : str, optional
        Shown above the map (as text).
    size : str, optional
        Graphviz ``size`` ("width,height" in inches): a cap that scales the whole drawing,
        text included, down. The default caps the width at a report page's 1000 px (a
        wider map would run past the page edge); None keeps the natural size. Content is
        never cut.
    fontsize : float
        Points of the touchpoint names; edge labels are 2 points smaller.
    start_end_share : float
        Smallest share of starts (ends) a touchpoint needs for its dashed start (end) edge;
        0 draws them all (the former look), 1 none.

    Returns
    -------
    graphviz.Digraph
        Shows itself in a notebook; ``.source`` is its DOT text, ``.pipe(format="svg")``
        renders it (with Graphviz's ``dot``) and :func:`save_figure` saves it.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> g = plot_process_map(jl.discover_dfg(log))
    >>> g.source.startswith("digraph")
    True
    """
    import textwrap

    import graphviz
    from matplotlib import colormaps

    from ..errors import InvalidInputError

    if mode not in ("frequency", "time"):
        raise InvalidInputError(f"mode must be 'frequency' or 'time', not {mode!r}.")
    if rankdir not in ("auto", "TB", "LR", "BT", "RL"):
        raise InvalidInputError(f"rankdir must be 'auto', 'TB', 'LR', 'BT' or 'RL', not "
                                f"{rankdir!r}.")
    if not 0 <= start_end_share <= 1:
        raise InvalidInputError(f"start_end_share must be in [0, 1], got {start_end_share}.")
    from ..privacy import report_context, shown_table

    edges, nodes = dfg.edges, dfg.nodes
    k = report_context().min_customers
    if k > 1:  # a shared report: no edge or touchpoint of fewer than k journeys
        edges, nodes = shown_table(edges, for_figure=True), shown_table(nodes, for_figure=True)
    shown = set(edges["source"]) | set(edges["target"])
    nodes = nodes[nodes["activity"].isin(shown) | (nodes["starts"] > 0) | (nodes["ends"] > 0)]
    fs = float(fontsize)
    efs = max(fs - 2, 6)
    starts = {a: int(n) for a, n in dfg.start_activities.items() if a in set(nodes["activity"])
              and n >= k}
    ends = {a: int(n) for a, n in dfg.end_activities.items() if a in set(nodes["activity"])
            and n >= k}
    if rankdir == "auto":
        return _more_legible(lambda d: plot_process_map(
            dfg, mode=mode, rankdir=d, title=title, size=size, fontsize=fontsize,
            start_end_share=start_end_share))
    drawn_starts = _major(starts, start_end_share)
    drawn_ends = _major(ends, start_end_share)
    note = _start_end_note(starts, ends, drawn_starts, drawn_ends, start_end_share)
    label_lines = ([str(title)] if title else []) + textwrap.wrap(note, 72)
    g = graphviz.Digraph(graph_attr={
        "rankdir": rankdir, "bgcolor": "white", "fontname": "Helvetica",
        "fontsize": f"{efs:g}", "nodesep": "0.25", "ranksep": "0.45", "pad": "0.2",
        **({"size": size} if size else {}),
        **({"label": dot_label(*label_lines), "labelloc": "t" if title else "b",
            "labeljust": "l"} if label_lines else {})},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                   "fontsize": f"{fs:g}", "margin": "0.12,0.06"},
        edge_attr={"fontname": "Helvetica", "fontsize": f"{efs:g}"})
    ids = {a: f"n{i}" for i, a in enumerate(nodes["activity"])}
    blues = colormaps["Blues"]
    top = max(int(nodes["events"].max()) if len(nodes) else 1, 1)
    for a, ev in zip(nodes["activity"], nodes["events"]):
        shade = 0.15 + 0.6 * math.log1p(ev) / math.log1p(top)
        ends_here = ([f"start {starts[a]:,}"] if a in starts else []) + \
            ([f"end {ends[a]:,}"] if a in ends else [])
        lines = [a, f"{int(ev):,}"] + ([", ".join(ends_here)] if ends_here else [])
        g.node(ids[a], label=dot_label(*lines),
            fillcolor=_hex(blues(shade)), fontcolor="white" if shade > 0.55 else "black")
    if drawn_starts:
        g.node("start", label="start", shape="circle", fillcolor="#2ca02c", style="filled",
               fontcolor="white", fontsize=f"{efs:g}", margin="0.02")
    if drawn_ends:
        g.node("end", label="end", shape="doublecircle", fillcolor="#d62728", style="filled",
               fontcolor="white", fontsize=f"{efs:g}", margin="0.02")
    emax = max(int(edges["events"].max()) if len(edges) else 1, 1)
    reds = colormaps["YlOrRd"]
    times = edges["median_s"].to_numpy(dtype=float)
    finite = times[np.isfinite(times)]
    ranks = (pd.Series(times).rank(pct=True).fillna(0).to_numpy() if len(finite) else
             np.zeros(len(times)))
    for (src, dst, ev, cases, med), r in zip(
            edges[["source", "target", "events", "cases", "median_s"]].itertuples(index=False),
            ranks):
        width = 0.6 + 6 * math.log1p(ev) / math.log1p(emax)
        label = f"{int(cases):,}" if mode == "frequency" else format_duration(med)
        g.edge(ids[src], ids[dst], label=dot_label(label), penwidth=f"{width:.2f}",
               color=_hex(reds(0.15 + 0.8 * r)) if mode == "time" else "#555555")
    for a in drawn_starts:
        g.edge("start", ids[a], label=dot_label(f"{starts[a]:,}"), style="dashed", color="#2ca02c")
    for a in drawn_ends:
        g.edge(ids[a], "end", label=dot_label(f"{ends[a]:,}"), style="dashed", color="#d62728")
    return g


def _major(counts: dict[str, int], share: float) -> list[str]:
    """The keys holding at least ``share`` of the total, largest first (ties by name)."""
    total = sum(counts.values())
    if not total:
        return []
    return [a for a, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
            if n / total >= share]


def _start_end_note(starts: dict, ends: dict, drawn_starts: list, drawn_ends: list,
                    share: float) -> str:
    """The note under a process map about the start and end edges left out."""
    parts = [f"{word} at {len(counts)} touchpoints ({len(drawn) or 'none'} linked)"
             for word, counts, drawn in (("start", starts, drawn_starts), ("end", ends, drawn_ends))
             if len(drawn) < len(counts)]
    if not parts:
        return ""
    return (f"Dashed edges: touchpoints where {share:.0%}+ of journeys start or end. Journeys "
            + " and ".join(parts) + "; every start and end count is in its box.")


def _more_legible(make) -> Any:
    """Of ``make("TB")`` and ``make("LR")``, the graph whose touchpoint names show larger at
    1000 px (to half a pixel); on a tie the shorter one. Top to bottom when Graphviz's
    ``dot`` is not installed (the DOT source is still returned)."""
    import graphviz

    graphs = {d: make(d) for d in ("TB", "LR")}
    try:
        seen = {d: process_map_text_px(g.pipe(format="svg")) for d, g in graphs.items()}
    except graphviz.ExecutableNotFound:
        return graphs["TB"]
    # a map with no touchpoint left (all under min_customers) has no text to measure
    key = {d: (-round(2 * np.nan_to_num(m["node_text_px"])) / 2,
               np.nan_to_num(m["displayed_height"])) for d, m in seen.items()}
    return graphs[min(("TB", "LR"), key=lambda d: key[d])]


def process_map_text_px(svg: str | bytes, width_px: float = 1000) -> dict[str, float]:
    """How large a process map's text shows when its SVG is displayed ``width_px`` wide.

    A notebook or an HTML report shows an SVG at its natural width (its ``width`` in
    points, 4/3 px each) or scaled down to the page, never up. Returns the SVG's
    ``viewbox_width``, the ``scale`` (displayed px per SVG unit, including Graphviz's own
    ``size`` scaling), the smallest ``node_text_px`` and ``edge_text_px``, and
    ``displayed_width`` / ``displayed_height`` in px.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> simple = jl.filter_dfg(log, path_coverage=0.8, min_edge_share=0.01)
    >>> m = process_map_text_px(plot_process_map(simple).pipe(format="svg"), 1000)
    >>> bool(m["node_text_px"] >= 10)
    True
    """
    import re
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.decode() if isinstance(svg, bytes) else svg)
    ns = "{http://www.w3.org/2000/svg}"
    box = [float(v) for v in root.get("viewBox").split()]
    natural = float(re.sub(r"[a-z]+$", "", root.get("width"))) * \
        (4 / 3 if root.get("width", "").endswith("pt") else 1)
    shown = min(float(width_px), natural)
    graph = root.find(f"{ns}g")
    inner = re.search(r"scale\(([\d.]+)", graph.get("transform", "")) if graph is not None else None
    scale = shown / box[2] * (float(inner.group(1)) if inner else 1.0)
    sizes: dict[str, list[float]] = {"node": [], "edge": []}
    for g in root.iter(f"{ns}g"):
        kind = g.get("class")
        if kind in sizes:
            sizes[kind] += [float(t.get("font-size")) for t in g.iter(f"{ns}text")
                            if t.get("font-size")]
    return {"viewbox_width": box[2], "scale": scale,
            "node_text_px": min(sizes["node"], default=float("nan")) * scale,
            "edge_text_px": min(sizes["edge"], default=float("nan")) * scale,
            "displayed_width": shown, "displayed_height": box[3] * shown / box[2]}


def plot_process_model(model: ProcessModel, *, notation: str = "bpmn"):
    """Draw a process model as BPMN (from the process tree) or as a Petri net.

    Laid out left to right or top to bottom, whichever shows its labels larger at page
    width (a long sequence reads better top to bottom), never wider than a report page.
    pm4py draws the model with placeholder labels; the touchpoint names are put in after,
    through the same label function as every process map (:func:`dot_label`): a name is
    shown as the text it is (angle brackets, quotes and backslashes included), and under a
    shared report's context a rare name as "(rare touchpoint)".

    Parameters
    ----------
    model : ProcessModel
        From :func:`journeylab.discover_process_model` or
        :func:`journeylab.designed_journey`.
    notation : {"bpmn", "petri"}

    Returns
    -------
    graphviz.Digraph
        Shows itself in a notebook; ``.source`` is its DOT text, ``.pipe(format="svg")``
        renders it (with Graphviz's ``dot``) and :func:`save_figure` saves it.

    Examples
    --------
    >>> import journeylab as jl
    >>> g = plot_process_model(jl.designed_journey(["visit", "cart", "buy"]))
    >>> g.source.startswith("digraph")
    True
    """
    import copy

    import pm4py

    from ..errors import InvalidInputError

    if notation not in ("bpmn", "petri"):
        raise InvalidInputError(f"notation must be 'bpmn' or 'petri', not {notation!r}.")

    def fit(graph):  # never wider than a report page
        graph.graph_attr["size"] = PAGE_WIDTH_SIZE
        return graph

    if notation == "bpmn":
        from pm4py.objects.bpmn.obj import BPMN
        from pm4py.visualization.bpmn import visualizer

        def bpmn_graph(direction: str):
            bpmn = pm4py.convert_to_bpmn(model.tree) if model.tree is not None else \
                pm4py.convert_to_bpmn(model.net, model.initial_marking, model.final_marking)
            names: list[str] = []
            for node in bpmn.get_nodes():
                if isinstance(node, BPMN.Task):
                    names.append(str(node.get_name()))
                    node.set_name(_placeholder(len(names) - 1))
            graph = visualizer.apply(bpmn, parameters={"format": "svg", "rankdir": direction,
                                                       "font_size": 14})
            return fit(_labelled(graph, names))

        return _more_legible(bpmn_graph)
    from pm4py.visualization.petri_net import visualizer

    def petri(direction: str):
        net, im, fm = copy.deepcopy((model.net, model.initial_marking, model.final_marking))
        names: list[str] = []
        for t in net.transitions:
            if t.label is not None:
                names.append(str(t.label))
                t.label = _placeholder(len(names) - 1)
        graph = visualizer.apply(net, im, fm, parameters={"format": "svg"})
        graph.graph_attr["rankdir"] = direction
        return fit(_labelled(graph, names))

    return _more_legible(petri)


def _placeholder(i: int) -> str:
    return f"jlname{i}x"


_PLACEHOLDER_VALUE = re.compile(r"=(jlname(\d+)x)(?=[\s,\]]|$)")
_PLACEHOLDER = re.compile(r"jlname(\d+)x")


def _labelled(graph: Any, names: list[str]) -> Any:
    """Put the real names back into a pm4py graph drawn with placeholder labels, each
    through :func:`dot_label` (the one label function of every graph): a name reaches
    DOT quoted and escaped, never as a Graphviz HTML label or a link."""
    from graphviz.quoting import quote

    def whole(m: re.Match) -> str:
        return "=" + quote(dot_label(names[int(m.group(2))]))

    def inside(m: re.Match) -> str:  # within a quoted string pm4py made
        return str(dot_label(names[int(m.group(1))])).replace('"', '\\"')

    graph.body = [_PLACEHOLDER.sub(inside, _PLACEHOLDER_VALUE.sub(whole, line))
                  for line in graph.body]
    return graph


@_literal_text
def plot_journey_matrix(matrix: pd.DataFrame, *, value: str = "customers", ax=None,
                        fmt: str | None = None):
    """Heatmap of the stage x channel journey map (stages as columns, channels as rows).

    Cells no journey passed through (or with nothing measured) are left empty, never
    painted as zero; annotations use the report's formats (``2,955``, ``12.3%``).

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(300, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> ax = plot_journey_matrix(jl.journey_matrix(log), value="mean_satisfaction")
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    table = matrix.pivot_table(index="channel", columns="stage", values=value, aggfunc="sum",
                               observed=False)
    # a cell no journey passed through (or where nothing was measured) is empty, not zero
    filled = matrix.pivot_table(index="channel", columns="stage", values=value, aggfunc="count",
                                observed=False).reindex_like(table)
    table = table.where(filled.fillna(0) > 0)
    table = table.loc[table.notna().any(axis=1), table.notna().any()]
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(1.3 * table.shape[1] + 2, 0.5 * table.shape[0] + 1.5))
    cmap = "RdYlGn" if value == "mean_satisfaction" else \
        "Reds" if value == "dropoff_rate" else "Blues"
    values = table.to_numpy(dtype=float)
    kind = "share" if format_value(0.5, name=value).endswith("%") else \
        "count" if np.all(np.isnan(values) | (values == np.round(values))) else "number"
    annot = _cell_labels(table, kind) if fmt is None else True
    # on a given Axes the colour bar is an inset beside it: taking room from the Axes
    # (seaborn's way) would move it in the caller's figure
    sns.heatmap(table, annot=annot, fmt=fmt or "", cmap=cmap,
                cbar_kws={"label": value.replace("_", " ")}, ax=ax, linewidths=0.5,
                cbar_ax=None if created else ax.inset_axes([1.03, 0.0, 0.04, 1.0]))
    ax.set_title(f"Journey map: {value.replace('_', ' ')} by stage and channel")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


@_literal_text
def plot_step_matrix(matrix: pd.DataFrame, *, ax=None, min_share: float = 0.01):
    """Heatmap of a step matrix (rows touchpoints, columns steps), annotated with
    percentages; cells with no journey are left blank.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    >>> ax = plot_step_matrix(jl.step_matrix(log))
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = matrix[matrix.max(axis=1) >= min_share]
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(0.7 * shown.shape[1] + 3, 0.32 * shown.shape[0] + 1.5))
    sns.heatmap(shown, annot=_cell_labels(shown, "share", blank_zero=True), fmt="",
                cmap="Greens", cbar=False, ax=ax, annot_kws={"fontsize": 7}, vmin=0)
    ax.set_title("Share of journeys at each touchpoint, step by step")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


@_literal_text
def plot_funnel(funnel: pd.DataFrame, *, ax=None):
    """Bar chart of a funnel (grouped when it was broken down by a segment).

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    by = [c for c in funnel.columns if c not in {"step", "name", "customers",
                                                 "conversion_from_previous",
                                                 "conversion_from_start", "median_time_s",
                                                 "p90_time_s"}]
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(7, 0.6 * funnel["step"].nunique() + 1.5))
    data = funnel.assign(label=funnel["step"].astype(str) + ". " + funnel["name"])
    sns.barplot(data=data, y="label", x="conversion_from_start", hue=by[0] if by else None,
                ax=ax, color=None if by else "#4C72B0", orient="h")
    ax.set_xlabel("share of journeys that started the funnel")
    ax.set_ylabel("")
    ax.set_xlim(0, 1.05)
    for cont in ax.containers:
        ax.bar_label(cont, fmt="%.0f%%", labels=[f"{v.get_width():.0%}" for v in cont],
                     fontsize=8, padding=2)
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


@_literal_text
def plot_variants(variants: pd.DataFrame, *, top: int = 15, ax=None):
    """Horizontal bars of the most frequent variants' share of journeys.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt

    head = variants.head(top).iloc[::-1]
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(9, 0.35 * len(head) + 1.2))
    names = [v if len(v) <= 90 else v[:87] + "..." for v in head["variant"]]
    ax.barh(range(len(head)), head["share"], color="#4C72B0")
    ax.set_yticks(range(len(head)), names, fontsize=8)
    ax.set_xlabel("share of journeys")
    ax.set_title(f"Top {len(head)} variants cover {variants['share'].head(top).sum():.0%} of "
                 "journeys")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


def _persona_names(names: dict | None, persona: Any) -> str:
    if names and persona in names:
        return f"{persona}: {names[persona]}"
    return "too short to tell" if persona == -1 else f"persona {persona}"


#: The criteria a persona model's ``selection_`` may hold, in the order they are drawn.
_CRITERIA = ("bic", "icl", "silhouette", "stability", "weakest_persona")


@_literal_text
def plot_persona_selection(selection: pd.DataFrame, *, criterion: str | None = None, ax=None):
    """How the number of personas was chosen: each criterion of ``selection_`` against k,
    the chosen k marked, one panel per criterion. With ``method="auto"`` each criterion is
    drawn for the method that uses it (ICL for ``markov``; silhouette, stability and the
    weakest persona's clusterwise stability for ``kmeans``), titled by it.

    Parameters
    ----------
    selection : DataFrame
        A fitted model's ``selection_``: ``k``, ``chosen`` and a column per criterion
        (``bic``, ``icl``, ``silhouette``, ``stability``, ``weakest_persona``; those all
        missing are left out).
    criterion : str, optional
        Draw this criterion only; by default every criterion the table holds.
    ax : Axes or sequence of Axes, optional
        Where to draw: one Axes per criterion drawn (one Axes with ``criterion``, or when
        the table holds one criterion). Without it a new figure is made, its panels side
        by side.

    Returns
    -------
    Axes or ndarray of Axes
        What was drawn on: ``ax`` itself when it is one Axes; otherwise an array of Axes,
        one per criterion in the order above. Without ``ax`` that is the new figure's
        panels, so ``plot_persona_selection(model.selection_)[0].figure`` is the figure.

    Examples
    --------
    >>> import pandas as pd
    >>> sel = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, 8.0, 9.0], "icl": [11.0, 9.0, 9.5],
    ...                     "chosen": [False, True, False]})
    >>> [a.get_title() for a in plot_persona_selection(sel)]
    ['BIC (lower is better)', 'ICL (lower is better)']
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from ..errors import InvalidInputError

    crits = [c for c in _CRITERIA if c in selection and selection[c].notna().any()]
    if criterion is not None:
        if criterion not in crits:
            raise InvalidInputError(f"No criterion {criterion!r} in this selection table; it "
                                    f"holds {crits or 'none'}.")
        crits = [criterion]
    if not crits:
        raise InvalidInputError("The selection table holds no criterion to draw (none of "
                                f"{', '.join(_CRITERIA)} has a value).")
    created = ax is None
    if created:
        _, grid = plt.subplots(1, len(crits), figsize=(3.6 * len(crits), 3), squeeze=False)
        axes = grid[0]
    else:
        given = [ax] if isinstance(ax, Axes) else list(np.ravel(np.asarray(ax, dtype=object)))
        axes = np.empty(len(given), dtype=object)
        axes[:] = given
        if len(axes) != len(crits):
            raise InvalidInputError(
                f"{len(crits)} criteria to draw ({', '.join(crits)}) and {len(axes)} Axes "
                "given: pass one Axes per criterion, or criterion= to draw one.")
    for a, c in zip(axes, crits):
        rows = selection[selection[c].notna()]
        a.plot(rows["k"], rows[c], marker="o", color="#4C72B0")
        for k in rows.loc[rows["chosen"], "k"]:
            a.axvline(k, color="#C44E52", linestyle="--", linewidth=1)
        better = "lower" if c in ("bic", "icl") else "higher"
        method = f"{rows['method'].iloc[0]}: " if "method" in rows else ""
        name = c.upper() if c in ("bic", "icl") else c.replace("_", " ")
        a.set_title(f"{method}{name} ({better} is better)", fontsize=10)
        a.set_xlabel("number of personas")
        a.set_xticks(rows["k"])
    if created:  # a figure made here; one the caller gave keeps its layout
        axes[0].figure.tight_layout()
    return ax if isinstance(ax, Axes) else axes


@_literal_text
def plot_persona_embedding(embedding: pd.DataFrame, *, names: dict | None = None, ax=None,
                           min_customers: int = 1):
    """Scatter of :func:`journeylab.embed_journeys`, one colour per persona (journeys too
    short to tell in grey).

    With ``min_customers`` k above 1 (a shared report) no single journey is drawn: each
    persona is a hexagon density showing only cells of at least k journeys, with its
    name at its centre.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.colors import LinearSegmentedColormap

    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(7, 5.5))
    personas = sorted(embedding["persona"].unique(), key=lambda p: (p == -1, p))
    palette = dict(zip([p for p in personas if p != -1], sns.color_palette("tab10", 10) * 3))
    palette[-1] = (0.75, 0.75, 0.75)
    extent = (embedding["x"].min(), embedding["x"].max(), embedding["y"].min(),
              embedding["y"].max())
    for p in personas:
        part = embedding[embedding["persona"] == p]
        if min_customers <= 1:
            ax.scatter(part["x"], part["y"], s=6, alpha=0.5 if p != -1 else 0.25,
                       color=palette[p], label=_persona_names(names, p), linewidths=0)
            continue
        if len(part) < min_customers:
            continue
        shades = LinearSegmentedColormap.from_list("p", [(1, 1, 1), palette[p]])
        ax.hexbin(part["x"], part["y"], gridsize=30, extent=extent, mincnt=min_customers,
                  cmap=shades, alpha=0.6, linewidths=0)
        ax.scatter([part["x"].mean()], [part["y"].mean()], s=40, color=palette[p],
                   edgecolors="black", label=_persona_names(names, p), zorder=3)
    ax.legend(markerscale=1 if min_customers > 1 else 3, fontsize=8, loc="best",
              frameon=False)
    ax.set_xlabel("first axis")
    ax.set_ylabel("second axis")
    ax.set_title(f"{len(embedding):,} journeys, placed by what they contain"
                 + (f" (cells of {min_customers}+)" if min_customers > 1 else ""))
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


@_literal_text
def plot_persona_reach(reach: pd.DataFrame, *, names: dict | None = None, min_reach: float = 0.05,
                       ax=None):
    """Heatmap of :func:`journeylab.persona_reach`: which touchpoints each persona meets.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    shown = reach[reach.max(axis=1) >= min_reach]
    shown = shown.rename(columns=lambda p: _persona_names(names, p))
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(1.2 * shown.shape[1] + 3, 0.3 * shown.shape[0] + 1.8))
    sns.heatmap(shown, annot=_cell_labels(shown, "share", blank_zero=True), fmt="",
                cmap="Purples", cbar=False, ax=ax, annot_kws={"fontsize": 7}, vmin=0, vmax=1)
    ax.set_title("Share of each persona's journeys that meet each touchpoint")
    ax.set_xticklabels(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


def _error_bars(centre: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    """Error bar lengths below and above each centre, never negative (an estimate a
    rounding error outside its interval gets a bar of zero there; missing stays missing)."""
    c = centre.to_numpy(dtype=float)
    return np.vstack([np.clip(c - low.to_numpy(dtype=float), 0, None),
                      np.clip(high.to_numpy(dtype=float) - c, 0, None)])


@_literal_text
def plot_drivers(effects: pd.DataFrame, *, ax=None, show_naive: bool = True):
    """Each touchpoint's effect on the score with its interval (irritants red, delights
    green, the rest grey; not separable ones hatched), and the naive gap (exposed minus
    unexposed, unadjusted) as a hollow marker.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt

    table = effects.dropna(subset=["effect"]).sort_values("effect", kind="stable")
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(8, 0.28 * len(table) + 1.5))
    colours = table["kind"].map({"irritant": "#C44E52", "delight": "#55A868"}).fillna("#999999")
    y = np.arange(len(table))
    ax.barh(y, table["effect"], color=colours, alpha=0.85,
            hatch=["//" if k == "not separable" else "" for k in table["kind"]])
    ax.errorbar(table["effect"], y, xerr=_error_bars(table["effect"], table["ci_low"],
                                                     table["ci_high"]),
                fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    if show_naive and "naive_gap" in table:
        ax.scatter(table["naive_gap"], y, facecolors="none", edgecolors="black", s=18,
                   label="naive gap (unadjusted)", zorder=3)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, table["touchpoint"].astype(str), fontsize=8)
    ax.set_xlabel("effect on the score (points), with its interval")
    ax.set_title("What moves satisfaction")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax


@_literal_text
def plot_score_trajectory(trajectory: pd.DataFrame, *, touchpoint: str = "", ax=None):
    """Mean score (with its interval) by answer number around a touchpoint, from
    ``score_trajectory``: answers before it on the left of the dashed line, after it on
    the right.

    Returns
    -------
    Axes
        ``ax``, or the Axes of a new figure (laid out) when ``ax`` is None.
    """
    import matplotlib.pyplot as plt

    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(5, 3))
    t = trajectory.dropna(subset=["answer", "mean"]).sort_values("answer")  # no merged rows
    ax.errorbar(t["answer"], t["mean"], yerr=_error_bars(t["mean"], t["ci_low"], t["ci_high"]),
                fmt="o-", color="#4C72B0", capsize=3)
    ax.axvline(0, color="black", linestyle="--", linewidth=0.8)
    ax.set_xticks(t["answer"], [f"{int(a):+d}" for a in t["answer"]])
    ax.set_xlabel(f"answer number around {touchpoint}" if touchpoint else "answer number")
    ax.set_ylabel("mean score")
    ax.set_title("Score before and after")
    if created:  # a figure made here; one the caller gave keeps its layout
        ax.figure.tight_layout()
    return ax
