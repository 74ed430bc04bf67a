"""The heavy aggregations written once in SQL, for every engine that speaks it.

DuckDB and Spark SQL agree on window functions (``lead`` over a journey's events), ``GROUP
BY`` and ``count(DISTINCT ...)``; they differ in a few spellings (epoch microseconds, an exact
quantile, a string aggregate in a given order), which a :class:`Dialect` holds. Every query
reads ``steps`` (:func:`steps_query`): one row per kept event with its journey position
and the next event's touchpoint and time, made by one sort of the events by (journey,
timestamp, source row), the order an :class:`~journeylab.EventLog` has. The heaviest
queries read ``walk``, the same rows with ``journey`` (a code for the journey: DuckDB keeps
integers and ENUMs there, the smallest rows to sort and group) in place of ``case_id``.
Durations are seconds from microseconds; quantiles are exact and linear (numpy's method).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

__all__ = ["Dialect", "DUCKDB", "SPARK", "quote", "literal", "rename_tables", "steps_query",
           "journeys_per", "edge_times_query", "paths_query", "matrix_queries",
           "funnel_query", "feature_queries",
           "sample_filter", "START", "END", "FINITE", "target_query", "design_queries"]

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
    path_key: str  # a journey's touchpoints in order of pos, as one comparable value
    text: str = "VARCHAR"  # the text type
    matches: str = "regexp_matches({0}, {1})"  # whether text {0} holds the regex {1}
    nfc: str = "nfc_normalize({0})"  # text {0} in Unicode's composed form (NFC)
    from_micros: str = "CAST(make_timestamp({0}) AS TIMESTAMPTZ)"  # epoch microseconds {0}
    octets: str = "strlen({0})"  # the bytes of text {0} (its characters: length)

    def q(self, expr: str, p: float) -> str:
        return self.quantile.format(expr, repr(float(p)))


DUCKDB = Dialect("duckdb", '"', "epoch_us({0})", "quantile_cont({0}, {1})",
                 "string_agg(activity, {sep} ORDER BY pos)", "hash({0})",
                 # the touchpoints' codes (an ENUM's) in order, by sorting pos * 2^24 + code
                 "list_sort(list(pos::BIGINT * 16777216 + enum_code(activity)))")
SPARK = Dialect("spark", "`", "unix_micros({0})", "percentile({0}, {1})",
                "concat_ws({sep}, transform(array_sort(collect_list(struct(pos, activity))), "
                "x -> x.activity))", "xxhash64({0})",
                "transform(array_sort(collect_list(struct(pos, activity))), x -> x.activity)",
                text="STRING", matches="({0} RLIKE {1})",
                nfc="{0}",  # Spark SQL has no Unicode normalisation
                from_micros="timestamp_micros({0})", octets="octet_length({0})")


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
    limit, where ``count(DISTINCT journey)`` per group holds every group's set in memory."""
    return (f"(SELECT {keys}, count(*) AS cases FROM (SELECT DISTINCT {select}, journey "
            f"FROM {source}) d GROUP BY {keys})")


def edge_times_query(dialect: Dialect) -> str:
    """The directly-follows edges with their events and times (``source, target, events,
    mean_s, median_s, p90_s``), from the table ``walk`` (``journey`` the journey's code)."""
    wait = "(next_us - us) / 1e6"
    return (f"SELECT activity AS source, next_activity AS target, count(*) AS events, "
            f"avg({wait}) AS mean_s, {dialect.q(wait, 0.5)} AS median_s, "
            f"{dialect.q(wait, 0.9)} AS p90_s FROM walk WHERE next_activity IS NOT NULL "
            "GROUP BY activity, next_activity")


def paths_query(dialect: Dialect) -> str:
    """Every distinct path (``path``: the dialect's ``path_key``) with its ``length``, its
    journeys (``cases``) and their median duration (``median_duration_s``). Everything a
    path decides (variants, and the journeys, starts and ends of each touchpoint and
    edge) is counted from this table, far smaller than the events."""
    return ("SELECT path, min(length) AS length, count(*) AS cases, "
            f"{dialect.q('duration', 0.5)} AS median_duration_s FROM (SELECT journey, "
            f"{dialect.path_key} AS path, count(*) AS length, (max(us) - min(us)) / 1e6 AS "
            "duration FROM walk GROUP BY journey) j GROUP BY path")


def matrix_queries(dialect: Dialect, unmapped: str) -> tuple[str, str]:
    """The stage x channel cells (``stage, channel, events, customers, ends``) and each
    cell's touchpoints with their events (``stage, channel, activity, events``); the events
    without a stage or a channel make one cell, named (``unmapped``, ``unmapped``) once
    grouped. The events are grouped by their stored values (DuckDB's ENUMs)."""
    u = literal(unmapped, dialect)
    missing = "stage IS NULL OR channel IS NULL"
    src = (f"(SELECT journey, activity, next_activity, "
           f"CASE WHEN {missing} THEN NULL ELSE stage END AS stage, "
           f"CASE WHEN {missing} THEN NULL ELSE channel END AS channel FROM walk) c")

    def named(col: str) -> str:
        return f"coalesce(CAST({col} AS STRING), {u})"

    cells = (f"SELECT {named('m.stage')} AS stage, {named('m.channel')} AS channel, m.events, "
             "c.cases AS customers, m.ends FROM "
             "(SELECT stage, channel, count(*) AS events, "
             "sum(CASE WHEN next_activity IS NULL THEN 1 ELSE 0 END) AS ends "
             f"FROM {src} GROUP BY stage, channel) m JOIN "
             + journeys_per("stage, channel", "stage, channel", src)
             + " c ON m.stage IS NOT DISTINCT FROM c.stage AND "
               "m.channel IS NOT DISTINCT FROM c.channel")
    tops = (f"SELECT {named('stage')} AS stage, {named('channel')} AS channel, activity, "
            f"events FROM (SELECT stage, channel, activity, count(*) AS events FROM {src} "
            "GROUP BY stage, channel, activity) t")
    return cells, tops


def funnel_query(dialect: Dialect, steps: Sequence[Sequence[str]], on: str) -> str:
    """Per step: the journeys that reached it after the previous one (``customers``) and the
    wait from the previous step (``median_time_s``, ``p90_time_s``): a journey reaches a
    step at its first event of the step after the event that reached the previous one (by
    position: one event never counts for two steps)."""
    col = "activity" if on == "activity" else "stage"
    ctes, selects = [], []
    for k, names in enumerate(steps, start=1):
        inside = ", ".join(literal(n, dialect) for n in names)
        if k == 1:
            ctes.append(f"s1 AS (SELECT case_id, min(pos) AS at, min(us) AS t, "
                        f"CAST(NULL AS DOUBLE) AS wait "
                        f"FROM steps WHERE {col} IN ({inside}) GROUP BY case_id)")
        else:
            # in a journey, a later position is never an earlier time: min(us) is the time
            # of the event at min(pos)
            ctes.append(f"s{k} AS (SELECT e.case_id, min(e.pos) AS at, min(e.us) AS t, "
                        f"(min(e.us) - p.t) / 1e6 AS wait FROM steps e "
                        f"JOIN s{k - 1} p ON e.case_id = p.case_id "
                        f"WHERE e.{col} IN ({inside}) AND e.pos > p.at "
                        "GROUP BY e.case_id, p.t)")
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


#: The widest finite double: a score ``BETWEEN -FINITE AND FINITE`` is neither NULL, NaN
#: (above every number in both engines) nor infinite.
FINITE = "1.7976931348623157E308"


def target_query(dialect: Dialect, instrument: str | None, window: str) -> str:
    """Per scored journey ``case_id, score, answered_at, window_start``: the touchpoints at
    positions in ``[window_start, answered_at)`` may explain the score. With an
    ``instrument``, its journey's last finite answer (the window opens after the answer
    before it when ``window="since_previous"``); without, the journey's mean score."""
    finite = f"satisfaction BETWEEN -{FINITE} AND {FINITE}"
    if instrument is None:
        return ("SELECT case_id, sum(CASE WHEN " + finite + " THEN satisfaction END) / "
                "count(CASE WHEN " + finite + " THEN 1 END) AS score, max(pos) + 1 AS "
                "answered_at, 1 AS window_start FROM steps GROUP BY case_id "
                "HAVING count(CASE WHEN " + finite + " THEN 1 END) > 0")
    start = "coalesce(p.pos + 1, 1)" if window == "since_previous" else "1"
    answers = ("SELECT case_id, pos, satisfaction, row_number() OVER (PARTITION BY case_id "
               f"ORDER BY pos DESC) AS k FROM steps WHERE activity = "
               f"{literal(instrument, dialect)} AND {finite}")
    return (f"SELECT a.case_id, a.satisfaction AS score, a.pos AS answered_at, {start} AS "
            f"window_start FROM ({answers}) a LEFT JOIN ({answers}) p "
            "ON p.case_id = a.case_id AND p.k = 2 WHERE a.k = 1")


def design_queries(dialect: Dialect, instrument: str | None, window: str,
                   touchpoints: Sequence[str], surveys: Sequence[str],
                   groups: str | None = None) -> dict[str, str]:
    """What a satisfaction-drivers fit is made of (:func:`target_query`'s target):
    ``journeys`` (``case_id, score, pattern, grp``: each scored journey's touchpoints met
    in its window as their indexes in ``touchpoints`` joined by commas in increasing order,
    ``''`` for none; ``grp`` its group in the view ``groups`` (``case_id, grp``), else
    NULL), ``rows`` (``pattern, grp, score, journeys``: the distinct rows and how many
    journeys have each), ``customers`` (``activity, customers``: journeys that met each
    touchpoint at all) and ``modes`` (``role, activity, value, events, first_case,
    first_pos``: each touchpoint's stages and channels, how often, and where first)."""
    skip = ", ".join(literal(s, dialect) for s in surveys)
    not_survey = f"activity NOT IN ({skip})" if surveys else "1 = 1"
    not_survey_s = f"s.activity NOT IN ({skip})" if surveys else "1 = 1"
    code = "CASE activity " + " ".join(
        f"WHEN {literal(a, dialect)} THEN {j}" for j, a in enumerate(touchpoints)) + " END"
    if not touchpoints:
        code = "CAST(NULL AS INT)"
    met = ("SELECT DISTINCT s.case_id, s.activity FROM steps s JOIN target t "
           "ON s.case_id = t.case_id WHERE s.pos >= t.window_start AND s.pos < t.answered_at "
           f"AND {not_survey_s}")
    coded = f"SELECT case_id, CAST({code} AS STRING) AS activity, {code} AS pos FROM met"
    path = dialect.path.format(sep=literal(",", dialect))
    keys = f"SELECT case_id, {path} AS pattern FROM ({coded}) c GROUP BY case_id"
    grp = "g.grp" if groups else "CAST(NULL AS STRING)"
    join = f" LEFT JOIN {groups} g ON g.case_id = t.case_id" if groups else ""
    journeys = (f"WITH target AS ({target_query(dialect, instrument, window)}), met AS ({met}), "
                f"keys AS ({keys}) SELECT t.case_id, t.score, coalesce(k.pattern, '') AS "
                f"pattern, {grp} AS grp FROM target t LEFT JOIN keys k ON k.case_id = t.case_id"
                f"{join}")
    rows = (f"SELECT pattern, grp, score, count(*) AS journeys FROM ({journeys}) j "
            "GROUP BY pattern, grp, score")
    customers = (f"SELECT activity, count(DISTINCT case_id) AS customers FROM steps "
                 f"WHERE {not_survey} GROUP BY activity")
    modes = []
    for role in ("stage", "channel"):
        counts = (f"SELECT activity, {role} AS value, count(*) AS events, min(case_id) AS "
                  f"first_case FROM steps WHERE {role} IS NOT NULL GROUP BY activity, {role}")
        modes.append(f"SELECT {literal(role, dialect)} AS role, c.activity, c.value, c.events, "
                     f"c.first_case, min(s.pos) AS first_pos FROM ({counts}) c JOIN steps s "
                     f"ON s.activity = c.activity AND s.{role} = c.value AND s.case_id = "
                     "c.first_case GROUP BY c.activity, c.value, c.events, c.first_case")
    return {"journeys": journeys, "rows": rows, "customers": customers,
            "modes": " UNION ALL ".join(modes)}
