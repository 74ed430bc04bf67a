"""Personas on Bernard & Andritsos' 40 customer-journey datasets with planted journeys.

Each file has 100 journeys generated from 3 to 6 representative journeys (column ``g``,
the planted persona). For every file, prints the adjusted Rand index (ARI) against the
planted personas of:

- journeylab's defaults (``find_personas(log)``: method and number chosen from the data);
- journeylab's Markov mixture and k-means on journey features, each with the true number
  of personas and with the number chosen automatically;
- the baseline a user would otherwise reach for: k-means on raw touchpoint counts with the
  true number (what retentioneering's cluster analysis does);

then the means, the share of files where the automatic number is within one of the truth,
and the share of journeys long enough to tell. ARI is over journeys long enough to tell.
Not part of the test suite: the data lives in ../shared/data/real/.

    python benchmarks/check_bernard.py [--data ../shared/data/real/bernard-cjm]
"""
from __future__ import annotations

import argparse
import time
import warnings
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


def score(truth: np.ndarray, labels: np.ndarray) -> float:
    told = labels != jl.TOO_SHORT
    return float(adjusted_rand_score(truth[told], labels[told]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                          / "real" / "bernard-cjm"))
    files = sorted(Path(ap.parse_args().data).glob("*.csv"))
    rows = []
    t0 = time.perf_counter()
    for f in files:
        log, truth, k = load(f)
        row = {"dataset": f.stem, "personas": k}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", jl.PersonaWarning)
            default = jl.find_personas(log)  # what a user gets: no method, no number
            row["default_method"] = default.method_
            row["default_k"] = default.n_personas_
            row["default"] = score(truth, default.labels_)
            for name, method in (("markov", "markov"), ("kmeans", "kmeans")):
                fixed = jl.find_personas(log, method=method, n_personas=k)
                auto = jl.find_personas(log, method=method)
                row[f"{name}_true_k"] = score(truth, fixed.labels_)
                row[f"{name}_auto"] = score(truth, auto.labels_)
                row[f"{name}_k"] = auto.n_personas_
        row["told"] = float((fixed.labels_ != jl.TOO_SHORT).mean())
        counts = jl.activity_counts(log).toarray()
        row["baseline_counts_kmeans"] = adjusted_rand_score(
            truth, KMeans(k, n_init=10, random_state=0).fit_predict(counts))
        rows.append(row)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format="%.3f"))
    print(f"\n{len(table)} datasets in {time.perf_counter() - t0:.1f} s; journeys long enough "
          f"to tell: {table['told'].mean():.1%}")
    print("mean ARI:")
    for col in ("default", "markov_true_k", "markov_auto", "kmeans_true_k", "kmeans_auto",
                "baseline_counts_kmeans"):
        print(f"  {col:24s} {table[col].mean():.3f}")
    for name in ("default", "markov", "kmeans"):
        near = (table[f"{name}_k"] - table["personas"]).abs() <= 1
        print(f"automatic number within 1 of the truth ({name}): {near.mean():.0%}")


if __name__ == "__main__":
    main()
