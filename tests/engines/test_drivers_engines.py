"""Satisfaction drivers on an engine's log: the design rows each engine computes and the
effects fitted from its grouped rows equal the memory path's (to 1e-9, same bootstrap)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeylab import SatisfactionDrivers, attribute_satisfaction, read_events
from journeylab.drivers.design import (mode_by_activity, target_scores,
                                       touchpoint_exposure)
from journeylab.drivers.engine import patterns_matrix
from journeylab.errors import InvalidInputError

from .conftest import ENGINES

TOL = dict(rtol=0, atol=1e-9)
SETTINGS = [dict(), dict(instrument="csat_survey", window="since_previous"),
            dict(instrument="csat_survey")]


def assignment(log) -> pd.DataFrame:
    """A persona assignment ``case_id, persona`` of every journey (some -1: too short)."""
    cases = np.asarray(log.cases.astype(str), dtype=object)
    persona = np.array([sum(map(ord, c)) % 4 - 1 for c in cases], dtype=np.int64)
    return pd.DataFrame({"case_id": cases, "persona": persona})


def memory_design(log, instrument=None, window="journey") -> pd.DataFrame:
    """``case_id, score, touchpoints`` (a frozenset) of each scored journey, in memory."""
    target = target_scores(log, instrument, window)
    exposure = touchpoint_exposure(log, target)
    scored = np.isfinite(target.scores)
    acts = np.asarray(exposure.touchpoints, dtype=object)
    met = [frozenset(acts[row]) for row in exposure.in_window[scored]]
    return pd.DataFrame({"case_id": np.asarray(log.cases.astype(str), dtype=object)[scored],
                         "score": target.scores[scored], "touchpoints": met})


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("setting", SETTINGS[:2], ids=["nps", "csat_since_previous"])
def test_design_rows_match_memory(engine_logs, engine, setting):
    mem, log = engine_logs["memory"], engine_logs[engine]
    expected = memory_design(mem, **setting)
    design = log.design_rows(setting.get("instrument"), setting.get("window", "journey"),
                             journeys=True)
    table = design["touchpoints"]
    acts = np.asarray(table["touchpoint"], dtype=object)
    got = design["journeys"]
    met = [frozenset(acts[row]) for row in patterns_matrix(got["pattern"], len(acts))]
    got = pd.DataFrame({"case_id": got["case_id"].astype(object), "score": got["score"],
                        "touchpoints": met})
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)
    # the grouped rows are the per-journey rows counted
    rows = design["rows"]
    assert rows["journeys"].sum() == len(expected)
    counted = got.assign(pattern=design["journeys"]["pattern"]).groupby(
        ["pattern", "score"]).size().sort_index()
    pd.testing.assert_series_equal(
        rows.set_index(["pattern", "score"])["journeys"].sort_index(), counted,
        check_names=False)
    # the touchpoints: memory's order, modal stage and channel, journeys that met them
    target = target_scores(mem, setting.get("instrument"))
    exposure = touchpoint_exposure(mem, target)
    assert list(acts) == list(exposure.touchpoints)
    assert table["customers"].tolist() == exposure.anywhere.sum(axis=0).tolist()
    for role in ("stage", "channel"):
        assert table[role].fillna("?").tolist() == \
            pd.Series(mode_by_activity(mem, role, exposure.touchpoints)).fillna("?").tolist()


def assert_same_fit(a: SatisfactionDrivers, b: SatisfactionDrivers) -> None:
    pd.testing.assert_frame_equal(a.effects_, b.effects_, **TOL)
    pd.testing.assert_frame_equal(a.control_effects_, b.control_effects_, **TOL)
    assert a.control_effects_.attrs == b.control_effects_.attrs
    assert abs(a.baseline_ - b.baseline_) < 1e-9
    assert abs(a.intercept_ - b.intercept_) < 1e-9
    np.testing.assert_allclose(a.intervals_, b.intervals_, **TOL)
    assert (a.instrument_, a.scale_, a.groups_) == (b.instrument_, b.scale_, b.groups_)
    pd.testing.assert_frame_equal(a.rank_irritants(), b.rank_irritants(), **TOL)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("setting", SETTINGS, ids=["nps", "csat_since_previous", "csat"])
def test_drivers_match_memory(engine_logs, engine, setting):
    mem, log = engine_logs["memory"], engine_logs[engine]
    a = SatisfactionDrivers(n_boot=50, random_state=3, **setting).fit(mem)
    b = SatisfactionDrivers(n_boot=50, random_state=3, **setting).fit(log)
    assert_same_fit(a, b)
    assert b.effects_["kind"].isin(["irritant", "delight"]).any()


@pytest.mark.parametrize("engine", ENGINES)
def test_drivers_with_persona_controls_match_memory(engine_logs, engine):
    mem, log = engine_logs["memory"], engine_logs[engine]
    table = assignment(mem)
    labels = table.set_index("case_id")["persona"]
    a = attribute_satisfaction(mem, controls=labels, n_boot=50)
    b = attribute_satisfaction(log, controls=table, n_boot=50)
    assert_same_fit(a, b)
    assert b.control_effects_.attrs["left_out_too_short"] > 0
    assert b.groups_ == ["0", "1", "2"]
    assert_same_fit(a, attribute_satisfaction(log, controls=labels, n_boot=50))
    assert_same_fit(a, attribute_satisfaction(mem, controls=table, n_boot=50))
    pd.testing.assert_frame_equal(a.effect_by_group("hold_queue", n_boot=20),
                                  b.effect_by_group("hold_queue", n_boot=20), **TOL)


@pytest.mark.parametrize("engine", ENGINES)
def test_drivers_without_instruments_match_memory(awkward, spark, engine):
    ev, kwargs, parquet, _ = awkward
    kwargs = {k: v for k, v in kwargs.items() if k != "instruments"}
    mem = read_events(ev, **kwargs)
    log = read_events(str(parquet), **kwargs, engine=engine,
                      **({"spark": spark} if engine == "spark" else {}))
    a = SatisfactionDrivers(n_boot=30).fit(mem)
    b = SatisfactionDrivers(n_boot=30).fit(log)
    assert b.instrument_ == "satisfaction"
    pd.testing.assert_frame_equal(a.effects_, b.effects_, **TOL)
    assert abs(a.baseline_ - b.baseline_) < 1e-9


def test_engine_drivers_say_what_they_cannot_do(engine_logs):
    mem, log = engine_logs["memory"], engine_logs["duckdb"]
    with pytest.raises(InvalidInputError, match="journey-level column"):
        SatisfactionDrivers(controls="segment", n_boot=0).fit(log)
    probabilities = pd.DataFrame({"a": 0.5, "b": 0.5}, index=mem.cases.astype(str))
    with pytest.raises(InvalidInputError, match="probabilities"):
        SatisfactionDrivers(controls=probabilities, n_boot=0).fit(log)
    with pytest.raises(InvalidInputError, match="lacks 1 of the log's journeys"):
        SatisfactionDrivers(controls=assignment(mem).iloc[1:], n_boot=0).fit(log)
    with pytest.raises(InvalidInputError, match="keyed by case_id"):
        SatisfactionDrivers(controls=np.zeros(mem.n_cases), n_boot=0).fit(log)
    with pytest.raises(InvalidInputError, match="Unknown instrument"):
        SatisfactionDrivers(instrument="nope", n_boot=0).fit(log)
    drivers = SatisfactionDrivers(n_boot=0).fit(log)
    for call in (lambda: drivers.decompose(mem), lambda: drivers.what_if("hold_queue"),
                 lambda: drivers.exposed_journeys("hold_queue")):
        with pytest.raises(InvalidInputError, match="needs drivers fitted on an EventLog"):
            call()
