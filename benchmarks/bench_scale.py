"""DFG + performance DFG + variants + journey matrix at 1M, 10M and 100M events, in the
memory, DuckDB and Spark engines, beside pm4py and retentioneering on the same files.

The logs are synthetic (``jl.generate_journeys``), written to Parquet in batches of 1M
events with disjoint journey ids (bench_load.ensure_file), into ``--data`` (default: a
folder in the system's temporary folder), and reused when present. Every measurement is a
fresh process that reads the file into its engine and runs the four analyses; wall time is
timed per step and peak memory is the resident size of the whole process tree (the Python
process and, for Spark, its JVM, a child process), sampled every 50 ms with psutil. The
memory engine is run up to 10M events (100M events do not fit in memory), Spark (local[2])
up to 10M. pm4py (read_parquet + format_dataframe, DFG, performance DFG, variants) and
retentioneering (its transition graph's counts and median times; from benchmarks/.peers-venv,
made by benchmarks/peers.sh) run the same way on the same files up to 10M (they hold a log
in memory), with the ratio of their time and memory to journeylab's memory engine. The
results of the engines are compared at each size. The table is printed, written to
benchmarks/out/bench_scale.csv and put in benchmarks/README.md ("Scale: engines").

    python benchmarks/bench_scale.py [--sizes 1M,10M,100M]
                                     [--engines memory,duckdb,spark,pm4py,retentioneering]
                                     [--data DIR] [--memory-limit 6GB] [--no-readme]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_load import OUT, ensure_file  # noqa: E402
from bench_paths import CHILD as PEER_CHILD  # noqa: E402
from bench_paths import CONTENDERS as PEERS  # noqa: E402

COLUMNS = ["case_id", "activity", "timestamp", "channel", "stage"]
CHUNK = 1_000_000
#: The largest log each engine is run on, and why not beyond.
LIMITS = {"memory": (10_000_000, "a log held in memory grows with its events{seen}: "
                                 "{size} events would need about {need} of the {total:.0f} "
                                 "GB, and DuckDB reads it out of core"),
          "duckdb": (None, ""),
          "spark": (10_000_000, "Spark's local session is measured up to 10M events; "
                                "beyond one machine's cores is a cluster's work"),
          "pm4py": (10_000_000, "pm4py holds a log in memory as pandas{seen}: {size} events "
                                "would need about {need} of the {total:.0f} GB"),
          "retentioneering": (10_000_000, "retentioneering holds a log in memory as "
                                          "pandas{seen}: {size} events would need about "
                                          "{need} of the {total:.0f} GB")}
README = HERE / "README.md"
MARK = "bench_scale result: "
BEGIN, END = "<!-- bench_scale: begin -->", "<!-- bench_scale: end -->"

CHILD = """
import json, resource, time
t = time.perf_counter()
import journeylab as jl
times = {{"import": time.perf_counter() - t}}
ENGINE, PATH, MARK = {engine!r}, {path!r}, {mark!r}
opts = {opts!r}
t = time.perf_counter()
if ENGINE == "spark":
    from pyspark.sql import SparkSession
    from journeylab.engines.spark import LOCAL_SETTINGS
    builder = SparkSession.builder.master("local[2]").appName("bench_scale")
    for key, value in LOCAL_SETTINGS.items():
        builder = builder.config(key, value)
    opts["spark"] = builder.getOrCreate()
    times["spark start"] = time.perf_counter() - t
t = time.perf_counter()
log = jl.read_events(PATH, case_id_key="case_id", activity_key="activity",
                     timestamp_key="timestamp", channel_key="channel", stage_key="stage",
                     duplicates="keep", engine=ENGINE, **opts)
n_events = int(log.n_events)
times["read"] = time.perf_counter() - t
t = time.perf_counter()
dfg = jl.discover_dfg(log)
times["dfg + performance"] = time.perf_counter() - t
t = time.perf_counter()
v = jl.get_variants(log, top=20)
times["variants"] = time.perf_counter() - t
t = time.perf_counter()
try:
    m = jl.journey_matrix(log)
except Exception:  # the engine's journey_matrix is being added: its cells, directly
    if ENGINE == "memory":
        raise
    m = log.matrix(unmapped="(unmapped)")[0]
times["matrix"] = time.perf_counter() - t
e = dfg.edges
m = m[m["events"] > 0]
check = {{"events": n_events, "edges": len(e), "transitions": int(e["events"].sum()),
         "edge_cases": int(e["cases"].sum()), "mean_s": float((e["mean_s"] * e["events"]).sum()),
         "median_s": float(e["median_s"].sum()), "p90_s": float(e["p90_s"].sum()),
         "top_variant": str(v["variant"].iloc[0]), "top_variant_cases": int(v["cases"].iloc[0]),
         "top20_cases": int(v["cases"].sum()), "cells": len(m),
         "cell_events": int(m["events"].sum()),
         "cell_customers": int(m["customers"].sum())}}
if ENGINE == "spark":
    opts["spark"].stop()
print("\\n" + MARK + json.dumps({{"times": times, "check": check,
                  "self_peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}}))
"""


def parse_size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * scale)


def label(events: int) -> str:
    return f"{events // 1_000_000}M" if events >= 1_000_000 else f"{events // 1000}k"


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        tree = [proc, *proc.children(recursive=True)]
    except psutil.Error:  # the process has just ended
        return 0
    for p in tree:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(engine: str, path: Path, opts: dict, timeout: float) -> dict:
    """Run one engine (or peer) on ``path`` in a fresh process; its times, check, wall
    time and the peak resident memory of its process tree."""
    python = sys.executable
    if engine in PEERS:
        spec = PEERS[engine]
        python = spec["python"]
        code = PEER_CHILD.format(path=str(path), imports=spec["imports"], load=spec["load"],
                                 steps=spec["steps"])
        code = code.replace("print(json.dumps(", f"print({MARK!r} + json.dumps(")
        if not Path(python).exists():
            return {"error": "not installed (run benchmarks/peers.sh)",
                    "load": os.getloadavg()[0]}
    else:
        code = CHILD.format(engine=engine, path=str(path), opts=opts, mark=MARK)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "RETENTIONEERING_NO_TRACK": "1",
           "PM4PY_SHOW_PROGRESS_BAR": "False"}
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    child = subprocess.Popen([python, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    proc, peak, done = psutil.Process(child.pid), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for p in [*proc.children(recursive=True), proc]:
            try:
                p.kill()
            except psutil.Error:
                pass
        out, err = child.communicate()
        done.set()
        return {"error": f"stopped after {timeout:.0f}s", "load": load}
    finally:
        done.set()
        sampler.join()
    wall = time.perf_counter() - t0
    if child.returncode:
        lines = [x for x in err.strip().splitlines() if x.strip()]
        return {"error": lines[-1] if lines else f"exit {child.returncode}", "load": load,
                "peak_gb": peak[0] / 1e9}
    # the last line that starts with MARK (DuckDB may draw progress bars on stdout)
    r = json.loads(out[out.rindex(MARK) + len(MARK):].splitlines()[0])
    times = r["times"]
    if engine in PEERS:  # the peer's steps under this table's names
        t = times
        times = r["times"] = {
            "read": t["load"],
            "dfg + performance": t.get("dfg", 0) + t.get("performance", 0)
            + t.get("transition counts", 0) + t.get("transition times", 0),
            "variants": t.get("variants", math.nan), "matrix": math.nan}
    r.update(wall=wall, load=load, peak_gb=peak[0] / 1e9,
             analyses=sum(times[k] for k in ("read", "dfg + performance", "variants", "matrix")
                          if not math.isnan(times[k])))
    return r


def agree(a: dict, b: dict) -> list[str]:
    """The check fields in which two runs differ (floats to 1e-9 relative)."""
    bad = []
    for key, x in a.items():
        y = b.get(key)
        same = math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6) if isinstance(x, float) \
            else x == y
        if not same:
            bad.append(f"{key} {x!r} vs {y!r}")
    return bad


HEADER = ["events", "engine", "read s", "dfg + perf s", "variants s", "matrix s",
          "analyses s", "process wall s", "peak GB (tree)", "load avg"]


def row(events: int, engine: str, r: dict) -> list[str]:
    if "error" in r:
        peak = f"{r['peak_gb']:.2f} before it failed" if "peak_gb" in r else ""
        return [label(events), engine, "failed: " + r["error"][:160], "", "", "", "", "",
                peak, f"{r['load']:.1f}"]
    t = r["times"]

    def s(x: float) -> str:
        return "-" if math.isnan(x) else f"{x:.1f}"

    return [label(events), engine, s(t["read"]), s(t["dfg + performance"]), s(t["variants"]),
            s(t["matrix"]), f"{r['analyses']:.1f}", f"{r['wall']:.1f}", f"{r['peak_gb']:.2f}",
            f"{r['load']:.1f}"]


def versus(results: dict) -> list[str]:
    """Each peer's time and memory against journeylab's memory engine at the same size."""
    lines = []
    for (n, engine), r in sorted(results.items()):
        ours = results.get((n, "memory"), {})
        if engine not in PEERS or "error" in r or "analyses" not in ours:
            continue
        steps = "read + DFG + performance DFG" + (" + variants" if engine == "pm4py" else "")
        mine = sum(ours["times"][k] for k in ("read", "dfg + performance")) + \
            (ours["times"]["variants"] if engine == "pm4py" else 0.0)
        theirs = r["analyses"]
        same = "" if engine != "pm4py" else (
            "; same DFG" if (r["check"]["edges"], r["check"]["transitions"]) ==
            (ours["check"]["edges"], ours["check"]["transitions"]) else "; DFG DIFFERS")
        lines.append(f"{label(n)}: {engine} {theirs:.1f}s for {steps} = "
                     f"{theirs / mine:.1f}x journeylab's memory engine ({mine:.1f}s); peak "
                     f"memory {r['peak_gb'] / ours['peak_gb']:.1f}x{same}")
    return lines


def growth(results: dict) -> list[str]:
    """How time and peak memory grow from one size to the next, per engine."""
    lines = []
    for engine in sorted({e for _, e in results}):
        sizes = sorted(n for n, e in results if e == engine and "error" not in results[n, e])
        for small, big in zip(sizes, sizes[1:]):
            a, b = results[small, engine], results[big, engine]
            lines.append(f"{engine}: {label(small)} -> {label(big)} ({big / small:.0f}x events): "
                         f"analyses {b['analyses'] / a['analyses']:.1f}x time, "
                         f"peak memory {b['peak_gb'] / a['peak_gb']:.1f}x")
    return lines


def markdown(rows: list[list[str]], notes: list[str]) -> str:
    table = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(table + [""] + [f"- {n}" for n in notes])


def write_readme(body: str) -> None:
    text = README.read_text() if README.exists() else "# Benchmarks\n"
    section = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Scale: engines\n\n" + section + "\n"
    README.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M,10M,100M", help="events per log, e.g. 1M,10M")
    ap.add_argument("--engines", default="memory,duckdb,spark,pm4py,retentioneering")
    ap.add_argument("--data", type=Path,
                    default=Path(tempfile.gettempdir()) / "journeylab-bench-scale",
                    help="where the generated logs are kept (reused when present)")
    ap.add_argument("--memory-limit", default="6GB", help="DuckDB's memory_limit")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    ap.add_argument("--no-readme", action="store_true", help="do not update README.md")
    args = ap.parse_args()
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    engines = [e.strip() for e in args.engines.split(",")]
    mem = psutil.virtual_memory().total / 1e9
    print(f"{os.cpu_count()} cores, {mem:.0f} GB memory, load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; logs in {args.data}\n")
    # Spark last: the slowest, it should not hold back the others' figures
    plan = sorted(((n, e) for n in sizes for e in engines), key=lambda p: (p[1] == "spark", p[0]))
    results, skipped, paths = {}, [], {}
    for n, engine in plan:
        limit, why = LIMITS[engine]
        done = [(m, r) for (m, e), r in results.items() if e == engine and "peak_gb" in r]
        seen = (f" (peak {done[-1][1]['peak_gb']:.1f} GB at {label(done[-1][0])})"
                if done else "")
        # the peak grows about in proportion to the events
        need = f"{done[-1][1]['peak_gb'] * n / done[-1][0]:.0f} GB" if done else "more"
        why = why.format(seen=seen, size=label(n), need=need,
                         total=psutil.virtual_memory().total / 1e9)
        if limit is not None and n > limit:
            skipped.append(f"{engine} at {label(n)} not run: {why}.")
            print(f"{label(n)} {engine}: skipped: {why}")
            continue
        if n not in paths:  # made when first needed, reused after
            paths[n] = ensure_file(n, out=args.data, chunk=CHUNK, columns=COLUMNS)
            print(f"{label(n)}: {paths[n]} ({paths[n].stat().st_size / 1e9:.2f} GB)")
        opts = {"memory_limit": args.memory_limit} if engine == "duckdb" else {}
        r = results[n, engine] = measure(engine, paths[n], opts, args.timeout)
        print("  " + "  ".join(f"{h} {v}" for h, v in zip(HEADER, row(n, engine, r))),
              flush=True)
        report(results, sizes, engines, skipped, args, final=False)
    report(results, sizes, engines, skipped, args, final=True)


def report(results: dict, sizes: list[int], engines: list[str], skipped: list[str], args,
           final: bool) -> None:
    """The table and notes so far: printed at the end, written to the CSV and README after
    every measurement (a long run leaves what it has measured)."""
    rows = [row(n, e, results[n, e]) for n in sizes for e in engines if (n, e) in results]
    notes = []
    for n in sizes:
        ran = [(e, results[n, e]) for e in engines
               if e not in PEERS and "error" not in results.get((n, e), {"error": 1})]
        for (e0, r0), (e1, r1) in zip(ran, ran[1:]):
            bad = agree(r0["check"], r1["check"])
            notes.append(f"{label(n)}: {e0} and {e1} " + (
                f"agree ({r0['check']['edges']} DFG edges, {r0['check']['transitions']:,} "
                f"transitions, performance quantiles, top-20 variants, "
                f"{r0['check']['cells']} matrix cells)" if not bad else
                "DIFFER: " + "; ".join(bad)))
    notes += versus(results) + growth(results) + skipped
    if final:
        print("\n" + markdown(rows, notes))
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "bench_scale.csv", "w", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    if not args.no_readme:
        mem = psutil.virtual_memory().total / 1e9
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        intro = (f"`python benchmarks/bench_scale.py --sizes {args.sizes}` on "
                 f"{os.cpu_count()} cores and {mem:.0f} GB; DuckDB with memory_limit="
                 f"{args.memory_limit}, Spark local[2] with journeylab's local settings "
                 "(4 GB driver). Times in seconds: read (validate + the one sort by journey "
                 "and time) and each analysis; analyses = their sum; process wall = the "
                 "whole fresh process (imports, Spark start). The SQL engines count a log's "
                 "distinct paths once, in the DFG step (the journeys, starts and ends of "
                 "each touchpoint and edge come from them), and variants reuse them. "
                 "pm4py: read_parquet + format_dataframe, DFG, performance DFG, "
                 "variants; retentioneering: Eventstream, transition counts and median "
                 "times (no variants). "
                 "Peak GB = resident memory of "
                 "the process tree (Python and, for Spark, its JVM), sampled every 50 ms. "
                 f"Load average (1 min) at each start in the table; at the end {load}.\n\n")
        write_readme(intro + markdown(rows, notes))
    if final:
        print(f"\nwritten to {OUT / 'bench_scale.csv'}"
              + ("" if args.no_readme else f" and {README}"))


if __name__ == "__main__":
    main()
