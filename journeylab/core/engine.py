"""The small interface every engine implements: the heavy aggregations of a log that lives
in an engine (in memory, in DuckDB, in Spark), each returned as a small tidy pandas table.

An :class:`EngineLog` is a log loaded into one engine. The analyses that accept one
(:func:`journeylab.discover_dfg`, :func:`journeylab.get_variants`,
:func:`journeylab.journey_matrix`, :func:`journeylab.compute_funnel`, personas and drivers)
call its methods and finish the tables the same way for every engine, so the engines are
held to the same results by tests. Read one with ``read_events(..., engine="duckdb")`` or
``engine="spark"`` (:mod:`journeylab.engines`).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from .schema import Schema

__all__ = ["EngineLog", "EngineReport", "ENGINES", "InMemorySource"]

#: The engines a log can be read into.
ENGINES: tuple[str, ...] = ("memory", "duckdb", "spark")


@dataclass
class EngineReport:
    """What reading into an engine kept and set aside: ``rows_in = rows_kept +
    rows_quarantined``, with the count for each reason in ``reasons``."""

    rows_in: int
    rows_kept: int
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def rows_quarantined(self) -> int:
        return int(sum(self.reasons.values()))

    def summary(self) -> str:
        """One line: rows in, kept and set aside, with the reasons."""
        why = ", ".join(f"{k} {v:,}" for k, v in self.reasons.items())
        return (f"rows in {self.rows_in:,} = kept {self.rows_kept:,} + quarantined "
                f"{self.rows_quarantined:,}" + (f" ({why})" if why else ""))

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p><b>Validation</b> in the engine: {escape(self.summary())}</p>"

    def to_frame(self) -> pd.DataFrame:
        """``reason, rows`` for each reason rows were set aside."""
        return pd.DataFrame({"reason": list(self.reasons), "rows": list(self.reasons.values())},
                            columns=["reason", "rows"])


class InMemorySource:
    """A source read by journeylab's own readers before an engine takes its kept events
    (reading options only they honour: a catalogue, a timestamp format, ...)."""

    def __init__(self, source: Any):
        self.source = source


class EngineLog(ABC):
    """A log held by an engine, and the aggregations every engine computes the same way.

    Attributes
    ----------
    engine : str
        ``"memory"``, ``"duckdb"`` or ``"spark"``.
    schema : Schema
        The column roles the log was read with.
    report : EngineReport
        Rows read, kept and set aside.
    """

    engine: str
    schema: Schema
    report: EngineReport

    @property
    @abstractmethod
    def n_events(self) -> int:
        """Kept events."""

    @property
    @abstractmethod
    def n_cases(self) -> int:
        """Journeys."""

    @property
    @abstractmethod
    def columns(self) -> list[str]:
        """The canonical roles the log has (``case_id``, ``activity``, ``timestamp``, and
        ``channel``, ``stage``, ``satisfaction`` when mapped)."""

    def has(self, role: str) -> bool:
        """Whether the log has the role ``role``."""
        return role in self.columns

    @abstractmethod
    def dfg(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Edges ``source, target, events, cases, mean_s, median_s, p90_s`` and nodes
        ``activity, events, cases, starts, ends`` (unordered)."""

    @abstractmethod
    def variants(self, *, top: int | None = None) -> pd.DataFrame:
        """``variant, length, cases, median_duration_s`` (the first ``top`` by journeys)."""

    @abstractmethod
    def matrix(self, *, unmapped: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Cells ``stage, channel, events, customers, ends`` and their touchpoints ``stage,
        channel, activity, events`` (events without a stage or channel in ``unmapped``)."""

    @abstractmethod
    def funnel(self, steps: Sequence[Sequence[str]], *, on: str) -> pd.DataFrame:
        """``step, customers, median_time_s, p90_time_s`` for the ordered ``steps``."""

    @abstractmethod
    def features(self) -> dict[str, pd.DataFrame]:
        """Per-journey long tables ``journeys, touchpoints, transitions, channels``."""

    @abstractmethod
    def distinct(self, role: str) -> list[Any]:
        """The distinct values of ``role``, sorted."""

    @abstractmethod
    def sample(self, frac: float | None = None, *, random_state: int = 0):
        """An in-memory :class:`~journeylab.EventLog` of a share ``frac`` of the journeys
        (all when None), chosen by a hash of the journey id and ``random_state``."""

    @abstractmethod
    def label_journeys(self, model: Any) -> pd.DataFrame:
        """``case_id, persona``: every journey assigned by a fitted persona model, in the
        engine's partitions of whole journeys."""

    @abstractmethod
    def design_rows(self, instrument: str | None = None, window: str = "journey", *,
                    groups: pd.Series | None = None, journeys: bool = False
                    ) -> dict[str, pd.DataFrame]:
        """What a satisfaction-drivers fit is made of, as
        :func:`journeylab.drivers.design.target_scores` and ``touchpoint_exposure`` make it:
        ``rows`` (``pattern, group, score, journeys``: the distinct rows of scored
        journeys, ``pattern`` the touchpoints met in the window as their indexes in
        ``touchpoints`` joined by commas, ``''`` for none, ``group`` the journey's label in
        ``groups`` (a Series by case_id) or None; ``attrs`` hold ``instrument`` and
        ``scale``), ``touchpoints`` (``touchpoint, stage, channel, customers``: every
        activity but the surveys, sorted, with its modal stage and channel and the journeys
        that met it at all), with ``groups`` also ``groups`` (``group, journeys`` of the
        log's journeys, None for those ``groups`` lacks), and with ``journeys`` the
        per-journey table ``case_id, score, pattern, group``."""

    def __repr__(self) -> str:
        return (f"<EngineLog engine={self.engine!r}: {self.n_events:,} events, "
                f"{self.n_cases:,} journeys>")
