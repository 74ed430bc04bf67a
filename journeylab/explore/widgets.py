"""ipywidgets explorers. They only wire compute to plots: every explorer's ``data()`` is
the plain function call (its twin) that returns the numbers it shows, for the current
control values."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from ..core.cases import ALL, select_journeys
from ..core.log import EventLog
from ..paths import (DirectlyFollowsGraph, compute_funnel, cover_variants, filter_dfg,
                    get_variants, stage_order)

if TYPE_CHECKING:
    from ..drivers import SatisfactionDrivers

__all__ = ["ProcessMapExplorer", "VariantExplorer", "FunnelBuilder", "PersonaExplorer",
           "DriverExplorer"]


_CURRENT = object()  # "the control's current value"


class _Explorer:
    widget: Any

    def _start(self, rows: list, controls: Sequence) -> None:
        """Lay out the rows of controls (a list is one row) above the output, redraw when
        any of ``controls`` changes, and draw once."""
        import ipywidgets as w

        self._out = w.Output()
        self.widget = w.VBox([*(w.HBox(r) if isinstance(r, list) else r for r in rows),
                              self._out])
        _protect_controls(self.widget)
        for c in controls:
            c.observe(lambda _: self.render(), names="value")
        self.render()

    def _repr_mimebundle_(self, **kwargs):
        """The live widget; under ``journeylab run`` (and wherever ``$JOURNEYLAB_PAGES``
        is set) also its page, which a rendered report shows instead (see
        :mod:`journeylab.explore.page`)."""
        import os

        bundle = self.widget._repr_mimebundle_(**kwargs)
        if os.environ.get("JOURNEYLAB_PAGES") and isinstance(bundle, dict):
            bundle = {**bundle, "text/html": self.to_html()}
        return bundle

    def to_html(self) -> str:
        """The explorer as a page that works in any browser with no kernel and no
        network: every control value on a grid precomputed, drawn from the same
        ``data()`` code (see :mod:`journeylab.explore.page`)."""
        from .page import page_html
        from .static import page_spec

        controls, panels, notes = page_spec(self)
        return page_html(controls, panels, notes=notes)

    def save_html(self, path: str | Path) -> Path:
        """Write :meth:`to_html` as a self-contained HTML file (nothing loaded from
        anywhere: for e-mail or a shared folder)."""
        from .page import page_document

        path = Path(path)
        path.write_text(page_document(self.to_html(), title=type(self).__name__),
                        encoding="utf-8")
        return path

    def _show(self, *items) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        from ..privacy import mask_text

        with self._out:
            self._out.clear_output(wait=True)
            for item in items:
                # tables come through format_table, figures through plot's protection;
                # plain text is masked here (and shown as text, never as HTML)
                display(mask_text(item) if isinstance(item, str) else item)
                if hasattr(item, "savefig"):
                    plt.close(item)


def _protect_controls(widget: Any) -> None:
    """The one place where a shared report's protection reaches explorers' controls (and
    so their saved widget state): under the report context (see
    :func:`journeylab.enable_report_display`) every option label, description and
    placeholder of ``widget`` and its children has rare names masked, and a tag input
    offers no rare name. Option values are kept, so ``data()`` is unchanged. With
    ``min_customers=1`` only marks that reverse the direction of text are shown by their
    codes (:func:`journeylab.privacy.visible_text`), as everywhere in a report."""
    from ..privacy import report_context

    ctx = report_context()
    for child in getattr(widget, "children", ()):
        _protect_controls(child)
    labels = getattr(widget, "_options_labels", None)
    if labels and any(ctx.mask(str(v)) != str(v) for v in labels):
        values = list(getattr(widget, "_options_values", labels))
        index = widget.index
        with widget.hold_trait_notifications():
            widget.options = [(ctx.mask(str(lb)), v) for lb, v in zip(labels, values)]
            widget.index = index
    for name in ("description", "placeholder", "tooltip"):
        text = getattr(widget, name, None)
        if isinstance(text, str) and ctx.mask(text) != text:
            setattr(widget, name, ctx.mask(text))
    if hasattr(widget, "allowed_tags"):
        keep = [t for t in widget.allowed_tags if not ctx.is_rare(t)]
        if keep != list(widget.allowed_tags):
            widget.value = [t for t in widget.value if t in keep]
            widget.allowed_tags = keep


def _share_slider(value: float, description: str, *, minimum: float = 0.05):
    """A slider of a share, in 5% steps, that redraws on release."""
    import ipywidgets as w

    return w.FloatSlider(value=value, min=minimum, max=1.0, step=0.05, description=description,
                         readout_format=".0%", continuous_update=False)


def _examples_slider(examples: int):
    import ipywidgets as w

    return w.IntSlider(value=examples, min=1, max=20, description="examples",
                       continuous_update=False)


def _months(log: EventLog) -> list[pd.Timestamp]:
    """First days of the months the log spans (and of the month after), in the log's own
    timezone: months are counted on its local wall clock, the timezone dropped explicitly
    before making periods (pandas warns when it drops one itself)."""
    t = log.events["timestamp"]
    if not len(t) or t.isna().all():
        return []
    first, last = t.min(), t.max()
    if log.tz is not None:
        first, last = first.tz_localize(None), last.tz_localize(None)
    months = list(pd.date_range(first.to_period("M").to_timestamp(),
                                (last.to_period("M") + 1).to_timestamp(), freq="MS"))
    if log.tz is not None:
        months = [m.tz_localize(log.tz) for m in months]
    return months


class ProcessMapExplorer(_Explorer):
    """Process map with Disco-style coverage sliders, frequency/time view, segment and
    start-month filters, and a Sankey of the journeys' first ``sankey_steps`` steps.
    Twins: ``filter_dfg(select_journeys(...), ..., min_customers=k)`` (``data()``) and
    ``compute_step_flows(select_journeys(...), ...)`` (``flows()``).

    Every explorer takes ``min_customers`` (k): nothing about fewer than k customers is
    shown (see :func:`journeylab.protect`); 1 shows everything."""

    def __init__(self, log: EventLog, *, segment: str | None = None,
                 activity_coverage: float = 1.0, path_coverage: float = 0.8,
                 sankey_steps: int = 5, min_customers: int = 1):
        import ipywidgets as w

        self.log, self.segment, self.min_customers = log, segment, min_customers
        self.sankey_steps = sankey_steps
        self.activity_coverage = _share_slider(activity_coverage, "touchpoints")
        self.path_coverage = _share_slider(path_coverage, "paths")
        self.mode = w.ToggleButtons(options=["frequency", "time"], description="show")
        controls = [self.activity_coverage, self.path_coverage, self.mode]
        self.segment_value = None
        if segment is not None:
            sizes = log.case_table()[segment].dropna().astype(str).value_counts()
            values = sorted(sizes[sizes >= min_customers].index)  # no segment under k
            self.segment_value = w.Dropdown(options=[ALL, *values], description=segment)
            controls.append(self.segment_value)
        months = _months(log)
        self.period = w.SelectionRangeSlider(
            options=[(m.strftime("%Y-%m"), m) for m in months], index=(0, len(months) - 1),
            description="started", continuous_update=False) if len(months) > 1 else None
        if self.period is not None:
            controls.append(self.period)
        self._start([controls[:3], controls[3:]], controls)

    def data(self) -> DirectlyFollowsGraph:
        """The map for the current controls."""
        return filter_dfg(self.journeys(), activity_coverage=self.activity_coverage.value,
                          path_coverage=self.path_coverage.value,
                          min_customers=self.min_customers)

    def flows(self, value: Any = _CURRENT) -> pd.DataFrame:
        """The Sankey's flows for the current segment (or ``value``)."""
        from ..paths import compute_step_flows

        return compute_step_flows(self.journeys(value), steps=self.sankey_steps,
                                  min_customers=self.min_customers)

    def journeys(self, value: Any = _CURRENT) -> EventLog:
        """The journeys the map is drawn from: the segment ``value`` (the control's
        current one by default) and the start months chosen."""
        if value is _CURRENT:
            value = self.segment_value.value if self.segment_value is not None else None
        start, end = (self.period.value if self.period is not None else (None, None))
        return select_journeys(self.log, segment=self.segment, value=value, start=start,
                               end=end)

    def render(self) -> None:
        from ..plot.display import format_table
        from ..plot import plot_process_map

        from ..plot import plot_sankey

        dfg = self.data()
        self._show(plot_process_map(dfg, mode=self.mode.value),
                   format_table(dfg.edges, max_rows=15), plot_sankey(self.flows()))


class VariantExplorer(_Explorer):
    """The smallest set of variants covering a share of journeys.
    Twin: ``protect(cover_variants(get_variants(log, outcome=...), coverage), min_customers=k)``."""

    def __init__(self, log: EventLog, *, outcome: str | Sequence[str] | None = None,
                 coverage: float = 0.5, min_customers: int = 1):
        self.min_customers = min_customers
        self.variants = get_variants(log, outcome=outcome)
        self.coverage = _share_slider(coverage, "coverage")
        self._start([self.coverage], [self.coverage])

    def data(self, *, coverage: float | None = None) -> pd.DataFrame:
        """The variants shown for the current coverage (or ``coverage``)."""
        from ..privacy import protect

        coverage = self.coverage.value if coverage is None else coverage
        return protect(cover_variants(self.variants, coverage),
                       min_customers=self.min_customers)

    def render(self) -> None:
        from ..plot.display import format_table
        from ..plot import plot_variants

        top = self.data()
        ax = plot_variants(top.dropna(subset=["cases"]), top=min(len(top), 20))
        self._show(ax.figure, format_table(top, max_rows=50))


class FunnelBuilder(_Explorer):
    """Build a funnel over stages or touchpoints, optionally by segment.
    Twin: ``protect(compute_funnel(log, steps, on=..., by=...), min_customers=k)``."""

    def __init__(self, log: EventLog, *, steps: Sequence[str] | None = None,
                 on: str = "stage", segments: Sequence[str] = (), min_customers: int = 1):
        import ipywidgets as w

        self.log, self.min_customers = log, min_customers
        columns = [c for c in ("stage", "activity") if c in log.events.columns]
        self.on = w.ToggleButtons(options=columns, value=on if on in columns
                                  else columns[-1], description="over")
        self.steps = w.TagsInput(allow_duplicates=False)
        self._offer(self.on.value, steps)
        self.by = w.Dropdown(options=[("(none)", None), *[(s, s) for s in segments]],
                             description="by")
        self.on.observe(self._on_changed, names="value")
        self._start([[self.on, self.by], self.steps], [self.steps, self.by])

    def _options(self, on: str) -> list[str]:
        """Steps to offer: those at least ``min_customers`` journeys reach."""
        reach = self.log.events.groupby(on, observed=True)["case_id"].nunique()
        reached = set(reach[reach >= self.min_customers].index.astype(str))
        if on == "stage":
            return [s for s in stage_order(self.log) if s in reached]
        return [str(v) for v in self.log.events[on].value_counts().index if str(v) in reached]

    def _offer(self, on: str, wanted: Sequence[str] | None = None) -> None:
        """Offer the steps of ``on`` and pick ``wanted`` among them (the first four
        offered when none is left). Any options list works, empty or filtered: a value is
        never set outside the options (the widget refuses it), and with no option
        nothing can be typed in (an empty ``allowed_tags`` would allow any text)."""
        opts = self._options(on)
        picked = [str(v) for v in (wanted or []) if str(v) in set(opts)]
        picked = list(dict.fromkeys(picked)) or opts[:4]
        with self.steps.hold_trait_notifications():
            self.steps.value = []  # valid under any options
            self.steps.allowed_tags = opts
            self.steps.value = picked
        self.steps.disabled = not opts
        self.steps.placeholder = "\u200b" if opts else "no step reached by enough journeys"

    def _on_changed(self, _) -> None:
        self._offer(self.on.value)

    def data(self) -> pd.DataFrame:
        from ..privacy import protect

        return protect(compute_funnel(self.log, list(self.steps.value), on=self.on.value,
                                      by=self.by.value), min_customers=self.min_customers)

    def render(self) -> None:
        from ..plot.display import format_table
        from ..plot import plot_funnel

        if len(self.steps.value) < 2:
            self._show("Pick at least two steps." if len(self.steps.allowed_tags) >= 2 else
                       f"Fewer than two {self.on.value} values are reached by "
                       f"{self.min_customers}+ journeys: no funnel to show.")
            return
        table = self.data()
        shown = table[table["customers"].notna()] if "customers" in table else table
        self._show(plot_funnel(shown).figure, format_table(table))


class PersonaExplorer(_Explorer):
    """Pick a persona: its profile, its process map, its most common paths and a few
    example journeys (drill-down). Twins: ``data()`` returns the ``profile_personas(...)``
    row, ``filter_dfg(select_persona(...), path_coverage=..., min_edge_share=...)``,
    ``get_variants(select_persona(...))`` and ``example_journeys(...)``."""

    def __init__(self, log: EventLog, labels: Any, *, profiles: pd.DataFrame | None = None,
                 outcome: str | Sequence[str] | None = None, path_coverage: float = 0.8,
                 min_edge_share: float = 0.01, examples: int = 5, min_customers: int = 1,
                 random_state: int = 0):
        import ipywidgets as w

        from ..personas.profiles import profile_personas

        self.log, self.labels, self.min_customers = log, labels, min_customers
        self.outcome, self.random_state = outcome, random_state
        self.min_edge_share = min_edge_share
        self.profiles = profiles if profiles is not None else profile_personas(
            log, labels, outcome=outcome)
        options = [(f"{p}: {n} ({s:.0%})", p) for p, n, s in zip(
            self.profiles["persona"], self.profiles["name"], self.profiles["share"])]
        self.persona = w.Dropdown(options=options, description="persona",
                                  layout=w.Layout(width="420px"))
        self.path_coverage = _share_slider(path_coverage, "paths")
        self.examples = _examples_slider(examples)
        controls = [self.persona, self.path_coverage, self.examples]
        self._start([controls], controls)

    def data(self, *, persona: Any = None, path_coverage: float | None = None,
             parts: Sequence[str] = ("profile", "map", "variants", "examples")
             ) -> dict[str, Any]:
        """``profile`` (one row), ``map`` (a DirectlyFollowsGraph), ``variants`` and
        ``examples`` for the current controls (or the ``persona`` and ``path_coverage``
        given); ``parts`` computes only those."""
        from ..privacy import protect
        from ..personas.profiles import example_journeys, select_persona

        p = self.persona.value if persona is None else persona
        paths = self.path_coverage.value if path_coverage is None else path_coverage
        k = self.min_customers
        sub = select_persona(self.log, self.labels, p)
        make = {
            "profile": lambda: protect(self.profiles[self.profiles["persona"] == p],
                                       min_customers=k),
            "map": lambda: filter_dfg(sub, path_coverage=paths,
                                      min_edge_share=self.min_edge_share, min_customers=k),
            "variants": lambda: protect(get_variants(sub, outcome=self.outcome),
                                        min_customers=k),
            "examples": lambda: example_journeys(self.log, self.labels, p,
                                                 n=self.examples.value, min_customers=k,
                                                 random_state=self.random_state),
        }
        return {name: make[name]() for name in parts}

    def render(self) -> None:
        from ..plot.display import format_table
        from ..plot import plot_process_map

        d = self.data()
        profile = d["profile"].T.rename(columns=lambda _: "value")
        self._show(format_table(profile), plot_process_map(d["map"]),
                   format_table(d["variants"][["variant", "cases", "share"]], max_rows=10),
                   format_table(d["examples"]))


class DriverExplorer(_Explorer):
    """Pick a touchpoint: its effect in each persona (or segment), the scores before and
    after it, what fixing it would do to the score (the what-if slider: share of its
    journeys fixed), and example scored journeys that met it. Twins:
    ``effect_by_group(drivers, t)``, ``score_trajectory(log, t, instrument=...)``,
    ``what_if(drivers, t, fixed_share=...)`` and ``example_journeys`` of the journeys
    that met it (``drivers.exposed_journeys(t)``). The trajectory uses
    ``trajectory_instrument`` (default: the instrument answered most often per journey,
    usually the CSAT). The touchpoints offered are the ``max_touchpoints`` that move the
    most points, lost or won (a report holds every view of each: hundreds would take
    hours)."""

    def __init__(self, drivers: SatisfactionDrivers, log: EventLog, *,
                 touchpoint: str | None = None, examples: int = 5,
                 trajectory_instrument: str | None = None, min_customers: int = 1,
                 random_state: int = 0, max_touchpoints: int = 30):
        import ipywidgets as w
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(drivers)
        self.drivers, self.log, self.min_customers = drivers, log, min_customers
        self.random_state = random_state
        inst = log.schema.instruments or {}
        if trajectory_instrument is None and inst:
            asked = pd.DataFrame({"instrument": log.events["activity"].astype(object),
                                  "case": log.case_codes})
            asked = asked[asked["instrument"].isin(list(inst))]
            per_journey = asked.groupby("instrument").size() / \
                asked.groupby("instrument")["case"].nunique()
            trajectory_instrument = per_journey.sort_index().idxmax() if len(per_journey) \
                else None
        self.trajectory_instrument = trajectory_instrument
        eff = drivers.effects_.dropna(subset=["effect"])
        eff = eff[eff["customers"] >= min_customers]  # no touchpoint about fewer than k
        # those that move the most points, lost or won, in the order of points lost
        eff = eff.loc[eff["points_lost"].abs().sort_values(ascending=False, kind="stable")
                      .index[:max(int(max_touchpoints), 1)]]
        options = list(eff.sort_values("points_lost", kind="stable")["touchpoint"])
        # the value must be one of the options (the widget refuses others), which may be few
        self.touchpoint = w.Dropdown(options=options, value=touchpoint if touchpoint in options
                                     else options[0] if options else None,
                                     description="touchpoint")
        self.fixed_share = _share_slider(1.0, "fixed", minimum=0.0)
        self.examples = _examples_slider(examples)
        controls = [self.touchpoint, self.fixed_share, self.examples]
        self._start([controls], controls)

    def data(self, *, touchpoint: str | None = None, fixed_share: float | None = None,
             parts: Sequence[str] = ("by_group", "trajectory", "what_if", "examples")
             ) -> dict[str, Any]:
        """``by_group``, ``trajectory``, ``what_if`` and ``examples`` for the current
        controls (or the ``touchpoint`` and ``fixed_share`` given); ``parts`` computes
        only those."""
        import numpy as np

        from ..drivers import effect_by_group, what_if
        from ..privacy import protect
        from ..personas.profiles import example_journeys
        from ..drivers.satisfaction import score_trajectory

        k = self.min_customers
        t = self.touchpoint.value if touchpoint is None else touchpoint
        fixed = self.fixed_share.value if fixed_share is None else fixed_share
        met = self.drivers.exposed_journeys(t).astype(np.int64)
        make = {
            "by_group": lambda: protect(effect_by_group(self.drivers, t), min_customers=k),
            "trajectory": lambda: protect(score_trajectory(
                self.log, t, instrument=self.trajectory_instrument), min_customers=k)
            if self.trajectory_instrument else pd.DataFrame(),
            "what_if": lambda: what_if(self.drivers, t, fixed_share=fixed,
                                       random_state=self.random_state),
            "examples": lambda: example_journeys(
                self.log, met, 1, n=self.examples.value, min_customers=k,
                random_state=self.random_state) if met.any() else pd.DataFrame(),
        }
        return {name: make[name]() for name in parts}

    def render(self) -> None:
        from ..plot import plot_score_trajectory

        if self.touchpoint.value is None:
            self._show(f"No touchpoint with an effect is met by {self.min_customers}+ "
                       "journeys.")
            return
        d = self.data()
        trajectory = "no journey that met it answered " + str(self.trajectory_instrument)
        if len(d["trajectory"]):
            trajectory = plot_score_trajectory(d["trajectory"],
                                               touchpoint=self.touchpoint.value).figure
        from ..plot.display import format_table

        signed = {c: "{:+.2f}" for c in ("effect", "ci_low", "ci_high", "change")}
        self._show(format_table(d["by_group"], formats=signed),
                   trajectory,
                   format_table(d["what_if"], formats={"now": "{:.2f}", "what_if": "{:.2f}",
                                                       "change": "{:+.2f}"}),
                   format_table(d["examples"]) if len(d["examples"]) else
                   "no scored journey met it")
