"""Getting events in and tables out: readers for every input format (DataFrame, CSV,
Parquet, XES, JSON lines, DuckDB) and the table writer, with their reading options and the
checks on unsafe files (:mod:`.readers`), and validation with quarantine: every row that
cannot be used is set aside with its reason, never dropped (:mod:`.validate`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "readers": ("RawTable", "read_table", "scan_events", "read_catalogue", "write_table",
                "neutralise_formulas", "check_reading_options", "check_xml_prologue"),
    "validate": ("Finding", "ValidationReport", "validate_events", "find_instruments",
                 "QUARANTINE_REASONS", "SET_ASIDE_REASONS"),
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
