"""The synthetic generator: deterministic, and its planted truth is what it claims."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.synth import EFFECTS_NPS, INSTRUMENTS, STAGES, TOUCHPOINTS


def test_same_seed_same_tables_other_seed_other_tables():
    a = jl.generate_journeys(300, random_state=11)
    b = jl.generate_journeys(300, random_state=11)
    c = jl.generate_journeys(300, random_state=12)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.personas, b.personas)
    assert not a.events["activity"].equals(c.events["activity"])


def test_shape_of_the_world(small_truth):
    ev = small_truth.events
    assert small_truth.personas["persona"].nunique() >= 5
    assert set(ev["stage"].astype(str)) <= set(STAGES) and ev["stage"].nunique() == len(STAGES)
    assert set(ev["channel"].astype(str)) >= {"web", "app", "store", "phone", "email", "chat",
                                             "social"}
    assert ev["case_id"].nunique() == 400
    assert set(ev["activity"].astype(str)) <= set(TOUCHPOINTS) | set(INSTRUMENTS)
    ts = ev["timestamp"].to_numpy().view("i8")
    same_case = ev["case_id"].to_numpy()[1:] == ev["case_id"].to_numpy()[:-1]
    assert np.all(np.diff(ts)[same_case] > 0)  # strictly later within a journey


def test_scores_only_on_surveys_and_within_scales(small_truth):
    ev = small_truth.events
    scored = ev["satisfaction"].notna()
    assert set(ev.loc[scored, "activity"].astype(str)) == {"csat_survey", "nps_survey"}
    for name, (lo, hi) in INSTRUMENTS.items():
        s = ev.loc[ev["activity"] == name, "satisfaction"]
        assert s.notna().all() and s.between(lo, hi).all()
    log = jl.read_events(ev, **small_truth.read_kwargs())
    assert log.report.rows_quarantined == 0


def test_without_noise_every_observed_edge_is_in_the_truth():
    truth = jl.generate_journeys(3000, random_state=5, noise=0.0)
    ev = truth.events
    same = ev["case_id"].to_numpy()[1:] == ev["case_id"].to_numpy()[:-1]
    act = ev["activity"].astype(str).to_numpy()
    observed = set(zip(act[:-1][same], act[1:][same]))
    expected = truth.edges()
    assert observed <= expected
    assert len(observed) / len(expected) > 0.9  # and nearly all of it shows up


def test_planted_effects_and_confounding(small_truth):
    eff = small_truth.effects.set_index("touchpoint")
    for tp, e in EFFECTS_NPS.items():
        assert eff.loc[tp, "effect_nps"] == e
        assert eff.loc[tp, "kind"] == ("irritant" if e < 0 else "delight")
    assert (eff.loc[~eff.index.isin(list(EFFECTS_NPS)), "kind"] == "neutral").all()
    big = jl.generate_journeys(20_000, random_state=1)
    base = big.baselines.set_index("persona")
    worst = min(EFFECTS_NPS, key=EFFECTS_NPS.get)
    # the persona with the lowest baseline meets the worst irritant most often
    assert base["baseline_nps"].idxmin() == base[f"exposure_{worst}"].idxmax()
    # so the naive gap for the worst irritant is larger than its planted effect
    ev = big.events
    nps = ev[ev["activity"] == "nps_survey"].set_index("case_id")["satisfaction"]
    met = set(ev.loc[ev["activity"] == worst, "case_id"].astype(str))
    exposed = nps.index.astype(str).isin(met)
    naive = nps[exposed].mean() - nps[~exposed].mean()
    assert naive < EFFECTS_NPS[worst] - 0.3


def test_bad_arguments_are_refused():
    with pytest.raises(jl.InvalidInputError, match="n_customers must be at least 1"):
        jl.generate_journeys(0)
    with pytest.raises(jl.InvalidInputError, match="noise must be between 0 and 1"):
        jl.generate_journeys(10, noise=2)


def test_save_writes_events_and_truth(tmp_path, small_truth):
    paths = small_truth.save(tmp_path, events_format="csv")
    log = jl.read_events(paths["events"], **small_truth.read_kwargs())
    assert log.n_events == len(small_truth.events)
    assert pd.read_csv(paths["personas"]).shape == (400, 2)
    assert set(pd.read_csv(paths["catalogue"])["activity"]) == \
        set(TOUCHPOINTS) | set(INSTRUMENTS)
