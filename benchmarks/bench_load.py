"""Load + validate + encode a 10M-event Parquet log, beside pm4py's format_dataframe.

Each contender runs in its own process (so peak memory is its own), on the same file, in
the same run. Prints wall time, peak resident memory and the ratio to journeylab.

    python benchmarks/bench_load.py [--events 10000000] [--repeat 1]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

# name: (imports, timed body); imports are timed apart, since every user pays them once.
CONTENDERS = {
    "pandas read_parquet only (the floor)": ("import pandas as pd", """
df = pd.read_parquet(PATH)
n = len(df)
"""),
    "journeylab read_events (read + validate + sort + encode)": ("import journeylab as jl", """
log = jl.read_events(PATH, case_id_key="case_id", activity_key="activity",
                     timestamp_key="timestamp", channel_key="channel", stage_key="stage",
                     satisfaction_key="satisfaction",
                     instruments={"csat_survey": (1, 5), "nps_survey": (0, 10)})
n = log.n_events
assert log.report.rows_in == log.report.rows_kept + log.report.rows_quarantined
"""),
    "pm4py read_parquet + format_dataframe": ("""
import sys; sys._pm4py_welcome_shown = True
import pandas as pd, pm4py""", """
df = pd.read_parquet(PATH)
df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity",
                            timestamp_key="timestamp")
n = len(df)
"""),
}

CHILD = """
import resource, time, json
PATH = {path!r}
t_import = time.perf_counter()
{imports}
t0 = time.perf_counter()
{body}
secs = time.perf_counter() - t0
print(json.dumps({{"seconds": secs, "import_s": t0 - t_import, "events": int(n),
                  "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}}))
"""


#: Events per journey of the synthetic generator, on average.
EVENTS_PER_JOURNEY = 5.39


#: The shuffled file: touchpoints inserted at random after this share of events, so that
#: almost half the journeys are a variant of their own (661,122 variants in 10M events).
SHUFFLED_NOISE = 0.3
#: Events per journey at that noise, on average.
SHUFFLED_EVENTS_PER_JOURNEY = 6.8


def ensure_shuffled_file(events: int, *, out: Path = OUT) -> Path:
    """A Parquet file of about ``events`` events whose rows are in random order (as many
    exports are), almost half the journeys a variant of their own, and 5 columns (case
    id, activity, channel and stage as plain text; the timestamp), made once."""
    path = out / f"events_{events}_shuffled.parquet"
    if path.exists():
        return path
    import numpy as np

    import journeylab as jl

    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    customers = max(1, round(events / SHUFFLED_EVENTS_PER_JOURNEY))
    ev = jl.generate_journeys(customers, random_state=1, noise=SHUFFLED_NOISE).events
    ev = ev[["case_id", "activity", "timestamp", "channel", "stage"]]
    ev = ev.astype({c: str for c in ("case_id", "activity", "channel", "stage")})
    ev = ev.iloc[np.random.default_rng(1).permutation(len(ev))].reset_index(drop=True)
    ev.to_parquet(path, index=False)
    print(f"generated {len(ev):,} events ({customers:,} journeys) in random row order in "
          f"{time.perf_counter() - t:.1f}s -> {path}")
    return path


def ensure_file(events: int, *, out: Path = OUT, chunk: int | None = None,
                columns: list[str] | None = None) -> Path:
    """A Parquet file of about ``events`` synthetic events in ``out`` (made once, reused).

    With ``chunk``, the file is written in batches of about ``chunk`` events, each a
    generator run of its own seed whose journey ids carry the batch's prefix (disjoint),
    so that no more than one batch is ever in memory; ``columns`` keeps only those."""
    tag = f"_c{chunk}" if chunk else ""
    path = out / f"events_{events}{tag}.parquet"
    if path.exists():
        return path
    import journeylab as jl

    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    if not chunk:
        customers = max(1, round(events / EVENTS_PER_JOURNEY))
        truth = jl.generate_journeys(customers, random_state=0)
        gen = time.perf_counter() - t
        frame = truth.events if columns is None else truth.events[columns]
        frame.to_parquet(path, index=False)
        print(f"generated {len(truth.events):,} events ({customers:,} journeys) in {gen:.1f}s, "
              f"written in {time.perf_counter() - t - gen:.1f}s -> {path}")
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    part = path.with_suffix(".part")
    while part.exists() and time.time() - part.stat().st_mtime < 120:  # another run writes it
        time.sleep(5)
    if path.exists():
        return path
    n_batches = max(1, round(events / chunk))
    customers = max(1, round(events / n_batches / EVENTS_PER_JOURNEY))
    written, writer = 0, None
    try:
        for b in range(n_batches):
            ev = jl.generate_journeys(customers, random_state=b).events
            ev = ev if columns is None else ev[columns]
            ev = ev.astype({c: str for c in ev.columns if ev[c].dtype == "category"})
            ev["case_id"] = f"B{b:04d}-" + ev["case_id"]
            table = pa.Table.from_pandas(ev, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(part, table.schema)
            writer.write_table(table.cast(writer.schema))
            written += len(ev)
            print(f"\r  batch {b + 1}/{n_batches}: {written:,} events, "
                  f"{time.perf_counter() - t:.0f}s", end="", flush=True)
    finally:
        if writer is not None:
            writer.close()
    part.rename(path)
    print(f"\ngenerated and wrote {written:,} events ({n_batches} batches of {customers:,} "
          f"journeys) in {time.perf_counter() - t:.1f}s -> {path}")
    return path


def run(imports: str, body: str, path: Path) -> dict:
    code = CHILD.format(path=str(path), imports=imports, body=body)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if res.returncode:
        raise SystemExit(f"benchmark child failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per contender (best is kept)")
    args = ap.parse_args()
    path = ensure_file(args.events)
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} cores\n")
    results = {}
    for name, (imports, body) in CONTENDERS.items():
        runs = [run(imports, body, path) for _ in range(args.repeat)]
        results[name] = min(runs, key=lambda r: r["seconds"])
    ours = results["journeylab read_events (read + validate + sort + encode)"]["seconds"]
    print(f"{'contender':58s} {'events':>11s} {'seconds':>8s} {'peak GB':>8s} {'x ours':>7s} "
          f"{'import s':>9s}")
    for name, r in results.items():
        print(f"{name:58s} {r['events']:>11,d} {r['seconds']:8.1f} {r['peak_gb']:8.2f} "
              f"{r['seconds'] / ours:7.2f} {r['import_s']:9.1f}")


if __name__ == "__main__":
    main()
