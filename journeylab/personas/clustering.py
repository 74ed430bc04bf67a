"""Finding personas in one call: :func:`find_personas` fits a persona model to a log and, with
``method="auto"`` (the default), keeps the one the data calls for: the Markov mixture
(:mod:`.markov`) when there are enough journeys to learn a chain per persona, they move like
walks (:func:`path_memory` is low) and its criterion settles inside the range; k-means
(:mod:`.kmeans`) when journeys follow a few fixed paths with detours, are too few, or the
criterion does not settle. With ``"auto"`` numbers, a choice at the top of the range widens
it, no persona of the final assignment is left under the minimum share, and what happened is
said in ``notes_`` and as a :class:`~journeylab.personas.selection.PersonaWarning`. Journeys
with fewer than ``min_touchpoints`` touchpoints are *too short to tell*: they get the label
``-1``, never forced into a persona.

On a log held by an engine (``read_events(..., engine="duckdb")`` or ``"spark"``), the
model is fitted in memory on a seeded sample of whole journeys and every journey is then
assigned in the engine (:func:`find_engine_personas`).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..core.engine import EngineLog
from ..core.log import EventLog
from ..defaults import PERSONA_DEFAULTS
from ..errors import EmptyLogError, InvalidInputError
from .kmeans import JourneyClusters
from .markov import MarkovMixture
from .selection import PersonaWarning, derived_seed

__all__ = ["find_personas", "find_engine_personas", "path_memory", "PERSONA_DEFAULTS",
           "SAMPLE_JOURNEYS"]

#: Journeys of an engine's log the persona model is fitted on (about; all when fewer).
SAMPLE_JOURNEYS = 200_000


# ------------------------------------------------------------------------------ verbs
def find_personas(log: EventLog | EngineLog, *, method: str = PERSONA_DEFAULTS["method"],
                  n_personas: int | str = PERSONA_DEFAULTS["n_personas"],
                  min_touchpoints: int = PERSONA_DEFAULTS["min_touchpoints"],
                  random_state: int = PERSONA_DEFAULTS["random_state"],
                  sample_journeys: int = SAMPLE_JOURNEYS, **options
                  ) -> MarkovMixture | JourneyClusters:
    """Fit a persona model to ``log`` and return it (``labels_``, ``selection_``, ...).

    Parameters
    ----------
    log : EventLog or EngineLog
        With an engine's log, the model is fitted on a seeded sample of about
        ``sample_journeys`` whole journeys and every journey is assigned in the engine:
        ``labels_`` then follows ``case_ids_`` (see :func:`find_engine_personas`).
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
        Seed (of the sample of an engine's log too).
    sample_journeys : int
        With an engine's log, about how many journeys the model is fitted on (all when the
        log has fewer); unused with an EventLog.
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
    if isinstance(log, EngineLog):
        return find_engine_personas(log, method=method, n_personas=n_personas,
                                    min_touchpoints=min_touchpoints, random_state=random_state,
                                    sample_journeys=sample_journeys, **options)[0]
    if log.n_cases == 0:
        raise EmptyLogError("find_personas needs journeys, and the log has none (a filter "
                            "left none?).")
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


def find_engine_personas(log: EngineLog, *, sample_journeys: int = SAMPLE_JOURNEYS,
                         random_state: int = PERSONA_DEFAULTS["random_state"], **options
                         ) -> tuple[MarkovMixture | JourneyClusters, EventLog]:
    """Personas of a log held by an engine: the model fitted in memory on a seeded sample
    of whole journeys, every journey assigned in the engine.

    The sample is :meth:`EngineLog.sample <journeylab.core.engine.EngineLog.sample>` with
    ``frac = sample_journeys / journeys`` (all journeys when the log has fewer) and
    ``random_state``, so the same seed gives the same sample, model and labels. The model
    is :func:`find_personas` of the sample; then :meth:`EngineLog.label_journeys
    <journeylab.core.engine.EngineLog.label_journeys>` assigns every journey where it
    lives, and the model's per-journey attributes describe all of them:

    - ``case_ids_``: every journey id, as text, sorted; ``labels_``: their personas;
    - ``sample_case_ids_``, ``sample_labels_`` (and ``sample_confidence_`` for a Markov
      mixture): the fitted sample's journeys in its order, for the tables that need the
      journeys in memory (profiles, stability);
    - ``notes_`` ends with a sentence saying it was fitted on N of M journeys.

    Parameters
    ----------
    log : EngineLog
    sample_journeys : int
        About how many journeys to fit on.
    random_state : int
        Seed of the sample and of the model.
    **options
        Passed to :func:`find_personas` (``method``, ``n_personas``, ``k_range``, ...).

    Returns
    -------
    model : MarkovMixture or JourneyClusters
    sample : EventLog
        The journeys it was fitted on.

    Examples
    --------
    >>> import journeylab as jl
    >>> events = jl.generate_journeys(300, random_state=1).events
    >>> log = jl.read_events(events, engine="duckdb")
    >>> model, sample = find_engine_personas(log, method="kmeans", n_personas=3,
    ...                                      sample_journeys=200)
    >>> len(model.labels_) == log.n_cases, sample.n_cases < log.n_cases
    (True, True)
    """
    if int(sample_journeys) < 1:
        raise InvalidInputError(f"sample_journeys must be 1 or more, got {sample_journeys}.")
    total = log.n_cases
    frac = None if total <= int(sample_journeys) else max(int(sample_journeys) / total, 1e-6)
    sample = log.sample(frac, random_state=random_state)
    if not sample.n_cases:
        raise InvalidInputError(f"The sample of {sample_journeys:,} journeys of {total:,} "
                                "is empty; raise sample_journeys.")
    model = find_personas(sample, random_state=random_state, **options)
    model.sample_case_ids_ = np.asarray(sample.cases.astype(str), dtype=object)
    model.sample_labels_ = model.labels_
    if hasattr(model, "confidence_"):  # of the sample's journeys, in its order
        model.sample_confidence_ = model.confidence_
        del model.confidence_
    assigned = log.label_journeys(model)
    model.case_ids_ = assigned["case_id"].astype(str).to_numpy(dtype=object)
    model.labels_ = assigned["persona"].to_numpy(dtype=np.int64)
    model.notes_ = list(model.notes_) + [
        f"Fitted on {sample.n_cases:,} of {total:,} journeys ("
        + ("all of them" if frac is None else f"a seeded sample, random_state {random_state}")
        + f"); every journey assigned in {log.engine}."]
    return model, sample


#: Path memory (nats per step) from which journeys count as fixed paths, not walks.
_PATH_MEMORY = 0.15
#: Journeys long enough to tell the sequence model needs, at least, in all and per
#: touchpoint: a chain per persona has up to one parameter per pair of touchpoints, and the
#: path memory is measured on half of the journeys.
_CHAIN_JOURNEYS, _CHAIN_JOURNEYS_PER_TOUCHPOINT = 1_000, 40

_FAMILY_WORDS = {"markov": "how journeys move", "kmeans": "what journeys contain",
                 "agglomerative": "what journeys contain"}


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
        keep[np.random.default_rng(derived_seed(random_state, 13)).choice(
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
    held = np.random.default_rng(derived_seed(random_state, 14)).random(log.n_cases) < 0.5
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
