"""Behavioural personas: each journey as a row of features (:mod:`.features`), the
persona models (a Markov mixture over paths, :mod:`.markov`, and clusters over feature
vectors, :mod:`.kmeans`), how they choose the number of personas (:mod:`.selection`), finding
them in one call (:mod:`.clustering`) and how stable they are (:mod:`.stability`), and what
describes each persona once found: profiles, comparisons, example journeys, reach and a 2-D
map (:mod:`.profiles`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "features": ("JourneyFeatures",),
    "markov": ("MarkovMixture", "transition_counts"),
    "kmeans": ("JourneyClusters", "PERSONA_KEPT"),
    "selection": ("TOO_SHORT", "PersonaWarning"),
    "clustering": ("find_personas", "find_engine_personas", "path_memory", "PERSONA_DEFAULTS",
                   "SAMPLE_JOURNEYS"),
    "stability": ("persona_stability", "describe_stability", "LOW_STABILITY"),
    "profiles": ("profile_personas", "compare_personas", "select_persona", "label_journeys",
                 "embed_journeys", "persona_reach", "example_journeys"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
