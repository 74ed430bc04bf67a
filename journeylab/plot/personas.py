"""Figures of personas: how their number was chosen (each criterion of a model's
``selection_`` against k), the journeys placed on a 2-D map by what they contain, one colour
per persona, and which touchpoints each persona meets. Each keeps the plot contract of
:mod:`journeylab.plot.contract`: the table first, ``ax=None``, the Axes returned.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .contract import cell_labels, figure_axes, literal_text, nothing_to_draw

__all__ = ["plot_persona_selection", "plot_persona_embedding", "plot_persona_reach"]


def _persona_names(names: dict | None, persona: Any) -> str:
    if names and persona in names:
        return f"{persona}: {names[persona]}"
    return "too short to tell" if persona == -1 else f"persona {persona}"


#: The criteria a persona model's ``selection_`` may hold, in the order they are drawn.
_CRITERIA = ("bic", "icl", "silhouette", "stability", "weakest_persona")


@literal_text
def plot_persona_selection(selection: pd.DataFrame, *, criterion: str | None = None, ax=None):
    """How the number of personas was chosen: each criterion of ``selection_`` against k,
    the chosen k marked, one panel per criterion. With ``method="auto"`` each criterion is
    drawn for the method that uses it (ICL for ``markov``; silhouette, stability and the
    weakest persona's clusterwise stability for ``kmeans``), titled by it. The weakest
    persona's panel draws the line it must reach (``PERSONA_KEPT``, 0.75): the largest
    number at or above it is chosen.

    Parameters
    ----------
    selection : DataFrame
        A fitted model's ``selection_``: ``k``, ``chosen`` and a column per criterion
        (``bic``, ``icl``, ``silhouette``, ``stability``, ``weakest_persona``; those all
        missing are left out).
    criterion : str, optional
        Draw this criterion only; by default every criterion the table holds.
    ax : Axes or sequence of Axes, optional
        Where to draw: one Axes per criterion drawn (one Axes with ``criterion``, or when
        the table holds one criterion). Without it a new figure is made, its panels side
        by side.

    Returns
    -------
    Axes or ndarray of Axes
        What was drawn on: ``ax`` itself when it is one Axes; otherwise an array of Axes,
        one per criterion in the order above. Without ``ax`` that is the new figure's
        panels, so ``plot_persona_selection(model.selection_)[0].figure`` is the figure.

    Examples
    --------
    >>> import pandas as pd
    >>> sel = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, 8.0, 9.0], "icl": [11.0, 9.0, 9.5],
    ...                     "chosen": [False, True, False]})
    >>> [a.get_title() for a in plot_persona_selection(sel)]
    ['BIC (lower is better)', 'ICL (lower is better)']
    """
    from matplotlib.axes import Axes

    from ..errors import InvalidInputError
    from ..personas import PERSONA_KEPT

    crits = [c for c in _CRITERIA if c in selection and selection[c].notna().any()]
    if criterion is not None:
        if criterion not in crits:
            raise InvalidInputError(f"No criterion {criterion!r} in this selection table; it "
                                    f"holds {crits or 'none'}.")
        crits = [criterion]
    if not crits:  # one number could be tried (a small log): nothing was compared
        return np.array([nothing_to_draw(ax, "no criterion compared numbers of personas")])
    with figure_axes(ax, (3.6 * len(crits), 3), panels=len(crits)) as axes:
        if len(axes) != len(crits):
            raise InvalidInputError(
                f"{len(crits)} criteria to draw ({', '.join(crits)}) and {len(axes)} Axes "
                "given: pass one Axes per criterion, or criterion= to draw one.")
        for a, c in zip(axes, crits):
            rows = selection[selection[c].notna()]
            a.plot(rows["k"], rows[c], marker="o", color="#4C72B0")
            for k in rows.loc[rows["chosen"], "k"]:
                a.axvline(k, color="#C44E52", linestyle="--", linewidth=1)
            if c == "weakest_persona":  # the largest k at or above the line is chosen
                a.axhline(PERSONA_KEPT, color="0.5", linestyle=":", linewidth=1)
                a.annotate(f"kept: {PERSONA_KEPT}", (0.02, PERSONA_KEPT), color="0.4",
                           fontsize=8, xycoords=("axes fraction", "data"),
                           textcoords="offset points", xytext=(0, 3))
            better = "lower" if c in ("bic", "icl") else "higher"
            method = f"{rows['method'].iloc[0]}: " if "method" in rows else ""
            name = c.upper() if c in ("bic", "icl") else c.replace("_", " ")
            a.set_title(f"{method}{name} ({better} is better)", fontsize=10)
            a.set_xlabel("number of personas")
            a.set_xticks(rows["k"])
    return ax if isinstance(ax, Axes) else axes


@literal_text
def plot_persona_embedding(embedding: pd.DataFrame, *, names: dict | None = None, ax=None,
                           min_customers: int = 1):
    """Scatter of :func:`journeylab.embed_journeys`, one colour per persona (journeys too
    short to tell in grey).

    With ``min_customers`` k above 1 (a shared report) no single journey is drawn: each
    persona is a hexagon density showing only cells of at least k journeys, with its
    name at its centre.
    """
    import seaborn as sns
    from matplotlib.colors import LinearSegmentedColormap

    with figure_axes(ax, (7, 5.5)) as ax:
        personas = sorted(embedding["persona"].unique(), key=lambda p: (p == -1, p))
        palette = dict(zip([p for p in personas if p != -1], sns.color_palette("tab10", 10) * 3))
        palette[-1] = (0.75, 0.75, 0.75)
        extent = (embedding["x"].min(), embedding["x"].max(), embedding["y"].min(),
                  embedding["y"].max())
        for p in personas:
            part = embedding[embedding["persona"] == p]
            if min_customers <= 1:
                ax.scatter(part["x"], part["y"], s=6, alpha=0.5 if p != -1 else 0.25,
                           color=palette[p], label=_persona_names(names, p), linewidths=0)
                continue
            if len(part) < min_customers:
                continue
            shades = LinearSegmentedColormap.from_list("p", [(1, 1, 1), palette[p]])
            ax.hexbin(part["x"], part["y"], gridsize=30, extent=extent, mincnt=min_customers,
                      cmap=shades, alpha=0.6, linewidths=0)
            ax.scatter([part["x"].mean()], [part["y"].mean()], s=40, color=palette[p],
                       edgecolors="black", label=_persona_names(names, p), zorder=3)
        ax.legend(markerscale=1 if min_customers > 1 else 3, fontsize=8, loc="best",
                  frameon=False)
        ax.set_xlabel("first axis")
        ax.set_ylabel("second axis")
        ax.set_title(f"{len(embedding):,} journeys, placed by what they contain"
                     + (f" (cells of {min_customers}+)" if min_customers > 1 else ""))
    return ax


@literal_text
def plot_persona_reach(reach: pd.DataFrame, *, names: dict | None = None, min_reach: float = 0.05,
                       ax=None):
    """Heatmap of :func:`journeylab.persona_reach`: which touchpoints each persona meets."""
    import seaborn as sns

    shown = reach[reach.max(axis=1) >= min_reach]
    if shown.empty or not shown.shape[1]:
        return nothing_to_draw(ax, "no touchpoint reaches a persona's share to show")
    shown = shown.rename(columns=lambda p: _persona_names(names, p))
    with figure_axes(ax, (1.2 * shown.shape[1] + 3, 0.3 * shown.shape[0] + 1.8)) as ax:
        sns.heatmap(shown, annot=cell_labels(shown, "share", blank_zero=True), fmt="",
                    cmap="Purples", cbar=False, ax=ax, annot_kws={"fontsize": 7}, vmin=0, vmax=1)
        ax.set_title("Share of each persona's journeys that meet each touchpoint")
        ax.set_xticklabels(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("")
    return ax
