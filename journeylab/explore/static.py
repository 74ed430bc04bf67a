"""The page of each explorer: its controls on a grid of values and the panels each control
drives, computed by the same functions as the explorer's ``data()`` (see :mod:`.page`).

Grids: coverage sliders in steps of 10% (variants: 5%), the what-if slider in steps of
10%, every option of a dropdown; the funnel offers each subset of up to seven steps
(:func:`journeylab.compute_funnels`). What a page cannot offer without a kernel (the
start-month range, the number of example journeys, switching a funnel between stages
and touchpoints) is shown fixed, with a note next to the controls.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from .page import Control, Panel, bars_html, piece_html

__all__ = ["page_spec", "share_grid"]

Spec = tuple[list[Control], list[Panel], list[str]]


def share_grid(current: float, *, step: float = 0.1, minimum: float = 0.1) -> list[float]:
    """Slider values a page offers: ``minimum`` to 1 in ``step``, and the current value.

    Examples
    --------
    >>> share_grid(0.85)
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 1.0]
    """
    n = int(round((1 - minimum) / step))
    values = {round(minimum + i * step, 4) for i in range(n + 1)} | {round(float(current), 4)}
    return sorted(values)


def _share_control(name: str, label: str, current: float, **grid: float) -> Control:
    values = share_grid(current, **grid)
    return Control(name, label, tuple((f"{v:.0%}", v) for v in values),
                   values.index(round(float(current), 4)), "range")


def _widget_control(name: str, widget: Any) -> Control:
    """A dropdown or toggle of an explorer as a page ``<select>``, with the labels the
    explorer shows (already protected for the report)."""
    labels = [str(lb) for lb in widget._options_labels]
    values = list(widget._options_values)
    return Control(name, widget.description or name, tuple(zip(labels, values)),
                   max(widget.index or 0, 0))


def _table(table, **kwargs) -> str:
    from ..plot.display import format_table

    return piece_html(format_table(table, **kwargs))


def _examples(table, k: int) -> str:
    """Example journeys, or what a shared report can say when none may be shown."""
    from ..privacy import shown_table

    if len(shown_table(table)):
        return _table(table)
    return piece_html(f"no example: each path of these journeys is shared by fewer than {k} "
                      "journeys" if k > 1 else "no journey to show")


def _process_map(x: Any) -> Spec:
    from ..paths import covered_activities, discover_dfg, simplify_dfg
    from ..plot import figure_html, plot_process_map, plot_sankey

    k = x.min_customers
    controls = [_share_control("touchpoints", "touchpoints", x.activity_coverage.value),
                _share_control("paths", "paths", x.path_coverage.value),
                _widget_control("mode", x.mode)]
    if x.segment_value is not None:
        controls.append(_widget_control("segment", x.segment_value))
    notes = []
    if x.period is not None:
        first, last = x.period.label
        notes.append(f"journeys started {first} to {last} (another range needs a kernel)")

    @cache
    def full(segment: Any):
        log = x.journeys(segment)
        return log, discover_dfg(log)

    @cache
    def kept(segment: Any, share: float) -> tuple:
        return tuple(covered_activities(full(segment)[1], share)) if share < 1 else ()

    @cache
    def covered(segment: Any, names: tuple):
        log, dfg = full(segment)
        return discover_dfg(log.filter_activities(list(names))) if names else dfg

    @cache
    def dfg(segment: Any, share: float, paths: float):
        return simplify_dfg(covered(segment, kept(segment, share)), path_coverage=paths,
                            min_customers=k)

    def shows(v: dict, rows: int | None = None) -> tuple:
        """What a map (or its first ``rows`` edges) shows: same key, same drawing."""
        segment = v.get("segment")
        edges = dfg(segment, v["touchpoints"], v["paths"]).edges
        return (segment, kept(segment, v["touchpoints"]), len(edges),
                tuple(zip(edges["source"].head(rows), edges["target"].head(rows))))

    rankdir = plot_process_map(x.data(), mode=x.mode.value).graph_attr.get("rankdir", "TB")
    seg = ("segment",) if x.segment_value is not None else ()
    panels = [Panel("map", ("touchpoints", "paths", "mode", *seg),
                    lambda v: plot_process_map(dfg(v.get("segment"), v["touchpoints"],
                                                   v["paths"]),
                                               mode=v["mode"], rankdir=rankdir),
                    key=lambda v: (v["mode"], shows(v))),
              Panel("edges", ("touchpoints", "paths", *seg),
                    lambda v: _table(dfg(v.get("segment"), v["touchpoints"],
                                         v["paths"]).edges, max_rows=15),
                    key=lambda v: shows(v, 15)),
              Panel("sankey", seg, lambda v: figure_html(plot_sankey(
                  x.flows(v.get("segment")))),
                  title=f"The first {x.sankey_steps} steps of the journeys")]
    return controls, panels, notes


def _variants(x: Any) -> Spec:
    controls = [_share_control("coverage", "coverage", x.coverage.value, step=0.05,
                               minimum=0.05)]

    def draw(v: dict) -> str:
        top = x.data(coverage=v["coverage"])
        shown = top.dropna(subset=["cases"]).head(20)
        chart = bars_html(shown["variant"], shown["cases"],
                          texts=[f"{int(c):,} ({s:.1%})" for c, s in
                                 zip(shown["cases"], shown["share"])],
                          caption=f"{len(top)} variants cover {v['coverage']:.0%} of journeys")
        return chart + _table(top, max_rows=50)

    return controls, [Panel("variants", ("coverage",), draw)], []


def _funnel(x: Any) -> Spec:
    from ..paths import compute_funnels
    from ..privacy import protect

    offered = list(x.steps.allowed_tags)
    picked = [s for s in x.steps.value if s in offered]
    steps = (picked + [s for s in offered if s not in picked])[:7]
    controls = [_widget_control("by", x.by)] + [
        Control(f"step{i}", s, (("off", False), ("on", True)), int(s in picked), "check")
        for i, s in enumerate(steps)]
    other = [o for o in x.on.options if o != x.on.value]
    plural = {"stage": "stages", "activity": "touchpoints"}
    notes = [f"over {plural[x.on.value]}, in the order listed" +
             (f" (over {plural[other[0]]} needs a kernel)" if other else "")]
    tables = {by: compute_funnels(x.log, steps, on=x.on.value, by=by)
              for by in x.by._options_values}

    def draw(v: dict) -> str:
        chosen = tuple(s for i, s in enumerate(steps) if v[f"step{i}"])
        if len(chosen) < 2:
            return piece_html("Pick at least two steps.")
        table = protect(tables[v["by"]][chosen], min_customers=x.min_customers)
        shown = table[table["customers"].notna()] if "customers" in table else table
        labels = shown["name"] if v["by"] is None else \
            [f"{g} \u00b7 {n}" for g, n in zip(shown[v["by"]], shown["name"])]
        chart = bars_html(labels, shown["customers"],
                          texts=[f"{int(c):,} ({r:.0%})" for c, r in
                                 zip(shown["customers"], shown["conversion_from_start"])])
        return chart + _table(table)

    depends = ("by", *(c.name for c in controls[1:]))
    return controls, [Panel("funnel", depends, draw)], notes


def _persona(x: Any) -> Spec:
    from ..paths import discover_dfg, simplify_dfg
    from ..personas.profiles import select_persona
    from ..plot import plot_process_map

    controls = [_widget_control("persona", x.persona),
                _share_control("paths", "paths", x.path_coverage.value)]
    notes = [f"{x.examples.value} example journeys (another number needs a kernel)"]
    part = cache(lambda p: x.data(persona=p, parts=("profile", "variants", "examples")))
    full = cache(lambda p: discover_dfg(select_persona(x.log, x.labels, p)))

    @cache
    def dfg(p: Any, paths: float):  # x.data(...)["map"]: filter_dfg with every touchpoint
        return simplify_dfg(full(p), path_coverage=paths, min_edge_share=x.min_edge_share,
                            min_customers=x.min_customers)

    def shows(v: dict) -> tuple:
        edges = dfg(v["persona"], v["paths"]).edges
        return v["persona"], tuple(zip(edges["source"], edges["target"]))

    rankdir = plot_process_map(x.data(parts=("map",))["map"]).graph_attr.get("rankdir", "TB")
    panels = [
        Panel("profile", ("persona",), lambda v: _table(
            part(v["persona"])["profile"].T.rename(columns=lambda _: "value")),
            title="Profile"),
        Panel("map", ("persona", "paths"), lambda v: plot_process_map(
            dfg(v["persona"], v["paths"]), rankdir=rankdir), key=shows,
            title="Process map of its journeys"),
        Panel("variants", ("persona",), lambda v: _table(
            part(v["persona"])["variants"][["variant", "cases", "share"]], max_rows=10),
            title="Its most common paths"),
        Panel("examples", ("persona",), lambda v: _examples(part(v["persona"])["examples"],
                                                             x.min_customers),
              title="Example journeys")]
    return controls, panels, notes


def _drivers(x: Any) -> Spec:
    if x.touchpoint.value is None:
        return [], [Panel("none", (), lambda v: piece_html(
            f"No touchpoint with an effect is met by {x.min_customers}+ journeys."))], []
    controls = [_widget_control("touchpoint", x.touchpoint),
                _share_control("fixed", "fixed", x.fixed_share.value, minimum=0.0)]
    notes = [f"{x.examples.value} example journeys (another number needs a kernel)"]
    part = cache(lambda t: x.data(touchpoint=t, parts=("by_group", "trajectory",
                                                          "examples")))
    signed = {c: "{:+.2f}" for c in ("effect", "ci_low", "ci_high", "change")}

    def trajectory(v: dict) -> str:
        d = part(v["touchpoint"])["trajectory"]
        if not len(d):
            return piece_html(f"no journey that met it answered {x.trajectory_instrument}")
        shown = d.dropna(subset=["mean"])
        chart = bars_html([f"answer {a:+d}" for a in shown["answer"].astype(int)],
                          shown["mean"], texts=[
                              f"{m:.2f} [{lo:.2f}, {hi:.2f}]" for m, lo, hi in
                              zip(shown["mean"], shown["ci_low"], shown["ci_high"])])
        return chart + _table(d)

    def examples(v: dict) -> str:
        d = part(v["touchpoint"])["examples"]
        return _examples(d, x.min_customers) if len(d) else \
            piece_html("no scored journey met it")

    inst = x.trajectory_instrument or "score"
    panels = [
        Panel("by_group", ("touchpoint",), lambda v: _table(
            part(v["touchpoint"])["by_group"], formats=signed),
            title="Its effect on the score in each group"),
        Panel("trajectory", ("touchpoint",), trajectory,
              title=f"{inst} answers before (-) and after (+) meeting it"),
        Panel("what_if", ("touchpoint", "fixed"), lambda v: _table(
            x.data(touchpoint=v["touchpoint"], fixed_share=v["fixed"],
                   parts=("what_if",))["what_if"],
            formats={"now": "{:.2f}", "what_if": "{:.2f}", "change": "{:+.2f}"}),
            title="The score if it were fixed for the share of its journeys on the slider"),
        Panel("examples", ("touchpoint",), examples, title="Scored journeys that met it")]
    return controls, panels, notes


_SPECS = {"ProcessMapExplorer": _process_map, "VariantExplorer": _variants,
          "FunnelBuilder": _funnel, "PersonaExplorer": _persona, "DriverExplorer": _drivers}


def page_spec(explorer: Any) -> Spec:
    """Controls, panels and notes of an explorer's page."""
    for cls in type(explorer).__mro__:
        if cls.__name__ in _SPECS:
            return _SPECS[cls.__name__](explorer)
    raise TypeError(f"{type(explorer).__name__} has no page")
