"""Personas on the synthetic generator's planted truth, at default noise, over many seeds.

For each seed: generate the default 20,000-journey log, find personas with the default
settings (Markov mixture, number chosen automatically), and report the number chosen, the
adjusted Rand index (ARI) against the planted personas over journeys long enough to tell,
the share of such journeys, and (with --stability) the mean ARI between refits on 80%
subsamples. The suite runs a fast version of this on 3,000-journey logs.

    python benchmarks/check_personas.py [--journeys 20000] [--seeds 10] [--stability 5]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
from sklearn.metrics import adjusted_rand_score

import journeylab as jl


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=20_000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--method", default="markov")
    ap.add_argument("--stability", type=int, default=0, help="refits per seed (0: skip)")
    args = ap.parse_args()
    rows = []
    for seed in range(args.seeds):
        truth = jl.generate_journeys(args.journeys, seed=seed)
        log = jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()
        planted = truth.personas.set_index("case_id").loc[log.cases.astype(str), "persona"]
        t = time.perf_counter()
        model = jl.find_personas(log, method=args.method, random_state=seed)
        took = time.perf_counter() - t
        told = model.labels_ != jl.TOO_SHORT
        k = getattr(model, "n_components_", None) or model.n_clusters_
        row = {"seed": seed, "k": k, "told": told.mean(), "seconds": took,
               "ari": adjusted_rand_score(planted.to_numpy()[told], model.labels_[told])}
        if args.stability:
            row["stability"] = jl.persona_stability(model, log, n_resamples=args.stability,
                                                    random_state=seed)["ari"].mean()
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, header=seed == 0,
                                            float_format="%.3f"), flush=True)
    table = pd.DataFrame(rows)
    k_true = truth.baselines["persona"].nunique()
    print(f"\n{args.method}, {args.journeys:,} journeys, {len(table)} seeds: "
          f"number within 1 of {k_true} on {int(((table['k'] - k_true).abs() <= 1).sum())}"
          f"/{len(table)} seeds (exact on {int((table['k'] == k_true).sum())}); "
          f"mean ARI {table['ari'].mean():.3f} (min {table['ari'].min():.3f}); "
          f"journeys long enough to tell {table['told'].mean():.1%}"
          + (f"; mean stability {table['stability'].mean():.3f} (min "
             f"{table['stability'].min():.3f})" if args.stability else ""))
    print(f"mean ARI where the number is right: "
          f"{table.loc[table['k'] == k_true, 'ari'].mean():.3f}")


if __name__ == "__main__":
    main()
