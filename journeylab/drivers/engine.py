"""Satisfaction drivers of a log held by an engine (DuckDB, Spark): the fit made from the
engine's grouped design rows instead of per-journey arrays.

The engine computes each scored journey's score, the touchpoints it met in its window and
its control group, and hands back only the distinct (touchpoints met, group, score) rows
with how many journeys have each (:meth:`~journeylab.core.engine.EngineLog.design_rows`):
the sufficient statistics of the ridge model and of its Poisson bootstrap, which resamples
those counts. Fitted from them, the effects, intervals (same ``random_state``), control
effects and baseline are those of the in-memory fit.

The scored journeys are kept expanded from the distinct rows (one row per scored journey,
in the order of the distinct rows, not of the log): enough for
:meth:`~journeylab.drivers.SatisfactionDrivers.rank_irritants` and
:meth:`~journeylab.drivers.SatisfactionDrivers.effect_by_group`; what needs each journey
of the log by name (``decompose``, ``what_if``, ``exposed_journeys``) asks for an
:class:`~journeylab.EventLog` (``log.sample()``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.engine import EngineLog
from ..errors import EmptyLogError, InvalidInputError
from ..personas import TOO_SHORT
from .design import control_matrix
from .solve import effects_table, fit_touchpoints, fitted_attributes

__all__ = ["as_assignment", "engine_controls", "patterns_matrix", "fit_engine_log",
           "require_memory_fit"]


def as_assignment(controls: Any) -> Any:
    """A persona assignment given as a table ``case_id, <label>`` (what an engine persona
    model's ``label_journeys`` gives) as a Series of labels by case_id; any other
    ``controls`` unchanged.

    Examples
    --------
    >>> table = pd.DataFrame({"case_id": ["a", "b"], "persona": [0, 1]})
    >>> as_assignment(table).to_dict()
    {'a': 0, 'b': 1}
    """
    if isinstance(controls, pd.DataFrame) and "case_id" in controls.columns \
            and controls.shape[1] == 2:
        label = [c for c in controls.columns if c != "case_id"][0]
        return pd.Series(controls[label].to_numpy(), index=controls["case_id"].astype(str),
                         name=label)
    return controls


def engine_controls(controls: Any) -> pd.Series | None:
    """The control labels of an engine log's journeys by case_id (None: one group), or a
    clear error for the forms only an in-memory log takes.

    Examples
    --------
    >>> engine_controls(pd.DataFrame({"case_id": ["a"], "persona": [2]})).to_dict()
    {'a': 2}
    """
    controls = as_assignment(controls)
    if controls is None:
        return None
    if isinstance(controls, str):
        raise InvalidInputError(f"controls={controls!r}: a journey-level column is not "
                                "available on an engine's log; give a persona assignment "
                                "(a table case_id, persona, or a Series by case_id), or fit on "
                                "an EventLog (log.sample()).")
    if isinstance(controls, pd.DataFrame):
        raise InvalidInputError("Persona probabilities as controls need an EventLog; on an "
                                "engine's log give an assignment (a table case_id, persona).")
    if not isinstance(controls, pd.Series):
        raise InvalidInputError("On an engine's log, controls must be keyed by case_id (a "
                                "table case_id, persona, or a Series by case_id): the "
                                "engine's journeys have no fixed order.")
    labels = pd.Series(controls.to_numpy(dtype=object), index=controls.index.astype(str))
    if labels.index.duplicated().any():
        raise InvalidInputError("controls gives some case_id more than one value.")
    if labels.isna().any():
        raise InvalidInputError(f"controls lacks {int(labels.isna().sum())} values; give "
                                "one value per case_id.")
    return labels


def patterns_matrix(patterns: pd.Series, n_touchpoints: int) -> np.ndarray:
    """Rows x touchpoints, True where a row's pattern (touchpoint indexes joined by commas,
    ``''`` for none) holds the touchpoint.

    Examples
    --------
    >>> patterns_matrix(pd.Series(["0,2", ""]), 3).astype(int).tolist()
    [[1, 0, 1], [0, 0, 0]]
    """
    out = np.zeros((len(patterns), n_touchpoints), dtype=bool)
    for i, key in enumerate(patterns.astype(str)):
        if key:
            out[i, [int(j) for j in key.split(",")]] = True
    return out


def fit_engine_log(drivers: Any, log: EngineLog) -> Any:
    """Fit ``drivers`` (a :class:`~journeylab.drivers.SatisfactionDrivers` with checked
    parameters) on an engine's ``log`` from its grouped design rows; returns it fitted.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(300, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs(), engine="duckdb")
    >>> d = fit_engine_log(jl.SatisfactionDrivers(n_boot=10), log)
    >>> d.instrument_, d.groups_
    ('nps_survey', ['(all)'])
    """
    labels = engine_controls(drivers.controls)
    design = log.design_rows(drivers.instrument, drivers.window, groups=labels)
    rows, table = design["rows"], design["touchpoints"]
    instrument, scale = rows.attrs["instrument"], rows.attrs["scale"]
    acts = pd.Index(table["touchpoint"].to_numpy(dtype=object))
    if labels is None:
        levels, code = ["(all)"], np.zeros(len(rows), dtype=np.int64)
    else:
        counts = design["groups"]
        missing = int(counts.loc[counts["group"].isna(), "journeys"].sum())
        if missing:
            raise InvalidInputError(f"controls lacks {missing} of the log's journeys; give "
                                    "one value per case_id.")
        levels = sorted(str(g) for g in counts["group"])
        code = pd.Index(levels).get_indexer(rows["group"].astype(str)).astype(np.int64)
    weight = rows["journeys"].to_numpy(dtype=np.int64)
    untold, keep = 0, np.ones(len(rows), dtype=bool)
    if str(TOO_SHORT) in levels:  # persona unknown: no control, left out
        drop = levels.index(str(TOO_SHORT))
        keep = code != drop
        untold = int(weight[~keep].sum())
        code = np.where(code > drop, code - 1, code)
        levels = [lv for lv in levels if lv != str(TOO_SHORT)]
    code, weight = code[keep], weight[keep]
    ys = rows["score"].to_numpy(dtype=float)[keep]
    exposed = patterns_matrix(rows["pattern"][keep], len(acts))
    if weight.sum() < 10:
        raise EmptyLogError(f"Only {int(weight.sum())} journeys have a {instrument} "
                                "score; attribution needs more.")
    G = len(levels)
    Xe, F = exposed.astype(float), control_matrix(code, G)
    model = fit_touchpoints(Xe, ys, F, scale, ridge=drivers.ridge, n_boot=drivers.n_boot,
                            level=drivers.level, random_state=drivers.random_state,
                            weights=weight)
    beta, p_t = model.beta, int(model.varies.sum())
    smallest = 0.01 * (scale[1] - scale[0]) if drivers.min_effect is None \
        else float(drivers.min_effect)
    effects = effects_table(model, Xe, ys, acts, table["stage"].to_numpy(dtype=object),
                            table["channel"].to_numpy(dtype=object),
                            table["customers"].to_numpy(dtype=np.int64), smallest=smallest,
                            max_vif=drivers.max_vif, weights=weight)
    control_effects = pd.DataFrame({
        "level": levels, "effect": np.r_[0.0, beta[1 + p_t:]],
        "journeys_scored": np.bincount(code, weights=weight, minlength=G).astype(np.int64)})
    control_effects.attrs["left_out_too_short"] = untold
    drivers.effects_ = effects.sort_values(["effect", "touchpoint"], kind="stable",
                                           na_position="last").reset_index(drop=True)
    drivers.control_effects_ = control_effects
    drivers.instrument_ = instrument
    drivers.scale_ = scale
    drivers.min_effect_ = smallest
    drivers.touchpoints_ = acts
    drivers.exposure_ = np.repeat(exposed, weight, axis=0)  # the scored journeys, expanded
    drivers.scores_ = np.repeat(ys, weight)
    drivers.scored_ = np.ones(len(drivers.scores_), dtype=bool)
    drivers.groups_ = levels
    drivers.group_codes_ = np.repeat(code, weight)
    drivers.group_probabilities_ = None
    for name, value in fitted_attributes(model).items():
        setattr(drivers, name, value)
    drivers.engine_ = log.engine
    return drivers


def require_memory_fit(drivers: Any, method: str) -> None:
    """Raise a clear error when ``method`` needs each journey of the log by name and
    ``drivers`` was fitted on an engine's log (whose scored journeys it holds grouped).

    Examples
    --------
    >>> class Fitted:
    ...     engine_ = "duckdb"
    >>> try:
    ...     require_memory_fit(Fitted(), "decompose")
    ... except InvalidInputError as err:
    ...     print(str(err).split(";")[0])
    decompose needs drivers fitted on an EventLog
    """
    engine = getattr(drivers, "engine_", "memory")
    if engine != "memory":
        raise InvalidInputError(f"{method} needs drivers fitted on an EventLog; these were "
                                f"fitted on a {engine} log, which keeps its scored journeys "
                                "grouped. Fit on log.sample() for per-journey results.")
