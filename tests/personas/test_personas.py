"""Personas: the Markov mixture on journeys whose persona is known by construction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import journeylab as jl
from journeylab.personas import JourneyClusters, MarkovMixture, transition_counts


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
    model = MarkovMixture(n_personas=2, random_state=0).fit(log)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    assert np.allclose(model.weights_, [0.5, 0.5], atol=1e-3)
    assert np.allclose(model.transitions_.sum(axis=2)[:, :-1].max(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(log), model.labels_)
    proba = model.predict_proba(log)
    assert np.allclose(proba.sum(axis=1), 1.0) and proba.max(axis=1).min() > 0.99
    assert model.noise_ < 0.01  # nothing strays in this log


@pytest.mark.parametrize("criterion", ["icl", "bic"])
def test_automatic_number_prefers_the_true_number_of_personas(criterion):
    log, _ = two_personas(120, seed=1)
    model = MarkovMixture("auto", k_range=(1, 4), criterion=criterion, random_state=0).fit(log)
    sel = model.selection_
    assert model.n_personas_ == 2 and sel.loc[sel["chosen"], "k"].item() == 2
    assert list(sel["k"]) == [1, 2, 3, 4]
    assert sel.loc[sel["k"] == 2, criterion].item() == sel[criterion].min()


def test_seeded_and_ordered_by_size():
    log = jl.read_events(jl.generate_journeys(400, random_state=5).events).touchpoints()
    a = MarkovMixture(n_personas=4, random_state=3).fit(log)
    b = MarkovMixture(n_personas=4, random_state=3).fit(log)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.log_likelihood_ == b.log_likelihood_
    sizes = np.bincount(a.labels_[a.labels_ >= 0])
    assert np.all(np.diff(sizes) <= 0)  # persona 0 is the largest
    with pytest.raises(jl.InvalidInputError, match="number of personas must be between 1"):
        MarkovMixture(n_personas=log.n_cases + 1).fit(log)
    with pytest.raises(jl.InvalidInputError, match="'n_personas' parameter of MarkovMixture"):
        MarkovMixture(n_personas="many").fit(log)


def test_prediction_on_a_log_with_unseen_touchpoints():
    log, _ = two_personas()
    model = MarkovMixture(n_personas=2, random_state=0).fit(log)
    new = pd.DataFrame({"case_id": ["n1", "n1", "n1"],
                        "activity": ["walk_in", "brand_new_touchpoint", "advice"],
                        "timestamp": pd.date_range("2024-02-01", periods=3, freq="h")})
    store = model.predict(jl.read_events(new))[0]
    walkers = model.labels_[np.asarray(log.cases.isin(
        log.events.loc[log.events["activity"] == "walk_in", "case_id"].astype(str)))]
    assert len(set(walkers)) == 1
    assert store == np.bincount(walkers).argmax()


def test_short_journeys_are_too_short_to_tell():
    log, truth = two_personas()
    extra = pd.DataFrame({"case_id": ["s1", "s2", "s2"],
                          "activity": ["newsletter"] * 2 + ["browse"],
                          "timestamp": pd.to_datetime(["2024-03-01", "2024-03-01",
                                                       "2024-03-02"])})
    both = jl.read_events(pd.concat([log.to_pandas().drop(columns="row"), extra]))
    for model in (MarkovMixture(2, random_state=0).fit(both),
                  jl.JourneyClusters(2, random_state=0).fit(both)):
        short = np.asarray(both.cases.isin(["s1", "s2"]))
        assert (model.labels_[short] == jl.TOO_SHORT).all()
        assert (model.labels_[~short] >= 0).all()
        assert adjusted_rand_score(truth, model.labels_[~short]) == 1.0
        np.testing.assert_array_equal(model.predict(both), model.labels_)
    prof = jl.profile_personas(both, model.labels_)
    assert prof["persona"].tolist() == [0, 1, -1]
    assert prof.iloc[-1]["name"] == "too short to tell" and prof.iloc[-1]["journeys"] == 2
    assert np.isnan(MarkovMixture(2, random_state=0).fit(both).confidence_[short]).all()


def planted(n: int, seed: int):
    truth = jl.generate_journeys(n, random_state=seed)
    log = jl.read_events(truth.events, **truth.read_kwargs()).touchpoints()
    planted = truth.personas.set_index("case_id").loc[log.cases.astype(str), "persona"]
    return log, planted.to_numpy(), truth.baselines["persona"].nunique()


def test_planted_personas_number_and_recovery_over_ten_seeds():
    """The synthetic generator's six planted personas at default noise, on small logs
    (3,000 journeys): the automatic number within one of the truth on at least 9 of 10
    seeds, and the personas recovered (ARI over journeys long enough to tell). The full
    figure, on 20,000-journey logs, is printed by benchmarks/check_personas.py."""
    chosen, scores = [], []
    for seed in range(10):
        log, truth, k_true = planted(3_000, seed)
        model = jl.find_personas(log, method="markov", k_range=(3, 9), random_state=0)
        told = model.labels_ != jl.TOO_SHORT
        assert 0.6 < told.mean() < 0.75  # a third of journeys are one or two touchpoints
        chosen.append(model.n_personas_)
        scores.append(adjusted_rand_score(truth[told], model.labels_[told]))
    assert sum(abs(k - k_true) <= 1 for k in chosen) >= 9, chosen
    assert np.mean(scores) >= 0.8, np.round(scores, 3)


def test_feature_blocks_hand_computed():
    df = pd.DataFrame({"case_id": ["a", "a", "a", "a", "b", "b"],
                       "activity": ["x", "y", "x", "x", "y", "z"],
                       "timestamp": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 01:00",
                                                    "2024-01-01 03:00", "2024-01-01 06:00",
                                                    "2024-01-02 00:00", "2024-01-03 00:00"]),
                       "channel": ["web", "app", "web", "web", "app", "store"],
                       "stage": ["aware", "buy", "aware", "aware", "buy", "loyal"]})
    log = jl.read_events(df, channel_key="channel", stage_key="stage")
    counts = jl.activity_counts(log).toarray()
    np.testing.assert_array_equal(counts, [[3, 1, 0], [0, 1, 1]])
    f = jl.JourneyFeatures(touchpoints="counts", transitions="binary", channels=True,
                           stages=True, numeric=("length", "wait"))
    X = f.fit_transform(log).toarray()
    names = list(f.get_feature_names_out())
    assert names[:3] == ["touchpoint:x", "touchpoint:y", "touchpoint:z"]
    assert {"transition:START>x", "transition:x>y", "transition:y>x", "transition:x>x",
            "transition:x>END", "transition:START>y", "transition:y>z",
            "transition:z>END"} == {n for n in names if n.startswith("transition:")}
    sl = f.block_slices_
    # each block is scaled to unit mean row length: counts [3,1,0] and [0,1,1]
    norm = (np.sqrt(10) + np.sqrt(2)) / 2
    np.testing.assert_allclose(X[:, sl["touchpoints"]], counts / norm)
    ch = X[:, sl["channels"]] * np.mean(np.sqrt([0.75 ** 2 + 0.25 ** 2, 0.5]))
    np.testing.assert_allclose(ch, [[0.25, 0, 0.75], [0.5, 0.5, 0]])  # app, store, web
    # furthest stage: stage order is unknown to the vocabulary, so names sort A-Z
    assert names[sl["stages"]] == ["stage:aware", "stage:buy", "stage:loyal"]
    assert X[0, sl["stages"]].argmax() == 1 and X[1, sl["stages"]].argmax() == 2
    num = X[:, sl["numeric"]]
    assert num[0, 0] > num[1, 0] and num[0, 1] < num[1, 1]  # longer; shorter median wait
    # transform maps a new log onto the fitted vocabulary; unseen touchpoints drop out
    new = jl.read_events(pd.DataFrame({"case_id": ["n", "n"], "activity": ["x", "w"],
                                       "timestamp": ["2024-02-01", "2024-02-02"],
                                       "channel": ["web", "web"], "stage": ["aware", "aware"]}),
                         channel_key="channel", stage_key="stage")
    Xn = f.transform(new).toarray()
    assert Xn.shape == (1, X.shape[1])
    np.testing.assert_allclose(Xn[0, sl["touchpoints"]], np.array([1, 0, 0]) / norm)
    with pytest.raises(jl.InvalidInputError, match="'touchpoints' parameter of JourneyFeatures"):
        jl.JourneyFeatures(touchpoints="log").fit(log)
    with pytest.raises(jl.InvalidInputError, match="weights name blocks"):
        jl.JourneyFeatures(weights={"channels": 2.0}).fit(log)
    with pytest.raises(jl.InvalidInputError, match="channel column"):
        jl.JourneyFeatures(channels=True).fit(jl.read_events(df[["case_id", "activity",
                                                                 "timestamp"]]))


def test_unique_rows_are_exact():
    from journeylab.personas.selection import unique_rows

    rng = np.random.default_rng(0)
    dense = rng.integers(0, 3, size=(500, 7)).astype(float)
    dense[::3] = dense[1]  # many repeats
    import scipy.sparse as sp

    U, inverse, w = unique_rows(sp.csr_matrix(dense))
    np.testing.assert_array_equal(U.toarray()[inverse], dense)
    assert w.sum() == 500 and len(np.unique(dense, axis=0)) == U.shape[0]


def test_vector_clusters_recover_separable_personas_and_choose_their_number():
    log, truth = two_personas(120, seed=2)
    for method in ("kmeans", "agglomerative"):
        # touchpoint counts only: the two personas differ in what they contain
        model = jl.JourneyClusters("auto", features=jl.JourneyFeatures(), method=method,
                                   criterion="silhouette", k_range=(2, 5),
                                   random_state=0).fit(log)
        assert model.n_personas_ == 2, model.selection_
        assert adjusted_rand_score(truth, model.labels_) == 1.0
        np.testing.assert_array_equal(model.predict(log), model.labels_)
        # the default (clusterwise stability) may also split off the half of each persona
        # that came from the newsletter, a stable group of its own; it never mixes the two
        stable = jl.JourneyClusters("auto", features=jl.JourneyFeatures(), method=method,
                                    k_range=(2, 5), random_state=0).fit(log)
        both = pd.crosstab(stable.labels_, truth)
        assert stable.n_personas_ >= 2 and ((both > 0).sum(axis=1) == 1).all(), both
    stab = jl.JourneyClusters("auto", features=jl.JourneyFeatures(), criterion="stability",
                              k_range=(2, 4)).fit(log)
    assert stab.n_personas_ == 2 and stab.selection_["stability"].max() == 1.0
    with pytest.raises(jl.InvalidInputError, match="'method' parameter of JourneyClusters"):
        jl.JourneyClusters(method="dbscan").fit(log)


def test_find_personas_and_stability_on_planted_personas():
    log, truth, _ = planted(3_000, 1)
    model = jl.find_personas(log, method="kmeans", n_personas=6, random_state=0)
    again = jl.find_personas(log, method="kmeans", n_personas=6, random_state=0)
    np.testing.assert_array_equal(model.labels_, again.labels_)
    stab = jl.persona_stability(model, log, n_resamples=3, random_state=0)
    assert list(stab.columns) == ["resample", "journeys", "ari"]
    assert (stab["journeys"] == 2_400).all() and stab["ari"].min() > 0.85
    with pytest.raises(jl.InvalidInputError, match="method must be"):
        jl.find_personas(log, method="lda")


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


def test_compare_label_embed_and_examples():
    log, truth = two_personas()
    cmp = jl.compare_personas(log, truth, 0, 1)
    row = cmp.set_index("measure")
    assert row.loc["journeys", "a"] == 30 and row.loc["journeys", "b"] == 30
    assert row.loc["reach: app_open", "a"] == 1.0 and row.loc["reach: app_open", "b"] == 0.0
    assert row.loc["reach: app_open", "difference"] == 1.0
    assert "reach: browse" not in row.index[:5]  # shared hub: no difference
    table = jl.label_journeys(log, truth)
    assert table["case_id"].tolist() == [str(c) for c in log.cases]
    model = MarkovMixture(2, random_state=0).fit(log)
    assert {"confidence"} <= set(jl.label_journeys(log, model).columns)
    emb = jl.embed_journeys(log, truth, random_state=0)
    pd.testing.assert_frame_equal(emb, jl.embed_journeys(log, truth, random_state=0))
    assert list(emb.columns) == ["case_id", "x", "y", "persona"] and len(emb) == log.n_cases
    # the two personas sit apart on the first axis
    gap = abs(emb.loc[emb["persona"] == 0, "x"].mean() - emb.loc[emb["persona"] == 1, "x"].mean())
    assert gap > 3 * emb.groupby("persona")["x"].std().max()
    ex = jl.example_journeys(log, truth, 1, n=4, random_state=0)
    assert len(ex) == 4 and ex["path"].str.contains("walk_in").all()
    sub = jl.select_persona(log, truth, 0)
    assert sub.n_cases == 30 and "walk_in" not in set(sub.events["activity"].astype(str))
    with pytest.raises(jl.InvalidInputError, match="No journey has persona 7"):
        jl.compare_personas(log, truth, 0, 7)


def test_persona_explorer_matches_its_function_twins():
    log, truth = two_personas()
    explorer = jl.PersonaExplorer(log, truth, examples=3)
    explorer.persona.value = 1
    explorer.path_coverage.value = 0.5
    d = explorer.data()
    twin = jl.select_persona(log, truth, 1)
    pd.testing.assert_frame_equal(d["profile"].reset_index(drop=True),
                                  jl.profile_personas(log, truth).iloc[[1]].reset_index(drop=True))
    pd.testing.assert_frame_equal(d["map"].edges, jl.filter_dfg(
        twin, path_coverage=0.5, min_edge_share=0.01).edges)
    pd.testing.assert_frame_equal(d["variants"], jl.get_variants(twin))
    pd.testing.assert_frame_equal(d["examples"], jl.example_journeys(log, truth, 1, n=3))


def test_number_chosen_on_a_sample_then_fitted_on_all():
    log, truth = two_personas(200, seed=4)
    model = MarkovMixture("auto", k_range=(1, 3), selection_sample=60, random_state=0).fit(log)
    assert (model.selection_["journeys"] == 60).all() and model.n_personas_ == 2
    assert adjusted_rand_score(truth, model.labels_) == 1.0  # the final fit saw every journey


def test_chains_learned_on_a_sample_assign_every_journey():
    log, truth = two_personas(300, seed=5)
    full = MarkovMixture(2, random_state=0).fit(log)
    sampled = MarkovMixture(2, fit_sample=80, random_state=0).fit(log)
    assert adjusted_rand_score(full.labels_, sampled.labels_) == 1.0
    np.testing.assert_array_equal(sampled.predict(log), sampled.labels_)
    assert np.all(np.diff(np.bincount(sampled.labels_)) <= 0)  # still ordered by size


def test_a_persona_model_must_be_fitted_before_it_predicts():
    from sklearn.exceptions import NotFittedError

    log, _ = two_personas(20, seed=1)
    for model in (jl.MarkovMixture(2), jl.JourneyClusters(2)):
        with pytest.raises(NotFittedError):
            model.predict(log)
        assert np.array_equal(model.fit(log).predict(log), model.labels_)


@pytest.mark.parametrize("method", ["kmeans", "markov"])
def test_on_a_small_log_no_persona_is_a_handful_of_journeys(method):
    from journeylab.personas.selection import MIN_PERSONA_JOURNEYS

    log = jl.read_events(jl.generate_journeys(80, random_state=2).events)
    model = JourneyClusters(random_state=0) if method == "kmeans" else \
        MarkovMixture(random_state=0)
    model.fit(log)
    chosen = model.selection_[model.selection_["chosen"]].iloc[0]
    told = model.labels_[model.labels_ >= 0]
    # every number tried is in the table, so the rule can be read there
    assert "smallest_journeys" in model.selection_.columns
    if chosen["smallest_journeys"] >= MIN_PERSONA_JOURNEYS:
        assert not any("too few journeys" in n for n in model.notes_)
    else:  # none was large enough: the smallest number, said in a note
        assert model.n_personas_ == model.selection_["k"].min()
        assert any("too few journeys to tell personas apart" in n for n in model.notes_)
    assert len(told) > 0


def test_a_few_journeys_are_not_split_into_a_persona_each():
    rows = [(f"c{i}", act, pd.Timestamp("2024-01-01") + pd.Timedelta(hours=h + 24 * i))
            for i in range(8) for h, act in enumerate([f"t{i % 6}", f"u{i % 4}", "end"])]
    log = jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    with pytest.warns(jl.PersonaWarning, match="too few journeys to tell personas apart"):
        model = JourneyClusters(random_state=0).fit(log)
    assert model.n_personas_ == 2
