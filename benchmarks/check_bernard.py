"""Personas on Bernard & Andritsos' 40 customer-journey datasets with planted journeys.

Each file has 100 journeys generated from 3 to 6 representative journeys (column ``g``,
the planted persona). Prints the adjusted Rand index of journeylab's Markov mixture, with
the true number of personas, beside k-means on touchpoint counts (what retentioneering's
cluster analysis does), per file and on average. Not part of the test suite: the data
lives in ../shared/data/real/.

    python benchmarks/check_bernard.py [--data ../shared/data/real/bernard-cjm]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

import journeylab as jl


def load(path: Path) -> tuple[jl.EventLog, np.ndarray, int]:
    raw = pd.read_csv(path, dtype=str)
    # rows are in journey order and carry no time: the row number stands in for it
    raw["timestamp"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(len(raw)), unit="s")
    log = jl.read_events(raw, case_id_key="trace_id", activity_key="activities",
                         timestamp_key="timestamp", duplicates="keep")
    truth = log.case_table()["g"].to_numpy()
    return log, truth, len(set(truth))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                          / "real" / "bernard-cjm"))
    files = sorted(Path(ap.parse_args().data).glob("*.csv"))
    rows = []
    for f in files:
        log, truth, k = load(f)
        mm = jl.MarkovMixture(n_components=k, random_state=0).fit(log)
        counts = pd.crosstab(log.events["case_id"].astype(str), log.events["activity"].astype(str))
        counts = counts.loc[[str(c) for c in log.cases]]
        km = KMeans(k, n_init=10, random_state=0).fit_predict(counts.to_numpy(float))
        rows.append((f.stem, k, adjusted_rand_score(truth, mm.labels_),
                     adjusted_rand_score(truth, km)))
    table = pd.DataFrame(rows, columns=["dataset", "personas", "markov_mixture", "kmeans_counts"])
    print(table.to_string(index=False, float_format="%.3f"))
    print(f"\nmean ARI over {len(table)} datasets: Markov mixture "
          f"{table['markov_mixture'].mean():.3f}, k-means on counts "
          f"{table['kmeans_counts'].mean():.3f}")


if __name__ == "__main__":
    main()
