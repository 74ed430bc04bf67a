"""Process models (through pm4py) and conformance of journeys to a designed journey.

On realistic journeys the inductive miner returns a "flower" that allows everything, so
models are discovered from the most frequent variants (``coverage``) or, for big logs,
from the directly-follows graph (pm4py's IMd). Conformance aligns each *variant* once
against the designed journey and maps the result back to every journey of that variant.
Models are drawn by :func:`journeylab.plot.plot_process_model`.
"""
from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidInputError, UnreadableFileError
from ..io import check_xml_prologue
from ..core.journeys import variant_ids, variant_keys, variant_order, variant_text
from ..core.log import EventLog
from .maps import cover_variants, discover_dfg

sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]  # keep the banner out of outputs

__all__ = ["ProcessModel", "discover_process_model", "designed_journey", "check_conformance",
           "ConformanceResult"]

_BIG_LOG = 200_000  # events: beyond this the inductive miner works from the DFG
#: Touchpoints of the journeys modelled beyond which the inductive miner works from their
#: DFG (IMd): IMf's fall-throughs grow out of reach there (1,500 journeys over 250
#: touchpoints: 2 s; over 400: 257 s).
_WIDE_MODEL = 250


@contextmanager
def _quiet():
    """pm4py's own deprecation chatter does not belong in a notebook's output."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning,
                         UserWarning):
            warnings.filterwarnings("ignore", category=category, module=r"pm4py(\.|$)")
            warnings.filterwarnings("ignore", category=category, module=r"numpy\.matrixlib")
        yield


@dataclass
class ProcessModel:
    """A discovered or designed process model.

    Attributes
    ----------
    net, initial_marking, final_marking : pm4py Petri net objects
    tree : pm4py ProcessTree or None (inductive miner only)
    method : str
    coverage : float
        Share of journeys whose variants the model was discovered from.
    """

    net: Any
    initial_marking: Any
    final_marking: Any
    tree: Any = None
    method: str = ""
    coverage: float = 1.0


@dataclass
class RankedVariants:
    """The log's variants, numbered by variant id.

    Attributes
    ----------
    ids : ndarray
        Variant id of every journey (by case code).
    first : ndarray
        Case code of each variant's first journey.
    cases : ndarray
        Journeys per variant.
    text : ndarray
        Each variant's `` > ``-joined path (for display only).
    order : ndarray
        Variant ids in the row order of :func:`get_variants` (most journeys first).
    """

    ids: np.ndarray
    first: np.ndarray
    cases: np.ndarray
    text: np.ndarray
    order: np.ndarray


def ranked_variants(log: EventLog) -> RankedVariants:
    """Variants of ``log`` with their ids, ranked as :func:`get_variants` ranks them."""
    ids, first = variant_ids(log)
    cases = np.bincount(ids, minlength=len(first))
    text = variant_text(log, first)
    return RankedVariants(ids, first, cases, text,
                           variant_order(cases, text, variant_keys(log, first)))


def variant_paths(log: EventLog, first: np.ndarray) -> list[tuple[str, ...]]:
    """The touchpoints of the journeys ``first`` (case codes), in order.

    Read from the activity codes, never by splitting joined text, so touchpoint names may
    hold any character (`` > `` included).
    """
    labels = np.asarray(log.activities, dtype=object)
    starts = log.case_offsets[first].tolist()
    ends = log.case_offsets[np.asarray(first, dtype=np.int64) + 1].tolist()
    return [tuple(str(a) for a in labels[log.activity_codes[a:b]]) for a, b in zip(starts, ends)]


def _variant_log(paths: Sequence[Sequence[str]],
                 journeys: Sequence[int] | None = None) -> Any:
    """A pm4py ``EventLog`` whose trace ``i`` is ``paths[i]`` (case id ``str(i)``), or,
    given ``journeys``, holds path ``i`` as many times as its journeys (the same trace
    object each time: the log's frequencies at the cost of a list entry a journey).

    pm4py keeps the traces of an ``EventLog`` in their list order and returns one
    alignment per trace in that order, so result ``i`` belongs to ``paths[i]``. (A
    dataframe would not do: pm4py groups it by case id, which orders "10" before "2".)
    """
    from pm4py.objects.log.obj import Event, Trace
    from pm4py.objects.log.obj import EventLog as Pm4pyEventLog

    base = pd.Timestamp("2000-01-01", tz="UTC").to_pydatetime()
    second = pd.Timedelta(seconds=1).to_pytimedelta()
    traces = [Trace([Event({"concept:name": act, "time:timestamp": base + j * second})
                     for j, act in enumerate(path)], attributes={"concept:name": str(i)})
              for i, path in enumerate(paths)]
    if journeys is None:
        return Pm4pyEventLog(traces)
    return Pm4pyEventLog([t for t, n in zip(traces, journeys) for _ in range(int(n))])


def discover_process_model(log: EventLog, *, method: str = "inductive",
                           coverage: float = 0.8, noise_threshold: float = 0.2,
                           dependency_threshold: float = 0.5) -> ProcessModel:
    """Discover a process model with pm4py.

    Parameters
    ----------
    method : {"inductive", "heuristics"}
        pm4py's inductive miner (IMf on the variants' journeys, or IMd from their DFG when
        the log holds more than 200,000 events and ``coverage`` is 1, or when they meet
        more than 250 touchpoints) or heuristics miner. ``ProcessModel.method`` says which.
    coverage : float
        Discover from the most frequent variants covering this share of journeys.
    noise_threshold : float
        IMf's noise threshold.
    dependency_threshold : float
        The heuristics miner's dependency threshold.
    """
    with _quiet():
        return _discover(log, method, coverage, noise_threshold, dependency_threshold)


def _discover(log: EventLog, method: str, coverage: float, noise_threshold: float,
              dependency_threshold: float) -> ProcessModel:
    import pm4py

    if method not in ("inductive", "heuristics"):
        raise InvalidInputError(f"method must be 'inductive' or 'heuristics', not {method!r}.")
    if coverage >= 1 and log.n_events > _BIG_LOG and method == "inductive":
        tree = pm4py.discover_process_tree_inductive(discover_dfg(log).to_pm4py(),
                                                     noise_threshold=noise_threshold)
        net, im, fm = pm4py.convert_to_petri_net(tree)
        return ProcessModel(net, im, fm, tree, "inductive (IMd, from the DFG)", 1.0)
    ranked = ranked_variants(log)
    ranked_share = pd.Series(ranked.cases[ranked.order] / max(log.n_cases, 1))
    n_top = len(cover_variants(pd.DataFrame({"cum_share": ranked_share.cumsum()}), coverage))
    top = ranked.order[:n_top]
    paths = variant_paths(log, ranked.first[top])
    share = float(ranked_share.iloc[:n_top].sum())
    if method == "inductive" and len({a for p in paths for a in p}) > _WIDE_MODEL:
        kept = log.take_cases(np.isin(ranked.ids, top))  # those variants' journeys
        tree = pm4py.discover_process_tree_inductive(discover_dfg(kept).to_pm4py(),
                                                     noise_threshold=noise_threshold)
        net, im, fm = pm4py.convert_to_petri_net(tree)
        return ProcessModel(net, im, fm, tree, "inductive (IMd, from the DFG of "
                            f"more than {_WIDE_MODEL} touchpoints)", share)
    # each variant as many times as its journeys: the miners' frequencies (IMf's noise
    # filter, the heuristics' dependencies) are the log's, as pm4py sees them on the log
    weighted = _variant_log(paths, ranked.cases[top])
    if method == "inductive":
        tree = pm4py.discover_process_tree_inductive(weighted, noise_threshold=noise_threshold)
        net, im, fm = pm4py.convert_to_petri_net(tree)
        return ProcessModel(net, im, fm, tree, f"inductive (IMf, noise {noise_threshold})", share)
    net, im, fm = pm4py.discover_petri_net_heuristics(weighted,
                                                       dependency_threshold=dependency_threshold)
    return ProcessModel(net, im, fm, None, f"heuristics (dependency {dependency_threshold})",
                        share)


def designed_journey(design: Sequence[str] | str | Path) -> ProcessModel:
    """The designed (ideal) journey as a process model.

    ``design`` is an ordered list of touchpoints, or a path to a BPMN (``.bpmn``) or Petri
    net (``.pnml``) file. XML files with a DTD or entity declarations are refused.
    """
    import pm4py

    if isinstance(design, (np.ndarray, pd.Series, pd.Index)):
        design = list(design)
    if design is None or not isinstance(design, (list, tuple, str, Path)):
        raise InvalidInputError(f"A designed journey is a list of touchpoints in order, or the "
                                f"path of a .bpmn or .pnml file, not {type(design).__name__}.")
    if isinstance(design, (list, tuple)):
        if not design:
            raise InvalidInputError("The designed journey is empty; list its touchpoints in order.")
        from pm4py.objects.process_tree.obj import Operator, ProcessTree

        tree = ProcessTree(operator=Operator.SEQUENCE)
        tree.children = [ProcessTree(label=str(a), parent=tree) for a in design]
        net, im, fm = pm4py.convert_to_petri_net(tree)
        return ProcessModel(net, im, fm, tree, "designed sequence")
    path = Path(design)
    if not path.exists():
        raise UnreadableFileError(f"No designed-journey file at {str(path)!r}.")
    check_xml_prologue(path)
    if path.suffix.lower() == ".bpmn":
        net, im, fm = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path)))
    elif path.suffix.lower() == ".pnml":
        net, im, fm = pm4py.read_pnml(str(path))
    else:
        raise InvalidInputError(f"A designed journey file must be .bpmn or .pnml, not "
                                f"{path.suffix!r}; or pass a list of touchpoints.")
    return ProcessModel(net, im, fm, None, f"designed ({path.name})")


@dataclass
class ConformanceResult:
    """How journeys conform to a model.

    Attributes
    ----------
    journeys : DataFrame
        ``case_id, variant, fitness, deviations, conforming`` for every checked journey.
    deviations : DataFrame
        ``kind`` (``skipped``: a designed step the journey lacks; ``extra``: a touchpoint the
        design does not expect there), ``touchpoint``, ``journeys``, ``share``, most common first.
    checked_share : float
        Share of journeys whose variant was aligned (see ``max_variants``).
    """

    journeys: pd.DataFrame
    deviations: pd.DataFrame
    checked_share: float

    @property
    def conforming_share(self) -> float:
        return float(self.journeys["conforming"].mean()) if len(self.journeys) else float("nan")


def check_conformance(log: EventLog, model: ProcessModel | Sequence[str] | str | Path, *,
                      max_variants: int = 2000) -> ConformanceResult:
    """Align every journey with the designed journey (pm4py alignments, one per variant).

    Parameters
    ----------
    model : ProcessModel, list of touchpoints, or path to a .bpmn / .pnml file
    max_variants : int
        Align the most frequent variants up to this many; journeys of rarer variants are
        left out and ``checked_share`` says how many were checked.

    Returns
    -------
    ConformanceResult
        A journey conforms when its alignment has no deviation (fitness 1.0): the model
        allows it exactly. A journey's fitness and deviations do not depend on
        ``max_variants``. When several optimal alignments tie, which touchpoints are called
        skipped or extra is pm4py's pick and may differ between runs; their number does not.
    """
    import pm4py

    if isinstance(max_variants, bool) or not isinstance(max_variants, (int, np.integer)) \
            or max_variants < 1:
        raise InvalidInputError(f"max_variants must be a whole number of at least 1, not "
                                f"{max_variants!r}.")
    if not isinstance(model, ProcessModel):
        model = designed_journey(model)
    ranked = ranked_variants(log)
    top = ranked.order[:max_variants]
    paths = variant_paths(log, ranked.first[top])
    try:
        with _quiet():
            aligned = pm4py.conformance_diagnostics_alignments(
                _variant_log(paths), model.net, model.initial_marking, model.final_marking,
                ret_tuple_as_trans_desc=True)
    except Exception as exc:  # noqa: BLE001 - pm4py raises plain Exceptions
        if "sound" not in str(exc):
            raise
        raise InvalidInputError(
            f"The model cannot be aligned with: it is not a sound workflow net ({exc}). Fix: "
            "give the designed journey as a list of touchpoints, or a model whose final "
            "marking every path can reach (e.g. discover_process_model(log)).") from None
    if len(aligned) != len(paths):
        raise RuntimeError(f"pm4py returned {len(aligned)} alignments for {len(paths)} variants.")
    fitness = np.array([a["fitness"] for a in aligned], dtype=float)
    n_dev = np.zeros(len(top), dtype=np.int64)
    dev_rows: list[tuple[int, str, Any]] = []
    for i, (path, a) in enumerate(zip(paths, aligned)):
        moves = _moves(a["alignment"], path)
        n_dev[i] = sum(kind != "sync" for kind, _ in moves)
        dev_rows.extend((i, kind, act) for kind, act in moves if kind != "sync")
    row_of = np.full(len(ranked.first), -1, dtype=np.int64)
    row_of[top] = np.arange(len(top))
    case_row = row_of[ranked.ids]
    checked = case_row >= 0
    r = case_row[checked]
    journeys = pd.DataFrame({
        "case_id": np.asarray(log.cases, dtype=object)[checked],
        "variant": ranked.text[ranked.ids][checked],
        "fitness": fitness[r],
        "deviations": n_dev[r],
    })
    journeys["conforming"] = journeys["deviations"] == 0
    dev = pd.DataFrame(dev_rows, columns=["row", "kind", "touchpoint"]).drop_duplicates()
    dev["journeys"] = ranked.cases[top][dev["row"].to_numpy(dtype=np.int64)]
    deviations = (dev.groupby(["kind", "touchpoint"], as_index=False)["journeys"].sum()
                  if len(dev) else pd.DataFrame(columns=["kind", "touchpoint", "journeys"]))
    deviations["share"] = deviations["journeys"] / max(log.n_cases, 1)
    deviations = deviations.sort_values(["journeys", "kind", "touchpoint"],
                                        ascending=[False, True, True], kind="stable")
    return ConformanceResult(journeys.reset_index(drop=True), deviations.reset_index(drop=True),
                             float(ranked.cases[top].sum() / max(log.n_cases, 1)))


def _moves(alignment: Sequence[tuple[tuple[Any, Any], tuple[Any, Any]]],
           path: Sequence[str]) -> list[tuple[str, Any]]:
    """Classify an alignment's visible moves and check it aligns ``path``.

    ``alignment`` is pm4py's output with transitions described (``ret_tuple_as_trans_desc``):
    ``((log transition, model transition), (log label, model label))`` per move, ``>>``
    standing for "no transition". Reading the *transition* side tells the moves apart even
    when a touchpoint is itself named ``>>``.

    Returns
    -------
    list of (kind, touchpoint)
        ``sync`` (journey and model agree), ``extra`` (a touchpoint of the journey the model
        cannot take there) or ``skipped`` (a visible model step the journey lacks); silent
        model steps are left out.

    Raises
    ------
    RuntimeError
        If the journey's side of the alignment is not ``path`` (an alignment of another
        journey).
    """
    out: list[tuple[str, Any]] = []
    journey = []
    for (log_t, model_t), (log_label, model_label) in alignment:
        if log_t == ">>":
            if model_label is not None:
                out.append(("skipped", model_label))
            continue
        journey.append(log_label)
        out.append(("extra" if model_t == ">>" else "sync", log_label))
    if tuple(journey) != tuple(path):
        raise RuntimeError("pm4py returned the alignment of another journey: "
                           f"{journey!r} for {list(path)!r}.")
    return out
