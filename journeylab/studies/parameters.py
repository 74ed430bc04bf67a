"""A study's parameters: the one table of every parameter the notebooks take (its type and
the help its ``parameters`` cell shows), and the checks that stop a run before any work
with the parameter's name and the fix.

The notebooks' ``parameters`` cells, the command line's flags and :func:`check_parameters`
all follow :data:`STUDY_PARAMETERS`; a test holds every notebook to it.
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Mapping

from ..errors import InvalidInputError

__all__ = ["STUDY_PARAMETERS", "READING_OPTIONS", "check_parameters", "study_parameters"]

# Every parameter a study takes, one per line as the notebooks' parameters cells write it
# (``name: type = default  # help``), without the default, which each notebook chooses.
_DECLARED = """
events_path: str  # event file: CSV, Parquet, XES(.gz), JSON lines
case_id_key: str  # column holding the journey (customer) id; "" looks it up (case_id, case:concept:name, ...)
activity_key: str  # column holding the touchpoint; "" looks it up (activity, concept:name, ...)
timestamp_key: str  # column holding when it happened; "" looks it up (timestamp, time:timestamp, ...)
channel_key: str  # column holding the channel; "" looks for channel (none if absent)
stage_key: str  # column holding the journey stage; "" looks for stage (none if absent)
satisfaction_key: str  # column holding survey scores; "" looks for satisfaction (none if absent)
instruments: dict  # survey activity -> [low, high] scale; {} looks them up from the scores
catalogue_path: str  # optional touchpoint catalogue CSV (activity, stage, channel)
engine: str  # where the heavy passes run: memory (logs that fit), duckdb (out of core: files larger than memory) or spark
memory_limit: str  # engine duckdb: its memory cap, e.g. 8GB, past which it spills to disk; "" for DuckDB's own
spark_url: str  # engine spark: a Spark Connect URL such as sc://host:15002; "" starts a local session
sample_journeys: int  # engine duckdb or spark: journeys read into memory for the tables and figures that need them
pseudonymise: bool  # show keyed pseudonyms, not customer ids (key: $JOURNEYLAB_PSEUDONYM_KEY or ~/.config/journeylab/pseudonym.key)
min_customers: int  # k-anonymity: hide table rows and map elements about fewer customers (1 shows all)
lifecycle: str  # auto: with start/complete pairs keep the completions; complete; all keeps every event
output_dir: str  # where tables and figures are written
random_state: int  # random seed for every random step
outcome_column: str  # journey outcome: a yes/no column, or a column, an equals sign and the value that counts; "" looks for converted/outcome
segment_column: str  # journey-level column to break down and compare by; "" looks for segment (none if absent)
designed_journey: list  # the intended journey, touchpoints in order; [] skips conformance
funnel_steps: list  # funnel steps (stages or touchpoints); [] for the stages in order
activity_coverage: float  # process map: share of events whose touchpoints are shown
path_coverage: float  # process map: share of transitions whose edges are shown
min_edge_share: float  # process map: hide edges below this share of their ends' flow
variant_coverage: float  # share of journeys the top variants and the process model cover
max_steps: int  # steps shown in the step matrix
sankey_steps: int  # steps of the journeys the Sankey diagram shows
method: str  # auto (chosen from the data), markov (how journeys move), kmeans or agglomerative (what they contain)
n_personas: str  # number of personas, or "auto" to choose it from the data
k_min: int  # smallest number of personas tried by "auto"
k_max: int  # largest number of personas tried by "auto" (widened when the choice is the largest)
min_touchpoints: int  # journeys with fewer touchpoints are too short to tell
stability_resamples: int  # refits on 80% subsamples to measure stability (0 to skip)
compare: list  # two personas to compare side by side
truth_path: str  # planted personas (case_id, persona) to check against; "" if none
instrument: str  # the survey whose answers are explained; "" takes the one with the widest scale
csat_instrument: str  # a survey answered several times per journey, for the drops; "" looks one up
controls: str  # fixed effects: personas, none, or a journey-level column
personas_path: str  # assignments.csv written by 02_personas (case_id, persona) for the personas; "" to find them here
window: str  # touchpoints that explain a score: journey (all before it) or since_previous (since the last answer, for a CSAT)
min_effect: float  # smallest effect worth calling an irritant or delight, in points of the target's scale
n_boot: int  # bootstrap resamples for the intervals
level: float  # confidence level of the intervals
examples: int  # journeys whose score gap is decomposed as examples
"""  # noqa: E501


def _declared(text: str) -> dict[str, tuple[str, str]]:
    rows = (line.partition("  # ") for line in text.strip().splitlines())
    return {name: (kind, help_text) for (name, _, kind), help_text in
            ((head.partition(": "), help_text) for head, _, help_text in rows)}


# name -> (type, help)
STUDY_PARAMETERS: dict[str, tuple[str, str]] = _declared(_DECLARED)

# read_events options a study may pass through open_study (the command line's flags)
READING_OPTIONS = ("lifecycle", "sep", "encoding", "format", "table", "timestamp_format",
                   "dayfirst", "assume_timezone", "duplicates", "satisfaction_scale")

# Paths that must exist when given ("" means none); events_path is always needed.
_OPTIONAL_PATHS = ("catalogue_path", "truth_path", "personas_path")
_CHOICES = {
    "method": ("auto", "markov", "kmeans", "agglomerative"),
    "lifecycle": ("auto", "complete", "all"),
    "window": ("journey", "since_previous"),
    "engine": ("memory", "duckdb", "spark"),
}
_SHARES = ("activity_coverage", "path_coverage", "min_edge_share", "variant_coverage")
_AT_LEAST = {"random_state": 0, "n_boot": 0, "stability_resamples": 0, "examples": 0, "k_min": 1,
             "k_max": 1, "min_touchpoints": 1, "max_steps": 1, "sankey_steps": 2,
             "min_customers": 1,
             "sample_journeys": 1}


def _problem(name: str, value: Any, need: str) -> str:
    return f"parameter {name}={value!r}: {need}"


def _check_one(name: str, value: Any, base: Path) -> str | None:
    if name == "events_path" or (name in _OPTIONAL_PATHS and value):
        if not isinstance(value, str):
            return _problem(name, value, "give a file path as text")
        path = base / value
        found = path.exists() or ("*" in value and any(path.parent.glob(path.name)))
        if not found:
            return _problem(name, value, f"no such file (looked in {path.resolve()}); give "
                            "the path of an existing file, relative to the notebook's folder"
                            + ("" if name == "events_path" else ", or \"\" for none"))
    elif name in _CHOICES and value not in _CHOICES[name]:
        return _problem(name, value, f"must be one of {list(_CHOICES[name])}")
    elif name == "level" and not (isinstance(value, (int, float)) and 0 < value < 1):
        return _problem(name, value, "a confidence level between 0 and 1, such as 0.95")
    elif name in _SHARES and not (isinstance(value, (int, float)) and 0 <= value <= 1):
        return _problem(name, value, "a share between 0 and 1")
    elif name in _AT_LEAST and not (isinstance(value, int) and not isinstance(value, bool)
                                    and value >= _AT_LEAST[name]):
        return _problem(name, value, f"a whole number of at least {_AT_LEAST[name]}")
    elif name == "min_effect" and not (isinstance(value, (int, float)) and value >= 0):
        return _problem(name, value, "a number of score points, 0 or more")
    elif name == "n_personas" and not (value == "auto" or str(value).isdigit()
                                       and int(value) >= 1):
        return _problem(name, value, "\"auto\" or a whole number of personas such as \"6\"")
    elif name == "instruments" and not (isinstance(value, Mapping) and all(
            isinstance(v, (list, tuple)) and len(v) == 2 and float(v[0]) < float(v[1])
            for v in value.values())):
        return _problem(name, value, "a dict of survey activity -> [low, high], such as "
                        "{\"nps_survey\": [0, 10]}")
    return None


def _unknown(name: str) -> str:
    close = difflib.get_close_matches(name, STUDY_PARAMETERS, n=1)
    return f"parameter {name}: unknown" + (f"; did you mean {close[0]}?" if close else
                                            "; see journeylab.STUDY_PARAMETERS")


def check_parameters(*, base_dir: str | Path = ".", **parameters: Any) -> dict[str, Any]:
    """Check a study's parameters before any work; return them as a dict.

    Paths are checked to exist (relative to ``base_dir``, the notebook's folder), levels
    and shares to lie in their range, counts to be whole numbers, choices to be known;
    ``k_max`` must not be below ``k_min``. Every name must be one of
    :data:`STUDY_PARAMETERS` (a misspelt name would else be ignored). Every problem is
    listed in one error.

    Raises
    ------
    InvalidInputError
        Naming each bad parameter, its value and what it needs.

    Examples
    --------
    >>> check_parameters(level=0.95, n_boot=200)["n_boot"]
    200
    >>> check_parameters(level=1.5)
    Traceback (most recent call last):
    ...
    journeylab.errors.InvalidInputError: parameter level=1.5: a confidence level between 0 and 1, such as 0.95
    """  # noqa: E501
    base = Path(base_dir)
    problems = [_unknown(name) for name in parameters if name not in STUDY_PARAMETERS]
    # a Spark engine also reads a table of its catalogue, named like "lake.events"
    table = parameters.get("engine") == "spark" and "/" not in str(parameters.get(
        "events_path", "/")) and not str(parameters.get("events_path")).endswith(
        (".csv", ".parquet", ".xes", ".gz", ".jsonl", ".duckdb"))
    problems += [p for name, value in parameters.items()
                 if name in STUDY_PARAMETERS and not (name == "events_path" and table)
                 and (p := _check_one(name, value, base)) is not None]
    k_min, k_max = parameters.get("k_min"), parameters.get("k_max")
    if isinstance(k_min, int) and isinstance(k_max, int) and k_max < k_min:
        problems.append(f"parameter k_max={k_max!r}: must not be below k_min={k_min!r}")
    if problems:
        raise InvalidInputError("; ".join(problems))
    return dict(parameters)




def study_parameters(namespace: Mapping[str, Any], *, base_dir: str | Path = "."
                     ) -> dict[str, Any]:
    """The study's parameters among a notebook's variables, checked.

    A notebook passes ``globals()`` right after its ``parameters`` cell (and the values
    papermill injected): every variable named in :data:`STUDY_PARAMETERS` is taken, in
    the table's order, and checked with :func:`check_parameters`. The result goes to
    :func:`journeylab.open_study` and :func:`journeylab.record_provenance`.

    Examples
    --------
    >>> events_path, n_boot, plt = __file__, 200, object()
    >>> sorted(study_parameters(globals()))
    ['events_path', 'n_boot']
    """
    found = {name: namespace[name] for name in STUDY_PARAMETERS if name in namespace}
    return check_parameters(base_dir=base_dir, **found)
