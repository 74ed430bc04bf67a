"""Personas on an engine's log: the per-journey features computed in DuckDB and Spark equal
the memory path's, every journey is assigned in the engine as the fitted model assigns it
in memory, and ``find_personas`` on an engine's log fits on a seeded sample of journeys and
labels them all."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.core.journeys import activity_counts, transition_counts
from journeylab.engines.sql import END, START
from journeylab.personas import JourneyClusters, MarkovMixture

from .conftest import ENGINES


@pytest.fixture(scope="module")
def memory_log(awkward):
    """The memory path's log, read from the same Parquet file as the engines (so the same
    rows are quarantined)."""
    _, kwargs, parquet, _ = awkward
    return jl.read_events(str(parquet), **kwargs)


def tidy(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A long table keyed by text ids, sorted, with float counts (engines differ in types)."""
    out = table.copy()
    for k in keys:
        out[k] = out[k].astype(str)
    for c in out.columns.difference(keys):
        out[c] = out[c].astype(float)
    return out[keys + sorted(out.columns.difference(keys))].sort_values(keys) \
        .reset_index(drop=True)


def memory_features(log) -> dict[str, pd.DataFrame]:
    """The engines' feature tables as the memory path computes them."""
    cases = np.asarray(log.cases.astype(str), dtype=object)
    first = np.r_[0, np.cumsum(log.case_lengths)[:-1]]
    ns = log.timestamps_ns.astype(np.int64)
    duration = (np.maximum.reduceat(ns, first) - np.minimum.reduceat(ns, first)) / 1e9
    journeys = pd.DataFrame({"case_id": cases, "length": log.case_lengths,
                             "duration_s": duration})
    acts = activity_counts(log).tocoo()
    touchpoints = pd.DataFrame({"case_id": cases[acts.row],
                                "activity": np.asarray(log.activities, object)[acts.col],
                                "n": acts.data})
    counts, labels = transition_counts(log)
    coo = counts.tocoo()
    S = len(labels) + 2
    states = np.r_[np.asarray(labels, object), [START, END]]
    transitions = pd.DataFrame({"case_id": cases[coo.row], "source": states[coo.col // S],
                                "target": states[coo.col % S], "n": coo.data})
    ev = log.events
    named = ev[ev["channel"].notna()]
    channels = (pd.DataFrame({"case_id": named["case_id"].astype(str).to_numpy(),
                              "channel": named["channel"].astype(str).to_numpy()})
                .groupby(["case_id", "channel"]).size().rename("n").reset_index())
    return {"journeys": journeys, "touchpoints": touchpoints, "transitions": transitions,
            "channels": channels}


KEYS = {"journeys": ["case_id"], "touchpoints": ["case_id", "activity"],
        "transitions": ["case_id", "source", "target"], "channels": ["case_id", "channel"]}


@pytest.mark.parametrize("engine", ENGINES)
def test_features_equal_the_memory_path(engine, engine_logs, memory_log):
    got = engine_logs[engine].features()
    want = memory_features(memory_log)
    assert set(got) == set(KEYS)
    for name, keys in KEYS.items():
        pd.testing.assert_frame_equal(tidy(got[name], keys), tidy(want[name], keys),
                                      check_exact=False, rtol=1e-9, obj=f"{engine} {name}")


@pytest.fixture(scope="module")
def fitted_models(memory_log):
    """A Markov mixture and k-means clusters fitted in memory with fixed seeds."""
    return {"markov": MarkovMixture(3, random_state=3).fit(memory_log),
            "kmeans": JourneyClusters(3, method="kmeans", random_state=3).fit(memory_log)}


@pytest.mark.parametrize("kind", ["markov", "kmeans"])
@pytest.mark.parametrize("engine", ENGINES)
def test_label_journeys_equals_predict(engine, kind, engine_logs, memory_log, fitted_models):
    model = fitted_models[kind]
    got = engine_logs[engine].label_journeys(model)
    assert list(got.columns) == ["case_id", "persona"]
    want = pd.Series(model.predict(memory_log), index=memory_log.cases.astype(str))
    got = got.set_index(got["case_id"].astype(str))["persona"]
    assert got.index.is_unique and set(got.index) == set(want.index)
    np.testing.assert_array_equal(got.loc[want.index].to_numpy(), want.to_numpy())
