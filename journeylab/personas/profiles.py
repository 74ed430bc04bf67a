"""Persona profiles: who each persona is, how two personas differ, where journeys sit.

Everything takes ``labels``: one persona per journey in the log's case order (an
estimator's ``labels_``), ``-1`` for journeys too short to tell.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidInputError
from ..core.journeys import variant_ids, variant_text
from ..core.cases import case_outcome, case_satisfaction
from ..core.log import EventLog
from .selection import TOO_SHORT

__all__ = ["profile_personas", "compare_personas", "select_persona", "label_journeys",
           "embed_journeys", "persona_reach", "example_journeys"]

_SHORT_NAME = "too short to tell"


def _check_labels(log: EventLog, labels: Any) -> np.ndarray:
    labels = np.asarray(getattr(labels, "labels_", labels))
    if labels.shape != (log.n_cases,):
        raise InvalidInputError(f"labels must hold one persona per journey ({log.n_cases}), "
                                f"got shape {labels.shape}. Pass the labels_ of a model "
                                "fitted on this log.")
    return labels


def select_persona(log: EventLog, labels: Any, persona: int) -> EventLog:
    """The journeys of one persona, as an EventLog (for its process map, variants, ...).

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(100, random_state=1).events)
    >>> select_persona(log, np.arange(log.n_cases) % 2, 1).n_cases
    50
    """
    labels = _check_labels(log, labels)
    mine = labels == persona
    if not mine.any():
        raise InvalidInputError(f"No journey has persona {persona}; the personas are "
                                f"{sorted(set(labels.tolist()))}.")
    return log.take_cases(mine)


def persona_reach(log: EventLog, labels: Any) -> pd.DataFrame:
    """Share of each persona's journeys that meet each touchpoint (rows: touchpoints in
    the log's order; columns: personas, ``-1`` last when present).

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(100, random_state=1).events)
    >>> bool(persona_reach(log, np.zeros(log.n_cases, int)).max().max() <= 1)
    True
    """
    labels = _check_labels(log, labels)
    met = _met(log)
    personas = sorted(set(labels.tolist()), key=lambda p: (p == TOO_SHORT, p))
    reach = pd.DataFrame({p: met[labels == p].mean(axis=0) for p in personas},
                         index=pd.Index(log.activities, name="touchpoint"))
    # the journeys behind each column, so a shared report can leave out a small persona
    reach.attrs["column_customers"] = {p: int((labels == p).sum()) for p in personas}
    return reach


def _met(log: EventLog) -> np.ndarray:
    met = np.zeros((log.n_cases, log.n_activities), bool)
    met[log.case_codes, log.activity_codes] = True
    return met


def profile_personas(log: EventLog, labels: Any, *,
                     outcome: str | list[str] | None = None, instrument: str | None = None,
                     top: int = 3) -> pd.DataFrame:
    """One row per persona: size, typical journeys, channels, stage reached, outcome,
    satisfaction, duration, and what sets it apart, with a short generated name.

    ``distinctive`` lists the touchpoints with the highest lift (share of the persona's
    journeys that meet it / share of the other journeys that do), among those met by at
    least 5% of the persona ("only here" when no other persona meets it). ``name`` comes
    from the channels (the main channel, then the one it over-uses most: "app-first,
    chat-heavy"); without channels, from the distinctive touchpoints. Journeys too short to
    tell (label ``-1``) get their own last row.

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> int(profile_personas(log, np.arange(log.n_cases) % 2)["journeys"].sum()) == log.n_cases
    True
    """
    from ..paths import stage_order

    labels = _check_labels(log, labels)
    cases = log.case_table()
    A = log.n_activities
    met = _met(log)
    ids, first = variant_ids(log)
    text = variant_text(log, first)
    conv = case_outcome(log, outcome)
    sat = case_satisfaction(log, instrument)
    has_channel = "channel" in log.events.columns
    if has_channel:
        chan = log.events["channel"].astype(object).to_numpy()
        overall = pd.Series(chan).value_counts(normalize=True)
    furthest = None
    if "stage" in log.events.columns:
        order = stage_order(log)
        st = pd.Index(order).get_indexer(log.events["stage"].astype(object))
        furthest = np.asarray(order, dtype=object)[np.maximum.reduceat(
            st, log.case_offsets[:-1])] if log.n_events else np.zeros(0, object)
    told = labels != TOO_SHORT
    names_of = np.asarray(log.activities, dtype=object)
    rows = []
    for p in sorted(set(labels.tolist()), key=lambda p: (p == TOO_SHORT, p)):
        mine = labels == p
        others = told & ~mine
        share_in = met[mine].mean(axis=0)
        share_out = met[others].mean(axis=0) if others.any() else np.zeros(A)
        lift = share_in / np.maximum(share_out, 1e-9)
        candidates = np.flatnonzero(share_in >= 0.05)
        best = candidates[np.lexsort((names_of[candidates], -lift[candidates]))][:top]
        variants = pd.Series(text[ids[mine]]).value_counts().head(top)
        row = {
            "persona": int(p),
            "journeys": int(mine.sum()),
            "share": float(mine.mean()),
            "median_events": float(np.median(cases["n_events"].to_numpy()[mine])),
            "median_duration_days": float(np.median(cases["duration_s"].to_numpy()[mine]))
            / 86_400,
            "distinctive": ", ".join(
                f"{names_of[a]} (only here)" if share_out[a] == 0
                else f"{names_of[a]} (x{lift[a]:.1f})" for a in best),
            "top_variants": " | ".join(f"{v} ({n})" for v, n in variants.items()),
            "_listed": [(v, int(n)) for v, n in variants.items()],
        }
        if conv is not None:
            row["conversion"] = float(conv[mine].mean())
        if sat is not None:
            row["mean_satisfaction"] = float(np.nanmean(sat[mine])) \
                if np.isfinite(sat[mine]).any() else np.nan
            row["satisfaction_responses"] = int(np.isfinite(sat[mine]).sum())
        if furthest is not None:
            row["furthest_stage"] = pd.Series(furthest[mine]).mode().iloc[0]
        if has_channel:
            in_persona = np.repeat(mine, log.case_lengths)
            mix = pd.Series(chan[in_persona]).value_counts(normalize=True)
            row["channels"] = ", ".join(f"{c} {s:.0%}" for c, s in mix.head(3).items())
            main = mix.index[0]
            over = (mix / overall.reindex(mix.index)).drop(index=main)
            over = over[(over > 1.2) & (mix.drop(index=main) >= 0.05)]
            row["name"] = f"{main}-first" + (f", {over.idxmax()}-heavy" if len(over) else "")
        else:
            row["name"] = " & ".join(str(names_of[a]) for a in best[:2]) or f"persona {p}"
        if p == TOO_SHORT:
            row["name"] = _SHORT_NAME
        rows.append(row)
    out = pd.DataFrame(rows)
    listed = out.pop("_listed").tolist()
    out = out[["persona", "name"] + [c for c in out.columns if c not in ("persona", "name")]]
    # each listed path's journeys: a shared report lists only paths of k journeys or more
    out.attrs["listed_counts"] = {"top_variants": dict(zip(out.index, listed))}
    # two personas with one name: keep them apart by their number
    dup = out["name"].duplicated(keep=False) & (out["persona"] != TOO_SHORT)
    out["name"] = [f"{n} ({p})" if d else n for n, p, d in zip(out["name"], out["persona"], dup)]
    return out


def label_journeys(log: EventLog, labels: Any, profiles: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """Tidy assignment table: ``case_id, persona`` (and ``name`` from ``profiles``, and
    ``confidence`` when ``labels`` is a fitted model that has one).

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(50, random_state=1).events)
    >>> list(label_journeys(log, np.zeros(log.n_cases, int)).columns)
    ['case_id', 'persona']
    """
    arr = _check_labels(log, labels)
    out = pd.DataFrame({"case_id": np.asarray(log.cases, dtype=object), "persona": arr})
    if profiles is not None:
        out["name"] = out["persona"].map(profiles.set_index("persona")["name"])
    conf = getattr(labels, "confidence_", None)
    if conf is not None:
        out["confidence"] = np.round(conf, 6)
    return out


def compare_personas(log: EventLog, labels: Any, a: int, b: int, *,
                     outcome: str | list[str] | None = None, instrument: str | None = None,
                     top: int = 10) -> pd.DataFrame:
    """Two personas side by side: ``measure, a, b, difference``.

    The measures are the profile's numbers (journeys, share, median events and duration,
    conversion, satisfaction), then the ``top`` touchpoints whose reach (share of journeys
    meeting them) differs most, as ``reach: <touchpoint>``.

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(200, random_state=1).events)
    >>> cmp = compare_personas(log, np.arange(log.n_cases) % 2, 0, 1)
    >>> cmp.loc[cmp["measure"] == "journeys", ["a", "b"]].sum(axis=1).item() == log.n_cases
    True
    """
    labels = _check_labels(log, labels)
    for p in (a, b):
        if not (labels == p).any():
            raise InvalidInputError(f"No journey has persona {p}; the personas are "
                                    f"{sorted(set(labels.tolist()))}.")
    prof = profile_personas(log, labels, outcome=outcome, instrument=instrument)
    prof = prof.set_index("persona")
    numeric = [c for c in ("journeys", "share", "median_events", "median_duration_days",
                           "conversion", "mean_satisfaction") if c in prof.columns]
    rows = [(m, float(prof.at[a, m]), float(prof.at[b, m])) for m in numeric]
    reach = persona_reach(log, labels)
    gap = (reach[a] - reach[b]).abs().sort_values(ascending=False, kind="stable")
    for t in gap.index[:top]:
        rows.append((f"reach: {t}", float(reach.at[t, a]), float(reach.at[t, b])))
    out = pd.DataFrame(rows, columns=["measure", "a", "b"])
    out["difference"] = out["a"] - out["b"]
    out.attrs["names"] = (prof.at[a, "name"], prof.at[b, "name"])
    # each column is about one persona's customers: a shared report leaves out a column
    # about fewer than min_customers (the difference is about both)
    n_a, n_b = int((labels == a).sum()), int((labels == b).sum())
    out.attrs["column_customers"] = {"a": n_a, "b": n_b, "difference": min(n_a, n_b)}
    return out


def embed_journeys(log: EventLog, labels: Any, *, features=None, sample: int = 5_000,
                   random_state: int = 0) -> pd.DataFrame:
    """A 2-D map of journeys for plotting: ``case_id, x, y, persona``.

    Journeys become :class:`~journeylab.personas.features.JourneyFeatures` rows (the model's own
    features when ``labels`` is a fitted :class:`~journeylab.personas.JourneyClusters`),
    projected on their two principal axes; at most ``sample`` journeys,
    drawn at random with the seed, are returned.

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(100, random_state=1).events)
    >>> embed_journeys(log, np.zeros(log.n_cases, int)).shape
    (100, 4)
    """
    from sklearn.decomposition import PCA

    from .features import JourneyFeatures

    arr = _check_labels(log, labels)
    feats = getattr(labels, "features_", None) or features or JourneyFeatures(
        transitions="sqrt", weights={"transitions": 0.5})
    X = feats.transform(log) if hasattr(feats, "feature_names_") else feats.fit_transform(log)
    rng = np.random.default_rng(random_state)
    keep = np.sort(rng.choice(log.n_cases, size=min(sample, log.n_cases), replace=False))
    dense = X[keep].toarray()
    comps = min(2, *dense.shape)
    xy = PCA(comps, svd_solver="covariance_eigh").fit_transform(dense) if comps else dense[:, :0]
    xy = np.column_stack([xy, np.zeros((len(keep), 2 - xy.shape[1]))])
    # jitter identical journeys apart so their number shows
    xy = xy + rng.normal(scale=0.01 * (xy.std(axis=0) + 1e-12), size=xy.shape)
    return pd.DataFrame({"case_id": np.asarray(log.cases, dtype=object)[keep],
                         "x": xy[:, 0], "y": xy[:, 1], "persona": arr[keep]})


def example_journeys(log: EventLog, labels: Any, persona: int, *, n: int = 5,
                     min_customers: int = 1, random_state: int = 0) -> pd.DataFrame:
    """``n`` journeys of one persona drawn at random (seeded), for a drill-down:
    ``case_id, events, duration_days, path``.

    With ``min_customers`` k above 1 (a shared report), only journeys whose path at
    least k journeys of the log share are drawn, and what is one customer's own (the
    case id, the duration) is left out: ``events, path, journeys_on_path``, a table a
    shared report shows (a path is about the k journeys that take it).

    Examples
    --------
    >>> import numpy as np, journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(50, random_state=1).events)
    >>> len(example_journeys(log, np.zeros(log.n_cases, int), 0, n=3))
    3
    """
    labels = _check_labels(log, labels)
    mine = np.flatnonzero(labels == persona)
    if not len(mine):
        raise InvalidInputError(f"No journey has persona {persona}; the personas are "
                                f"{sorted(set(labels.tolist()))}.")
    rng = np.random.default_rng(random_state)
    if min_customers > 1:
        variant, _ = variant_ids(log)
        on_path = np.bincount(variant)[variant]
        mine = mine[on_path[mine] >= min_customers]
        pick = np.sort(rng.choice(mine, size=min(int(n), len(mine)), replace=False))
        return pd.DataFrame({"events": log.case_lengths[pick],
                             "path": variant_text(log, pick),
                             "journeys_on_path": on_path[pick]})
    pick = np.sort(rng.choice(mine, size=min(int(n), len(mine)), replace=False))
    first, last = log.case_offsets[pick], log.case_offsets[pick + 1] - 1
    return pd.DataFrame({
        "case_id": np.asarray(log.cases, dtype=object)[pick],
        "events": log.case_lengths[pick],
        "duration_days": (log.timestamps_ns[last] - log.timestamps_ns[first]) / 86_400e9,
        "path": variant_text(log, pick),
    })
