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

from .drivers import (SatisfactionDrivers, attribute_satisfaction, decompose_satisfaction,
                      effect_by_group, explain_gap, moments_of_truth, paths_from_log,
                      rank_irritants, removal_effects, satisfaction_by, satisfaction_drops,
                      score_trajectory, survey_answers, what_if)
from .errors import (EmptyLogError, InvalidInputError, JourneylabError, MissingColumnError,
                     StudyError,
                     UnreadableFileError, UnsafeInputError, ValidationError)
from .io import (Finding, ValidationReport, neutralise_formulas, read_catalogue, read_table,
                 scan_events, validate_events, write_table)
from .core import (EventLog, Schema, activity_counts, case_outcome, case_satisfaction,
                   describe_log, read_events, select_journeys, transition_counts)
from .paths import (ConformanceResult, DirectlyFollowsGraph, ProcessModel, check_conformance,
                    compare_logs, compute_funnel, compute_funnels, cover_variants,
                    covered_activities, default_funnel_steps,
                    designed_journey, discover_dfg, discover_process_model, filter_dfg,
                    find_dead_points, find_dropoffs, find_loops, get_variants, journey_matrix,
                    journey_rework, simplify_dfg, stage_order, step_matrix,
                    compute_step_flows)
from .personas import (LOW_STABILITY, PERSONA_DEFAULTS, TOO_SHORT, JourneyClusters,
                       JourneyFeatures, MarkovMixture, PersonaWarning, compare_personas,
                       describe_stability, embed_journeys, example_journeys, find_personas,
                       label_journeys, path_memory, persona_reach, persona_stability,
                       profile_personas, select_persona)
from .plot import (enable_report_display, format_duration, format_table, format_value,
                   plot_drivers, plot_funnel, plot_journey_lengths,
                   plot_journey_matrix, plot_persona_embedding, plot_persona_reach,
                   plot_persona_selection, plot_process_map, plot_process_model,
                   plot_sankey, plot_score_trajectory, plot_step_matrix, plot_variants,
                   save_figure,
                   style_table)
from .studies import (STUDY_PARAMETERS, Study, check_parameters, choose_funnel_steps,
                      compare_groups,
                      file_sha256, open_study, record_provenance, render_html, run_demo,
                      run_notebook, study_controls, study_parameters, tabulate_drivers,
                      tabulate_paths, tabulate_personas, write_tables)
from .privacy import protect, pseudonymise, pseudonymise_log
from .synth import SyntheticJourneys, generate_journeys
from .explore import (DriverExplorer, FunnelBuilder, PersonaExplorer, ProcessMapExplorer,
                      VariantExplorer)

__version__ = "0.1.0"

__all__ = [
    "EventLog", "read_events", "describe_log", "validate_events", "ValidationReport", "Finding",
    "Schema", "generate_journeys", "SyntheticJourneys",
    # paths
    "discover_dfg", "DirectlyFollowsGraph", "filter_dfg", "covered_activities", "simplify_dfg",
    "get_variants", "cover_variants",
    "journey_matrix", "compute_funnel", "compute_funnels", "step_matrix", "find_loops",
    "journey_rework", "compute_step_flows", "plot_sankey",
    "find_dropoffs", "find_dead_points", "compare_logs", "case_outcome", "case_satisfaction",
    "stage_order", "default_funnel_steps", "select_journeys",
    # process models
    "discover_process_model", "ProcessModel", "designed_journey", "check_conformance",
    "ConformanceResult", "plot_process_model",
    # personas
    "find_personas", "MarkovMixture", "JourneyClusters", "JourneyFeatures", "TOO_SHORT",
    "persona_stability", "describe_stability", "path_memory", "PersonaWarning",
    "PERSONA_DEFAULTS",
    "LOW_STABILITY", "profile_personas", "compare_personas", "select_persona",
    "label_journeys", "embed_journeys", "persona_reach", "example_journeys",
    "transition_counts",
    "activity_counts",
    # satisfaction drivers and attribution
    "satisfaction_by", "satisfaction_drops", "score_trajectory", "survey_answers",
    "attribute_satisfaction", "SatisfactionDrivers", "decompose_satisfaction", "explain_gap",
    "rank_irritants", "effect_by_group", "what_if", "removal_effects", "paths_from_log",
    "moments_of_truth",
    # figures
    "plot_journey_lengths", "plot_process_map", "plot_journey_matrix", "plot_step_matrix",
    "plot_funnel", "plot_variants", "format_duration", "save_figure",
    "plot_persona_selection", "plot_persona_embedding", "plot_persona_reach", "plot_drivers",
    "plot_score_trajectory",
    # displayed tables: one formatting layer
    "format_table", "format_value", "enable_report_display",
    # widgets
    "ProcessMapExplorer", "VariantExplorer", "FunnelBuilder", "PersonaExplorer", "DriverExplorer",
    # shared reports: pseudonyms and k-anonymity
    "pseudonymise", "pseudonymise_log", "protect", "style_table",
    # studies: run, check, record
    "run_notebook", "run_demo", "render_html", "check_parameters", "record_provenance",
    "file_sha256", "open_study", "Study", "STUDY_PARAMETERS", "study_parameters",
    # the study steps the notebooks and the command line share
    "tabulate_paths", "choose_funnel_steps", "compare_groups", "tabulate_personas",
    "study_controls", "tabulate_drivers", "write_tables",
    "read_table", "scan_events", "read_catalogue", "write_table", "neutralise_formulas",
    "JourneylabError", "InvalidInputError", "MissingColumnError", "EmptyLogError",
    "UnreadableFileError", "UnsafeInputError", "ValidationError", "StudyError",
]
