"""Defaults shared by the API, the CLI and the notebooks, in one place.

Kept free of heavy imports so that the command line can read them before it loads the
analyses. The same data, read with the same defaults, gives the same personas whether it
goes through :func:`journeylab.find_personas`, ``journeylab personas`` or notebook 02.
"""
from __future__ import annotations

__all__ = ["PERSONA_DEFAULTS", "RANDOM_STATE", "LOW_STABILITY"]

#: Seed of every random step unless one is given.
RANDOM_STATE = 0

#: Persona discovery: family, number, range of numbers tried by "auto", shortest journey
#: that can be told, smallest persona allowed (share of the journeys long enough to tell).
PERSONA_DEFAULTS: dict = {"method": "auto", "n_personas": "auto", "k_range": (2, 10),
                          "min_touchpoints": 3, "min_persona_share": 0.02,
                          "random_state": RANDOM_STATE}

#: Below this mean adjusted Rand index between refits, personas are called unstable.
LOW_STABILITY = 0.7
