"""What a reader sees: figures drawn from the tidy tables the analyses return (data
first, options by keyword, ``ax=None``, the Axes or graph returned: :mod:`.figures`) and the
one formatting layer every displayed table goes through, durations, counts, shares and
timestamps, plus the report display a notebook switches on (:mod:`.display`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "figures": ("dot_label", "plot_journey_lengths", "save_figure", "plot_process_map",
                "plot_process_model", "plot_journey_matrix", "plot_step_matrix", "plot_funnel",
                "plot_variants", "format_duration", "plot_persona_selection",
                "plot_persona_embedding", "plot_persona_reach", "plot_drivers",
                "plot_score_trajectory", "style_table"),
    "display": ("format_table", "format_value", "column_kind", "is_share_name",
                "enable_report_display", "MISSING"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
