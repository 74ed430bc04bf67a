"""Names and arguments a user may give that once misled: a touchpoint named with the path
separator, a single name where a list is expected, nonsense arguments. Each gives the
right table or journeylab's own error naming the fix."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journeylab as jl
from journeylab.errors import EmptyLogError, InvalidInputError

T, M = pd.Timestamp("2024-01-01 10:00"), pd.Timedelta("1min")


def _log(rows, **kw):
    return jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]),
                          **kw)


@pytest.fixture
def separator_log():
    """Three different paths whose names joined by ' > ' would read the same."""
    return _log([("1", "a > b", T), ("1", "c", T + M), ("2", "a", T), ("2", "b", T + M),
                 ("2", "c", T + 2 * M), ("3", "a", T), ("3", "b > c", T + M)])


def test_every_path_has_its_own_text_when_names_hold_the_separator(separator_log):
    v = jl.get_variants(separator_log)
    assert sorted(v["variant"]) == ['"a > b" > c', 'a > "b > c"', "a > b > c"]
    assert sorted(v["length"]) == [2, 2, 3]
    both = jl.compare_logs(separator_log, separator_log)["variants"]
    assert len(both) == 3 and both["cases"].sum() == 2 * separator_log.n_cases
    quoted = _log([("1", 'say "hi"', T), ("1", "x", T + M)])
    assert jl.get_variants(quoted)["variant"].tolist() == ['"say ""hi""" > x']


@pytest.mark.parametrize("engine", ["memory", "duckdb"])
def test_default_funnel_steps_are_the_touchpoints_not_pieces_of_their_names(tmp_path, engine):
    path = tmp_path / "sep.parquet"
    pd.DataFrame([("1", "home > search", T), ("1", "product", T + M), ("1", "cart", T + 2 * M),
                  ("2", "home > search", T), ("2", "product", T + M), ("3", "x", T),
                  ("4", "home > search", T), ("4", "product", T + M), ("4", "cart", T + 2 * M)],
                 columns=["case_id", "activity", "timestamp"]).to_parquet(path)
    log = jl.read_events(str(path), engine=engine)
    steps, on = jl.default_funnel_steps(log)
    assert (steps, on) == (["home > search", "product", "cart"], "activity")
    assert jl.compute_funnel(log, steps)["customers"].tolist() == [3, 3, 2]


def test_one_name_given_alone_is_one_name():
    log = _log([("a", "checkout", T), ("a", "y", T + M), ("b", "checkout", T),
                ("ab", "z", T)])
    assert log.filter_activities("checkout").n_events == 2
    assert list(log.filter_cases("ab").cases) == ["ab"]
    assert log.filter_attribute("activity", "y").n_events == 1
    with pytest.raises(InvalidInputError, match=r"not the text 'xy'.*steps=\['xy'"):
        jl.compute_funnel(log, "xy")
    with pytest.raises(InvalidInputError, match="not the text"):
        jl.compute_funnels(log, "xy")


def test_nonsense_arguments_get_journeylab_errors():
    from pm4py.objects.petri_net.obj import Marking, PetriNet

    log = _log([("a", "x", T), ("a", "y", T + M), ("b", "x", T)])
    empty = log.filter_cases([])
    with pytest.raises(InvalidInputError, match="not a sound workflow net"):
        jl.check_conformance(log, jl.ProcessModel(PetriNet("e"), Marking(), Marking()))
    with pytest.raises(InvalidInputError, match="max_variants"):
        jl.check_conformance(log, ["x", "y"], max_variants=-1)
    with pytest.raises(InvalidInputError, match="list of touchpoints"):
        jl.designed_journey(None)
    # an array of touchpoints is a designed journey like a list
    as_array = jl.check_conformance(log, np.array(["x", "y"]))
    assert as_array.journeys["fitness"].tolist() == \
        jl.check_conformance(log, ["x", "y"]).journeys["fitness"].tolist()
    with pytest.raises(InvalidInputError, match="'not a date' is not a date"):
        log.filter_time("not a date")
    with pytest.raises(InvalidInputError, match="'garbage' is not a date"):
        jl.select_journeys(log, start="garbage")
    with pytest.raises(EmptyLogError, match="find_personas needs journeys"):
        jl.find_personas(empty)
    with pytest.raises(InvalidInputError, match="fitted drivers"):
        jl.rank_irritants(pd.DataFrame())
    with pytest.raises(InvalidInputError, match="no journeys"):
        jl.step_matrix(empty)
