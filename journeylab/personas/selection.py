"""What the two persona models share: how they choose their number of personas and label
journeys. The numbers tried (:func:`k_values`), the criterion's choice among the numbers whose
smallest persona is large enough (:func:`choose_number`), the range widened when the choice
sits at its top (:func:`search_widening`), no persona left under the minimum share on the
final assignment (:func:`enforce_min_share`), personas numbered by size
(:func:`relabel_by_size`), journeys too short to tell (:data:`TOO_SHORT`,
:func:`short_journeys`), identical journeys fitted once with their multiplicity
(:func:`unique_rows`), every random step seeded from one ``random_state``
(:func:`derived_seed`), and what a reader should know, issued as a :class:`PersonaWarning`
(:func:`warn_notes`). Only ``TOO_SHORT`` and ``PersonaWarning`` belong to the package's API;
the functions serve :mod:`.markov`, :mod:`.kmeans`, :mod:`.clustering` and :mod:`.stability`.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..core.log import EventLog
from ..errors import EmptyLogError, InvalidInputError

__all__ = ["TOO_SHORT", "PersonaWarning"]

#: Label of journeys too short to tell which persona they belong to.
TOO_SHORT = -1


#: How far the range of numbers tried is widened, at most, when the choice sits at its top.
_WIDEN_BY, _WIDEN_TIMES = 4, 2


# ------------------------------------------------------------------------------ helpers
def unique_rows(X: sp.csr_matrix, random_state: int = 0
                ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Distinct rows of ``X``, the row each original maps to, and their multiplicities.

    Rows are keyed by two random projections (identical rows always agree; distinct rows
    agree with probability zero in practice), then checked exactly.
    """
    X = sp.csr_matrix(X, dtype=float)
    X.sum_duplicates()
    X.sort_indices()
    rng = np.random.default_rng(random_state)
    key = X @ rng.standard_normal((X.shape[1], 2))
    _, first, inverse, weight = np.unique(key, axis=0, return_index=True,
                                          return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    U = X[first]
    if (abs(U[inverse] - X)).max() if X.nnz else 0:  # never seen: exact fallback
        keys = [X.getrow(i).toarray().tobytes() for i in range(X.shape[0])]
        inverse = pd.factorize(pd.Series(keys, dtype=object))[0]
        first = np.unique(inverse, return_index=True)[1]
        weight = np.bincount(inverse)
        U = X[first]
    return U.tocsr(), inverse.astype(np.int64), weight.astype(float)


def derived_seed(random_state: int, *keys: int) -> int:
    """The seed of one random step, derived from ``random_state`` and the step's ``keys``."""
    return int(np.random.SeedSequence([int(random_state), *keys]).generate_state(1)[0] >> 1)


def k_values(n_personas, k_range: tuple[int, int], n: int,
             what: str = "journeys long enough to tell") -> list[int]:
    """The numbers of personas to try: ``n_personas``, or with ``"auto"`` those of
    ``k_range`` up to ``n`` (the ``what`` there are)."""
    if isinstance(n_personas, str):
        if n_personas != "auto":
            raise InvalidInputError(f"The number of personas must be an integer or 'auto', "
                                    f"got {n_personas!r}.")
        lo, hi = int(k_range[0]), int(k_range[1])
        if not 1 <= lo <= hi:
            raise InvalidInputError(f"k_range must be (low, high) with 1 <= low <= high, "
                                    f"got {k_range}.")
        ks = [k for k in range(lo, hi + 1) if k <= n]
    else:
        ks = [int(n_personas)]
    if n == 0 or (isinstance(n_personas, str) and not ks):
        raise EmptyLogError(f"No persona to find: {n} {what}, too few to choose a number of "
                            f"personas from {k_range[0]} to {k_range[1]} (a log of one-event "
                            "journeys, or min_touchpoints above the journeys' length?).")
    if not ks or ks[0] < 1 or ks[-1] > n:
        raise InvalidInputError(f"The number of personas must be between 1 and the {n} "
                                f"{what}, got {n_personas}.")
    return ks


#: The fewest journeys a persona may hold when the number is chosen from the data: a few
#: journeys grouped alone describe those journeys, not a kind of customer (on a small log,
#: every number would else let singletons look perfectly stable). It is the default
#: min_customers, so every persona chosen can also be shown in a shared report.
MIN_PERSONA_JOURNEYS = 5


def large_enough(sel: pd.DataFrame, min_share: float) -> pd.Series:
    """Which numbers of the evidence table ``sel`` leave every persona at least
    ``min_share`` of the journeys long enough to tell and :data:`MIN_PERSONA_JOURNEYS`
    journeys."""
    return (sel["smallest_share"] >= min_share) & \
        (sel["smallest_journeys"] >= MIN_PERSONA_JOURNEYS)


def choose_number(sel: pd.DataFrame, criterion: str, min_share: float, *,
                  lower_is_better: bool) -> int:
    """The number of personas the criterion prefers, among those whose smallest persona
    is large enough (:func:`large_enough`)."""
    ok = sel[large_enough(sel, min_share) & sel[criterion].notna()]
    if ok.empty:
        return int(sel["k"].min())
    best = ok[criterion].idxmin() if lower_is_better else ok[criterion].idxmax()
    return int(sel.loc[best, "k"])


def short_journeys(log: EventLog, min_touchpoints: int) -> np.ndarray:
    """Whether each journey of ``log`` is too short to tell (under ``min_touchpoints``)."""
    if int(min_touchpoints) < 1:
        raise InvalidInputError(f"min_touchpoints must be at least 1, got {min_touchpoints}.")
    return log.case_lengths < int(min_touchpoints)


def relabel_by_size(labels: np.ndarray, short: np.ndarray, k: int) -> np.ndarray:
    """Persona ids ordered by size among journeys long enough to tell (0 = largest)."""
    sizes = np.bincount(labels[~short], minlength=k)
    order = np.argsort(-sizes, kind="stable")
    return np.argsort(order)


def search_widening(search, ks: list[int], n_max: int, choose, widen: bool = True,
                    auto: bool = True, min_share: float = 0.0
                    ) -> tuple[pd.DataFrame, int, list[str]]:
    """Search the numbers ``ks`` (``search(ks)`` returns one evidence row per number) and
    choose one (``choose(table)``). When the choice is the top of the range, numbers up to
    ``_WIDEN_BY`` higher are tried too, at most ``_WIDEN_TIMES`` times; if the choice still
    sits at the top, or at the bottom of a range that starts above 2, or when no number
    leaves every persona large enough (:func:`large_enough`), a note says so."""
    sel = search(ks)
    k = choose(sel)
    notes: list[str] = []
    if not auto:
        return sel, k, notes
    lo, hi = ks[0], ks[-1]
    for _ in range(_WIDEN_TIMES if widen else 0):
        if k != hi or hi >= n_max:
            break
        more = list(range(hi + 1, min(hi + _WIDEN_BY, n_max) + 1))
        sel = pd.concat([sel, search(more)], ignore_index=True)
        notes.append(f"{hi} personas, the top of the range tried, came out best: numbers up "
                     f"to {more[-1]} were tried as well.")
        hi = more[-1]
        k = choose(sel)
    if k == hi and hi < n_max:
        notes.append(f"The chosen number of personas ({k}) is the largest tried: the "
                     f"journeys may hold more, or no clear personas at all. Read the selection "
                     f"table before relying on them, and try a wider k_range or another "
                     f"method.")
    chosen = sel[sel["k"] == k]
    if not large_enough(chosen, min_share).any():
        notes.append(f"No number of personas tried gives every persona {min_share:.0%} of "
                     f"the journeys long enough to tell and {MIN_PERSONA_JOURNEYS} journeys: "
                     f"{k}, the smallest, is kept. There are too few journeys to tell "
                     "personas apart; read them as a split of this log, not as kinds of "
                     "customer.")
    elif k == lo and lo > 2:
        notes.append(f"The chosen number of personas ({k}) is the smallest tried: fewer may "
                     f"fit better; try a k_range that starts lower.")
    return sel, k, notes


def enforce_min_share(score: np.ndarray, short: np.ndarray, min_share: float
                      ) -> tuple[np.ndarray, list[str]]:
    """Personas kept so that each holds at least ``min_share`` of the journeys long enough
    to tell, on the final assignment. ``score`` (journeys x personas, higher is closer) is
    read again after each persona left out, so its journeys join the one closest to them.
    Returns the personas kept (column indices) and a note per persona left out."""
    keep = np.arange(score.shape[1])
    notes = []
    told = score[~short]
    while len(keep) > 1:
        sizes = np.bincount(told[:, keep].argmax(axis=1), minlength=len(keep))
        share = sizes / max(sizes.sum(), 1)
        j = int(share.argmin())
        if share[j] >= min_share:
            break
        notes.append(f"A persona of {int(sizes[j]):,} journeys ({share[j]:.1%}) was under the "
                     f"minimum share of {min_share:.0%}: its journeys joined the personas "
                     f"closest to them.")
        keep = np.delete(keep, j)
    return keep, notes


def warn_notes(notes: list[str]) -> None:
    """Issue each note as a :class:`PersonaWarning` to the caller of ``fit``."""
    for note in notes:
        warnings.warn(note, PersonaWarning, stacklevel=3)


class PersonaWarning(UserWarning):
    """Something a reader of the personas should know: the number chosen at the edge of the
    range searched, a persona merged for being too small, or unstable personas."""
