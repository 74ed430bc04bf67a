"""Static figures drawn from the tidy tables journeylab computes."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["plot_journey_lengths", "save_figure"]


def plot_journey_lengths(case_table: pd.DataFrame, *, ax=None, max_length: int = 40):
    """Histogram of events per journey from :meth:`EventLog.case_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_journey_lengths(pd.DataFrame({"n_events": [1, 2, 2, 5]}))
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    lengths = case_table["n_events"].clip(upper=max_length)
    sns.histplot(lengths, discrete=True, ax=ax, color="#4C72B0")
    ax.set_xlabel(f"events per journey (>= {max_length} pooled)" if lengths.max() >= max_length
                  else "events per journey")
    ax.set_ylabel("journeys")
    ax.figure.tight_layout()
    return ax


def save_figure(fig_or_ax, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a figure (or the figure of an axes) as PNG or SVG, by the file name."""
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # no creation date in SVG, so the same figure gives the same bytes
    fig.savefig(path, dpi=dpi, bbox_inches="tight",
                metadata={"Date": None} if path.suffix.lower() == ".svg" else None)
    return path
