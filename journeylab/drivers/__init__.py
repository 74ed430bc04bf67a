"""Satisfaction drivers: which touchpoints move a journey's score, adjusted for persona.

:class:`SatisfactionDrivers` is the estimator (:mod:`.estimator`); :func:`attribute_satisfaction`
fits it in one call, and the other functions read a fitted one (:mod:`.functions`).
:mod:`.design` builds what the fit is made of: each journey's score, the touchpoints it met
before it, its control group.
"""
from __future__ import annotations

from .estimator import ASSUMPTIONS, SatisfactionDrivers
from .functions import (attribute_satisfaction, decompose_satisfaction, effect_by_group,
                        rank_irritants, what_if)

__all__ = ["SatisfactionDrivers", "attribute_satisfaction", "decompose_satisfaction",
           "rank_irritants", "effect_by_group", "what_if", "ASSUMPTIONS"]
