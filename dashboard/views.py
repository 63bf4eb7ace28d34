"""The dashboard's figures and monitor tables, built from a `Frame` with matplotlib alone.

No Solara here: the components (components.py) show what these functions return, the
benchmark times them, and the tests call them directly.

The network figure is built once per layout and colour mode (`NetworkCanvas`); a new frame
only recolours its residents, ties and organisations. The curves figure keeps its lines and
shock windows and only moves the data (`CurvesCanvas`). Both use `matplotlib.figure.Figure`
directly, never pyplot, so no global state is shared between sessions.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from grassroots.core.vocabulary import DEPARTMENTS
from grassroots.measures.metrics import NOT_RECOVERED
from grassroots.analysis.figures import COLOURS
from grassroots.dashboard.state import NEED_STATES, Frame

DIMENSIONS = ("structure", "function", "relationship", "combined")
#: Colours of the five need states (NEED_STATES), distinguishable with common colour-vision
#: deficiencies.
NEED_COLOURS = ("#9ecae1", "#fdae61", "#d7191c", "#7b3294", "#bdbdbd")
#: Function (share of needs met) and working capacity, 0 -> 1: dark red, orange, pale
#: yellow, then light blue at 1 (calm), so that the residents in trouble stand out.
FUNCTION_COLOURS = ((0.0, "#a50026"), (0.5, "#f46d43"), (0.8, "#fdcf5f"), (0.96, "#e6f2f6"),
                    (1.0, "#8fbfdc"))
TIE_WORKING = to_rgba("#6b6b6b", 0.22)
TIE_BROKEN = to_rgba("#d7191c", 0.75)
SHOCK_COLOUR = "#f4a261"
DPI = 90
DEPARTMENT_LABELS = {"emergency_management": "Emergency\nmanagement", "health": "Health",
                     "civil_affairs": "Civil\naffairs",
                     "housing_utilities": "Housing &\nutilities"}
COLOUR_MODES = {"function": "function (share of needs met)", "need": "need"}


def png(fig: Figure) -> bytes:
    """A whole figure as PNG bytes (slow path: every artist drawn)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def encode(rgba) -> bytes:
    """An RGBA buffer as a PNG (RGB, fast compression: a frame is encoded in ~10 ms)."""
    rgb = np.asarray(rgba)[:, :, :3]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="png", compress_level=1)
    return buf.getvalue()


class Blitter:
    """Draw a figure's static part once, then per frame only its animated artists.

    `render(key)` redraws the static background only when `key` changes (the canvases key it
    by their axis limits, which they snap to round numbers so that this is rare)."""

    def __init__(self, fig: Figure, artists: list):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.artists = artists
        for a in artists:
            a.set_animated(True)
        self._background = None
        self._key: Any = object()
        self.backgrounds = 0  # how many times the static part was drawn

    def render(self, key: Any = None) -> bytes:
        if self._background is None or key != self._key:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._key = key
            self.backgrounds += 1
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for a in self.artists:
            if a.get_visible():
                a.draw(renderer)
        return encode(self.canvas.buffer_rgba())


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at least x (x > 0)."""
    if x <= 0:
        return 1.0
    k = 10.0 ** math.floor(math.log10(x))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * k >= x - 1e-12:
            return m * k
    return 10.0 * k


# -- the network --------------------------------------------------------------------------
class NetworkCanvas:
    """The network figure of one layout and colour mode: built once, recoloured per frame."""

    def __init__(self, layout, colour_by: str = "function"):
        if colour_by not in COLOUR_MODES:
            raise ValueError(f"colour_by: got {colour_by!r}; allowed: {', '.join(COLOUR_MODES)}")
        self.layout = lay = layout
        self.colour_by = colour_by
        self.cmap = _cmap()
        self.norm = Normalize(0.0, 1.0)
        self.fig = fig = Figure(figsize=(5.5, 6.2), dpi=DPI)
        rows = 2 if colour_by == "function" else 4
        legend_top = 0.095 + 0.043 * rows
        ax = self.ax = fig.add_axes((0.005, legend_top + 0.005, 0.99, 0.99 - legend_top))
        ax.set_aspect("equal")
        ax.set_axis_off()
        extent = 1.0 + 2.0 * lay.radius if len(lay.neighbourhoods) > 1 else 1.6
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)

        self.ties = LineCollection(lay.segments, colors=[TIE_WORKING], linewidths=0.5,
                                   zorder=1)
        ax.add_collection(self.ties)
        ordinary = ~lay.party
        self.ordinary = ordinary
        self.dots = ax.scatter(lay.xy[ordinary, 0], lay.xy[ordinary, 1], s=15, marker="o",
                               linewidths=0.25, edgecolors="#333333", zorder=3)
        self.party = ax.scatter(lay.xy[lay.party, 0], lay.xy[lay.party, 1], s=46, marker="^",
                                linewidths=0.8, edgecolors="black", zorder=4)
        self.orgs = ax.scatter(lay.org_xy[:, 0], lay.org_xy[:, 1], s=70, marker="D",
                               linewidths=0.9, edgecolors="black", zorder=5)
        self.ents = ax.scatter(lay.enterprise_xy[:, 0], lay.enterprise_xy[:, 1], s=70,
                               marker="s", linewidths=0.9, edgecolors="black", zorder=5)
        many = len(lay.neighbourhoods) > 10
        for k, (b, centre) in enumerate(zip(lay.neighbourhoods, lay.centres)):
            direction = centre / (np.linalg.norm(centre) or 1.0)
            if not np.any(centre):
                direction = np.array([0.0, -1.0])
            where = centre + direction * (lay.radius * 1.62 + 0.04)
            label = (f"N{b + 1}\nexp. {lay.exposure[k]:.2f}" if not many else f"N{b + 1}")
            ax.text(where[0], where[1], label, ha="center", va="center", fontsize=9,
                    color="#333333", zorder=6)
        # legend: shapes, ties and (need mode) the state colours
        handles = [
            Line2D([], [], marker="o", ls="", color="#bbbbbb", mec="#333333", ms=6,
                   label="resident"),
            Line2D([], [], marker="^", ls="", color="#bbbbbb", mec="black", ms=8,
                   label="party member"),
            Line2D([], [], marker="D", ls="", color="#bbbbbb", mec="black", ms=7,
                   label="NGO (social organisation)"),
            Line2D([], [], marker="s", ls="", color="#bbbbbb", mec="black", ms=7,
                   label="enterprise"),
            Line2D([], [], color=TIE_WORKING[:3], lw=1.5, label="working tie"),
            Line2D([], [], color=TIE_BROKEN[:3], lw=1.5, label="tie weakened below working"),
        ]
        if colour_by == "need":
            handles += [Patch(color=c, label=s) for c, s in zip(NEED_COLOURS, NEED_STATES)]
        if colour_by == "need":  # the state colours first, then shapes and ties
            handles = handles[6:] + handles[:6]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, legend_top),
                   ncol=2 if colour_by == "need" else 3, fontsize=8.5, frameon=False,
                   handlelength=1.5, columnspacing=0.9, handletextpad=0.4,
                   borderaxespad=0.2)

        # colour bar: residents' function (function mode) and organisations' capacity
        cax = fig.add_axes((0.05, 0.075, 0.90, 0.02))
        sm = _scalar_mappable(self.cmap, self.norm)
        bar = fig.colorbar(sm, cax=cax, orientation="horizontal")
        bar.ax.tick_params(labelsize=8)
        bar.set_label("residents' function (share of needs met) and organisations' "
                      "capacity" if colour_by == "function" else
                      "organisations' working capacity (0 = stopped, 1 = full)", fontsize=8.5)

        self.blitter = Blitter(fig, [self.ties, self.dots, self.party, self.orgs, self.ents])

    def render(self, frame: Frame) -> bytes:
        """This frame's PNG: the static part is drawn once per canvas."""
        self.draw(frame)
        return self.blitter.render()

    def draw(self, frame: Frame) -> Figure:
        """Recolour for this frame; returns the (same) figure."""
        lay = self.layout
        if self.colour_by == "function":
            colours = self.cmap(self.norm(frame.function))
        else:
            colours = np.array([to_rgba(c) for c in NEED_COLOURS])[frame.need]
        self.dots.set_facecolor(colours[self.ordinary])
        self.party.set_facecolor(colours[lay.party])
        working = frame.tie_working
        tie_colours = np.where(working[:, None], TIE_WORKING, TIE_BROKEN)
        self.ties.set_color(tie_colours)
        self.ties.set_linewidth(np.where(working, 0.5, 0.9))
        self.orgs.set_facecolor(self._capacity_colours(frame.teams[lay.orgs]))
        self.ents.set_facecolor(self._capacity_colours(frame.enterprises[lay.enterprises]))

        return self.fig

    def caption(self, frame: Frame) -> str:
        lay = self.layout
        sample = (f"{len(lay.sample):,} of {lay.n_residents:,} residents"
                  + (f" in {len(lay.neighbourhoods)} of {lay.n_neighbourhoods} neighbourhoods"
                     if len(lay.neighbourhoods) < lay.n_neighbourhoods else ""))
        mode = "function" if self.colour_by == "function" else "need"
        return (f"Day {frame.day}: residents coloured by {mode} "
                f"({'a sample of ' if lay.sampled else 'all '}{sample}, whole households "
                f"with every tie between them). N = neighbourhood, exp. = its hazard "
                f"exposure.")

    def _capacity_colours(self, values: np.ndarray) -> np.ndarray:
        out = self.cmap(self.norm(np.nan_to_num(values, nan=1.0)))
        return out


def organisation_cells(frame: Frame) -> list[dict]:
    """The organisations without a place on the map, as labelled cells: the committee, each
    department, the volunteer teams and the enterprises, each with its working capacity
    (0-1) and the colour the map uses for it."""
    cmap, norm = _cmap(), Normalize(0.0, 1.0)
    teams = frame.teams[~np.isnan(frame.teams)]
    cells = [("Committee", frame.reserve_share,
              f"plan quality {frame.plan_quality:.2f}, reserve {_pct(frame.reserve_share)}")]
    cells += [(DEPARTMENT_LABELS.get(d, d).replace("\n", " "), float(frame.departments[i]),
               f"capacity {_pct(frame.departments[i])}") for i, d in enumerate(DEPARTMENTS)]
    cells.append((f"Volunteer teams ({len(teams)})", _mean(teams),
                  f"{_pct(_mean(teams))} of volunteers active"))
    cells.append((f"Enterprises ({len(frame.enterprises)})", _mean(frame.enterprises),
                  f"capacity {_pct(_mean(frame.enterprises))}"))
    out = []
    for label, value, text in cells:
        rgba = cmap(norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
        light = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] > 0.5
        out.append({"label": label, "value": value, "text": text,
                    "background": "#%02x%02x%02x" % tuple(int(255 * c) for c in rgba[:3]),
                    "color": "black" if light else "white"})
    return out


def _cmap(stops=FUNCTION_COLOURS):
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("grassroots_function", list(stops))


def _scalar_mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable
    sm = ScalarMappable(norm=norm, cmap=cmap)
    sm.set_array([])
    return sm


def _mean(a: np.ndarray) -> float:
    return float(np.mean(a)) if len(a) else float("nan")


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


# -- the curves ---------------------------------------------------------------------------
class CurvesCanvas:
    """Structure, function, relationship and combined curves with the shock windows shaded;
    with a comparison, the baseline dashed and the difference below; then the residents in
    need. Built once per simulation; a frame only moves the data."""

    def __init__(self, days: int, windows: tuple, epsilon: float, compare: bool):
        self.compare = compare
        self.epsilon = epsilon
        self.fig = fig = Figure(figsize=(5.8, 6.2), dpi=DPI)
        ratios = [3.2, 1.7, 1.6] if compare else [3.2, 1.7]
        axes = fig.subplots(len(ratios), 1, sharex=True,
                            gridspec_kw={"height_ratios": ratios, "hspace": 0.12})
        fig.subplots_adjust(left=0.155, right=0.975, top=0.985, bottom=0.075)
        self.ax, self.cx = axes[0], axes[-1]
        self.dx = axes[1] if compare else None
        kinds_seen = set()
        for onset, end, kind in windows:
            for a in axes:
                a.axvspan(onset - 0.5, end - 0.5, color=SHOCK_COLOUR, alpha=0.28, lw=0,
                          zorder=0)
            self.ax.text(end, 0.985, f" {kind}", transform=self.ax.get_xaxis_transform(),
                         fontsize=8.5, va="top", ha="left", color="#8a4a12")
            kinds_seen.add(kind)
        self.lines = {}
        self.base_lines = {}
        for dim in DIMENSIONS:
            style = dict(lw=2.2 if dim == "combined" else 1.5, color=COLOURS[dim])
            (self.lines[dim],) = self.ax.plot([], [], label=dim, **style)
            if compare:
                (self.base_lines[dim],) = self.ax.plot([], [], ls=(0, (3, 2)), alpha=0.75,
                                                       **{**style, "lw": style["lw"] * 0.8})
        self.ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        self.ax.axhline(1.0 - epsilon, color="grey", lw=0.8, ls="-.")
        self.ax.set_ylabel("share of full performance\n(1 = the reference community)", fontsize=9)
        handles = [Line2D([], [], color=COLOURS[d], lw=2.2 if d == "combined" else 1.5,
                          label=d) for d in DIMENSIONS]
        handles.append(Line2D([], [], color="grey", lw=0.8, ls="-.",
                              label=f"recovered ({1 - epsilon:.0%})"))
        if windows:
            handles.append(Patch(color=SHOCK_COLOUR, alpha=0.4, label="shock window"))
        if compare:
            handles += [Line2D([], [], color="black", lw=1.5, label="chosen policy (solid)"),
                        Line2D([], [], color="black", lw=1.2, ls=(0, (3, 2)),
                               label="baseline (dashed)")]
        self.ax.legend(handles=handles, loc="lower right", fontsize=8, ncol=2,
                       framealpha=0.9, handlelength=1.6, columnspacing=0.8)

        if compare:
            self.diff_lines = {}
            for dim in DIMENSIONS:
                (self.diff_lines[dim],) = self.dx.plot(
                    [], [], color=COLOURS[dim], lw=2.0 if dim == "combined" else 1.3)
            self.dx.axhline(0.0, color="grey", lw=0.8)
            self.dx.set_ylabel("chosen minus\nbaseline", fontsize=9)
            self.dx.text(0.99, 0.05, "above 0: the chosen policy does better",
                         transform=self.dx.transAxes, fontsize=8, color="#444444",
                         ha="right")
        (self.need_line,) = self.cx.plot([], [], color="#d7191c", lw=1.5,
                                         label="residents in need")
        (self.displaced_line,) = self.cx.plot([], [], color="#7b3294", lw=1.3,
                                              label="displaced")
        need_handles = [self.need_line, self.displaced_line]
        if compare:
            (self.need_base,) = self.cx.plot([], [], color="#d7191c", lw=1.2,
                                             ls=(0, (3, 2)), alpha=0.75)
            need_handles.append(Line2D([], [], color="#d7191c", lw=1.2, ls=(0, (3, 2)),
                                       label="in need, baseline"))
        self.cx.legend(handles=need_handles, loc="upper right", fontsize=8)
        self.cx.set_ylabel("residents", fontsize=9)
        self.cx.set_xlabel("day", fontsize=9)
        self.cx.set_xlim(0, max(days, 1))
        for a in axes:
            a.tick_params(labelsize=8.5)
            a.grid(True, color="#eeeeee", lw=0.6)
        dynamic = [*self.lines.values(), *self.base_lines.values(), self.need_line,
                   self.displaced_line]
        if compare:
            dynamic += [*self.diff_lines.values(), self.need_base]
        self.blitter = Blitter(fig, dynamic)

    def draw(self, frame: Frame) -> Figure:
        """Move the data to this frame; axis limits snap to round numbers (see Blitter)."""
        ts = frame.main.ts
        day = ts["day"].to_numpy()
        lo, hi = 1.0 - self.epsilon, 1.0
        for dim in DIMENSIONS:
            y = ts[dim].to_numpy()
            self.lines[dim].set_data(day, y)
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
        base = frame.baseline
        need = ts["residents_in_need"].to_numpy()
        top = max(float(need.max()), float(ts["displaced"].max()))
        if self.compare and base is not None:
            bts = base.ts
            bday = bts["day"].to_numpy()
            spread = 0.0
            for dim in DIMENSIONS:
                by = bts[dim].to_numpy()
                self.base_lines[dim].set_data(bday, by)
                lo, hi = min(lo, float(by.min())), max(hi, float(by.max()))
                k = min(len(by), len(day))
                diff = ts[dim].to_numpy()[:k] - by[:k]
                self.diff_lines[dim].set_data(day[:k], diff)
                spread = max(spread, float(np.abs(diff).max()))
            d = _nice_ceiling(max(0.005, 1.15 * spread))
            self.dx.set_ylim(-d, d)
            bneed = bts["residents_in_need"].to_numpy()
            self.need_base.set_data(bday, bneed)
            top = max(top, float(bneed.max()))
        self.ax.set_ylim(math.floor((lo - 0.01) / 0.05) * 0.05,
                         math.ceil((hi + 0.005) / 0.02) * 0.02)
        self.need_line.set_data(day, need)
        self.displaced_line.set_data(day, ts["displaced"].to_numpy())
        self.cx.set_ylim(0, _nice_ceiling(max(10.0, 1.1 * top)))
        return self.fig

    def caption(self, frame: Frame) -> str:
        s = frame.settings
        return (f"{s.scenario} scenario · policy {frame.main.label}"
                + (" (solid) vs baseline (dashed)" if self.compare else "")
                + f" · seed {s.seed} · day {frame.day} of {frame.days}")

    def render(self, frame: Frame) -> bytes:
        """This frame's PNG; the axes are redrawn only when a limit moves."""
        self.draw(frame)
        key = (self.ax.get_ylim(), self.cx.get_ylim(),
               self.dx.get_ylim() if self.dx is not None else None)
        return self.blitter.render(key)


# -- monitors -----------------------------------------------------------------------------
def _ttr_text(m: dict, frame: Frame) -> str:
    if m["recovery_status"] == "no shock":
        return "no shock yet" if frame.windows else "no shock"
    if m["time_to_recovery"] is None:
        return "not yet" if not frame.done else NOT_RECOVERED
    if m["time_to_recovery"] == 0:
        return "never fell below"
    return f"{m['time_to_recovery']} days"


def _num(x: Any, fmt: str = "{:,.0f}") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return fmt.format(x)


#: Monitors: (key, label, how to read it, which direction is better: +1 higher, -1 lower)
MONITORS = (
    ("in_need", "Residents in need", "now (peak so far)", -1),
    ("need_days", "Resident-days in need", "so far: each day, every resident with a need met "
                                           "below the threshold (vulnerable residents below)",
     -1),
    ("displaced", "Displaced resident-days", "so far: each day, every resident away from home "
                                             "(now below)", -1),
    ("ttr", "Time to recovery", "days until the combined level is back to the "
                                "recovery threshold", -1),
    ("index", "Resilience index", "combined: mean level over the control window after "
                                  "the shock, so far (1 = no loss)", +1),
    ("loss", "Loss of resilience", "combined: quality-days lost so far", -1),
    ("cost", "Cost of the levers", "per resident and year of the horizon, in worker-days "
                                   "(WD: one paid community worker for a day), one-off costs "
                                   "spread over the horizon; unit costs in policies/costs.toml",
     -1),
)


#: The short line under each monitor (without a comparison).
SUBTITLES = {"in_need": "now", "need_days": "so far",
             "displaced": "so far", "ttr": "combined level",
             "index": "combined, 1 = no loss", "loss": "combined, quality-days",
             "cost": "WD per resident-year"}


def monitor_values(run, frame: Frame) -> dict[str, tuple]:
    """Each monitor of one run: (number for differences, text shown[, line below])."""
    ts = run.ts
    last = ts.iloc[-1]
    combined = run.metrics["combined"]
    outcomes, cost = run.summary["outcomes"], run.summary["costs"]
    peak = int(ts["residents_in_need"].max())
    ttr = combined["time_to_recovery"]
    shocked = combined["recovery_status"] != "no shock"
    return {
        "in_need": (float(last["residents_in_need"]),
                    f"{int(last['residents_in_need']):,}", f"now; peak so far {peak:,}"),
        "need_days": (float(outcomes["resident_days_in_need"]),
                      f"{outcomes['resident_days_in_need']:,}",
                      f"vulnerable {outcomes['vulnerable_resident_days_in_need']:,}"),
        "displaced": (float(outcomes["displaced_resident_days"]),
                      f"{outcomes['displaced_resident_days']:,}",
                      f"away now {int(last['displaced']):,}"),
        "ttr": (float(ttr) if (ttr is not None and shocked) else None,
                _ttr_text(combined, frame)),
        "index": (combined["resilience_index"] if shocked else None,
                  f"{combined['resilience_index']:.5f}" if shocked else "–"),
        "loss": (combined["loss_of_resilience"],
                 f"{combined['loss_of_resilience']:.2f}"),
        "cost": (cost["per_resident_year"], f"{cost['per_resident_year']:.2f}",
                 f"WD/resident-yr; one-off {cost['one_off']:,.0f}"),
    }


def monitor_rows(frame: Frame) -> list[dict]:
    """Rows of the monitor panel: label, help, chosen and (comparison) baseline and the
    difference with whether it is better."""
    main = monitor_values(frame.main, frame)
    base = monitor_values(frame.baseline, frame) if frame.baseline else None
    rows = []
    for key, label, help_, better in MONITORS:
        value, text = main[key][:2]
        row = {"key": key, "label": label, "help": help_, "value": text,
               "sub": main[key][2] if len(main[key]) > 2 else SUBTITLES[key]}
        if base is not None:
            bvalue, btext = base[key][:2]
            row["baseline"] = btext
            if value is not None and bvalue is not None:
                d = value - bvalue
                row["diff"] = (f"{d:+,.5f}" if key == "index" else
                               f"{d:+,.3f}" if key == "loss" else
                               f"{d:+,.2f}" if key == "cost" else f"{d:+,.0f}")
                row["better"] = 0 if abs(d) < 1e-9 else int(np.sign(d) * better)
            else:
                row["diff"], row["better"] = "–", 0
        rows.append(row)
    return rows


def capacity_rows(run) -> list[tuple[str, str, str]]:
    """Per-capacity indicators of one run: (capacity, indicator, value)."""
    c = run.capacities
    rows = []
    prev = c.get("prevention")
    if prev:
        rows.append(("1 · Prevention", "function loss avoided vs. prevention off",
                     f"{prev['damage_avoided']:.2f} quality-days"))
        rows.append(("1 · Prevention", "peak residents in need avoided",
                     f"{prev['peak_in_need_avoided']:,}"))
    else:
        rows.append(("1 · Prevention", "damage avoided", "no shock in this scenario"))
    r = c["resistance"]
    rows.append(("2 · Resistance", "depth of the combined drop", f"{r['depth']:.3f}"))
    rows.append(("2 · Resistance", "lowest combined level (robustness)",
                 f"{r['robustness']:.3f}"))
    a = c["adaptability"]
    rows.append(("3 · Adaptability", "days from onset to first department help",
                 _num(a["days_to_first_response"])))
    rows.append(("3 · Adaptability", "days until half the needs are known",
                 _num(a["days_to_half_needs_known"])))
    rec = c["recovery"]
    rows.append(("4 · Recovery", "share of days in need with organised help",
                 _num(rec["share_reached"], "{:.0%}")))
    shares = rec["help_by_channel"]
    if any(shares.values()):
        top = max(shares, key=shares.get)
        rows.append(("4 · Recovery", "largest help channel",
                     f"{top.replace('_', ' ')} ({shares[top]:.0%})"))
    else:
        rows.append(("4 · Recovery", "largest help channel", "–"))
    learn = c["learning"]
    rows.append(("5 · Learning", "committee's plan quality now",
                 f"{learn['plan_quality_final']:.2f}"))
    if "loss_change" in learn:
        rows.append(("5 · Learning", "loss, last event minus first",
                     f"{learn['loss_change']:+.2f}"))
    return rows


# -- the map of a community file -----------------------------------------------------------
class MapCanvas:
    """The neighbourhoods of a community file as a map, coloured by one outcome per
    neighbourhood (measures/neighbourhoods.py): polygons, the hazard zone's outline and the
    places drawn once (analysis/maps.py), then only the polygons' colours change per frame.
    No tiles: it needs no internet."""

    def __init__(self, community_file: str, outcome: str = "at_home"):
        from grassroots.analysis.maps import community_map
        from grassroots.dashboard.state import MAP_OUTCOMES

        if outcome not in MAP_OUTCOMES:
            raise ValueError(f"outcome: got {outcome!r}; allowed: {', '.join(MAP_OUTCOMES)}")
        geo = _geo(community_file)
        self.outcome = outcome
        self.fig = Figure(figsize=(6.6, 3.9), dpi=DPI)
        community_map(geo, {outcome: np.zeros(len(geo.names))}, fig=self.fig)
        ax = self.fig.axes[0]
        # the polygons are the first collection GeoPandas drew on the map's axes
        self.patches = ax.collections[0]
        self.good_high = outcome in ("at_home", "function")
        self.cmap = self.patches.get_cmap()
        self.title = ax.title
        FigureCanvasAgg(self.fig)

    def render(self, values: np.ndarray, day: int) -> bytes:
        """PNG of the map with today's values (one per neighbourhood, 0-1)."""
        self.patches.set_array(np.asarray(values, float))
        self.title.set_text(f"{self.title.get_text().split(' · ')[0]} · day {day}")
        return png(self.fig)


_GEO_CACHE: dict = {}


def _geo(community_file: str):
    """The community file's layers, read once per process (they do not change)."""
    from grassroots.community.geo import read_community_file

    if community_file not in _GEO_CACHE:
        _GEO_CACHE[community_file] = read_community_file(community_file)
    return _GEO_CACHE[community_file]
