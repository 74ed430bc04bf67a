"""A Sankey (alluvial) diagram of the first steps of journeys, drawn with plotly: in
JupyterLab an interactive figure, in a rendered report the same figure drawn by plotly's
JavaScript shipped with the report (nothing loaded from the internet)."""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

__all__ = ["plot_sankey", "figure_html", "PLOTLY_ASSET"]

PLOTLY_ASSET = "plotly.min.js"
"""The file name under which a report ships plotly's JavaScript (from the plotly package)."""

_PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#72B7B2", "#EECA3B", "#9D755D",
            "#FF9DA6", "#E45756", "#D67195", "#439894", "#83BCB6", "#1F77B4", "#8C564B"]
_GREY = "#B8B8B8"


def plot_sankey(flows: pd.DataFrame, *, title: str | None = None, height: int = 520) -> Any:
    """Draw :func:`journeylab.compute_step_flows` as a Sankey diagram.

    Columns are steps, left to right; a touchpoint (or stage) has one colour at every
    step; links are as wide as the journeys taking them, and the journeys that end at a
    step flow to a grey "(drop-off)". Hovering a link shows its journeys and their share
    of the step. Names are shown as text (escaped: plotly would read a few tags in
    labels). A figure about nothing (every link under ``min_customers``) says so.

    Parameters
    ----------
    flows : DataFrame
        ``step, source, target, customers, share``.
    title : str, optional
    height : int
        Pixels.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    >>> fig = plot_sankey(jl.compute_step_flows(log, steps=3))
    >>> fig.data[0].type
    'sankey'
    """
    import plotly.graph_objects as go

    nodes: dict[tuple[int, str], int] = {}
    for step, name in list(zip(flows["step"], flows["source"])) + \
            list(zip(flows["step"] + 1, flows["target"])):
        nodes.setdefault((int(step), str(name)), len(nodes))
    names = sorted({n for _, n in nodes if not n.startswith("(")})
    colour = {n: _PALETTE[i % len(_PALETTE)] for i, n in enumerate(names)}
    last = max([s for s, _ in nodes] or [1])
    keys = list(nodes)
    y = _heights(flows, keys)
    shown = [_plotly_text(n, limit=_LABEL_CHARS) for _, n in keys]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=shown, pad=12, thickness=14,
                  color=[colour.get(n, _GREY) for _, n in keys],
                  x=[0.01 + 0.98 * (s - 1) / max(last - 1, 1) for s, _ in keys],
                  y=[y[key] for key in keys],
                  customdata=[f"{_plotly_text(n)}, step {s}" for s, n in keys],
                  hovertemplate="%{customdata}: %{value:,} journeys"
                                "<extra></extra>"),
        link=dict(source=[nodes[(int(s), str(a))] for s, a in zip(flows["step"],
                                                                   flows["source"])],
                  target=[nodes[(int(s) + 1, str(b))] for s, b in zip(flows["step"],
                                                                       flows["target"])],
                  value=flows["customers"].astype(int).tolist(),
                  customdata=[f"{v:.1%}" for v in flows.get("share", pd.Series(
                      [float("nan")] * len(flows)))],
                  color=[_fade(colour.get(str(a), _GREY)) for a in flows["source"]],
                  hovertemplate="%{source.label} \u2192 %{target.label}: %{value:,} "
                                "journeys (%{customdata} of the step)<extra></extra>")))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      font=dict(size=12), title=_plotly_text(title) if title else None)
    if not len(flows):
        fig.add_annotation(text="no link is taken by enough journeys to be shown",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


#: The longest node label of a Sankey; a longer name ends in "…" (its hover shows it whole).
_LABEL_CHARS = 40


def _plotly_text(name: Any, *, limit: int | None = None) -> str:
    """A name as plotly shows it as text: masked when rare in a shared report, shortened to
    ``limit`` characters, and ``&``, ``<``, ``>`` escaped, so that no tag in it is read
    (plotly reads a few). Quotes are left as they are: plotly decodes only ``&amp;``,
    ``&lt;``, ``&gt;`` and a few other entities, and would show ``&quot;`` as written.

    >>> _plotly_text('<b>"VIP" & co</b>')
    '&lt;b&gt;"VIP" &amp; co&lt;/b&gt;'
    >>> _plotly_text("a very long name", limit=8)
    'a very…'
    """
    from ..privacy import mask_text

    text = str(mask_text(name))
    if limit is not None and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def _heights(flows: pd.DataFrame, keys: list[tuple[int, str]]) -> dict:
    """Each node's vertical centre (0 top, 1 bottom): in its step's column, the largest
    first, "(other)" and "(drop-off)" last, stacked by journeys. Plotly draws a node where
    it is told only when told both x and y; left alone it moves every end to the last
    column."""
    out_of: dict[tuple[int, str], float] = {}
    into: dict[tuple[int, str], float] = {}
    for step, a, b, n in zip(flows["step"], flows["source"], flows["target"],
                             flows["customers"]):
        src, dst = (int(step), str(a)), (int(step) + 1, str(b))
        out_of[src] = out_of.get(src, 0) + n
        into[dst] = into.get(dst, 0) + n
    size = {k: max(out_of.get(k, 0), into.get(k, 0)) for k in keys}  # as plotly sizes it
    out = {}
    for step in sorted({s for s, _ in keys}):
        column = sorted((k for k in keys if k[0] == step),
                        key=lambda k: (k[1].startswith("("), k[1] == "(drop-off)",
                                       -size.get(k, 0), k[1]))
        total = sum(size.get(k, 0) for k in column) or 1
        gap = 0.02
        free = max(1 - gap * (len(column) + 1), 0.1)
        top = gap
        for k in column:
            h = free * size.get(k, 0) / total
            out[k] = min(max(top + h / 2, 0.001), 0.999)
            top += h + gap
    return out


def _fade(hex_colour: str, alpha: float = 0.45) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def figure_html(figure: Any) -> str:
    """A plotly figure as report HTML: a ``<div>`` and the figure's JSON in a data block
    (escaped so that no text ends it), drawn by the report's script with the plotly.js
    the report ships (:data:`PLOTLY_ASSET`). The one place a plotly figure becomes HTML.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> "jl-plotly" in figure_html(go.Figure())
    True
    """
    import json

    from .display import script_json

    spec = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    spec = json.loads(json.dumps(spec, default=_jsonable))
    return ('<div class="jl-plotly"><script type="application/json" class="jl-figure">'
            f'{script_json(spec)}</script></div>')


def _jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
