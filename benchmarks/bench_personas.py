"""Journey features + persona clustering on 1M journeys, beside retentioneering's clusters.

The file is the synthetic generator's touchpoints (surveys left out) for 1M journeys with
six planted personas. Each contender runs in its own process on the same Parquet file in
the same run; loading is timed apart from the analysis, and peak memory is the process's
resident peak. Accuracy is the adjusted Rand index (ARI) against the planted personas over
journeys of 3 or more touchpoints (the ones long enough to tell).

- journeylab: JourneyFeatures + JourneyClusters (k-means, 6 personas); the same with the
  number chosen by clusterwise stability (2-10); the Markov mixture with 6 personas, and with the
  number chosen by ICL (2-10, on a 50,000-journey sample, then fitted on all); and
  ``find_personas`` with its defaults (method and number chosen from the data).
- retentioneering 5.x: ``add_clusters`` with k-means on every event's count
  (``event_count_bulk``, min-max scaled, 6 clusters), its documented clustering path.

    python benchmarks/bench_personas.py [--journeys 1000000] [--skip-peers]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_paths import run_all, step  # noqa: E402

OUT = HERE / "out"

SCORE = ("import numpy as np, pandas as pd\n"
         "from sklearn.metrics import adjusted_rand_score\n"
         "truth = pd.read_parquet(TRUTH).set_index('case_id')['persona']\n"
         "def ari(cases, labels, lengths):\n"
         "    t = truth.reindex(pd.Index(cases).astype(str)).to_numpy()\n"
         "    told = (np.asarray(lengths) >= 3) & (np.asarray(labels) != -1)\n"
         "    return round(float(adjusted_rand_score(t[told], np.asarray(labels)[told])), 3)\n")

CONTENDERS = {
    "journeylab": dict(
        imports="import journeylab as jl\n" + SCORE,
        load="log = jl.read_events(PATH, case_id_key='case_id', activity_key='activity', "
             "timestamp_key='timestamp', duplicates='keep')",
        steps=step("features + k-means (k=6)",
                   "km = jl.JourneyClusters(6, random_state=0).fit(log)")
        + step("features + k-means (auto 2-10)",
               "auto = jl.JourneyClusters('auto', random_state=0).fit(log)")
        + step("Markov mixture (k=6)",
               "mm = jl.MarkovMixture(6, random_state=0).fit(log)")
        + step("Markov mixture (auto 2-10)",
               "mma = jl.MarkovMixture('auto', random_state=0).fit(log)")
        + step("find_personas defaults (method and number auto)",
               "import warnings\n"
               "with warnings.catch_warnings():\n"
               "    warnings.simplefilter('ignore')\n"
               "    dflt = jl.find_personas(log)")
        + "check = {'ari_kmeans': ari(log.cases, km.labels_, log.case_lengths), "
          "'auto_k': int(auto.n_personas_), "
          "'ari_auto': ari(log.cases, auto.labels_, log.case_lengths), "
          "'ari_markov': ari(log.cases, mm.labels_, log.case_lengths), "
          "'markov_auto_k': int(mma.n_personas_), "
          "'ari_markov_auto': ari(log.cases, mma.labels_, log.case_lengths), "
          "'default_method': dflt.method_, 'default_k': int(dflt.n_personas_), "
          "'ari_default': ari(log.cases, dflt.labels_, log.case_lengths), "
          "'journeys': int(log.n_cases)}",
        python=sys.executable),
    "retentioneering": dict(
        imports="import os; os.environ['RETENTIONEERING_NO_TRACK'] = '1'\n"
                "from retentioneering.eventstream import Eventstream\n" + SCORE,
        load="df = pd.read_parquet(PATH, columns=['case_id', 'activity', 'timestamp'])\n"
             "es = Eventstream(df, schema={'path_cols': ['case_id'], 'event_col': 'activity', "
             "'timestamp_col': 'timestamp'})",
        steps=step("features + k-means (k=6)",
                   "out = es.add_clusters(name='persona', features=[{'metric': "
                   "'event_count_bulk'}], method='kmeans', method_args={'n_clusters': 6}, "
                   "scaler='minmax')")
        + "per_path = out.to_dataframe().groupby('case_id', observed=True).agg("
          "persona=('persona', 'first'), n=('activity', 'size'))\n"
          "check = {'ari_kmeans': ari(per_path.index, pd.factorize(per_path['persona'])[0], "
          "per_path['n']), 'journeys': int(len(per_path))}",
        python=str(HERE / ".peers-venv" / "bin" / "python")),
}


def ensure_file(journeys: int) -> tuple[Path, Path]:
    path = OUT / f"personas_{journeys}.parquet"
    truth_path = OUT / f"personas_{journeys}_truth.parquet"
    if path.exists() and truth_path.exists():
        return path, truth_path
    import journeylab as jl
    from journeylab.synth import SURVEYS

    OUT.mkdir(exist_ok=True)
    t = time.perf_counter()
    truth = jl.generate_journeys(journeys, random_state=0)
    ev = truth.events.loc[~truth.events["activity"].isin(list(SURVEYS)),
                          ["case_id", "activity", "timestamp", "channel", "stage"]]
    ev = ev.astype({"case_id": str, "activity": str, "channel": str, "stage": str})
    ev.to_parquet(path, index=False)
    truth.personas.to_parquet(truth_path, index=False)
    print(f"generated {len(ev):,} events of {journeys:,} journeys in "
          f"{time.perf_counter() - t:.1f}s -> {path}")
    return path, truth_path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--skip-peers", action="store_true", help="journeylab only")
    args = ap.parse_args()
    path, truth = ensure_file(args.journeys)
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB), {os.cpu_count()} cores\n")

    def show(name: str, r: dict) -> None:
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in r["times"].items())
        print(f"{name:16s} {steps}")
        print(f"{'':16s} peak memory {r['peak_load_gb']:.2f} GB after load, "
              f"{r['peak_gb']:.2f} GB at the end; {r['check']}\n")

    results = run_all(CONTENDERS, path, skip_peers=args.skip_peers, show=show,
                      prelude=f"TRUTH = {str(truth)!r}\n")
    key = "features + k-means (k=6)"
    ours = results.get("journeylab", {}).get("times", {}).get(key)
    if ours:
        print(f"{key}, time relative to journeylab:")
        for name, r in results.items():
            if key in r.get("times", {}):
                print(f"  {name:16s} {r['times'][key] / ours:6.1f}x")


if __name__ == "__main__":
    main()
