"""EventLog: the sorted, integer-encoded event log every analysis starts from."""
from __future__ import annotations

import html
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, MissingColumnError
from .columns import as_names
from .encode import categorical, densify, encode_labels, run_starts, sort_order
from ..io import check_reading_options, read_table, write_table
from .schema import CANONICAL, PM4PY_NAMES, ROLES, Schema
from ..io.validate import ValidationReport, clean_events

__all__ = ["EventLog", "read_events", "describe_log"]


class EventLog:
    """Events sorted by (case, timestamp, source row), with cases and activities encoded.

    Build one with :func:`read_events`. The frame ``events`` has the canonical columns
    ``case_id``, ``activity``, ``timestamp`` (and ``channel``, ``stage``, ``satisfaction``
    when mapped), the other columns as attributes, and ``row``, the event's row in the
    source. Analyses use the numpy views: ``case_codes``, ``activity_codes``,
    ``timestamps_ns`` and ``case_offsets`` (events of case ``i`` are
    ``case_offsets[i]:case_offsets[i + 1]``).

    Every filter returns a new EventLog; nothing is modified in place.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"case_id": ["b", "a", "a"], "activity": ["x", "y", "x"],
    ...                    "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01"]})
    >>> log = read_events(df)
    >>> log.events["activity"].tolist()
    ['x', 'y', 'x']
    >>> log.n_cases, log.n_activities
    (2, 2)
    """

    def __init__(self, events: pd.DataFrame, *, schema: Schema | None = None,
                 report: ValidationReport | None = None, _sorted: bool = False):
        for col in ("case_id", "activity", "timestamp"):
            if col not in events.columns:
                raise MissingColumnError(
                    f"EventLog needs a {col!r} column; it has {list(events.columns)}. "
                    "Build logs with read_events(), which maps your column names.")
        self.schema = schema or Schema(*[r if r in events.columns else None for r in ROLES])
        self.report = report
        self.events = events if _sorted else _sort(events)
        self.case_codes = self.events["case_id"].array.codes  # read-only views, no copies
        self.activity_codes = self.events["activity"].array.codes
        ts = self.events["timestamp"]
        self.timestamps_ns = ts.array.asi8 if getattr(ts.dtype, "tz", None) is not None \
            else ts.to_numpy().view("i8")
        self.case_offsets = np.append(run_starts(self.case_codes), len(self.events))

    # ------------------------------------------------------------------ sizes and labels
    @property
    def n_events(self) -> int:
        return len(self.events)

    @property
    def n_cases(self) -> int:
        return len(self.case_offsets) - 1

    @property
    def n_activities(self) -> int:
        return len(self.activities)

    @property
    def cases(self) -> pd.Index:
        """Case labels; position = case code."""
        return pd.Index(self.events["case_id"].cat.categories, name="case_id")

    @property
    def activities(self) -> pd.Index:
        """Activity labels; position = activity code."""
        return pd.Index(self.events["activity"].cat.categories, name="activity")

    @property
    def case_lengths(self) -> np.ndarray:
        return np.diff(self.case_offsets)

    @property
    def tz(self):
        return getattr(self.events["timestamp"].dtype, "tz", None)

    def __len__(self) -> int:
        return self.n_events

    def __repr__(self) -> str:
        if not self.n_events:
            return "EventLog(0 events)"
        from ..plot.display import format_value  # timestamps to the second, as every table

        t = self.events["timestamp"]
        return (f"EventLog({self.n_events:,} events, {self.n_cases:,} journeys, "
                f"{self.n_activities:,} touchpoints, {format_value(t.min())} .. "
                f"{format_value(t.max())})")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>"

    # ------------------------------------------------------------------ case level
    def case_table(self) -> pd.DataFrame:
        """One row per journey: length, start, end, duration and case-level attributes.

        An attribute is case-level when it never varies within a journey.
        """
        ev = self.events
        first = self.case_offsets[:-1]
        last = self.case_offsets[1:] - 1
        out = pd.DataFrame({
            "case_id": self.cases.to_numpy(),
            "n_events": self.case_lengths,
            "start": ev["timestamp"].to_numpy()[first] if self.tz is None
            else ev["timestamp"].iloc[first].to_numpy(),
            "end": ev["timestamp"].to_numpy()[last] if self.tz is None
            else ev["timestamp"].iloc[last].to_numpy(),
        })
        out["duration_s"] = (self.timestamps_ns[last] - self.timestamps_ns[first]) / 1e9
        for col in self.attribute_columns():
            if self._constant_within_cases(ev[col]):
                out[col] = ev[col].iloc[first].to_numpy()
        return out

    def attribute_columns(self) -> list[str]:
        """Columns that are neither a role nor the source row."""
        return [c for c in self.events.columns if c not in CANONICAL and c != "row"]

    def _constant_within_cases(self, s: pd.Series) -> bool:
        codes, _ = pd.factorize(s, use_na_sentinel=True)
        if not len(codes):
            return True
        same = np.diff(codes) == 0
        boundary = np.diff(self.case_codes) != 0
        return bool(np.all(same | boundary))

    def per_case_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` (one per event, NaN where absent) for each journey; NaN where
        a journey has none."""
        values = np.asarray(values, dtype=float)
        has = ~np.isnan(values)
        if not len(values):
            return np.zeros(0)
        total = np.add.reduceat(np.where(has, values, 0.0), self.case_offsets[:-1])
        n = np.add.reduceat(has.astype(np.int64), self.case_offsets[:-1])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.maximum(n, 1), np.nan)

    # ------------------------------------------------------------------ selection
    def _take(self, mask: np.ndarray) -> "EventLog":
        ev = self.events.loc[mask].reset_index(drop=True)
        for col in ev.columns:
            if isinstance(ev[col].dtype, pd.CategoricalDtype):
                ev[col] = ev[col].cat.remove_unused_categories()
        return EventLog(ev, schema=self.schema, report=self.report, _sorted=True)

    def _case_mask(self, keep_case: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(keep_case, bool), self.case_lengths)

    def take_cases(self, mask: np.ndarray) -> "EventLog":
        """The journeys where ``mask`` (one bool per journey, in ``cases`` order) is True."""
        mask = np.asarray(mask, bool)
        if mask.shape != (self.n_cases,):
            raise InvalidInputError(f"take_cases needs one True/False per journey "
                                    f"({self.n_cases}), got shape {mask.shape}.")
        return self._take(self._case_mask(mask))

    def filter_cases(self, cases: Iterable[Any], *, keep: bool = True) -> "EventLog":
        """Keep (or drop, with ``keep=False``) the journeys whose id is in ``cases``."""
        wanted = self.cases.isin(pd.Index(as_names(cases)).astype(str))
        return self._take(self._case_mask(wanted if keep else ~wanted))

    def filter_activities(self, activities: Iterable[str], *, keep: bool = True,
                          how: str = "events") -> "EventLog":
        """Keep or drop touchpoints.

        ``how="events"`` keeps or drops the matching events; ``how="cases"`` keeps or
        drops whole journeys that contain any of them.
        """
        wanted = np.flatnonzero(self.activities.isin(as_names(activities)))
        hit = np.isin(self.activity_codes, wanted)
        if how == "events":
            return self._take(hit if keep else ~hit)
        if how == "cases":
            any_hit = np.add.reduceat(hit.astype(np.int64), self.case_offsets[:-1]) > 0 \
                if self.n_events else np.zeros(0, bool)
            return self._take(self._case_mask(any_hit if keep else ~any_hit))
        raise InvalidInputError(f"how must be 'events' or 'cases', not {how!r}.")

    def touchpoints(self) -> "EventLog":
        """The log without survey events (the activities declared in ``instruments``).

        Surveys measure satisfaction; they are not touchpoints of the journey, so path and
        persona analyses start from this view. Each instrument's mean score per journey is
        kept as the journey-level column ``score:<instrument>``.
        """
        if not self.schema.instruments:
            return self
        scored = self
        if "satisfaction" in self.events.columns:
            ev = self.events.copy()
            act = ev["activity"].astype(object).to_numpy()
            for name in self.schema.instruments:
                score = np.where(act == name, ev["satisfaction"].to_numpy(dtype=float), np.nan)
                ev[f"score:{name}"] = self.per_case_mean(score)[self.case_codes]
            scored = EventLog(ev, schema=self.schema, report=self.report, _sorted=True)
        return scored.filter_activities(list(self.schema.instruments), keep=False)

    def filter_time(self, start: Any = None, end: Any = None, *,
                    how: str = "events") -> "EventLog":
        """Keep what falls in ``[start, end)``.

        ``how``: ``"events"`` keeps events in the window; ``"contained"`` keeps journeys lying
        wholly inside it; ``"started"`` keeps journeys that started in it; ``"intersecting"``
        keeps whole journeys whose time span meets it (from the first event to the last: a
        journey spanning the window without an event in it too), as pm4py's
        ``filter_time_range(mode="traces_intersecting")``.
        """
        lo = self._bound(start, -np.inf)
        hi = self._bound(end, np.inf)
        t = self.timestamps_ns
        inside = (t >= lo) & (t < hi)
        if how == "events":
            return self._take(inside)
        first, last = self.case_offsets[:-1], self.case_offsets[1:] - 1
        if how == "contained":
            keep = (t[first] >= lo) & (t[last] < hi)
        elif how == "started":
            keep = (t[first] >= lo) & (t[first] < hi)
        elif how == "intersecting":
            keep = (t[first] < hi) & (t[last] >= lo)
        else:
            raise InvalidInputError("how must be 'events', 'contained', 'started' or "
                                    f"'intersecting', not {how!r}.")
        return self._take(self._case_mask(keep))

    def _bound(self, value: Any, default: float):
        if value is None:
            return default
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise InvalidInputError(f"{value!r} is not a date or time. Fix: give a bound such "
                                    "as '2024-03-01' or pd.Timestamp('2024-03-01 10:00').") \
                from None
        if self.tz is not None:
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        elif ts.tzinfo is not None:
            raise InvalidInputError(f"The log's timestamps have no timezone; pass a naive bound, "
                                    f"not {value!r}.")
        return ts.as_unit("ns").value

    def filter_attribute(self, column: str, values: Iterable[Any], *, keep: bool = True,
                         how: str = "events") -> "EventLog":
        """Keep or drop by an attribute's value, per event or for whole journeys."""
        if column not in self.events.columns:
            raise MissingColumnError(f"No column {column!r}; the log has "
                                     f"{list(self.events.columns)}.")
        hit = self.events[column].isin(as_names(values)).to_numpy()
        if how == "events":
            return self._take(hit if keep else ~hit)
        if how == "cases":
            any_hit = np.add.reduceat(hit.astype(np.int64), self.case_offsets[:-1]) > 0
            return self._take(self._case_mask(any_hit if keep else ~any_hit))
        raise InvalidInputError(f"how must be 'events' or 'cases', not {how!r}.")

    def sample_cases(self, n: int | None = None, *, frac: float | None = None,
                     random_state: int = 0) -> "EventLog":
        """A random sample of whole journeys (seeded)."""
        if (n is None) == (frac is None):
            raise InvalidInputError("Give exactly one of n= or frac=.")
        k = int(round(frac * self.n_cases)) if frac is not None else int(n)
        if not 0 <= k <= self.n_cases:
            raise InvalidInputError(f"Cannot sample {k} of {self.n_cases} journeys.")
        rng = np.random.default_rng(random_state)
        keep = np.zeros(self.n_cases, bool)
        keep[rng.choice(self.n_cases, size=k, replace=False)] = True
        return self._take(self._case_mask(keep))

    # ------------------------------------------------------------------ conversion
    def to_pandas(self, *, original_names: bool = False) -> pd.DataFrame:
        """The events as a new DataFrame (labels as plain text).

        With ``original_names=True`` roles take back the source's column names and the
        ``row`` column is left out: the form :meth:`write` exports.
        """
        out = self.events.copy()
        for col in out.columns:
            if isinstance(out[col].dtype, pd.CategoricalDtype):
                out[col] = out[col].astype(object)
        if original_names:
            out = out.drop(columns="row").rename(columns={
                r: c for r, c in self.schema.mapping().items() if r in out.columns})
        return out

    def to_pm4py(self) -> pd.DataFrame:
        """A frame in pm4py's column convention (``case:concept:name``, ``concept:name``,
        ``time:timestamp``), case and activity as ``object`` text, timestamps in UTC."""
        out = self.to_pandas().drop(columns="row").rename(
            columns={r: c for r, c in PM4PY_NAMES.items()})
        ts = out["time:timestamp"]
        out["time:timestamp"] = ts.dt.tz_localize("UTC") if self.tz is None else ts
        return out

    @classmethod
    def from_pm4py(cls, frame: pd.DataFrame, **kwargs: Any) -> "EventLog":
        """Read a frame in pm4py's column convention."""
        return read_events(frame, case_id_key="case:concept:name", activity_key="concept:name",
                           timestamp_key="time:timestamp", **kwargs)

    def write(self, path, *, safe_for_spreadsheets: bool = True):
        """Write the events under their source column names (CSV, Parquet or JSON lines)."""
        return write_table(self.to_pandas(original_names=True), path,
                           safe_for_spreadsheets=safe_for_spreadsheets)


def _sort(events: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``events`` with sorted-label categoricals, ordered by (case, time, row)."""
    ev = events.copy()
    for col in ("case_id", "activity", "channel", "stage"):
        if col in ev.columns:
            ordered = isinstance(ev[col].dtype, pd.CategoricalDtype) and ev[col].cat.ordered
            if ordered:
                ev[col] = ev[col].cat.remove_unused_categories()
                continue
            codes, cats, _ = encode_labels(ev[col])
            if col in ("case_id", "activity") and (codes < 0).any():
                raise InvalidInputError(f"Column {col!r} has empty values; build logs with "
                                        "read_events(), which quarantines such rows.")
            ev[col] = categorical(*densify(codes, cats))
    if "row" not in ev.columns:
        ev["row"] = np.arange(len(ev), dtype=np.int64)
    ts = ev["timestamp"]
    t = ts.array.asi8 if getattr(ts.dtype, "tz", None) is not None else ts.to_numpy().view("i8")
    rows = np.argsort(ev["row"].to_numpy(), kind="stable")
    order = rows[sort_order(ev["case_id"].cat.codes.to_numpy()[rows], t[rows])]
    return ev.iloc[order].reset_index(drop=True)


def read_events(source: Any, *, case_id_key: str | None = None, activity_key: str | None = None,
                timestamp_key: str | None = None, channel_key: str | None = None,
                stage_key: str | None = None, satisfaction_key: str | None = None,
                instruments: Mapping[str, tuple[float, float]] | None = None,
                satisfaction_scale: tuple[float, float] | None = None, catalogue: Any = None,
                timestamp_format: str | None = None, dayfirst: bool = False,
                assume_timezone: str = "UTC", duplicates: str = "quarantine",
                lifecycle: str = "auto", strict: bool = False, sep: str | None = None,
                encoding: str | None = None, format: str | None = None,
                table: str | None = None, columns: list[str] | None = None,
                null_values: list[str] | tuple[str, ...] | None = None,
                engine: str = "memory", memory_limit: str | None = None,
                temp_directory: str | None = None, threads: int | None = None,
                spark: Any = None) -> EventLog:
    """Read, validate, sort and encode an event log.

    With ``engine="duckdb"`` or ``"spark"`` the log is read into that engine instead and
    an :class:`~journeylab.core.engine.EngineLog` is returned: the maps, variants, journey
    matrix, funnels, personas and drivers take it like an EventLog, and their heavy
    passes run in the engine (``memory_limit``, ``temp_directory`` and ``threads`` are
    DuckDB's; ``spark`` is a SparkSession or a Spark Connect URL ``"sc://host:15002"``).

    Takes the same parameters as :func:`journeylab.validate_events`; rows that cannot be
    used are quarantined and described in ``log.report`` (``strict=True`` raises instead).
    With a lifecycle column (XES ``lifecycle:transition`` holding start and complete
    events) only the completions are kept by default (``lifecycle="auto"``), the others
    are counted in ``log.report.rows_set_aside``; ``lifecycle="all"`` keeps every event.

    Raises
    ------
    MissingColumnError
        A role's column is missing (the message lists the columns there are).
    EmptyLogError
        No usable events remain.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer": ["a", "a"], "step": ["visit", "buy"],
    ...                    "at": ["2024-01-01 10:00", "2024-01-01 10:05"]})
    >>> log = read_events(df, case_id_key="customer", activity_key="step", timestamp_key="at")
    >>> log.report.rows_kept
    2
    """
    schema = Schema(case_id_key, activity_key, timestamp_key, channel_key, stage_key,
                    satisfaction_key, instruments or {}, satisfaction_scale)
    if engine != "memory":
        from ..engines import read_engine
        from .engine import InMemorySource

        options = dict(case_id_key=case_id_key, activity_key=activity_key,
                       timestamp_key=timestamp_key, channel_key=channel_key,
                       stage_key=stage_key, satisfaction_key=satisfaction_key,
                       instruments=instruments, satisfaction_scale=satisfaction_scale,
                       catalogue=catalogue, timestamp_format=timestamp_format,
                       dayfirst=dayfirst, assume_timezone=assume_timezone,
                       lifecycle=lifecycle, strict=strict, sep=sep, encoding=encoding,
                       format=format, table=table, columns=columns, null_values=null_values)
        native = catalogue is None and timestamp_format is None and not dayfirst and \
            columns is None and null_values is None and format in (None, "parquet", "csv") \
            and assume_timezone == "UTC"
        return read_engine(source if native else InMemorySource(source), engine, schema,
                           duplicates=duplicates, read_options=options, sep=sep,
                           encoding=encoding, table=table, memory_limit=memory_limit,
                           temp_directory=temp_directory, threads=threads, spark=spark)
    if memory_limit or temp_directory or threads or spark is not None:
        raise InvalidInputError("memory_limit=, temp_directory=, threads= and spark= are "
                                "options of engine='duckdb' or 'spark'.")
    check_reading_options(timestamp_format=timestamp_format, assume_timezone=assume_timezone)
    raw = read_table(source, sep=sep, encoding=encoding, format=format, table=table,
                     columns=columns, schema=schema)
    events, report = clean_events(raw, schema, catalogue=catalogue,
                                  timestamp_format=timestamp_format, dayfirst=dayfirst,
                                  assume_timezone=assume_timezone, duplicates=duplicates,
                                  lifecycle=lifecycle, strict=strict, allow_empty=False,
                                  null_values=null_values)
    return EventLog(events, schema=report.schema, report=report, _sorted=True)


def describe_log(log: EventLog) -> pd.DataFrame:
    """Headline numbers of a log as a tidy ``metric, value`` table.

    Examples
    --------
    >>> import pandas as pd
    >>> log = read_events(pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
    ...                                 "timestamp": ["2024-01-01", "2024-01-02"]}))
    >>> describe_log(log).set_index("metric").loc["journeys", "value"]
    1
    """
    cases = log.case_table()
    rows: list[tuple[str, Any]] = [
        ("events", log.n_events), ("journeys", log.n_cases), ("touchpoints", log.n_activities),
        ("first event", log.events["timestamp"].min()),
        ("last event", log.events["timestamp"].max()),
        ("median events per journey", float(np.median(cases["n_events"]))),
        ("median journey duration (days)", float(np.median(cases["duration_s"])) / 86_400),
        ("single-event journeys", int((cases["n_events"] == 1).sum())),
    ]
    for role in ("channel", "stage"):
        if role in log.events.columns:
            rows.append((f"{role}s", int(log.events[role].nunique())))
    customers = [log.n_cases] * len(rows)  # whom each row is about (a shared report's k)
    for name in log.schema.instruments:
        if f"score:{name}" in log.events.columns:  # the touchpoints() view: one per journey
            scores = log.events[f"score:{name}"].iloc[log.case_offsets[:-1]]
            rows.append((f"journeys with a {name} answer", int(scores.notna().sum())))
            answered = int(scores.notna().sum())
        else:
            at = (log.events["activity"] == name).to_numpy()
            scores = log.events.loc[at, "satisfaction"]
            rows.append((f"{name} answers", int(scores.notna().sum())))
            answered = len(np.unique(log.case_codes[at][scores.notna().to_numpy()]))
        rows.append((f"{name} mean", float(scores.mean()) if scores.notna().any() else None))
        customers += [answered, answered]
    out = pd.DataFrame(rows, columns=["metric", "value"])
    out.attrs["row_customers"] = customers
    return out
