"""Satisfaction drivers: which touchpoints move a journey's score, adjusted for persona.

:class:`SatisfactionDrivers` is the estimator (:mod:`.estimator`), its numbers pure functions
of arrays (:mod:`.solve`: the ridge solve, the bootstrap, the effects table);
:func:`attribute_satisfaction` fits it in one call, and the other functions read a fitted
one (:mod:`.functions`). :mod:`.design` builds what the fit is made of: each journey's
score, the touchpoints it met before it, its control group. The satisfaction tables the
drivers start from (score by group, drops between answers, score trajectories, survey
answers) are in :mod:`.satisfaction`; removal effects and moments of truth (what a
touchpoint's absence would change in the outcome) are in :mod:`.attribution`.
"""
from __future__ import annotations

from .attribution import moments_of_truth, paths_from_log, removal_effects
from .estimator import ASSUMPTIONS, SatisfactionDrivers
from .functions import (attribute_satisfaction, decompose_satisfaction, effect_by_group,
                        explain_gap, rank_irritants, what_if)
from .satisfaction import satisfaction_by, satisfaction_drops, score_trajectory, survey_answers

__all__ = ["SatisfactionDrivers", "attribute_satisfaction", "decompose_satisfaction",
           "explain_gap", "rank_irritants", "effect_by_group", "what_if", "ASSUMPTIONS",
           "satisfaction_by", "satisfaction_drops", "score_trajectory", "survey_answers",
           "removal_effects", "paths_from_log", "moments_of_truth"]
