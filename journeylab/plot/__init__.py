"""What a reader sees: figures drawn from the tidy tables the analyses return, under one
contract (data first, options by keyword, ``ax=None``, the Axes or graph returned:
:mod:`.contract`, which also saves figures), the paths' figures (:mod:`.paths`), the
personas' (:mod:`.personas`), the satisfaction drivers' (:mod:`.drivers`) and the maps
Graphviz draws (:mod:`.graphs`); and the one formatting layer every displayed table goes
through, durations, counts, shares and timestamps, plus the report display a notebook
switches on (:mod:`.display`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "contract": ("save_figure", "literal_text", "figure_axes", "with_returns", "cell_labels"),
    "graphs": ("dot_label", "plot_process_map", "plot_process_model", "render_svgs"),
    "paths": ("plot_journey_lengths", "plot_journey_matrix", "plot_step_matrix", "plot_funnel",
              "plot_variants"),
    "personas": ("plot_persona_selection", "plot_persona_embedding", "plot_persona_reach"),
    "drivers": ("plot_drivers", "plot_score_trajectory"),
    "sankey": ("plot_sankey", "figure_html", "PLOTLY_ASSET"),
    "display": ("format_table", "format_value", "column_kind", "is_share_name",
                "enable_report_display", "MISSING", "format_duration", "style_table",
                "script_json"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
