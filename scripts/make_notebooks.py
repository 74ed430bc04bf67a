"""Write the committed notebooks from their cell sources (outputs empty).

Run ``python scripts/make_notebooks.py`` after editing a notebook's cells here; the tests
check that every committed notebook has no outputs and a ``parameters`` cell.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent.parent / "notebooks"

PARAMS_COMMON = '''events_path: str = "../data/sample/events.csv"  # event file: CSV, Parquet, XES(.gz), JSON lines
case_id_key: str = "case_id"  # column holding the journey (customer) id
activity_key: str = "activity"  # column holding the touchpoint
timestamp_key: str = "timestamp"  # column holding when it happened
channel_key: str = "channel"  # column holding the channel ("" if the log has none)
stage_key: str = "stage"  # column holding the journey stage ("" if the log has none)
satisfaction_key: str = "satisfaction"  # column holding survey scores ("" if none)
instruments: dict = {"csat_survey": [1, 5], "nps_survey": [0, 10]}  # survey activity -> [low, high] scale
catalogue_path: str = ""  # optional touchpoint catalogue CSV (activity, stage, channel)
output_dir: str = "../reports/00_quick_tour"  # where tables and figures are written
seed: int = 42  # random seed for every random step'''


def quick_tour() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# A quick tour of journeylab\n\n"
            "Load a customer event log, see what validation found, and get a first feel for the "
            "journeys. Runs top to bottom on the bundled synthetic sample; change the "
            "parameters below (or pass them with papermill) to use your own log."),
        new_code_cell(PARAMS_COMMON, metadata={"tags": ["parameters"]}),
        new_code_cell(
            "from pathlib import Path\n\n"
            "import journeylab as jl\n\n"
            "out = Path(output_dir)\n"
            "out.mkdir(parents=True, exist_ok=True)\n"
            "read_kwargs = dict(case_id_key=case_id_key, activity_key=activity_key,\n"
            "                   timestamp_key=timestamp_key, channel_key=channel_key,\n"
            "                   stage_key=stage_key, satisfaction_key=satisfaction_key,\n"
            "                   instruments={k: tuple(v) for k, v in instruments.items()},\n"
            "                   catalogue=catalogue_path or None)"),
        new_markdown_cell(
            "## Load and validate\n\n"
            "Rows that cannot be used are quarantined with a reason, never dropped silently: "
            "rows in = rows kept + rows quarantined."),
        new_code_cell("log = jl.read_events(events_path, **read_kwargs)\nlog.report"),
        new_code_cell("jl.describe_log(log)"),
        new_markdown_cell("## Journeys\n\nOne row per journey: how long, how many touchpoints, "
                          "and the attributes that stay constant within it."),
        new_code_cell("cases = log.case_table()\ncases.head(10)"),
        new_code_cell("ax = jl.plot_journey_lengths(cases)\n"
                      "jl.save_figure(ax, out / 'journey_lengths.png');"),
        new_code_cell("log.report.findings_frame().to_csv(out / 'validation_findings.csv', "
                      "index=False)\njl.describe_log(log).astype({'value': str}).to_csv("
                      "out / 'summary.csv', index=False)"),
        new_markdown_cell(
            "## Next\n\n"
            "* `01_discover_paths`: the paths customers actually take.\n"
            "* `02_personas`: behavioural personas.\n"
            "* `03_satisfaction_drivers`: which touchpoints move satisfaction."),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, build in {"00_quick_tour.ipynb": quick_tour}.items():
        nb = build()
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{Path(name).stem}-{i}"
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
