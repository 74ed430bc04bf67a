"""One order for the dates of a column written as three numbers (13/02/2024, 02.13.24,
2024/02/13): the column's own values decide day-first or month-first, and the rows that
contradict it are quarantined with their cause, never read one by one in the other order.
Used by :func:`journeylab.io.timestamps.parse_timestamps`."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .findings import EXAMPLES

__all__ = ["one_order", "quarantine_other_order"]

#: A date of three numbers: year first (2024/02/13), or day and month, in an order the
#: column decides, then the year (13/02/2024, 02.13.24); any time after it.
_NUMERIC_DATE_RE = (r"^\s*(?P<a>\d{1,4})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{1,4})"
                    r"(?P<rest>(?:[T\s].*)?)$")


def one_order(text: pa.Array, dayfirst: bool) -> tuple[pa.Array, bool, np.ndarray, int]:
    """Dates of three numbers rewritten month-first (``02/13/2024 ...``), one order for the
    whole column: ``(text, dayfirst, against, evidence)``.

    A first number over 12 can only be a day, a second over 12 only a day: the order most
    such rows show is the column's (``dayfirst`` when none does, or as many each way);
    ``against`` marks the rows that contradict it, left empty (they are not read one by one
    in the other order), ``evidence`` counts the rows that decided it. Year-first dates are
    year, month, day. Other text is returned as it is.

    Examples
    --------
    >>> dates = pa.array(["01/02/2024", "13/02/2024 09:00", "25.12.23", "02/13/2024"],
    ...                  pa.large_string())
    >>> text, dayfirst, against, evidence = one_order(dates, False)
    >>> text.to_pylist(), dayfirst, against.tolist(), evidence
    (['02/01/2024', '02/13/2024 09:00', '12/25/23', None], True, [False, False, False, True], 2)
    """
    parts = pc.extract_regex(text, _NUMERIC_DATE_RE)
    found = parts.is_valid().to_numpy(zero_copy_only=False)
    a, b, c = (parts.field(k) for k in "abc")
    width = [pc.utf8_length(x).to_numpy(zero_copy_only=False) for x in (a, b, c)]
    num = [pc.cast(pc.if_else(parts.is_valid(), x, "0"), pa.int64()).to_numpy()
           for x in (a, b, c)]
    year_first = found & (width[0] == 4)
    year_last = found & (width[0] <= 2) & np.isin(width[2], (2, 4))
    day_sign = year_last & (num[0] > 12) & (num[1] <= 12)
    month_sign = year_last & (num[1] > 12) & (num[0] <= 12)
    n_day, n_month = int(day_sign.sum()), int(month_sign.sum())
    if n_day != n_month:
        dayfirst = n_day > n_month
    against = month_sign if dayfirst else day_sign
    slash = pa.scalar("/", text.type)
    month, day = (b, a) if dayfirst else (a, b)
    swapped = pc.binary_join_element_wise(month, slash, day, slash, c, parts.field("rest"),
                                          pa.scalar("", text.type))
    ymd = pc.binary_join_element_wise(b, slash, c, slash, a, parts.field("rest"),
                                      pa.scalar("", text.type))
    out = pc.if_else(pa.array(year_first), ymd,
                     pc.if_else(pa.array(year_last & ~against), swapped, text))
    # no thirteenth month either way (a year-first date is never read year, day, month)
    out = pc.if_else(pa.array(against | (year_first & (num[1] > 12))),
                     pa.scalar(None, text.type), out)
    return out, dayfirst, against, max(n_day, n_month)


def quarantine_other_order(s: pd.Series, rows: np.ndarray, against: np.ndarray, evidence: int,
               dayfirst: bool, bad: dict, why: dict) -> str:
    """Quarantine the dates that contradict the column's order (see :func:`one_order`), each
    with its cause; the words that say why the column was read in its order."""
    order, other = ("day-first", "month-first") if dayfirst else ("month-first", "day-first")
    bad["unparsable_timestamp"][rows[against]] = True
    for i in rows[against][:EXAMPLES]:
        why[int(i)] = (f"it can only be {other}, while the column is read {order}; one "
                       "order is used for the whole column, not guessed row by row")
    return (f": {evidence:,} rows can only be {order}, so the whole column is read so"
            if evidence else "")
