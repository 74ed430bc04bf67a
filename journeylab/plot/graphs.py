"""The maps Graphviz draws: a directly-follows graph as a process map
(:func:`plot_process_map`) and a process model as BPMN or a Petri net
(:func:`plot_process_model`). Each returns a ``graphviz.Digraph``, laid out top to bottom
or left to right, whichever shows its touchpoint names larger at a report page's width
(measured by :func:`process_map_text_px`), and every label goes through the one label
function of every graph, :func:`dot_label`: names from the data shown as typed, never as
Graphviz HTML or a link, and masked under a shared report's context.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd

from .contract import RETURNS_GRAPH, with_returns
from .display import format_duration

if TYPE_CHECKING:
    from ..paths.models import ProcessModel

__all__ = ["dot_label", "plot_process_map", "plot_process_model", "render_svgs"]


#: Graphviz ``size`` that caps a map at a report page's width: 1000 px (750 pt, 10.4 in),
#: with no practical cap on its height.
PAGE_WIDTH_SIZE = "10.4,200"


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

    return graphviz.nohtml("\\n".join(graphviz.escape(line) for p in lines
                                       for line in _fitted(str(mask_text(str(p))))))


#: The longest line of a graph's label; a longer name is wrapped on three lines at most,
#: the last ending in "…" when it still does not fit (its tooltip holds it whole).
LABEL_LINE = 72


def _fitted(text: str) -> list[str]:
    """``text`` as the lines of a label: as it is when it fits on one; else wrapped at half
    :data:`LABEL_LINE` on at most three lines."""
    import textwrap

    if len(text) <= LABEL_LINE:
        return [text]
    return textwrap.wrap(text, LABEL_LINE // 2, max_lines=3, placeholder=" …",
                         drop_whitespace=True) or [text[:LABEL_LINE - 1] + "…"]


def _hex(rgba) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in rgba[:3]))


@with_returns(RETURNS_GRAPH)
def plot_process_map(dfg, *, mode: str = "frequency", rankdir: str = "auto",
                     title: str | None = None, size: str | None = PAGE_WIDTH_SIZE,
                     fontsize: float = 14,
                     start_end_share: float = 0.1, max_edges: int | None = 150):
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
    max_edges : int, optional
        The most edges drawn: those most journeys take (a note says how many were left
        out). A map of hundreds of edges can be neither read nor laid out in reasonable
        time; :func:`journeylab.filter_dfg` chooses what to draw. None draws every edge.

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
    if max_edges is not None and max_edges < 1:
        raise InvalidInputError(f"max_edges must be at least 1 (or None), got {max_edges!r}.")
    left_out = 0 if max_edges is None else max(len(edges) - int(max_edges), 0)
    if left_out:
        edges = edges.sort_values(["cases", "events", "source", "target"],
                                  ascending=[False, False, True, True],
                                  kind="stable").head(int(max_edges))
    shown = set(edges["source"]) | set(edges["target"])
    nodes = nodes[nodes["activity"].isin(shown) | (nodes["starts"] > 0) | (nodes["ends"] > 0)]
    fs = float(fontsize)
    efs = max(fs - 2, 6)
    drawn = set(nodes["activity"].tolist())
    starts = {a: int(n) for a, n in dfg.start_activities.items() if a in drawn and n >= k}
    ends = {a: int(n) for a, n in dfg.end_activities.items() if a in drawn and n >= k}
    if rankdir == "auto":
        return _more_legible(lambda d: plot_process_map(
            dfg, mode=mode, rankdir=d, title=title, size=size, fontsize=fontsize,
            start_end_share=start_end_share, max_edges=max_edges))
    drawn_starts = _major(starts, start_end_share)
    drawn_ends = _major(ends, start_end_share)
    note = _start_end_note(starts, ends, drawn_starts, drawn_ends, start_end_share)
    if left_out:
        note = (f"The {int(max_edges)} edges most journeys take are drawn; {left_out:,} "
                "fewer-taken ones are left out (filter_dfg chooses). " + note).strip()
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
    # plain Python values: iterating Arrow-backed columns costs more than drawing the map
    names, events = nodes["activity"].tolist(), nodes["events"].tolist()
    cases_of = dict(zip(names, nodes["cases"].tolist()))
    shades = [0.15 + 0.6 * math.log1p(ev) / math.log1p(top) for ev in events]
    fills = [_hex(c) for c in blues(shades)] if shades else []  # one colormap call
    for a, ev, shade, fill in zip(names, events, shades, fills):
        ends_here = ([f"start {starts[a]:,}"] if a in starts else []) + \
            ([f"end {ends[a]:,}"] if a in ends else [])
        lines = [a, f"{int(ev):,}"] + ([", ".join(ends_here)] if ends_here else [])
        g.node(ids[a], label=dot_label(*lines), tooltip=_tooltip(
            a, f"events {int(ev):,}", f"journeys {int(cases_of.get(a, 0)):,}", *ends_here),
            fillcolor=fill, fontcolor="white" if shade > 0.55 else "black")
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
    colours = [_hex(c) for c in reds(0.15 + 0.8 * ranks)] if mode == "time" and len(ranks) \
        else ["#555555"] * len(ranks)  # one colormap call
    for (src, dst, ev, cases, med), colour in zip(
            zip(*(edges[c].tolist() for c in ("source", "target", "events", "cases",
                                               "median_s"))),
            colours):
        width = 0.6 + 6 * math.log1p(ev) / math.log1p(emax)
        label = f"{int(cases):,}" if mode == "frequency" else format_duration(med)
        g.edge(ids[src], ids[dst], label=dot_label(label), penwidth=f"{width:.2f}",
               tooltip=_tooltip(f"{src} \u2192 {dst}", f"journeys {int(cases):,}",
                                f"transitions {int(ev):,}",
                                f"median time {format_duration(med)}"),
               color=colour)
    for a in drawn_starts:
        g.edge("start", ids[a], label=dot_label(f"{starts[a]:,}"), style="dashed", color="#2ca02c")
    for a in drawn_ends:
        g.edge(ids[a], "end", label=dot_label(f"{ends[a]:,}"), style="dashed", color="#d62728")
    return g


def _tooltip(*lines: Any) -> str:
    """A node's or edge's hover text: plain text lines (Graphviz writes it XML-escaped into
    the SVG), rare names masked as in the labels; backslashes doubled so that no name reads
    as a DOT escape (``\\N``)."""
    from ..privacy import mask_text

    return "\n".join(str(mask_text(str(line))).replace("\\", "\\\\") for line in lines)


def render_svgs(graphs: Sequence[Any]) -> list[str]:
    """SVG text of many Graphviz graphs (``graphviz.Digraph`` or DOT source), laid out by one
    run of ``dot`` (one process for all: an explorer's page draws hundreds of maps).

    Examples
    --------
    >>> import graphviz
    >>> svgs = render_svgs([graphviz.Digraph(body=["a -> b"]), "digraph { c }"])
    >>> [s.count("<svg") for s in svgs]
    [1, 1]
    """
    import graphviz

    sources = [getattr(g, "source", g) for g in graphs]
    if not sources:
        return []
    from concurrent.futures import ThreadPoolExecutor

    def run(chunk: list[str]) -> list[str]:
        out = graphviz.pipe_string("dot", "svg", "\n".join(chunk), encoding="utf-8")
        docs = [d[d.index("<svg"):] for d in out.split("<?xml")[1:]]
        if len(docs) != len(chunk):
            raise RuntimeError(f"dot drew {len(docs)} maps of {len(chunk)}")
        return docs

    # two runs side by side when there are many maps: dot uses one core each
    half = (len(sources) + 1) // 2 if len(sources) > 8 else len(sources)
    chunks = [sources[:half], sources[half:]] if half < len(sources) else [sources]
    with ThreadPoolExecutor(len(chunks)) as pool:
        return [svg for docs in pool.map(run, chunks) for svg in docs]


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


@with_returns(RETURNS_GRAPH)
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
