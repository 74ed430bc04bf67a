"""journeylab: customer-journey analytics for notebooks.

Load once (:func:`read_events`), then discover paths, personas and satisfaction drivers.
"""
from __future__ import annotations

import os as _os
import sys as _sys

# pm4py prints an AGPL banner on import and progress bars while it works; neither belongs in
# notebook outputs (journeylab names the licence in its docs). A user's own setting wins.
_sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]
_os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
if "pm4py.util.constants" in _sys.modules:  # pm4py was imported first
    _sys.modules["pm4py.util.constants"].SHOW_PROGRESS_BAR = \
        _os.environ["PM4PY_SHOW_PROGRESS_BAR"].lower() == "true"

from .errors import (EmptyLogError, InvalidInputError, JourneylabError, MissingColumnError,
                     StudyError, UnreadableFileError, UnsafeInputError, ValidationError)
from .exports import lazy_exports

__version__ = "0.1.0"

# Each public name is imported from its subpackage when first used (see journeylab.exports):
# ``import journeylab`` costs next to nothing, and reading a log does not wait for
# scikit-learn, SciPy's statistics or the widgets.
_EXPORTS = {
    "core": ("EventLog", "read_events", "describe_log", "Schema", "case_outcome",
             "case_satisfaction", "select_journeys", "transition_counts", "activity_counts"),
    "io": ("validate_events", "ValidationReport", "Finding", "read_table", "scan_events",
           "read_catalogue", "write_table", "neutralise_formulas"),
    "synth": ("generate_journeys", "SyntheticJourneys"),
    # paths and process models
    "paths": ("discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "covered_activities",
              "simplify_dfg", "get_variants", "cover_variants", "journey_matrix",
              "compute_funnel", "compute_funnels", "step_matrix", "find_loops",
              "journey_rework", "compute_step_flows", "find_dropoffs", "find_dead_points",
              "compare_logs", "stage_order", "default_funnel_steps", "discover_process_model",
              "ProcessModel", "designed_journey", "check_conformance", "ConformanceResult"),
    # figures, and the one formatting layer of displayed tables
    "plot": ("plot_sankey", "plot_process_model", "plot_journey_lengths", "plot_process_map",
             "plot_journey_matrix", "plot_step_matrix", "plot_funnel", "plot_variants",
             "format_duration", "save_figure", "plot_persona_selection",
             "plot_persona_embedding", "plot_persona_reach", "plot_drivers",
             "plot_score_trajectory", "format_table", "format_value", "enable_report_display",
             "style_table"),
    "personas": ("find_personas", "MarkovMixture", "JourneyClusters", "JourneyFeatures",
                 "TOO_SHORT", "persona_stability", "describe_stability", "path_memory",
                 "PersonaWarning", "PERSONA_DEFAULTS", "LOW_STABILITY", "profile_personas",
                 "compare_personas", "select_persona", "label_journeys", "embed_journeys",
                 "persona_reach", "example_journeys"),
    # satisfaction drivers and attribution
    "drivers": ("satisfaction_by", "satisfaction_drops", "score_trajectory", "survey_answers",
                "attribute_satisfaction", "SatisfactionDrivers", "decompose_satisfaction",
                "explain_gap", "rank_irritants", "effect_by_group", "what_if",
                "removal_effects", "paths_from_log", "moments_of_truth"),
    # widgets
    "explore": ("ProcessMapExplorer", "VariantExplorer", "FunnelBuilder", "PersonaExplorer",
                "DriverExplorer"),
    # shared reports: pseudonyms and k-anonymity
    "privacy": ("pseudonymise", "pseudonymise_log", "protect"),
    # studies: run, check, record, and the steps the notebooks and the command line share
    "studies": ("run_notebook", "run_demo", "render_html", "check_parameters",
                "record_provenance", "file_sha256", "open_study", "Study", "STUDY_PARAMETERS",
                "study_parameters", "tabulate_paths", "choose_funnel_steps", "compare_groups",
                "tabulate_personas", "study_controls", "tabulate_drivers", "write_tables"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ += ["JourneylabError", "InvalidInputError", "MissingColumnError", "EmptyLogError",
            "UnreadableFileError", "UnsafeInputError", "ValidationError", "StudyError"]
