"""The one formatting layer every displayed table goes through (journeylab.plot.display)."""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import journeylab as jl  # noqa: E402
from journeylab.plot.display import format_table, format_value  # noqa: E402


def _cells(styler) -> list[list[str]]:
    """The rendered text of each body cell, row by row."""
    html = styler.to_html()
    body = html[html.index("<tbody>"):]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def _headers(styler) -> list[str]:
    html = styler.to_html()
    head = html[html.index("<thead>"):html.index("</thead>")]
    return re.findall(r'class="col_heading[^"]*" >(.*?)</th>', head)


@pytest.fixture
def report_table() -> pd.DataFrame:
    return pd.DataFrame({
        "touchpoint": ["<script>alert(1)</script>", "call", None],
        "mean_s": [183568.25289, 45.2, np.nan],
        "median_s": [11520.0, 600.0, 0.0],
        "cases": [2955.0, 7.0, np.nan],
        "events": np.array([12000, 8, 1], dtype=np.int64),
        "share": [0.1234, 1.0, np.nan],
        "conversion_rate": [0.5, 0.0, 0.25],
        "persona": [0.0, 1.0, -1.0],
        "effect": [-0.52345, 0.0312, np.nan],
        "start": pd.to_datetime(["2024-01-01 10:00:00.123456789", "2024-01-02 08:30:05",
                                 None], format="ISO8601").tz_localize("UTC"),
        "wait": pd.to_timedelta([3600, 90, None], unit="s"),
    })


def test_each_kind_of_column_renders_as_a_reader_expects(report_table):
    cells = _cells(format_table(report_table))
    assert cells[0] == ["&lt;script&gt;alert(1)&lt;/script&gt;", "2.1 d", "3.2 h", "2,955",
                        "12,000", "12.3%", "50.0%", "0", "-0.523", "2024-01-01 10:00:00",
                        "1.0 h"]
    assert cells[1] == ["call", "45 s", "10 min", "7", "8", "100.0%", "0.0%", "1", "0.0312",
                        "2024-01-02 08:30:05", "1.5 min"]
    assert cells[2] == ["–", "–", "0 s", "–", "1", "–", "25.0%", "-1", "–", "–", "–"]
    assert _headers(format_table(report_table)) == [
        "touchpoint", "mean", "median", "cases", "events", "share", "conversion_rate",
        "persona", "effect", "start (UTC)", "wait"]


def test_names_from_the_data_are_escaped_everywhere():
    evil = "<script>alert(1)</script>"
    table = pd.DataFrame({evil: ["<b>x</b>"], "n": [1]},
                         index=pd.Index([evil], name="<i>name</i>"))
    table.columns.name = "<u>cols</u>"
    html = format_table(table).to_html()
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html \
        and "<u>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_long_frames_show_max_rows_and_say_so():
    table = pd.DataFrame({"step": range(200), "cases": np.arange(200.0)})
    styler = format_table(table)
    assert len(_cells(styler)) == 50
    assert "showing 50 of 200 rows" in styler.to_html()
    assert len(_cells(format_table(table, max_rows=None))) == 200
    assert "showing" not in format_table(table.head(50)).to_html()


def test_wide_tables_scroll_and_long_text_wraps():
    html = format_table(pd.DataFrame({f"c{i}": ["x" * 200] for i in range(30)})).to_html()
    assert "overflow-x: auto" in html and "max-width: 100%" in html
    assert "white-space: normal" in html and "max-width: 28em" in html


def test_formatting_never_changes_the_input_or_its_values(report_table):
    before = report_table.copy(deep=True)
    styler = format_table(report_table)
    pd.testing.assert_frame_equal(report_table, before)
    pd.testing.assert_frame_equal(styler.data, before)  # formatting only


def test_rows_named_by_the_index_take_their_row_formats():
    profile = pd.DataFrame({"value": ["<b>explorers</b>", 0.25, 7200.0, 31.0]},
                           index=["name", "share", "median_duration_s", "size"], dtype=object)
    assert _cells(format_table(profile)) == [["&lt;b&gt;explorers&lt;/b&gt;"], ["25.0%"],
                                             ["2.0 h"], ["31"]]


def test_format_value_and_its_kinds():
    assert format_value(183568.25289, name="mean_s") == "2.1 d"
    assert format_value(2955.0) == "2,955"
    assert format_value(np.nan) == "–" and format_value(None) == "–" and \
        format_value(pd.NaT) == "–"
    assert format_value(0.1234, name="share") == "12.3%"
    assert format_value(0.1234, name="share_of_journeys") == "12.3%"
    assert format_value(0.5, name="dropoff_rate") == "50.0%"
    assert format_value(4.21734) == "4.22" and format_value(-0.0312) == "-0.0312"
    assert format_value(1234.56) == "1,235" and format_value(18.25) == "18.2"
    assert format_value(pd.Timestamp("2024-05-01 10:00:00.5", tz="UTC")) == \
        "2024-05-01 10:00:00 UTC"
    assert format_value(pd.Timedelta(hours=3, minutes=12)) == "3.2 h"
    assert jl.format_duration(5400) == "1.5 h"


def test_style_table_keeps_working_and_takes_formats():
    styler = jl.style_table(pd.DataFrame({"t": ["<b>x</b>"], "v": [0.5]}), {"v": "{:.0%}"})
    assert _cells(styler) == [["&lt;b&gt;x&lt;/b&gt;", "50%"]]


def test_report_display_formats_every_dataframe_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    assert jl.enable_report_display.__module__ == "journeylab.plot.display"
    shell = InteractiveShell.instance()
    table = pd.DataFrame({"touchpoint": ["<script>x</script>"], "median_s": [183568.25289],
                          "cases": [2955.0], "share": [0.1234], "persona": [0.0]})
    try:
        assert jl.enable_report_display() is True
        data, _ = shell.display_formatter.format(table)
        html = data["text/html"]
        assert "2.1 d" in html and "2,955" in html and "12.3%" in html
        assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
        assert "0.000000" not in html and "183568" not in html
    finally:
        jl.enable_report_display(enable=False)
    assert "183568" in shell.display_formatter.format(table)[0]["text/html"]
    InteractiveShell.clear_instance()


def test_report_display_is_a_no_op_outside_ipython():
    assert jl.enable_report_display() is False


# ---------------------------------------------------------------------------- protect


def test_protect_keeps_shares_and_blanks_only_small_counts():
    dead = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "cases": [40, 12],
                         "hairpin_cases": [3, 20], "share_of_journeys": [0.40, 0.03],
                         "conversion_rate": [0.02, 0.5], "journeys_share": [0.01, 0.2]})
    out = jl.protect(dead, min_customers=5)
    assert out["share_of_journeys"].tolist() == [0.40, 0.03]  # was NaN in every report
    assert out["conversion_rate"].tolist() == [0.02, 0.5]
    assert out["journeys_share"].tolist() == [0.01, 0.2]
    assert np.isnan(out.at[0, "hairpin_cases"]) and out.at[1, "hairpin_cases"] == 20


def test_dead_points_keep_their_share_of_journeys(small_truth):
    log = jl.read_events(small_truth.events, **small_truth.read_kwargs()).touchpoints()
    dead = jl.find_dead_points(log)
    shown = jl.protect(dead, min_customers=5)
    kept = shown[shown["cases"].notna()]
    assert len(kept) and kept["share_of_journeys"].notna().all()


# ---------------------------------------------------------------------------- heatmaps


def _annotations(ax) -> list[str]:
    return sorted(t.get_text() for t in ax.texts if t.get_text())


def test_journey_map_leaves_empty_cells_empty():
    # app x awareness: passed through, never measured; app x loyalty: no journey at all
    matrix = pd.DataFrame({"stage": ["awareness", "awareness", "purchase", "purchase", "loyalty"],
                           "channel": ["web", "app", "web", "app", "web"],
                           "customers": [2955, 12, 40, 7, 1200],
                           "mean_satisfaction": [4.2, np.nan, 3.1, 3.5, 4.0],
                           "dropoff_rate": [0.1234, 0.5, 0.0, 0.25, 0.125]})
    ax = jl.plot_journey_matrix(matrix, value="mean_satisfaction")
    assert _annotations(ax) == ["3.10", "3.50", "4.00", "4.20"]  # no 0.00 anywhere
    assert np.ma.count_masked(ax.collections[0].get_array()) == 2  # drawn without colour
    plt.close(ax.figure)
    ax = jl.plot_journey_matrix(matrix, value="customers")
    assert _annotations(ax) == ["1,200", "12", "2,955", "40", "7"]
    assert np.ma.count_masked(ax.collections[0].get_array()) == 1
    plt.close(ax.figure)
    ax = jl.plot_journey_matrix(matrix, value="dropoff_rate")
    assert _annotations(ax) == ["0.0%", "12.3%", "12.5%", "25.0%", "50.0%"]
    plt.close(ax.figure)


def test_share_heatmaps_annotate_percentages_and_leave_missing_cells_blank():
    steps = pd.DataFrame({1: [0.5, 0.25, np.nan], 2: [0.125, 0.0, 0.75]},
                         index=["a", "b", "c"])
    ax = jl.plot_step_matrix(steps)
    assert _annotations(ax) == ["12.5%", "25.0%", "50.0%", "75.0%"]
    assert np.ma.count_masked(ax.collections[0].get_array()) == 1
    plt.close(ax.figure)
    ax = jl.plot_persona_reach(steps.fillna(0.0), min_reach=0.0)
    assert _annotations(ax) == ["12.5%", "25.0%", "50.0%", "75.0%"]
    plt.close(ax.figure)


def test_very_long_text_cells_are_shortened_for_display_only():
    long = " > ".join(f"step {i}" for i in range(200))
    table = pd.DataFrame({"variant": [long, "<b>short</b>"], "cases": [5, 6]})
    html_text = jl.format_table(table).to_html()
    import html

    assert html.escape(long) not in html_text and html.escape(long[:100]) in html_text
    assert "…" in html_text
    assert "&lt;b&gt;short&lt;/b&gt;" in html_text
    assert table.loc[0, "variant"] == long  # the data is not changed


def test_direction_marks_in_names_are_shown_by_their_code_everywhere():
    from journeylab.privacy import mask_text

    # U+202E reverses the text after it: a touchpoint could show as another name
    name = "refund\u202edeliver"
    rows = [("a", name, "2024-01-01"), ("a", "pay", "2024-01-02"), ("b", name, "2024-01-01"),
            ("b", "pay", "2024-01-03"), ("c", "pay\u2067x", "2024-01-01")]
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    assert name in set(log.activities)  # the data keeps the name as it is
    note = [f for f in log.report.findings if f.code == "control_characters"]
    assert note and note[0].column == "activity" and note[0].rows == 3
    shown = [format_table(jl.get_variants(log)).to_html(),
             jl.plot_process_map(jl.discover_dfg(log)).source,
             " ".join(jl.plot_sankey(jl.compute_step_flows(log, steps=2)).data[0].node.label),
             mask_text(name)]
    for text in shown:
        assert "\u202e" not in text and "\u2067" not in text
        assert "refund[U+202E]deliver" in text
    import ipywidgets as w

    from journeylab.explore.widgets import _protect_controls

    box = w.VBox([w.Dropdown(options=[name, "pay"])])
    _protect_controls(box)
    assert box.children[0].label == "refund[U+202E]deliver"
    assert box.children[0].value == name  # what the explorer computes with is unchanged


def test_long_names_are_wrapped_in_maps_and_whole_in_their_tooltip():
    long = "the customer called the help desk about " + "a very long issue " * 20
    rows = [(c, a, f"2024-01-0{i + 1}") for c in "abc" for i, a in enumerate([long, "pay"])]
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    source = jl.plot_process_map(jl.discover_dfg(log)).source
    label = re.search(r'label="(the customer[^"]*)"', source).group(1)
    lines = label.split("\\n")
    assert all(len(line) <= 72 for line in lines) and lines[2].endswith("…")
    assert f'tooltip="{long.strip()}' in source or f"tooltip=\"{long}" in source


def test_a_map_of_hundreds_of_edges_draws_those_most_journeys_take():
    rng = np.random.default_rng(0)
    rows = [(f"c{i}", f"t{a}", pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=j))
            for i in range(40) for j, a in enumerate(rng.choice(25, 60))]
    dfg = jl.discover_dfg(jl.read_events(pd.DataFrame(
        rows, columns=["case_id", "activity", "timestamp"])))
    assert len(dfg.edges) > 300
    source = jl.plot_process_map(dfg, max_edges=40, rankdir="TB").source
    drawn = [int(n) for n in re.findall(r"n\d+ -> n\d+ \[label=(\d+)", source)]
    assert len(drawn) == 40 and "The 40 edges most journeys take are drawn" in source
    # the 40 drawn are the 40 taken by most journeys (each labelled with its journeys)
    assert sorted(drawn) == sorted(dfg.edges["cases"].nlargest(40).tolist())
    everything = jl.plot_process_map(dfg, max_edges=None, rankdir="TB").source
    assert len(re.findall(r"(n\d+) -> (n\d+)", everything)) == len(dfg.edges)


def test_long_names_are_shortened_on_a_figure_s_ticks_not_in_its_table():
    long = "customer called the help desk about a delivery that never arrived " * 3
    matrix = pd.DataFrame({1: [0.5, 0.3], 2: [0.2, 0.6]}, index=[long, "pay"])
    ax = jl.plot_step_matrix(matrix)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert max(map(len, ticks)) <= 40 and any(t.endswith("…") for t in ticks)
    assert "pay" in ticks and matrix.index[0] == long  # the data keeps the name
    plt.close(ax.figure)


def test_a_report_shows_no_warning_of_a_glyph_missing_from_the_font():
    import subprocess
    import sys

    # a fresh interpreter: the filter is process-wide, the check must see it appear
    code = ("import io, warnings, matplotlib; matplotlib.use('Agg')\n"
            "import matplotlib.pyplot as plt, journeylab as jl\n"
            "def draw():\n"
            "    fig, ax = plt.subplots(); ax.set_title('pay \\U0001F4F1 now')\n"
            "    with warnings.catch_warnings(record=True) as w:\n"
            "        fig.savefig(io.BytesIO())\n"
            "    return sum('missing from font' in str(x.message) for x in w)\n"
            "before = draw(); jl.enable_report_display(); print(before, draw())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["1", "0"]
