"""The heavy aggregations written once in SQL, for every engine that speaks it.

DuckDB and Spark SQL agree on window functions (``lead`` over a journey's events), ``GROUP
BY`` and ``count(DISTINCT ...)``; they differ in a few spellings (epoch microseconds, an exact
quantile, a string aggregate in a given order), which a :class:`Dialect` holds. Every query
reads the view ``steps`` (:func:`steps_query`): one row per kept event with its journey
position and the next event's touchpoint and time, made by one sort of the events by
(journey, timestamp, source row), the order an :class:`~journeylab.EventLog` has.
Durations are seconds from microseconds; quantiles are exact and linear (numpy's method).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

__all__ = ["Dialect", "DUCKDB", "SPARK", "quote", "literal", "rename_tables", "steps_query",
           "journeys_per", "dfg_queries",
           "variants_query", "matrix_queries", "funnel_query", "feature_queries",
           "sample_filter", "START", "END"]

#: The names of the states before a journey's first and after its last touchpoint.
START, END = "__start__", "__end__"


@dataclass(frozen=True)
class Dialect:
    """How one engine spells what the queries need."""

    name: str
    quote_char: str
    micros: str  # epoch microseconds of {0}
    quantile: str  # exact linear quantile of {0} at {1}
    path: str  # the touchpoints of a group, joined by {sep} in order of pos
    hash: str  # a 64-bit hash of the string {0}

    def q(self, expr: str, p: float) -> str:
        return self.quantile.format(expr, repr(float(p)))


DUCKDB = Dialect("duckdb", '"', "epoch_us({0})", "quantile_cont({0}, {1})",
                 "string_agg(activity, {sep} ORDER BY pos)", "hash({0})")
SPARK = Dialect("spark", "`", "unix_micros({0})", "percentile({0}, {1})",
                "concat_ws({sep}, transform(array_sort(collect_list(struct(pos, activity))), "
                "x -> x.activity))", "xxhash64({0})")


def quote(name: str, dialect: Dialect) -> str:
    """A column name as a quoted SQL identifier."""
    c = dialect.quote_char
    return c + str(name).replace(c, c + c) + c


def literal(value: str, dialect: Dialect) -> str:
    """A string as a SQL literal of ``dialect`` (DuckDB doubles quotes; Spark's parser
    reads backslash escapes)."""
    if dialect.name == "spark":
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + str(value).replace("'", "''") + "'"


#: SQL split into string literals, quoted identifiers, words and the rest.
_TOKENS = {
    "duckdb": re.compile(r"('(?:[^']|'')*')|(\"(?:[^\"]|\"\")*\")|(\b\w+\b)|([^'\"\w]+)"),
    "spark": re.compile(r"('(?:[^'\\]|\\.)*')|(`(?:[^`]|``)*`)|(\b\w+\b)|([^'`\w]+)"),
}


def rename_tables(sql: str, names: Mapping[str, str], dialect: Dialect) -> str:
    """``sql`` with the tables ``names`` (e.g. ``{"steps": "steps_2"}``) renamed where a
    table is named (after FROM, JOIN, TABLE, VIEW); string literals, quoted identifiers
    and column names are left alone, so a touchpoint or a column called "events" stays
    what it is. The queries are written with the plain names
    (``raw``, ``events``, ``steps``), and each log runs them on its own tables."""
    out, previous = [], ""
    for lit, ident, word, rest in _TOKENS[dialect.name].findall(sql):
        if word:  # a table is named after one of these words, never elsewhere
            out.append(names.get(word, word) if previous in _BEFORE_TABLE else word)
            previous = word.upper()
        else:
            out.append(lit or ident or rest)
            previous = previous if rest and not rest.strip() else ""
    return "".join(out)


_BEFORE_TABLE = {"FROM", "JOIN", "TABLE", "VIEW"}


def steps_query(dialect: Dialect, events: str = "events") -> str:
    """Each event of ``events`` with its position in its journey (from 1) and the next
    event's touchpoint and time (NULL at the end); times in epoch microseconds (``us``)."""
    us = dialect.micros.format("timestamp")
    return (f"SELECT case_id, activity, timestamp, channel, stage, satisfaction, {us} AS us, row, "
            "row_number() OVER w AS pos, "
            "lead(activity) OVER w AS next_activity, "
            f"lead({us}) OVER w AS next_us "
            f"FROM {events} WINDOW w AS (PARTITION BY case_id ORDER BY timestamp, row)")


def journeys_per(select: str, keys: str, source: str) -> str:
    """The journeys in each group of ``source`` (a subquery ``keys, cases``): a plain
    GROUP BY of the distinct (group, journey) pairs, which spills to disk past a memory
    limit, where ``count(DISTINCT case_id)`` per group holds every group's set in memory."""
    return (f"(SELECT {keys}, count(*) AS cases FROM (SELECT DISTINCT {select}, case_id "
            f"FROM {source}) d GROUP BY {keys})")


def dfg_queries(dialect: Dialect) -> tuple[str, str]:
    """The edges (``source, target, events, cases, mean_s, median_s, p90_s``) and the nodes
    (``activity, events, cases, starts, ends``) of the directly-follows graph."""
    wait = "(next_us - us) / 1e6"
    edges = (f"SELECT e.source, e.target, e.events, c.cases, e.mean_s, e.median_s, e.p90_s "
             f"FROM (SELECT activity AS source, next_activity AS target, count(*) AS events, "
             f"avg({wait}) AS mean_s, {dialect.q(wait, 0.5)} AS median_s, "
             f"{dialect.q(wait, 0.9)} AS p90_s FROM steps WHERE next_activity IS NOT NULL "
             "GROUP BY activity, next_activity) e JOIN "
             + journeys_per("activity AS source, next_activity AS target", "source, target",
                            "steps WHERE next_activity IS NOT NULL")
             + " c ON e.source = c.source AND e.target = c.target")
    nodes = ("SELECT n.activity, n.events, c.cases, n.starts, n.ends FROM "
             "(SELECT activity, count(*) AS events, "
             "sum(CASE WHEN pos = 1 THEN 1 ELSE 0 END) AS starts, "
             "sum(CASE WHEN next_activity IS NULL THEN 1 ELSE 0 END) AS ends "
             "FROM steps GROUP BY activity) n JOIN "
             + journeys_per("activity", "activity", "steps") + " c ON n.activity = c.activity")
    return edges, nodes


def variants_query(dialect: Dialect, sep: str, top: int | None = None) -> str:
    """Every distinct path (``variant, length, cases, median_duration_s``), most journeys
    first, ties by path text; the first ``top`` only when given."""
    path = dialect.path.format(sep=literal(sep, dialect))
    limit = f" LIMIT {int(top)}" if top else ""
    return ("WITH journeys AS (SELECT case_id, "
            f"{path} AS variant, count(*) AS length, (max(us) - min(us)) / 1e6 AS duration "
            "FROM steps GROUP BY case_id) "
            "SELECT variant, min(length) AS length, count(*) AS cases, "
            f"{dialect.q('duration', 0.5)} AS median_duration_s FROM journeys "
            f"GROUP BY variant ORDER BY cases DESC, variant{limit}")


def matrix_queries(dialect: Dialect, unmapped: str) -> tuple[str, str]:
    """The stage x channel cells (``stage, channel, events, customers, ends``) and each
    cell's touchpoints with their events (``stage, channel, activity, events``); an event
    without a stage or a channel falls in the cell (``unmapped``, ``unmapped``)."""
    u = literal(unmapped, dialect)
    missing = "stage IS NULL OR channel IS NULL"
    src = (f"(SELECT case_id, activity, next_activity, "
           f"CASE WHEN {missing} THEN {u} ELSE stage END AS stage, "
           f"CASE WHEN {missing} THEN {u} ELSE channel END AS channel FROM steps) c")
    cells = ("SELECT m.stage, m.channel, m.events, c.cases AS customers, m.ends FROM "
             "(SELECT stage, channel, count(*) AS events, "
             "sum(CASE WHEN next_activity IS NULL THEN 1 ELSE 0 END) AS ends "
             f"FROM {src} GROUP BY stage, channel) m JOIN "
             + journeys_per("stage, channel", "stage, channel", src)
             + " c ON m.stage = c.stage AND m.channel = c.channel")
    tops = (f"SELECT stage, channel, activity, count(*) AS events FROM {src} "
            "GROUP BY stage, channel, activity")
    return cells, tops


def funnel_query(dialect: Dialect, steps: Sequence[Sequence[str]], on: str) -> str:
    """Per step: the journeys that reached it after the previous one (``customers``) and the
    wait from the previous step (``median_time_s``, ``p90_time_s``): a journey reaches a
    step at its first event of the step at or after the time it reached the previous one."""
    col = "activity" if on == "activity" else "stage"
    ctes, selects = [], []
    for k, names in enumerate(steps, start=1):
        inside = ", ".join(literal(n, dialect) for n in names)
        if k == 1:
            ctes.append(f"s1 AS (SELECT case_id, min(us) AS t, CAST(NULL AS DOUBLE) AS wait "
                        f"FROM steps WHERE {col} IN ({inside}) GROUP BY case_id)")
        else:
            ctes.append(f"s{k} AS (SELECT e.case_id, min(e.us) AS t, "
                        f"(min(e.us) - p.t) / 1e6 AS wait FROM steps e "
                        f"JOIN s{k - 1} p ON e.case_id = p.case_id "
                        f"WHERE e.{col} IN ({inside}) AND e.us >= p.t GROUP BY e.case_id, p.t)")
        selects.append(f"SELECT {k} AS step, count(*) AS customers, "
                       f"{dialect.q('wait', 0.5)} AS median_time_s, "
                       f"{dialect.q('wait', 0.9)} AS p90_time_s FROM s{k}")
    return "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)


def feature_queries(dialect: Dialect) -> dict[str, str]:
    """The per-journey features personas are learnt from, each a long table:
    ``journeys`` (``case_id, length, duration_s``), ``touchpoints`` (``case_id, activity,
    n``), ``transitions`` (``case_id, source, target, n``, from START and to END included)
    and ``channels`` (``case_id, channel, n``)."""
    start, end = literal(START, dialect), literal(END, dialect)
    return {
        "journeys": ("SELECT case_id, count(*) AS length, (max(us) - min(us)) / 1e6 AS "
                     "duration_s FROM steps GROUP BY case_id"),
        "touchpoints": ("SELECT case_id, activity, count(*) AS n FROM steps "
                        "GROUP BY case_id, activity"),
        "transitions": (
            f"SELECT case_id, source, target, count(*) AS n FROM ("
            f"SELECT case_id, {start} AS source, activity AS target FROM steps "
            "WHERE pos = 1 UNION ALL "
            f"SELECT case_id, activity AS source, coalesce(next_activity, {end}) "
            "AS target FROM steps) t GROUP BY case_id, source, target"),
        "channels": ("SELECT case_id, channel, count(*) AS n FROM steps "
                     "WHERE channel IS NOT NULL GROUP BY case_id, channel"),
    }


def sample_filter(dialect: Dialect, frac: float, random_state: int,
                  case: str = "case_id") -> str:
    """A predicate keeping whole journeys, a share ``frac`` of them chosen by a hash of the
    journey id (the column ``case``, quoted) and ``random_state`` (same value, same
    journeys)."""
    salt = literal("#" + str(int(random_state)), dialect)
    key = dialect.hash.format(f"concat(CAST({case} AS STRING), {salt})")
    bucket = int(round(frac * 1_000_000))
    return f"abs({key} % 1000000) < {bucket}"
