"""Process models (through pm4py) and conformance of journeys to a designed journey.

On realistic journeys the inductive miner returns a "flower" that allows everything, so
models are discovered from the most frequent variants (``coverage``) or, for big logs,
from the directly-follows graph (pm4py's IMd). Conformance aligns each *variant* once
against the designed journey and maps the result back to every journey of that variant.
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

from .errors import InvalidInputError, UnreadableFileError
from .log import EventLog
from .paths import _SEP, _variant_ids, _variant_text, cover_variants, discover_dfg, get_variants

sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]  # keep the banner out of outputs

__all__ = ["ProcessModel", "discover_process_model", "designed_journey", "check_conformance",
           "ConformanceResult", "plot_process_model"]

_BIG_LOG = 200_000  # events: beyond this the inductive miner works from the DFG


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


def _variant_frame(log: EventLog, variants: pd.DataFrame) -> pd.DataFrame:
    """One pm4py-style case per variant (case id = the variant's row number)."""
    rows = []
    base = pd.Timestamp("2000-01-01", tz="UTC")
    for i, path in enumerate(variants["variant"]):
        for j, act in enumerate(path.split(_SEP)):
            rows.append((str(i), act, base + pd.Timedelta(seconds=j)))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"]
                        ).astype({"case:concept:name": object, "concept:name": object})


def discover_process_model(log: EventLog, *, method: str = "inductive",
                           coverage: float = 0.8, noise_threshold: float = 0.2,
                           dependency_threshold: float = 0.5) -> ProcessModel:
    """Discover a process model with pm4py.

    Parameters
    ----------
    method : {"inductive", "heuristics"}
        pm4py's inductive miner (IMf on the variants, or IMd from the DFG when the log holds
        more than 200,000 events and ``coverage`` is 1) or heuristics miner.
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
    top = cover_variants(get_variants(log), coverage)
    # weight variants by their journeys so frequencies mean what they mean in the log
    frame = _variant_frame(log, top.loc[top.index.repeat(top["cases"].clip(upper=1000))]
                           .reset_index(drop=True))
    share = float(top["share"].sum())
    if method == "inductive":
        tree = pm4py.discover_process_tree_inductive(frame, noise_threshold=noise_threshold)
        net, im, fm = pm4py.convert_to_petri_net(tree)
        return ProcessModel(net, im, fm, tree, f"inductive (IMf, noise {noise_threshold})", share)
    net, im, fm = pm4py.discover_petri_net_heuristics(frame,
                                                       dependency_threshold=dependency_threshold)
    return ProcessModel(net, im, fm, None, f"heuristics (dependency {dependency_threshold})",
                        share)


def designed_journey(design: Sequence[str] | str | Path) -> ProcessModel:
    """The designed (ideal) journey as a process model.

    ``design`` is an ordered list of touchpoints, or a path to a BPMN (``.bpmn``) or Petri
    net (``.pnml``) file. XML files with a DTD or entity declarations are refused.
    """
    import pm4py

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
    from .io import _check_xml_prologue

    _check_xml_prologue(path.read_bytes()[:1 << 16], path)
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
    """
    import pm4py

    if not isinstance(model, ProcessModel):
        model = designed_journey(model)
    variants = get_variants(log)
    top = variants.head(max_variants)
    frame = _variant_frame(log, top)
    with _quiet():
        aligned = pm4py.conformance_diagnostics_alignments(frame, model.net,
                                                           model.initial_marking,
                                                           model.final_marking)
    fitness = np.array([a["fitness"] for a in aligned])
    dev_rows, n_dev = [], []
    for i, a in enumerate(aligned):
        moves = [(lg, md) for lg, md in a["alignment"]]
        count = 0
        for lg, md in moves:
            if lg == ">>" and md is not None and md != ">>":
                dev_rows.append((i, "skipped", md))
                count += 1
            elif md == ">>" and lg != ">>":
                dev_rows.append((i, "extra", lg))
                count += 1
        n_dev.append(count)
    ids, first = _variant_ids(log)
    text = _variant_text(log, first)
    row_of = pd.Series(np.arange(len(top)), index=top["variant"].to_numpy())
    case_row = row_of.reindex(text[ids]).to_numpy()
    checked = ~np.isnan(case_row)
    r = case_row[checked].astype(np.int64)
    journeys = pd.DataFrame({
        "case_id": np.asarray(log.cases, dtype=object)[checked],
        "variant": text[ids][checked],
        "fitness": fitness[r],
        "deviations": np.asarray(n_dev, dtype=np.int64)[r],
    })
    journeys["conforming"] = journeys["deviations"] == 0
    dev = pd.DataFrame(dev_rows, columns=["row", "kind", "touchpoint"]).drop_duplicates()
    dev["journeys"] = top["cases"].to_numpy()[dev["row"].to_numpy()] if len(dev) else []
    deviations = (dev.groupby(["kind", "touchpoint"], as_index=False)["journeys"].sum()
                  if len(dev) else pd.DataFrame(columns=["kind", "touchpoint", "journeys"]))
    deviations["share"] = deviations["journeys"] / max(log.n_cases, 1)
    deviations = deviations.sort_values(["journeys", "kind", "touchpoint"],
                                        ascending=[False, True, True], kind="stable")
    return ConformanceResult(journeys.reset_index(drop=True), deviations.reset_index(drop=True),
                             float(top["share"].sum()))


def plot_process_model(model: ProcessModel, *, notation: str = "bpmn"):
    """Render a model as BPMN (from the process tree) or as a Petri net (graphviz.Digraph)."""
    import pm4py

    if notation == "bpmn":
        from pm4py.visualization.bpmn import visualizer

        bpmn = pm4py.convert_to_bpmn(model.tree) if model.tree is not None else \
            pm4py.convert_to_bpmn(model.net, model.initial_marking, model.final_marking)
        graph = visualizer.apply(bpmn, parameters={"format": "svg"})
        graph.graph_attr["size"] = "11,8"
        return graph
    if notation == "petri":
        from pm4py.visualization.petri_net import visualizer

        graph = visualizer.apply(model.net, model.initial_marking, model.final_marking,
                                 parameters={"format": "svg"})
        graph.graph_attr["size"] = "11,8"
        return graph
    raise InvalidInputError(f"notation must be 'bpmn' or 'petri', not {notation!r}.")
