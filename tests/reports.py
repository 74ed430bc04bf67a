"""The adversarial study the report tests share: a generated log whose every name is a
payload that tries to inject markup, and where a touchpoint, a channel, a stage and a
segment are each met by 2-3 customers; its four notebooks rendered offline in a shared
report (min_customers=5, pseudonyms) and in the analyst's mode (min_customers=1, real
ids). Running the notebooks is the slow part, so the modules that open these reports
(test_browser, test_browser_injection, test_shared_reports) run in one worker (the
"reports" group of conftest.py) and share one run per mode (its ``hostile_reports``
fixture)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import journeylab as jl

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT / "notebooks"
BOOKS = ["00_quick_tour", "01_discover_paths", "02_personas", "03_satisfaction_drivers"]
EXPLORERS = {"00_quick_tour": 0, "01_discover_paths": 3, "02_personas": 1,
             "03_satisfaction_drivers": 1}

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<!--",
            "</script><script>alert(3)</script>", '"><svg onload=alert(4)>',
            "javascript:alert(5)", "$\\unknowncmd{x}$", 'a"] ; b [label="x',
            '<B>HREF="javascript:alert(6)"</B>']
P = PAYLOADS
# every column named by a payload (the outcome's has no "=": outcome_column is name=value)
COLUMNS = {"case_id": P[1], "activity": P[2], "timestamp": P[5], "channel": P[4],
           "stage": P[7], "satisfaction": P[8], "segment": P[6], "converted": P[3],
           "region": P[0]}
SURVEYS = {"csat_survey": P[0] + " csat", "nps_survey": P[8] + " nps"}
YES, NO = P[5], P[6]
RARE = {"touchpoint": "hush_touchpoint", "channel": "hush_channel", "stage": "hush_stage",
        "segment": "hush_segment"}
MODES = {"shared": {"min_customers": 5, "pseudonymise": True},
         "analyst": {"min_customers": 1, "pseudonymise": False}}


def plant_rare_groups(ev: pd.DataFrame, surveys) -> pd.DataFrame:
    """``ev`` with one touchpoint, one channel, one stage and one segment each met by 2 or
    3 customers (the second non-survey event of journeys with two or more changed;
    nothing else changes)."""
    ev = ev.copy()
    for col in ("activity", "channel", "stage", "segment"):
        ev[col] = ev[col].astype(object)
    plain = ~ev["activity"].isin(set(surveys))
    sizes = ev.loc[plain, "case_id"].value_counts()
    cases = [c for c in ev["case_id"].drop_duplicates() if sizes.get(c, 0) >= 2]

    def second_event(case):
        return ev.index[(ev["case_id"] == case) & plain][1]

    for case in cases[10:12]:  # 2 customers meet a touchpoint nobody else meets
        ev.loc[second_event(case), "activity"] = RARE["touchpoint"]
    for case in cases[20:23]:  # 3 customers use a channel nobody else uses
        ev.loc[second_event(case), "channel"] = RARE["channel"]
    for case in cases[30:32]:  # 2 customers pass a stage nobody else passes
        ev.loc[second_event(case), "stage"] = RARE["stage"]
    ev.loc[ev["case_id"].isin(cases[40:43]), "segment"] = RARE["segment"]  # 3 customers
    return ev


def hostile_log(folder: Path, customers: int = 400) -> tuple[Path, dict]:
    """The generated log with payloads in every name and the rare groups planted, written
    to Parquet; and the notebook parameters that read it."""
    truth = jl.generate_journeys(customers, random_state=5)
    ev = truth.events.copy()
    for col in ("case_id", "activity", "channel", "stage", "segment", "region"):
        ev[col] = ev[col].astype(str)
    common = [a for a in ev["activity"].value_counts().index if a not in SURVEYS][:len(P)]
    ev["activity"] = ev["activity"].replace({**dict(zip(common, P)), **SURVEYS})
    for col in ("channel", "stage", "region"):
        values = list(ev[col].value_counts().index)
        ev[col] = ev[col].replace(dict(zip(values, P)))
    # the segment explorer's options: "<!--" then "<script", which ends no block unescaped
    ev["segment"] = ev["segment"].replace({"new": P[2], "returning": P[0]})
    ev = plant_rare_groups(ev, SURVEYS.values())
    ids = {c: f"{P[i % len(P)]}#{i}" for i, c in enumerate(ev["case_id"].unique())}
    ev["case_id"] = ev["case_id"].map(ids)
    ev["converted"] = ev["converted"].map({True: YES, False: NO})
    ev = ev.rename(columns=COLUMNS)
    path = folder / "events.parquet"
    ev.to_parquet(path, index=False)
    inst = truth.read_kwargs()["instruments"]
    params = {"events_path": str(path), "case_id_key": COLUMNS["case_id"],
              "activity_key": COLUMNS["activity"], "timestamp_key": COLUMNS["timestamp"],
              "channel_key": COLUMNS["channel"], "stage_key": COLUMNS["stage"],
              "satisfaction_key": COLUMNS["satisfaction"],
              "instruments": {SURVEYS[k]: list(v) for k, v in inst.items()},
              "outcome_column": f"{COLUMNS['converted']}={YES}",
              "segment_column": COLUMNS["segment"], "controls": COLUMNS["region"],
              "designed_journey": [P[0], P[1], P[3]], "instrument": SURVEYS["nps_survey"],
              "csat_instrument": SURVEYS["csat_survey"], "stability_resamples": 1,
              "n_boot": 20, "k_max": 4, "personas_path": ""}
    return path, params


def run_reports(folder: Path, mode: str) -> dict[str, dict[str, Path]]:
    """Every notebook run on the hostile log in ``mode`` and rendered offline:
    ``{stem: {"notebook": path, "html": path, "tables": folder}}``."""
    _, offered = hostile_log(folder)
    offered = {**offered, **MODES[mode]}
    out = folder / "reports"
    done = {}
    for stem in BOOKS:
        book = NB / f"{stem}.ipynb"
        declared = jl.studies.notebook_parameters(book)
        params = {k: v for k, v in offered.items() if k in declared}
        params["output_dir"] = str(out / stem)
        done[stem] = {**jl.run_notebook(book, out, parameters=params, offline=True),
                      "tables": out / stem}
    return done
