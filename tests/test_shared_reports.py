"""A shared report protects people in one place (the report context set in each notebook's
first cell): rendered with the defaults (min_customers=5) on a log where a touchpoint, a
channel, a stage and a segment are each met by 2-3 customers (the hostile study of
tests/reports.py), no page, figure text, explorer option or saved widget state of any
notebook names them."""
from __future__ import annotations

import html
import json

import nbformat
import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.explore.page import read_pages
from tests.reports import BOOKS, RARE, plant_rare_groups



def rare_groups_log(customers: int = 500, seed: int = 11) -> tuple[pd.DataFrame, object]:
    """A generated log where one touchpoint, one channel, one stage and one segment are
    each met by 2 or 3 customers (and nothing else changes)."""
    truth = jl.generate_journeys(customers, random_state=seed)
    surveys = set(truth.read_kwargs().get("instruments", {}) or {}) | \
        {a for a in truth.events["activity"].astype(str).unique() if "survey" in a}
    return plant_rare_groups(truth.events, surveys), truth


def scan(text: str) -> list[str]:
    return [name for name in RARE.values() if name in text]


def widget_state_texts(nb) -> str:
    return json.dumps(nb.metadata.get("widgets", {}))


@pytest.fixture
def shared_reports(hostile_reports):
    """The hostile study's reports as shared (tests/reports.py): its rare groups planted."""
    return hostile_reports("shared")


@pytest.mark.parametrize("stem", BOOKS)
def test_a_shared_report_names_no_rare_touchpoint_channel_stage_or_segment(shared_reports,
                                                                          stem):
    done = shared_reports
    page = done[stem]["html"].read_text(encoding="utf-8")
    # the page source after HTML unescaping: text, SVG, alt text, and every view of every
    # explorer page (each control value's pieces, unpacked) with its control labels
    unescaped = html.unescape(page)
    state = read_pages(page)
    decoded = html.unescape(json.dumps(state, ensure_ascii=False))
    assert scan(unescaped) == [] and scan(decoded) == [], stem
    nb = nbformat.read(done[stem]["notebook"], as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert scan(outputs) == [] and scan(widget_state_texts(nb)) == [], stem
    if stem != "00_quick_tour":
        assert state and all(p["pieces"] for p in state), "the explorers' views are in the page"
    # the tables written beside the report are the analyst's: complete
    tables = " ".join(p.read_text(encoding="utf-8", errors="replace")
                      for p in done[stem]["tables"].glob("*.csv"))
    if stem == "01_discover_paths":
        assert RARE["touchpoint"] in tables


def test_the_analysts_report_of_the_same_log_names_the_rare_groups(hostile_reports):
    """What the shared report hides is there to hide: the analyst's (min_customers=1)."""
    page = html.unescape(hostile_reports("analyst")["01_discover_paths"]["html"].read_text(
        encoding="utf-8"))
    assert set(scan(page)) == set(RARE.values())


def _texts(fig) -> str:
    """Every text a figure draws, as its SVG (text kept as text) holds it."""
    import io

    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    return html.unescape(buf.getvalue())


def _state(widget) -> str:
    """The saved state of a widget and all its children (what a report embeds)."""
    parts, todo = [], [widget]
    while todo:
        w = todo.pop()
        parts.append(json.dumps(w.get_state(), default=str, ensure_ascii=False))
        todo.extend(getattr(w, "children", ()))
        if hasattr(w, "outputs"):
            parts.append(json.dumps(w.outputs, default=str, ensure_ascii=False))
    return " ".join(parts)


@pytest.fixture
def rare_study():
    import matplotlib

    matplotlib.use("Agg")
    events, truth = rare_groups_log(customers=400)
    log = jl.read_events(events, **truth.read_kwargs())
    yield log
    jl.enable_report_display(enable=False)  # the next test starts unprotected


def test_one_context_protects_tables_figures_maps_and_explorers(rare_study):
    import matplotlib.pyplot as plt

    from journeylab.privacy import report_context

    log = rare_study
    drivers = jl.attribute_satisfaction(log, controls="segment", n_boot=0, random_state=0)
    labels = np.where(log.case_lengths >= 3, log.case_lengths % 2, -1)
    labels[np.flatnonzero(labels == 0)[0]] = 7  # a persona of one journey
    model = jl.discover_process_model(log.touchpoints(), coverage=1.0)
    matrix = jl.journey_matrix(log.touchpoints())
    shown = {}
    for k in (5, 1):
        jl.enable_report_display(min_customers=k, log=log)
        assert report_context().min_customers == k
        seen = []
        # tables: with and without a customer count
        seen.append(jl.format_table(jl.satisfaction_by(log, by="touchpoint")).to_html())
        seen.append(jl.format_table(matrix).to_html())
        seen.append(jl.format_table(jl.removal_effects(log.touchpoints(),
                                                       outcome="converted")).to_html())
        seen.append(jl.format_table(pd.Series(1.0, index=log.activities.astype(str),
                                              name="x")).to_html())
        # figures: the drivers, the persona reach, the journey map
        ax = jl.plot_drivers(drivers.effects)
        seen.append(_texts(ax.figure))
        reach = jl.persona_reach(log, labels)
        ax = jl.plot_persona_reach(reach, min_reach=0)
        seen.append(_texts(ax.figure))
        if k > 1:
            assert "7" not in " ".join(t.get_text() for t in ax.get_xticklabels())
        ax = jl.plot_journey_matrix(matrix)
        seen.append(_texts(ax.figure))
        trajectory = pd.DataFrame({"answer": [-1, 1, 2], "answers": [40, 31, 1],
                                   "customers": [40, 30, 1], "mean": [4.1, 3.2, 1.0],
                                   "ci_low": [3.9, 3.0, 1.0], "ci_high": [4.3, 3.4, 1.0]})
        ax = jl.plot_score_trajectory(trajectory, touchpoint=RARE["touchpoint"])
        assert len(ax.lines[0].get_xdata()) == (2 if k > 1 else 3)  # no point of 1 customer
        seen.append(_texts(ax.figure))
        plt.close("all")
        # maps: journeylab's and pm4py's
        seen.append(jl.plot_process_map(jl.discover_dfg(log)).source)
        seen.append(jl.plot_process_model(model, notation="bpmn").source)
        seen.append(jl.plot_process_model(model, notation="petri").source)
        # explorers: options and saved state
        profiles = jl.profile_personas(log, labels)
        profiles.loc[0, "name"] = f"{RARE['channel']}-heavy"  # as a generated name may be
        seen.append(_state(jl.PersonaExplorer(log, labels, profiles=profiles,
                                              min_customers=k).widget))
        seen.append(_state(jl.ProcessMapExplorer(log, segment="segment",
                                                 min_customers=k).widget))
        seen.append(_state(jl.FunnelBuilder(log, on="activity", min_customers=k).widget))
        plt.close("all")
        shown[k] = "\n".join(seen)
    assert scan(shown[5]) == []
    assert "(rare touchpoint)" in shown[5] and "(rare channel)" in shown[5]
    # the analyst's mode shows everything
    assert set(scan(shown[1])) >= {RARE["touchpoint"], RARE["channel"], RARE["stage"],
                                   RARE["segment"]}


def test_a_persona_comparison_shows_no_persona_of_fewer_than_k_customers():
    """Two personas side by side, one of 3 journeys: under k = 5 its column (and the
    difference, which is about it too) is left out of the shared table; k = 1 shows it."""
    from journeylab.privacy import shown_table

    log = jl.read_events(jl.generate_journeys(120, random_state=3).events)
    labels = np.zeros(log.n_cases, dtype=int)
    labels[:3] = 1
    table = jl.compare_personas(log, labels, 0, 1)
    assert table.attrs["column_customers"] == {"a": log.n_cases - 3, "b": 3, "difference": 3}
    try:
        jl.enable_report_display(min_customers=5, log=log)
        shown = shown_table(table)
        assert "b" not in shown.columns and "difference" not in shown.columns
        assert "a" in shown.columns
        jl.enable_report_display(min_customers=1, log=log)
        assert {"a", "b", "difference"} <= set(shown_table(table).columns)
    finally:
        jl.enable_report_display(enable=False)
