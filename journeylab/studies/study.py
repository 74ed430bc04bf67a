"""A study is a log opened with its parameters: :func:`open_study` reads it the one way the
notebooks and the command line share (the role look-up, outcome and segment found,
quarantine written), and :func:`record_provenance` records what the results came from
(data hash, parameters, package versions) beside them. ``provenance.json`` holds no clock
time, so two runs with the same inputs write the same bytes. The parameters themselves
are checked in :mod:`.parameters`.
"""
from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..errors import InvalidInputError

__all__ = ["record_provenance", "file_sha256", "open_study", "Study",
           "OUTCOME_NAMES", "SEGMENT_NAMES"]

_VERSIONS = ("journeylab", "numpy", "pandas", "scipy", "scikit-learn", "pm4py", "duckdb",
             "pyarrow", "matplotlib", "seaborn", "plotly", "ipywidgets", "papermill")


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (read in chunks, any size).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> _ = open(p, "w").write("abc")
    >>> file_sha256(p)[:12]
    'ba7816bf8f01'
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def record_provenance(parameters: Mapping[str, Any], out_dir: str | Path, *,
                      base_dir: str | Path = ".") -> pd.DataFrame:
    """Write ``provenance.json`` to ``out_dir``: each input file's name and SHA-256, the
    parameters, Python's and the packages' versions. Returns it as a table to show.

    Parameters that are output folders are left out (they name where, not what), and no
    clock time is written: the same inputs and parameters give the same bytes.

    Examples
    --------
    >>> import tempfile, json, os
    >>> d = tempfile.mkdtemp()
    >>> table = record_provenance({"random_state": 1}, d)
    >>> json.load(open(os.path.join(d, "provenance.json")))["parameters"]
    {'random_state': 1}
    """
    base = Path(base_dir)
    params = {k: v for k, v in parameters.items() if k != "output_dir"}
    inputs = {}
    for name, value in params.items():
        if name.endswith("_path") and value and (base / value).is_file():
            inputs[name] = {"file": Path(value).name, "sha256": file_sha256(base / value)}
    record = {"inputs": inputs, "parameters": params,
              "versions": {"python": platform.python_version(),
                           **{p: _version(p) for p in _VERSIONS}}}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "provenance.json").write_text(json.dumps(record, indent=1, sort_keys=True,
                                                    default=str) + "\n", encoding="utf-8")
    rows = [("input", f"{k}: {v['file']}", f"sha256 {v['sha256']}") for k, v in inputs.items()]
    rows += [("parameter", k, json.dumps(v, default=str)) for k, v in params.items()]
    rows += [("version", k, v) for k, v in record["versions"].items()]
    return pd.DataFrame(rows, columns=["kind", "name", "value"])


# ----------------------------------------------------------------------------- opening a study
#: Journey-level columns looked up, in this order, when no outcome is named.
OUTCOME_NAMES: tuple[str, ...] = ("converted", "conversion", "outcome", "case:outcome",
                                  "case:converted", "success")
#: Journey-level columns looked up, in this order, when no segment is named.
SEGMENT_NAMES: tuple[str, ...] = ("segment", "case:segment", "customer_segment")
_YES = {"true", "1", "1.0", "yes", "y", "converted", "t"}
_NO = {"false", "0", "0.0", "no", "n", "not converted", "f", ""}

# What each section may need, as (test on the study, the sentence's "needs ..." part).
_NEEDS: dict[str, str] = {
    "outcome": "a journey outcome: set outcome_column to a yes/no column of the journeys, "
               "or to column=value (e.g. outcome=approved)",
    "segment": "a journey-level column with two or more values: set segment_column",
    "stage": "a stage for each touchpoint: set stage_key, or give catalogue_path",
    "channel": "a channel for each touchpoint: set channel_key, or give catalogue_path",
    "satisfaction": "survey scores: set satisfaction_key to the column holding them "
                    "(and instruments to the survey activities and their scales)",
    "repeated survey": "a survey answered more than once in a journey: set csat_instrument",
    "design": "a designed journey whose touchpoints are in the log: set designed_journey to "
              "the intended touchpoints, in order",
    "truth": "planted personas to compare with: set truth_path to a (case_id, persona) file",
}


@dataclass
class Study:
    """A log opened for a study, and which optional inputs it has.

    Notebooks and the command line open logs the same way (:func:`open_study`); each
    section asks :meth:`ready` whether its inputs are there, and when they are not, one
    plain sentence says what it would need.

    Attributes
    ----------
    parameters : dict
        The study's parameters as given (for provenance).
    log : EventLog
        Every kept event, surveys included (pseudonymised when asked).
    journeys : EventLog
        The touchpoints: ``log`` without survey events.
    out : Path
        The output folder (created).
    outcome, segment : str or None
        The journey-level outcome flag and segment column, or None when absent.
    notes : list of str
        What was looked up or left out, in plain words.
    engine_log, engine_journeys : EngineLog or None
        With ``engine`` ``"duckdb"`` or ``"spark"``: every event, and the touchpoints, in
        the engine; ``log`` and ``journeys`` are then a seeded sample of
        ``sample_journeys`` whole journeys in memory, for what needs the journeys there.
    """

    parameters: dict[str, Any]
    log: Any
    journeys: Any
    out: Path
    outcome: str | None = None
    segment: str | None = None
    notes: list[str] = field(default_factory=list)
    engine_log: Any = None
    engine_journeys: Any = None

    @property
    def full_journeys(self) -> Any:
        """Every journey's touchpoints: the engine's log when there is one, else
        ``journeys``."""
        return self.journeys if self.engine_journeys is None else self.engine_journeys

    def _repr_html_(self) -> str:
        from html import escape

        log = self.log if self.engine_log is None else self.engine_log  # every row read
        report = log.report._repr_html_() if log.report is not None else ""
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return report + (f"<p><b>Looked up</b></p><ul>{notes}</ul>" if notes else "")

    def has(self, need: str) -> bool:
        """Whether the study has one input (a key of the needs listed in :meth:`ready`)."""
        ev = self.journeys.events.columns
        if need in ("outcome", "segment"):
            return getattr(self, need) is not None
        if need in ("stage", "channel"):
            return need in ev
        if need == "satisfaction":
            return "satisfaction" in self.log.events.columns and \
                bool(self.log.events["satisfaction"].notna().any())
        if need == "repeated survey":
            return self.repeated_survey is not None
        if need == "design":
            design = [str(a) for a in self.parameters.get("designed_journey") or []]
            return bool(set(design) & set(map(str, self.journeys.activities)))
        if need == "truth":
            return bool(self.parameters.get("truth_path"))
        raise InvalidInputError(f"Unknown need {need!r}; known: {sorted(_NEEDS)}.")

    @property
    def repeated_survey(self) -> str | None:
        """The survey answered more than once in a journey: ``csat_instrument`` when given,
        else the instrument with the most journeys that answered it twice or more."""
        inst = list(self.log.schema.instruments)
        given = self.parameters.get("csat_instrument") or ""
        if given:
            return given if given in inst else None
        if not inst or "satisfaction" not in self.log.events.columns:
            return None
        ev = self.log.events
        answered = ev[ev["activity"].isin(inst) & ev["satisfaction"].notna()]
        per = answered.groupby(["activity", "case_id"], observed=True).size()
        twice = (per >= 2).groupby(level=0, observed=True).sum()
        twice = twice[twice > 0]
        return str(twice.sort_values(ascending=False, kind="stable").index[0]) \
            if len(twice) else None

    def ready(self, section: str, *needs: str) -> bool:
        """True when every one of ``needs`` is there; else print one sentence and say False.

        ``needs`` are among: outcome, segment, stage, channel, satisfaction,
        repeated survey, design, truth.

        Examples
        --------
        >>> import pandas as pd, journeylab as jl
        >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
        ...                                    "timestamp": ["2024-01-01", "2024-01-02"]}))
        >>> Study({}, log, log, Path(".")).ready("Drop-offs", "outcome")
        Drop-offs: skipped; it needs a journey outcome: set outcome_column to a yes/no column of the journeys, or to column=value (e.g. outcome=approved).
        False
        """  # noqa: E501
        missing = [n for n in needs if not self.has(n)]
        if "design" in needs and "design" not in missing:
            design = [str(a) for a in self.parameters.get("designed_journey") or []]
            unknown = [a for a in design if a not in set(map(str, self.journeys.activities))]
            if unknown:
                print(f"{section}: the designed journey names touchpoints the log does not "
                      f"have ({', '.join(map(repr, unknown))}); every journey skips them.")
        if missing:
            print(f"{section}: skipped; it needs " + "; and ".join(_NEEDS[n] for n in missing)
                  + ".")
        return not missing


def _case_values(log, column: str) -> pd.Series:
    """One value per journey (the first non-missing), indexed by case code order."""
    ev = log.events
    first = ev.groupby(ev["case_id"].cat.codes, sort=True, observed=True)[column].first()
    return first


def _as_flag(values: pd.Series) -> pd.Series | None:
    """The yes/no reading of a journey-level column, or None when it is not yes/no."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        v = values.dropna()
        return values.fillna(0).astype(bool) if set(np.unique(v)) <= {0, 1} else None
    text = values.astype("string").str.strip().str.lower().fillna("")
    seen = set(text.unique())
    return text.isin(_YES) if seen <= (_YES | _NO) else None


def _distinct(values: pd.Series, limit: int = 6) -> str:
    shown = [str(v) for v in values.dropna().unique()[:limit]]
    return ", ".join(repr(v) for v in shown) + (", ..." if values.nunique() > limit else "")


def _find_outcome(log, given: str, notes: list[str]):
    """Resolve the outcome: a yes/no column, ``column=value``, or looked up ("")."""
    from ..core.log import EventLog

    columns = list(log.events.columns)
    lower = {c.lower(): c for c in reversed(columns)}
    if given:
        name, eq, value = given.partition("=")
        name = name.strip()
        col = name if name in columns else lower.get(name.lower())
        if col is None:
            raise InvalidInputError(
                f"parameter outcome_column={given!r}: the log has no column {name!r}. Its "
                f"columns: {', '.join(map(repr, columns))}; or \"\" for no outcome.")
        if eq:
            flag = log.events[col].astype("string").str.strip() == value.strip()
            flag = flag.fillna(False)
            if not flag.any():
                raise InvalidInputError(
                    f"parameter outcome_column={given!r}: no journey has {col} = "
                    f"{value.strip()!r}; its values include {_distinct(log.events[col])}.")
            label = f"{col}={value.strip()}"
            events = log.events.assign(**{label: flag.to_numpy(dtype=bool)})
            notes.append(f"Outcome: journeys whose {col!r} is {value.strip()!r}.")
            return EventLog(events, schema=log.schema, report=log.report, _sorted=True), label
        if _as_flag(_case_values(log, col)) is None:
            raise InvalidInputError(
                f"parameter outcome_column={given!r}: {col!r} is not a yes/no column (values "
                f"{_distinct(log.events[col])}). Name the value that counts as the outcome, "
                f"e.g. outcome_column=\"{col}={log.events[col].dropna().astype(str).iloc[0]}\".")
        notes.append(f"Outcome: {col!r}.")
        return log, col
    for name in OUTCOME_NAMES:
        col = lower.get(name)
        if col is None:
            continue
        if _as_flag(_case_values(log, col)) is not None:
            notes.append(f"Outcome: {col!r}, looked up (set outcome_column to change it).")
            return log, col
        notes.append(f"The column {col!r} (values {_distinct(log.events[col])}) is not a "
                     f"yes/no outcome; to use it, set outcome_column=\"{col}=VALUE\".")
        return log, None
    return log, None


def _find_segment(log, given: str, notes: list[str]) -> str | None:
    columns = list(log.events.columns)
    lower = {c.lower(): c for c in reversed(columns)}
    if given:
        col = given if given in columns else lower.get(given.lower())
        if col is None:
            raise InvalidInputError(
                f"parameter segment_column={given!r}: the log has no such column. Its "
                f"columns: {', '.join(map(repr, columns))}; or \"\" for none.")
    else:
        col = next((lower[n] for n in SEGMENT_NAMES if n in lower), None)
        if col is None:
            return None
    if col not in log.case_table().columns:
        notes.append(f"The segment column {col!r} changes within journeys, so it cannot "
                     "group them: segments are left out.")
        return None
    values = _case_values(log, col).dropna()
    if values.nunique() < 2:
        notes.append(f"The segment column {col!r} has "
                     f"{'one value' if values.nunique() == 1 else 'no values'}: nothing to "
                     "compare, so segments are left out.")
        return None
    notes.append(f"Segment: {col!r}" + ("" if given else ", looked up (set segment_column "
                                            "to change it)") + ".")
    return col


def open_study(events_path: Any, *, case_id_key: str | None = None,
               activity_key: str | None = None, timestamp_key: str | None = None,
               channel_key: str | None = None, stage_key: str | None = None,
               satisfaction_key: str | None = None,
               instruments: Mapping[str, Any] | None = None, catalogue_path: str | None = None,
               outcome_column: str | None = None, segment_column: str | None = None,
               output_dir: str | Path | None = None, pseudonymise: bool | None = None,
               base_dir: str | Path = ".", parameters: Mapping[str, Any] | None = None,
               **options: Any) -> Study:
    """Read a log for a study the one way notebooks and the command line both use.

    Every role left empty (``""`` or None) is looked up among the usual names (as
    :func:`journeylab.read_events` does); empty ``instruments`` look the survey
    activities up from the scores; an empty ``outcome_column`` or ``segment_column`` is
    looked up among :data:`OUTCOME_NAMES` / :data:`SEGMENT_NAMES` and is absent when none
    fits. The output folder is made, and quarantined rows are written there.

    Parameters
    ----------
    events_path : path or DataFrame
        The event log (CSV, Parquet, XES, XES.gz, JSON lines, DuckDB, or a DataFrame).
    case_id_key, activity_key, timestamp_key, channel_key, stage_key, satisfaction_key : str
        Column roles; ``""`` looks the role up.
    instruments : dict
        Survey activity -> [low, high]; empty looks them up.
    catalogue_path : str
        A touchpoint catalogue (activity, stage, channel) for logs without those columns.
    outcome_column : str
        A yes/no journey column, ``column=value`` (the journeys with that value reach the
        outcome), or ``""`` to look one up.
    segment_column : str
        A journey-level column to compare by, or ``""`` to look one up.
    output_dir : path
        Where tables are written (default: the current folder).
    pseudonymise : bool
        Replace customer ids by keyed pseudonyms (default: no).
    base_dir : path
        The folder relative paths are read from.
    parameters : dict, optional
        The study's parameters, kept for provenance and for :meth:`Study.ready`; by default
        every argument given here (an argument left out is not recorded).
    **options
        Reading options (:data:`~journeylab.studies.parameters.READING_OPTIONS`: ``sep``,
        ``encoding``, ``lifecycle``...) go to :func:`journeylab.read_events`; the study's
        other parameters (:data:`~journeylab.studies.parameters.STUDY_PARAMETERS`, e.g.
        ``min_customers``) are kept in ``Study.parameters``, so a notebook passes all of
        its checked parameters at once: ``open_study(**parameters)``.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> df = pd.DataFrame({"case:concept:name": ["a", "a"], "concept:name": ["x", "y"],
    ...                    "time:timestamp": ["2024-01-01", "2024-01-02"]})
    >>> study = open_study(df, output_dir=tempfile.mkdtemp())
    >>> study.journeys.n_cases, study.outcome
    (1, None)
    """
    from ..core.log import read_events
    from ..privacy import pseudonymise_log
    from .parameters import READING_OPTIONS, STUDY_PARAMETERS

    unknown = sorted(set(options) - set(READING_OPTIONS) - set(STUDY_PARAMETERS))
    if unknown:
        raise InvalidInputError(f"open_study has no option {', '.join(unknown)}; it takes "
                                f"the reading options {list(READING_OPTIONS)} and the study "
                                "parameters of journeylab.STUDY_PARAMETERS.")
    read_kwargs = {k: v for k, v in options.items() if k in READING_OPTIONS}
    engine = options.get("engine") or "memory"
    named = {"events_path": events_path, "case_id_key": case_id_key,
             "activity_key": activity_key, "timestamp_key": timestamp_key,
             "channel_key": channel_key, "stage_key": stage_key,
             "satisfaction_key": satisfaction_key, "instruments": instruments,
             "catalogue_path": catalogue_path, "outcome_column": outcome_column,
             "segment_column": segment_column, "output_dir": output_dir,
             "pseudonymise": pseudonymise}
    given = {k: v for k, v in named.items() if v is not None} | options
    base = Path(base_dir)
    source = events_path
    if isinstance(source, (str, Path)) and not (  # a Spark engine reads catalogue tables too
            engine == "spark" and not (base / source).exists() and "*" not in str(source)):
        source = base / source
    catalogue = (base / catalogue_path) if catalogue_path else None
    roles = dict(case_id_key=case_id_key or None, activity_key=activity_key or None,
                 timestamp_key=timestamp_key or None, channel_key=channel_key or None,
                 stage_key=stage_key or None, satisfaction_key=satisfaction_key or None,
                 instruments={k: tuple(v) for k, v in instruments.items()}
                 if instruments else "auto", catalogue=catalogue)
    notes: list[str] = []
    engine_log = None
    if engine == "memory":
        log = read_events(source, **roles, **read_kwargs)
    else:
        engine_log, log = _open_in_engine(source, engine, roles, read_kwargs, options, notes)
    log, outcome = _find_outcome(log, outcome_column or "", notes)
    segment = _find_segment(log, segment_column or "", notes)
    if pseudonymise:  # every table, map and widget shows pseudonyms from here on
        log = pseudonymise_log(log)
    out = base / Path(output_dir if output_dir is not None else ".")
    out.mkdir(parents=True, exist_ok=True)
    if log.report is not None and log.report.rows_quarantined:
        _write_quarantine(log.report, out / "quarantine.csv", pseudonymise=bool(pseudonymise))
    params = dict(parameters) if parameters is not None else given
    study = Study(params, log, log.touchpoints(), out, outcome, segment, notes)
    if engine_log is not None:
        study.engine_log = engine_log
        study.engine_journeys = engine_log.filter_activities(
            list(log.schema.instruments or ()), keep=False)
    return study


def _open_in_engine(source: Any, engine: str, roles: dict[str, Any],
                    read_kwargs: dict[str, Any], options: Mapping[str, Any],
                    notes: list[str]):
    """The log read into ``engine`` and a seeded sample of ``sample_journeys`` of its
    journeys read in memory with every column (for what needs the journeys there)."""
    from dataclasses import replace

    from ..core.log import read_events

    engine_log = read_events(source, **roles, **read_kwargs, engine=engine,
                             memory_limit=options.get("memory_limit") or None,
                             spark=options.get("spark_url") or None)
    n = engine_log.n_cases
    want = int(options.get("sample_journeys") or 200_000)
    frac = None if n <= want else want / n
    rows = engine_log.sample_source(frac, random_state=int(options.get("random_state") or 0))
    keys = {f"{role}_key": engine_log.schema.key(role) for role in
            ("case_id", "activity", "timestamp", "channel", "stage", "satisfaction")}
    kept = {k: v for k, v in read_kwargs.items()
            if k not in ("sep", "encoding", "format", "table")}
    log = read_events(rows, **keys, instruments=roles["instruments"],
                      catalogue=roles["catalogue"], **kept)
    if roles["instruments"] == "auto":  # the instruments found in the sample hold for all
        engine_log.schema = replace(engine_log.schema, instruments=log.schema.instruments)
    notes.append(f"engine {engine}: the maps, variants, journey map and funnels count all "
                 f"{n:,} journeys; the other tables and figures use "
                 + ("all of them." if frac is None else
                    f"a seeded sample of {log.n_cases:,} (sample_journeys)."))
    return engine_log, log


def _write_quarantine(report: Any, path: Path, *, pseudonymise: bool) -> None:
    """The quarantined rows beside the study's tables; with ``pseudonymise``, their journey
    ids as the pseudonyms every other table shows (an empty or unreadable id as it is),
    and the text of a line that could not be parsed (its id inside) left out: its
    ``line`` says where it is in the source."""
    from ..io import write_table
    from ..privacy import pseudonymise as pseudonyms

    rows = report.quarantined
    col = report.schema.case_id_key if report.schema is not None else None
    if pseudonymise and col in rows.columns:
        ids = rows[col]
        named = ids.notna().to_numpy()
        masked = ids.astype(object).copy()
        masked[named] = pseudonyms(ids[named].astype(str))
        rows = rows.assign(**{col: masked})
    if pseudonymise and "raw_text" in rows.columns:
        rows = rows.assign(raw_text=None)
    write_table(rows, path)
