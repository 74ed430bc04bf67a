"""A study is a notebook run with parameters: checking them and recording provenance
(:mod:`.study`), running notebooks with papermill and rendering them to HTML
(:mod:`.report`), the local Voila dashboard (:mod:`.dashboard`), the kernel client that
cannot miss a reply (:mod:`.kernel`) and the JavaScript an offline report needs
(:mod:`.assets`). The Voila page template and server settings are in ``share/``; the fetched
JavaScript is kept in ``static/``.
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "study": ("check_parameters", "record_provenance", "file_sha256", "open_study", "Study",
              "OUTCOME_NAMES", "SEGMENT_NAMES"),
    "report": ("run_notebook", "run_demo", "render_html", "notebook_parameters", "parse_parameter",
               "check_notebook_parameters", "type_phrase"),
    "dashboard": ("prepare_dashboard", "serve_dashboard", "DASHBOARD_NOTEBOOKS"),
    "kernel": ("PatientKernelClient", "SlicedWaitChannel"),
    "assets": ("ASSETS", "asset_dir", "fetch_assets", "copy_assets"),
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
