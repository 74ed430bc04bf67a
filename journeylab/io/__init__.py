"""Getting events in and tables out: reading every input format (DataFrame, CSV, Parquet, XES,
JSON lines, DuckDB) with its reading options and the checks on unsafe files, and validation
with quarantine, where every row that cannot be used is set aside with its reason, never
dropped. Reading: :func:`read_table`, the reading options, the format and first-byte checks,
:func:`scan_events` and :func:`read_catalogue` (:mod:`.readers`), the raw table every reader
returns (:mod:`.table`), text decoding and CSV (:mod:`.text`), Parquet, JSON lines and DuckDB
(:mod:`.formats`), XES and the XML prologue check (:mod:`.xes`); writing: the table writer
and formula neutralising (:mod:`.writers`). Validating: :func:`validate_events` and the
:class:`ValidationReport` (:mod:`.validate`), :class:`Finding` and the wording of findings
(:mod:`.findings`), timestamps (:mod:`.timestamps`), scores and survey instruments
(:mod:`.scores`), lifecycle transitions (:mod:`.lifecycle`), the reasons for quarantine and
the quarantine table (:mod:`.quarantine`), and the events built from the kept rows
(:mod:`.assemble`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "table": ("RawTable",),
    "readers": ("read_table", "scan_events", "read_catalogue", "check_reading_options"),
    "writers": ("write_table", "neutralise_formulas"),
    "xes": ("check_xml_prologue",),
    "findings": ("Finding",),
    "validate": ("ValidationReport", "validate_events"),
    "scores": ("find_instruments",),
    "quarantine": ("QUARANTINE_REASONS", "SET_ASIDE_REASONS"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
