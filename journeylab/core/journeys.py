"""The shared per-journey operations every analysis builds on.

Paths, process models, personas, profiles and attribution all start from the same few
vectorised passes over an :class:`~journeylab.core.log.EventLog`'s sorted, encoded arrays:

- :func:`pairs`: consecutive events within journeys (the directly-follows relation);
- :func:`variant_ids`, :func:`variant_text`, :func:`variant_order`: which journeys follow
  the same path, that path as text, and the order :func:`journeylab.get_variants` ranks
  paths in;
- :func:`activity_counts`, :func:`transition_counts`: per-journey counts of touchpoints
  and of transitions, as sparse matrices;
- :func:`group_order`, :func:`group_quantiles`, :func:`distinct_count`: per-group
  quantiles and distinct journeys without a Python loop over journeys;

Each journey's outcome and score, and selecting journeys, are in :mod:`.cases`.

Per-journey results are arrays indexed by case code (the position of the journey in
``log.cases``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .encode import run_starts
from .log import EventLog

__all__ = ["SEP", "path_label", "pairs", "group_order", "group_quantiles", "distinct_count",
           "variant_ids", "variant_text", "variant_keys", "variant_order", "activity_counts",
           "transition_counts"]

#: What joins the touchpoints of a path in text (``"visit > cart > buy"``).
SEP = " > "


def path_label(name: str) -> str:
    """A touchpoint's name as a path's text writes it: as it is, or in double quotes (a
    quote inside doubled) when it holds :data:`SEP` or a quote, so that no two paths have
    the same text (``"a > b" > c`` is two steps, ``a > b > c`` three).

    >>> print(path_label("cart"), path_label("a > b"), len(path_label('say "hi"')))
    cart "a > b" 12
    """
    if SEP in name or '"' in name:
        return '"' + name.replace('"', '""') + '"'
    return name


# ----------------------------------------------------------------------------- pairs
def pairs(log: EventLog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive event pairs within journeys: the directly-follows relation.

    Parameters
    ----------
    log : EventLog

    Returns
    -------
    source, target : ndarray of int
        Activity codes of the first and second event of each pair (an integer width with
        room for ``source * n_activities + target``).
    seconds : ndarray of float
        Time between the two events.
    case : ndarray of int32
        Case code of the journey the pair belongs to (non-decreasing).

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "activity": ["x", "y", "x"], "timestamp": ["2024-01-01 10:00",
    ...     "2024-01-01 10:01", "2024-01-01 10:00"]}))
    >>> src, dst, dt, case = pairs(log)
    >>> src.tolist(), dst.tolist(), dt.tolist(), case.tolist()
    ([0], [1], [60.0], [0])
    """
    width = np.int32 if log.n_activities ** 2 < 2**31 else np.int64  # room for src * A + dst
    if log.n_events < 2:
        e = np.zeros(0, width)
        return e, e, np.zeros(0), np.zeros(0, np.int32)
    same = log.case_codes[1:] == log.case_codes[:-1]
    # narrow codes selected first, then widened (fewer bytes moved); one selection a column
    act = log.activity_codes
    src = act[:-1][same].astype(width, copy=False)
    dst = act[1:][same].astype(width, copy=False)
    dt = np.diff(log.timestamps_ns)[same]
    seconds = dt.view(np.float64)  # each in the place of its nanoseconds: no third array
    np.divide(dt, 1e9, out=seconds)
    return src, dst, seconds, log.case_codes[:-1][same].astype(np.int32, copy=False)


# ----------------------------------------------------------------------------- groups
def group_order(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Stable order by group id (a radix sort when ids fit in 16 bits).

    Parameters
    ----------
    groups : ndarray of int
        Group id of each value, from 0 to ``n_groups - 1``.
    n_groups : int

    Returns
    -------
    ndarray of int
        Positions that sort ``groups``, ties kept in their order.

    Examples
    --------
    >>> import numpy as np
    >>> group_order(np.array([1, 0, 1, 0]), 2).tolist()
    [1, 3, 0, 2]
    """
    small = np.int16 if n_groups < 2**15 else np.int32 if n_groups < 2**31 else np.int64
    return np.argsort(groups.astype(small, copy=False), kind="stable")


def group_quantiles(groups: np.ndarray, values: np.ndarray, n_groups: int,
                    qs: Sequence[float], order: np.ndarray | None = None) -> np.ndarray:
    """Quantiles of ``values`` within each group (numpy's linear method).

    Parameters
    ----------
    groups : ndarray of int
        Group id of each value, from 0 to ``n_groups - 1``.
    values : ndarray of float
    n_groups : int
    qs : sequence of float
        The quantiles, each in [0, 1].
    order : ndarray, optional
        A ready :func:`group_order` of ``groups`` (saves a sort when it serves twice).

    Returns
    -------
    ndarray of float, shape (n_groups, len(qs))
        NaN for a group with no value.

    Examples
    --------
    >>> import numpy as np
    >>> group_quantiles(np.array([0, 0, 0, 2]), np.array([1.0, 3.0, 2.0, 5.0]), 3,
    ...                 (0.5, 1.0)).tolist()
    [[2.0, 3.0], [nan, nan], [5.0, 5.0]]
    """
    out = np.full((n_groups, len(qs)), np.nan)
    if not len(values):
        return out
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    if n_groups <= 20_000:
        # few groups (DFG edges): gather each group with one radix pass, then select the
        # order statistics with np.partition; no full sort of the values
        v = values[order if order is not None else group_order(groups, n_groups)]
        for g in np.flatnonzero(counts):
            seg = v[starts[g]:starts[g] + counts[g]]
            pos = [(counts[g] - 1) * q for q in qs]
            ks = sorted({int(np.floor(p)) for p in pos} | {min(int(np.floor(p)) + 1, counts[g] - 1)
                                                              for p in pos})
            part = np.partition(seg, ks)
            for j, p in enumerate(pos):
                lo = int(np.floor(p))
                hi = min(lo + 1, counts[g] - 1)
                out[g, j] = part[lo] + (part[hi] - part[lo]) * (p - lo)
        return out
    order = np.argsort(values)  # many groups: sort values once, then stable by group
    v = values[order[group_order(groups[order], n_groups)]]
    has = counts > 0
    for j, q in enumerate(qs):
        pos = starts[has] + (counts[has] - 1) * q
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, starts[has] + counts[has] - 1)
        out[has, j] = v[lo] + (v[hi] - v[lo]) * (pos - lo)
    return out


def distinct_count(groups: np.ndarray, cases: np.ndarray, n_groups: int,
                   order: np.ndarray | None = None) -> np.ndarray:
    """Number of distinct journeys per group.

    When ``cases`` is non-decreasing (the log's order), a stable sort by group leaves each
    group's journeys sorted and distinct ones are where the journey changes; otherwise the
    (journey, group) keys are hashed.

    Parameters
    ----------
    groups : ndarray of int
        Group id of each item (an event, a pair), from 0 to ``n_groups - 1``.
    cases : ndarray of int
        Case code of each item.
    n_groups : int
    order : ndarray, optional
        A ready :func:`group_order` of ``groups``.

    Returns
    -------
    ndarray of int, shape (n_groups,)

    Examples
    --------
    >>> import numpy as np
    >>> distinct_count(np.array([0, 1, 0, 0]), np.array([0, 0, 0, 1]), 2).tolist()
    [2, 1]
    """
    if not len(groups):
        return np.zeros(n_groups, np.int64)
    # in log order? (compared in place: no array of differences, four times the bytes)
    if not bool(np.all(cases[1:] >= cases[:-1])):  # not in log order: hash instead
        key = cases.astype(np.int64) * n_groups + groups.astype(np.int64)
        return np.bincount(pd.unique(key) % n_groups, minlength=n_groups)
    if n_groups <= 64 and order is None:
        # few groups (touchpoints): one 64-bit set of groups per journey, no sort at all;
        # made a block of journeys at a time (little memory beside another pass)
        bit = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
        starts = run_starts(cases)
        sets = np.empty(len(starts), np.uint64)
        bounds = np.append(starts, len(cases))
        for a in range(0, len(starts), 1 << 18):
            b = min(a + (1 << 18), len(starts))
            sets[a:b] = np.bitwise_or.reduceat(bit[groups[bounds[a]:bounds[b]]],
                                               starts[a:b] - bounds[a])
        return np.array([np.count_nonzero(sets & np.uint64(1 << g)) for g in range(n_groups)],
                        dtype=np.int64)
    if order is None:
        order = group_order(groups, n_groups)
    # in group order each group is one run of positions (no need to gather the groups):
    # a journey is new where the case changes or a group's run starts
    sizes = np.bincount(groups, minlength=n_groups)
    c = cases[order]
    new = np.empty(len(c), bool)
    new[0] = True
    np.not_equal(c[1:], c[:-1], out=new[1:])
    starts = np.cumsum(sizes) - sizes
    new[starts[sizes > 0]] = True
    return np.diff(np.searchsorted(np.flatnonzero(new), np.append(starts, len(c))))


# ----------------------------------------------------------------------------- variants
def variant_ids(log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Which journeys follow the same path (variant).

    Each journey's touchpoint codes, one after another, are a key of bytes (the log's
    activity codes as they lie, in case order, with no copy per journey); Arrow's hash
    table groups equal keys, comparing their bytes, so the grouping is exact.

    Parameters
    ----------
    log : EventLog

    Returns
    -------
    ids : ndarray of int64
        Variant id of each journey (by case code), numbered in order of first journey.
    first : ndarray of int64
        Case code of each variant's first journey.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b", "c", "c"],
    ...     "activity": ["x", "y", "x", "x", "y"], "timestamp": ["2024-01-01"] * 5}))
    >>> ids, first = variant_ids(log)
    >>> ids.tolist(), first.tolist()
    ([0, 1, 0], [0, 1])
    """
    n = log.n_cases
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = np.dtype(np.uint16 if log.n_activities < 65_535 else np.uint32)
    data = log.activity_codes.astype(width)
    offsets = log.case_offsets.astype(np.int64) * width.itemsize
    keys = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n,
                                            [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    # dictionary encoding numbers keys in order of first appearance
    ids = pc.dictionary_encode(keys).indices.to_numpy().astype(np.int64)
    return ids, _first_of(ids)


def _first_of(ids: np.ndarray) -> np.ndarray:
    """For dense ids, the first position holding each id."""
    first = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, np.int64)
    first[ids[::-1]] = np.arange(len(ids))[::-1]
    return first


def variant_text(log: EventLog, first: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The path of each of the journeys ``first`` as text, touchpoints joined by :data:`SEP`.

    For display: a touchpoint name may itself hold `` > ``, so code that needs the steps
    reads them from the activity codes, never by splitting this text.

    Parameters
    ----------
    log : EventLog
    first : ndarray of int
        Case codes, e.g. each variant's first journey from :func:`variant_ids`.

    Returns
    -------
    pandas array of str
        Arrow-backed text (indexed like an ndarray; no Python string is made per path, so
        hundreds of thousands of paths go into a table at once).

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "activity": ["x", "y", "x"], "timestamp": ["2024-01-01"] * 3}))
    >>> variant_text(log, variant_ids(log)[1]).tolist()
    ['x > y', 'x']
    """
    if not len(first):
        return pd.array([], dtype="str")
    lengths, codes = _steps(log, first)
    labels = pa.array([path_label(str(a)) for a in log.activities], pa.large_string())
    steps = labels.take(pa.array(codes))
    paths = pa.LargeListArray.from_arrays(pa.array(np.r_[0, np.cumsum(lengths)], pa.int64()),
                                          steps)
    return pd.array(pc.binary_join(paths, pa.scalar(SEP, pa.large_string())).to_pandas(),
                    dtype="str")


def _steps(log: EventLog, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lengths of the journeys ``first`` and their activity codes, one after another."""
    lengths = log.case_lengths[first]
    idx = np.repeat(log.case_offsets[first], lengths) + (
        np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    return lengths, log.activity_codes[idx]


def variant_keys(log: EventLog, first: np.ndarray) -> pa.Array | None:
    """Keys that order the paths of the journeys ``first`` as their text does, and compare
    several times faster: each touchpoint's code as two big-endian bytes.

    When codes follow the touchpoints' names as paths write them (:func:`path_label`) in
    text order, the keys order paths as their text does unless a touchpoint's name begins
    another's (``"web"`` and ``"web chat"``: then the separator's bytes decide); None
    then, for codes not in name order, and for more than 65,534 touchpoints:
    :func:`variant_order` then compares the text.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "activity": ["x", "y", "y"], "timestamp": ["2024-01-01"] * 3}))
    >>> variant_keys(log, variant_ids(log)[1]).to_pylist() == [bytes([0, 1, 0, 2]),
    ...                                                        bytes([0, 2])]
    True
    """
    # codes must follow the names' order as a path writes them (a log read by journeylab
    # numbers its names in their order; a quoted name, ``"a > b"``, sorts by its quote)
    names = [path_label(str(a)) for a in log.activities]
    if len(names) >= 65_535 or any(a >= b or b.startswith(a) for a, b in zip(names, names[1:])):
        return None
    lengths, codes = _steps(log, first)
    data = (codes.astype(np.uint16) + np.uint16(1)).astype(">u2")
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64) * 2
    return pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(first),
                                            [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def variant_order(cases: np.ndarray, text: np.ndarray | None,
                  keys: pa.Array | None = None) -> np.ndarray:
    """Variant ids in the row order of :func:`journeylab.get_variants`.

    Most journeys first; ties by path text, then by variant id (the order of first journeys).

    Parameters
    ----------
    cases : ndarray
        Journeys per variant, indexed by variant id.
    text : array of str or None
        Each variant's `` > ``-joined path, indexed by variant id (None with ``keys``), as
        :func:`variant_text` gives it or any sequence of str.
    keys : Arrow array, optional
        :func:`variant_keys` of the variants: the same order, faster.

    Returns
    -------
    ndarray of int

    Examples
    --------
    >>> import numpy as np
    >>> variant_order(np.array([1, 3, 1]), np.array(["b", "c", "a"], dtype=object)).tolist()
    [1, 2, 0]
    """
    # Arrow's sort is stable and compares UTF-8 bytes, which order text as its code points
    # do (Python's order): twice as fast as pandas on 661k variants
    table = pa.table({"cases": np.asarray(cases),
                      "variant": keys if keys is not None else _arrow_text(text)})
    return pc.sort_indices(table, sort_keys=[("cases", "descending"),
                                             ("variant", "ascending")]).to_numpy()


def _arrow_text(text) -> pa.Array:
    """Text as Arrow text: as it is when Arrow holds it already, no Python string made."""
    if hasattr(text, "__arrow_array__"):  # pandas' Arrow-backed text (variant_text's)
        return pa.array(text)
    return pa.array(np.asarray(text, dtype=object), pa.large_string())


# ----------------------------------------------------------------------------- counts
def activity_counts(log: EventLog, activities: pd.Index | None = None) -> sp.csr_matrix:
    """Per-journey counts of each touchpoint, ``(journeys, len(activities))`` sparse.

    With ``activities`` given, the log is mapped onto them; others are left out.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "activity": ["x", "x", "y"], "timestamp": ["2024-01-01", "2024-01-02", "2024-01-01"]}))
    >>> activity_counts(log).toarray().tolist()
    [[2.0, 0.0], [0.0, 1.0]]
    """
    labels = log.activities if activities is None else pd.Index(activities)
    code = labels.get_indexer(log.activities)[log.activity_codes]
    keep = code >= 0
    out = sp.csr_matrix((np.ones(int(keep.sum())), (log.case_codes[keep], code[keep])),
                        shape=(log.n_cases, len(labels)))
    out.sum_duplicates()
    return out


def transition_counts(log: EventLog, activities: pd.Index | None = None
                      ) -> tuple[sp.csr_matrix, pd.Index]:
    """Per-journey counts of transitions, START -> first and last -> END included.

    Returns a ``(journeys, S * S)`` sparse matrix, with ``S = len(activities) + 2``
    (START is ``S - 2``, END is ``S - 1``), and the activity labels of the states. With
    ``activities`` given, the log is mapped onto them and touchpoints outside them are
    left out of the counts.

    Examples
    --------
    >>> import pandas as pd, journeylab as jl
    >>> log = jl.read_events(pd.DataFrame({"case_id": ["a", "a"], "activity": ["x", "y"],
    ...                                    "timestamp": ["2024-01-01", "2024-01-02"]}))
    >>> counts, labels = transition_counts(log)
    >>> int(counts.sum()), list(labels)
    (3, ['x', 'y'])
    """
    labels = pd.Index(log.activities) if activities is None else pd.Index(activities)
    A = len(labels)
    S = A + 2
    code = labels.get_indexer(log.activities)[log.activity_codes].astype(np.int64)
    known = code >= 0
    case = log.case_codes.astype(np.int64)[known]
    code = code[known]
    n = log.n_cases
    if not len(code):
        return sp.csr_matrix((n, S * S)), labels
    starts = np.r_[True, case[1:] != case[:-1]]
    ends = np.r_[case[1:] != case[:-1], True]
    inner = ~ends
    rows = np.concatenate([case[starts], case[:-1][inner[:-1]], case[ends]])
    cols = np.concatenate([A * S + code[starts], code[:-1][inner[:-1]] * S + code[1:][inner[:-1]],
                           code[ends] * S + (A + 1)])
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, S * S))
    counts.sum_duplicates()
    return counts, labels
