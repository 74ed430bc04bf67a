"""Satisfaction drivers: which touchpoints move a journey's score, adjusted for persona.

Each journey with a target score (an NPS answer, say) is one row: the score, the
touchpoints the journey met *before* it (survey events are never causes), and the
journey's persona or segment as a fixed effect. A ridge-regularised linear model gives
each touchpoint's effect in score points; journeys are resampled (Poisson bootstrap) for
confidence intervals. Identical rows are fitted once with their multiplicity as weight, so
the bootstrap costs little even on a million journeys.

What the estimates assume, stated with every result: a touchpoint precedes the score it
is credited with; the effect of meeting a touchpoint is the same for every journey
(additive, within persona); and there is no unmeasured confounder beyond the controls.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
# scikit-learn's own parameter checks: the constraint types live in a private module
from sklearn.utils._param_validation import (Interval, InvalidParameterError, StrOptions,
                                             validate_parameter_constraints)
from sklearn.utils.validation import check_is_fitted

from ..errors import EmptyLogError, InvalidInputError
from ..core.engine import EngineLog
from ..core.log import EventLog
from ..personas import TOO_SHORT
from .design import (control_groups, control_matrix, leave_out_group, mode_by_activity,
                     target_scores, touchpoint_exposure)
from .engine import as_assignment, fit_engine_log, require_memory_fit
from .solve import (effects_table, fit_touchpoints, fitted_attributes, group_effects,
                    irritants_and_delights, shapley_parts, what_if_scores)

__all__ = ["SatisfactionDrivers", "ASSUMPTIONS"]

ASSUMPTIONS = ("Effects are associations adjusted for the controls, read as causes only if: "
               "each touchpoint precedes the score (guaranteed here: only touchpoints before "
               "the answer count); meeting a touchpoint shifts the score by the same points in "
               "every journey of a persona (additive); and nothing that drives both the "
               "touchpoints and the score is left out of the controls.")


class SatisfactionDrivers(BaseEstimator):
    """Each touchpoint's effect on a journey's satisfaction score, with bootstrap intervals.

    A scikit-learn estimator: ``fit(log)`` learns from an :class:`~journeylab.EventLog`;
    :func:`~journeylab.attribute_satisfaction` does the same in one call.

    Parameters
    ----------
    instrument : str, optional
        Target survey activity (default: the one with the widest scale, usually NPS). The
        journey's last answer is the target; only touchpoints before it count.
    controls : None, str, Series, DataFrame or array
        Fixed effects: a journey-level column (``"segment"``), a Series of labels by
        case_id (or a table ``case_id, persona``), or one label per journey (a persona
        model's ``labels_`` fitted on this log; journeys labelled -1, too short to tell
        their persona, are left out, and their number is in ``control_effects_.attrs``).
        A DataFrame by case_id of each persona's probability (a mixture's
        ``predict_proba``) adjusts by the expected persona instead: right for journeys
        too short to tell, whose persona is uncertain. Adjusts the effects for who the
        customers are. On an engine's log: None or an assignment by case_id.
    window : {"journey", "since_previous"}
        Which touchpoints a score is explained by: all before it (a relationship NPS), or
        only those since the journey's previous answer of the same instrument (a CSAT
        that rates the latest contacts).
    ridge : float
        Ridge penalty on touchpoint effects (not on the intercept or the controls), in
        units of journeys: small against thousands of journeys, it steadies rare
        touchpoints.
    n_boot : int
        Bootstrap resamples of journeys (Poisson weights) for the intervals.
    level : float
        Confidence level of the intervals (percentile bootstrap), between 0 and 1.
    max_vif : float
        A touchpoint whose exposure the others (and the controls) almost determine
        (variance inflation factor above this) is marked ``not separable``: the data cannot
        tell its effect from theirs (an order confirmation that always follows a checkout).
    min_effect : float, optional
        Smallest effect, in score points, worth calling an irritant or delight; a smaller
        one whose interval excludes zero is ``negligible`` (on a million journeys a tenth
        of a point is significant but not worth acting on). Default: 1% of the scale's
        range (0.1 on 0-10).
    random_state : int
        Seed of the bootstrap (and of :meth:`effect_by_group`'s).

    Attributes
    ----------
    effects_ : DataFrame
        One row per touchpoint, by effect: ``touchpoint, stage, channel, effect, ci_low,
        ci_high, se, kind, journeys_scored, exposed_scored, customers, points_lost,
        naive_gap, vif``. ``kind``: irritant or delight when the interval excludes zero,
        ``negligible`` when it does but the effect is under ``min_effect_``, ``not
        separable`` when other touchpoints determine its exposure (``vif`` above
        ``max_vif``), else unclear. ``naive_gap``: mean score of exposed minus unexposed
        journeys, unadjusted. ``customers``: journeys that met it at all.
    control_effects_ : DataFrame
        ``level, effect, journeys_scored``: the fixed effect of each control group
        (relative to the first); ``attrs["left_out_too_short"]``: scored journeys left out
        because their persona was too short to tell.
    instrument_ : str
        The target survey (``"satisfaction"`` for a journey-level score).
    scale_ : tuple of float
        Lowest and highest possible score.
    baseline_ : float
        Mean fitted score of the scored journeys.
    min_effect_ : float
        The smallest effect called an irritant or delight (``min_effect`` or its default).
    touchpoints_ : Index
        Every touchpoint of the log but the surveys: the order of ``coef_``,
        ``intervals_``, ``estimable_`` and the columns of ``exposure_``.
    exposure_ : ndarray of bool, shape (n_journeys, n_touchpoints)
        Whether each journey of the log met each touchpoint before its score (within the
        ``window``).
    scores_ : ndarray of shape (n_journeys,)
        Each journey's target score (NaN when it has none).
    scored_ : ndarray of bool, shape (n_journeys,)
        The journeys the model was fitted on: those with a score (and a persona, when the
        controls leave out journeys too short to tell).
    groups_ : list of str
        Names of the control groups (``"(all)"`` without controls); the first is the
        reference.
    group_codes_ : ndarray of int, shape (n_journeys,)
        Each journey's control group (an index into ``groups_``; -1 when left out).
    group_probabilities_ : ndarray of shape (n_journeys, n_groups) or None
        Each journey's probability of each group when the controls are probabilities.
    estimable_ : ndarray of bool, shape (n_touchpoints,)
        Touchpoints whose exposure varies among the scored journeys: those with an effect
        (the columns of the model).
    intercept_ : float
        Fitted score of a journey of the reference group that met no touchpoint.
    coef_ : ndarray of shape (n_touchpoints,)
        Effect of each touchpoint in score points (NaN when not estimable).
    control_coef_ : ndarray
        Fixed effects of the control groups but the first (or of the probability of each
        group but the first).
    engine_ : str
        The engine of the log fitted on (``"memory"`` for an EventLog). On an engine's
        log, ``exposure_``, ``scores_`` and ``group_codes_`` hold the scored journeys
        expanded from the grouped rows (not in the log's order) and ``scored_`` is all
        True.
    intervals_ : ndarray of shape (n_touchpoints, 2)
        Bootstrap interval of each effect, kept within the scale's width (NaN without
        bootstrap resamples).
    effects : DataFrame
        The same table as ``effects_`` (the name reports and notebooks use).
    assumptions : str
        What the estimates assume (the same for every fit).

    See Also
    --------
    journeylab.attribute_satisfaction : Fit in one call.

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(2000, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> drivers = SatisfactionDrivers(controls="segment", n_boot=20).fit(log)
    >>> drivers.instrument_, drivers.groups_
    ('nps_survey', ['new', 'returning'])
    >>> bool(drivers.effects_.set_index("touchpoint").at["hold_queue", "effect"] < 0)
    True
    """

    _parameter_constraints: dict = {
        "instrument": [str, None],
        "controls": "no_validation",  # checked against the log in fit
        "window": [StrOptions({"journey", "since_previous"})],
        "ridge": [Interval(Real, 0, None, closed="left")],
        "n_boot": [Interval(Integral, 0, None, closed="left")],
        "level": [Interval(Real, 0, 1, closed="neither")],
        "max_vif": [Interval(Real, 0, None, closed="both")],
        "min_effect": [Interval(Real, 0, None, closed="left"), None],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    assumptions: str = ASSUMPTIONS

    def __init__(self, *, instrument: str | None = None, controls: Any = None,
                 window: str = "journey", ridge: float = 1.0, n_boot: int = 200,
                 level: float = 0.95, max_vif: float = 10.0, min_effect: float | None = None,
                 random_state: int = 0):
        self.instrument = instrument
        self.controls = controls
        self.window = window
        self.ridge = ridge
        self.n_boot = n_boot
        self.level = level
        self.max_vif = max_vif
        self.min_effect = min_effect
        self.random_state = random_state

    def fit(self, log: EventLog | EngineLog, y: None = None) -> SatisfactionDrivers:
        """Estimate each touchpoint's effect on the journeys' scores in ``log``.

        Parameters
        ----------
        log : EventLog or EngineLog
            The full log, survey events included (they give the scores; they are never
            causes). An engine's log (:mod:`journeylab.drivers.engine`) is fitted from its
            grouped rows to the same effects; its controls are None or an assignment by
            case_id, and ``decompose``, ``what_if`` and ``exposed_journeys`` need an
            EventLog.
        y : None
            Ignored: the scores come from the log.

        Returns
        -------
        SatisfactionDrivers
            This estimator, fitted.
        """
        try:
            validate_parameter_constraints(self._parameter_constraints,
                                           self.get_params(deep=False),
                                           caller_name=type(self).__name__)
        except InvalidParameterError as err:
            raise InvalidInputError(str(err)) from err
        if isinstance(log, EngineLog):
            return fit_engine_log(self, log)
        target = target_scores(log, self.instrument, self.window)
        scores, scale = target.scores, target.scale
        exposure = touchpoint_exposure(log, target)
        acts, exposed = exposure.touchpoints, exposure.in_window
        group, levels, soft = control_groups(log, as_assignment(self.controls))
        scored = np.isfinite(scores)
        untold = 0
        if soft is None:  # persona unknown: no control, left out
            group, levels, scored, untold = leave_out_group(group, levels, scored,
                                                            str(TOO_SHORT))
        if scored.sum() < 10:
            raise EmptyLogError(f"Only {int(scored.sum())} journeys have a "
                                    f"{target.instrument} score; attribution needs more.")
        Xe, ys, gs = exposed[scored].astype(float), scores[scored], group[scored]
        G = len(levels)
        F = control_matrix(gs, G, None if soft is None else soft[scored])
        model = fit_touchpoints(Xe, ys, F, scale, ridge=self.ridge, n_boot=self.n_boot,
                                level=self.level, random_state=self.random_state)
        beta, p_t = model.beta, int(model.varies.sum())
        smallest = 0.01 * (scale[1] - scale[0]) if self.min_effect is None \
            else float(self.min_effect)
        effects = effects_table(model, Xe, ys, acts, mode_by_activity(log, "stage", acts),
                                mode_by_activity(log, "channel", acts),
                                exposure.anywhere.sum(axis=0), smallest=smallest,
                                max_vif=self.max_vif)
        control_effects = pd.DataFrame({"level": levels, "effect": np.r_[0.0, beta[1 + p_t:]],
                                        "journeys_scored": np.bincount(gs, minlength=G)})
        control_effects.attrs["left_out_too_short"] = untold
        self.effects_ = effects.sort_values(["effect", "touchpoint"], kind="stable",
                                            na_position="last").reset_index(drop=True)
        self.control_effects_ = control_effects
        self.instrument_ = target.instrument
        self.scale_ = scale
        self.min_effect_ = smallest
        self.touchpoints_ = acts
        self.exposure_ = exposed
        self.scores_ = scores
        self.scored_ = scored
        self.groups_ = levels
        self.group_codes_ = group
        self.group_probabilities_ = soft
        for name, value in fitted_attributes(model).items():
            setattr(self, name, value)
        self.engine_ = "memory"
        return self

    @property
    def effects(self) -> pd.DataFrame:
        """The effects table: the same as ``effects_``."""
        check_is_fitted(self)
        return self.effects_

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, str]:
        """In a notebook: the effects table once fitted, else scikit-learn's view."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if hasattr(self, "effects_"):
            from ..plot.display import format_table

            bundle["text/html"] = format_table(self.effects_).to_html()
        return bundle

    def _column(self, touchpoint: str) -> int:
        if touchpoint not in self.touchpoints_:
            raise InvalidInputError(f"Unknown touchpoint {touchpoint!r}; the drivers cover "
                                    f"{sorted(map(str, self.touchpoints_))}.")
        return int(self.touchpoints_.get_loc(touchpoint))

    def _control_matrix(self) -> np.ndarray:
        """Fixed-effect columns of the scored journeys."""
        probabilities = self.group_probabilities_
        return control_matrix(self.group_codes_[self.scored_], len(self.groups_),
                              None if probabilities is None else probabilities[self.scored_])

    def exposed_journeys(self, touchpoint: str) -> np.ndarray:
        """Which journeys of the log were scored and met ``touchpoint`` before their score.

        Returns
        -------
        ndarray of bool, shape (n_journeys,)
        """
        check_is_fitted(self)
        require_memory_fit(self, "exposed_journeys")
        return self.scored_ & self.exposure_[:, self._column(touchpoint)]

    def decompose(self, log: EventLog) -> pd.DataFrame:
        """Per scored journey, its fitted score's gap to the average journey, split into
        touchpoints and persona.

        The parts are the Shapley values of the additive model, which sum exactly to the
        gap.

        Parameters
        ----------
        log : EventLog
            The log the drivers were fitted on.

        Returns
        -------
        DataFrame
            Long format ``case_id, factor, contribution`` (zero contributions left out);
            ``attrs['gap']`` holds each journey's gap, by case_id.

        Examples
        --------
        >>> import journeylab as jl
        >>> t = jl.generate_journeys(1000, random_state=1)
        >>> log = jl.read_events(t.events, **t.read_kwargs())
        >>> parts = SatisfactionDrivers(n_boot=0).fit(log).decompose(log)
        >>> gaps = parts.groupby("case_id")["contribution"].sum()
        >>> bool(abs(gaps - parts.attrs["gap"].reindex(gaps.index)).max() < 1e-9)
        True
        """
        check_is_fitted(self)
        require_memory_fit(self, "decompose")
        if log.n_cases != len(self.scores_):
            raise InvalidInputError(f"decompose needs the log the drivers were fitted on "
                                    f"({len(self.scores_):,} journeys; this one has "
                                    f"{log.n_cases:,}).")
        scored, columns = self.scored_, self.estimable_
        coef = self.coef_[columns]
        x = self.exposure_[scored][:, columns].astype(float)
        control_part = self._control_matrix() @ self.control_coef_
        names = list(np.asarray(self.touchpoints_, dtype=object)[columns]) + ["(persona)"]
        cases = np.asarray(log.cases, dtype=object)[scored]
        return shapley_parts(x, coef, control_part, names, cases, intercept=self.intercept_,
                             baseline=self.baseline_)

    def rank_irritants(self, *, detractor_max: float | None = None) -> pd.DataFrame:
        """The irritants and delights table.

        Irritants (interval below zero) first, by points lost; then delights (interval
        above zero) by points gained.

        Parameters
        ----------
        detractor_max : float, optional
            Highest score of a detractor: 6 on a 0-10 scale, the scale's midpoint
            otherwise.

        Returns
        -------
        DataFrame
            ``stage, touchpoint, kind, effect, ci_low, ci_high, customers, points_lost,
            share_of_detractors_explained, action``. ``share_of_detractors_explained``: of
            all scored detractors, the share who met the irritant and would not be
            detractors without its effect.

        Examples
        --------
        >>> import journeylab as jl
        >>> t = jl.generate_journeys(3000, random_state=1)
        >>> log = jl.read_events(t.events, **t.read_kwargs())
        >>> table = SatisfactionDrivers(n_boot=50).fit(log).rank_irritants()
        >>> "hold_queue" in set(table.loc[table["kind"] == "irritant", "touchpoint"])
        True
        """
        check_is_fitted(self)
        return irritants_and_delights(self.effects_, np.asarray(self.touchpoints_, dtype=object),
                                      self.coef_, self.scores_[self.scored_],
                                      self.exposure_[self.scored_], self.scale_, detractor_max)

    def effect_by_group(self, touchpoint: str, *, n_boot: int | None = None) -> pd.DataFrame:
        """A touchpoint's effect within each control group (persona or segment): the same
        model with that touchpoint's exposure interacted with the groups.

        Parameters
        ----------
        touchpoint : str
            One of ``touchpoints_``.
        n_boot : int, optional
            Bootstrap resamples for the intervals (default: the estimator's ``n_boot``).

        Returns
        -------
        DataFrame
            ``group, effect, ci_low, ci_high, exposed_scored``; groups where every or no
            scored journey met the touchpoint have no effect (NaN).

        Examples
        --------
        >>> import journeylab as jl
        >>> t = jl.generate_journeys(3000, random_state=1)
        >>> log = jl.read_events(t.events, **t.read_kwargs())
        >>> drivers = SatisfactionDrivers(controls="segment", n_boot=0).fit(log)
        >>> list(drivers.effect_by_group("hold_queue", n_boot=20)["group"])
        ['new', 'returning']
        """
        check_is_fitted(self)
        j = self._column(touchpoint)
        return group_effects(self.exposure_[self.scored_].astype(float),
                             self.scores_[self.scored_], self.group_codes_[self.scored_], j,
                             self.estimable_, self._control_matrix(), self.groups_, self.scale_,
                             ridge=self.ridge, n_boot=self.n_boot if n_boot is None else n_boot,
                             level=self.level, random_state=self.random_state)

    def what_if(self, touchpoint: str, *, fixed_share: float = 1.0,
                random_state: int = 0) -> pd.DataFrame:
        """Expected satisfaction if a touchpoint's effect were removed for a share of the
        journeys that meet it (fixing an irritant, or losing a delight).

        Each scored journey that met the touchpoint, drawn with probability
        ``fixed_share`` (seeded), has its score moved by minus the touchpoint's effect
        (kept on the scale).

        Parameters
        ----------
        touchpoint : str
            One of ``touchpoints_`` with an effect.
        fixed_share : float
            Share of the journeys that met it whose score moves, between 0 and 1.
        random_state : int
            Seed of the draw of those journeys.

        Returns
        -------
        DataFrame
            ``measure, now, what_if, change`` for the mean score and, on 0-10 scales, NPS
            (a moved score counts as a promoter from 8.5, a detractor below 6.5);
            ``attrs['journeys_changed']``: how many journeys moved.

        Examples
        --------
        >>> import journeylab as jl
        >>> t = jl.generate_journeys(3000, random_state=1)
        >>> log = jl.read_events(t.events, **t.read_kwargs())
        >>> drivers = SatisfactionDrivers(n_boot=0).fit(log)
        >>> table = drivers.what_if("hold_queue").set_index("measure")
        >>> bool(table.at["mean score", "change"] > 0)
        True
        """
        check_is_fitted(self)
        require_memory_fit(self, "what_if")
        if not 0 <= fixed_share <= 1:
            raise InvalidInputError(f"fixed_share must be between 0 and 1, got {fixed_share}.")
        j = self._column(touchpoint)
        effect = self.coef_[j]
        if not np.isfinite(effect):
            raise InvalidInputError(f"{touchpoint!r} has no estimated effect (no scored "
                                    "journey met it before answering, or all did).")
        return what_if_scores(self.scores_[self.scored_], self.exposure_[self.scored_][:, j],
                              effect, self.scale_, fixed_share=fixed_share,
                              random_state=random_state)
