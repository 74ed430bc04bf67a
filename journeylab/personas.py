"""Behavioural personas: journeys grouped by how they move.

:class:`MarkovMixture` is a mixture of first-order Markov chains over touchpoints (with a
start and an end state), fitted by EM: each persona is a transition matrix, and a journey
belongs to the persona most likely to have produced its sequence. Each journey is a sparse
row of transition counts, so both EM steps are sparse matrix products.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from .errors import InvalidInputError
from .log import EventLog

__all__ = ["MarkovMixture", "transition_counts"]


def transition_counts(log: EventLog, activities: pd.Index | None = None
                      ) -> tuple[sp.csr_matrix, pd.Index]:
    """Per-journey counts of transitions, START -> first and last -> END included.

    Returns a ``(journeys, S * S)`` sparse matrix, with ``S = len(activities) + 2``
    (START is ``S - 2``, END is ``S - 1``), and the activity labels of the states. With
    ``activities`` given, the log is mapped onto them and touchpoints outside them are
    left out of the counts.
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


class MarkovMixture(ClusterMixin, BaseEstimator):
    """Mixture of first-order Markov chains over journeys, fitted by EM.

    Parameters
    ----------
    n_components : int
        Number of personas.
    n_init : int
        EM runs from different k-means seedings; the best likelihood is kept.
    max_iter : int
        EM iterations per run at most.
    tol : float
        Stop when the log-likelihood improves by less than ``tol`` (relative).
    alpha : float
        Additive smoothing of every transition seen in the data.
    random_state : int
        Seed of the k-means seedings.

    Attributes
    ----------
    labels_ : ndarray of shape (n_journeys,)
        Persona of each journey of the fitted log (0 is the largest persona).
    weights_ : ndarray of shape (n_components,)
        Share of journeys in each persona.
    transitions_ : ndarray of shape (n_components, S, S)
        Transition probabilities of each persona (rows: from, columns: to).
    activities_ : Index
        The touchpoints the states stand for (then START, END).
    log_likelihood_, bic_ : float
        Fit of the model; the BIC counts, for each persona, the transitions it uses.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, seed=1).events)
    >>> model = MarkovMixture(n_components=3, random_state=0).fit(log)
    >>> model.labels_.shape == (log.n_cases,)
    True
    """

    def __init__(self, n_components: int = 6, *, n_init: int = 4, max_iter: int = 300,
                 tol: float = 1e-7, alpha: float = 0.01, random_state: int = 0):
        self.n_components = n_components
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, log: EventLog, y=None) -> "MarkovMixture":
        k = int(self.n_components)
        if k < 1 or k > log.n_cases:
            raise InvalidInputError(f"n_components must be between 1 and the {log.n_cases} "
                                    f"journeys, got {self.n_components}.")
        counts, self.activities_ = transition_counts(log)
        S = len(self.activities_) + 2
        support = np.asarray(counts.sum(axis=0)).ravel() > 0
        rows = normalize(counts, norm="l2")
        best = None
        for run in range(self.n_init):
            seed = np.random.SeedSequence([int(self.random_state), run]).generate_state(1)[0]
            if k == 1:
                start = np.zeros(log.n_cases, np.int64)
            else:
                start = KMeans(k, n_init=1, random_state=int(seed)).fit_predict(rows)
            resp = np.full((log.n_cases, k), 0.1 / k)
            resp[np.arange(log.n_cases), start] += 0.9
            result = self._em(counts, S, resp, support)
            if best is None or result[0] > best[0]:
                best = result
        ll, resp, expected, n_iter = best
        order = np.argsort(-resp.sum(axis=0), kind="stable")  # largest persona first
        resp, expected = resp[:, order], expected[..., order]
        self.transitions_ = np.moveaxis(self._normalise(expected, support, S), -1, 0)
        self.weights_ = resp.mean(axis=0)
        self.labels_ = resp.argmax(axis=1)
        self.log_likelihood_ = ll
        used = expected >= 1.0  # transitions a persona actually uses
        free = int(used.sum() - (used.sum(axis=1) > 0).sum()) + (k - 1)
        self.bic_ = -2.0 * ll + free * np.log(log.n_cases)
        self.n_iter_ = n_iter
        return self

    def _normalise(self, expected: np.ndarray, support: np.ndarray, S: int) -> np.ndarray:
        smoothed = expected + self.alpha * support.reshape(S, S, 1)
        total = smoothed.sum(axis=1, keepdims=True)
        return np.divide(smoothed, total, out=np.zeros_like(smoothed), where=total > 0)

    def _em(self, counts, S, resp, support):
        prev = -np.inf
        ll = -np.inf
        for it in range(1, self.max_iter + 1):
            expected = np.asarray(counts.T @ resp).reshape(S, S, -1)
            trans = self._normalise(expected, support, S)
            log_t = np.log(np.where(trans > 0, trans, 1.0)).reshape(S * S, -1)
            joint = np.asarray(counts @ log_t) + np.log(np.maximum(resp.mean(axis=0), 1e-300))
            top = joint.max(axis=1, keepdims=True)
            ll = float((top.ravel() + np.log(np.exp(joint - top).sum(axis=1))).sum())
            resp = np.exp(joint - top)
            resp /= resp.sum(axis=1, keepdims=True)
            if ll - prev < self.tol * abs(ll):
                break
            prev = ll
        expected = np.asarray(counts.T @ resp).reshape(S, S, -1)
        return ll, resp, expected, it

    def predict_proba(self, log: EventLog) -> np.ndarray:
        """Posterior probability of each persona for every journey of ``log``."""
        counts, _ = transition_counts(log, self.activities_)
        S = len(self.activities_) + 2
        trans = np.moveaxis(self.transitions_, 0, -1)
        log_t = np.log(np.where(trans > 0, trans, 1.0)).reshape(S * S, -1)
        joint = np.asarray(counts @ log_t) + np.log(np.maximum(self.weights_, 1e-300))
        joint -= joint.max(axis=1, keepdims=True)
        prob = np.exp(joint)
        return prob / prob.sum(axis=1, keepdims=True)

    def predict(self, log: EventLog) -> np.ndarray:
        """Most likely persona of every journey of ``log``."""
        return self.predict_proba(log).argmax(axis=1)
