"""The paths customers actually take: directly-follows graphs, variants, the journey
matrix, funnels and the step matrix, loops, drop-offs, dead points and comparisons of two
logs (:mod:`.discovery`), and process models through pm4py: discovered or designed
journeys and the conformance of each journey to them (:mod:`.models`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "discovery": ("discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "get_variants",
                  "cover_variants", "journey_matrix", "compute_funnel", "step_matrix",
                  "find_loops", "find_dropoffs", "find_dead_points", "compare_logs",
                  "journey_rework", "stage_order", "STAGE_ORDER", "default_funnel_steps"),
    "models": ("ProcessModel", "discover_process_model", "designed_journey", "check_conformance",
               "ConformanceResult"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
