"""Behavioural personas: journeys grouped by how they move or by what they contain.

Two families of scikit-learn style estimators, both seeded and both able to choose the
number of personas themselves (``"auto"``), with the evidence kept in ``selection_``:

- :class:`MarkovMixture`: a mixture of first-order Markov chains over touchpoints (with a
  start and an end state), fitted by EM. Each persona is a transition matrix; a journey
  belongs to the persona most likely to have produced its sequence. The number of
  personas is chosen by ICL (or BIC).
- :class:`JourneyClusters`: k-means (or Ward agglomerative) clustering of
  :class:`~journeylab.personas.features.JourneyFeatures` rows; the number of personas is the largest
  whose every persona comes back when the model is refitted on subsamples (clusterwise
  stability).

:func:`find_personas` with ``method="auto"`` (the default) keeps the one the data calls
for: the mixture when there are enough journeys to learn a chain per persona, they move like
walks (:func:`path_memory` is low) and its criterion settles inside the range; k-means when
journeys follow a few fixed paths with detours, are too few, or the criterion does not
settle. With ``"auto"`` numbers, a choice at the top of the range widens it, no persona of
the final assignment is left under the minimum share, and what happened is said in
``notes_`` and as a :class:`PersonaWarning`.

Journeys with fewer than ``min_touchpoints`` touchpoints are *too short to tell*: one ad
seen and nothing else could belong to any persona. They get the label ``-1`` and are
reported as such, never forced into a persona. Identical journeys are fitted once, with
their multiplicity as weight, so the work grows with the number of variants.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from ..defaults import LOW_STABILITY, PERSONA_DEFAULTS
from ..errors import InvalidInputError
from .features import JourneyFeatures
from ..core.journeys import transition_counts
from ..core.log import EventLog

__all__ = ["MarkovMixture", "JourneyClusters", "transition_counts", "find_personas",
           "persona_stability", "describe_stability", "path_memory", "TOO_SHORT",
           "PersonaWarning", "PERSONA_DEFAULTS", "LOW_STABILITY"]

#: Label of journeys too short to tell which persona they belong to.
TOO_SHORT = -1


#: How a vector model's number is chosen. For "clusterwise", the Jaccard similarity every
#: persona must keep, on average, with its best match among refits on 80% subsamples
#: (Hennig's clusterwise stability: 0.75 and over is a stable cluster, under 0.6 one that
#: dissolves).
_CRITERIA = ("clusterwise", "silhouette", "stability")
_PERSONA_KEPT = 0.75

#: How far the range of numbers tried is widened, at most, when the choice sits at its top.
_WIDEN_BY, _WIDEN_TIMES = 4, 2


# ------------------------------------------------------------------------------ helpers
def _unique_rows(X: sp.csr_matrix, random_state: int = 0
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


def _seed(random_state: int, *keys: int) -> int:
    return int(np.random.SeedSequence([int(random_state), *keys]).generate_state(1)[0] >> 1)


def _k_values(n_personas, k_range: tuple[int, int], n: int,
              what: str = "journeys long enough to tell") -> list[int]:
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
    if not ks or ks[0] < 1 or ks[-1] > n:
        raise InvalidInputError(f"The number of personas must be between 1 and the {n} "
                                f"{what}, got {n_personas}.")
    return ks


def _choose(sel: pd.DataFrame, criterion: str, min_share: float, *,
            lower_is_better: bool) -> int:
    """The number of personas the criterion prefers, among those whose smallest persona
    holds at least ``min_share`` of the journeys long enough to tell."""
    ok = sel[(sel["smallest_share"] >= min_share) & sel[criterion].notna()]
    if ok.empty:
        return int(sel["k"].min())
    best = ok[criterion].idxmin() if lower_is_better else ok[criterion].idxmax()
    return int(sel.loc[best, "k"])


def _short(log: EventLog, min_touchpoints: int) -> np.ndarray:
    if int(min_touchpoints) < 1:
        raise InvalidInputError(f"min_touchpoints must be at least 1, got {min_touchpoints}.")
    return log.case_lengths < int(min_touchpoints)


def _relabel_by_size(labels: np.ndarray, short: np.ndarray, k: int) -> np.ndarray:
    """Persona ids ordered by size among journeys long enough to tell (0 = largest)."""
    sizes = np.bincount(labels[~short], minlength=k)
    order = np.argsort(-sizes, kind="stable")
    return np.argsort(order)


def _search_widening(search, ks: list[int], n_max: int, choose, widen: bool = True,
                     auto: bool = True) -> tuple[pd.DataFrame, int, list[str]]:
    """Search the numbers ``ks`` (``search(ks)`` returns one evidence row per number) and
    choose one (``choose(table)``). When the choice is the top of the range, numbers up to
    ``_WIDEN_BY`` higher are tried too, at most ``_WIDEN_TIMES`` times; if the choice still
    sits at the top, or at the bottom of a range that starts above 2, a note says so."""
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
    elif k == lo and lo > 2:
        notes.append(f"The chosen number of personas ({k}) is the smallest tried: fewer may "
                     f"fit better; try a k_range that starts lower.")
    return sel, k, notes


def _enforce_min_share(score: np.ndarray, short: np.ndarray, min_share: float
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


def _warn(notes: list[str]) -> None:
    for note in notes:
        warnings.warn(note, PersonaWarning, stacklevel=3)


class PersonaWarning(UserWarning):
    """Something a reader of the personas should know: the number chosen at the edge of the
    range searched, a persona merged for being too small, or unstable personas."""


# ------------------------------------------------------------------------------ mixture
class MarkovMixture(ClusterMixin, BaseEstimator):
    """Mixture of first-order Markov chains over journeys, fitted by EM.

    Parameters
    ----------
    n_personas : int or "auto"
        Number of personas, or ``"auto"`` to pick it in ``k_range`` by ``criterion``.
    k_range : (int, int)
        Smallest and largest number of personas tried by ``"auto"``.
    criterion : {"icl", "bic"}
        ICL (the default: BIC plus the entropy of the assignments of journeys long enough
        to tell, so it prefers personas that are clearly apart), or BIC (fit penalised by
        the transitions each persona uses).
    min_share : float
        A persona's pattern is the transitions it takes at least this share of the time
        from their source; its other steps are stray (explained by the background).
    split_merge_rounds : int
        Rounds of split-and-merge moves after EM (0 for none).
    min_persona_share : float
        With ``"auto"``, a number is only chosen when its smallest persona holds at least
        this share of the journeys long enough to tell.
    n_restarts : int
        The number kept is fitted again from ``n_restarts - 1`` more sets of starts; the
        best likelihood wins.
    widen : bool
        When ``"auto"`` chooses the top of ``k_range``, try up to 4 more numbers, twice at
        most; a note (and a :class:`PersonaWarning`) says so, and says when the choice still
        sits at the top.
    n_jobs : int or None
        Processes fitting the numbers tried by ``"auto"`` in parallel (-1: every core).
        The result does not depend on it.
    selection_sample : int
        With ``"auto"`` on a larger log, the number is chosen on a seeded sample of this
        many journeys.
    fit_sample : int
        On a larger log, the personas' chains are learned from a seeded sample of this many
        journeys; every journey is then assigned (``labels_``) by them.
    min_touchpoints : int
        Journeys with fewer touchpoints are labelled ``-1`` (too short to tell); the
        mixture still learns from them.
    n_init : int
        Short EM runs from different starts (k-means on transitions, k-means on touchpoint
        counts, random); the three best are run to convergence and the best likelihood kept.
    max_iter, tol : int, float
        EM iterations at most, and the relative log-likelihood gain that stops them.
    alpha : float
        Additive smoothing of every transition seen in the data.
    noise : float or "auto"
        Share of steps that stray from a persona's pattern to a random touchpoint (drawn
        from the overall touchpoint mix): learned by EM with ``"auto"``, fixed otherwise
        (0 for plain chains). Stray steps then need no persona of their own.
    random_state : int
        Seed of every start.

    Attributes
    ----------
    labels_ : ndarray of shape (n_journeys,)
        Persona of each journey (0 is the largest), ``-1`` for too short to tell.
    confidence_ : ndarray of shape (n_journeys,)
        Posterior probability of the assigned persona (NaN when too short to tell).
    weights_ : ndarray of shape (n_personas_,)
        Share of journeys in each persona.
    transitions_ : ndarray of shape (n_personas_, S, S)
        Transition probabilities of each persona (rows: from, columns: to).
    activities_ : Index
        The touchpoints the states stand for (then START, END).
    noise_ : float
        Share of stray steps (learned or given).
    log_likelihood_, bic_, icl_ : float
        Fit of the model (on the journeys it was fitted on). BIC counts, for each persona,
        the transitions in its pattern (taken at least ``min_share`` of the time).
    selection_ : DataFrame
        ``k, log_likelihood, parameters, noise, bic, icl, smallest_share, journeys,
        chosen``: one row per number tried (``journeys``: how many it was fitted on).
    n_personas_ : int
        The number of personas fitted; with ``"auto"``, a persona
        that holds under ``min_persona_share`` of the final assignment joins the personas
        closest to its journeys, so this can be below the number chosen in ``selection_``.
    method_ : str
        ``"markov"``.
    notes_ : list of str
        What a reader should know: the range widened, the choice at its edge, a persona too
        small merged; each is also issued as a :class:`PersonaWarning`.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events).touchpoints()
    >>> model = MarkovMixture(n_personas=3, random_state=0).fit(log)
    >>> model.labels_.shape == (log.n_cases,)
    True
    """

    def __init__(self, n_personas: int | str = "auto", *,
                 k_range: tuple[int, int] = PERSONA_DEFAULTS["k_range"],
                 criterion: str = "icl", min_touchpoints: int = 3, n_init: int = 10,
                 max_iter: int = 500, tol: float = 1e-7, alpha: float = 0.01,
                 noise: float | str = "auto", min_share: float = 0.02,
                 split_merge_rounds: int = 5,
                 min_persona_share: float = PERSONA_DEFAULTS["min_persona_share"],
                 selection_sample: int = 50_000, fit_sample: int = 200_000,
                 n_restarts: int = 3, widen: bool = True,
                 n_jobs: int | None = -1, random_state: int = 0):
        self.n_personas = n_personas
        self.k_range = k_range
        self.criterion = criterion
        self.min_touchpoints = min_touchpoints
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.alpha = alpha
        self.noise = noise
        self.min_share = min_share
        self.split_merge_rounds = split_merge_rounds
        self.min_persona_share = min_persona_share
        self.selection_sample = selection_sample
        self.fit_sample = fit_sample
        self.n_restarts = n_restarts
        self.widen = widen
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, log: EventLog, y=None) -> "MarkovMixture":
        if self.criterion not in ("bic", "icl"):
            raise InvalidInputError(f"criterion must be 'bic' or 'icl', got {self.criterion!r}.")
        short = _short(log, self.min_touchpoints)
        n_long = int((~short).sum())
        ks = _k_values(self.n_personas, self.k_range, n_long)
        fitted = log
        if log.n_cases > self.fit_sample:  # parameters from a seeded sample; all assigned
            fitted = log.sample_cases(n=int(self.fit_sample),
                                      random_state=_seed(self.random_state, 8))
        searched = fitted
        if len(ks) > 1 and fitted.n_cases > self.selection_sample:
            # choose the number on a smaller seeded sample, then fit it
            searched = log.sample_cases(n=int(self.selection_sample),
                                        random_state=_seed(self.random_state, 7))
        fits: dict = {}
        ctx: list = []

        def search(more: list[int]) -> pd.DataFrame:
            sel, found, c = self._search(searched, more)
            fits.update(found)
            ctx[:] = [c]
            return sel

        sel, k, self.notes_ = _search_widening(
            search, ks, int((~_short(searched, self.min_touchpoints)).sum()),
            lambda table: _choose(table, self.criterion, self.min_persona_share,
                                  lower_is_better=True), self.widen,
            self.n_personas == "auto")
        if fitted is not searched:
            _, fits, c = self._search(fitted, [k])
            ctx[:] = [c]
        U, inverse, w, _, S, support, _ = ctx[0]
        restarts = range(1, max(int(self.n_restarts), 1))  # more starts for the one kept
        jobs = 1 if len(restarts) < 2 else self.n_jobs
        for fit in Parallel(n_jobs=jobs)(delayed(self._fit_k)(U, w, S, support, k, restart)
                                         for restart in restarts):
            again, _ = self._score(fit, ctx[0], k)
            if again[0] > fits[k][0]:
                fits[k] = again
        sel["journeys"] = searched.n_cases
        ll, resp, trans, eps, self.bic_, self.icl_ = fits[k]
        self.transitions_ = np.moveaxis(trans, -1, 0)
        self.weights_ = (w[:, None] * resp).sum(axis=0) / w.sum()
        self.noise_ = eps
        self.background_ = self._q
        proba = resp[inverse] if fitted is log else self.predict_proba(log)
        keep = np.arange(k)
        sel["chosen"] = sel["k"] == k
        if self.n_personas == "auto":  # the minimum share holds on the final assignment
            keep, dropped = _enforce_min_share(proba, short, self.min_persona_share)
            self.notes_ += dropped
            proba = proba[:, keep] / proba[:, keep].sum(axis=1, keepdims=True)
        raw = proba.argmax(axis=1)
        k = len(keep)
        rank = _relabel_by_size(raw, short, k)
        order = np.argsort(rank)
        self.transitions_ = self.transitions_[keep][order]
        self.weights_ = self.weights_[keep][order] / self.weights_[keep].sum()
        self.selection_ = sel
        self.n_personas_ = k
        self.method_ = "markov"
        self.log_likelihood_ = ll
        self.confidence_ = np.where(short, np.nan, proba.max(axis=1))
        self.labels_ = np.where(short, TOO_SHORT, rank[raw])
        _warn(self.notes_)
        return self

    def _search(self, log: EventLog, ks: list[int]):
        """Fit every number in ``ks``; the evidence table, the fits, and what maps them back
        to journeys."""
        short = _short(log, self.min_touchpoints)
        counts, self.activities_ = transition_counts(log)
        S = len(self.activities_) + 2
        U, inverse, w = _unique_rows(counts)
        support = np.asarray(counts.sum(axis=0)).ravel() > 0
        entered = np.asarray(counts.sum(axis=0)).reshape(S, S).sum(axis=0)
        self._q = entered / max(entered.sum(), 1.0)  # every state but START
        told_u = np.zeros(U.shape[0], bool)
        told_u[inverse] = ~short
        ctx = (U, inverse, w, short, S, support, told_u)
        fits, rows = {}, []
        jobs = 1 if len(ks) == 1 else self.n_jobs
        results = Parallel(n_jobs=jobs)(delayed(self._fit_k)(U, w, S, support, k) for k in ks)
        for k, result in zip(ks, results):
            fits[k], row = self._score(result, ctx, k)
            rows.append(row)
        sel = pd.DataFrame(rows, columns=["k", "log_likelihood", "parameters", "noise", "bic",
                                          "icl", "smallest_share"])
        return sel, fits, ctx

    def _score(self, fit, ctx, k):
        """BIC, ICL and the smallest persona's share of one fit."""
        ll, resp, trans, eps = fit
        U, inverse, w, short, S, support, told_u = ctx
        used = self._pattern(trans)
        free = int(used.sum() - (used.sum(axis=1) > 0).sum()) + (k - 1) + 1
        bic = -2.0 * ll + free * np.log(w.sum())
        # ICL: BIC plus the entropy of the assignments of journeys long enough to tell
        ent = -float(((w * told_u)[:, None] * resp * np.log(np.maximum(resp, 1e-300))).sum())
        sizes = np.bincount(resp.argmax(axis=1), weights=w * told_u, minlength=k)
        smallest = float(sizes.min() / max(sizes.sum(), 1.0))
        return (ll, resp, trans, eps, bic, bic + 2.0 * ent), \
            (k, ll, free, eps, bic, bic + 2.0 * ent, smallest)

    def _fit_k(self, U, w, S, support, k, restart: int = 0):
        """Best of ``n_init`` short EM runs, the three best continued to convergence."""
        n = U.shape[0]
        if k == 1:
            return self._em(U, w, S, np.ones((n, 1)), support, self.max_iter)
        views = [normalize(U), sp.csr_matrix(_to_activities(U, S)).sqrt()]
        starts = []
        for run in range(max(int(self.n_init), 1)):
            seed = _seed(self.random_state, k, run, *([restart] if restart else []))
            kind = run % 3 if n >= k else 2
            if kind < 2:
                lab = KMeans(k, n_init=1, random_state=seed).fit_predict(views[kind],
                                                                         sample_weight=w)
                resp = np.full((n, k), 0.1 / k)
                resp[np.arange(n), lab] += 0.9
            else:
                resp = np.random.default_rng(seed).dirichlet(np.ones(k), size=n)
            starts.append(self._em(U, w, S, resp, support, 20))
        starts.sort(key=lambda r: -r[0])
        best = max((self._full_em(U, w, S, r[1], support) for r in starts[:3]),
                   key=lambda r: r[0])
        return self._split_merge(U, w, S, support, best, views[0], k, restart)

    def _full_em(self, U, w, S, resp, support):
        """EM to convergence, on each persona's pattern found by a short unmasked run."""
        if self.noise == 0:
            return self._em(U, w, S, resp, support, self.max_iter)
        short = self._em(U, w, S, resp, support, 20)
        return self._em(U, w, S, short[1], support, self.max_iter, self._pattern(short[2]))

    def _split_merge(self, U, w, S, support, best, view, k, restart=0):
        """Split-and-merge EM (Ueda et al., 2000): EM gets stuck with one persona covering
        two groups while two others share one group. Merge the two personas whose
        journeys overlap most, split a large persona in two (2-means on its journeys), and
        keep the result when the likelihood improves."""
        if k < 3 or self.split_merge_rounds == 0:
            return best
        for rnd in range(int(self.split_merge_rounds)):
            resp = best[1]
            wr = resp * w[:, None]
            overlap = wr.T @ resp
            np.fill_diagonal(overlap, -np.inf)
            pairs = np.dstack(np.unravel_index(np.argsort(-overlap, axis=None), overlap.shape))[0]
            pairs = [tuple(p) for p in pairs if p[0] < p[1]][:3]
            sizes = wr.sum(axis=0)
            # each move gets a short EM; the most promising are run to convergence, in turn,
            # until one improves on the current fit
            trials = sorted((self._em(U, w, S, t, support, 20)
                             for t in self._moves(resp, w, view, pairs, sizes, k,
                                                  rnd + 1000 * restart)),
                            key=lambda r: -r[0])
            improved = False
            for trial in trials[:3]:
                result = self._full_em(U, w, S, trial[1], support)
                if result[0] > best[0] + 1e-6 * abs(best[0]):
                    best, improved = result, True
                    break
            if not improved:
                break
        return best

    def _halves(self, resp, w, view, c, seed):
        mine = resp[:, c] * w
        rows = np.flatnonzero(mine > 1e-3 * mine.max())
        if len(rows) < 2:
            return None
        halves = KMeans(2, n_init=1, random_state=seed).fit_predict(view[rows],
                                                                    sample_weight=mine[rows])
        return rows[halves == 0], rows[halves == 1]

    def _moves(self, resp, w, view, pairs, sizes, k, rnd):
        """Candidate starts: for personas ``a, b`` that overlap, move half of ``b`` into
        ``a`` (either half, and the other way round); or merge ``a`` and ``b`` and split
        one of the largest other personas in two."""
        for a, b in pairs:
            for src, dst in ((b, a), (a, b)):
                split = self._halves(resp, w, view, src, _seed(self.random_state, k, rnd, src))
                if split is None:
                    continue
                for part in split:
                    trial = resp.copy()
                    trial[part, dst] += trial[part, src]
                    trial[part, src] = 0.0
                    yield trial
            for c in np.argsort(-sizes)[:2]:
                if c in (a, b):
                    continue
                split = self._halves(resp, w, view, c, _seed(self.random_state, k, rnd, c))
                if split is None:
                    continue
                trial = resp.copy()
                trial[:, a] += trial[:, b]
                trial[:, b] = 0.0
                trial[split[1], b] = resp[split[1], c]
                trial[split[1], c] = 0.0
                yield trial

    def _pattern(self, trans: np.ndarray) -> np.ndarray:
        """Each persona's pattern: the transitions it takes at least ``min_share`` of the
        time; steps outside it are stray."""
        return trans >= self.min_share

    def _normalise(self, expected: np.ndarray, support: np.ndarray, S: int) -> np.ndarray:
        smoothed = expected + (self.alpha if self.noise == 0 else 0.0) * support.reshape(S, S, 1)
        total = smoothed.sum(axis=1, keepdims=True)
        return np.divide(smoothed, total, out=np.zeros_like(smoothed), where=total > 0)

    def _mix(self, trans: np.ndarray, eps: float, q: np.ndarray) -> np.ndarray:
        """Each persona's chain, with a share ``eps`` of steps to a random touchpoint."""
        return (1.0 - eps) * trans + eps * q[None, :, None]

    def _log_joint(self, counts, mix, weights):
        S = mix.shape[0]
        log_t = np.log(np.where(mix > 0, mix, 1e-300)).reshape(S * S, -1)
        return np.asarray(counts @ log_t) + np.log(np.maximum(weights, 1e-300))

    def _em(self, U, w, S, resp, support, max_iter, mask=None):
        """EM from the responsibilities ``resp``. Stray steps (a touchpoint out of the
        persona's pattern) are explained by a background: with probability ``eps`` a step
        goes to a touchpoint drawn from the overall mix ``q``; ``eps`` is learned."""
        prev, ll = -np.inf, -np.inf
        total = w.sum()
        q = self._q
        eps = 0.05 if self.noise == "auto" else float(self.noise)
        for _ in range(max_iter):
            wr = resp * w[:, None]
            raw = np.asarray(U.T @ wr).reshape(S, S, -1)
            trans = self._normalise(raw, support, S)
            mix = self._mix(trans, eps, q)
            if eps > 0:  # share of each step the background explains
                stray = np.divide(eps * q[None, :, None], mix, out=np.zeros_like(mix),
                                  where=mix > 0)
                expected = raw * (1.0 - stray)
                if mask is not None:
                    expected = expected * mask
                trans = self._normalise(expected, support, S)
                if self.noise == "auto":
                    eps = float(np.clip((raw * stray).sum() / max(raw.sum(), 1e-300),
                                        1e-4, 0.5))
                mix = self._mix(trans, eps, q)
            joint = self._log_joint(U, mix, wr.sum(axis=0) / total)
            top = joint.max(axis=1, keepdims=True)
            resp = np.exp(joint - top)
            norm = resp.sum(axis=1, keepdims=True)
            resp /= norm
            ll = float((w * (top.ravel() + np.log(norm.ravel()))).sum())
            if ll - prev < self.tol * abs(ll):
                break
            prev = ll
        return ll, resp, trans, eps

    def predict_proba(self, log: EventLog) -> np.ndarray:
        """Posterior probability of each persona for every journey of ``log`` (touchpoints
        the model never saw are left out of a journey's sequence)."""
        check_is_fitted(self, "transitions_")
        counts, _ = transition_counts(log, self.activities_)
        mix = self._mix(np.moveaxis(self.transitions_, 0, -1), self.noise_, self.background_)
        joint = self._log_joint(counts, mix, self.weights_)
        joint -= joint.max(axis=1, keepdims=True)
        prob = np.exp(joint)
        return prob / prob.sum(axis=1, keepdims=True)

    def predict(self, log: EventLog) -> np.ndarray:
        """Most likely persona of every journey of ``log``; ``-1`` for too short to tell."""
        return np.where(_short(log, self.min_touchpoints), TOO_SHORT,
                        self.predict_proba(log).argmax(axis=1))


def _to_activities(U: sp.csr_matrix, S: int) -> sp.csr_matrix:
    """Transition counts -> counts of each state entered (the touchpoint counts)."""
    cols = np.arange(S * S) % S
    keep = cols < S - 2
    M = sp.csr_matrix((np.ones(int(keep.sum())), (np.flatnonzero(keep), cols[keep])),
                      shape=(S * S, S - 2))
    return U @ M


# ------------------------------------------------------------------------------ vectors
class JourneyClusters(ClusterMixin, BaseEstimator):
    """Personas by clustering journey feature rows (k-means or Ward agglomerative).

    Parameters
    ----------
    n_personas : int or "auto"
        Number of personas, or ``"auto"`` to pick it in ``k_range`` by ``criterion``.
    features : JourneyFeatures, optional
        How journeys become rows; by default square-root counts of touchpoints and, at half
        weight, of consecutive pairs (so that two personas meeting the same touchpoints in
        another order differ).
    method : {"kmeans", "agglomerative"}
        k-means on all journeys (identical rows fitted once, weighted), or Ward linkage on
        a seeded sample of ``sample_size`` journeys with the rest joining the nearest
        persona centre.
    k_range : (int, int)
        Smallest and largest number of personas tried by ``"auto"``.
    criterion : {"clusterwise", "silhouette", "stability"}
        ``"clusterwise"`` (the default): the largest number whose *every* persona comes
        back when the model is refitted on random 80% subsamples, measured by the Jaccard
        similarity of each persona with its best match in the refit (mean over refits;
        0.75 or more for the weakest persona). A number too small merges personas, which
        come back merged, so it passes; a number too large cuts a persona in arbitrary
        pieces that the refits cut elsewhere, so it fails. If no number passes, the one
        whose weakest persona is most stable. ``"silhouette"``: the best mean silhouette
        over a seeded sample of journeys (it prefers two personas when one small persona
        is far from the rest). ``"stability"``: the best mean adjusted Rand index between
        the fit and the refits.
    min_touchpoints : int
        Journeys with fewer touchpoints are labelled ``-1`` (too short to tell) and left
        out of the fit.
    n_init : int
        k-means starts.
    sample_size : int
        Journeys used by the silhouette and by agglomerative clustering.
    min_persona_share : float
        With ``"auto"``, a number is only chosen when its smallest persona holds at least
        this share of the journeys long enough to tell, and no persona of the final
        assignment is left under it (a smaller one joins the personas closest to it).
    selection_sample : int
        With ``"auto"`` on more distinct journeys, the number is chosen on a seeded sample
        of this many journeys, then fitted on all.
    widen : bool
        When the choice is the top of ``k_range``, try up to 4 more numbers, twice at most.
    random_state : int
        Seed of every random step.

    Attributes
    ----------
    labels_, cluster_centers_, features_, selection_
        Persona per journey (``-1``: too short to tell; 0 is the largest), the centres
        in feature space, the fitted feature transformer and the evidence for the number
        (``k, silhouette, stability, weakest_persona, inertia, smallest_share, journeys,
        chosen``; ``weakest_persona`` is the clusterwise stability of the least stable
        persona).
    n_personas_ : int
        The number of personas fitted; with ``"auto"``, a persona under
        ``min_persona_share`` of the final assignment joins the personas closest to its
        journeys, so this can be below the number chosen in ``selection_``.
    method_ : str
        ``"kmeans"`` or ``"agglomerative"``.
    notes_ : list of str
        What a reader should know: the range widened, a persona too small merged; each is
        also issued as a :class:`PersonaWarning`.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events).touchpoints()
    >>> model = JourneyClusters(n_personas=3).fit(log)
    >>> sorted(set(model.labels_)) <= [-1, 0, 1, 2]
    True
    """

    def __init__(self, n_personas: int | str = "auto", *, features: JourneyFeatures | None = None,
                 method: str = "kmeans",
                 k_range: tuple[int, int] = PERSONA_DEFAULTS["k_range"],
                 criterion: str = "clusterwise", min_touchpoints: int = 3,
                 n_init: int = 10, sample_size: int = 5_000,
                 min_persona_share: float = PERSONA_DEFAULTS["min_persona_share"],
                 selection_sample: int = 20_000, widen: bool = True, random_state: int = 0):
        self.n_personas = n_personas
        self.features = features
        self.method = method
        self.k_range = k_range
        self.criterion = criterion
        self.min_touchpoints = min_touchpoints
        self.n_init = n_init
        self.sample_size = sample_size
        self.min_persona_share = min_persona_share
        self.selection_sample = selection_sample
        self.widen = widen
        self.random_state = random_state

    def fit(self, log: EventLog, y=None) -> "JourneyClusters":
        if self.method not in ("kmeans", "agglomerative"):
            raise InvalidInputError(f"method must be 'kmeans' or 'agglomerative', "
                                    f"got {self.method!r}.")
        if self.criterion not in _CRITERIA:
            raise InvalidInputError(f"criterion must be one of {_CRITERIA}, "
                                    f"got {self.criterion!r}.")
        short = _short(log, self.min_touchpoints)
        self.features_ = clone(self.features) if self.features is not None \
            else JourneyFeatures(transitions="sqrt", weights={"transitions": 0.5})
        X = self.features_.fit_transform(log)
        long_rows = np.flatnonzero(~short)
        U, inverse, w = _unique_rows(X[long_rows])
        if U.shape[1] <= 512:  # narrow rows: dense arithmetic is faster
            U = U.toarray()
        ks = _k_values(self.n_personas, self.k_range, U.shape[0], "distinct journeys")
        rng = np.random.default_rng(_seed(self.random_state, 1))
        sample = np.sort(rng.choice(len(long_rows), size=min(self.sample_size, len(long_rows)),
                                    replace=False))
        # with "auto" on many distinct journeys, the number is chosen on a seeded sample
        sU, sinv, sw, ssample = U, inverse, w, sample
        if len(ks) > 1 and U.shape[0] > self.selection_sample:
            pick = np.sort(np.random.default_rng(_seed(self.random_state, 9)).choice(
                len(inverse), size=int(self.selection_sample), replace=False))
            idx, sinv = np.unique(inverse[pick], return_inverse=True)
            sU, sw = U[idx], np.bincount(sinv).astype(float)
            ssample = np.sort(rng.choice(len(sinv), size=min(self.sample_size, len(sinv)),
                                         replace=False))
        fits: dict = {}
        rows_s = sinv[ssample]  # the silhouette's journeys, as distinct rows
        n_distinct_s = len(np.unique(rows_s))

        def search(more: list[int]) -> pd.DataFrame:
            rows = []
            for k in more:
                centers, lab_u, inertia = self._cluster(sU, sw, sinv, ssample, k,
                                                        self.random_state)
                lab = lab_u[sinv]
                sil = np.nan
                groups = len(np.unique(lab[ssample]))
                if 1 < groups < n_distinct_s:
                    sil = float(silhouette_score(sU[rows_s], lab[ssample],
                                                 random_state=_seed(self.random_state, 2)))
                elif 1 < groups:  # every distinct journey alone: no grouping at all
                    sil = 0.0
                stab = weakest = np.nan
                if self.criterion != "silhouette" and len(ks) > 1:
                    stab, kept = self._stability(sU, sw, sinv, lab, k)
                    weakest = float(kept.min())
                sizes = np.bincount(lab, minlength=k)
                fits[k] = centers
                rows.append((k, sil, stab, weakest, inertia,
                             float(sizes.min() / max(sizes.sum(), 1))))
            return pd.DataFrame(rows, columns=["k", "silhouette", "stability",
                                               "weakest_persona", "inertia",
                                               "smallest_share"])

        sel, k, self.notes_ = _search_widening(search, ks, sU.shape[0], self._choose,
                                               self.widen, self.n_personas == "auto")
        sel["journeys"] = len(sinv)
        sel["chosen"] = sel["k"] == k
        self.selection_ = sel
        centers = fits[k]
        if sU is not U:  # fitted on all distinct journeys, from the sample's centres
            km = KMeans(k, init=centers, n_init=1, random_state=_seed(self.random_state, k))
            centers = km.fit(U, sample_weight=w).cluster_centers_
        score = -_distances(U, centers)
        if self.n_personas == "auto":  # the minimum share holds on the final assignment
            keep, dropped = _enforce_min_share(score[inverse], short[long_rows],
                                               self.min_persona_share)
            self.notes_ += dropped
            centers, score = centers[keep], score[:, keep]
        k = len(centers)
        full = np.zeros(log.n_cases, np.int64)
        full[long_rows] = score.argmax(axis=1)[inverse]
        rank = _relabel_by_size(full, short, k)
        self.cluster_centers_ = centers[np.argsort(rank)]
        self.n_personas_ = k
        self.method_ = self.method
        self.labels_ = np.where(short, TOO_SHORT, rank[full])
        _warn(self.notes_)
        return self

    def _choose(self, sel: pd.DataFrame) -> int:
        """The number the criterion prefers among those whose smallest persona holds at
        least ``min_persona_share``. ``"clusterwise"``: the largest number whose weakest
        persona keeps a Jaccard of 0.75 or more across refits; if none does, the number
        whose weakest persona is most stable."""
        ok = sel[sel["smallest_share"] >= self.min_persona_share]
        if ok.empty:
            return int(sel["k"].min())
        if self.criterion == "clusterwise":
            kept = ok[ok["weakest_persona"] >= _PERSONA_KEPT]
            if not kept.empty:
                return int(kept["k"].max())
            if ok["weakest_persona"].notna().any():
                return int(ok.loc[ok["weakest_persona"].idxmax(), "k"])
            return int(ok["k"].min())
        col = ok[self.criterion]
        if col.isna().all():
            return int(ok["k"].min())
        return int(ok.loc[col.idxmax(), "k"])

    def _cluster(self, U, w, inverse, sample, k, seed):
        """Centres, a label per distinct row, and the weighted inertia."""
        if self.method == "kmeans":
            km = KMeans(k, n_init=self.n_init, random_state=_seed(seed, k)).fit(
                U, sample_weight=w)
            return km.cluster_centers_, km.labels_, float(km.inertia_)
        rows = U[inverse[sample]]
        dense = rows.toarray() if sp.issparse(rows) else rows
        lab = AgglomerativeClustering(k, linkage="ward").fit_predict(dense)
        centers = np.vstack([dense[lab == c].mean(axis=0) for c in range(k)])
        lab_u = _nearest(U, centers)
        sq = U.multiply(U).sum(axis=1) if sp.issparse(U) else (U * U).sum(axis=1)
        d = np.asarray(sq).ravel() - 2 * np.asarray(U @ centers.T)[
            np.arange(U.shape[0]), lab_u] + (centers ** 2).sum(axis=1)[lab_u]
        return centers, lab_u, float((w * np.maximum(d, 0)).sum())

    def _stability(self, U, w, inverse, labels, k, n_resamples: int = 5
                   ) -> tuple[float, np.ndarray]:
        """Mean ARI between the fit and refits on 80% subsamples of the journeys, and per
        persona the mean Jaccard similarity with its best match in the refits."""
        scores, kept = [], []
        n = len(inverse)
        for r in range(n_resamples):
            rng = np.random.default_rng(_seed(self.random_state, 3, k, r))
            keep = rng.random(n) < 0.8
            w_sub = np.bincount(inverse[keep], minlength=U.shape[0]).astype(float)
            has = w_sub > 0
            idx = np.flatnonzero(has)
            remap = np.full(U.shape[0], -1)
            remap[idx] = np.arange(len(idx))
            inv_sub = remap[inverse[keep]]
            if len(idx) < k:  # too few distinct journeys left for k personas
                continue
            sample = np.sort(rng.choice(len(inv_sub), size=min(self.sample_size, len(inv_sub)),
                                        replace=False))
            centers, _, _ = self._cluster(U[idx], w_sub[idx], inv_sub, sample, k, _seed(
                self.random_state, 4, k, r))
            again = _nearest(U, centers)[inverse]
            scores.append(adjusted_rand_score(labels, again))
            kept.append(_best_jaccard(labels, again, k))
        if not scores:
            return np.nan, np.full(k, np.nan)
        return float(np.mean(scores)), np.mean(kept, axis=0)

    def predict(self, log: EventLog) -> np.ndarray:
        """Nearest persona centre of every journey of ``log``; ``-1`` for too short to tell."""
        check_is_fitted(self, "cluster_centers_")
        X = self.features_.transform(log)
        return np.where(_short(log, self.min_touchpoints), TOO_SHORT,
                        _nearest(X, self.cluster_centers_))


def _best_jaccard(labels: np.ndarray, again: np.ndarray, k: int) -> np.ndarray:
    """For each of the ``k`` personas of ``labels``, the Jaccard similarity (shared
    journeys over journeys in either) with the persona of ``again`` it overlaps most."""
    both = np.bincount(labels * k + again, minlength=k * k).reshape(k, k).astype(float)
    union = both.sum(axis=1)[:, None] + both.sum(axis=0)[None, :] - both
    return (both / np.maximum(union, 1.0)).max(axis=1)


def _distances(X, centers: np.ndarray) -> np.ndarray:
    """Squared distance of every row to every centre, up to a per-row constant."""
    return -2 * np.asarray(X @ centers.T) + (centers ** 2).sum(axis=1)[None, :]


def _nearest(X, centers: np.ndarray) -> np.ndarray:
    return _distances(X, centers).argmin(axis=1)


# ------------------------------------------------------------------------------ verbs
def find_personas(log: EventLog, *, method: str = PERSONA_DEFAULTS["method"],
                  n_personas: int | str = PERSONA_DEFAULTS["n_personas"],
                  min_touchpoints: int = PERSONA_DEFAULTS["min_touchpoints"],
                  random_state: int = PERSONA_DEFAULTS["random_state"], **options
                  ) -> MarkovMixture | JourneyClusters:
    """Fit a persona model to ``log`` and return it (``labels_``, ``selection_``, ...).

    Parameters
    ----------
    method : {"auto", "markov", "kmeans", "agglomerative"}
        ``"markov"``: :class:`MarkovMixture` (how journeys move); ``"kmeans"``,
        ``"agglomerative"``: :class:`JourneyClusters` on :class:`JourneyFeatures` rows (what
        they contain, touchpoints and consecutive pairs). ``"auto"`` measures
        :func:`path_memory`: when journeys follow fixed paths (0.15 nats per step or more),
        or are too few to learn a chain per persona (under 1,000 long enough to tell, or
        under 40 per touchpoint), k-means is used; when they move like walks the mixture
        is fitted and kept if its
        criterion (ICL) settles at a number inside the range, and k-means is used
        otherwise. The evidence of the models fitted is
        in ``selection_`` (columns ``method``, ``path_memory``, ``settles``) and the reason
        in ``notes_``.
    n_personas : int or "auto"
        A number, or chosen from the data (ICL for the mixture, clusterwise stability for
        k-means), with the evidence in ``selection_``.
    min_touchpoints : int
        Shorter journeys are too short to tell (label ``-1``).
    random_state : int
        Seed.
    **options
        Passed to the estimator (``k_range``, ``features``, ``criterion``, ...); with
        ``"auto"``, ``k_range`` and ``min_persona_share`` go to both.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events).touchpoints()
    >>> model = find_personas(log, method="markov", n_personas=3)
    >>> model.n_personas_
    3
    """
    common = {k: options.pop(k) for k in ("k_range", "min_persona_share") if k in options}
    if method == "markov":
        return MarkovMixture(n_personas, min_touchpoints=min_touchpoints,
                             random_state=random_state, **common, **options).fit(log)
    if method in ("kmeans", "agglomerative"):
        return JourneyClusters(n_personas, method=method, min_touchpoints=min_touchpoints,
                               random_state=random_state, **common, **options).fit(log)
    if method != "auto":
        raise InvalidInputError(f"method must be 'auto', 'markov', 'kmeans' or "
                                f"'agglomerative', got {method!r}.")
    if options:
        raise InvalidInputError(f"With method='auto' only k_range and min_persona_share can "
                                f"be given; choose a method to pass {sorted(options)}.")
    # The sequence model is kept when (1) there are enough journeys to learn a chain per
    # persona, (2) journeys are walks, not fixed paths: knowing the touchpoint before the
    # last barely helps to predict the next one, and (3) its criterion settles at a number
    # inside the range (at the top, more chains keep fitting better: first-order chains do
    # not describe the journeys). Otherwise k-means is.
    memory = path_memory(log, min_touchpoints=min_touchpoints, random_state=random_state)
    n_long = int((log.case_lengths >= int(min_touchpoints)).sum())
    needed = max(_CHAIN_JOURNEYS, _CHAIN_JOURNEYS_PER_TOUCHPOINT * log.n_activities)
    enough = n_long >= needed
    walks = memory < _PATH_MEMORY and enough
    fitted, settles, chosen = [], False, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PersonaWarning)
        if walks:
            markov = MarkovMixture(n_personas, min_touchpoints=min_touchpoints, widen=False,
                                   random_state=random_state, **common).fit(log)
            fitted.append(markov)
            sel = markov.selection_
            chosen = int(sel.loc[sel["chosen"], "k"].iloc[0])
            settles = len(sel) == 1 or chosen < int(sel["k"].max())
        if not settles:
            fitted.append(JourneyClusters(n_personas, criterion="clusterwise",
                                          min_touchpoints=min_touchpoints,
                                          random_state=random_state, **common).fit(log))
    model = fitted[-1]
    tables = []
    for m in fitted:
        t = m.selection_.copy()
        t.insert(0, "method", m.method_)
        t["chosen"] = t["chosen"] & (m is model)
        tables.append(t)
    model.selection_ = pd.concat(tables, ignore_index=True)
    model.selection_["path_memory"] = memory
    if walks:
        model.selection_["settles"] = np.where(model.selection_["method"] == "markov",
                                               settles, None)
    if model.method_ != "markov" and not enough:
        why = (f"{n_long:,} journeys long enough to tell are too few to learn a Markov chain "
               f"per persona over {log.n_activities} touchpoints (the mixture needs "
               f"{needed:,})")
    elif model.method_ == "markov":
        why = (f"journeys move like walks (path memory {memory:.2f} nats per step, under "
               f"{_PATH_MEMORY}) and the mixture's criterion (ICL) settles at {chosen}")
    elif not walks:
        why = (f"journeys follow a few fixed paths with detours (path memory {memory:.2f} "
               f"nats per step, {_PATH_MEMORY} or more: the touchpoint before the last helps "
               f"to predict the next one), which clusters of their touchpoints and pairs "
               f"find better than Markov chains")
    else:
        why = (f"the Markov mixture's criterion (ICL) kept improving up to the top of the "
               f"range ({chosen} chains): first-order chains do not describe these "
               f"journeys")
    model.notes_ = list(model.notes_) + [
        f"Method: {model.method_} ({_FAMILY_WORDS[model.method_]}), {model.n_personas_} "
        f"personas: {why}."]
    for w in caught:  # the kept model's warnings only
        if str(w.message) in model.notes_:
            warnings.warn(str(w.message), PersonaWarning, stacklevel=2)
    return model


#: Path memory (nats per step) from which journeys count as fixed paths, not walks.
_PATH_MEMORY = 0.15
#: Journeys long enough to tell the sequence model needs, at least, in all and per
#: touchpoint: a chain per persona has up to one parameter per pair of touchpoints, and the
#: path memory is measured on half of the journeys.
_CHAIN_JOURNEYS, _CHAIN_JOURNEYS_PER_TOUCHPOINT = 1_000, 40

_FAMILY_WORDS = {"markov": "how journeys move", "kmeans": "what journeys contain",
                 "agglomerative": "what journeys contain"}


def _refit(model, log: EventLog, random_state: int):
    """``model`` fitted again on ``log`` with its number of personas held and one set of
    starts, without warnings."""
    refit = clone(model).set_params(n_personas=model.n_personas_, random_state=random_state)
    if isinstance(model, MarkovMixture):
        refit.set_params(n_restarts=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PersonaWarning)
        return refit.fit(log)


def path_memory(log: EventLog, *, min_touchpoints: int = 3, random_state: int = 0,
                sample: int = 20_000) -> float:
    """How much the touchpoint before the last helps to predict the next one, in nats per
    step, on held-out journeys.

    Journeys long enough to tell (a seeded sample of at most ``sample``) are split in two
    halves. On one, first-order (last touchpoint) and second-order (last two) transition
    counts are taken, START and END included; on the other, each step is predicted by the
    first-order chain (smoothed towards the overall touchpoint mix) and by the second-order
    one (smoothed towards the first-order chain). The result is the mean gain in log
    probability per step. Near 0: journeys are walks, as a Markov chain makes them; large
    (0.15 or more): they follow fixed paths (templates with edits), where the position in
    the path, not the last touchpoint alone, says what comes next.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(2_000, random_state=1).events).touchpoints()
    >>> round(path_memory(log), 1) < 0.15
    True
    """
    long = log.case_lengths >= int(min_touchpoints)
    if long.sum() > sample:
        pick = np.flatnonzero(long)
        keep = np.zeros(log.n_cases, bool)
        keep[np.random.default_rng(_seed(random_state, 13)).choice(
            pick, size=int(sample), replace=False)] = True
        long = keep
    A = log.n_activities
    start, end = A, A + 1
    S = A + 2
    case = log.case_codes.astype(np.int64)
    act = log.activity_codes.astype(np.int64)
    first = np.r_[True, case[1:] != case[:-1]]
    second = np.r_[False, first[:-1]] & ~first
    last = np.r_[case[1:] != case[:-1], True]
    prev1 = np.where(first, start, np.r_[0, act[:-1]])
    prev2 = np.where(first | second, start, np.r_[0, 0, act[:-2]])
    ends = np.c_[case[last], prev1[last], act[last], np.full(int(last.sum()), end)]
    steps = np.r_[np.c_[case, prev2, prev1, act], ends]
    steps = steps[long[steps[:, 0]]]
    if not len(steps):
        return 0.0
    held = np.random.default_rng(_seed(random_state, 14)).random(log.n_cases) < 0.5
    test = held[steps[:, 0]]
    fit, new = steps[~test], steps[test]
    if not len(fit) or not len(new):
        return 0.0
    mix = np.bincount(fit[:, 3], minlength=S) + 1.0
    mix /= mix.sum()

    def counts(keys_fit: np.ndarray, keys_new: np.ndarray) -> np.ndarray:
        u, c = np.unique(keys_fit, return_counts=True)
        i = np.clip(np.searchsorted(u, keys_new), 0, max(len(u) - 1, 0))
        return np.where(u[i] == keys_new, c[i], 0).astype(float)

    def pair(t: np.ndarray) -> np.ndarray:
        return t[:, 2] * S + t[:, 3]

    def triple(t: np.ndarray) -> np.ndarray:
        return (t[:, 1] * S + t[:, 2]) * S + t[:, 3]

    p1 = (counts(pair(fit), pair(new)) + mix[new[:, 3]]) / (counts(fit[:, 2], new[:, 2]) + 1.0)
    p2 = (counts(triple(fit), triple(new)) + 2.0 * p1) / (
        counts(fit[:, 1] * S + fit[:, 2], new[:, 1] * S + new[:, 2]) + 2.0)
    return float(np.mean(np.log(p2) - np.log(p1)))


def describe_stability(stability: float | pd.DataFrame) -> str:
    """One plain sentence on how stable personas are (the mean adjusted Rand index between
    refits, or the table :func:`persona_stability` returns), with a caution below
    ``LOW_STABILITY``.

    Examples
    --------
    >>> describe_stability(0.33).startswith("Stability 0.33: low")
    True
    """
    value = float(stability["ari"].mean()) if isinstance(stability, pd.DataFrame) \
        else float(stability)
    if value < LOW_STABILITY:
        return (f"Stability {value:.2f}: low (under {LOW_STABILITY}). Refits on other "
                f"journeys split them differently, so these personas are one grouping among "
                f"several that fit about as well; do not treat them as fixed segments, and "
                f"check any finding by persona against the whole log.")
    if value < 0.9:
        return (f"Stability {value:.2f}: fair. The personas' cores come back on other "
                f"journeys; their edges move.")
    return f"Stability {value:.2f}: high. Refits on other journeys find the same personas."


def persona_stability(model: MarkovMixture | JourneyClusters, log: EventLog, *,
                      n_resamples: int = 10, frac: float = 0.8, random_state: int = 0
                      ) -> pd.DataFrame:
    """How stable the personas are: refit on random subsamples of the journeys, predict
    every journey, and compare with the original assignment.

    The number of personas is held at the one ``model`` chose; a Markov mixture's refits
    take one set of starts (``n_restarts=1``), so a persona that only some starts find
    shows as unstable. Returns one row per resample: ``resample, journeys, ari`` (adjusted
    Rand index over journeys long enough to tell; 1 = the same personas).

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events).touchpoints()
    >>> model = find_personas(log, n_personas=2)
    >>> bool(persona_stability(model, log, n_resamples=2)["ari"].between(-1, 1).all())
    True
    """
    if not 0 < frac <= 1:
        raise InvalidInputError(f"frac must be in (0, 1], got {frac}.")
    labels = getattr(model, "labels_", None)
    if labels is None:
        raise InvalidInputError("Fit the model before measuring its stability.")
    rows = []
    told = labels != TOO_SHORT
    for r in range(int(n_resamples)):
        sub = log.sample_cases(frac=frac, random_state=_seed(random_state, 5, r))
        refit = _refit(model, sub, _seed(random_state, 6, r))
        again = refit.predict(log)
        both = told & (again != TOO_SHORT)
        rows.append((r, sub.n_cases, float(adjusted_rand_score(labels[both], again[both]))))
    return pd.DataFrame(rows, columns=["resample", "journeys", "ari"])
