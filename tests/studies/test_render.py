"""Rendering an executed notebook: explorers show as their pages (no widget manager), a
plotly figure as a figure drawn by the plotly.js shipped beside (or inside) the report,
other widgets keep the widget manager, and nothing comes from the internet."""
from __future__ import annotations

import re

import nbformat
import plotly.graph_objects as go

import journeylab as jl
from journeylab.explore.page import Control, Panel, page_html

WIDGET = "application/vnd.jupyter.widget-view+json"
VIEW = {"version_major": 2, "version_minor": 0, "model_id": "abc"}
STATE = {"application/vnd.jupyter.widget-state+json": {
    "version_major": 2, "version_minor": 0, "state": {"abc": {
        "model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
        "model_module_version": "2.0.0", "state": {"value": 3}}}}}


def executed(tmp_path, outputs: list[dict], name: str = "nb.ipynb"):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=d) for d in outputs]
    nb.cells = [cell]
    nb.metadata["widgets"] = STATE
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def page() -> str:
    c = Control("n", "n", (("one", 1), ("two", 2)))
    return page_html([c], [Panel("p", ("n",), lambda v: f"<b>{v['n']}</b>")])


def test_an_explorer_shows_as_its_page_and_needs_no_widget_manager(tmp_path):
    path = executed(tmp_path, [{WIDGET: VIEW, "text/html": page(), "text/plain": "x"}])
    html = jl.render_html(path).read_text(encoding="utf-8")
    assert "widget-view+json" not in html and "widget-state+json" not in html
    assert "embed-amd" not in html and "require" not in html.split("<body")[0].lower() \
        .split("<style")[0]
    assert not (tmp_path / "embed-amd.js").exists()
    assert len(jl.explore.read_pages(html)) == 1 and "journeylabPage" in html
    assert not re.findall(r'(?:src|href)="https?://', html)


def test_other_widgets_keep_the_widget_manager_beside_or_inside(tmp_path):
    path = executed(tmp_path, [{WIDGET: VIEW, "text/plain": "IntSlider"}])
    html = jl.render_html(path).read_text(encoding="utf-8")
    assert "'embed-amd.js'" in html and 'src="require.js"' in html
    assert (tmp_path / "embed-amd.js").exists() and (tmp_path / "require.js").exists()
    single = jl.render_html(path, tmp_path / "one" / "single.html", single_file=True)
    text = single.read_text(encoding="utf-8")
    assert "embed-amd.js" not in text and 'src="require.js"' not in text
    assert text.count("data:text/javascript;base64,") >= 2  # RequireJS and the manager
    assert sorted(p.name for p in single.parent.iterdir()) == ["single.html"]
    cdn = jl.render_html(path, tmp_path / "cdn.html", offline=False).read_text()
    assert re.search(r"https://[^'\"]*html-manager", cdn)  # asked for: --cdn


def test_a_plotly_figure_is_drawn_by_the_plotly_js_the_report_ships(tmp_path):
    fig = go.Figure(go.Bar(x=["</script><script>alert(1)</script>"], y=[1]))
    data = {"application/vnd.plotly.v1+json": fig.to_plotly_json(), "text/plain": "Figure"}
    path = executed(tmp_path, [data])
    html = jl.render_html(path).read_text(encoding="utf-8")
    assert 'class="jl-plotly"' in html and 'src="plotly.min.js"' in html
    assert (tmp_path / "plotly.min.js").stat().st_size > 1_000_000
    assert "<script>alert(1)" not in html
    single = jl.render_html(path, tmp_path / "s" / "one.html", single_file=True)
    text = single.read_text(encoding="utf-8")
    assert 'src="plotly.min.js"' not in text and len(text) > 1_000_000
    assert sorted(p.name for p in single.parent.iterdir()) == ["one.html"]
