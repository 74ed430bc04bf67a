"""One way to open a log for a study (notebooks and the command line): roles and optional
columns looked up, absent inputs said in one sentence, nothing synthetic by default."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.synth import DESIGNED_JOURNEY, INSTRUMENTS, synthetic_parameters

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks"


def frame(**extra) -> pd.DataFrame:
    """Six journeys of three touchpoints, XES-style column names."""
    n = 6
    df = pd.DataFrame({
        "case:concept:name": np.repeat([f"c{i}" for i in range(n)], 3),
        "concept:name": ["open", "work", "close"] * n,
        "time:timestamp": pd.date_range("2024-01-01", periods=3 * n, freq="h").astype(str),
    })
    for k, v in extra.items():
        df[k] = v
    return df


def test_roles_of_an_xes_style_log_are_looked_up(tmp_path):
    study = jl.open_study(frame(), output_dir=tmp_path)
    assert study.journeys.n_cases == 6 and study.outcome is None and study.segment is None
    assert {"case_id", "activity", "timestamp"} <= set(study.log.events.columns)


@pytest.mark.parametrize("values, found", [
    ([True, False] * 9, True), (["yes", "no", "no"] * 6, True), ([1, 0, 0] * 6, True),
    (["approved", "declined", "open"] * 6, False), ([3, 7, 9] * 6, False)])
def test_an_outcome_is_looked_up_only_when_it_is_yes_or_no(tmp_path, values, found):
    study = jl.open_study(frame(outcome=values), output_dir=tmp_path)
    assert (study.outcome == "outcome") is found
    if not found:  # the note says how to use it
        assert any("=VALUE" in n for n in study.notes)


def test_an_outcome_can_be_a_column_and_the_value_that_counts(tmp_path):
    status = np.repeat(["approved", "declined", "approved", "open", "open", "approved"], 3)
    study = jl.open_study(frame(status=status), outcome_column="status=approved",
                          output_dir=tmp_path)
    assert study.outcome == "status=approved"
    flags = jl.case_outcome(study.journeys, study.outcome)
    assert flags.tolist() == [True, False, True, False, False, True]
    with pytest.raises(jl.InvalidInputError, match="no journey has status = 'won'"):
        jl.open_study(frame(status=status), outcome_column="status=won", output_dir=tmp_path)
    with pytest.raises(jl.InvalidInputError, match="not a yes/no column.*status="):
        jl.open_study(frame(status=status), outcome_column="status", output_dir=tmp_path)
    with pytest.raises(jl.InvalidInputError, match="no column 'nope'"):
        jl.open_study(frame(), outcome_column="nope", output_dir=tmp_path)


def test_a_segment_with_one_value_or_changing_within_journeys_is_left_out(tmp_path, capsys):
    one = jl.open_study(frame(segment=["retail"] * 18), output_dir=tmp_path)
    assert one.segment is None and any("one value" in n for n in one.notes)
    moving = jl.open_study(frame(segment=["a", "b", "c"] * 6), output_dir=tmp_path)
    assert moving.segment is None and any("within journeys" in n for n in moving.notes)
    two = jl.open_study(frame(segment=np.repeat(["a", "b"], 9)), output_dir=tmp_path)
    assert two.segment == "segment"
    assert not one.ready("Compare", "segment")
    said = capsys.readouterr().out.strip().splitlines()
    assert said == ["Compare: skipped; it needs a journey-level column with two or more "
                    "values: set segment_column."]


def test_instruments_are_looked_up_from_names_and_scores():
    ev = jl.generate_journeys(200, random_state=3).events
    log = jl.read_events(ev, instruments="auto")
    assert log.schema.instruments == {k: tuple(map(float, v)) for k, v in INSTRUMENTS.items()}
    found = [f for f in log.report.findings if f.code == "instruments_found"]
    assert found and "csat_survey" in found[0].message and "from its name" in found[0].message
    # a survey named like nothing known gets the narrowest usual scale that holds its scores
    renamed = ev.assign(
        activity=ev["activity"].astype(str).replace({"nps_survey": "after_call_poll"}))
    log = jl.read_events(renamed, instruments="auto")
    assert log.schema.instruments["after_call_poll"] == (0.0, 10.0)
    # scores on every row are a journey-level score, not survey events
    every = frame(satisfaction=[4.0] * 18)
    log = jl.read_events(every, instruments="auto")
    assert log.schema.instruments == {}
    assert any(f.code == "instruments_not_found" for f in log.report.findings)


def test_a_survey_most_customers_leave_unanswered_is_still_a_survey():
    ev = jl.generate_journeys(600, random_state=3).events
    nps = np.flatnonzero((ev["activity"] == "nps_survey").to_numpy())
    rng = np.random.default_rng(0)
    sat = ev["satisfaction"].to_numpy(dtype=float, copy=True)
    sat[rng.choice(nps, size=int(0.8 * len(nps)), replace=False)] = np.nan  # 80% unanswered
    poll = ev.assign(satisfaction=sat, activity=ev["activity"].astype(str).replace(
        {"nps_survey": "after_call_poll"}))  # a name that says nothing
    stray = poll.copy()
    first_visit = np.flatnonzero((stray["activity"] == "browse_web").to_numpy())[0]
    stray.loc[first_visit, "satisfaction"] = 3.0  # one stray score on a touchpoint
    for frame_ in (ev.assign(satisfaction=sat), poll, stray):
        log = jl.read_events(frame_, instruments="auto")
        surveys = set(log.schema.instruments)
        assert surveys == {"csat_survey", "nps_survey"} or \
            surveys == {"csat_survey", "after_call_poll"}, surveys
    assert any(f.code == "score_outside_survey" for f in log.report.findings)  # the stray


def test_instruments_without_a_satisfaction_column_say_what_to_set():
    with pytest.raises(jl.MissingColumnError, match="satisfaction_key"):
        jl.read_events(frame(), instruments={"csat_survey": (1, 5)})


def test_a_section_without_its_inputs_says_so_in_one_sentence(tmp_path, capsys):
    study = jl.open_study(frame(), output_dir=tmp_path,
                          parameters={"designed_journey": ["add_to_cart_app", "checkout"]})
    for section, need in [("Drop-offs", "outcome"), ("The journey map", "stage"),
                          ("Satisfaction", "satisfaction"), ("Conformance", "design"),
                          ("Drops", "repeated survey"), ("Truth", "truth")]:
        assert study.ready(section, need) is False
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and all(": skipped; it needs " in line and line.endswith(".")
                                   for line in lines)
    partly = jl.open_study(frame(), output_dir=tmp_path,
                           parameters={"designed_journey": ["open", "approve", "close"]})
    assert partly.ready("Conformance", "design")
    assert "'approve'" in capsys.readouterr().out


def test_synthetic_parameters_come_only_from_the_demo():
    declared = {}
    for book in sorted(NB.glob("0*.ipynb")):
        declared.update(jl.studies.notebook_parameters(book))
    synthetic = synthetic_parameters("data/processed/default")
    for name in ("designed_journey", "truth_path", "outcome_column", "segment_column",
                 "instruments", "instrument", "csat_instrument"):
        assert name in synthetic
        default = declared[name]["default"]
        assert default in ("", [], {}, '""', "[]", "{}"), (name, default)
    assert synthetic["designed_journey"] == list(DESIGNED_JOURNEY)


def _plain_log(tmp_path) -> Path:
    """A log with only the three required roles under XES names, and touchpoints that are
    none of the synthetic retailer's."""
    ev = jl.generate_journeys(250, random_state=4).events
    ev = ev[~ev["activity"].astype(str).isin(list(INSTRUMENTS))]
    names = {a: f"step {i:02d}" for i, a in enumerate(sorted(ev["activity"].astype(str).unique()))}
    plain = pd.DataFrame({"case:concept:name": ev["case_id"].map(lambda c: f"T{c}"),
                          "concept:name": ev["activity"].astype(str).map(names),
                          "time:timestamp": ev["timestamp"]})
    path = tmp_path / "tickets.csv"
    plain.to_csv(path, index=False)
    return path


def test_every_notebook_runs_on_a_log_with_only_the_required_roles(tmp_path):
    """No outcome, segment, satisfaction, stage or channel: every notebook completes, each
    absent section says what it would need, and no synthetic name reaches the report."""
    path = _plain_log(tmp_path)
    synthetic = [*DESIGNED_JOURNEY, *INSTRUMENTS, "truth_personas", "converted",
                 "store_walk_in", "hold_queue"]
    for book in sorted(NB.glob("0*.ipynb")):
        params = {"events_path": str(path), "output_dir": str(tmp_path / book.stem)}
        if book.stem == "02_personas":
            params["stability_resamples"] = 1
        paths = jl.run_notebook(book, tmp_path / "reports", parameters=params)
        nb = nbformat.read(paths["notebook"], as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"
                    or o.get("name") == "stderr"], book.name
        text = json.dumps(outputs) + json.dumps(nb.metadata.get("widgets", {}))
        html = paths["html"].read_text(encoding="utf-8")
        source = "".join(c.source for c in nb.cells)  # help comments may name the defaults
        for name in synthetic:
            assert name not in text, (book.name, name)
            assert name in source or name not in html, (book.name, name)
        assert book.stem[:2] not in ("01", "02") or "step 0" in text, book.name
        if book.stem in ("01_discover_paths", "03_satisfaction_drivers"):
            assert "skipped; it needs" in text, book.name


def test_the_command_line_opens_a_log_the_way_notebooks_do(tmp_path, capsys):
    """`journeylab paths` on a log with XES column names, no flags: the same look-ups as
    open_study, printed, and an error names the command line's flag, not a parameter."""
    from journeylab.cli import main

    src = tmp_path / "log.csv"
    frame(outcome=[True, False, False] * 6).to_csv(src, index=False)
    assert main(["paths", str(src), "--out", str(tmp_path / "out")]) == 0
    said = capsys.readouterr().out
    assert "Outcome: 'outcome', looked up" in said
    study = jl.open_study(src, output_dir=tmp_path / "again")
    assert study.outcome == "outcome"
    assert (tmp_path / "out" / "dropoffs.csv").exists()
    assert main(["paths", str(src), "--out", str(tmp_path / "bad"),
                 "--outcome", "nope"]) == 2
    err = capsys.readouterr().err
    assert "--outcome" in err and "outcome_column" not in err
