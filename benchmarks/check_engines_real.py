"""Every engine against pm4py on the real public logs in ../shared/data/real/: runs
``journeylab paths LOG --engine E --duplicates keep --lifecycle all`` (as pm4py reads a
log: every event kept) and compares the written DFG (edges and counts, start and end
counts), the mean times of the performance DFG and the variants with pm4py's own.

Not part of the test suite (a user's clone has no such folder).

    python benchmarks/check_engines_real.py [--data ../shared/data/real] [--engines duckdb spark]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys._pm4py_welcome_shown = True

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pm4py  # noqa: E402

from check_real_logs import CSV, XES  # noqa: E402


def pm4py_log(data: Path, name: str) -> tuple[pd.DataFrame, list[str]]:
    """pm4py's reading of a log, and the flags that make journeylab read it the same way."""
    if name in XES:
        frame = pm4py.read_xes(str(data / name), show_progress_bar=False)
        flags = []
    else:
        keys, csv_kw = next((k, c) for n, k, c in CSV if n == name)
        df = pd.read_csv(data / name, **csv_kw)
        df[keys["timestamp_key"]] = pd.to_datetime(df[keys["timestamp_key"]], format="mixed")
        frame = pm4py.format_dataframe(df, case_id=keys["case_id_key"],
                                       activity_key=keys["activity_key"],
                                       timestamp_key=keys["timestamp_key"])
        flags = ["--case-id", keys["case_id_key"], "--activity", keys["activity_key"],
                 "--timestamp", keys["timestamp_key"], "--sep", csv_kw["sep"],
                 "--encoding", csv_kw["encoding"]]
    return frame.astype({"case:concept:name": object, "concept:name": object}), flags


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                          / "real"))
    ap.add_argument("--engines", nargs="+", default=["memory", "duckdb", "spark"])
    args = ap.parse_args()
    data = Path(args.data)
    cli = str(Path(sys.executable).with_name("journeylab"))
    print(f"{'log':32s} {'engine':7s} {'edges':>6s} {'variants':>8s} {'dfg':>4s} "
          f"{'starts':>6s} {'ends':>5s} {'mean_s':>6s} {'variants':>8s} {'wall s':>7s}")
    for name in XES + [n for n, _, _ in CSV]:
        theirs, flags = pm4py_log(data, name)
        dfg, starts, ends = pm4py.discover_dfg(theirs)
        perf = pm4py.discover_performance_dfg(theirs)[0]
        variants = {" > ".join(k): v for k, v in pm4py.get_variants(theirs).items()}
        for engine in args.engines:
            out = Path(tempfile.mkdtemp()) / "paths"
            t = time.perf_counter()
            subprocess.run([cli, "paths", str(data / name), "--out", str(out), "--engine",
                            engine, "--duplicates", "keep", "--lifecycle", "all", *flags],
                           check=True, capture_output=True)
            wall = time.perf_counter() - t
            edges = pd.read_csv(out / "dfg.csv", keep_default_na=False)
            nodes = pd.read_csv(out / "nodes.csv", keep_default_na=False)
            var = pd.read_csv(out / "variants.csv", keep_default_na=False)
            mine = {(a, b): int(n) for a, b, n in zip(edges["source"], edges["target"],
                                                      edges["events"])}
            mean = {(a, b): m for a, b, m in zip(edges["source"], edges["target"],
                                                 edges["mean_s"])}
            same_mean = set(mean) == set(perf) and all(
                np.isclose(mean[k], perf[k]["mean"], rtol=1e-9) for k in perf)
            checks = (mine == dfg,
                      {a: int(s) for a, s in zip(nodes["activity"], nodes["starts"]) if s}
                      == starts,
                      {a: int(s) for a, s in zip(nodes["activity"], nodes["ends"]) if s} == ends,
                      same_mean, dict(zip(var["variant"], var["cases"])) == variants)
            print(f"{name:32s} {engine:7s} {len(dfg):6d} {len(variants):8d} "
                  + " ".join(f"{'yes' if c else 'NO':>{w}s}" for c, w in
                             zip(checks, (4, 6, 5, 6, 8)))
                  + f" {wall:7.1f}", flush=True)


if __name__ == "__main__":
    main()
