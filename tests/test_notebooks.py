"""Notebooks: parameters documented, they run with papermill, and a rerun writes the same
bytes (committed clean and paired with their .py: test_notebook_files.py)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import journeylab as jl

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SAMPLE = ROOT / "data" / "sample" / "events.csv"
# the notebooks run once each on the default sample, for several tests (the drivers with
# fewer resamples: the intervals' width is not what is tested here)
SAMPLE_PARAMETERS = {"01_discover_paths": {}, "03_satisfaction_drivers": {"n_boot": 50}}


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    """``{stem: {"notebook", "html", "tables"}}``: 01 and 03 on the default sample."""
    runs = {}
    for stem, parameters in SAMPLE_PARAMETERS.items():
        out = tmp_path_factory.mktemp(stem)
        runs[stem] = {**jl.run_notebook(ROOT / "notebooks" / f"{stem}.ipynb", out,
                                        parameters={**parameters,
                                                    "output_dir": str(out / "tables")}),
                      "tables": out / "tables"}
    return runs


def test_there_are_notebooks():
    assert any(p.name == "00_quick_tour.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_typed_and_documented(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", [])
    params = pm.inspect_notebook(str(path))
    assert params, "papermill finds no parameters"
    for name, p in params.items():
        assert p["inferred_type_name"] not in ("None", ""), name
        assert p["help"].strip(), f"{name} has no help comment"


def test_quick_tour_runs_and_renders(tmp_path):
    out = tmp_path / "reports"
    paths = jl.run_notebook(ROOT / "notebooks" / "00_quick_tour.ipynb", out,
                            parameters={"output_dir": str(out / "tables")})
    html = paths["html"].read_text(encoding="utf-8")
    assert "rows in" in html and "data:image/png;base64" in html
    nb = nbformat.read(paths["notebook"], as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "Traceback" not in text
    summary = (out / "tables" / "summary.csv").read_text()
    assert "journeys,3000" in summary
    assert (out / "tables" / "journey_lengths.png").stat().st_size > 1000


def test_importing_journeylab_keeps_the_pm4py_banner_out():
    import subprocess
    import sys

    bare = subprocess.run([sys.executable, "-c", "import pm4py"], capture_output=True, text=True)
    ours = subprocess.run([sys.executable, "-c", "import journeylab, pm4py"], capture_output=True,
                          text=True)
    assert "AGPL" in bare.stdout + bare.stderr  # the banner exists ...
    assert "AGPL" not in ours.stdout + ours.stderr  # ... and journeylab keeps it out


def test_graphviz_dot_is_installed_by_the_setup():
    assert shutil.which("dot"), \
        "Graphviz `dot` is missing: run `make setup` (scripts/system-deps.sh)"


def test_discover_paths_runs_on_the_default_and_writes_the_tables(sample_runs):
    paths = sample_runs["01_discover_paths"]
    out = paths["tables"]
    nb = nbformat.read(paths["notebook"], as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", [])
               if o.get("name") == "stderr" or o.get("output_type") == "error"]
    assert streams == []  # no warnings, banners or progress bars in the outputs
    for name in ("dfg.csv", "variants.csv", "journey_matrix.csv", "dropoffs.csv", "funnel.csv"):
        assert (out / name).stat().st_size > 0, name
    html = paths["html"].read_text(encoding="utf-8")
    assert "data:image/svg+xml" in html and "application/vnd.jupyter.widget-state+json" \
        not in html  # the explorers are pages: no widget state, no widget manager
    pages = jl.explore.read_pages(html)
    assert len(pages) == 3 and any("<svg" in piece for piece in pages[0]["pieces"])
    blocks = re.findall(r'class="jl-state"[^>]*>(.*?)</script>', html, re.S)
    assert len(blocks) == 3 and not any("<" in b for b in blocks)  # JSON that stays JSON


def test_discover_paths_runs_on_a_log_without_optional_roles(tmp_path):
    ev = jl.generate_journeys(300, random_state=2).events
    plain = ev[["case_id", "activity", "timestamp"]].rename(
        columns={"case_id": "Case", "activity": "Step", "timestamp": "When"})
    src = tmp_path / "plain.csv"
    plain.to_csv(src, index=False)
    out = tmp_path / "tables"
    jl.run_notebook(ROOT / "notebooks" / "01_discover_paths.ipynb", tmp_path, parameters={
        "events_path": str(src), "case_id_key": "Case", "activity_key": "Step",
        "timestamp_key": "When", "channel_key": "", "stage_key": "", "satisfaction_key": "",
        "instruments": {}, "outcome_column": "", "segment_column": "", "designed_journey": [],
        "output_dir": str(out)}, html=False)
    assert not (out / "journey_matrix.csv").exists()
    funnel = __import__("pandas").read_csv(out / "funnel.csv")
    assert len(funnel) >= 2 and funnel["customers"].is_monotonic_decreasing


def test_satisfaction_drivers_runs_on_a_log_with_one_survey_a_journey(tmp_path, capsys):
    # NPS only: no repeated survey, so no scores before and after a touchpoint
    ev = jl.generate_journeys(1500, random_state=2).events
    src = tmp_path / "nps.csv"
    ev[ev["activity"] != "csat_survey"].to_csv(src, index=False)
    out = tmp_path / "tables"
    jl.run_notebook(ROOT / "notebooks" / "03_satisfaction_drivers.ipynb", tmp_path,
                    parameters={"events_path": str(src), "output_dir": str(out)}, html=False)
    assert (out / "drivers.csv").exists() and not (out / "trajectory.png").exists()
    done = (tmp_path / "03_satisfaction_drivers.ipynb").read_text()
    assert "Scores before and after: skipped" in done


def test_personas_runs_on_the_sample_and_finds_the_planted_personas(tmp_path):
    out = tmp_path / "tables"
    from journeylab.synth import synthetic_parameters

    truth = synthetic_parameters(ROOT / "data" / "sample", events="events.csv")["truth_path"]
    paths = jl.run_notebook(ROOT / "notebooks" / "02_personas.ipynb", tmp_path,
                            parameters={"output_dir": str(out), "stability_resamples": 2,
                                        "truth_path": truth})
    nb = nbformat.read(paths["notebook"], as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", [])
               if o.get("name") == "stderr" or o.get("output_type") == "error"]
    assert streams == []
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")
    ari = float(text.split("against the planted personas: ")[1].split()[0])
    assert ari > 0.75  # 3,000 journeys; the full figure is in benchmarks/check_personas.py
    profiles = (out / "profiles.csv").read_text()
    assignments = (out / "assignments.csv").read_text().splitlines()
    assert len(assignments) == 3_001 and "too short to tell" in profiles
    for name in ("selection.csv", "stability.csv", "comparison.csv", "persona_reach.png",
                 "embedding.png", "process_map_persona_0.svg"):
        assert (out / name).stat().st_size > 0, name
    html = paths["html"].read_text(encoding="utf-8")
    assert html.count("data:image/svg+xml") >= 6 and "data:image/png;base64" in html


def test_satisfaction_drivers_runs_on_the_sample_and_writes_the_tables(sample_runs):
    paths = sample_runs["03_satisfaction_drivers"]
    out = paths["tables"]
    nb = nbformat.read(paths["notebook"], as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", [])
               if o.get("name") == "stderr" or o.get("output_type") == "error"]
    assert streams == []
    import pandas as pd

    drivers = pd.read_csv(out / "drivers.csv")
    assert {"hold_queue", "delivery_delayed"} <= set(
        drivers.loc[drivers["kind"] == "irritant", "touchpoint"])
    for name in ("irritants.csv", "moments_of_truth.csv", "removal_effects.csv", "drops.csv",
                 "drivers.png", "assumptions.txt"):
        assert (out / name).stat().st_size > 0, name
    assert "data:image/png;base64" in paths["html"].read_text(encoding="utf-8")


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.suffix in (".csv", ".parquet", ".json", ".txt")}


@pytest.mark.parametrize("notebook", ["01_discover_paths", "03_satisfaction_drivers"])
def test_two_runs_write_byte_identical_tables(sample_runs, tmp_path, notebook):
    """A rerun (here without the HTML report) writes the same bytes as the first run."""
    first = sample_runs[notebook]
    out = tmp_path / "again"
    again = jl.run_notebook(ROOT / "notebooks" / f"{notebook}.ipynb", out, html=False,
                            parameters={**SAMPLE_PARAMETERS[notebook],
                                        "output_dir": str(out / "tables")})
    runs = [_tables(first["tables"]), _tables(out / "tables")]
    # no library noise (warnings, banners) in what the report shows
    executed = nbformat.read(again["notebook"], as_version=4)
    noise = [o.get("text", "")[:80] for c in executed.cells for o in c.get("outputs", [])
             if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert noise == []
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) >= 5
    differ = [name for name in runs[0] if runs[0][name] != runs[1][name]]
    assert differ == []
    provenance = json.loads(runs[0]["provenance.json"])
    assert provenance["inputs"]["events_path"]["sha256"] == jl.file_sha256(SAMPLE)
    assert provenance["parameters"]["random_state"] == jl.PERSONA_DEFAULTS["random_state"]
    assert provenance["versions"]["pm4py"] == jl.record_provenance.__globals__["_version"]("pm4py")
