"""Synthetic omnichannel-retail journeys with planted ground truth, for checking every
analysis against a known answer: the retailer's world (:mod:`.world`: touchpoints,
personas and their processes, planted effects) and the vectorised generator that
simulates customers in it (:mod:`.generate`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "generate": ("generate_journeys", "SyntheticJourneys"),
    "world": ("STAGES", "CHANNELS", "TOUCHPOINTS", "SURVEYS", "INSTRUMENTS", "DESIGNED_JOURNEY",
              "EFFECTS_NPS", "PROCESSES", "PURCHASES", "SURVEYED", "MAX_STEPS",
              "synthetic_parameters"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
