"""Figures of satisfaction drivers: each touchpoint's effect on the score with its interval
and the naive gap beside it, and the mean score answer by answer around a touchpoint. Each
keeps the plot contract of :mod:`journeylab.plot.contract`: the table first, ``ax=None``,
the Axes returned.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .contract import figure_axes, literal_text

__all__ = ["plot_drivers", "plot_score_trajectory"]


def _error_bars(centre: pd.Series, low: pd.Series, high: pd.Series) -> np.ndarray:
    """Error bar lengths below and above each centre, never negative (an estimate a
    rounding error outside its interval gets a bar of zero there; missing stays missing)."""
    c = centre.to_numpy(dtype=float)
    return np.vstack([np.clip(c - low.to_numpy(dtype=float), 0, None),
                      np.clip(high.to_numpy(dtype=float) - c, 0, None)])


@literal_text
def plot_drivers(effects: pd.DataFrame, *, ax=None, show_naive: bool = True):
    """Each touchpoint's effect on the score with its interval (irritants red, delights
    green, the rest grey; not separable ones hatched), and the naive gap (exposed minus
    unexposed, unadjusted) as a hollow marker.
    """
    table = effects.dropna(subset=["effect"]).sort_values("effect", kind="stable")
    with figure_axes(ax, (8, 0.28 * len(table) + 1.5)) as ax:
        colours = table["kind"].map({"irritant": "#C44E52", "delight": "#55A868"}).fillna("#999999")
        y = np.arange(len(table))
        ax.barh(y, table["effect"], color=colours, alpha=0.85,
                hatch=["//" if k == "not separable" else "" for k in table["kind"]])
        ax.errorbar(table["effect"], y, xerr=_error_bars(table["effect"], table["ci_low"],
                                                         table["ci_high"]),
                    fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
        if show_naive and "naive_gap" in table:
            ax.scatter(table["naive_gap"], y, facecolors="none", edgecolors="black", s=18,
                       label="naive gap (unadjusted)", zorder=3)
            ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, table["touchpoint"].astype(str), fontsize=8)
        ax.set_xlabel("effect on the score (points), with its interval")
        ax.set_title("What moves satisfaction")
    return ax


@literal_text
def plot_score_trajectory(trajectory: pd.DataFrame, *, touchpoint: str = "", ax=None):
    """Mean score (with its interval) by answer number around a touchpoint, from
    ``score_trajectory``: answers before it on the left of the dashed line, after it on
    the right.
    """
    with figure_axes(ax, (5, 3)) as ax:
        t = trajectory.dropna(subset=["answer", "mean"]).sort_values("answer")  # no merged rows
        ax.errorbar(t["answer"], t["mean"], yerr=_error_bars(t["mean"], t["ci_low"], t["ci_high"]),
                    fmt="o-", color="#4C72B0", capsize=3)
        ax.axvline(0, color="black", linestyle="--", linewidth=0.8)
        ax.set_xticks(t["answer"], [f"{int(a):+d}" for a in t["answer"]])
        ax.set_xlabel(f"answer number around {touchpoint}" if touchpoint else "answer number")
        ax.set_ylabel("mean score")
        ax.set_title("Score before and after")
    return ax
