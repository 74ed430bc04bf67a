"""Figures of the paths customers take, each from the tidy table :mod:`journeylab.paths`
(or :meth:`EventLog.case_table`) returns: the journeys' lengths, the stage x channel journey
map, the step matrix, a funnel and the most frequent variants. Each keeps the plot contract
of :mod:`journeylab.plot.contract`: the table first, ``ax=None``, the Axes returned.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import cell_labels, figure_axes, literal_text, nothing_to_draw
from .display import format_value

__all__ = ["plot_journey_lengths", "plot_journey_matrix", "plot_step_matrix", "plot_funnel",
           "plot_variants"]


@literal_text
def plot_journey_lengths(case_table: pd.DataFrame, *, ax=None, max_length: int = 40):
    """Histogram of events per journey from :meth:`EventLog.case_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_journey_lengths(pd.DataFrame({"n_events": [1, 2, 2, 5]}))
    """
    import seaborn as sns

    with figure_axes(ax, (7, 3.2)) as ax:
        lengths = case_table["n_events"].clip(upper=max_length)
        sns.histplot(lengths, discrete=True, ax=ax, color="#4C72B0")
        ax.set_xlabel(f"events per journey (>= {max_length} pooled)" if lengths.max() >= max_length
                      else "events per journey")
        ax.set_ylabel("journeys")
    return ax


@literal_text
def plot_journey_matrix(matrix: pd.DataFrame, *, value: str = "customers", ax=None,
                        fmt: str | None = None):
    """Heatmap of the stage x channel journey map (stages as columns, channels as rows).

    Cells no journey passed through (or with nothing measured) are left empty, never
    painted as zero; annotations use the report's formats (``2,955``, ``12.3%``).

    Examples
    --------
    >>> import journeylab as jl
    >>> t = jl.generate_journeys(300, random_state=1)
    >>> log = jl.read_events(t.events, **t.read_kwargs())
    >>> ax = plot_journey_matrix(jl.journey_matrix(log), value="mean_satisfaction")
    """
    import seaborn as sns

    table = matrix.pivot_table(index="channel", columns="stage", values=value, aggfunc="sum",
                               observed=False)
    # a cell no journey passed through (or where nothing was measured) is empty, not zero
    filled = matrix.pivot_table(index="channel", columns="stage", values=value, aggfunc="count",
                                observed=False).reindex_like(table)
    table = table.where(filled.fillna(0) > 0)
    table = table.loc[table.notna().any(axis=1), table.notna().any()]
    if table.empty:
        return nothing_to_draw(ax, "no stage x channel cell to show")
    created = ax is None
    with figure_axes(ax, (1.3 * table.shape[1] + 2, 0.5 * table.shape[0] + 1.5)) as ax:
        cmap = "RdYlGn" if value == "mean_satisfaction" else \
            "Reds" if value == "dropoff_rate" else "Blues"
        values = table.to_numpy(dtype=float)
        kind = "share" if format_value(0.5, name=value).endswith("%") else \
            "count" if np.all(np.isnan(values) | (values == np.round(values))) else "number"
        annot = cell_labels(table, kind) if fmt is None else True
        # on a given Axes the colour bar is an inset beside it: taking room from the Axes
        # (seaborn's way) would move it in the caller's figure
        sns.heatmap(table, annot=annot, fmt=fmt or "", cmap=cmap,
                    cbar_kws={"label": value.replace("_", " ")}, ax=ax, linewidths=0.5,
                    cbar_ax=None if created else ax.inset_axes([1.03, 0.0, 0.04, 1.0]))
        ax.set_title(f"Journey map: {value.replace('_', ' ')} by stage and channel")
    return ax


@literal_text
def plot_step_matrix(matrix: pd.DataFrame, *, ax=None, min_share: float = 0.01):
    """Heatmap of a step matrix (rows touchpoints, columns steps), annotated with
    percentages; cells with no journey are left blank.

    Examples
    --------
    >>> import journeylab as jl
    >>> log = jl.read_events(jl.generate_journeys(300, random_state=1).events)
    >>> ax = plot_step_matrix(jl.step_matrix(log))
    """
    import seaborn as sns

    shown = matrix[matrix.max(axis=1) >= min_share]
    if shown.empty:
        return nothing_to_draw(ax, "no touchpoint reaches the share to show")
    with figure_axes(ax, (0.7 * shown.shape[1] + 3, 0.32 * shown.shape[0] + 1.5)) as ax:
        sns.heatmap(shown, annot=cell_labels(shown, "share", blank_zero=True), fmt="",
                    cmap="Greens", cbar=False, ax=ax, annot_kws={"fontsize": 7}, vmin=0)
        ax.set_title("Share of journeys at each touchpoint, step by step")
    return ax


@literal_text
def plot_funnel(funnel: pd.DataFrame, *, ax=None):
    """Bar chart of a funnel (grouped when it was broken down by a segment)."""
    import seaborn as sns

    if funnel.empty:
        return nothing_to_draw(ax, "no funnel step to show")
    by = [c for c in funnel.columns if c not in {"step", "name", "customers",
                                                 "conversion_from_previous",
                                                 "conversion_from_start", "median_time_s",
                                                 "p90_time_s"}]
    with figure_axes(ax, (7, 0.6 * funnel["step"].nunique() + 1.5)) as ax:
        data = funnel.assign(label=funnel["step"].astype(str) + ". " + funnel["name"])
        sns.barplot(data=data, y="label", x="conversion_from_start", hue=by[0] if by else None,
                    ax=ax, color=None if by else "#4C72B0", orient="h")
        ax.set_xlabel("share of journeys that started the funnel")
        ax.set_ylabel("")
        ax.set_xlim(0, 1.05)
        for cont in ax.containers:
            ax.bar_label(cont, fmt="%.0f%%", labels=[f"{v.get_width():.0%}" for v in cont],
                         fontsize=8, padding=2)
    return ax


@literal_text
def plot_variants(variants: pd.DataFrame, *, top: int = 15, ax=None):
    """Horizontal bars of the most frequent variants' share of journeys."""
    head = variants.head(top).iloc[::-1]
    with figure_axes(ax, (9, 0.35 * len(head) + 1.2)) as ax:
        names = [v if len(v) <= 90 else v[:87] + "..." for v in head["variant"]]
        ax.barh(range(len(head)), head["share"], color="#4C72B0")
        ax.set_yticks(range(len(head)), names, fontsize=8)
        ax.set_xlabel("share of journeys")
        ax.set_title(f"Top {len(head)} variants cover {variants['share'].head(top).sum():.0%} of "
                     "journeys")
    return ax
