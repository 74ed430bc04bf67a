"""Behavioural personas: each journey as a row of features (:mod:`.features`), the
persona models (a Markov mixture over paths and clusters over feature vectors), the choice of
how many personas and how stable they are (:mod:`.clustering`), and what describes each
persona once found: profiles, comparisons, example journeys, reach and a 2-D map
(:mod:`.profiles`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "features": ("JourneyFeatures",),
    "clustering": ("MarkovMixture", "JourneyClusters", "transition_counts", "find_personas",
                   "persona_stability", "describe_stability", "path_memory", "TOO_SHORT",
                   "PersonaWarning", "PERSONA_DEFAULTS", "LOW_STABILITY"),
    "profiles": ("profile_personas", "compare_personas", "select_persona", "label_journeys",
                 "embed_journeys", "persona_reach", "example_journeys"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [name for names in _EXPORTS.values() for name in names]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
