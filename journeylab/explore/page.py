"""Explorers as pages: what a rendered report shows of an explorer, working in any browser
with no kernel and no network.

At render time every piece an explorer draws (a map, a table, a chart) is computed by the
same Python code as in JupyterLab for each value of the controls it depends on, on a grid
of control values (sliders in steps of 5 or 10%); the page holds the distinct pieces once
each and shows the piece of the current control values. The numbers on the page are
therefore exactly the ones the explorer's ``data()`` gives. Controls are standard HTML form
elements, so keyboard and screen-reader users can operate them; a control that truly needs
a kernel is shown with a note saying so.

Everything a page shows passes the report context (rare names masked) in one place here;
labels are escaped here, pieces are HTML that journeylab's table, chart and map code made
and escaped, and the page's JSON cannot end its ``<script>`` block (``<``, ``>``, ``&``
written as JSON escapes).
"""
from __future__ import annotations

import html
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from ..plot.display import script_json

__all__ = ["Control", "Panel", "page_html", "page_script", "page_document", "piece_html",
           "page_scripts", "plotly_js", "bars_html", "read_pages"]


@dataclass(frozen=True)
class Control:
    """One control of a page: ``options`` are ``(label, value)`` pairs; ``kind`` is
    ``"select"``, ``"range"`` (a slider over the options) or ``"check"`` (a checkbox: the
    options are off and on)."""

    name: str
    label: str
    options: tuple[tuple[str, Any], ...]
    index: int = 0
    kind: str = "select"


@dataclass(frozen=True)
class Panel:
    """One drawn piece of a page and the controls it depends on. ``draw(values)`` returns
    HTML (or a Graphviz graph, drawn to SVG with every other map of the page at once).
    ``key(values)``, when given, names what the piece shows: values with the same key
    share one drawing (a map that two slider positions leave the same is drawn once)."""

    name: str
    depends: tuple[str, ...]
    draw: Callable[[dict[str, Any]], Any]
    key: Callable[[dict[str, Any]], Any] | None = None
    title: str = ""


@dataclass
class _Pieces:
    html: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, piece: str) -> int:
        if piece not in self.index:
            self.index[piece] = len(self.html)
            self.html.append(piece)
        return self.index[piece]


def piece_html(item: Any) -> Any:
    """One drawn item as page HTML: a text (escaped, rare names masked) as a paragraph, a
    table through its ``_repr_html_`` (journeylab's formatted tables escape their cells), a
    matplotlib figure as inline SVG (closed after), a Graphviz graph left as it is (drawn
    later with the page's other maps).

    Examples
    --------
    >>> piece_html("a <b>")
    '<p class="jl-text">a &lt;b&gt;</p>'
    """
    from ..privacy import mask_text

    if isinstance(item, str):
        return f'<p class="jl-text">{html.escape(mask_text(item))}</p>'
    if hasattr(item, "source") and hasattr(item, "pipe"):
        return item
    if hasattr(item, "savefig"):
        import io

        import matplotlib.pyplot as plt

        buf = io.StringIO()
        item.savefig(buf, format="svg", bbox_inches="tight")
        plt.close(item)
        svg = buf.getvalue()
        return svg[svg.index("<svg"):]
    if hasattr(item, "_repr_html_"):
        return item._repr_html_()
    return f'<p class="jl-text">{html.escape(mask_text(str(item)))}</p>'


def bars_html(labels: Sequence[Any], values: Sequence[float], *, texts: Sequence[str],
              caption: str = "") -> str:
    """A horizontal bar chart in plain HTML (one row per label, bars as wide as the value's
    share of the largest): cheap enough to draw hundreds of times for a page. Labels and
    texts are escaped and rare names masked.

    Examples
    --------
    >>> "width:100.0%" in bars_html(["a", "b"], [4, 2], texts=["4", "2"])
    True
    """
    from ..privacy import mask_text

    top = max([float(v) for v in values if v == v] or [0.0]) or 1.0
    rows = []
    for label, value, text in zip(labels, values, texts):
        width = 0.0 if value != value else 100.0 * float(value) / top
        rows.append(
            f'<div class="jl-bar-row"><span class="jl-bar-label">'
            f'{html.escape(str(mask_text(str(label))))}</span><span class="jl-bar-track">'
            f'<span class="jl-bar" style="width:{width:.1f}%"></span></span>'
            f'<span class="jl-bar-text">{html.escape(str(text))}</span></div>')
    head = f'<div class="jl-bar-caption">{html.escape(caption)}</div>' if caption else ""
    return f'<div class="jl-bars">{head}{"".join(rows)}</div>'


def _control_html(c: Control) -> str:
    from ..privacy import mask_text

    label = html.escape(str(mask_text(c.label)))
    name = html.escape(c.name, quote=True)
    if c.kind == "check":
        checked = " checked" if c.index else ""
        return (f'<label class="jl-control jl-check"><input type="checkbox" '
                f'data-control="{name}"{checked}> {label}</label>')
    if c.kind == "range":
        shown = html.escape(str(mask_text(c.options[c.index][0])))
        return (f'<label class="jl-control">{label} <input type="range" min="0" '
                f'max="{len(c.options) - 1}" step="1" value="{c.index}" '
                f'data-control="{name}" aria-valuetext="{shown}">'
                f' <output data-for="{name}">{shown}</output></label>')
    options = "".join(
        f'<option value="{i}"{" selected" if i == c.index else ""}>'
        f'{html.escape(str(mask_text(lb)))}</option>' for i, (lb, _) in enumerate(c.options))
    return (f'<label class="jl-control">{label} <select data-control="{name}">{options}'
            '</select></label>')


_STYLE = """<style>
.jl-page{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;margin:6px 0}
.jl-controls{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;margin-bottom:6px;
 font:13px sans-serif}
.jl-control select{max-width:28em}.jl-control input[type=range]{vertical-align:middle}
.jl-note{font:12px sans-serif;color:#6a5d00;background:#fff8c5;border-radius:4px;
 padding:1px 6px}
.jl-panel-title{font:600 13px sans-serif;margin:10px 0 2px}
.jl-panel svg{max-width:100%;height:auto}.jl-panel{margin:6px 0;overflow-x:auto}
.jl-bars{font:12px sans-serif;max-width:900px}.jl-bar-caption{font-weight:600;margin:4px 0}
.jl-bar-row{display:flex;align-items:center;gap:8px;margin:2px 0}
.jl-bar-label{flex:0 0 18em;overflow-wrap:anywhere;text-align:right}
.jl-bar-track{flex:1 1 auto;background:#eef1f4;height:14px}
.jl-bar{display:block;height:14px;background:#4a7fb0}.jl-bar-text{flex:0 0 9em}
</style>"""


def page_html(controls: Sequence[Control], panels: Sequence[Panel], *, title: str = "",
              notes: Sequence[str] = ()) -> str:
    """An explorer's page: its controls, every panel drawn for every combination of the
    controls it depends on (identical pieces kept once), and the current combination shown
    (also with JavaScript off). ``notes`` say what the page cannot change without a kernel;
    they are shown next to the controls.

    Examples
    --------
    >>> c = Control("n", "n", (("one", 1), ("two", 2)))
    >>> page = page_html([c], [Panel("p", ("n",), lambda v: f"<b>{v['n']}</b>")])
    >>> read_pages(page)[0]["pieces"]
    ['<b>1</b>', '<b>2</b>']
    """
    from ..plot.graphs import render_svgs
    from ..privacy import report_context

    ctx = report_context()
    by_name = {c.name: c for c in controls}
    pieces = _Pieces()
    drawn: list[tuple[str, dict[str, Any]]] = []  # panel, key -> item, graphs drawn later
    for panel in panels:
        grids = [range(len(by_name[n].options)) for n in panel.depends]
        items, seen = {}, {}
        for combo in itertools.product(*grids):
            values = {n: by_name[n].options[i][1] for n, i in zip(panel.depends, combo)}
            key = panel.key(values) if panel.key is not None else combo
            if key not in seen:
                drawn_item = panel.draw(values)  # HTML text, or an object to draw
                seen[key] = drawn_item if isinstance(drawn_item, str) else \
                    piece_html(drawn_item)
            items[",".join(map(str, combo))] = seen[key]
        drawn.append((panel.name, items))
    graphs = {item.source: item for _, items in drawn for item in items.values()
              if not isinstance(item, str)}
    svgs = dict(zip(graphs, render_svgs(list(graphs.values()))))
    spec_panels, initial = [], {}
    for panel, (name, items) in zip(panels, drawn):
        keys = {key: pieces.add(ctx.mask_markup(item if isinstance(item, str)
                                                else _svg_lean(svgs[item.source])))
                for key, item in items.items()}
        spec_panels.append({"name": name, "depends": list(panel.depends), "pieces": keys})
        now = ",".join(str(by_name[n].index) for n in panel.depends)
        initial[name] = keys.get(now)
    spec = {"controls": {c.name: [str(ctx.mask(lb)) for lb, _ in c.options] for c in controls},
            "panels": spec_panels, "pieces_gz": _packed(pieces.html)}
    head = f'<div class="jl-page-title">{html.escape(str(ctx.mask(title)))}</div>' \
        if title else ""
    notes_html = "".join(f'<span class="jl-note">{html.escape(str(ctx.mask(n)))}</span>'
                         for n in notes)
    body = "".join(
        (f'<div class="jl-panel-title">{html.escape(str(ctx.mask(panel.title)))}</div>'
         if panel.title else "") +
        f'<div class="jl-panel" data-panel="{html.escape(p["name"], quote=True)}" '
        f'data-piece="{initial[p["name"]]}">'
        f'{pieces.html[initial[p["name"]]] if initial[p["name"]] is not None else ""}</div>'
        for panel, p in zip(panels, spec_panels))
    return (f'{_STYLE}<div class="jl-page">{head}<div class="jl-controls">'
            f'{"".join(_control_html(c) for c in controls)}{notes_html}</div>{body}'
            f'<script type="application/json" class="jl-state">{script_json(spec)}</script>'
            f'</div>')


def _packed(pieces: list[str]) -> str:
    """The pieces as gzip-compressed JSON in base64 (maps compress tenfold; the page
    unpacks them with the browser's own DecompressionStream). ``mtime=0``: the same
    pieces give the same bytes."""
    import base64
    import gzip

    raw = json.dumps(pieces, ensure_ascii=False).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def read_pages(html_text: str) -> list[dict[str, Any]]:
    """Every explorer page in a report's HTML, unpacked: its ``controls`` (option labels),
    ``panels`` and every ``pieces`` it can show. To audit what a shared report holds
    beyond what its first view shows.

    Examples
    --------
    >>> c = Control("n", "n", (("one", 1),))
    >>> read_pages(page_html([c], [Panel("p", ("n",), lambda v: "<i>1</i>")]))[0]["pieces"]
    ['<i>1</i>']
    """
    import base64
    import gzip
    import re

    pages = []
    blocks = re.findall(r'<script\b(?=[^>]*\bclass="jl-state")[^>]*>(.*?)</script>',
                        html_text, re.S)
    for block in blocks:
        spec = json.loads(block)
        spec["pieces"] = json.loads(gzip.decompress(base64.b64decode(spec.pop("pieces_gz"))))
        pages.append(spec)
    return pages


def _svg_lean(svg: str) -> str:
    """Graphviz SVG without its comments and indentation (the same drawing, smaller)."""
    import re

    return re.sub(r"<!--.*?-->|\n\s*", "", svg, flags=re.S)


def page_script() -> str:
    """The page's JavaScript (controls, process-map pan, zoom, hover and export), as
    ``<script>`` text to put once in a page."""
    js = (Path(__file__).resolve().parent / "page.js").read_text(encoding="utf-8")
    return f"<script>{js}</script>"


def page_document(*fragments: str, title: str = "journeylab") -> str:
    """A self-contained HTML file of pages (nothing loaded from anywhere; plotly's
    JavaScript inside when a page draws a plotly figure)."""
    body = "".join(fragments)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head><body>{body}"
            f"{page_scripts(body, inline=True)}</body></html>")


def page_scripts(body: str, *, inline: bool = True) -> str:
    """The scripts a page needs, to put once at its end: plotly's (when the page holds a
    plotly figure; inside the page, or with ``inline=False`` a ``<script src>`` of the
    file written beside it) and journeylab's."""
    from ..plot.sankey import PLOTLY_ASSET

    scripts = []
    if 'class="jl-plotly"' in body:
        if inline:
            js = plotly_js().replace("</script", "<\\/script")
            scripts.append(f"<script>{js}</script>")
        else:
            scripts.append(f'<script src="{PLOTLY_ASSET}"></script>')
    return "".join(scripts) + page_script()


def plotly_js() -> str:
    """plotly.js as the installed plotly package ships it (no network)."""
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    return path.read_text(encoding="utf-8")
