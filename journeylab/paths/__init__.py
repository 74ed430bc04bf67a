"""The paths customers actually take: directly-follows graphs, variants and comparisons of
two logs (:mod:`.maps`), the journey matrix, funnels and the step matrix (:mod:`.funnels`),
loops, drop-offs and dead points (:mod:`.frictions`), and process models through pm4py:
discovered or designed journeys and the conformance of each journey to them (:mod:`.models`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "maps": ("discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "covered_activities",
             "simplify_dfg", "get_variants",
             "cover_variants", "compare_logs"),
    "funnels": ("journey_matrix", "compute_funnel", "compute_funnels", "step_matrix",
                "stage_order", "STAGE_ORDER", "default_funnel_steps"),
    "flows": ("compute_step_flows",),
    "frictions": ("find_loops", "find_dropoffs", "find_dead_points", "journey_rework",
                  "ending_columns", "ending_attrs"),
    "models": ("ProcessModel", "discover_process_model", "designed_journey", "check_conformance",
               "ConformanceResult"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
