"""The journeylab command, run as a user runs it (a real subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "journeylab", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_validate_json_reports_the_accounting(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("Case;Step;When;Score\r\n1;visit;2024-01-01;\r\n1;nps;2024-01-02;11\r\n"
                     ";visit;2024-01-02;\r\n2;visit;02/01/2024;\r\n".encode("latin-1"))
    res = run("validate", str(path), "--case-id", "Case", "--activity", "Step", "--timestamp",
              "When", "--satisfaction", "Score", "--instruments", "nps=0:10", "--json",
              "--quarantine", str(tmp_path / "q.csv"))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert (out["rows_in"], out["rows_kept"], out["rows_quarantined"]) == (4, 2, 2)
    assert out["quarantine_reasons"] == {"null_case_id": 1, "satisfaction_out_of_range": 1}
    codes = {f["code"] for f in out["findings"]}
    assert {"null_case_id", "satisfaction_out_of_range", "mixed_timestamp_formats"} <= codes
    assert all(f["message"] for f in out["findings"])
    assert len(pd.read_csv(tmp_path / "q.csv")) == 2


def test_strict_exit_code_and_clear_errors(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("case_id,activity,timestamp\na,x,2024-01-01\n,y,2024-01-02\n")
    assert run("validate", str(path), "--strict").returncode == 1
    assert run("validate", str(path)).returncode == 0
    res = run("validate", str(path), "--case-id", "customer")
    assert res.returncode == 2
    assert ("journeylab: error: Column 'customer' (the case_id role) is not in the data"
            in res.stderr)
    assert "Traceback" not in res.stderr


def test_synth_writes_a_loadable_log(tmp_path):
    res = run("synth", "--customers", "200", "--random-state", "3", "--out", str(tmp_path / "d"))
    assert res.returncode == 0, res.stderr
    assert "200 journeys" in res.stdout
    res = run("validate", str(tmp_path / "d" / "events.parquet"), "--instruments",
              "csat_survey=1:5", "--instruments", "nps_survey=0:10", "--satisfaction",
              "satisfaction", "--json")
    out = json.loads(res.stdout)
    assert out["rows_quarantined"] == 0 and out["rows_in"] == out["rows_kept"] > 200


def test_paths_writes_the_tables(tmp_path):
    import pm4py

    src = tmp_path / "e.csv"
    frame = pd.read_csv(__import__("pathlib").Path(__file__).resolve().parent.parent
                        / "data" / "sample" / "events.csv").head(3000)
    frame.to_csv(src, index=False)
    res = run("paths", str(src), "--satisfaction", "satisfaction", "--instruments",
              "csat_survey=1:5", "--instruments", "nps_survey=0:10", "--outcome", "converted",
              "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    dfg = pd.read_csv(out / "dfg.csv")
    assert list(dfg.columns[:7]) == ["source", "target", "events", "cases", "mean_s",
                                     "median_s", "p90_s"]
    variants = pd.read_csv(out / "variants.csv")
    assert list(variants.columns[:5]) == ["variant", "length", "cases", "share", "cum_share"]
    assert variants["cum_share"].iloc[-1] == __import__("pytest").approx(1.0)
    assert {"stage", "channel", "customers", "dropoff_rate"} <= set(
        pd.read_csv(out / "journey_matrix.csv").columns)
    assert {"touchpoint", "dropoffs", "dropoff_rate"} <= set(pd.read_csv(out / "dropoffs.csv"))
    assert (out / "process_map.svg").read_text().startswith("<?xml")
    # the DFG of touchpoints (surveys left out) equals pm4py's on the same rows
    touch = frame[~frame["activity"].isin(["csat_survey", "nps_survey"])].copy()
    touch["timestamp"] = pd.to_datetime(touch["timestamp"])
    theirs = pm4py.format_dataframe(touch, case_id="case_id", activity_key="activity",
                                    timestamp_key="timestamp").astype(
        {"case:concept:name": object, "concept:name": object})
    expected, _, _ = pm4py.discover_dfg(theirs)
    assert dict(zip(zip(dfg["source"], dfg["target"]), dfg["events"])) == expected


def test_personas_writes_assignments_and_profiles(tmp_path):
    from journeylab import generate_journeys

    truth = generate_journeys(600, random_state=2)
    events = truth.save(tmp_path / "data", events_format="csv")["events"]
    out = tmp_path / "personas"
    res = run("personas", str(events), "--instruments", "csat_survey=1:5", "--instruments",
              "nps_survey=0:10", "--outcome", "converted", "--n-personas", "4",
              "--random-state", "3", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assignments = pd.read_csv(out / "assignments.csv")
    assert list(assignments.columns[:2]) == ["case_id", "persona"]
    assert len(assignments) == 600 and assignments["case_id"].is_unique
    profiles = pd.read_csv(out / "profiles.csv")
    assert sorted(profiles["persona"]) == [-1, 0, 1, 2, 3]
    assert profiles["journeys"].sum() == 600
    counts = assignments["persona"].value_counts()
    assert all(counts[p] == n for p, n in zip(profiles["persona"], profiles["journeys"]))
    # 600 journeys are too few to learn a chain per persona: the vector model, said so
    assert "4 personas (kmeans, random_state 3)" in res.stdout
    assert "note: Method: kmeans" in res.stdout and "too few" in res.stdout
    assert "Stability " in res.stdout and (out / "stability.csv").exists()
    run("personas", str(events), "--instruments", "csat_survey=1:5", "--instruments",
        "nps_survey=0:10", "--n-personas", "4", "--random-state", "3",
        "--out", str(tmp_path / "again"))
    assert (tmp_path / "again" / "assignments.csv").read_bytes() == \
        (out / "assignments.csv").read_bytes()  # same seed, same file
    bad = run("personas", str(events), "--n-personas", "zero", "--out", str(out))
    assert bad.returncode == 2 and "expected a number of personas" in bad.stderr


def test_drivers_writes_the_irritants_and_moments_of_truth(tmp_path):
    from journeylab import generate_journeys

    truth = generate_journeys(3000, random_state=5)
    events = truth.save(tmp_path / "data", events_format="csv")["events"]
    out = tmp_path / "drivers"
    res = run("drivers", str(events), "--instruments", "csat_survey=1:5", "--instruments",
              "nps_survey=0:10", "--instrument", "nps_survey", "--controls", "segment", "--n-boot",
              "50", "--out", str(out))
    assert res.returncode == 0, res.stderr
    drivers = pd.read_csv(out / "drivers.csv")
    # the table notebook 03 writes: the same step makes both
    assert list(drivers.columns[:6]) == ["touchpoint", "stage", "channel", "effect", "ci_low",
                                         "ci_high"]
    assert {"exposed_scored", "customers", "points_lost", "vif"} <= set(drivers.columns)
    assert drivers.iloc[0]["touchpoint"] in {"hold_queue", "delivery_delayed"}
    assert "csat_survey" not in set(drivers["touchpoint"])  # surveys are never causes
    assert (out / "moments_of_truth.csv").stat().st_size > 0
    assert "confounder" in (out / "assumptions.txt").read_text() or \
        "left out of the controls" in (out / "assumptions.txt").read_text()
    irritants = pd.read_csv(out / "irritants.csv")
    assert set(irritants["kind"]) <= {"irritant", "delight"}


def test_paths_without_outcome_writes_where_journeys_end_and_lifecycle_is_honoured(tmp_path):
    rows = [("c1", "call", "START", "2024-01-01 10:00"),
            ("c1", "call", "COMPLETE", "2024-01-01 10:05"),
            ("c1", "check", "START", "2024-01-01 10:06"),
            ("c1", "check", "COMPLETE", "2024-01-01 10:09"),
            ("c2", "call", "START", "2024-01-02 10:00"),
            ("c2", "call", "COMPLETE", "2024-01-02 10:01")]
    src = tmp_path / "lc.csv"
    pd.DataFrame(rows, columns=["case", "step", "lifecycle", "at"]).to_csv(src, index=False)
    keys = ("--case-id", "case", "--activity", "step", "--timestamp", "at")
    res = run("paths", str(src), *keys, "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert "set aside by lifecycle 3" in res.stdout
    # without an outcome, dropoffs.csv holds where journeys end (end_rate), as notebook 01's
    ends = pd.read_csv(tmp_path / "out" / "dropoffs.csv")
    assert "Drop-offs: skipped; it needs a journey outcome" in res.stdout
    assert list(ends.columns) == ["touchpoint", "reach", "ends", "end_rate", "share_of_ends"]
    assert dict(zip(ends["touchpoint"], ends["ends"])) == {"call": 1, "check": 1}
    dfg = pd.read_csv(tmp_path / "out" / "dfg.csv")
    assert not (dfg["source"] == dfg["target"]).any()
    everything = json.loads(run("validate", str(src), *keys, "--lifecycle", "all", "--json").stdout)
    assert (everything["rows_kept"], everything["rows_set_aside"]) == (6, 0)


def test_one_vocabulary_for_the_api_the_command_line_and_the_notebooks():
    """The same name for the same thing everywhere: random_state, min_customers,
    instrument, n_personas; the old names are gone (an old flag fails as argparse does)."""
    import ast
    import inspect
    from pathlib import Path

    import journeylab as jl
    from journeylab.cli import build_parser

    root = Path(__file__).resolve().parent.parent
    notebooks = {}
    for py in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")):
        cell = py.read_text(encoding="utf-8").split('# %% tags=["parameters"]\n', 1)[1]
        cell = cell.split("\n# %%", 1)[0]
        notebooks[py.stem] = {n.target.id for n in ast.parse(cell).body
                              if isinstance(n, ast.AnnAssign)}
        assert all("=" not in line.split("  # ", 1)[1] for line in cell.splitlines()
                   if "  # " in line), f"{py.name}: a parameter help holds '='"
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    flags = {name: {o for a in sub._actions for o in a.option_strings}
             for name, sub in commands.items()}
    dests = {name: {a.dest for a in sub._actions} for name, sub in commands.items()}

    every_notebook = set.union(*notebooks.values())
    every_flag = set.union(*flags.values())
    for old in ("seed", "min_cases", "target_instrument", "sample_frac", "k"):
        assert old not in every_notebook, old
        assert f"--{old.replace('_', '-')}" not in every_flag, old
    assert all("random_state" in names for names in notebooks.values())
    assert all("min_customers" in names for names in notebooks.values())
    assert "instrument" in notebooks["03_satisfaction_drivers"]
    assert "n_personas" in notebooks["02_personas"]
    for command in ("synth", "personas", "drivers", "demo"):
        assert "--random-state" in flags[command] and "random_state" in dests[command]
    assert "--n-personas" in flags["personas"] and "n_personas" in dests["personas"]
    assert "--instrument" in flags["drivers"] and "--instruments" in flags["drivers"]

    api = {f: set(inspect.signature(f).parameters) for f in (
        jl.generate_journeys, jl.scan_events, jl.find_personas, jl.persona_stability,
        jl.attribute_satisfaction, jl.protect, jl.filter_dfg, jl.compute_funnel,
        jl.run_demo)}
    names = set.union(*api.values())
    assert {"random_state", "min_customers", "instrument", "n_personas", "frac",
            "on"} <= names
    assert not names & {"seed", "sample_frac", "target_instrument", "min_cases", "k"}
    # level is a confidence level only (0.95); events-or-journeys is how=, the steps' column on=
    assert "level" in inspect.signature(jl.attribute_satisfaction).parameters
    for f in (jl.compute_funnel, jl.EventLog.filter_activities, jl.EventLog.filter_attribute,
              jl.FunnelBuilder):
        assert "level" not in inspect.signature(f).parameters, f
    assert "how" in inspect.signature(jl.EventLog.filter_activities).parameters
    for old in (["synth", "--seed", "1"], ["personas", "e.csv", "--out", "o", "--k", "3"],
                ["drivers", "e.csv", "--out", "o", "--target-activity", "nps"],
                ["paths", "e.csv", "--out", "o", "--instrument", "nps=0:10"]):
        res = run(*old)
        assert res.returncode == 2 and "error: unrecognized arguments" in res.stderr, old
