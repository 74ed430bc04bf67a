"""How stable personas are: :func:`persona_stability` refits a persona model on random
subsamples of the journeys with its number of personas held, predicts every journey and
compares with the original assignment (adjusted Rand index); :func:`describe_stability` says
the result in one plain sentence, with a caution below ``LOW_STABILITY``.
"""
from __future__ import annotations

import warnings

import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from ..core.log import EventLog
from ..defaults import LOW_STABILITY
from ..errors import InvalidInputError
from .kmeans import JourneyClusters
from .markov import MarkovMixture
from .selection import TOO_SHORT, PersonaWarning, derived_seed

__all__ = ["persona_stability", "describe_stability", "LOW_STABILITY"]


def _refit(model, log: EventLog, random_state: int):
    """``model`` fitted again on ``log`` with its number of personas held and one set of
    starts, without warnings."""
    refit = clone(model).set_params(n_personas=model.n_personas_, random_state=random_state)
    if isinstance(model, MarkovMixture):
        refit.set_params(n_restarts=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PersonaWarning)
        return refit.fit(log)


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
    >>> model = jl.find_personas(log, n_personas=2)
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
        sub = log.sample_cases(frac=frac, random_state=derived_seed(random_state, 5, r))
        refit = _refit(model, sub, derived_seed(random_state, 6, r))
        again = refit.predict(log)
        both = told & (again != TOO_SHORT)
        rows.append((r, sub.n_cases, float(adjusted_rand_score(labels[both], again[both]))))
    return pd.DataFrame(rows, columns=["resample", "journeys", "ari"])
