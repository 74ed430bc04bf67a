"""Shared reports protect people: keyed pseudonyms for customer ids, and no table row or
map element about fewer than k customers (k-anonymity on what is shown).

A pseudonym is an HMAC-SHA256 of the id under a secret key: the same id always gets the
same pseudonym under the same key (reruns give the same tables), and nobody without the
key can go from a pseudonym back to an id, or test a guessed id. The key is the one you
give, else ``$JOURNEYLAB_PSEUDONYM_KEY``, else a random key made once per user and kept
in ``~/.config/journeylab/pseudonym.key`` (readable by you only). To find a customer in a
report, pseudonymise their id with the same key.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .errors import InvalidInputError
from .log import EventLog

__all__ = ["pseudonymise", "pseudonymise_log", "protect", "COUNT_COLUMNS"]

# The columns that say how many customers a row is about, in the order they are looked for.
COUNT_COLUMNS = ("customers", "cases", "journeys", "size", "reach", "exposed_scored",
                 "windows", "answers")


def _is_count(name: Any) -> bool:
    """Other counts of customers in a row (``hairpin_cases``, ``dropoffs``, ``ends``); never a share
    or rate of them (``share_of_journeys``, ``conversion_rate``), which says nothing about
    how few customers a row is about."""
    from .display import is_share_name

    if not isinstance(name, str) or is_share_name(name):
        return False
    return name in COUNT_COLUMNS or name in ("dropoffs", "ends", "journeys_scored") or \
        name.endswith(("_cases", "_customers", "_journeys"))


def _key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "journeylab" / "pseudonym.key"


def _default_key() -> bytes:
    env = os.environ.get("JOURNEYLAB_PSEUDONYM_KEY")
    if env:
        return env.encode()
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def pseudonymise(ids: Iterable[Any], *, key: str | bytes | None = None) -> np.ndarray:
    """Keyed pseudonyms (``c-`` and 12 hex digits) for customer ids.

    Examples
    --------
    >>> pseudonymise(["C001", "C002", "C001"], key="secret").tolist()
    ['c-0297db31e03d', 'c-6441af463953', 'c-0297db31e03d']
    """
    k = key.encode() if isinstance(key, str) else key if key is not None else _default_key()
    if not k:
        raise InvalidInputError("The pseudonym key is empty; give a secret text, or leave "
                                "key=None for your own key.")
    return np.array(["c-" + hmac.new(k, str(i).encode(), hashlib.sha256).hexdigest()[:12]
                     for i in ids], dtype=object)


def pseudonymise_log(log: EventLog, *, key: str | bytes | None = None) -> EventLog:
    """The same log with every case id replaced by its pseudonym (a new log; the input
    is left as it was). The quarantine report keeps the source rows, so it stays with you.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(20, seed=1).events)
    >>> p = pseudonymise_log(log, key="k")
    >>> bool(p.n_events == log.n_events and p.cases.str.startswith("c-").all())
    True
    """
    names = pseudonymise(log.cases, key=key)
    events = log.events.copy()
    events["case_id"] = pd.Categorical(names[log.case_codes])
    return EventLog(events, schema=log.schema, report=log.report)


def _count_column(table: pd.DataFrame, count: str | None) -> str | None:
    if count is not None:
        if count not in table.columns:
            raise InvalidInputError(f"protect: no column {count!r}; the table has "
                                    f"{list(table.columns)}.")
        return count
    return next((c for c in COUNT_COLUMNS if c in table.columns), None)


def protect(table: pd.DataFrame, *, k: int = 5, count: str | None = None) -> pd.DataFrame:
    """The table as it may be shown: rows about fewer than ``k`` customers merged into one
    "other" row (label columns say how many groups it holds; its statistics blank), which
    is itself blanked when it is still under ``k``.

    The customer count is the ``count`` column, or the first of :data:`COUNT_COLUMNS`
    the table has. A table of single journeys (a ``case_id`` column and no count) is
    about one customer a row: with ``k > 1`` it is withheld (an empty table). Other count
    cells of kept rows under ``k`` (``hairpin_cases``: 2) are blanked. ``k=1`` returns the
    table as it is. ``attrs["suppressed"]`` says how many rows were merged.

    Examples
    --------
    >>> t = pd.DataFrame({"touchpoint": ["a", "b", "c"], "customers": [40, 3, 1],
    ...                   "mean": [4.1, 1.0, 5.0]})
    >>> protect(t, k=5)
                 touchpoint  customers  mean
    0                     a       40.0   4.1
    1  (2 groups, each < 5)        NaN   NaN
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidInputError(f"k must be a whole number of at least 1, got {k!r}.")
    if k == 1:
        return table
    col = _count_column(table, count)
    if col is None:
        if "case_id" in table.columns:
            out = table.iloc[:0].copy()
            out.attrs["suppressed"] = len(table)
            return out
        raise InvalidInputError(f"protect cannot tell how many customers each row is about: "
                                f"give count= one of {list(table.columns)}.")
    small = table[col].fillna(0).to_numpy() < k
    kept = table.loc[~small].copy()
    for c in kept.columns:
        if c != col and _is_count(c) and pd.api.types.is_numeric_dtype(kept[c]):
            v = kept[c].astype(float)
            kept[c] = v.where(~((v > 0) & (v < k)))
    if not small.any():
        kept.attrs = dict(table.attrs)
        kept.attrs["suppressed"] = 0
        return kept
    merged_n = table.loc[small, col].sum()
    other = {}
    for c in table.columns:
        if c == col:
            other[c] = merged_n if merged_n >= k else np.nan
        elif pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c]):
            other[c] = np.nan
        else:
            other[c] = f"({int(small.sum())} groups, each < {k})"
    out = pd.concat([kept, pd.DataFrame([other])], ignore_index=True)
    out.attrs = dict(table.attrs)
    out.attrs["suppressed"] = int(small.sum())
    return out
