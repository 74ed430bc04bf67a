"""The event log and what every analysis shares: column roles (:mod:`.schema`), integer
encoding of cases and activities (:mod:`.encode`), the :class:`EventLog` itself, sorted once
by case and time, with :func:`read_events` and :func:`describe_log` (:mod:`.log`), the
per-journey operations the other subpackages build on (pairs of consecutive events, variant
ids, counts, quantiles: :mod:`.journeys`; each journey's outcome and score, and selecting
journeys: :mod:`.cases`), what a result column
holds, read from its name (:mod:`.columns`), and two independent passes run at once on two
cores (:mod:`.threads`).
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "schema": ("Schema", "ROLES", "CANONICAL", "PM4PY_NAMES"),
    "encode": ("encode_labels", "encode_keys", "KeyEncoding", "densify", "categorical",
               "code_dtype", "in_order", "run_starts", "sort_order", "sort_rows", "NULL_SPELLINGS",
               "null_spellings", "null_mask"),
    "factorize": ("factorize_text", "increasing", "numpy_column", "number_in_duckdb", "layout",
                  "PROBE_ROWS", "local_duckdb", "DUCKDB_CONFIG"),
    "log": ("EventLog", "read_events", "describe_log"),
    "journeys": ("SEP", "path_label", "pairs", "group_order", "group_quantiles", "distinct_count",
                 "variant_ids", "variant_text", "variant_keys", "variant_order", "activity_counts",
                 "transition_counts"),
    "cases": ("ALL", "case_outcome", "case_satisfaction", "select_journeys"),
    "columns": ("is_share_name",),
    "threads": ("side_by_side",),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
