"""The study steps: each analysis's tables, computed one way for the notebooks and for the
command line. ``journeylab paths``, ``personas`` and ``drivers`` and the notebooks
``01_discover_paths``, ``02_personas`` and ``03_satisfaction_drivers`` call the same
functions here with the same parameters, so they write the same tables and a fix made
here shows in both. Each step takes a :class:`~journeylab.studies.study.Study` (the log
read by :func:`~journeylab.studies.study.open_study`) and returns its tables by name;
:func:`write_tables` writes them as ``<name>.csv``.
"""
from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from ..defaults import PERSONA_DEFAULTS
from ..errors import EmptyLogError
from .study import Study

__all__ = ["tabulate_paths", "choose_funnel_steps", "compare_groups", "tabulate_personas",
           "study_controls", "tabulate_drivers", "write_tables"]

Tables = dict[str, pd.DataFrame]


def write_tables(tables: Mapping[str, pd.DataFrame], out: str | Path) -> list[Path]:
    """Write each table as ``out/<name>.csv`` (spreadsheet formulas neutralised); a named
    index (touchpoints, steps) is written as the first columns. Returns the paths.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> t = pd.DataFrame({"share": [0.5]}, index=pd.Index(["visit"], name="touchpoint"))
    >>> [p.name for p in write_tables({"reach": t}, tempfile.mkdtemp())]
    ['reach.csv']
    """
    from ..io import write_table

    written = []
    for name, table in tables.items():
        if any(level is not None for level in table.index.names):
            table = table.reset_index()
        written.append(write_table(table, Path(out) / f"{name}.csv"))
    return written


# ----------------------------------------------------------------------------- paths
def choose_funnel_steps(study: Study, funnel_steps: Sequence[Any] = ()
                        ) -> tuple[list[Any], str]:
    """The funnel's steps and what they are (``"stage"`` or ``"activity"``): the given
    steps, as stages when every one is a stage of the log, else as touchpoints; with no
    steps given, the stages in order (or the most common touchpoints when there are no
    stages).

    Examples
    --------
    >>> import journeylab as jl, tempfile
    >>> study = jl.open_study(jl.generate_journeys(200, random_state=1).events,
    ...                       output_dir=tempfile.mkdtemp())
    >>> choose_funnel_steps(study, ["awareness", "purchase"])
    (['awareness', 'purchase'], 'stage')
    """
    from ..paths import default_funnel_steps, stage_order

    if not funnel_steps:
        return default_funnel_steps(study.full_journeys)
    steps = list(funnel_steps)
    stages = study.has("stage") and all(isinstance(s, str) for s in steps) and \
        set(steps) <= set(stage_order(study.full_journeys))
    return steps, "stage" if stages else "activity"


def tabulate_paths(study: Study, *, funnel_steps: Sequence[Any] = (), max_steps: int = 8
                   ) -> Tables:
    """The paths tables of a study: ``dfg`` (edges with frequency and time), ``nodes``,
    ``variants``, ``journey_matrix`` (stage x channel, when the log has both),
    ``funnel`` (by segment when there is one), ``step_matrix``, ``loops``, ``dropoffs``
    (with no outcome: where journeys end) and ``dead_points``.

    A table a study cannot make is left out with one printed sentence saying what it
    would need.

    Examples
    --------
    >>> import journeylab as jl, tempfile
    >>> study = jl.open_study(jl.generate_journeys(200, random_state=1).events,
    ...                       output_dir=tempfile.mkdtemp())
    >>> sorted(tabulate_paths(study))[:4]
    ['dead_points', 'dfg', 'dropoffs', 'funnel']
    """
    from .. import paths as P

    journeys, outcome, full = study.journeys, study.outcome, study.full_journeys
    engine = study.engine_journeys is not None
    dfg = P.discover_dfg(full)
    tables: Tables = {"dfg": dfg.edges, "nodes": dfg.nodes,
                      "variants": P.get_variants(full) if engine else
                      P.get_variants(journeys, outcome=outcome)}
    if study.ready("The journey map", "stage", "channel"):
        tables["journey_matrix"] = P.journey_matrix(full) if engine else \
            P.journey_matrix(journeys, outcome=outcome)
    steps, on = choose_funnel_steps(study, funnel_steps)
    by_segment = study.segment is not None
    if len(steps) >= 2:
        tables["funnel"] = P.compute_funnel(journeys if by_segment else full, steps, on=on,
                                            by=study.segment)
    else:
        print("The funnel: skipped; the journeys have fewer than two distinct touchpoints "
              "in a row to make one (give funnel_steps=).")
    if engine:
        print("From the engine, over every journey: dfg, nodes, variants, journey_matrix"
              + ("" if by_segment else ", funnel") + " (without conversion or satisfaction "
              "columns); the other tables come from the seeded sample (sample_journeys).")
    tables["step_matrix"] = P.step_matrix(journeys, max_steps=max_steps)
    tables["loops"] = P.find_loops(journeys)
    if not study.ready("Drop-offs", "outcome"):
        print("Shown instead: where journeys end (a normal end is not a drop-off).")
    tables["dropoffs"] = P.find_dropoffs(journeys, outcome=outcome)
    # median_s holds the same wait in seconds, which every reader of a CSV can use
    tables["dead_points"] = P.find_dead_points(journeys).drop(columns="median_wait")
    return tables


def compare_groups(study: Study, *, min_customers: int = 5) -> dict[str, pd.DataFrame]:
    """Two groups of a study's journeys side by side (:func:`journeylab.compare_logs`): the
    first two segments (in the order of their values) with ``min_customers`` or more
    journeys each, or else the journeys that started in the first and in the second half
    of the period. Returns ``{"edges", "variants", "kpis"}``.

    Examples
    --------
    >>> import journeylab as jl, tempfile
    >>> study = jl.open_study(jl.generate_journeys(300, random_state=1).events,
    ...                       output_dir=tempfile.mkdtemp())
    >>> list(compare_groups(study)["kpis"].columns)
    ['metric', 'new', 'returning']
    """
    from ..paths import compare_logs

    journeys, segment = study.journeys, study.segment
    values: list[str] = []
    if segment:  # two segments of min_customers+ journeys each
        sizes = journeys.case_table()[segment].dropna().astype(str).value_counts()
        values = sorted(sizes[sizes >= min_customers].index)[:2]
    if len(values) == 2:
        a, b = (journeys.filter_attribute(segment, [v], how="cases") for v in values)
        return compare_logs(a, b, labels=(values[0], values[1]))
    times = journeys.events["timestamp"]
    middle = times.min() + (times.max() - times.min()) / 2
    return compare_logs(journeys.filter_time(end=middle, how="started"),
                        journeys.filter_time(start=middle, how="started"),
                        labels=("first half", "second half"))


# ----------------------------------------------------------------------------- personas
@contextlib.contextmanager
def _notes_not_warned() -> Iterator[None]:
    """Persona warnings silenced: the callers show the model's ``notes_``, which say the
    same."""
    from ..personas import PersonaWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PersonaWarning)
        yield


def tabulate_personas(study: Study, *, method: str = PERSONA_DEFAULTS["method"],
                      n_personas: int | str = PERSONA_DEFAULTS["n_personas"],
                      k_min: int = PERSONA_DEFAULTS["k_range"][0],
                      k_max: int = PERSONA_DEFAULTS["k_range"][1],
                      min_touchpoints: int = PERSONA_DEFAULTS["min_touchpoints"],
                      stability_resamples: int = 3, compare: Sequence[int] = (0, 1),
                      random_state: int = PERSONA_DEFAULTS["random_state"]
                      ) -> tuple[Any, Tables]:
    """Find a study's personas and tabulate them: the fitted model and the tables
    ``assignments`` (each journey's persona), ``profiles``, ``selection`` (the evidence
    for the number of personas), ``persona_reach``, ``comparison`` (the two personas
    ``compare``, when both exist) and ``stability`` (when ``stability_resamples`` > 0).

    ``n_personas`` is a number or ``"auto"`` (also as text, as a notebook parameter
    gives it). The model's notes are in its ``notes_``, not raised as warnings. When no
    journey is long enough to tell a persona, one printed sentence says so and the result is
    ``(None, {})``.

    With an engine (``study.engine_journeys``), the model is fitted on the study's seeded
    sample in memory (``study.journeys``), where profiles, reach, comparison and stability
    are computed, and ``assignments`` covers every journey, each assigned in the engine
    (without ``confidence``); one printed sentence says so.

    Examples
    --------
    >>> import journeylab as jl, tempfile
    >>> study = jl.open_study(jl.generate_journeys(300, random_state=1).events,
    ...                       output_dir=tempfile.mkdtemp())
    >>> model, tables = tabulate_personas(study, method="kmeans", n_personas=2,
    ...                                   stability_resamples=0)
    >>> model.n_personas_, sorted(tables)
    (2, ['assignments', 'comparison', 'persona_reach', 'profiles', 'selection'])
    """
    from ..personas import (compare_personas, find_personas, label_journeys, persona_reach,
                            persona_stability, profile_personas)

    journeys, full = study.journeys, study.engine_journeys
    k = "auto" if str(n_personas) == "auto" else int(n_personas)
    try:
        with _notes_not_warned():
            model = find_personas(journeys, method=method, n_personas=k,
                                  min_touchpoints=min_touchpoints, random_state=random_state,
                                  k_range=(k_min, k_max))
    except EmptyLogError as exc:
        print(f"Personas: skipped; {exc}")
        return None, {}
    profiles = profile_personas(journeys, model, outcome=study.outcome)
    if full is None:
        assigned = label_journeys(journeys, model, profiles)
    else:
        assigned = full.label_journeys(model)
        if study.parameters.get("pseudonymise"):  # as the journeys in memory show them
            from ..privacy import pseudonymise

            assigned["case_id"] = pseudonymise(assigned["case_id"])
        assigned["name"] = assigned["persona"].map(profiles.set_index("persona")["name"])
        print(f"The model was fitted on the seeded sample of {journeys.n_cases:,} journeys, "
              "where profiles, reach, comparison and stability are computed; assignments "
              f"cover all {full.n_cases:,}, each assigned in the engine.")
    tables: Tables = {"assignments": assigned, "profiles": profiles,
                      "selection": model.selection_,
                      "persona_reach": persona_reach(journeys, model)}
    a, b = compare
    found = set(profiles["persona"])
    if a in found and b in found and a != b:
        tables["comparison"] = compare_personas(journeys, model, a, b, outcome=study.outcome)
    else:
        print(f"Two personas side by side: skipped; compare names personas {a} and {b}, "
              f"and the personas found are {sorted(p for p in found if p >= 0)}.")
    if stability_resamples:
        tables["stability"] = persona_stability(model, journeys,
                                                n_resamples=stability_resamples,
                                                random_state=random_state)
    return model, tables


# ----------------------------------------------------------------------------- drivers
def study_controls(study: Study, *, controls: str = "personas", personas_path: str = "",
                   random_state: int = PERSONA_DEFAULTS["random_state"]) -> Any:
    """The fixed effects that satisfaction drivers are adjusted for, with one printed line
    saying what they are.

    ``controls`` is ``"personas"`` (read from ``personas_path``, the ``assignments.csv``
    of a personas study, or else found here with the default persona model), ``"none"``,
    or a journey-level column. Returns the personas by journey id (persona ``-1``, too
    short to tell, is left out of the fit), the column name, or None.
    """
    if controls == "none":
        return None
    if controls != "personas":
        return controls
    if personas_path:  # the personas a personas study found
        assigned = pd.read_csv(personas_path, dtype={"case_id": str})
        values = assigned.set_index("case_id")["persona"]
        print(f"controls: {values[values >= 0].nunique()} personas from "
              f"{Path(personas_path).name}")
        return values
    from ..personas import find_personas

    try:
        with _notes_not_warned():
            model = find_personas(study.journeys, random_state=random_state)
    except EmptyLogError as exc:
        print(f"controls: none; {exc}")
        return None
    print(f"controls: {model.n_personas_} personas ({model.method_}, random_state "
          f"{random_state})")
    for note in model.notes_:
        print(f"note: {note}")
    return pd.Series(model.labels_, index=study.journeys.cases.astype(str))


def tabulate_drivers(study: Study, *, instrument: str = "", controls: str = "personas",
                     personas_path: str = "", window: str = "journey", min_effect: float = 0.1,
                     n_boot: int = 200, level: float = 0.95,
                     random_state: int = PERSONA_DEFAULTS["random_state"]
                     ) -> tuple[Any, Tables]:
    """What moves a study's satisfaction: the fitted
    :class:`~journeylab.drivers.SatisfactionDrivers` (None without survey scores) and the
    tables ``satisfaction_by_touchpoint``, ``drops`` (between two answers of a repeated
    survey), ``drivers`` (each touchpoint's adjusted effect), ``irritants``,
    ``moments_of_truth`` and ``removal_effects`` (the last two need an outcome).

    ``instrument`` is the survey explained (``""``: the one with the widest scale);
    ``controls`` and ``personas_path`` are as in :func:`study_controls`. A table the study
    cannot make is left out with one printed sentence saying what it would need.

    Examples
    --------
    >>> import journeylab as jl, tempfile
    >>> study = jl.open_study(jl.generate_journeys(400, random_state=1).events,
    ...                       output_dir=tempfile.mkdtemp())
    >>> drivers, tables = tabulate_drivers(study, controls="none", n_boot=20)
    >>> sorted(tables)[:3]
    ['drivers', 'drops', 'irritants']
    """
    from ..drivers import (attribute_satisfaction, moments_of_truth, rank_irritants,
                           removal_effects, satisfaction_by, satisfaction_drops)

    log, journeys, outcome = study.log, study.journeys, study.outcome
    tables: Tables = {}
    drivers = None
    if study.engine_log is not None:
        print(f"Drivers: fitted on the study's seeded sample of {journeys.n_cases:,} journeys "
              "in memory (the explorers and the gap explanations need them there); "
              "jl.attribute_satisfaction(study.engine_log, ...) fits every journey in the "
              "engine.")
    if study.ready("Satisfaction", "satisfaction"):
        tables["satisfaction_by_touchpoint"] = satisfaction_by(log, by="touchpoint",
                                                               level=level)
        if study.ready("Drops between answers", "repeated survey"):
            tables["drops"] = satisfaction_drops(log, instrument=study.repeated_survey,
                                                 level=level)
        control_values = study_controls(study, controls=controls, personas_path=personas_path,
                                        random_state=random_state)
        try:
            drivers = attribute_satisfaction(log, instrument=instrument or None,
                                             controls=control_values, window=window,
                                             n_boot=n_boot, level=level,
                                             min_effect=min_effect, random_state=random_state)
        except EmptyLogError as exc:  # too few scores to fit
            print(f"Drivers: skipped; {exc}")
        else:
            tables["drivers"] = drivers.effects_
            tables["irritants"] = rank_irritants(drivers)
    if study.ready("Moments of truth", "outcome"):
        tables["moments_of_truth"] = moments_of_truth(journeys, outcome=outcome)
        tables["removal_effects"] = removal_effects(journeys, outcome=outcome)
    return drivers, tables

