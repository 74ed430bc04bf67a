"""The content model of personas: :class:`JourneyClusters`, k-means (or Ward agglomerative)
clustering of :class:`~journeylab.personas.features.JourneyFeatures` rows, with its k-means
helpers. With ``"auto"`` the number of personas is the largest whose every persona comes back
when the model is refitted on subsamples (clusterwise stability), or the best silhouette or
mean adjusted Rand index, chosen through :mod:`.selection`. Journeys too short to tell are
left out of the fit and labelled ``-1``; identical rows are fitted once, weighted.
"""
from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
# scikit-learn's own parameter checks: the constraint types live in a private module
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..core.log import EventLog
from ..defaults import PERSONA_DEFAULTS
from .features import JourneyFeatures
from .params import PERSONA_CONSTRAINTS, check_params
from .selection import (TOO_SHORT, derived_seed, enforce_min_share, k_values, large_enough,
                        relabel_by_size, search_widening, short_journeys, unique_rows,
                        warn_notes)

__all__ = ["JourneyClusters", "PERSONA_KEPT"]

#: How a vector model's number is chosen. For "clusterwise", the Jaccard similarity every
#: persona must keep, on average, with its best match among refits on 80% subsamples
#: (Hennig's clusterwise stability: 0.75 and over is a stable cluster, under 0.6 one that
#: dissolves).
_CRITERIA = ("clusterwise", "silhouette", "stability")
PERSONA_KEPT = 0.75


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
        (``k, silhouette, stability, weakest_persona, inertia, smallest_share,
        smallest_journeys, journeys, chosen``; ``weakest_persona`` is the clusterwise
        stability of the least stable persona).
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

    _parameter_constraints: dict = {
        **PERSONA_CONSTRAINTS,
        "features": [HasMethods(["fit_transform", "transform"]), None],
        "method": [StrOptions({"kmeans", "agglomerative"})],
        "criterion": [StrOptions(set(_CRITERIA))],
        "sample_size": [Interval(Integral, 1, None, closed="left")],
    }

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
        check_params(self)
        short = short_journeys(log, self.min_touchpoints)
        self.features_ = clone(self.features) if self.features is not None \
            else JourneyFeatures(transitions="sqrt", weights={"transitions": 0.5})
        X = self.features_.fit_transform(log)
        long_rows = np.flatnonzero(~short)
        U, inverse, w = unique_rows(X[long_rows])
        if U.shape[1] <= 512:  # narrow rows: dense arithmetic is faster
            U = U.toarray()
        ks = k_values(self.n_personas, self.k_range, U.shape[0], "distinct journeys")
        rng = np.random.default_rng(derived_seed(self.random_state, 1))
        sample = np.sort(rng.choice(len(long_rows), size=min(self.sample_size, len(long_rows)),
                                    replace=False))
        # with "auto" on many distinct journeys, the number is chosen on a seeded sample
        sU, sinv, sw, ssample = U, inverse, w, sample
        if len(ks) > 1 and U.shape[0] > self.selection_sample:
            pick = np.sort(np.random.default_rng(derived_seed(self.random_state, 9)).choice(
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
                                                 random_state=derived_seed(self.random_state, 2)))
                elif 1 < groups:  # every distinct journey alone: no grouping at all
                    sil = 0.0
                stab = weakest = np.nan
                if self.criterion != "silhouette" and len(ks) > 1:
                    stab, kept = self._stability(sU, sw, sinv, lab, k)
                    weakest = float(kept.min())
                sizes = np.bincount(lab, minlength=k)
                fits[k] = centers
                rows.append((k, sil, stab, weakest, inertia,
                             float(sizes.min() / max(sizes.sum(), 1)), int(sizes.min())))
            return pd.DataFrame(rows, columns=["k", "silhouette", "stability",
                                               "weakest_persona", "inertia",
                                               "smallest_share", "smallest_journeys"])

        sel, k, self.notes_ = search_widening(search, ks, sU.shape[0], self._choose,
                                              self.widen, self.n_personas == "auto",
                                              self.min_persona_share)
        sel["journeys"] = len(sinv)
        sel["chosen"] = sel["k"] == k
        self.selection_ = sel
        centers = fits[k]
        if sU is not U:  # fitted on all distinct journeys, from the sample's centres
            km = KMeans(k, init=centers, n_init=1, random_state=derived_seed(self.random_state, k))
            centers = km.fit(U, sample_weight=w).cluster_centers_
        score = -_distances(U, centers)
        if self.n_personas == "auto":  # the minimum share holds on the final assignment
            keep, dropped = enforce_min_share(score[inverse], short[long_rows],
                                              self.min_persona_share)
            self.notes_ += dropped
            centers, score = centers[keep], score[:, keep]
        k = len(centers)
        full = np.zeros(log.n_cases, np.int64)
        full[long_rows] = score.argmax(axis=1)[inverse]
        rank = relabel_by_size(full, short, k)
        self.cluster_centers_ = centers[np.argsort(rank)]
        self.n_personas_ = k
        self.method_ = self.method
        self.labels_ = np.where(short, TOO_SHORT, rank[full])
        warn_notes(self.notes_)
        return self

    def _choose(self, sel: pd.DataFrame) -> int:
        """The number the criterion prefers among those whose smallest persona holds at
        least ``min_persona_share`` and ``MIN_PERSONA_JOURNEYS`` journeys.
        ``"clusterwise"``: the largest number whose weakest persona keeps a Jaccard of 0.75
        or more across refits; if none does, the number whose weakest persona is most
        stable."""
        ok = sel[large_enough(sel, self.min_persona_share)]
        if ok.empty:
            return int(sel["k"].min())
        if self.criterion == "clusterwise":
            kept = ok[ok["weakest_persona"] >= PERSONA_KEPT]
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
            km = KMeans(k, n_init=self.n_init, random_state=derived_seed(seed, k)).fit(
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
            rng = np.random.default_rng(derived_seed(self.random_state, 3, k, r))
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
            centers, _, _ = self._cluster(U[idx], w_sub[idx], inv_sub, sample, k, derived_seed(
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
        return np.where(short_journeys(log, self.min_touchpoints), TOO_SHORT,
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
