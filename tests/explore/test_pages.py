"""Explorer pages, without a browser: the pieces a page holds are the ones the explorer's
``data()`` gives, the shortcuts a page takes (one discovery per touchpoint set, every
funnel from shared prefixes, every map from one `dot` run) give the same numbers as the
plain functions, and nothing from the data can break out of the page's markup."""
from __future__ import annotations

import html
import itertools
import json
import re

import numpy as np
import pytest

import journeylab as jl
from journeylab.explore.page import (Control, Panel, bars_html, page_html, read_pages,
                                     script_json)
from journeylab.explore.static import share_grid

SCRIPT = "<script>alert(1)</script>"


def page_state(page: str) -> dict:
    """The page's controls, panels and every piece (unpacked), as the browser reads them."""
    (spec,) = read_pages(page)
    return spec


@pytest.fixture(scope="module")
def log():
    truth = jl.generate_journeys(800, random_state=11)
    events = truth.events.copy()
    events["activity"] = events["activity"].astype(str).replace({"chat_support": SCRIPT})
    return jl.read_events(events, **truth.read_kwargs())


def test_share_grid_offers_every_tenth_and_the_current_value():
    assert share_grid(0.8) == [round(0.1 * i, 1) for i in range(1, 11)]
    assert 0.85 in share_grid(0.85) and share_grid(0.85) == sorted(share_grid(0.85))
    assert share_grid(1.0, step=0.05, minimum=0.05)[0] == 0.05
    assert len(share_grid(0.5, step=0.05, minimum=0.05)) == 20


def test_simplify_dfg_of_covered_touchpoints_is_filter_dfg(log):
    full = jl.discover_dfg(log)
    for a, p, k in itertools.product([0.3, 0.7, 1.0], [0.2, 0.8, 1.0], [1, 5]):
        kept = jl.covered_activities(full, a)
        base = jl.discover_dfg(log.filter_activities(kept)) if a < 1 else full
        got = jl.simplify_dfg(base, path_coverage=p, min_customers=k, min_edge_share=0.01)
        want = jl.filter_dfg(log, activity_coverage=a, path_coverage=p, min_customers=k,
                             min_edge_share=0.01)
        assert got.edges.equals(want.edges) and got.nodes.equals(want.nodes), (a, p, k)


def test_every_funnel_from_shared_prefixes_is_compute_funnel(log):
    steps = jl.stage_order(log)[:5]
    for by in (None, "segment"):
        every = jl.compute_funnels(log, steps, on="stage", by=by)
        assert len(every) == 2 ** 5 - 1 - 5  # every subset of two steps or more
        for subset, table in every.items():
            assert table.equals(jl.compute_funnel(log, list(subset), on="stage", by=by))
    touch = list(log.activities[:4])
    one = jl.compute_funnels(log, touch, on="activity", min_steps=2)
    assert one[tuple(touch)].equals(jl.compute_funnel(log, touch, on="activity"))
    with pytest.raises(jl.InvalidInputError):
        jl.compute_funnels(log, ["no_such_stage", "awareness"], on="stage")


def test_many_maps_from_one_dot_run_are_each_maps_own_drawing(log):
    from journeylab.plot import render_svgs

    maps = [jl.plot_process_map(jl.filter_dfg(log, path_coverage=p), rankdir="TB")
            for p in (0.2, 0.5, 0.9)] * 4  # 12: two runs side by side
    svgs = render_svgs(maps)
    assert len(svgs) == 12
    def drawing(svg: str) -> str:  # element ids depend on how dot was called
        return re.sub(r' id="[^"]*"|<title>%\d+</title>', "", svg[svg.index("<svg"):])

    for g, svg in zip(maps, svgs):
        assert drawing(svg) == drawing(g.pipe(format="svg").decode())


def test_a_page_holds_each_distinct_piece_once_and_shows_the_current_one():
    calls = []

    def draw(v):
        calls.append(v["n"])
        return f"<b>{v['n'] % 2}</b>"

    c = Control("n", "n", tuple((str(i), i) for i in range(6)), index=3, kind="range")
    page = page_html([c], [Panel("p", ("n",), draw, key=lambda v: v["n"] % 2)])
    spec = page_state(page)
    assert sorted(spec["pieces"]) == ["<b>0</b>", "<b>1</b>"]
    assert calls == [0, 1]  # the key said the other four are the same drawing
    assert spec["panels"][0]["pieces"] == {str(i): spec["pieces"].index(f"<b>{i % 2}</b>")
                                           for i in range(6)}
    assert 'data-panel="p" data-piece="1"><b>1</b></div>' in page  # shown without script
    assert 'type="range" min="0" max="5" step="1" value="3"' in page


def test_names_from_the_data_stay_text_in_controls_pieces_and_json():
    c = Control("t", SCRIPT, ((SCRIPT, "a"), ("b", "b")))
    page = page_html([c], [Panel("p", ("t",), lambda v: bars_html(
        [v["t"]], [1.0], texts=[SCRIPT]))], notes=[SCRIPT])
    assert SCRIPT not in page  # no raw tag anywhere, JSON included
    assert html.escape(SCRIPT) in page
    assert "</script" not in script_json({"x": "</script><!--"}).lower()
    assert json.loads(script_json({"x": "</script><!--&"})) == {"x": "</script><!--&"}
    assert all(SCRIPT not in piece for piece in page_state(page)["pieces"])


def test_variant_page_pieces_are_the_variants_data_gives(log):
    x = jl.VariantExplorer(log, coverage=0.5, min_customers=5)
    spec = page_state(x.to_html())
    labels = spec["controls"]["coverage"]
    assert labels == [f"{v:.0%}" for v in share_grid(0.5, step=0.05, minimum=0.05)]
    for i, value in enumerate(share_grid(0.5, step=0.05, minimum=0.05)):
        piece = spec["pieces"][spec["panels"][0]["pieces"][str(i)]]
        top = x.data(coverage=value)
        counts = re.findall(r'class="jl-bar-text">([\d,]+) \(', piece)
        shown = top.dropna(subset=["cases"]).head(20)
        assert [int(c.replace(",", "")) for c in counts] == shown["cases"].astype(int).tolist()


def test_process_map_page_under_k_shows_no_edge_of_fewer_journeys(log):
    jl.enable_report_display(min_customers=20, log=log)
    try:
        x = jl.ProcessMapExplorer(log, segment="segment", min_customers=20)
        spec = page_state(x.to_html())
    finally:
        jl.enable_report_display(enable=False)
    journeys = [int(n.replace(",", "")) for piece in spec["pieces"]
                for n in re.findall(r"journeys ([\d,]+)", piece)]
    assert journeys and min(journeys) >= 20
    assert "segment" in spec["controls"] and len(spec["controls"]["segment"]) == 3


def test_funnel_page_offers_every_subset_of_its_steps(log):
    x = jl.FunnelBuilder(log, on="stage", segments=["segment"])
    spec = page_state(x.to_html())
    steps = [n for n in spec["controls"] if n.startswith("step")]
    assert 2 <= len(steps) <= 7
    keys = spec["panels"][0]["pieces"]
    assert len(keys) == 2 * 2 ** len(steps)  # by: none or segment
    stages = jl.stage_order(log)[:len(steps)]
    on = "1," + ",".join("1" if i in (0, 2) else "0" for i in range(len(steps)))
    piece = spec["pieces"][keys[on]]
    want = jl.compute_funnel(log, [stages[0], stages[2]], on="stage", by="segment")
    for g, n in zip(want["segment"], want["customers"]):
        assert f"{html.escape(str(g))} \u00b7 " in piece and f"{int(n):,} (" in piece
    assert np.isfinite(want["customers"]).all()
