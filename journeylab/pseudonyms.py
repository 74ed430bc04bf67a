"""Keyed pseudonyms for customer ids: :func:`pseudonymise` and :func:`pseudonymise_log`.

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
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

from .errors import InvalidInputError

if TYPE_CHECKING:
    from .core.log import EventLog

__all__ = ["pseudonymise", "pseudonymise_log"]


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
    is left as it was). Its report's findings quote no case id
    (:meth:`~journeylab.io.ValidationReport.without_values`); the quarantined rows in it
    are kept as read, so they stay with you.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(20, random_state=1).events)
    >>> p = pseudonymise_log(log, key="k")
    >>> bool(p.n_events == log.n_events and p.cases.str.startswith("c-").all())
    True
    """
    names = pseudonymise(log.cases, key=key)
    events = log.events.copy()
    events["case_id"] = pd.Categorical(names[log.case_codes])
    report = None if log.report is None else log.report.without_values(log.schema.case_id_key)
    return type(log)(events, schema=log.schema, report=report)  # an EventLog
