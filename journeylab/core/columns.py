"""What a result table's column holds, read from its name.

Compute functions name their columns by one convention (``share``, ``cum_share``,
``dropoff_rate``, ``median_s``...); the formatting layer (:mod:`journeylab.plot.display`) and the
protection of shared reports (:mod:`journeylab.privacy`) both read it from here.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

__all__ = ["is_share_name", "as_names"]

_SHARE = re.compile(r"^(share|conversion|rate)$|^(share|conversion)_|_(share|rate|ratio)$|"
                    r"^(cum_share|dropoff_rate)$")


def is_share_name(name: Any) -> bool:
    """A column holding a share or rate from 0 to 1 (``share``, ``cum_share``,
    ``share_of_journeys``, ``dropoff_rate``, ``conversion_from_start``...).

    Examples
    --------
    >>> is_share_name("share_of_journeys"), is_share_name("dropoffs")
    (True, False)
    """
    return isinstance(name, str) and bool(_SHARE.search(name))


def as_names(values: Any) -> list[Any]:
    """Names given one or several at a time as a list: a text (or any single value) is one
    name, never its characters.

    Examples
    --------
    >>> as_names("checkout"), as_names(["visit", "buy"]), as_names(7)
    (['checkout'], ['visit', 'buy'], [7])
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [values]
    return list(values)
