"""What a reader sees: figures drawn from the tidy tables the analyses return (data
first, options by keyword, ``ax=None``, the Axes or graph returned: :mod:`.figures`) and the
one formatting layer every displayed table goes through, durations, counts, shares and
timestamps, plus the report display a notebook switches on (:mod:`.display`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "figures": ("dot_label", "plot_journey_lengths", "save_figure", "plot_process_map",
                "plot_process_model", "plot_journey_matrix", "plot_step_matrix", "plot_funnel",
                "plot_variants", "format_duration", "plot_persona_selection",
                "plot_persona_embedding", "plot_persona_reach", "plot_drivers",
                "plot_score_trajectory", "style_table"),
    "display": ("format_table", "format_value", "column_kind", "is_share_name",
                "enable_report_display", "MISSING"),
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
