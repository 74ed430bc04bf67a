"""Personas against planted truth, with the defaults a user gets (no method, no number).

Three parts, each optional:

- ``--templates N``: N logs from the second generator (``template_journeys.py``: template
  paths with skips, insertions, repeats and swaps, 3 to 10 personas of unequal sizes down
  to 3%, two personas differing only in order, noise 10% to 35%), spread over the number
  of personas and the noise;
- ``--synthetic N``: N logs from ``journeylab.generate_journeys`` at its default noise (six
  planted personas);
- ``--real``: helpdesk and BPIC 2012 from ``../shared/data/real/`` (no truth): the number
  chosen, the method, whether the choice hit the edge of the range, and the stability.

For each log: the method and number chosen, the adjusted Rand index (ARI) against the
planted personas over journeys long enough to tell, the time, and (``--stability R``) the
mean ARI between refits on 80% subsamples. Then the summary: the number within one of the
truth on how many logs, and the mean ARI.

    python benchmarks/check_personas.py [--templates 24] [--synthetic 10] [--real]
        [--journeys 5000] [--stability 3] [--seed-per-log]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score

import journeylab as jl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from template_journeys import generate_template_journeys  # noqa: E402

REAL = HERE.parents[1] / "shared" / "data" / "real"


def template_case(seed: int, n_logs: int, journeys: int):
    """The seed-th log of a grid over 3-10 personas and 10%-35% noise."""
    k = 3 + seed % 8
    noise = 0.10 + 0.25 * ((seed * 5) % n_logs) / max(n_logs - 1, 1)
    events, truth = generate_template_journeys(journeys, n_personas=k, noise=noise,
                                               random_state=seed)
    log = jl.read_events(events)
    return f"templates k={k} noise={noise:.2f} seed={seed}", log, \
        truth.loc[log.cases.astype(str)].to_numpy(), k


def synthetic_case(seed: int, journeys: int):
    truth = jl.generate_journeys(journeys, random_state=seed)
    log = jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()
    planted = truth.personas.set_index("case_id").loc[log.cases.astype(str), "persona"]
    return f"generate_journeys seed={seed}", log, planted.to_numpy(), \
        truth.baselines["persona"].nunique()


def real_case(name: str):
    path = REAL / name
    log = jl.read_events(path).touchpoints() if path.exists() else None
    return f"{name}", log, None, None


def run(name, log, truth, k_true, stability: int, random_state: int | None = None) -> dict:
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", jl.PersonaWarning)
        model = jl.find_personas(log) if random_state is None else \
            jl.find_personas(log, random_state=random_state)
    row = {"log": name, "journeys": log.n_cases, "method": model.method_,
           "k": model.n_personas_, "seconds": time.perf_counter() - t,
           "edge": any("largest tried" in str(w.message) or "smallest tried" in str(w.message)
                       for w in caught),
           "merged": sum("minimum share" in str(w.message) for w in caught)}
    told = model.labels_ != jl.TOO_SHORT
    row["told"] = float(told.mean())
    if truth is not None:
        row["k_true"] = k_true
        row["ari"] = float(adjusted_rand_score(truth[told], model.labels_[told]))
    if stability:
        row["stability"] = float(jl.persona_stability(model, log, n_resamples=stability)
                                 ["ari"].mean())
    return row


def summary(table: pd.DataFrame, what: str) -> None:
    if table.empty:
        return
    near = (table["k"] - table["k_true"]).abs() <= 1
    print(f"\n{what}: {len(table)} logs; number within 1 of the truth on {int(near.sum())}/"
          f"{len(table)} ({near.mean():.0%}), "
          f"exact on {int((table['k'] == table['k_true']).sum())}; "
          f"mean ARI {table['ari'].mean():.3f} (min {table['ari'].min():.3f}); "
          f"methods {table['method'].value_counts().to_dict()}; "
          f"mean {table['seconds'].mean():.1f} s per log"
          + (f"; mean stability {table['stability'].mean():.3f}" if "stability" in table else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--templates", type=int, default=24, help="logs from the second generator")
    ap.add_argument("--synthetic", type=int, default=10, help="logs from generate_journeys")
    ap.add_argument("--real", action="store_true", help="helpdesk and BPIC 2012")
    ap.add_argument("--journeys", type=int, default=5_000, help="journeys per template log")
    ap.add_argument("--synthetic-journeys", type=int, default=20_000)
    ap.add_argument("--stability", type=int, default=0, help="refits per log (0: skip)")
    ap.add_argument("--seed-per-log", action="store_true",
                    help="fit each log with random_state set to its own seed (the protocol "
                         "of the earlier synthetic figure) instead of the default seed")
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    parts = {"templates": [], "synthetic": [], "real": []}
    cases = [("templates", s, lambda s=s: template_case(s, args.templates, args.journeys))
             for s in range(args.templates)]
    cases += [("synthetic", s, lambda s=s: synthetic_case(s, args.synthetic_journeys))
              for s in range(args.synthetic)]
    if args.real:
        cases += [("real", None, lambda n=n: real_case(n)) for n in ("helpdesk.xes.gz",
                                                                     "bpic2012.xes.gz")]
    for part, seed, make in cases:
        name, log, truth, k_true = make()
        if log is None:
            print(f"{name}: not found under {REAL}")
            continue
        row = run(name, log, truth, k_true, args.stability if part != "real" else
                  max(args.stability, 3), seed if args.seed_per_log else None)
        parts[part].append(row)
        print(pd.DataFrame([row]).to_string(index=False, float_format="%.3f"), flush=True)
    summary(pd.DataFrame(parts["templates"]), "second generator (templates)")
    summary(pd.DataFrame(parts["synthetic"]), "generate_journeys, default noise")
    for row in parts["real"]:
        print(f"\n{row['log']}: {row['k']} personas ({row['method']}), at the edge of the "
              f"range: {'yes' if row['edge'] else 'no'}; stability {row['stability']:.2f}. "
              f"{jl.describe_stability(row['stability'])}")


if __name__ == "__main__":
    main()
