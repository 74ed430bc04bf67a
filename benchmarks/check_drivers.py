"""Satisfaction drivers against the synthetic generator's planted effects, over many seeds.

For each seed: generate a log, attribute the NPS answers to touchpoints with the planted
personas as controls (``--controls fitted``: personas found by the Markov mixture), and
record the Spearman correlation with the planted effects (over the touchpoints with a
planted effect), whether every planted irritant is among the m most negative estimates,
the bias on the worst irritant (adjusted and naive), and whether each touchpoint's 95%
interval covers its planted effect (zero for neutral touchpoints). Touchpoints marked not
separable are left out of the coverage (their effect is not identified). The suite runs a
fast version of this on one seed.

    python benchmarks/check_drivers.py [--journeys 10000] [--seeds 50]
                                       [--controls planted|fitted|none]
"""
from __future__ import annotations

import argparse
import time

import pandas as pd
from scipy.stats import spearmanr

import journeylab as jl
from journeylab.synth import EFFECTS_NPS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--controls", choices=["planted", "fitted", "none"], default="planted")
    ap.add_argument("--boot", type=int, default=200)
    args = ap.parse_args()
    irritants = {a for a, e in EFFECTS_NPS.items() if e < 0}
    rows, cover = [], []
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        truth = jl.generate_journeys(args.journeys, random_state=seed)
        log = jl.read_events(truth.events, **truth.read_kwargs())
        controls = None
        if args.controls == "planted":
            controls = truth.personas.set_index("case_id")["persona"]
        elif args.controls == "fitted":  # journeys too short to tell (-1) are left out
            journeys = log.touchpoints()
            model = jl.find_personas(journeys, random_state=seed)
            controls = pd.Series(model.labels_, index=journeys.cases.astype(str))
        d = jl.attribute_satisfaction(log, controls=controls, n_boot=args.boot,
                                      random_state=seed)
        eff = d.effects_.set_index("touchpoint")
        planted = truth.effects.set_index("touchpoint")["effect_nps"]
        nonzero = planted[planted != 0]
        ok = eff.loc[planted.index, "kind"] != "not separable"
        inside = (eff.loc[planted.index, "ci_low"] <= planted) & \
            (planted <= eff.loc[planted.index, "ci_high"])
        cover.append(pd.DataFrame({"seed": seed, "touchpoint": planted.index,
                                   "planted": planted.to_numpy(), "covered": inside.to_numpy(),
                                   "separable": ok.to_numpy()}))
        hq = EFFECTS_NPS["hold_queue"]
        rows.append({
            "seed": seed,
            "spearman": spearmanr(eff.loc[nonzero.index, "effect"], nonzero).statistic,
            "irritants_top_m": set(eff["effect"].nsmallest(len(irritants)).index) == irritants,
            "bias_hold_queue": (eff.at["hold_queue", "effect"] - hq) / abs(hq),
            "naive_bias_hold_queue": (eff.at["hold_queue", "naive_gap"] - hq) / abs(hq),
            "coverage": inside[ok].mean(),
        })
        print(pd.DataFrame([rows[-1]]).to_string(index=False, header=seed == 0,
                                                 float_format="%.3f"), flush=True)
    table = pd.DataFrame(rows)
    cov = pd.concat(cover)
    sep = cov[cov["separable"]]
    print(f"\n{len(table)} seeds x {args.journeys:,} journeys, controls {args.controls}, "
          f"{time.perf_counter() - t0:.0f} s")
    print(f"Spearman with planted effects: mean {table['spearman'].mean():.3f}, "
          f"min {table['spearman'].min():.3f}")
    print(f"every planted irritant in the top m: {table['irritants_top_m'].mean():.0%} of seeds")
    print(f"hold_queue bias: adjusted {table['bias_hold_queue'].mean():+.1%} "
          f"(max |.| {table['bias_hold_queue'].abs().max():.1%}), "
          f"naive {table['naive_bias_hold_queue'].mean():+.1%}")
    print(f"95% interval coverage: {sep['covered'].mean():.3f} over {len(sep):,} separable "
          f"touchpoint-seeds; planted effects only "
          f"{sep.loc[sep['planted'] != 0, 'covered'].mean():.3f}"
          f"; neutral only {sep.loc[sep['planted'] == 0, 'covered'].mean():.3f}")


if __name__ == "__main__":
    main()
