"""journeylab: customer-journey analytics for notebooks.

Load once (:func:`read_events`), then discover paths, personas and satisfaction drivers.
"""
from __future__ import annotations

import sys as _sys

# pm4py prints an AGPL banner on import; journeylab names the licence in its docs instead.
_sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]

from .errors import (EmptyLogError, InvalidInputError, JourneylabError, MissingColumnError,
                     UnreadableFileError, UnsafeInputError, ValidationError)
from .io import neutralise_formulas, read_catalogue, read_table, write_table
from .log import EventLog, read_events
from .schema import Schema
from .validate import Finding, ValidationReport, validate_events

__version__ = "0.1.0"

__all__ = [
    "EventLog", "read_events", "validate_events", "ValidationReport", "Finding", "Schema",
    "read_table", "read_catalogue", "write_table", "neutralise_formulas",
    "JourneylabError", "InvalidInputError", "MissingColumnError", "EmptyLogError",
    "UnreadableFileError", "UnsafeInputError", "ValidationError",
]
