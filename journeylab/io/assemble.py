"""From the rows validation keeps to the events frame: :func:`assemble` puts them in
canonical columns (case id and activity as categoricals, a declared stage order kept, the
other columns as attributes, read as numbers or booleans from a CSV when every value is one,
and the source row), :func:`apply_catalogue` adds stage and channel from a touchpoint
catalogue, and :func:`log_findings` reports on the log as a whole (journeys of one event,
too many distinct activities).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.encode import categorical, code_dtype, densify, run_starts
from ..core.schema import Schema
from .findings import Finding
from .readers import read_catalogue

__all__ = ["assemble", "apply_catalogue", "log_findings"]

_MAX_ACTIVITIES = 1000


def assemble(frame: pd.DataFrame, kept: np.ndarray, codes: dict, cats: dict, ts: pd.Series,
             score: pd.Series | None, schema: Schema, findings: list[Finding],
             text_source: bool, records: np.ndarray | None = None,
             gathered: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The events frame of the rows ``kept`` (in that order). ``gathered`` holds codes of
    roles (and the timestamps as integers) already taken in that order, not taken again."""
    cols: dict[str, Any] = {}
    gathered = gathered or {}
    # every row kept, in source order (a clean export in journey order): the columns are
    # taken as they are, without a copy
    whole = len(kept) == len(frame) and _is_range(kept)

    def rows(values: np.ndarray, role: str = "") -> np.ndarray:
        return values if whole else gathered[role] if role in gathered else values[kept]

    def series(values: pd.Series) -> pd.Series:
        return values.reset_index(drop=True) if whole else \
            values.iloc[kept].reset_index(drop=True)

    for role in ("case_id", "activity"):
        c, k = densify(rows(codes[role], role), cats[role])
        cols[role] = categorical(c, k)
    if not whole and "timestamp" in gathered and ts.dtype == np.dtype("datetime64[ns]"):
        cols["timestamp"] = pd.Series(gathered["timestamp"].view(ts.dtype), copy=False)
    else:
        cols["timestamp"] = series(ts)
    for role in ("channel", "stage"):
        if role in codes:
            c, k = densify(rows(codes[role], role), cats[role])
            src = frame[schema.key(role)]
            ordered = isinstance(src.dtype, pd.CategoricalDtype) and src.cat.ordered
            if ordered:  # keep a declared stage order (e.g. awareness < ... < advocacy)
                order = [str(x) for x in src.cat.categories if str(x) in set(k)]
                remap = pd.Index(k).get_indexer(order)
                lookup = np.full(len(k) + 1, -1, code_dtype(len(k)))  # last: -1
                lookup[remap] = np.arange(len(k))
                c, k = lookup[c], pd.Index(order, dtype=object)
            cols[role] = categorical(c, k, ordered=ordered)
    if score is not None:
        cols["satisfaction"] = rows(score.to_numpy())
    mapped = set(schema.mapping().values())
    for col in frame.columns:
        if col in mapped:
            continue
        name = col
        if name in cols or name == "row":
            name = f"{col}_attr"
            findings.append(Finding("attribute_renamed", "info",
                                    f"Column {col!r} is not the {col} role here; it is kept as "
                                    f"attribute {name!r}.", column=col))
        values = series(frame[col])
        cols[name] = _attribute(values) if text_source else values
    cols["row"] = kept.astype(np.int64, copy=False) if records is None else rows(records)
    return pd.DataFrame(cols, copy=False)  # no copy into blocks (pandas copies on write)


def _is_range(a: np.ndarray, block: int = 1 << 20) -> bool:
    """Whether ``a`` is 0, 1, ..., len(a) - 1 (compared block by block: little memory)."""
    return all(np.array_equal(a[i:i + block], np.arange(i, min(i + block, len(a))))
               for i in range(0, len(a), block))


def _attribute(s: pd.Series) -> pd.Series:
    """Numbers and true/false read as text from a CSV become numbers and booleans, when
    every present value is one."""
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        present = s.dropna()
        lowered = present.astype(str).str.strip().str.lower()
        if len(present) and lowered.isin(["true", "false"]).all() and len(present) == len(s):
            return lowered.eq("true").reindex(s.index)
        if len(present) and present.map(lambda v: isinstance(v, str)).all():
            num = pd.to_numeric(present, errors="coerce")
            if num.notna().all() and not present.str.match(r"^\s*0\d").any():
                return pd.to_numeric(s, errors="coerce")
    return s


def apply_catalogue(events: pd.DataFrame, catalogue: Any, findings: list[Finding]):
    cat = read_catalogue(catalogue).set_index("activity")
    events = events.copy()
    acts = events["activity"].astype(object)
    for role in ("stage", "channel"):
        if role in cat.columns and role not in events.columns:
            events[role] = pd.Categorical(acts.map(cat[role].to_dict()))
    if "owner" in cat.columns and "owner" not in events.columns:
        events["owner"] = acts.map(cat["owner"].to_dict())
    unknown = sorted(set(acts.unique()) - set(cat.index.astype(str)))
    if unknown:
        n = int(acts.isin(unknown).sum())
        findings.append(Finding("activity_not_in_catalogue", "warning",
                                f"{len(unknown)} activities ({n:,} rows) are not in the touchpoint "
                                f"catalogue: {', '.join(map(repr, unknown[:10]))}"
                                f"{' ...' if len(unknown) > 10 else ''}; their stage/channel is "
                                "empty.", rows=n, fix="add them to the catalogue"))
    return events


def log_findings(events: pd.DataFrame, schema: Schema) -> list[Finding]:
    findings: list[Finding] = []
    if events.empty:
        findings.append(Finding("empty_log", "error", "No usable events remain.",
                                fix="read the quarantine findings above"))
        return findings
    codes = events["case_id"].array.codes
    n_cases = len(events["case_id"].cat.categories)
    starts = run_starts(codes)
    if codes[0] >= 0 and len(starts) == n_cases:
        # each journey one run (as assembled): a journey of one event is a run that ends
        # where it starts (no copy of the codes, no array of sizes)
        single = int(np.count_nonzero(starts[1:] - starts[:-1] == 1)) + int(
            len(codes) - starts[-1] == 1)
    else:
        single = int((np.bincount(codes[codes >= 0], minlength=n_cases) == 1).sum())
    if single:
        findings.append(Finding("single_event_journeys", "warning",
                                f"{single:,} of {n_cases:,} journeys have one event only; they "
                                "have no transitions and no duration.", rows=single,
                                column=schema.case_id_key,
                                fix="nothing if expected; filter them with EventLog.filter_cases"))
    n_act = len(events["activity"].cat.categories)
    if n_act > _MAX_ACTIVITIES or (n_act > 50 and n_act > 0.5 * len(events)):
        findings.append(Finding("activity_cardinality", "warning",
                                f"{n_act:,} distinct activities in {len(events):,} events: maps "
                                "and variants will be unreadable. Is the activity role an id or "
                                "free text?", rows=n_act, column=schema.activity_key,
                                fix="map the activity role to a touchpoint column, or group "
                                    "activities with a catalogue"))
    return findings
