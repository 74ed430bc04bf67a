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
from journeylab.personas import JourneyClusters, MarkovMixture, find_personas

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


@pytest.mark.parametrize("engine", ENGINES)
def test_find_personas_assigns_every_journey_reproducibly(engine, engine_logs):
    log = engine_logs[engine]
    first = find_personas(log, method="kmeans", n_personas=3, random_state=4,
                          sample_journeys=150)
    again = find_personas(log, method="kmeans", n_personas=3, random_state=4,
                          sample_journeys=150)
    ids = sorted(log.sample().cases.astype(str))
    assert list(first.case_ids_) == ids and len(first.labels_) == log.n_cases
    assert set(first.labels_) <= {-1, 0, 1, 2}
    np.testing.assert_array_equal(first.labels_, again.labels_)
    n = len(first.sample_labels_)
    assert 0 < n < log.n_cases
    assert list(again.sample_case_ids_) == list(first.sample_case_ids_)
    assert first.notes_[-1].startswith(f"Fitted on {n:,} of {log.n_cases:,} journeys")
    # the sample's journeys keep the labels the fit gave them
    where = pd.Series(first.labels_, index=first.case_ids_)
    np.testing.assert_array_equal(where.loc[first.sample_case_ids_].to_numpy(),
                                  first.sample_labels_)


@pytest.mark.parametrize("method", ["kmeans", "markov"])
def test_whole_log_sample_gives_the_memory_labels(method, engine_logs, memory_log):
    log = engine_logs["duckdb"]
    got = find_personas(log, method=method, n_personas=3, random_state=4)
    want = find_personas(memory_log, method=method, n_personas=3, random_state=4)
    assert got.notes_[-1].startswith(f"Fitted on {log.n_cases:,} of {log.n_cases:,}")
    assert got.notes_[:-1] == want.notes_
    want = pd.Series(want.labels_, index=memory_log.cases.astype(str))
    np.testing.assert_array_equal(got.labels_, want.loc[got.case_ids_].to_numpy())


def test_whole_log_sample_gives_the_memory_labels_in_spark(engine_logs, memory_log):
    got = find_personas(engine_logs["spark"], method="kmeans", n_personas=3, random_state=4)
    want = find_personas(memory_log, method="kmeans", n_personas=3, random_state=4)
    want = pd.Series(want.labels_, index=memory_log.cases.astype(str))
    np.testing.assert_array_equal(got.labels_, want.loc[got.case_ids_].to_numpy())


def test_tabulate_personas_on_an_engine_study(awkward, tmp_path, capsys):
    """A study on an engine: the model is fitted on the study's sample, every journey is
    assigned in the engine, and a sampled journey gets the label the model gave it."""
    from journeylab.studies.steps import tabulate_personas

    _, kwargs, parquet, _ = awkward
    study = jl.open_study(str(parquet), output_dir=str(tmp_path), engine="duckdb",
                          sample_journeys=150, random_state=4,
                          **{k: v for k, v in kwargs.items() if k != "instruments"})
    model, tables = tabulate_personas(study, method="kmeans", n_personas=3,
                                      stability_resamples=1, random_state=4)
    said = capsys.readouterr().out
    assert "fitted on the seeded sample" in said and "each assigned in the engine" in said
    assigned = tables["assignments"]
    assert list(assigned.columns) == ["case_id", "persona", "name"]
    assert len(assigned) == study.engine_journeys.n_cases > study.journeys.n_cases
    assert assigned["name"].notna().all()
    in_sample = pd.Series(model.labels_, index=study.journeys.cases.astype(str))
    got = assigned.set_index("case_id")["persona"].loc[in_sample.index]
    np.testing.assert_array_equal(got.to_numpy(), in_sample.to_numpy())
    assert int(tables["profiles"]["journeys"].sum()) == study.journeys.n_cases
    assert {"profiles", "selection", "persona_reach", "stability"} <= set(tables)
