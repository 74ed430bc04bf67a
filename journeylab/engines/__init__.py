"""Engines: where a log's heavy aggregations run. ``"memory"`` (numpy over an
:class:`~journeylab.EventLog`, the default for logs that fit), ``"duckdb"`` (embedded, out
of core: files larger than memory, spilling to disk past a memory limit) and ``"spark"``
(PySpark: a local session, a cluster, or Spark Connect). Each holds a log as an
:class:`~journeylab.core.engine.EngineLog` and computes the same tables (:mod:`.base` and
the queries of :mod:`.sql`; :mod:`.duck`, :mod:`.spark`); :func:`read_engine` reads one.
"""
from __future__ import annotations

from ..exports import lazy_exports

# Each public name is imported from its module when first used (see journeylab.exports).
_EXPORTS = {
    "open": ("read_engine", "ENGINE_OPTIONS"),
    "duck": ("DuckDBLog", "read_duckdb"),
    "spark": ("SparkLog", "read_spark", "spark_session"),
}
__all__, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
