"""explain_gap: what the unhappiest journeys' gap is made of, never about fewer than
min_customers journeys in a shared report."""
from __future__ import annotations

import numpy as np
import pytest

import journeylab as jl


@pytest.fixture(scope="module")
def fitted():
    t = jl.generate_journeys(1500, random_state=4)
    log = jl.read_events(t.events, **t.read_kwargs())
    return jl.attribute_satisfaction(log, n_boot=0), log


def test_the_mean_parts_of_the_unhappiest_tenth_sum_to_their_mean_gap(fitted):
    drivers, log = fitted
    parts = jl.decompose_satisfaction(drivers, log)
    gap = parts.attrs["gap"]
    out = jl.explain_gap(drivers, log, examples=3, min_customers=5)
    assert out.attrs["journeys"] == max(3, 5, len(gap) // 10)
    worst = gap.nsmallest(out.attrs["journeys"])
    assert out.attrs["mean_gap"] == pytest.approx(worst.mean())
    # the parts of each journey sum to its gap, so their means sum to the mean gap
    assert out["mean_contribution"].sum() == pytest.approx(worst.mean())
    assert list(out["mean_contribution"]) == sorted(out["mean_contribution"])
    assert "case_id" not in out.columns


def test_single_journeys_only_when_min_customers_is_one(fitted):
    drivers, log = fitted
    out = jl.explain_gap(drivers, log, examples=2, min_customers=1)
    assert out["case_id"].nunique() == 2 and out.attrs["journeys"] == 2
    by_case = out.groupby("case_id")["contribution"].sum()
    gap = jl.decompose_satisfaction(drivers, log).attrs["gap"]
    assert np.allclose(by_case.sort_index(), gap.nsmallest(2).sort_index())
    # a small shared report still groups at least min_customers journeys
    assert jl.explain_gap(drivers, log, examples=1, min_customers=200).attrs["journeys"] == 200
