"""The sequence model of personas: :class:`MarkovMixture`, a mixture of first-order Markov
chains over touchpoints (with a start and an end state), fitted by EM with split-and-merge
moves. Each persona is a transition matrix; a journey belongs to the persona most likely to
have produced its sequence, and steps that stray from a persona's pattern are explained by a
background drawn from the overall touchpoint mix. With ``"auto"`` the number of personas is
chosen by ICL (or BIC) through :mod:`.selection`; identical journeys are fitted once, with
their multiplicity as weight, so the work grows with the number of variants.
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize
# scikit-learn's own parameter checks: the constraint types live in a private module
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..core.journeys import transition_counts
from ..core.log import EventLog
from ..defaults import PERSONA_DEFAULTS
from .params import PERSONA_CONSTRAINTS, check_params
from .selection import (TOO_SHORT, choose_number, derived_seed, enforce_min_share, k_values,
                        relabel_by_size, search_widening, short_journeys, unique_rows,
                        warn_notes)

__all__ = ["MarkovMixture", "transition_counts"]


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
    background_ : ndarray of shape (S,)
        The touchpoint mix stray steps go to (each state entered, START excluded).
    log_likelihood_, bic_, icl_ : float
        Fit of the model (on the journeys it was fitted on). BIC counts, for each persona,
        the transitions in its pattern (taken at least ``min_share`` of the time).
    selection_ : DataFrame
        ``k, log_likelihood, parameters, noise, bic, icl, smallest_share, smallest_journeys,
        journeys, chosen``: one row per number tried (``journeys``: how many it was fitted
        on).
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

    _parameter_constraints: dict = {
        **PERSONA_CONSTRAINTS,
        "criterion": [StrOptions({"icl", "bic"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "min_share": [Interval(Real, 0, 1, closed="both")],
        "split_merge_rounds": [Interval(Integral, 0, None, closed="left")],
        "fit_sample": [Interval(Integral, 1, None, closed="left")],
        "n_restarts": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
    }

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
        check_params(self)
        short = short_journeys(log, self.min_touchpoints)
        n_long = int((~short).sum())
        ks = k_values(self.n_personas, self.k_range, n_long)
        fitted = log
        if log.n_cases > self.fit_sample:  # parameters from a seeded sample; all assigned
            fitted = log.sample_cases(n=int(self.fit_sample),
                                      random_state=derived_seed(self.random_state, 8))
        searched = fitted
        if len(ks) > 1 and fitted.n_cases > self.selection_sample:
            # choose the number on a smaller seeded sample, then fit it
            searched = log.sample_cases(n=int(self.selection_sample),
                                        random_state=derived_seed(self.random_state, 7))
        fits: dict = {}
        ctx: list = []

        def search(more: list[int]) -> pd.DataFrame:
            sel, found, c = self._search(searched, more)
            fits.update(found)
            ctx[:] = [c]
            return sel

        sel, k, self.notes_ = search_widening(
            search, ks, int((~short_journeys(searched, self.min_touchpoints)).sum()),
            lambda table: choose_number(table, self.criterion, self.min_persona_share,
                                        lower_is_better=True), self.widen,
            self.n_personas == "auto", self.min_persona_share)
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
        proba = resp[inverse] if fitted is log else self.predict_proba(log)
        keep = np.arange(k)
        sel["chosen"] = sel["k"] == k
        if self.n_personas == "auto":  # the minimum share holds on the final assignment
            keep, dropped = enforce_min_share(proba, short, self.min_persona_share)
            self.notes_ += dropped
            proba = proba[:, keep] / proba[:, keep].sum(axis=1, keepdims=True)
        raw = proba.argmax(axis=1)
        k = len(keep)
        rank = relabel_by_size(raw, short, k)
        order = np.argsort(rank)
        self.transitions_ = self.transitions_[keep][order]
        self.weights_ = self.weights_[keep][order] / self.weights_[keep].sum()
        self.selection_ = sel
        self.n_personas_ = k
        self.method_ = "markov"
        self.log_likelihood_ = ll
        self.confidence_ = np.where(short, np.nan, proba.max(axis=1))
        self.labels_ = np.where(short, TOO_SHORT, rank[raw])
        warn_notes(self.notes_)
        return self

    def _search(self, log: EventLog, ks: list[int]):
        """Fit every number in ``ks``; the evidence table, the fits, and what maps them back
        to journeys."""
        short = short_journeys(log, self.min_touchpoints)
        counts, self.activities_ = transition_counts(log)
        S = len(self.activities_) + 2
        U, inverse, w = unique_rows(counts)
        support = np.asarray(counts.sum(axis=0)).ravel() > 0
        entered = np.asarray(counts.sum(axis=0)).reshape(S, S).sum(axis=0)
        self.background_ = entered / max(entered.sum(), 1.0)  # every state but START
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
                                          "icl", "smallest_share", "smallest_journeys"])
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
            (k, ll, free, eps, bic, bic + 2.0 * ent, smallest, int(round(sizes.min())))

    def _fit_k(self, U, w, S, support, k, restart: int = 0):
        """Best of ``n_init`` short EM runs, the three best continued to convergence."""
        n = U.shape[0]
        C = _Counts(U, U.T.tocsr())
        if k == 1:
            return self._em(C, w, S, np.ones((n, 1)), support, self.max_iter)
        views = [normalize(U), sp.csr_matrix(_to_activities(U, S)).sqrt()]
        starts = []
        for run in range(max(int(self.n_init), 1)):
            seed = derived_seed(self.random_state, k, run, *([restart] if restart else []))
            kind = run % 3 if n >= k else 2
            if kind < 2:
                lab = KMeans(k, n_init=1, random_state=seed).fit_predict(views[kind],
                                                                         sample_weight=w)
                resp = np.full((n, k), 0.1 / k)
                resp[np.arange(n), lab] += 0.9
            else:
                resp = np.random.default_rng(seed).dirichlet(np.ones(k), size=n)
            starts.append(self._em(C, w, S, resp, support, 20))
        starts.sort(key=lambda r: -r[0])
        best = max((self._full_em(C, w, S, r[1], support) for r in starts[:3]),
                   key=lambda r: r[0])
        return self._split_merge(C, w, S, support, best, views[0], k, restart)

    def _full_em(self, C, w, S, resp, support):
        """EM to convergence, on each persona's pattern found by a short unmasked run."""
        if self.noise == 0:
            return self._em(C, w, S, resp, support, self.max_iter)
        short = self._em(C, w, S, resp, support, 20)
        return self._em(C, w, S, short[1], support, self.max_iter, self._pattern(short[2]))

    def _split_merge(self, C, w, S, support, best, view, k, restart=0):
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
            trials = sorted((self._em(C, w, S, t, support, 20)
                             for t in self._moves(resp, w, view, pairs, sizes, k,
                                                  rnd + 1000 * restart)),
                            key=lambda r: -r[0])
            improved = False
            for trial in trials[:3]:
                result = self._full_em(C, w, S, trial[1], support)
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
                split = self._halves(resp, w, view, src,
                                     derived_seed(self.random_state, k, rnd, src))
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
                split = self._halves(resp, w, view, c, derived_seed(self.random_state, k, rnd, c))
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

    def _em(self, C, w, S, resp, support, max_iter, mask=None):
        """EM from the responsibilities ``resp``. Stray steps (a touchpoint out of the
        persona's pattern) are explained by a background: with probability ``eps`` a step
        goes to a touchpoint drawn from the overall mix ``q``; ``eps`` is learned.

        Inside, responsibilities are held persona by journey, so that the sums and maxima
        over personas run along whole rows (over a short last axis they cost ten times as
        much)."""
        prev, ll = -np.inf, -np.inf
        total = w.sum()
        q = self.background_
        eps = 0.05 if self.noise == "auto" else float(self.noise)
        resp_t = np.ascontiguousarray(resp.T)
        for _ in range(max_iter):
            wr_t = resp_t * w
            raw = np.asarray(C.cols @ wr_t.T).reshape(S, S, -1)
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
            joint_t = np.ascontiguousarray(self._log_joint(C.rows, mix, wr_t.sum(axis=1) / total).T)
            top = joint_t.max(axis=0)
            resp_t = np.exp(joint_t - top)
            norm = resp_t.sum(axis=0)
            resp_t /= norm
            ll = float((w * (top + np.log(norm))).sum())
            if ll - prev < self.tol * abs(ll):
                break
            prev = ll
        return ll, np.ascontiguousarray(resp_t.T), trans, eps

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
        check_is_fitted(self, "transitions_")
        return np.where(short_journeys(log, self.min_touchpoints), TOO_SHORT,
                        self.predict_proba(log).argmax(axis=1))


@dataclass(frozen=True)
class _Counts:
    """The distinct journeys' transition counts (``rows``: journey x transition) and the
    same transposed (``cols``), both CSR: EM multiplies by each in every iteration."""

    rows: sp.csr_matrix
    cols: sp.csr_matrix


def _to_activities(U: sp.csr_matrix, S: int) -> sp.csr_matrix:
    """Transition counts -> counts of each state entered (the touchpoint counts)."""
    cols = np.arange(S * S) % S
    keep = cols < S - 2
    M = sp.csr_matrix((np.ones(int(keep.sum())), (np.flatnonzero(keep), cols[keep])),
                      shape=(S * S, S - 2))
    return U @ M
