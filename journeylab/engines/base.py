"""What the SQL engines share: a log loaded as the view ``events`` (canonical columns:
``case_id``, ``activity``, ``timestamp``, ``channel``, ``stage``, ``satisfaction``, ``row``)
and the view ``steps`` made from it once, and every aggregation of
:class:`~journeylab.core.engine.EngineLog` as a query of :mod:`.sql`. An engine adds how it
loads a source and runs a query (:mod:`.duck`, :mod:`.spark`).

Sources an engine reads itself (Parquet and CSV files, a table of its own) are validated
in SQL: a row without a journey, a touchpoint or a readable timestamp is quarantined, and
so is an exact copy of an earlier row unless ``duplicates="keep"``; the counts are in
``log.report``. Any other source (a DataFrame, XES, JSON lines) is read and validated by
:func:`journeylab.read_events` first and its kept events handed to the engine.
"""
from __future__ import annotations

import copy
import itertools
from abc import abstractmethod
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..core.columns import as_names
from ..core.engine import EngineLog, EngineReport
from ..core.schema import Schema
from .checks import checked_timestamp, epoch_timestamp, label_expression, labels_to_clean
from .paths import path_counts, path_variants
from .progress import engine_step
from .sql import (FINITE, Dialect, design_queries, edge_times_query, feature_queries,
                  funnel_query, literal, matrix_queries, paths_query, quote, rename_tables,
                  sample_filter, steps_query)

__all__ = ["SQLLog", "CANONICAL_COLUMNS", "canonical_select", "quarantine_queries",
           "read_in_memory", "in_journey_order", "memory_schema",
           "whole_journeys", "predict_frame", "instruments_of"]

CANONICAL_COLUMNS = ("case_id", "activity", "timestamp", "channel", "stage", "satisfaction",
                     "row")
OPTIONAL = ("channel", "stage", "satisfaction")


def canonical_select(dialect: Dialect, schema: Schema, types: dict[str, str],
                     timestamp: str, *, clean: Sequence[str] = ()) -> str:
    """The select list turning a raw table's columns into the canonical ones: ids and
    names as text (those of the roles ``clean`` read as labels,
    :func:`.checks.label_expression`), the timestamp by ``timestamp`` (a format string
    over ``{0}``), a score as a number, an unmapped optional role as NULL."""
    def col(role: str) -> str:
        return quote(schema.key(role), dialect)

    text = dialect.text

    def label(role: str) -> str:
        kind = types.get(schema.key(role), text)
        how = label_expression(dialect, kind) if role in clean else f"CAST({{0}} AS {text})"
        return how.format(col(role)) + f" AS {role}"

    parts = [label("case_id"), label("activity"),
             timestamp.format(col("timestamp")) + " AS timestamp"]
    for role in OPTIONAL:
        if schema.key(role) is None:
            kind = "DOUBLE" if role == "satisfaction" else text
            parts.append(f"CAST(NULL AS {kind}) AS {role}")
        elif role == "satisfaction":
            parts.append(f"TRY_CAST({col(role)} AS DOUBLE) AS satisfaction")
        else:
            parts.append(label(role))
    parts.append("__row AS row")
    return ", ".join(parts)


def blank(column: str) -> str:
    """``column`` is NULL, empty or spaces only; the spaces are trimmed only from a text
    that starts with one (trimming every text is most of the cost of validation)."""
    return (f"({column} IS NULL OR {column} = '' OR (substr({column}, 1, 1) = ' ' "
            f"AND trim({column}) = ''))")


def filled(column: str) -> str:
    """``NOT`` :func:`blank`, written out (the engines filter faster on this form)."""
    return (f"({column} IS NOT NULL AND {column} <> '' AND (substr({column}, 1, 1) <> ' ' "
            f"OR trim({column}) <> ''))")


def quarantine_queries(dialect: Dialect, select: str, raw_columns: Sequence[str],
                       duplicates: str) -> tuple[str, str]:
    """Over the view ``raw``: the kept events (canonical columns) and the count of each
    reason rows are set aside (``missing_case_id``, ``missing_activity``, ``bad_timestamp``,
    ``duplicate_event``: an exact copy of an earlier row, unless ``duplicates="keep"``),
    each row counted once, for its first reason. ``select`` is :func:`canonical_select`."""
    dup = "1"
    tests = [(blank("case_id"), filled("case_id"), "missing_case_id"),
             (blank("activity"), filled("activity"), "missing_activity"),
             ("timestamp IS NULL", "timestamp IS NOT NULL", "bad_timestamp")]
    if duplicates == "quarantine":
        every = ", ".join(quote(c, dialect) for c in raw_columns)
        dup = f"row_number() OVER (PARTITION BY {every} ORDER BY __row)"
        tests.append(("dup > 1", "dup = 1", "duplicate_event"))
    rows = f"(SELECT {select}, {dup} AS dup FROM raw) t"
    cols = ", ".join(CANONICAL_COLUMNS)
    # kept: every test passes (a filter, cheaper than naming every row's reason)
    kept = f"SELECT {cols} FROM {rows} WHERE " + " AND ".join(ok for _, ok, _ in tests)
    reason = "CASE " + " ".join(f"WHEN {t} THEN '{name}'" for t, _, name in tests) + " END"
    counts = (f"SELECT reason, count(*) AS n FROM (SELECT {reason} AS reason FROM {rows}) f "
              "WHERE reason IS NOT NULL GROUP BY reason")
    return kept, counts


def read_in_memory(source: Any, read_options: dict[str, Any]):
    """``source`` read and validated by :func:`journeylab.read_events`: the kept events as
    the canonical columns (UTC timestamps) and the log."""
    from ..core.engine import InMemorySource
    from ..core.log import read_events

    if isinstance(source, InMemorySource):
        source = source.source
    log = read_events(source, **read_options)
    ev = log.events
    frame = pd.DataFrame({"case_id": ev["case_id"].astype(str).astype(object),
                          "activity": ev["activity"].astype(str).astype(object),
                          "timestamp": pd.to_datetime(ev["timestamp"], utc=True)})
    for role in OPTIONAL:
        if role in ev.columns:
            frame[role] = ev[role].astype(float) if role == "satisfaction" else \
                ev[role].astype(object).where(ev[role].notna(), None)
    for col in log.attribute_columns():  # as text: every engine takes it, with None for none
        frame[col] = ev[col].astype(object).where(ev[col].notna(), None).map(
            lambda v: v if v is None else str(v))
    frame["row"] = ev["row"].to_numpy(dtype=np.int64)
    return frame, log


def in_journey_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Events sorted by (journey, time, source row), without the ``row`` column: read
    again by :func:`journeylab.read_events`, ties in time keep the source's order."""
    frame = frame.sort_values(["case_id", "timestamp", "row"], kind="stable")
    return frame.drop(columns="row").reset_index(drop=True)


def memory_schema(frame: pd.DataFrame, log) -> Schema:
    """The roles of a frame made by :func:`read_in_memory` from ``log``."""
    present = {r: r if r in log.events.columns else None for r in OPTIONAL}
    return Schema("case_id", "activity", "timestamp", present["channel"], present["stage"],
                  present["satisfaction"], log.schema.instruments, log.schema.satisfaction_scale)


def instruments_of(schema: Schema):
    """The schema's instruments as read_events takes them (``"auto"`` stays)."""
    inst = schema.instruments
    return inst if isinstance(inst, str) else (dict(inst) or None)


def whole_journeys(chunks):
    """Frames of events in journey order (``case_id`` sorted), regrouped so that no
    journey is split between two frames."""
    carry = None
    for chunk in chunks:
        if chunk is None or not len(chunk):
            continue
        if carry is not None:
            chunk = pd.concat([carry, chunk], ignore_index=True)
        tail = (chunk["case_id"] == chunk["case_id"].iloc[-1]).to_numpy()
        carry = chunk[tail]
        if (~tail).any():
            yield chunk[~tail].reset_index(drop=True)
    if carry is not None and len(carry):
        yield carry.reset_index(drop=True)


def predict_frame(frame: pd.DataFrame, model: Any, schema: Schema) -> pd.DataFrame:
    """``case_id, persona`` of the whole journeys in ``frame`` (canonical columns)."""
    from ..core.log import read_events

    keys = {f"{r}_key": r for r in ("case_id", "activity", "timestamp", "channel", "stage",
                                    "satisfaction") if r in frame.columns}
    log = read_events(in_journey_order(frame), **keys, duplicates="keep",
                      instruments=instruments_of(schema),
                      satisfaction_scale=schema.satisfaction_scale)
    return pd.DataFrame({"case_id": log.cases.astype(str).astype(object),
                         "persona": model.predict(log).astype("int64")})


#: The tables and views each log keeps under names of its own.
TABLES = ("raw", "events", "steps", "walk", "cases", "coded")
_numbers = itertools.count(1)


class SQLLog(EngineLog):
    """An :class:`EngineLog` whose aggregations are the queries of :mod:`.sql`, written
    with the plain names ``raw``, ``events`` and ``steps``; each log runs them on tables of
    its own (:meth:`sql`), so several logs share one connection or Spark session."""

    dialect: Dialect
    _columns: list[str]
    _counts: tuple[int, int] | None = None
    _paths: Any = None
    number: int = 0

    def sql(self, text: str) -> str:
        """``text`` with the plain table names made this log's own."""
        return rename_tables(text, self.table_names(), self.dialect)

    def table_names(self) -> dict[str, str]:
        """The plain table names and this log's own."""
        if not self.number:
            self.number = next(_numbers)
        return {t: f"journeylab_{t}_{self.number}" for t in TABLES}

    @abstractmethod
    def query(self, sql: str) -> pd.DataFrame:
        """Run ``sql`` and return its (small) result as pandas."""

    def iter_journeys(self, columns: Sequence[str], batch_rows: int):
        """The events of ``columns`` in (journey, time, row) order, as pandas frames of
        about ``batch_rows`` events that never split a journey."""
        raise NotImplementedError(f"{type(self).__name__} assigns journeys in its own way "
                                  "(label_journeys).")

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def _count(self) -> tuple[int, int]:
        if self._counts is None:
            n = self.query("SELECT count(*) AS events, count(DISTINCT case_id) AS cases "
                           "FROM events")
            self._counts = (int(n["events"].iloc[0]), int(n["cases"].iloc[0]))
        return self._counts

    @property
    def n_events(self) -> int:
        return self._count()[0]

    @property
    def n_cases(self) -> int:
        return self._count()[1]

    def fetch_paths(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """Every distinct path (:func:`.sql.paths_query`): the table (``length, cases,
        median_duration_s``, one row per path), the touchpoints of all paths one after
        the other as codes, and the touchpoint of each code."""
        table = self.query(paths_query(self.dialect))
        codes, names = pd.factorize(np.concatenate(
            [np.asarray(p, dtype=object) for p in table["path"]]) if len(table)
            else np.array([], dtype=object))
        return table.drop(columns="path"), codes.astype(np.int64), np.asarray(names, object)

    def paths(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """:meth:`fetch_paths`, run once per log."""
        if self._paths is None:
            with engine_step(self.engine, "journey paths"):
                self._paths = self.fetch_paths()
        return self._paths

    def dfg(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        with engine_step(self.engine, "directly-follows graph with times"):
            times = self.query(edge_times_query(self.dialect))
            table, codes, names = self.paths()
        return path_counts(times, table, codes, names)

    def variants(self, *, top: int | None = None) -> pd.DataFrame:
        from ..core.journeys import SEP

        with engine_step(self.engine, "variants"):
            table, codes, names = self.paths()
        return path_variants(table, codes, names, SEP, top)

    def matrix(self, *, unmapped: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        cells, tops = matrix_queries(self.dialect, unmapped)
        with engine_step(self.engine, "stage x channel journey map"):
            return self.query(cells), self.query(tops)

    def funnel(self, steps: Sequence[Sequence[str]], *, on: str) -> pd.DataFrame:
        with engine_step(self.engine, "funnel"):
            return self.query(funnel_query(self.dialect, steps, on)).sort_values("step")

    def features(self) -> dict[str, pd.DataFrame]:
        with engine_step(self.engine, "per-journey features"):
            return {name: self.query(q) for name, q in feature_queries(self.dialect).items()}

    def distinct(self, role: str) -> list[Any]:
        got = self.query(f"SELECT DISTINCT {role} AS v FROM events WHERE {role} IS NOT NULL")
        return sorted(got["v"].tolist())

    def events_frame(self, where: str | None = None) -> pd.DataFrame:
        """The kept events (canonical columns) as pandas, those matching ``where`` only."""
        cond = f" WHERE {where}" if where else ""
        cols = ", ".join(c for c in CANONICAL_COLUMNS if c in self._columns + ["row"])
        return self.query(f"SELECT {cols} FROM events{cond}")

    def sample(self, frac: float | None = None, *, random_state: int = 0):
        from ..core.log import read_events

        where = None if frac is None or frac >= 1 else \
            sample_filter(self.dialect, frac, random_state)
        frame = in_journey_order(self.events_frame(where))
        keys = {f"{r}_key": r for r in self._columns}
        return read_events(frame, **keys, instruments=instruments_of(self.schema),
                           satisfaction_scale=self.schema.satisfaction_scale,
                           duplicates="keep")

    def sample_source(self, frac: float | None = None, *, random_state: int = 0
                      ) -> pd.DataFrame:
        """The source's rows (every column, in source order) of the journeys :meth:`sample`
        chooses: read them with :func:`journeylab.read_events` and its options for a log
        in memory with every attribute (what a study does)."""
        columns = ", ".join(quote(c, self.dialect) for c in self.raw_types())
        case = quote(self.schema.key("case_id"), self.dialect)
        where = "" if frac is None or frac >= 1 else \
            " WHERE " + sample_filter(self.dialect, frac, random_state, case)
        frame = self.query(f"SELECT {columns} FROM raw{where} ORDER BY __row")
        for col in frame.columns:  # nullable flags and counts as pandas reads a file's
            kind = frame[col].dtype
            if isinstance(kind, pd.api.extensions.ExtensionDtype) and \
                    not isinstance(kind, pd.DatetimeTZDtype) and frame[col].isna().any():
                frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
        return frame

    def label_journeys(self, model: Any, *, batch_rows: int = 2_000_000) -> pd.DataFrame:
        with engine_step(self.engine, "assigning every journey its persona"):
            parts = [predict_frame(frame, model, self.schema)
                     for frame in self.iter_journeys(self._columns, batch_rows)]
        out = pd.concat(parts, ignore_index=True) if parts else \
            pd.DataFrame({"case_id": pd.Series(dtype=object), "persona": pd.Series(dtype="int64")})
        return out.sort_values("case_id", kind="stable").reset_index(drop=True)

    def design_rows(self, instrument: str | None = None, window: str = "journey", *,
                    groups: pd.Series | None = None, journeys: bool = False
                    ) -> dict[str, pd.DataFrame]:
        from ..errors import InvalidInputError

        if window not in ("journey", "since_previous"):
            raise InvalidInputError(f"window must be 'journey' or 'since_previous', got "
                                    f"{window!r}.")
        if not self.has("satisfaction"):
            raise InvalidInputError("attribute_satisfaction needs satisfaction scores: map them "
                                    "with read_events(..., satisfaction_key=..., "
                                    "instruments=...).")
        inst = dict(self.schema.instruments or {})
        if inst:
            name = instrument or max(inst, key=lambda k: inst[k][1] - inst[k][0])
            if name not in inst:
                raise InvalidInputError(f"Unknown instrument {name!r}; the log's instruments "
                                        f"are {sorted(inst)}.")
            scale = tuple(inst[name])
        else:
            if window != "journey":
                raise InvalidInputError("window='since_previous' needs survey events; a "
                                        "case-level score rates the whole journey.")
            name, scale = None, self.schema.satisfaction_scale
            if not scale:
                got = self.query("SELECT min(satisfaction) AS lo, max(satisfaction) AS hi FROM "
                                 f"steps WHERE satisfaction BETWEEN -{FINITE} AND {FINITE}")
                scale = (float(got["lo"].iloc[0]), float(got["hi"].iloc[0]))
        touchpoints = [a for a in self.distinct("activity") if a not in inst]
        view = None
        if groups is not None:
            view = "journeylab_groups"
            self.register(view, pd.DataFrame({"case_id": groups.index.astype(str).astype(object),
                                              "grp": groups.astype(str).astype(object)}))
        sql = design_queries(self.dialect, name, window, touchpoints, sorted(inst), view)
        rows = self.query(sql["rows"])
        rows = rows.rename(columns={"grp": "group"}).sort_values(
            ["pattern", "group", "score"], kind="stable").reset_index(drop=True)
        rows["journeys"] = rows["journeys"].astype(np.int64)
        rows.attrs.update(instrument=name or "satisfaction",
                          scale=(float(scale[0]), float(scale[1])))
        table = pd.DataFrame({"touchpoint": pd.Series(touchpoints, dtype=object)})
        modes = self.query(sql["modes"]).sort_values(
            ["role", "activity", "events", "first_case", "first_pos"],
            ascending=[True, True, False, True, True], kind="stable")
        for role in ("stage", "channel"):
            top = modes[modes["role"] == role].drop_duplicates("activity").set_index("activity")
            values = top["value"].reindex(touchpoints).to_numpy(dtype=object) \
                if self.has(role) else np.full(len(touchpoints), None, dtype=object)
            table[role] = values
        met = self.query(sql["customers"]).set_index("activity")["customers"]
        table["customers"] = met.reindex(touchpoints).fillna(0).to_numpy(dtype=np.int64)
        out = {"rows": rows, "touchpoints": table}
        if view is not None:
            counts = self.query(f"SELECT g.grp AS grp, count(*) AS journeys FROM (SELECT "
                                f"DISTINCT case_id FROM steps) c LEFT JOIN {view} g "
                                "ON g.case_id = c.case_id GROUP BY g.grp")
            out["groups"] = counts.rename(columns={"grp": "group"})
        if journeys:
            out["journeys"] = self.query(sql["journeys"]).rename(columns={"grp": "group"}) \
                .sort_values("case_id", kind="stable").reset_index(drop=True)
        return out

    @abstractmethod
    def register(self, name: str, frame: pd.DataFrame) -> None:
        """Make the pandas ``frame`` (small: one row per journey at most) the view
        ``name``."""

    # ------------------------------------------------------------------ loading
    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run a statement."""

    @abstractmethod
    def materialise(self, name: str, sql: str) -> None:
        """Keep the result of ``sql`` as the table (or cached view) ``name``."""

    @abstractmethod
    def raw_types(self) -> dict[str, str]:
        """The columns of the view ``raw`` (``__row`` left out) and their engine types."""

    def malformed_lines(self) -> int:
        """How many lines of a text source the engine's reader left out (a wrong number of
        fields); 0 where it keeps them."""
        return 0

    @abstractmethod
    def timestamp_expression(self, column: str, type_name: str) -> str:
        """How the raw timestamp ``column`` of this type becomes a UTC timestamp (``{0}`` is the
        column; NULL where it cannot be read)."""

    def load(self, schema: Schema, *, duplicates: str, report=None) -> None:
        """Validate the view ``raw`` into the table ``steps`` and the view ``events``.
        With ``report`` (a source validated in memory), nothing is set aside again."""
        from ..core.schema import ROLES

        types = self.raw_types()
        schema = schema.resolve(list(types))
        self.schema = schema
        col = schema.key("timestamp")
        ts = self.timestamp_expression(col, types[col])
        own = report is None  # read by the engine itself: the memory path's checks in SQL
        if own and not types[col].lower().startswith(("timestamp", "date")):
            ts = epoch_timestamp(self.dialect, types[col], lambda sql: self.query(
                f"SELECT {sql.format(quote(col, self.dialect))} AS v FROM raw WHERE "
                f"{quote(col, self.dialect)} IS NOT NULL LIMIT 65536")["v"]) or ts
        if own:
            ts = checked_timestamp(self.dialect, ts, types[col].lower() in ("varchar", "string"))
        select = canonical_select(self.dialect, schema, types, ts,
                                  clean=labels_to_clean(self.dialect, schema, types,
                                                        self.query) if own else ())
        kept, counts = quarantine_queries(self.dialect, select, list(types),
                                          "keep" if report is not None else duplicates)
        self._columns = [r for r in ROLES if r in ("case_id", "activity", "timestamp")
                         or schema.key(r) is not None]
        self._build(f"({kept}) k", values=f"(SELECT {select} FROM raw) r")
        if report is None:
            rows_in = int(self.query("SELECT count(*) AS n FROM raw")["n"].iloc[0])
            found: dict[str, int] = {}
            if rows_in != self.n_events:  # a second pass only when rows were set aside
                with engine_step(self.engine, "counting the rows set aside"):
                    reasons = self.query(counts)
                found = dict(zip(reasons["reason"], reasons["n"].astype(int)))
            malformed = self.malformed_lines()  # lines the reader could not make a row of
            if malformed:
                found["malformed_line"] = malformed
                rows_in += malformed
            report = EngineReport(rows_in, self.n_events,
                                  {k: found[k] for k in sorted(found)})
        self.report = report
        if self.n_events == 0:
            from ..errors import EmptyLogError

            why = ", ".join(f"{k}: {v:,}" for k, v in report.reasons.items())
            raise EmptyLogError(f"No usable events remain: {report.rows_in:,} rows read, all "
                                f"set aside ({why}). Check the column roles and the "
                                "timestamp format.")

    def _build(self, kept: str, values: str | None = None) -> None:
        """The table ``steps`` from the kept events ``kept``, and the views ``walk`` and
        ``events``. ``values`` (every row read, canonical columns, before validation) is
        where an engine may take its dictionaries of names from."""
        with engine_step(self.engine, "reading, validating and sorting events by journey"):
            self.materialise("steps", steps_query(self.dialect, kept))
        self.execute("CREATE OR REPLACE TEMPORARY VIEW walk AS SELECT *, case_id AS journey "
                     "FROM steps")
        self.execute("CREATE OR REPLACE TEMPORARY VIEW events AS SELECT "
                     + ", ".join(CANONICAL_COLUMNS) + " FROM steps")

    def filter_activities(self, activities: Sequence[str], *, keep: bool = True) -> "SQLLog":
        """A log of this one's journeys with only (``keep=False``: without) the touchpoints
        ``activities``, on the same connection or session (the report stays this log's)."""
        other = copy.copy(self)
        other.number, other._counts, other._paths, other.parent = \
            next(_numbers), None, None, self
        events = self.table_names()["events"]
        activities = as_names(activities)
        if activities:
            inside = ", ".join(literal(str(a), self.dialect) for a in activities)
            where = f" WHERE activity {'' if keep else 'NOT '}IN ({inside})"
        else:
            where = "" if not keep else " WHERE 1 = 0"
        other._build(f"(SELECT * FROM {events}{where}) k")
        return other
