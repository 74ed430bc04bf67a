"""DFG + performance DFG + variants on a 10M-event log, beside pm4py and retentioneering.

Every contender runs in its own process on the same Parquet file in the same run; loading
(read + format) is timed apart from the analysis. Peak memory is the process's resident
peak after loading and at the end. retentioneering runs from benchmarks/.peers-venv
(made by benchmarks/peers.sh) with its tracking switched off.

    python benchmarks/bench_paths.py [--events 10000000] [--skip-peers]
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
from bench_load import ensure_file  # noqa: E402

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
             "timestamp_key='timestamp', duplicates='keep', "
             "columns=['case_id', 'activity', 'timestamp'])",
        steps=step("dfg + performance", "dfg = jl.discover_dfg(log)")
        + step("variants", "v = jl.get_variants(log)")
        + "check = {'edges': len(dfg.edges), 'transitions': int(dfg.edges['events'].sum()), "
          "'variants': len(v)}",
        python=sys.executable),
    "pm4py": dict(
        imports="import pandas as pd, pm4py",
        load="df = pd.read_parquet(PATH, columns=['case_id', 'activity', 'timestamp'])\n"
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


def run_all(contenders: dict, path: Path, *, skip_peers: bool, show, prelude: str = "") -> dict:
    """Run every contender in its own process on ``path``; ``show(name, result)`` prints
    each as it finishes. Peers that are skipped, missing or failing are said so."""
    results = {}
    for name, spec in contenders.items():
        if name == "retentioneering" and (skip_peers or not Path(spec["python"]).exists()):
            print("retentioneering: skipped (run benchmarks/peers.sh to install it apart)\n")
            continue
        r = run({**spec, "imports": prelude + spec["imports"]}, path)
        if "error" in r:
            print(f"{name}: failed: {r['error']}\n")
            continue
        results[name] = r
        show(name, r)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--skip-peers", action="store_true", help="journeylab and pm4py only")
    args = ap.parse_args()
    path = ensure_file(args.events)
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} cores\n")

    def show(name: str, r: dict) -> None:
        r["analysis"] = analysis = sum(v for k, v in r["times"].items() if k != "load")
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in r["times"].items())
        print(f"{name:16s} analysis {analysis:6.1f}s  ({steps})")
        print(f"{'':16s} peak memory {r['peak_load_gb']:.2f} GB after load, "
              f"{r['peak_gb']:.2f} GB at the end; check {r['check']}\n")

    results = run_all(CONTENDERS, path, skip_peers=args.skip_peers, show=show)
    ours = results.get("journeylab", {}).get("analysis")
    if ours:
        print("analysis time relative to journeylab:")
        for name, r in results.items():
            if "analysis" in r:
                print(f"  {name:16s} {r['analysis'] / ours:6.1f}x")


if __name__ == "__main__":
    main()
