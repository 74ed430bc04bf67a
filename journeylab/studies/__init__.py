"""A study is a notebook run with parameters: the table of every parameter and its checks
(:mod:`.parameters`), opening the log and recording provenance (:mod:`.study`), the steps
that make each analysis's tables for the notebooks and the command line alike
(:mod:`.steps`), running notebooks with papermill and rendering them to HTML
(:mod:`.report`), the local Voila dashboard (:mod:`.dashboard`), the kernel client that
cannot miss a reply (:mod:`.kernel`) and the JavaScript an offline report needs
(:mod:`.assets`). The Voila page template and server settings are in ``share/``; the fetched
JavaScript is kept in ``static/``.
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "parameters": ("STUDY_PARAMETERS", "READING_OPTIONS", "check_parameters",
                   "study_parameters"),
    "study": ("record_provenance", "file_sha256", "open_study", "Study", "OUTCOME_NAMES",
              "SEGMENT_NAMES"),
    "steps": ("tabulate_paths", "choose_funnel_steps", "compare_groups", "tabulate_personas",
              "study_controls", "tabulate_drivers", "write_tables"),
    "report": ("run_notebook", "run_demo", "render_html", "notebook_parameters", "parse_parameter",
               "check_notebook_parameters", "type_phrase"),
    "dashboard": ("prepare_dashboard", "serve_dashboard", "DASHBOARD_NOTEBOOKS"),
    "kernel": ("PatientKernelClient", "SlicedWaitChannel"),
    "assets": ("ASSETS", "asset_dir", "fetch_assets", "copy_assets"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
