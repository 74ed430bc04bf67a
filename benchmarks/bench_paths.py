"""Read + DFG + performance DFG + variants on 10M events, beside pm4py and retentioneering.

Two files of the same size: the generator's (rows in journey order, pandas categoricals)
and one with its rows in random order, 661,122 distinct variants in 1.47M journeys and 5
columns, the text ones written as plain text (as exports often are). Every contender runs in its own
process on the same file in the same run and reads all its columns; loading (read +
validate + sort + encode for journeylab, read + format_dataframe for pm4py) is timed apart
from the analyses, and end to end is their sum (imports excluded, as every user pays them
once). journeylab runs ``--repeat`` times (min, median and max are printed), the peers
once. Peak memory is the process's resident peak. retentioneering runs from
benchmarks/.peers-venv (made by benchmarks/peers.sh) with its tracking switched off; it
reads the three columns its Eventstream takes.

    python benchmarks/bench_paths.py [--events 10000000] [--repeat 3] [--skip-peers]
                                     [--files generator,shuffled]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_load import ensure_file, ensure_shuffled_file  # noqa: E402

OUT = HERE / "out"

CHILD = """
import resource, time, json, sys
sys._pm4py_welcome_shown = True
PATH = {path!r}
{imports}
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
times = {{}}
t = time.perf_counter()
{load}
times["load"] = time.perf_counter() - t
peak_load = peak()
{steps}
print(json.dumps({{"times": times, "peak_load_gb": peak_load, "peak_gb": peak(), "check": check}}))
"""


def step(name: str, code: str) -> str:
    return (f"t = time.perf_counter()\n{code}\ntimes[{name!r}] = time.perf_counter() - t\n")


CONTENDERS = {
    "journeylab": dict(
        imports="import journeylab as jl",
        load="log = jl.read_events(PATH, case_id_key='case_id', activity_key='activity', "
             "timestamp_key='timestamp', duplicates='keep')",
        steps=step("dfg + performance", "dfg = jl.discover_dfg(log)")
        + step("variants", "v = jl.get_variants(log)")
        + "check = {'edges': len(dfg.edges), 'transitions': int(dfg.edges['events'].sum()), "
          "'variants': len(v)}",
        python=sys.executable),
    "pm4py": dict(
        imports="import pandas as pd, pm4py",
        load="df = pd.read_parquet(PATH)\n"
             "df = pm4py.format_dataframe(df, case_id='case_id', activity_key='activity', "
             "timestamp_key='timestamp')\n"
             "df = df.astype({'case:concept:name': object, 'concept:name': object})",
        steps=step("dfg", "dfg, sa, ea = pm4py.discover_dfg(df)")
        + step("performance", "perf, _, _ = pm4py.discover_performance_dfg(df)")
        + step("variants", "v = pm4py.get_variants(df)")
        + "check = {'edges': len(dfg), 'transitions': int(sum(dfg.values())), "
          "'variants': len(v)}",
        python=sys.executable),
    "retentioneering": dict(
        imports="import os; os.environ['RETENTIONEERING_NO_TRACK'] = '1'\n"
                "import pandas as pd\nfrom retentioneering.eventstream import Eventstream",
        load="df = pd.read_parquet(PATH, columns=['case_id', 'activity', 'timestamp'])\n"
             "es = Eventstream(df, schema={'path_cols': ['case_id'], 'event_col': 'activity', "
             "'timestamp_col': 'timestamp'})",
        steps=step("transition counts", "tg = es.transition_graph_data(edge_weight='count')")
        + step("transition times", "tt = es.transition_graph_data(edge_weight='time_median')")
        + "check = {'edges': int((tg.fillna(0) > 0).to_numpy().sum())}",
        python=str(HERE / ".peers-venv" / "bin" / "python")),
}


def run(spec: dict, path: Path) -> dict:
    code = CHILD.format(path=str(path), imports=spec["imports"], load=spec["load"],
                        steps=spec["steps"])
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "RETENTIONEERING_NO_TRACK": "1",
           "PM4PY_SHOW_PROGRESS_BAR": "False"}
    res = subprocess.run([spec["python"], "-c", code], capture_output=True, text=True, env=env)
    if res.returncode:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "failed"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def run_all(contenders: dict, path: Path, *, skip_peers: bool, show, prelude: str = "",
            repeat: int = 1) -> dict:
    """Run every contender in its own process on ``path`` (journeylab ``repeat`` times, each
    in a fresh process); ``show(name, result)`` prints each as it finishes. Peers that are
    skipped, missing or failing are said so. A repeated result holds every run in
    ``runs``."""
    results = {}
    for name, spec in contenders.items():
        if name == "retentioneering" and (skip_peers or not Path(spec["python"]).exists()):
            print("retentioneering: skipped (run benchmarks/peers.sh to install it apart)\n")
            continue
        runs = []
        for _ in range(repeat if name == "journeylab" else 1):
            r = run({**spec, "imports": prelude + spec["imports"]}, path)
            if "error" in r:
                print(f"{name}: failed: {r['error']}\n")
                break
            runs.append(r)
        if not runs or len(runs) < (repeat if name == "journeylab" else 1):
            continue
        # the steps shown are those of the median run (by end-to-end time)
        r = dict(sorted(runs, key=end_to_end)[len(runs) // 2], runs=runs)
        results[name] = r
        show(name, r)
    return results


def end_to_end(r: dict) -> float:
    return sum(r["times"].values())


def main() -> None:
    import csv
    import statistics

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="journeylab runs per file")
    ap.add_argument("--skip-peers", action="store_true", help="journeylab and pm4py only")
    ap.add_argument("--files", default="generator,shuffled",
                    help="generator (journey order) and/or shuffled (random row order)")
    args = ap.parse_args()
    makers = {"generator": ensure_file, "shuffled": ensure_shuffled_file}
    rows = []
    for kind in args.files.split(","):
        path = makers[kind](args.events)
        print(f"== {kind} file: {path} ({path.stat().st_size / 1e6:.0f} MB), "
              f"{os.cpu_count()} cores\n")

        def show(name: str, r: dict) -> None:
            totals = sorted(end_to_end(x) for x in r["runs"])
            steps = ", ".join(f"{k} {v:.1f}s" for k, v in r["times"].items())
            spread = (f"min {totals[0]:.1f}s, median {statistics.median(totals):.1f}s, max "
                      f"{totals[-1]:.1f}s over {len(totals)} runs" if len(totals) > 1
                      else f"{totals[0]:.1f}s")
            print(f"{name:16s} end to end {spread}  ({steps})")
            print(f"{'':16s} peak memory {max(x['peak_gb'] for x in r['runs']):.2f} GB; "
                  f"check {r['check']}\n")

        results = run_all(CONTENDERS, path, skip_peers=args.skip_peers, show=show,
                          repeat=args.repeat)
        ours = results.get("journeylab")
        if not ours:
            continue
        ours_e2e = statistics.median(end_to_end(x) for x in ours["runs"])
        ours_an = statistics.median(end_to_end(x) - x["times"]["load"] for x in ours["runs"])
        print(f"time relative to journeylab's median ({kind} file):")
        for name, r in results.items():
            e2e = statistics.median(end_to_end(x) for x in r["runs"])
            an = statistics.median(end_to_end(x) - x["times"]["load"] for x in r["runs"])
            print(f"  {name:16s} end to end {e2e / ours_e2e:6.1f}x   analyses "
                  f"{an / ours_an:6.1f}x   peak {max(x['peak_gb'] for x in r['runs']):.2f} GB")
            totals = [end_to_end(x) for x in r["runs"]]
            rows.append({"file": kind, "contender": name, "runs": len(totals),
                         "load_s": round(statistics.median(x["times"]["load"]
                                                           for x in r["runs"]), 2),
                         "analyses_s": round(an, 2), "end_to_end_min_s": round(min(totals), 2),
                         "end_to_end_median_s": round(statistics.median(totals), 2),
                         "end_to_end_max_s": round(max(totals), 2),
                         "peak_gb": round(max(x["peak_gb"] for x in r["runs"]), 2),
                         "x_journeylab": round(e2e / ours_e2e, 1)})
        print()
    if rows:
        OUT.mkdir(exist_ok=True)
        with open(OUT / "bench_paths.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"written {OUT / 'bench_paths.csv'}")


if __name__ == "__main__":
    main()
