"""What a shared report leaves out about single customers, beside its rows of fewer than
k customers: a statistic computed over a count under k (one person's score), the min and
max of a describe(), a headline about few answers, a finding's quoted rows, the time of
day of a timestamp."""
from __future__ import annotations

import pandas as pd

import journeylab as jl
from journeylab.privacy import set_report_context, shown_table


def test_a_statistic_over_fewer_than_k_customers_is_blanked_with_its_count():
    variants = pd.DataFrame({"variant": ["a > b", "b"], "cases": [16, 20],
                             "mean_satisfaction": [7.0, 5.0], "satisfaction_answers": [1, 12]})
    shown = jl.protect(variants, min_customers=5)
    assert shown["mean_satisfaction"].isna().tolist() == [True, False]
    assert shown["satisfaction_answers"].isna().tolist() == [True, False]
    loops = pd.DataFrame({"activity": ["x", "y"], "customers": [30, 30], "self_loops": [1, 9],
                          "self_loop_cases": [1, 7], "mean_repeats": [1.5, 2.0],
                          "repeat_cases": [2, 8]})
    shown = jl.protect(loops, min_customers=5)
    assert shown["self_loops"].isna().tolist() == [True, False]
    assert shown["mean_repeats"].isna().tolist() == [True, False]
    assert shown["customers"].tolist() == [30, 30]  # the row itself is about 30


def test_single_customers_values_stay_out_of_a_shared_report():
    t = jl.generate_journeys(300, random_state=1)
    ev = t.events
    csat = ev["activity"] == "csat_survey"
    few = jl.read_events(pd.concat([ev[~csat], ev[csat].head(3)]),  # 3 answers
                         **t.read_kwargs())
    try:
        set_report_context(5, few)
        head = shown_table(jl.describe_log(few)).set_index("metric")["value"]
        # the survey met by 3 is a rare name, and what it counts is left out too
        assert head["(rare touchpoint) answers"] is None
        assert head["(rare touchpoint) mean"] is None
        assert head["nps_survey answers"] > 5  # many answered: shown
        assert head["first event"] == head["first event"].floor("D")
        described = shown_table(few.case_table().describe())
        assert "min" not in described.index and "max" not in described.index
        findings = jl.validate_events(pd.DataFrame({
            "case_id": ["SECRET\x07id", "SECRET\x07id"], "activity": ["x", "y"],
            "timestamp": ["2024-01-01", "2024-01-02"]}))._repr_html_()
        assert "control_characters" in findings and "SECRET" not in findings
    finally:
        set_report_context(1)
    analyst = jl.validate_events(pd.DataFrame({
        "case_id": ["SECRET\x07id", "SECRET\x07id"], "activity": ["x", "y"],
        "timestamp": ["2024-01-01", "2024-01-02"]}))._repr_html_()
    assert "SECRET" in analyst  # k = 1: the analyst sees the examples


def test_the_quarantine_beside_a_pseudonymised_study_shows_pseudonyms(tmp_path):
    df = pd.DataFrame({"case_id": ["CUST1", "CUST1", "CUST2", None],
                       "activity": ["x", "y", None, "x"],
                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-01"]})
    study = jl.open_study(df, output_dir=tmp_path, pseudonymise=True)
    written = (tmp_path / "quarantine.csv").read_text()
    assert "CUST2" not in written and jl.pseudonymise(["CUST2"])[0] in written
    assert study.log.report.rows_quarantined == 2
    jl.open_study(df, output_dir=tmp_path / "raw", pseudonymise=False)
    assert "CUST2" in (tmp_path / "raw" / "quarantine.csv").read_text()
    # a line that could not be parsed holds its id in its text: left out, its line kept
    (tmp_path / "bad.csv").write_text("case_id,activity,timestamp\nCUST3,x,2024-01-01\n"
                                      'CUST4,"y,2024-01-02\nCUST3,y,2024-01-02\n')
    jl.open_study(tmp_path / "bad.csv", output_dir=tmp_path / "bad", pseudonymise=True)
    written = pd.read_csv(tmp_path / "bad" / "quarantine.csv")
    assert written["reason"].str.startswith("malformed_line").any() and (written["line"] > 0).all()
    assert "CUST4" not in (tmp_path / "bad" / "quarantine.csv").read_text()


def test_a_pseudonymised_study_s_findings_quote_no_customer_id(tmp_path):
    # ids quoted by findings: one not a label (quarantined), one with a control character
    # and one past 500 characters (kept, noted)
    long_id = "LONGID" + "x" * 600
    df = pd.DataFrame({"case_id": ["CUSTA\x01", "CUSTA\x01", 1.5e19, long_id, long_id],
                       "activity": ["x", "y", "x", "x", "y"],
                       "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-01",
                                     "2024-01-02"]})
    plain = jl.open_study(df, output_dir=tmp_path / "raw", pseudonymise=False)
    quoted = plain.log.report.findings_frame().to_csv()
    # they do quote the ids
    assert "CUSTA" in quoted and "15000000000000000000" in quoted and "LONGID" in quoted
    study = jl.open_study(df, output_dir=tmp_path, pseudonymise=True)
    findings = study.log.report.findings_frame()
    text = findings.to_csv() + study.log.report.summary() + study.log.report._repr_html_()
    assert "CUSTA" not in text and "15000000000000000000" not in text and "LONGID" not in text
    # the same findings, counts and example rows: only the values are gone
    before = plain.log.report.findings_frame()
    assert findings[["code", "rows", "column"]].equals(before[["code", "rows", "column"]])
    rows = findings.set_index("code")["examples"]
    assert rows["invalid_case_id"] == [{"row": 2}]
    assert "row 2" in findings.set_index("code").loc["invalid_case_id", "message"]


def test_printed_text_is_masked_in_every_cell_of_a_notebook(tmp_path):
    # IPython puts back the streams' write after each cell: the mask must outlive that
    import nbformat
    import papermill

    setup = (
        "import pandas as pd, journeylab as jl\n"
        "rows = [(f'c{i}', a, f'2024-01-0{j + 1}') for i in range(10)\n"
        "        for j, a in enumerate(['visit', 'buy'])] + [('c99', 'RAREX', '2024-01-01')]\n"
        "log = jl.read_events(pd.DataFrame(rows, columns=['case_id', 'activity', 'timestamp']))\n"
        "jl.enable_report_display(min_customers=5, log=log)\n"
        "print('one RAREX')")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(setup),
                nbformat.v4.new_code_cell("print('two RAREX')"),
                nbformat.v4.new_code_cell("import sys\nsys.stderr.write('three RAREX\\n')\n"
                                          "print('four', 'RAREX', flush=True)"),
                nbformat.v4.new_code_cell("jl.enable_report_display(min_customers=1)\n"
                                          "print('five RAREX')")]
    nbformat.write(nb, tmp_path / "in.ipynb")
    papermill.execute_notebook(str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"),
                               kernel_name="python3", progress_bar=False)
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    printed = ["".join(o.get("text", "") for o in c.outputs) for c in done.cells]
    assert printed[:2] == ["one (rare touchpoint)\n", "two (rare touchpoint)\n"]
    assert sorted(printed[2].splitlines()) == ["four (rare touchpoint)",
                                               "three (rare touchpoint)"]  # two streams
    assert printed[3] == "five RAREX\n"  # the analyst's mode again: as written


def test_a_rare_name_that_reads_as_a_number_is_masked_in_lists_not_in_numbers():
    from journeylab.privacy import ReportContext

    ctx = ReportContext(5, {"404": "(rare touchpoint)"}, {"404", "browse", "1"})
    assert ctx.mask("browse, 404") == "browse, (rare touchpoint)"  # a list of touchpoints
    assert ctx.mask("browse > 404 > browse") == "browse > (rare touchpoint) > browse"
    assert ctx.mask("404 (x3.5)") == "(rare touchpoint) (x3.5)"
    for text in ("1,404 journeys", "found 404 journeys", "4040, 1", "v 404.5"):
        assert ctx.mask(text) == text  # numbers stay numbers


def test_a_persona_profile_lists_no_path_of_fewer_than_k_journeys():
    import numpy as np

    # 12 journeys on "a > b" and 12 unique paths (one journey each)
    rows = [(f"s{i}", a, j) for i in range(12) for j, a in enumerate("ab")] + \
        [(f"u{i}", f"t{i}", 0) for i in range(12)]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "day"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.pop("day"), unit="D")
    log = jl.read_events(df)
    labels = np.where(np.asarray(log.cases).astype(str).astype(object) < "t", 0, 1)
    profiles = jl.profile_personas(log, labels)
    assert "(1)" in " ".join(profiles["top_variants"])  # the analyst's table lists them all
    shown = jl.protect(profiles, min_customers=5)["top_variants"].tolist()
    assert shown == ["a > b (12)", "(each under 5 journeys)"]
    one = jl.protect(profiles[profiles["persona"] == 1], min_customers=5)  # an explorer's row
    assert one["top_variants"].tolist() == ["(each under 5 journeys)"]
    try:
        set_report_context(5, log=log)
        assert "(1)" not in " ".join(shown_table(profiles)["top_variants"])
    finally:
        set_report_context(1)


def test_a_step_matrix_shows_no_cell_of_fewer_than_k_journeys():
    import numpy as np

    log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    matrix = jl.step_matrix(log, max_steps=5)
    counts = (matrix * log.n_cases).round().to_numpy()
    assert ((counts > 0) & (counts < 5)).any()  # the analyst's table has small cells
    try:
        set_report_context(5, log=log)
        shown = (shown_table(matrix, for_figure=True) * log.n_cases).round().to_numpy()
        ax = jl.plot_step_matrix(matrix, min_share=0.0)
    finally:
        set_report_context(1)
    assert not ((shown > 0) & (shown < 5)).any()
    labels = [t.get_text() for t in ax.texts if t.get_text()]
    drawn = np.sort(np.round(counts[(counts >= 5)] / log.n_cases * 100, 1))
    assert len(labels) == len(drawn)  # one label per cell of 5 journeys or more
