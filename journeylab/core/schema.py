"""Column roles: which column of the user's data plays which part in an event log.

Names are mapped, never guessed blindly: a role left as ``None`` is looked up among a short,
documented list of usual names (``case_id``, ``case:concept:name``, ...), and every mapping
made is reported. A role named explicitly must exist, or :class:`MissingColumnError` lists the
columns there are and the closest names.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from ..errors import InvalidInputError, MissingColumnError

__all__ = ["Schema", "ROLES", "CANONICAL", "PM4PY_NAMES"]

#: The roles, in the order every function takes them.
ROLES: tuple[str, ...] = ("case_id", "activity", "timestamp", "channel", "stage", "satisfaction")
REQUIRED: tuple[str, ...] = ("case_id", "activity", "timestamp")

#: Column names journeylab uses inside an :class:`~journeylab.core.log.EventLog`.
CANONICAL: dict[str, str] = {role: role for role in ROLES}

#: pm4py's column convention for the three required roles.
PM4PY_NAMES: dict[str, str] = {
    "case_id": "case:concept:name",
    "activity": "concept:name",
    "timestamp": "time:timestamp",
}

# Usual names looked up (case-insensitively) when a role is not given.
_ALIASES: dict[str, tuple[str, ...]] = {
    "case_id": ("case_id", "case:concept:name", "caseid", "case", "case id", "journey_id",
                "customer_id", "customerid"),
    "activity": ("activity", "concept:name", "touchpoint", "activity name"),
    "timestamp": ("timestamp", "time:timestamp", "complete timestamp", "end timestamp",
                  "event_time", "datetime"),
    "channel": ("channel", "case:channel"),
    "stage": ("stage",),
    "satisfaction": ("satisfaction",),
}

_FLAG = {role: f"{role}_key" for role in ROLES}


@dataclass(frozen=True)
class Schema:
    """Which column plays which role, and how satisfaction is measured.

    Parameters
    ----------
    case_id_key, activity_key, timestamp_key : str or None
        Required roles. ``None`` looks the role up among the usual names.
    channel_key, stage_key, satisfaction_key : str or None
        Optional roles. ``None`` looks for a column named exactly like the role.
    instruments : mapping of str to (low, high), or "auto"
        Survey activities and their scales, e.g. ``{"csat_survey": (1, 5),
        "nps_survey": (0, 10)}``. Their rows carry the score in ``satisfaction_key``
        and are never treated as touchpoints. ``"auto"`` looks them up when the log is
        read: the activities whose rows carry a score, each with the usual scale its name
        or its values suggest (reported as a finding).
    satisfaction_scale : (low, high) or None
        Scale of a case-level satisfaction column (one score per journey).

    Examples
    --------
    >>> s = Schema(case_id_key="customer", activity_key="step", timestamp_key="at")
    >>> s.resolve(["customer", "step", "at", "channel"]).channel_key
    'channel'
    """

    case_id_key: str | None = None
    activity_key: str | None = None
    timestamp_key: str | None = None
    channel_key: str | None = None
    stage_key: str | None = None
    satisfaction_key: str | None = None
    instruments: Mapping[str, tuple[float, float]] | str = field(default_factory=dict)
    satisfaction_scale: tuple[float, float] | None = None
    find_instruments: bool = False

    def __post_init__(self) -> None:
        for role in ROLES:  # "" (a notebook parameter left empty) means "not mapped"
            if getattr(self, f"{role}_key") == "":
                object.__setattr__(self, f"{role}_key", None)
        if isinstance(self.instruments, str):
            if self.instruments != "auto":
                raise InvalidInputError(
                    f"instruments must be a dict of survey activity -> (low, high) or "
                    f"'auto', not {self.instruments!r}.")
            object.__setattr__(self, "instruments", {})
            object.__setattr__(self, "find_instruments", True)
        for name, scale in dict(self.instruments).items():
            _check_scale(scale, f"instruments[{name!r}]")
        if self.satisfaction_scale is not None:
            _check_scale(self.satisfaction_scale, "satisfaction_scale")
        object.__setattr__(self, "instruments", {str(k): (float(v[0]), float(v[1]))
                                                  for k, v in dict(self.instruments).items()})

    def key(self, role: str) -> str | None:
        """The column mapped to ``role``."""
        return getattr(self, f"{role}_key")

    def mapping(self) -> dict[str, str]:
        """Role -> column for every mapped role."""
        return {r: self.key(r) for r in ROLES if self.key(r) is not None}

    def resolve(self, columns: Sequence[str]) -> "Schema":
        """Return a schema whose roles all name existing columns.

        A name given for a role must match a column exactly, or else match exactly one
        column when case and surrounding spaces are ignored. A role looked up among the
        usual names takes the column spelled exactly like the usual name first.

        Raises
        ------
        MissingColumnError
            A required role cannot be found, or a named column does not exist.
        InvalidInputError
            A name matches several columns up to case, or a column name appears twice.

        Examples
        --------
        >>> Schema(activity_key="ACTIVITY").resolve(["case_id", "Activity", "timestamp"]).activity_key
        'Activity'
        >>> Schema(activity_key="ACTIVITY").resolve(["case_id", "activity", "Activity", "timestamp"])
        Traceback (most recent call last):
        ...
        journeylab.errors.InvalidInputError: activity_key='ACTIVITY' is not a column, and it matches several columns when case is ignored: 'activity', 'Activity'. Set activity_key to the exact name of one of them.
        """  # noqa: E501
        return self.resolve_noted(columns)[0]

    def column_of(self, role: str, columns: Sequence[str]) -> str | None:
        """The column ``role`` takes among ``columns``, or None when the roles do not
        resolve there (the error is raised where they are resolved for use).

        >>> Schema().column_of("case_id", ["Customer_ID", "activity", "timestamp"])
        'Customer_ID'
        """
        try:
            return self.resolve_noted(columns)[0].key(role)
        except (MissingColumnError, InvalidInputError):
            return None

    def resolve_noted(self, columns: Sequence[str]) -> tuple["Schema", list[dict]]:
        """Like :meth:`resolve`, plus notes on choices made (``role``, ``column``,
        ``message``): a name matched ignoring case, or a usual name found in several
        spellings (the one taken and the others, kept as attributes)."""
        columns = [str(c) for c in columns]
        notes: list[dict] = []

        def loose(name: str) -> list[str]:
            key = name.lower().strip()
            return [c for c in columns if c.lower().strip() == key]

        found: dict[str, str | None] = {}
        for role in ROLES:
            given = self.key(role)
            if given is not None:
                given = str(given)  # a column labelled 0 is named "0", as the columns are
                if given not in columns:
                    near = loose(given)
                    if len(near) > 1:
                        raise InvalidInputError(
                            f"{_FLAG[role]}={given!r} is not a column, and it matches several "
                            f"columns when case is ignored: {_fmt(near)}. Set {_FLAG[role]} "
                            "to the exact name of one of them.")
                    if not near:
                        raise MissingColumnError(_missing_message(role, given, columns))
                    notes.append({"role": role, "column": near[0], "message": (
                        f"{_FLAG[role]}={given!r} matched column {near[0]!r} (ignoring case "
                        "and spaces).")})
                    given = near[0]
                found[role] = given
                continue
            hit = None
            for alias in _ALIASES[role]:
                cands = loose(alias)
                if not cands:
                    continue
                exact = [c for c in cands if c == alias]
                hit = exact[0] if exact else cands[0]
                others = [c for c in cands if c != hit]
                if others:
                    notes.append({"role": role, "column": hit, "message": (
                        f"The {role} role is column {hit!r}; {_fmt(others)} differ"
                        f"{'s' if len(others) == 1 else ''} only in case or spaces and "
                        f"{'is' if len(others) == 1 else 'are'} kept as attributes. Set "
                        f"{_FLAG[role]} to choose another.")})
                break
            if hit is None and role in REQUIRED:
                raise MissingColumnError(
                    f"No column for the {role} role. Available columns: {_fmt(columns)}. "
                    f"Set {_FLAG[role]} to the column that holds it."
                )
            found[role] = hit
        taken = [c for c in found.values() if c is not None]
        dup = {c for c in taken if taken.count(c) > 1}
        if dup:
            roles = [r for r, c in found.items() if c in dup]
            raise InvalidInputError(
                f"Column {sorted(dup)[0]!r} is mapped to several roles ({', '.join(roles)}). "
                "Give each role its own column."
            )
        twice = [c for c in taken if columns.count(c) > 1]
        if twice:
            role = next(r for r, c in found.items() if c == twice[0])
            raise InvalidInputError(
                f"Column name {twice[0]!r} (the {role} role) appears {columns.count(twice[0])} "
                "times in the data, so it is not clear which one holds the values. Rename the "
                "copies (e.g. df.columns = [...]) or read only one of them (columns=).")
        return replace(self, **{f"{r}_key": c for r, c in found.items()}), notes

    def scale_of(self, activity: str) -> tuple[float, float] | None:
        """The scale of a survey activity, or ``None`` when it is not a survey."""
        return self.instruments.get(activity)


def _check_scale(scale, what: str) -> None:
    try:
        low, high = (float(scale[0]), float(scale[1]))
    except (TypeError, ValueError, IndexError):
        raise InvalidInputError(
            f"{what} must be a (low, high) pair of numbers, got {scale!r}.") from None
    if not low < high:
        raise InvalidInputError(f"{what} must have low < high, got {scale!r}.")


def _fmt(columns: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _missing_message(role: str, given: str, columns: Sequence[str]) -> str:
    close = difflib.get_close_matches(given, columns, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"Column {given!r} (the {role} role) is not in the data.{hint} "
        f"Available columns: {_fmt(columns)}. Set {_FLAG[role]} to one of them."
    )
