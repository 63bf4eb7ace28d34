"""The map of a community file's run: neighbourhood polygons coloured by an outcome per
neighbourhood (measures/neighbourhoods.py), the hazard layer's outlines and the places, drawn
with GeoPandas on a matplotlib Figure (no pyplot, no tiles: it needs no internet).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure

from grassroots.measures.neighbourhoods import LABELS

#: marker and colour of each kind of place
PLACE_STYLE = {"organisation": ("D", "#6a3d9a"), "enterprise": ("s", "#33a02c"),
               "shelter": ("^", "#1f78b4"), "department": ("*", "#e31a1c")}


def community_map(geo: Any, panels: dict[str, np.ndarray], title: str = "",
                  fig: Figure | None = None) -> Figure:
    """One map per panel (outcome name -> a value per neighbourhood, 0-1): the polygons
    coloured (red low, blue high for at_home and function; the reverse for the others),
    their names, the hazard layer's outlines (dashed), the places (markers)."""
    n = len(panels)
    fig = fig or Figure(figsize=(4.6 * n, 3.6))
    axes = fig.subplots(1, n, squeeze=False)[0]
    gdf = geo.geometry.copy()
    for ax, (outcome, values) in zip(axes, panels.items()):
        gdf["_v"] = np.asarray(values, float)
        good_high = outcome in ("at_home", "function")
        gdf.plot(column="_v", ax=ax, cmap="RdYlBu" if good_high else "RdYlBu_r", vmin=0.0,
                 vmax=1.0, edgecolor="0.3", linewidth=0.6, legend=True,
                 legend_kwds={"shrink": 0.6, "orientation": "horizontal", "pad": 0.02})
        if geo.hazard is not None and len(geo.hazard):
            geo.hazard.boundary.plot(ax=ax, color="#08306b", linewidth=1.0, linestyle="--")
        if geo.points is not None and len(geo.points):
            for kind, (marker, colour) in PLACE_STYLE.items():
                pts = geo.points[geo.points["kind"] == kind]
                if len(pts):
                    pts.plot(ax=ax, marker=marker, color=colour, markersize=26,
                             edgecolor="white", linewidth=0.5, label=kind)
        # names a little below the polygon's inner point, with a white halo, on top: places
        # are often at a neighbourhood's centre and would hide them
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        for name, point in zip(geo.names, gdf.geometry.representative_point()):
            ax.annotate(name, (point.x, point.y), xytext=(0, -9), textcoords="offset points",
                        fontsize=6.5, ha="center", va="top", color="0.1", zorder=5,
                        path_effects=halo)
        ax.set_title(LABELS.get(outcome, outcome), fontsize=10)
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    if geo.hazard is not None and len(geo.hazard):
        from matplotlib.lines import Line2D
        handles.append(Line2D([], [], color="#08306b", linewidth=1.0, linestyle="--"))
        labels.append("hazard zone")
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=len(handles), fontsize=7.5,
                   frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06 if handles else 0, 1, 1))
    return fig
