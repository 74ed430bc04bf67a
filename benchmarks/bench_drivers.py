"""Satisfaction attribution with bootstrap intervals on 1M journeys: wall time and peak
memory (no other open tool attributes satisfaction to touchpoints, so there is no peer).

    python benchmarks/bench_drivers.py [--journeys 1000000] [--boot 200]
"""
from __future__ import annotations

import argparse
import resource
import time

import journeylab as jl


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--boot", type=int, default=200)
    args = ap.parse_args()
    t = time.perf_counter()
    truth = jl.generate_journeys(args.journeys, random_state=0)
    log = jl.read_events(truth.events, **truth.read_kwargs())
    personas = truth.personas.set_index("case_id")["persona"]
    print(f"{log.n_events:,} events of {log.n_cases:,} journeys generated and read in "
          f"{time.perf_counter() - t:.1f}s; peak {peak_gb():.2f} GB")
    t = time.perf_counter()
    drivers = jl.attribute_satisfaction(log, controls=personas, n_boot=args.boot)
    took = time.perf_counter() - t
    print(f"attribute_satisfaction ({args.boot} bootstrap resamples, persona controls): "
          f"{took:.1f}s; peak {peak_gb():.2f} GB; "
          f"{int(drivers.effects_['journeys_scored'].iloc[0]):,} journeys with an NPS answer")
    t = time.perf_counter()
    table = jl.rank_irritants(drivers)
    parts = jl.decompose_satisfaction(drivers, log)
    print(f"irritants table + per-journey decomposition: {time.perf_counter() - t:.1f}s "
          f"({len(parts):,} contributions); peak {peak_gb():.2f} GB")
    print(table.head(8).to_string(index=False, float_format="%.3f"))


if __name__ == "__main__":
    main()
