"""The paths customers actually take: directly-follows graphs, variants, the journey
matrix, funnels and the step matrix, loops, drop-offs, dead points and comparisons of two
logs (:mod:`.discovery`), and process models through pm4py: discovered or designed
journeys and the conformance of each journey to them (:mod:`.models`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "discovery": ("discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "get_variants",
                  "cover_variants", "journey_matrix", "compute_funnel", "step_matrix",
                  "find_loops", "find_dropoffs", "find_dead_points", "compare_logs",
                  "journey_rework", "stage_order", "STAGE_ORDER", "default_funnel_steps"),
    "models": ("ProcessModel", "discover_process_model", "designed_journey", "check_conformance",
               "ConformanceResult"),
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
