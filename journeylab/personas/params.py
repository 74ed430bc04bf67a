"""Parameter checks of the persona estimators. Each estimator declares scikit-learn
``_parameter_constraints`` for every ``__init__`` parameter (those both persona models take
are in :data:`PERSONA_CONSTRAINTS`), and :func:`check_params` validates them when it is
fitted, as :class:`~journeylab.drivers.SatisfactionDrivers` does: a value out of bounds
raises :class:`~journeylab.errors.InvalidInputError` with scikit-learn's message, which names
the parameter, the values it takes and the value given.
"""
from __future__ import annotations

from numbers import Integral, Real

from sklearn.base import BaseEstimator
# scikit-learn's own parameter checks: they live in a private module
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions

from ..errors import InvalidInputError

__all__ = ["check_params", "PERSONA_CONSTRAINTS"]

#: Constraints of the parameters both persona models (the Markov mixture and the feature
#: clusters) take.
PERSONA_CONSTRAINTS: dict = {
    "n_personas": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "k_range": ["array-like"],  # (low, high): checked against the log in fit
    "min_touchpoints": [Interval(Integral, 1, None, closed="left")],
    "n_init": [Interval(Integral, 1, None, closed="left")],
    "min_persona_share": [Interval(Real, 0, 1, closed="left")],
    "selection_sample": [Interval(Integral, 1, None, closed="left")],
    "widen": ["boolean"],
    "random_state": [Interval(Integral, 0, None, closed="left")],
}


def check_params(estimator: BaseEstimator) -> None:
    """Raise :class:`~journeylab.errors.InvalidInputError` when a parameter of ``estimator``
    breaks its ``_parameter_constraints``.

    Examples
    --------
    >>> from journeylab.personas import MarkovMixture
    >>> try:
    ...     check_params(MarkovMixture(criterion="aic"))
    ... except ValueError as err:
    ...     print(str(err).split(" must")[0])
    The 'criterion' parameter of MarkovMixture
    """
    try:
        estimator._validate_params()  # scikit-learn's check of _parameter_constraints
    except InvalidParameterError as err:
        raise InvalidInputError(str(err)) from err
