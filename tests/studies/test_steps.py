"""One pipeline: the command line and the notebooks make their tables with the same study
steps, and every study parameter is declared once (STUDY_PARAMETERS), which the
notebooks' parameters cells and the command line's flags follow."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import journeylab as jl
from journeylab.cli import build_parser, main
from journeylab.studies import READING_OPTIONS, STUDY_PARAMETERS, notebook_parameters

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def events_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("log") / "events.csv"
    jl.generate_journeys(600, random_state=3).events.to_csv(path, index=False)
    return path


def _csvs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def _same_tables(cli_out: Path, api_tables: dict, api_out: Path) -> None:
    jl.write_tables(api_tables, api_out)
    api, cli = _csvs(api_out), _csvs(cli_out)
    assert set(api) <= set(cli), f"the command line did not write {set(api) - set(cli)}"
    for name, data in api.items():
        assert cli[name] == data, f"{name} differs between the command line and the step"


def test_paths_command_writes_the_steps_tables(events_csv, tmp_path, capsys):
    assert main(["paths", str(events_csv), "--out", str(tmp_path / "cli"),
                 "--max-steps", "5", "--funnel-steps", "awareness", "purchase"]) == 0
    study = jl.open_study(str(events_csv), output_dir=tmp_path / "api")
    tables = jl.tabulate_paths(study, funnel_steps=["awareness", "purchase"], max_steps=5)
    assert {"dfg", "variants", "funnel", "step_matrix", "dropoffs", "journey_matrix"} <= \
        set(tables)
    assert list(tables["funnel"]["name"].unique()) == ["awareness", "purchase"]
    _same_tables(tmp_path / "cli", tables, tmp_path / "api")


def test_personas_command_writes_the_steps_tables(events_csv, tmp_path, capsys):
    flags = ["--method", "kmeans", "--n-personas", "3", "--stability-resamples", "0",
             "--random-state", "5"]
    assert main(["personas", str(events_csv), "--out", str(tmp_path / "cli"), *flags]) == 0
    study = jl.open_study(str(events_csv), output_dir=tmp_path / "api")
    model, tables = jl.tabulate_personas(study, method="kmeans", n_personas="3",
                                         stability_resamples=0, random_state=5)
    assert model.n_personas_ == 3 and "stability" not in tables
    assert len(tables["assignments"]) == study.journeys.n_cases
    _same_tables(tmp_path / "cli", tables, tmp_path / "api")


def test_drivers_command_writes_the_steps_tables(events_csv, tmp_path, capsys):
    flags = ["--controls", "none", "--n-boot", "30", "--level", "0.9", "--random-state", "2"]
    assert main(["drivers", str(events_csv), "--out", str(tmp_path / "cli"), *flags]) == 0
    study = jl.open_study(str(events_csv), output_dir=tmp_path / "api")
    drivers, tables = jl.tabulate_drivers(study, controls="none", n_boot=30, level=0.9,
                                          random_state=2)
    assert drivers.n_boot == 30 and {"drivers", "irritants", "drops"} <= set(tables)
    _same_tables(tmp_path / "cli", tables, tmp_path / "api")
    assert (tmp_path / "cli" / "assumptions.txt").read_text().strip() == \
        drivers.assumptions.strip()


def test_personas_read_from_an_assignments_file_are_the_controls(events_csv, tmp_path,
                                                                 capsys):
    study = jl.open_study(str(events_csv), output_dir=tmp_path)
    labels = pd.DataFrame({"case_id": study.journeys.cases.astype(str),
                           "persona": [i % 2 for i in range(study.journeys.n_cases)]})
    labels.to_csv(tmp_path / "assignments.csv", index=False)
    controls = jl.study_controls(study, personas_path=str(tmp_path / "assignments.csv"))
    assert "2 personas from assignments.csv" in capsys.readouterr().out
    assert controls.to_dict() == dict(zip(labels["case_id"], labels["persona"]))
    assert jl.study_controls(study, controls="none") is None
    assert jl.study_controls(study, controls="segment") == "segment"


def test_a_missing_input_leaves_its_table_out_with_one_sentence(tmp_path, capsys):
    frame = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "activity": ["x", "y", "x", "z"],
                          "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")})
    study = jl.open_study(frame, output_dir=tmp_path)
    tables = jl.tabulate_paths(study)
    out = capsys.readouterr().out
    assert "journey_matrix" not in tables and "The journey map: skipped" in out
    assert "dropoffs" in tables and "Shown instead: where journeys end" in out
    drivers, tables = jl.tabulate_drivers(study)
    assert drivers is None and tables == {}
    assert "Satisfaction: skipped" in capsys.readouterr().out


def test_write_tables_keeps_a_named_index_as_columns(tmp_path):
    reach = pd.DataFrame({0: [0.5, 1.0]}, index=pd.Index(["x", "y"], name="touchpoint"))
    plain = pd.DataFrame({"a": [1, 2]}, index=[7, 8])
    paths = jl.write_tables({"reach": reach, "plain": plain}, tmp_path)
    assert [p.name for p in paths] == ["reach.csv", "plain.csv"]
    assert (tmp_path / "reach.csv").read_text().splitlines() == ["touchpoint,0", "x,0.5",
                                                                 "y,1.0"]
    assert (tmp_path / "plain.csv").read_text().splitlines() == ["a", "1", "2"]


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_parameter_is_the_declared_one(notebook):
    declared = notebook_parameters(notebook)
    assert declared, notebook.name
    for name, info in declared.items():
        assert name in STUDY_PARAMETERS, f"{notebook.name}: {name} is not in STUDY_PARAMETERS"
        kind, help_text = STUDY_PARAMETERS[name]
        assert (info["type"], info["help"]) == (kind, help_text), f"{notebook.name}: {name}"


def test_every_declared_parameter_is_taken_by_some_notebook():
    taken = set().union(*(notebook_parameters(nb) for nb in NOTEBOOKS))
    assert set(STUDY_PARAMETERS) == taken


def test_command_line_flags_say_what_the_parameters_say():
    sub = build_parser()._subparsers._group_actions[0].choices
    helps = {a.dest: a.help for a in sub["drivers"]._actions}
    for name in ("case_id_key", "satisfaction_key", "n_boot", "level", "min_effect"):
        assert helps[name] == STUDY_PARAMETERS[name][1].replace('""', "omitted"), name


def test_a_misspelt_parameter_is_named_with_the_close_one():
    with pytest.raises(jl.InvalidInputError, match="parameter n_boots: unknown; did you "
                                                   "mean n_boot"):
        jl.check_parameters(n_boots=10)


def test_study_parameters_takes_the_declared_names_only(tmp_path):
    namespace = {"events_path": __file__, "min_customers": 3, "plt": object(), "k": 9}
    assert jl.study_parameters(namespace) == {"events_path": __file__, "min_customers": 3}
    with pytest.raises(jl.InvalidInputError, match="min_customers=0"):
        jl.study_parameters(namespace | {"min_customers": 0})


def test_open_study_keeps_the_parameters_and_passes_reading_options(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("case_id;activity;timestamp\na;x;2024-01-01\na;y;2024-01-02\n")
    study = jl.open_study(str(path), output_dir=tmp_path, sep=";", min_customers=3,
                          n_boot=10)
    assert study.journeys.n_cases == 1
    assert study.parameters["min_customers"] == 3 and study.parameters["sep"] == ";"
    # what was not given is not recorded: provenance holds the notebook's own parameters
    assert set(study.parameters) == {"events_path", "output_dir", "sep", "min_customers",
                                     "n_boot"}
    assert "sep" in READING_OPTIONS
    with pytest.raises(jl.InvalidInputError, match="open_study has no option colour"):
        jl.open_study(str(path), output_dir=tmp_path, colour="red")


def test_compare_groups_takes_two_segments_big_enough_else_the_two_halves(tmp_path):
    rows = []
    for i in range(12):  # segment "a": 10 journeys, "b": 2 journeys (under min_customers)
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)
        for j, act in enumerate(["x", "y"]):
            rows.append((f"c{i}", act, day + pd.Timedelta(hours=j), "a" if i < 10 else "b"))
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "segment"])
    study = jl.open_study(frame, output_dir=tmp_path)
    assert study.segment == "segment"
    halves = jl.compare_groups(study, min_customers=5)
    kpis = halves["kpis"].set_index("metric")
    assert list(kpis.columns) == ["first half", "second half"]
    assert kpis.loc["journeys"].tolist() == [6, 6]  # started before / after 6.5 days in
    both = jl.compare_groups(study, min_customers=2)
    assert list(both["kpis"].columns) == ["metric", "a", "b"]
    assert both["kpis"].set_index("metric").loc["journeys"].tolist() == [10, 2]
