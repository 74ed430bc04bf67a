"""Studies: parameters listed and checked first, the `run` command, and reports that
protect people (pseudonyms, k-anonymity). Reruns that write the same bytes are in
test_notebooks.py, beside the runs on the sample they repeat."""
from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import journeylab as jl

ROOT = Path(__file__).resolve().parents[2]
NB = ROOT / "notebooks"
SAMPLE = ROOT / "data" / "sample" / "events.csv"


def test_papermill_lists_every_parameter_with_its_help():
    out = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook",
                          str(NB / "03_satisfaction_drivers.ipynb")],
                         capture_output=True, text=True, check=True).stdout
    declared = jl.studies.notebook_parameters(NB / "03_satisfaction_drivers.ipynb")
    for name, info in declared.items():
        assert name in out and info["help"][:40] in out, name
    assert declared["min_customers"] == {"type": "int", "default": 5,
                                         "help": declared["min_customers"]["help"]}


@pytest.mark.parametrize("parameters, message", [
    ({"n_boots": 10}, "has no parameter n_boots; its parameters are: events_path"),
    ({"n_boot": "many"}, "n_boot='many': 03_satisfaction_drivers.ipynb takes an int"),
    ({"level": 1.5}, "level=1.5: a confidence level between 0 and 1"),
    ({"events_path": "missing.csv"}, "events_path='missing.csv': no such file"),
    ({"k_min": 4, "k_max": 3}, None),  # not parameters of 03: unknown names
    ({"window": "week"}, "window='week': must be one of ['journey', 'since_previous']"),
])
def test_bad_parameters_stop_the_run_before_a_kernel_starts(tmp_path, parameters, message):
    t = time.perf_counter()
    with pytest.raises(jl.InvalidInputError) as err:
        jl.run_notebook(NB / "03_satisfaction_drivers.ipynb", tmp_path, parameters=parameters)
    assert time.perf_counter() - t < 10  # no kernel was started
    if message:
        assert message in str(err.value)
    assert not (tmp_path / "03_satisfaction_drivers.ipynb").exists()


def test_a_bad_column_stops_the_notebook_in_its_first_cells(tmp_path):
    with pytest.raises(jl.StudyError) as err:
        jl.run_notebook(NB / "00_quick_tour.ipynb", tmp_path,
                        parameters={"activity_key": "step", "output_dir": str(tmp_path / "t")},
                        html=False)
    text = str(err.value)
    assert "stopped in cell" in text and "'step'" in text
    nb = nbformat.read(tmp_path / "00_quick_tour.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) if any(
        o.get("output_type") == "error" for o in c.get("outputs", []))]
    # code cells: the parameters, papermill's injected ones, then the read cell
    assert failed == [2] and "injected-parameters" in code[1].metadata.get("tags", [])


def test_check_parameters_lists_every_problem():
    with pytest.raises(jl.InvalidInputError) as err:
        jl.check_parameters(level=0, n_boot=-1, method="magic", k_min=5, k_max=2,
                            instruments={"nps": [10, 0]})
    text = str(err.value)
    for name in ("level=0", "n_boot=-1", "method='magic'", "k_max=2", "instruments="):
        assert name in text
    assert jl.check_parameters(level=0.9, n_personas="6")["n_personas"] == "6"


def test_the_run_command(tmp_path):
    cmd = [sys.executable, "-m", "journeylab", "run", str(NB / "00_quick_tour.ipynb"),
           "-p", "events_path", str(SAMPLE), "-p", "min_customers", "1", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "00_quick_tour.html").exists()
    provenance = json.loads((tmp_path / "00_quick_tour" / "provenance.json").read_text())
    assert provenance["parameters"]["min_customers"] == 1
    bad = subprocess.run(cmd[:-2] + ["-p", "random_state", "x", "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and "parameter random_state: 'x' is not an int" in bad.stderr


# ----------------------------------------------------------------------------- privacy
def small_groups_log() -> pd.DataFrame:
    """40 journeys on two common paths, and 3 named customers on a rare path through a
    touchpoint nobody else meets."""
    rows = []
    t0 = pd.Timestamp("2024-01-01")
    for i in range(40):
        path = ["ad", "browse", "buy"] if i % 2 else ["ad", "browse", "call", "buy"]
        rows += [(f"cust{i:03d}", a, t0 + pd.Timedelta(hours=i * 24 + j)) for j, a in
                 enumerate(path)]
    for name in ("alice_smith", "bob_jones", "carol_white"):
        rows += [(name, a, t0 + pd.Timedelta(hours=j)) for j, a in
                 enumerate(["ad", "rare_complaint", "buy"])]
    return pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])


def test_protect_merges_small_groups_and_blanks_small_cells():
    log = jl.read_events(small_groups_log())
    variants = jl.get_variants(log)
    shown = jl.protect(variants, min_customers=5)
    assert (shown["cases"].dropna() >= 5).all()
    assert shown.attrs["suppressed"] == 1 and shown["variant"].iloc[-1].startswith("(1 groups")
    assert not shown["variant"].str.contains("rare_complaint").any()
    assert jl.protect(variants, min_customers=1) is variants
    loops = pd.DataFrame({"touchpoint": ["a"], "cases": [50], "hairpin_cases": [2]})
    assert np.isnan(jl.protect(loops, min_customers=5).loc[0, "hairpin_cases"])
    single = jl.protect(log.case_table(), min_customers=5)  # one customer a row: withheld
    assert len(single) == 0 and single.attrs["suppressed"] == log.n_cases
    with pytest.raises(jl.InvalidInputError, match="cannot tell how many customers"):
        jl.protect(pd.DataFrame({"x": [1]}), min_customers=5)


def test_maps_examples_and_widgets_show_nothing_about_fewer_than_k():
    log = jl.read_events(small_groups_log())
    dfg = jl.filter_dfg(log, min_customers=5)
    assert "rare_complaint" not in set(dfg.nodes["activity"])
    assert (dfg.edges["cases"] >= 5).all()
    assert "rare_complaint" not in jl.plot_process_map(dfg).source
    labels = np.zeros(log.n_cases, dtype=int)
    ex = jl.example_journeys(log, labels, 0, n=43, min_customers=5)
    assert (ex["journeys_on_path"] >= 5).all() and not ex["path"].str.contains("rare").any()
    assert "duration_days" not in ex and "case_id" not in ex  # each one customer's own
    # so a shared report shows them (a table of case ids it would withhold)
    from journeylab.privacy import set_report_context, shown_table
    try:
        set_report_context(5, log=log)
        assert len(shown_table(ex)) == len(ex) > 0
    finally:
        set_report_context(1)
    pm = jl.ProcessMapExplorer(log, min_customers=5)
    assert "rare_complaint" not in set(pm.data().nodes["activity"])
    ve = jl.VariantExplorer(log, coverage=1.0, min_customers=5)
    assert not ve.data()["variant"].str.contains("rare_complaint").any()
    pe = jl.PersonaExplorer(log, labels, min_customers=5)
    assert (pe.data()["examples"]["journeys_on_path"] >= 5).all()


def test_pseudonyms_are_keyed_stable_and_kept_private(tmp_path, monkeypatch):
    ids = ["alice_smith", "bob_jones", "alice_smith"]
    a = jl.pseudonymise(ids, key="one")
    assert a[0] == a[2] and a[0] != a[1] and all(p.startswith("c-") for p in a)
    assert (jl.pseudonymise(ids, key="two") != a).all()  # another key, other pseudonyms
    monkeypatch.delenv("JOURNEYLAB_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    first = jl.pseudonymise(ids)  # makes a key of its own, readable by the user only
    key_file = tmp_path / "journeylab" / "pseudonym.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (jl.pseudonymise(ids) == first).all()
    log = jl.read_events(small_groups_log())
    p = jl.pseudonymise_log(log, key="one")
    assert p.n_events == log.n_events and "alice_smith" not in set(p.cases)
    assert "alice_smith" in set(log.cases)  # the input is left as it was


def test_a_rendered_report_names_no_customer_and_no_small_group(tmp_path):
    events = tmp_path / "events.csv"
    small_groups_log().to_csv(events, index=False)
    params = {"events_path": str(events), "output_dir": str(tmp_path / "tables"),
              "channel_key": "", "stage_key": "", "satisfaction_key": "", "instruments": {},
              "outcome_column": "", "segment_column": "", "designed_journey": ["ad", "buy"]}
    paths = jl.run_notebook(NB / "01_discover_paths.ipynb", tmp_path / "reports",
                            parameters=params)
    html = paths["html"].read_text(encoding="utf-8")
    assert "browse" in html  # the common paths are there
    for private in ("alice_smith", "bob_jones", "rare_complaint"):
        assert private not in html, private
    tour = jl.run_notebook(NB / "00_quick_tour.ipynb", tmp_path / "reports",
                           parameters={k: params[k] for k in ("events_path", "output_dir",
                                                              "channel_key", "stage_key",
                                                              "satisfaction_key",
                                                              "instruments")})
    assert "alice_smith" not in tour["html"].read_text(encoding="utf-8")
    assert "cust001" not in tour["html"].read_text(encoding="utf-8")


def test_the_journey_map_draws_no_single_journey_when_protected():
    import matplotlib

    matplotlib.use("Agg")
    truth = jl.generate_journeys(600, random_state=2)
    log = jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()
    labels = np.where(log.case_lengths >= 3, log.case_lengths % 3, -1)
    embedding = jl.embed_journeys(log, labels)
    ax = jl.plot_persona_embedding(embedding, min_customers=5)
    cells = [c for c in ax.collections if len(c.get_offsets()) > 1]
    assert cells and all(np.min(c.get_array()) >= 5 for c in cells)  # hexagons of 5+
    points = [c for c in ax.collections if len(c.get_offsets()) == 1]
    assert len(points) == len(set(labels))  # one centre per persona, no journey
    open_ax = jl.plot_persona_embedding(embedding)  # the analyst's own view: every journey
    assert sum(len(c.get_offsets()) for c in open_ax.collections) == len(embedding)
