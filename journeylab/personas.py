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

__all__ = ["MarkovMixture", "transition_counts", "profile_personas"]


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


def profile_personas(log: EventLog, labels: np.ndarray, *,
                     outcome: str | list[str] | None = None, instrument: str | None = None,
                     top: int = 3) -> pd.DataFrame:
    """One row per persona: size, typical journey, channels, outcome, satisfaction, and
    what sets it apart.

    ``labels`` holds one persona per journey (in the log's case order, as
    ``MarkovMixture.labels_``). ``distinctive`` lists the touchpoints with the highest lift
    (share of the persona's journeys that meet it / share of the other journeys that do),
    among those met by at least 5% of the persona ("only here" when no other persona meets
    it). ``name`` is made from the channels: the
    persona's main channel, then the channel it over-uses most ("app-first, chat-heavy").

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, seed=1).events)
    >>> profile_personas(log, np.arange(log.n_cases) % 2)["journeys"].sum() == log.n_cases
    True
    """
    from .paths import _variant_ids, _variant_text, case_outcome, case_satisfaction

    labels = np.asarray(labels)
    if labels.shape != (log.n_cases,):
        raise InvalidInputError(f"labels must hold one persona per journey ({log.n_cases}), "
                                f"got shape {labels.shape}.")
    cases = log.case_table()
    A = log.n_activities
    act = log.activity_codes.astype(np.int64)
    met = np.zeros((log.n_cases, A), bool)
    met[log.case_codes, act] = True
    ids, first = _variant_ids(log)
    text = _variant_text(log, first)
    conv = case_outcome(log, outcome)
    sat = case_satisfaction(log, instrument)
    has_channel = "channel" in log.events.columns
    if has_channel:
        chan = log.events["channel"].astype(object).to_numpy()
        overall = pd.Series(chan).value_counts(normalize=True)
    names_of = np.asarray(log.activities, dtype=object)
    rows = []
    for p in sorted(pd.unique(labels)):
        mine = labels == p
        share_in = met[mine].mean(axis=0)
        share_out = met[~mine].mean(axis=0) if (~mine).any() else np.zeros(A)
        lift = share_in / np.maximum(share_out, 1e-9)
        candidates = np.flatnonzero(share_in >= 0.05)
        best = candidates[np.lexsort((names_of[candidates], -lift[candidates]))][:top]
        variants = pd.Series(text[ids[mine]]).value_counts().head(top)
        row = {
            "persona": p,
            "journeys": int(mine.sum()),
            "share": float(mine.mean()),
            "median_events": float(np.median(cases["n_events"].to_numpy()[mine])),
            "median_duration_days": float(np.median(cases["duration_s"].to_numpy()[mine]))
            / 86_400,
            "distinctive": ", ".join(
                f"{names_of[a]} (only here)" if share_out[a] == 0
                else f"{names_of[a]} (x{lift[a]:.1f})" for a in best),
            "top_variants": " | ".join(f"{v} ({n})" for v, n in variants.items()),
        }
        if conv is not None:
            row["conversion"] = float(conv[mine].mean())
        if sat is not None:
            row["mean_satisfaction"] = float(np.nanmean(sat[mine])) \
                if np.isfinite(sat[mine]).any() else np.nan
        if has_channel:
            in_persona = np.repeat(mine, log.case_lengths)
            mix = pd.Series(chan[in_persona]).value_counts(normalize=True)
            row["channels"] = ", ".join(f"{c} {s:.0%}" for c, s in mix.head(3).items())
            main = mix.index[0]
            over = (mix / overall.reindex(mix.index)).drop(index=main)
            over = over[(over > 1.2) & (mix.drop(index=main) >= 0.05)]
            row["name"] = f"{main}-first" + (f", {over.idxmax()}-heavy" if len(over) else "")
        else:
            row["name"] = " & ".join(names_of[a] for a in best[:2]) or f"persona {p}"
        rows.append(row)
    return pd.DataFrame(rows)
