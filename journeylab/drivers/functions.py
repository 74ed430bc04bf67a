"""The one-call function that fits :class:`SatisfactionDrivers`, and the plain-function
forms of its methods (``rank_irritants(drivers)`` is ``drivers.rank_irritants()``)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..core.log import EventLog
from ..errors import InvalidInputError
from .estimator import SatisfactionDrivers

__all__ = ["attribute_satisfaction", "decompose_satisfaction", "explain_gap",
           "rank_irritants", "effect_by_group", "what_if"]


def attribute_satisfaction(log: EventLog, *, instrument: str | None = None, controls: Any = None,
                           window: str = "journey", ridge: float = 1.0, n_boot: int = 200,
                           level: float = 0.95, max_vif: float = 10.0,
                           min_effect: float | None = None,
                           random_state: int = 0) -> SatisfactionDrivers:
    """Each touchpoint's effect on a journey's satisfaction score, with bootstrap intervals.

    The same as ``SatisfactionDrivers(...).fit(log)``.

    Parameters
    ----------
    log : EventLog
        The full log, survey events included (they give the scores; they are never causes).
    instrument, controls, window, ridge, n_boot, level, max_vif, min_effect, random_state
        As in :class:`SatisfactionDrivers`.

    Returns
    -------
    SatisfactionDrivers
        Fitted: ``effects_`` holds the table, ``assumptions`` what it assumes.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(2000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = attribute_satisfaction(log, n_boot=20)
    >>> bool(d.effects_.set_index("touchpoint").loc["hold_queue", "effect"] < 0)
    True
    """
    return SatisfactionDrivers(instrument=instrument, controls=controls, window=window,
                               ridge=ridge, n_boot=n_boot, level=level, max_vif=max_vif,
                               min_effect=min_effect, random_state=random_state).fit(log)


def decompose_satisfaction(drivers: SatisfactionDrivers, log: EventLog) -> pd.DataFrame:
    """Per scored journey, its gap to the average journey, split into touchpoints and
    persona: ``drivers.decompose(log)`` (see :meth:`SatisfactionDrivers.decompose`).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> parts = decompose_satisfaction(attribute_satisfaction(log, n_boot=0), log)
    >>> list(parts.columns)
    ['case_id', 'factor', 'contribution']
    """
    return _fitted(drivers).decompose(log)


def explain_gap(drivers: SatisfactionDrivers, log: EventLog, *, examples: int = 3,
                min_customers: int = 5) -> pd.DataFrame:
    """What the unhappiest journeys' gap to the average journey is made of.

    With ``min_customers`` 1 (a report for those allowed to see single journeys): the
    ``examples`` journeys furthest below the average, one row per part (``case_id,
    factor, contribution``). Otherwise the journeys furthest below the average together,
    never fewer than ``min_customers`` and at least a tenth of the scored journeys: the
    mean contribution of each factor (``factor, mean_contribution``, most negative first).
    ``attrs['journeys']`` and ``attrs['mean_gap']`` say which journeys and how far below.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> parts = explain_gap(attribute_satisfaction(log, n_boot=0), log)
    >>> list(parts.columns), parts.attrs["journeys"] >= 5
    (['factor', 'mean_contribution'], True)
    """
    parts = _fitted(drivers).decompose(log)
    gap = parts.attrs["gap"]
    if min_customers <= 1:  # single journeys
        worst = gap.nsmallest(examples).index
        out = parts[parts["case_id"].isin(worst)].sort_values(["case_id", "contribution"],
                                                             kind="stable")
        out = out.reset_index(drop=True)
    else:  # together, never fewer than min_customers journeys
        worst = gap.nsmallest(max(examples, min_customers, len(gap) // 10)).index
        means = (parts[parts["case_id"].isin(worst)].groupby("factor")["contribution"].sum()
                 / len(worst)).sort_values(kind="stable")
        out = means.rename("mean_contribution").reset_index()
    out.attrs = {"journeys": len(worst), "mean_gap": float(gap[worst].mean())}
    return out


def rank_irritants(drivers: SatisfactionDrivers, *, detractor_max: float | None = None
                   ) -> pd.DataFrame:
    """The irritants and delights table: ``drivers.rank_irritants(...)`` (see
    :meth:`SatisfactionDrivers.rank_irritants`).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> list(rank_irritants(attribute_satisfaction(log, n_boot=20)).columns[:3])
    ['stage', 'touchpoint', 'kind']
    """
    return _fitted(drivers).rank_irritants(detractor_max=detractor_max)


def effect_by_group(drivers: SatisfactionDrivers, touchpoint: str, *,
                    n_boot: int | None = None) -> pd.DataFrame:
    """A touchpoint's effect within each control group: ``drivers.effect_by_group(...)``
    (see :meth:`SatisfactionDrivers.effect_by_group`).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = attribute_satisfaction(log, controls="segment", n_boot=0)
    >>> list(effect_by_group(d, "hold_queue")["group"])
    ['new', 'returning']
    """
    return _fitted(drivers).effect_by_group(touchpoint, n_boot=n_boot)


def what_if(drivers: SatisfactionDrivers, touchpoint: str, *, fixed_share: float = 1.0,
            random_state: int = 0) -> pd.DataFrame:
    """Expected satisfaction if a touchpoint's effect were removed for a share of its
    journeys: ``drivers.what_if(...)`` (see :meth:`SatisfactionDrivers.what_if`).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(1000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> d = attribute_satisfaction(log, n_boot=0)
    >>> list(what_if(d, "hold_queue", fixed_share=0.5)["measure"])
    ['mean score', 'NPS']
    """
    return _fitted(drivers).what_if(touchpoint, fixed_share=fixed_share, random_state=random_state)


def _fitted(drivers: Any) -> SatisfactionDrivers:
    """``drivers`` when it is fitted drivers; else what to pass instead."""
    if not isinstance(drivers, SatisfactionDrivers):
        raise InvalidInputError(f"This takes fitted drivers (drivers = attribute_satisfaction"
                                f"(log)), not a {type(drivers).__name__}.")
    return drivers
