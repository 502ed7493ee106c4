"""One figure style for every report: colour-blind-safe, labelled, readable in print.

The palette is Okabe & Ito (2008), distinguishable under the common forms of
colour-vision deficiency. Groups keep the same colour in every figure.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

__all__ = ["OKABE_ITO", "apply_style", "group_colours", "new_figure"]

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)

# Fixed colours for the groups that recur across reports.
_FIXED = {
    "White": "#0072B2",
    "BAME": "#E69F00",
    "Asian": "#009E73",
    "Black": "#D55E00",
    "Mixed": "#CC79A7",
    "Other": "#56B4E9",
    "Unknown": "#999999",
}


def apply_style() -> None:
    """Set matplotlib defaults for report figures."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.5, 4.2),
            "figure.dpi": 110,
            "savefig.dpi": 200,
            "savefig.bbox": "tight",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dddddd",
            "grid.linewidth": 0.8,
            "legend.frameon": False,
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
        }
    )


def group_colours(groups) -> dict[str, str]:
    """A stable colour for each group name (fixed for the usual ethnicity groups)."""
    spare = [c for c in OKABE_ITO if c not in _FIXED.values()] + list(OKABE_ITO)
    out, i = {}, 0
    for g in groups:
        if g in _FIXED:
            out[g] = _FIXED[g]
        else:
            out[g] = spare[i % len(spare)]
            i += 1
    return out


def new_figure(*, width: float = 7.5, height: float = 4.2):
    """A figure and axes in the report style."""
    apply_style()
    return plt.subplots(figsize=(width, height), layout="constrained")
