"""The persona estimators follow scikit-learn's conventions: every parameter declared with a
constraint and checked when fitted (a bad value names the parameter), fitted state only
after fit (and read only once fitted), and parameters that survive ``clone``."""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import journeylab as jl
from journeylab.personas import JourneyClusters, JourneyFeatures, MarkovMixture

ESTIMATORS = (MarkovMixture, JourneyClusters, JourneyFeatures)

#: A value each parameter must refuse, by estimator: one per ``__init__`` parameter, so a
#: parameter added without a constraint (or with a constraint that lets this through) fails.
BAD = {
    MarkovMixture: {
        "n_personas": "many", "k_range": 3, "criterion": "aic", "min_touchpoints": 0,
        "n_init": 0, "max_iter": 0, "tol": -1e-3, "alpha": -0.5, "noise": 1.5,
        "min_share": 2.0, "split_merge_rounds": -1, "min_persona_share": 1.0,
        "selection_sample": 0, "fit_sample": 0, "n_restarts": 0, "widen": "yes",
        "n_jobs": "all", "random_state": -1,
    },
    JourneyClusters: {
        "n_personas": 0, "features": "touchpoints", "method": "dbscan", "k_range": "2-5",
        "criterion": "elbow", "min_touchpoints": 0, "n_init": 0, "sample_size": 0,
        "min_persona_share": -0.1, "selection_sample": 0, "widen": None, "random_state": 1.5,
    },
    JourneyFeatures: {
        "touchpoints": "log", "transitions": "squared", "channels": "yes", "stages": 1,
        "numeric": "length", "outcome": 3, "satisfaction": "yes", "weights": [1.0],
    },
}

#: Values other than the defaults that each parameter takes, for the clone round trip.
GOOD = {
    MarkovMixture: dict(n_personas=3, k_range=(2, 6), criterion="bic", min_touchpoints=2,
                        n_init=4, max_iter=50, tol=1e-5, alpha=0.1, noise=0.05, min_share=0.1,
                        split_merge_rounds=0, min_persona_share=0.05, selection_sample=500,
                        fit_sample=800, n_restarts=2, widen=False, n_jobs=1, random_state=7),
    JourneyClusters: dict(n_personas="auto", features=JourneyFeatures(transitions="binary"),
                          method="agglomerative", k_range=[2, 4], criterion="silhouette",
                          min_touchpoints=2, n_init=3, sample_size=100,
                          min_persona_share=0.0, selection_sample=300, widen=False,
                          random_state=4),
    JourneyFeatures: dict(touchpoints=None, transitions="tfidf", channels=True, stages=True,
                          numeric=["length", "wait"], outcome=["buy"], satisfaction=True,
                          weights={"transitions": 0.5}),
}


def small_log(n: int = 24):
    """Two kinds of journeys (web and store), three to five touchpoints each."""
    rows = []
    for c in range(n):
        steps = (["ad", "web", "cart", "buy"] if c % 2 else ["walk_in", "advice", "buy"]) \
            + ["review"] * (c % 3 == 0)
        for i, s in enumerate(steps):
            rows.append((f"c{c:02d}", s, pd.Timestamp("2024-01-01") + pd.Timedelta(hours=i)))
    return jl.read_events(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))


def init_params(cls) -> set[str]:
    return set(inspect.signature(cls.__init__).parameters) - {"self"}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_has_a_constraint(cls):
    assert set(cls._parameter_constraints) == init_params(cls)
    assert set(BAD[cls]) == init_params(cls)  # and a bad value below
    assert set(GOOD[cls]) == init_params(cls)


@pytest.mark.parametrize("cls,param", [(cls, p) for cls in ESTIMATORS for p in sorted(BAD[cls])],
                         ids=lambda v: getattr(v, "__name__", v))
def test_a_bad_parameter_is_refused_by_name_when_fitted(cls, param):
    estimator = cls(**{param: BAD[cls][param]})
    with pytest.raises(jl.InvalidInputError, match=f"The '{param}' parameter of {cls.__name__}"):
        estimator.fit(small_log())
    assert not any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_using_fitted_state_before_fit_raises_not_fitted(cls):
    log = small_log()
    estimator = cls()
    methods = ("transform", "get_feature_names_out") if cls is JourneyFeatures else \
        ("predict",) + (("predict_proba",) if cls is MarkovMixture else ())
    for name in methods:
        args = () if name == "get_feature_names_out" else (log,)
        with pytest.raises(NotFittedError):
            getattr(estimator, name)(*args)
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    params = {} if cls is JourneyFeatures else {"n_personas": 2, "k_range": (2, 3)}
    if cls is MarkovMixture:
        params["n_jobs"] = 1
    fitted = clone(estimator).set_params(**params).fit(log)
    check_is_fitted(fitted)
    for name in methods:
        getattr(fitted, name)(*(() if name == "get_feature_names_out" else (log,)))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_fitted_attributes_end_in_an_underscore(cls):
    log = small_log()
    estimator = {MarkovMixture: lambda: MarkovMixture(2, n_jobs=1),
                 JourneyClusters: lambda: JourneyClusters(2),
                 JourneyFeatures: lambda: JourneyFeatures(transitions="tfidf",
                                                          numeric=("length",))}[cls]()
    before = set(vars(estimator))
    estimator.fit(log)
    added = set(vars(estimator)) - before
    assert added and all(k.endswith("_") for k in added), sorted(added)
    assert before == init_params(cls)  # __init__ stores its parameters and nothing else


def _plain(params: dict) -> dict:
    """Parameters with estimators replaced by their class and parameters, to compare."""
    return {k: (type(v), _plain(v.get_params())) if hasattr(v, "get_params") else v
            for k, v in params.items()}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_clone_round_trips_the_parameters(cls):
    for params in ({}, GOOD[cls]):
        estimator = cls(**params)
        copy = clone(estimator)
        assert copy is not estimator and type(copy) is cls
        assert _plain(copy.get_params(deep=False)) == _plain(estimator.get_params(deep=False))
        assert _plain(copy.get_params()) == _plain(estimator.get_params())
        assert _plain(cls(**copy.get_params(deep=False)).get_params()) == \
            _plain(estimator.get_params())
    nested = clone(JourneyClusters(features=JourneyFeatures(channels=True)))
    assert nested.get_params()["features__channels"] is True
    assert nested.set_params(features__stages=True).features.stages is True


def test_a_clone_of_a_fitted_model_is_unfitted_and_fits_the_same():
    log = small_log()
    for model in (MarkovMixture(2, n_jobs=1, random_state=3), JourneyClusters(2, random_state=3)):
        model.fit(log)
        copy = clone(model)
        with pytest.raises(NotFittedError):
            check_is_fitted(copy)
        np.testing.assert_array_equal(copy.fit(log).labels_, model.labels_)
