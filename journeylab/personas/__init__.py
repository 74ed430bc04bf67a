"""Behavioural personas: each journey as a row of features (:mod:`.features`), the
persona models (a Markov mixture over paths and clusters over feature vectors), the choice of
how many personas and how stable they are (:mod:`.clustering`), and what describes each
persona once found: profiles, comparisons, example journeys, reach and a 2-D map
(:mod:`.profiles`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "features": ("JourneyFeatures",),
    "clustering": ("MarkovMixture", "JourneyClusters", "transition_counts", "find_personas",
                   "persona_stability", "describe_stability", "path_memory", "TOO_SHORT",
                   "PersonaWarning", "PERSONA_DEFAULTS", "LOW_STABILITY"),
    "profiles": ("profile_personas", "compare_personas", "select_persona", "label_journeys",
                 "embed_journeys", "persona_reach", "example_journeys"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
