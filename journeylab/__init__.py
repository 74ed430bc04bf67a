"""journeylab: customer-journey analytics for notebooks.

Load once (:func:`read_events`), then discover paths, personas and satisfaction drivers.
"""
from __future__ import annotations

import sys as _sys

# pm4py prints an AGPL banner on import; journeylab names the licence in its docs instead.
_sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]

from .errors import (EmptyLogError, InvalidInputError, JourneylabError, MissingColumnError,
                     UnreadableFileError, UnsafeInputError, ValidationError)
from .io import neutralise_formulas, read_catalogue, read_table, scan_events, write_table
from .log import EventLog, describe_log, read_events
from .plot import plot_journey_lengths, save_figure
from .report import render_html, run_demo, run_notebook
from .schema import Schema
from .synth import SyntheticJourneys, generate_journeys
from .validate import Finding, ValidationReport, validate_events

__version__ = "0.1.0"

__all__ = [
    "EventLog", "read_events", "describe_log", "validate_events", "ValidationReport", "Finding",
    "Schema", "generate_journeys", "SyntheticJourneys", "plot_journey_lengths", "save_figure",
    "run_notebook", "run_demo", "render_html",
    "read_table", "scan_events", "read_catalogue", "write_table", "neutralise_formulas",
    "JourneylabError", "InvalidInputError", "MissingColumnError", "EmptyLogError",
    "UnreadableFileError", "UnsafeInputError", "ValidationError",
]
