"""The event log and what every analysis shares: column roles (:mod:`.schema`), integer
encoding of cases and activities (:mod:`.encode`), the :class:`EventLog` itself, sorted once
by case and time, with :func:`read_events` and :func:`describe_log` (:mod:`.log`), the
per-journey operations the other subpackages build on (pairs of consecutive events, variant
ids, counts, quantiles, outcomes and scores: :mod:`.journeys`) and what a result column
holds, read from its name (:mod:`.columns`).
"""
from __future__ import annotations

from importlib import import_module

# Each public name is imported from its module when first used, so importing one module of
# this subpackage never imports the others (and adds no import cycle between subpackages).
_EXPORTS = {
    "schema": ("Schema", "ROLES", "CANONICAL", "PM4PY_NAMES"),
    "encode": ("encode_labels", "encode_keys", "KeyEncoding", "densify", "categorical",
               "sort_order", "NULL_SPELLINGS", "null_spellings", "null_mask"),
    "log": ("EventLog", "read_events", "describe_log"),
    "journeys": ("SEP", "ALL", "pairs", "group_order", "group_quantiles", "distinct_count",
                 "variant_ids", "variant_text", "variant_order", "activity_counts",
                 "transition_counts", "case_outcome", "case_satisfaction", "select_journeys"),
    "columns": ("is_share_name",),
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
