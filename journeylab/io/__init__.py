"""Getting events in and tables out: readers for every input format (DataFrame, CSV,
Parquet, XES, JSON lines, DuckDB) and the table writer, with their reading options and the
checks on unsafe files (:mod:`.readers`), and validation with quarantine: every row that
cannot be used is set aside with its reason, never dropped (:mod:`.validate`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "readers": ("RawTable", "read_table", "scan_events", "read_catalogue", "write_table",
                "neutralise_formulas", "check_reading_options", "check_xml_prologue"),
    "validate": ("Finding", "ValidationReport", "validate_events", "find_instruments",
                 "QUARANTINE_REASONS", "SET_ASIDE_REASONS"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
