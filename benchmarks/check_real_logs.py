"""Load the real public logs in ../shared/data/real/ and compare with pm4py's own readers.

Not part of the test suite (a user's clone has no such folder). Prints one row per log:
events and journeys as journeylab reads them, as pm4py reads them, and the row accounting.

    python benchmarks/check_real_logs.py [--data ../shared/data/real]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys._pm4py_welcome_shown = True

import pandas as pd  # noqa: E402
import pm4py  # noqa: E402

import journeylab as jl  # noqa: E402

XES = ["bpic2012.xes.gz", "08_receipt.xes.gz", "helpdesk.xes.gz", "07_bpic2013_incidents.xes.gz"]


def pm4py_csv(path: Path, sep: str, encoding: str, case: str, act: str, ts: str) -> pd.DataFrame:
    df = pd.read_csv(path, sep=sep, encoding=encoding)
    df[ts] = pd.to_datetime(df[ts], format="mixed")
    return pm4py.format_dataframe(df, case_id=case, activity_key=act, timestamp_key=ts)


CSV = [  # name, read_events keywords, pm4py/pandas reading of the same
    ("BPI2016_Complaints.csv",
     dict(case_id_key="CustomerID", activity_key="ComplaintTopic_EN", timestamp_key="ContactDate"),
     dict(sep=";", encoding="latin-1")),
    ("bpic2017_application_subset.csv",
     dict(case_id_key="Case ID", activity_key="Activity", timestamp_key="Complete Timestamp"),
     dict(sep=",", encoding="utf-8")),
]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                          / "real"))
    data = Path(ap.parse_args().data)
    rows = []
    for name in XES:
        ours, t_ours = timed(lambda: jl.read_events(data / name, duplicates="keep",
                                                   lifecycle="all"))  # as pm4py reads it
        strict = jl.validate_events(data / name)
        theirs, t_theirs = timed(lambda: pm4py.read_xes(str(data / name),
                                                        show_progress_bar=False))
        rows.append((name, ours, strict, len(theirs), theirs["case:concept:name"].nunique(),
                     t_ours, t_theirs))
    for name, keys, csv_kw in CSV:
        ours, t_ours = timed(lambda: jl.read_events(data / name, duplicates="keep", **keys))
        strict = jl.validate_events(data / name, **keys)

        def theirs_fn():
            df = pd.read_csv(data / name, **csv_kw)
            df[keys["timestamp_key"]] = pd.to_datetime(df[keys["timestamp_key"]], format="mixed")
            return pm4py.format_dataframe(df, case_id=keys["case_id_key"],
                                          activity_key=keys["activity_key"],
                                          timestamp_key=keys["timestamp_key"])
        theirs, t_theirs = timed(theirs_fn)
        rows.append((name, ours, strict, len(theirs), theirs["case:concept:name"].nunique(),
                     t_ours, t_theirs))
    print(f"{'log':32s} {'ours ev':>9s} {'pm4py ev':>9s} {'ours cases':>10s} "
          f"{'pm4py cases':>11s} {'same':>5s} {'default: kept + quarantined (reasons)':>40s} "
          f"{'ours s':>7s} {'pm4py s':>7s}")
    for name, ours, strict, ev, cases, t1, t2 in rows:
        same = ours.n_events == ev and ours.n_cases == cases
        reasons = strict.quarantined["reason"].value_counts().to_dict()
        acct = f"{strict.rows_kept:,} + {strict.rows_quarantined:,} {reasons or ''}"
        print(f"{name:32s} {ours.n_events:9,d} {ev:9,d} {ours.n_cases:10,d} {cases:11,d} "
              f"{'yes' if same else 'NO':>5s} {acct:>40s} {t1:7.1f} {t2:7.1f}")
    for name, ours, strict, *_ in rows:
        warn = [f.code for f in strict.findings if f.severity == "warning"]
        print(f"  {name}: warnings {warn}")
    print("\npaths against pm4py (DFG edges and counts, start/end counts, variants):")
    for name in XES:
        ours = jl.read_events(data / name, duplicates="keep", lifecycle="all")  # as pm4py
        theirs = pm4py.read_xes(str(data / name), show_progress_bar=False)
        theirs = theirs.astype({"case:concept:name": object, "concept:name": object})
        dfg, start, end = pm4py.discover_dfg(theirs)
        variants = {" > ".join(k): v for k, v in pm4py.get_variants(theirs).items()}
        mine = jl.discover_dfg(ours)
        v = jl.get_variants(ours)
        same = (mine.to_dict() == dfg, mine.start_activities == start,
                mine.end_activities == end, dict(zip(v["variant"], v["cases"])) == variants)
        print(f"  {name:32s} edges {len(dfg):5d} variants {len(variants):6d}  "
              f"dfg {same[0]}, starts {same[1]}, ends {same[2]}, variants {same[3]}")


if __name__ == "__main__":
    main()
