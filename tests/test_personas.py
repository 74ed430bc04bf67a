"""Personas: the Markov mixture on journeys whose persona is known by construction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import journeylab as jl
from journeylab.personas import MarkovMixture, transition_counts


def two_personas(n: int = 60, seed: int = 0):
    """Half the journeys open the app and buy there, half walk in and buy in store. Both
    may start from a shared newsletter and both pass through a shared ``browse`` hub,
    which they leave by their own channel: one Markov chain cannot remember which."""
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for c in range(n):
        persona = c % 2
        steps = ["newsletter"] if rng.random() < 0.5 else []
        browse = ["browse"] * int(rng.integers(1, 4))
        if persona == 0:
            steps += ["app_open"] + browse + ["cart_app", "checkout_app"]
        else:
            steps += ["walk_in"] + browse + ["advice", "store_purchase"]
        for i, s in enumerate(steps):
            rows.append((f"c{c:03d}", s, pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=i)))
        truth.append(persona)
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    return log, np.array(truth)


def test_transition_counts_hand_case():
    df = pd.DataFrame({"case_id": ["a", "a", "a", "b"], "activity": ["x", "y", "x", "y"],
                       "timestamp": pd.date_range("2024-01-01", periods=4, freq="h")})
    counts, acts = transition_counts(jl.read_events(df))
    S = len(acts) + 2
    dense = counts.toarray().reshape(2, S, S)
    x, y, start, end = 0, 1, 2, 3
    assert dense[0, start, x] == 1 and dense[0, x, y] == 1 and dense[0, y, x] == 1
    assert dense[0, x, end] == 1 and dense[0].sum() == 4
    assert dense[1, start, y] == 1 and dense[1, y, end] == 1 and dense[1].sum() == 2


def test_separable_personas_are_recovered_exactly():
    log, truth = two_personas()
    model = MarkovMixture(n_components=2, random_state=0).fit(log)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    assert np.allclose(model.weights_, [0.5, 0.5], atol=1e-3)
    assert np.allclose(model.transitions_.sum(axis=2)[:, :-1].max(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(log), model.labels_)
    proba = model.predict_proba(log)
    assert np.allclose(proba.sum(axis=1), 1.0) and proba.max(axis=1).min() > 0.99


def test_bic_prefers_the_true_number_of_personas():
    log, _ = two_personas(120, seed=1)
    bic = {k: MarkovMixture(n_components=k, random_state=0).fit(log).bic_ for k in (1, 2, 3, 4)}
    assert min(bic, key=bic.get) == 2, bic


def test_seeded_and_ordered_by_size():
    log = jl.read_events(jl.generate_journeys(400, seed=5).events).touchpoints()
    a = MarkovMixture(n_components=4, random_state=3).fit(log)
    b = MarkovMixture(n_components=4, random_state=3).fit(log)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.log_likelihood_ == b.log_likelihood_
    assert np.all(np.diff(a.weights_) <= 1e-12)  # persona 0 is the largest
    with pytest.raises(jl.InvalidInputError, match="n_components must be between 1"):
        MarkovMixture(n_components=0).fit(log)


def test_prediction_on_a_log_with_unseen_touchpoints():
    log, _ = two_personas()
    model = MarkovMixture(n_components=2, random_state=0).fit(log)
    new = pd.DataFrame({"case_id": ["n1", "n1", "n1"],
                        "activity": ["walk_in", "brand_new_touchpoint", "advice"],
                        "timestamp": pd.date_range("2024-02-01", periods=3, freq="h")})
    store = model.predict(jl.read_events(new))[0]
    walkers = model.labels_[np.asarray(log.cases.isin(
        log.events.loc[log.events["activity"] == "walk_in", "case_id"].astype(str)))]
    assert len(set(walkers)) == 1
    assert store == np.bincount(walkers).argmax()


def test_profiles_hand_computed():
    log, truth = two_personas()
    catalogue = {"newsletter": ("awareness", "email"), "app_open": ("consideration", "app"),
                 "browse": ("consideration", "web"), "cart_app": ("purchase", "app"),
                 "checkout_app": ("purchase", "app"), "walk_in": ("awareness", "store"),
                 "advice": ("consideration", "store"), "store_purchase": ("purchase", "store")}
    log = jl.read_events(log.to_pandas().drop(columns="row"), catalogue=catalogue)
    prof = jl.profile_personas(log, truth, outcome=["checkout_app", "store_purchase"])
    assert prof["journeys"].tolist() == [30, 30] and prof["share"].sum() == 1.0
    assert prof["conversion"].tolist() == [1.0, 1.0]
    app, store = prof.set_index("persona").loc[0], prof.set_index("persona").loc[1]
    assert app["name"].startswith("app-first") and store["name"].startswith("store-first")
    assert "app_open" in app["distinctive"] and "walk_in" in store["distinctive"]
    assert "browse" not in app["distinctive"].split(" (")[0]  # shared hub: no lift
    expected_median = np.median([n for n, p in zip(log.case_lengths, truth) if p == 1])
    assert store["median_events"] == expected_median
    with pytest.raises(jl.InvalidInputError, match="one persona per journey"):
        jl.profile_personas(log, truth[:-1])
