"""A second journey generator, for validating persona discovery on data unlike the product's.

Where :func:`journeylab.generate_journeys` draws each persona from a first-order Markov
process over a retailer's touchpoints, this one works like a bank's onboarding and
servicing log: each persona is a *template path* (5 to 9 touchpoints out of a shared
vocabulary of 28), and every customer walks their persona's template with edits. At each
step of the template, with probability ``noise``, one edit happens instead of the plain
step, drawn evenly from:

- **skip**: the step is left out;
- **insert**: a random touchpoint of the vocabulary comes before the step;
- **repeat**: the step happens twice;
- **swap**: the step and the next one change places.

Persona 1 meets exactly the touchpoints of persona 0 in another order (the two differ only
in order, which touchpoint counts cannot tell apart). Persona sizes are unequal; the
smallest holds ``smallest_share`` of the journeys. Not part of the product: it lives in
``benchmarks/`` and is used by ``check_personas.py``.

    >>> events, truth = generate_template_journeys(200, n_personas=4, noise=0.2, random_state=1)
    >>> sorted(truth.unique().tolist())
    [0, 1, 2, 3]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

VOCABULARY = (
    "visit_site", "open_app", "compare_rates", "rate_calculator", "start_application",
    "upload_id", "video_kyc", "branch_visit", "sign_contract", "fund_account",
    "order_card", "activate_card", "set_pin", "first_payment", "enable_alerts",
    "call_support", "chat_bot", "chat_agent", "email_complaint", "dispute_charge",
    "limit_increase", "open_savings", "invite_friend", "update_address",
    "read_faq", "statement_download", "travel_notice", "close_account",
)


def _shares(rng: np.random.Generator, k: int, smallest: float) -> np.ndarray:
    """Unequal persona shares; persona ``k - 1`` holds exactly ``smallest``."""
    rest = rng.dirichlet(np.full(k - 1, 1.5)) * (1.0 - smallest - (k - 1) * smallest)
    return np.r_[rest + smallest, smallest]


def _templates(rng: np.random.Generator, k: int) -> list[list[int]]:
    """One path per persona; persona 1 is persona 0's touchpoints in another order."""
    V = len(VOCABULARY)
    out: list[list[int]] = []
    while len(out) < k:
        if len(out) == 1:
            base = out[0]
            for _ in range(100):  # an order whose consecutive pairs differ from persona 0's
                perm = list(rng.permutation(base))
                if not set(zip(perm, perm[1:])) & set(zip(base, base[1:])):
                    break
            out.append([int(a) for a in perm])
            continue
        path = [int(a) for a in rng.choice(V, size=int(rng.integers(5, 10)), replace=False)]
        # a new template must not repeat more than half of any earlier one's pairs
        pairs = set(zip(path, path[1:]))
        if all(len(pairs & set(zip(t, t[1:]))) <= len(pairs) // 2 for t in out):
            out.append(path)
    return out


def generate_template_journeys(n_journeys: int = 5_000, *, n_personas: int = 5,
                               noise: float = 0.2, smallest_share: float = 0.03,
                               random_state: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Events (``case_id, activity, timestamp``) and the planted persona of each case id.

    ``noise`` is the probability that a step of the template is edited (skip, insert,
    repeat or swap, evenly).
    """
    rng = np.random.default_rng(random_state)
    k = int(n_personas)
    templates = _templates(rng, k)
    shares = _shares(rng, k, smallest_share)
    persona = rng.choice(k, size=n_journeys, p=shares)
    cases, acts = [], []
    for j, p in enumerate(persona):
        steps = list(templates[p])
        out: list[int] = []
        i = 0
        while i < len(steps):
            if rng.random() >= noise:
                out.append(steps[i])
            else:
                edit = int(rng.integers(4))
                if edit == 1:
                    out += [int(rng.integers(len(VOCABULARY))), steps[i]]
                elif edit == 2:
                    out += [steps[i], steps[i]]
                elif edit == 3 and i + 1 < len(steps):
                    out += [steps[i + 1], steps[i]]
                    i += 1
                elif edit == 3:
                    out.append(steps[i])
            i += 1
        if not out:
            out = [steps[0]]
        cases += [j] * len(out)
        acts += out
    cases = np.asarray(cases)
    start = pd.Timestamp("2026-01-01") + pd.to_timedelta(
        rng.integers(0, 300 * 86_400, size=n_journeys), unit="s")
    gaps = rng.exponential(3_600.0, size=len(cases)).astype(np.int64) + 1
    first = np.r_[True, cases[1:] != cases[:-1]]
    gaps[first] = 0
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], np.bincount(cases))
    ids = np.char.add("c", np.char.zfill(cases.astype(str), 6))
    events = pd.DataFrame({"case_id": ids, "activity": np.asarray(VOCABULARY)[acts],
                           "timestamp": start[cases] + pd.to_timedelta(offset, unit="s")})
    truth = pd.Series(persona, index=np.char.add("c", np.char.zfill(
        np.arange(n_journeys).astype(str), 6)), name="persona")
    return events, truth
