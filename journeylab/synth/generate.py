"""The generator of synthetic journeys in the retailer's world (:mod:`.world`), with the
truth that generated them.

Six personas, each a first-order Markov process over touchpoints (with choices, loops and
channel switches), realistic waits with dead points, CSAT surveys after service contacts,
an NPS survey at the end, and planted irritants and delights with known effects; one
persona has a low baseline *and* meets the worst irritant most often (confounding).
Everything is returned with the truth that generated it. Vectorised over customers:
10M events take seconds.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..io import write_table
from .world import (CHANNELS, EFFECTS_NPS, INSTRUMENTS, MAX_STEPS, PROCESSES, PURCHASES,
                    STAGES, SURVEYED, SURVEYS, TOUCHPOINTS)

__all__ = ["generate_journeys", "SyntheticJourneys"]


@dataclass
class SyntheticJourneys:
    """Synthetic events and the truth that generated them.

    Attributes
    ----------
    events : DataFrame
        One row per event: ``case_id, activity, timestamp, channel, stage, satisfaction``
        plus ``revenue``, ``segment``, ``region`` and ``converted``.
    personas : DataFrame
        ``case_id, persona`` (the planted persona of every journey).
    effects : DataFrame
        ``touchpoint, stage, channel, effect_nps, effect_csat, kind`` for every touchpoint
        (kind is irritant, delight or neutral).
    baselines : DataFrame
        ``persona, share, baseline_nps`` and the persona's exposure to each irritant.
    process : DataFrame
        ``persona, source, target, probability``; ``START``/``END`` mark the ends.
    catalogue : DataFrame
        ``activity, stage, channel`` for every touchpoint and survey.
    params : dict
        The arguments that produced it.
    """

    events: pd.DataFrame
    personas: pd.DataFrame
    effects: pd.DataFrame
    baselines: pd.DataFrame
    process: pd.DataFrame
    catalogue: pd.DataFrame
    params: dict = field(default_factory=dict)

    instruments = INSTRUMENTS

    def edges(self, *, include_surveys: bool = True) -> set[tuple[str, str]]:
        """Directly-follows pairs the generating process can produce (noise aside)."""
        p = self.process[self.process["probability"] > 0]
        inner = {(s, t) for s, t in zip(p["source"], p["target"])
                 if s != "START" and t != "END"}
        if not include_surveys:
            return inner
        out = set(inner)
        enders = {s for s, t in zip(p["source"], p["target"]) if t == "END"}
        for s, t in inner:
            if s in SURVEYED:
                out |= {(s, "csat_survey"), ("csat_survey", t)}
        for s in enders:
            out.add((s, "nps_survey"))
            if s in SURVEYED:
                out |= {(s, "csat_survey"), ("csat_survey", "nps_survey")}
        return out

    def read_kwargs(self) -> dict:
        """Keyword arguments for :func:`journeylab.read_events` on ``events``."""
        return {"case_id_key": "case_id", "activity_key": "activity",
                "timestamp_key": "timestamp", "channel_key": "channel", "stage_key": "stage",
                "satisfaction_key": "satisfaction", "instruments": dict(INSTRUMENTS)}

    def save(self, folder, *, events_format: str = "parquet") -> dict[str, Path]:
        """Write the events and every truth table into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        ev = self.events.copy()
        if events_format == "csv":
            ev["timestamp"] = ev["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        paths = {"events": write_table(ev, folder / f"events.{events_format}")}
        for name in ("personas", "effects", "baselines", "process", "catalogue"):
            paths[name] = write_table(getattr(self, name), folder / f"truth_{name}.csv"
                                      if name != "catalogue" else folder / "touchpoints.csv")
        (folder / "truth_params.json").write_text(json.dumps(self.params, indent=2) + "\n")
        paths["params"] = folder / "truth_params.json"
        return paths


def _parse_process(text: str, index: dict[str, int]) -> np.ndarray:
    n = len(index)
    mat = np.zeros((n, n))
    for line in text.strip().splitlines():
        src, rest = line.split(":", 1)
        for item in rest.split(","):
            tgt, w = item.split()
            mat[index[src.strip()], index[tgt]] = float(w)
    sums = mat.sum(axis=1, keepdims=True)
    return np.divide(mat, sums, out=np.zeros_like(mat), where=sums > 0)


def generate_journeys(n_customers: int = 20_000, *, random_state: int = 0, noise: float = 0.01,
                      start: str = "2025-01-01", days: int = 365, csat_rate: float = 0.35,
                      nps_rate: float = 0.6, nps_rate_abandoned: float = 0.2,
                      score_noise: float = 1.0) -> SyntheticJourneys:
    """Generate journeys of an omnichannel retailer with planted personas and effects.

    Parameters
    ----------
    n_customers : int
        Number of journeys (about 9 events each on average).
    random_state : int
        Random seed; the same arguments give the same tables.
    noise : float
        Probability that a random touchpoint is inserted after an event.
    start, days : str, int
        Journeys start uniformly in ``[start, start + days)``.
    csat_rate : float
        Probability that a service contact is followed by a CSAT survey answer.
    nps_rate, nps_rate_abandoned : float
        Probability of an NPS answer at the end, for converted and abandoned journeys.
    score_noise : float
        Standard deviation of the journey-level NPS noise (CSAT noise is 0.6 of it).

    Returns
    -------
    SyntheticJourneys

    Examples
    --------
    >>> truth = generate_journeys(200, random_state=1)
    >>> truth.events["case_id"].nunique()
    200
    >>> set(truth.personas["persona"]) <= set(truth.baselines["persona"])
    True
    """
    if n_customers < 1:
        raise InvalidInputError(f"n_customers must be at least 1, got {n_customers}.")
    for name, v in (("noise", noise), ("csat_rate", csat_rate), ("nps_rate", nps_rate),
                    ("nps_rate_abandoned", nps_rate_abandoned)):
        if not 0 <= v <= 1:
            raise InvalidInputError(f"{name} must be between 0 and 1, got {v}.")
    rng = np.random.default_rng(random_state)
    names = list(TOUCHPOINTS) + list(SURVEYS)
    states = ["START"] + names + ["END"]
    index = {s: i for i, s in enumerate(states)}
    end = index["END"]
    persona_names = list(PROCESSES)
    shares = np.array([v[0] for v in PROCESSES.values()])
    shares = shares / shares.sum()
    mats = np.stack([_parse_process(v[2], index) for v in PROCESSES.values()])
    cum = np.cumsum(mats, axis=2)
    cum[:, :, -1] = 1.0  # guard against rounding; rows of END/unused states are never read

    n = n_customers
    persona = rng.choice(len(persona_names), size=n, p=shares)

    # 1. walk the Markov chains, all customers at once -------------------------------------
    cur = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    walk_case, walk_state, walk_step = [], [], []
    for step in range(MAX_STEPS):
        if not len(active):
            break
        rows = cum[persona[active], cur[active]]
        nxt = (rng.random(len(active))[:, None] >= rows).sum(axis=1)
        going = nxt != end
        active, nxt = active[going], nxt[going]
        cur[active] = nxt
        walk_case.append(active)
        walk_state.append(nxt)
        walk_step.append(np.full(len(active), step, dtype=np.int64))
    case = np.concatenate(walk_case)
    act = np.concatenate(walk_state) - 1  # state -> activity code (START is 0)
    order = np.lexsort((np.concatenate(walk_step), case))
    case, act = case[order], act[order]
    is_noise = np.zeros(len(case), bool)

    # 2. noise, CSAT after service contacts, NPS at the end -------------------------------
    code = {a: i for i, a in enumerate(names)}
    if noise > 0:
        extra = rng.random(len(case)) < noise
        case, act, is_noise = _add_events(case, act, is_noise, extra, rng.integers(
            0, len(TOUCHPOINTS), int(extra.sum())), stray=True)
    surveyed = np.isin(act, [code[a] for a in SURVEYED]) & ~is_noise
    ask = surveyed & (rng.random(len(case)) < csat_rate)
    case, act, is_noise = _add_events(case, act, is_noise, ask, code["csat_survey"])
    bought = np.zeros(n, bool)
    bought[case[np.isin(act, [code[a] for a in PURCHASES])]] = True
    last = np.r_[case[1:] != case[:-1], True]
    answer = last & (rng.random(len(case)) < np.where(bought[case], nps_rate, nps_rate_abandoned))
    case, act, is_noise = _add_events(case, act, is_noise, answer, code["nps_survey"])

    # 3. waits and timestamps ---------------------------------------------------------------
    info = {**TOUCHPOINTS, **SURVEYS}
    med = np.array([info[a][2] for a in names], dtype=float)
    sig = np.array([info[a][3] for a in names], dtype=float)
    first = np.r_[True, case[1:] != case[:-1]]
    wait = np.where(first, 0.0, med[act] * np.exp(sig[act] * rng.standard_normal(len(case))))
    wait = np.maximum(np.round(wait), np.where(first, 0, 1)).astype(np.int64)
    t0 = np.datetime64(pd.Timestamp(start).to_datetime64(), "s").astype(np.int64)
    case_start = t0 + rng.integers(0, days * 86_400, size=n) + 8 * 3_600
    starts = np.flatnonzero(first)
    csum = np.cumsum(wait)
    offset = csum - np.repeat(csum[starts] - wait[starts], np.diff(np.r_[starts, len(case)]))
    ts_s = case_start[case] + offset

    # 4. satisfaction: planted effects, persona baselines, confounding ----------------------
    eff_nps = np.array([EFFECTS_NPS.get(a, 0.0) for a in names])
    key = case * len(names) + act
    first_occ = ~pd.Series(key).duplicated().to_numpy()
    contrib = np.where(first_occ, eff_nps[act], 0.0)
    cum_eff = np.cumsum(contrib)
    cum_eff -= np.repeat(cum_eff[starts] - contrib[starts], np.diff(np.r_[starts, len(case)]))
    baseline = np.array([v[1] for v in PROCESSES.values()])
    score = np.full(len(case), np.nan)
    is_nps = act == code["nps_survey"]
    latent_nps = baseline[persona[case[is_nps]]] + cum_eff[is_nps] \
        + score_noise * rng.standard_normal(int(is_nps.sum()))
    score[is_nps] = np.clip(np.round(latent_nps), 0, 10)
    is_csat = np.flatnonzero(act == code["csat_survey"])
    prev = pd.Series(cum_eff[is_csat]).groupby(case[is_csat]).shift().fillna(0.0).to_numpy()
    latent_csat = (3.6 + 0.5 * (baseline[persona[case[is_csat]]] - 7.5)
                   + 0.5 * (cum_eff[is_csat] - prev)
                   + 0.6 * score_noise * rng.standard_normal(len(is_csat)))
    score[is_csat] = np.clip(np.round(latent_csat), 1, 5)

    # 5. tables ------------------------------------------------------------------------------
    width = max(6, len(str(n - 1)))
    case_labels = np.char.add("C", np.char.zfill(np.arange(n).astype(str), width))
    seg_p = np.array([0.5, 0.4, 0.8, 0.7, 0.5, 0.3])  # share "returning" per persona
    segment = (rng.random(n) < seg_p[persona]).astype(np.int8)  # 0 new, 1 returning
    region = rng.integers(0, 4, n).astype(np.int8)
    is_purchase = np.isin(act, [code[a] for a in PURCHASES])
    revenue = np.where(is_purchase, np.round(np.exp(4.0 + 0.6 * rng.standard_normal(len(case))),
                                             2), np.nan)
    stage_of = np.array([info[a][0] for a in names])
    channel_of = np.array([info[a][1] for a in names])
    stage_code = np.array([STAGES.index(v) for v in stage_of])
    channel_code = np.array([CHANNELS.index(v) for v in channel_of])
    events = pd.DataFrame({
        "case_id": pd.Categorical.from_codes(case, categories=case_labels),
        "activity": pd.Categorical.from_codes(act, categories=names),
        "timestamp": pd.to_datetime(ts_s, unit="s").as_unit("ns"),
        "channel": pd.Categorical.from_codes(channel_code[act], categories=CHANNELS),
        "stage": pd.Categorical.from_codes(stage_code[act], categories=STAGES, ordered=True),
        "satisfaction": score,
        "revenue": revenue,
        "segment": pd.Categorical.from_codes(segment[case], categories=["new", "returning"]),
        "region": pd.Categorical.from_codes(region[case],
                                            categories=["east", "north", "south", "west"]),
        "converted": bought[case],
    })
    personas = pd.DataFrame({"case_id": case_labels, "persona": np.array(persona_names)[persona]})
    effects = pd.DataFrame({
        "touchpoint": list(TOUCHPOINTS),
        "stage": [v[0] for v in TOUCHPOINTS.values()],
        "channel": [v[1] for v in TOUCHPOINTS.values()],
        "effect_nps": [EFFECTS_NPS.get(a, 0.0) for a in TOUCHPOINTS],
        "effect_csat": [0.5 * EFFECTS_NPS.get(a, 0.0) for a in TOUCHPOINTS],
    })
    effects["kind"] = np.select([effects["effect_nps"] < 0, effects["effect_nps"] > 0],
                                ["irritant", "delight"], "neutral")
    rows = []
    for p_i, p_name in enumerate(persona_names):
        for s_i, src in enumerate(states):
            for t_i, tgt in enumerate(states):
                if mats[p_i, s_i, t_i] > 0:
                    rows.append((p_name, src, tgt, float(mats[p_i, s_i, t_i])))
    process = pd.DataFrame(rows, columns=["persona", "source", "target", "probability"])
    met = pd.DataFrame({"case": case[first_occ], "act": act[first_occ]})
    baselines = pd.DataFrame({"persona": persona_names, "share": shares,
                              "baseline_nps": baseline,
                              "customers": np.bincount(persona, minlength=len(persona_names))})
    for irritant in (a for a, e in EFFECTS_NPS.items() if e < 0):
        hit = np.zeros(n, bool)
        hit[met.loc[met["act"] == code[irritant], "case"].to_numpy()] = True
        baselines[f"exposure_{irritant}"] = [float(hit[persona == i].mean()) if (persona == i).any()
                                             else 0.0 for i in range(len(persona_names))]
    catalogue = pd.DataFrame({"activity": names, "stage": stage_of, "channel": channel_of})
    params = {"n_customers": n_customers, "random_state": random_state, "noise": noise,
              "start": start, "days": days, "csat_rate": csat_rate, "nps_rate": nps_rate,
              "nps_rate_abandoned": nps_rate_abandoned, "score_noise": score_noise}
    return SyntheticJourneys(events, personas, effects, baselines, process, catalogue, params)


def _add_events(case: np.ndarray, act: np.ndarray, is_noise: np.ndarray, mask: np.ndarray,
                codes: int | np.ndarray, *, stray: bool = False
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One new event after every event where ``mask`` is true (same case): touchpoint
    ``codes`` (one code for all, or one per new event), marked as noise when ``stray``."""
    k = int(mask.sum())
    case, (act, is_noise) = _insert_after(case, mask, [act, is_noise],
                                          [np.full(k, codes), np.full(k, stray)])
    return case, act, is_noise


def _insert_after(case: np.ndarray, mask: np.ndarray, columns: list[np.ndarray],
                  values: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Insert one new event after every event where ``mask`` is true (same case)."""
    k = int(mask.sum())
    if not k:
        return case, columns
    counts = 1 + mask.astype(np.int64)
    pos = np.cumsum(counts) - counts  # position of each original event
    new_pos = pos[mask] + 1
    total = len(case) + k
    out_case = np.repeat(case, counts)
    out_cols = []
    for col, val in zip(columns, values):
        out = np.empty(total, dtype=col.dtype)
        keep = np.ones(total, bool)
        keep[new_pos] = False
        out[keep] = col
        out[new_pos] = val
        out_cols.append(out)
    return out_case, out_cols
