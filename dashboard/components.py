"""Solara components of the dashboard.

Mesa's SolaraViz does not fit this model, so the page is built from Solara components here
(see docs in README.md, "Dashboard"): its ModelController re-creates a model by calling the
model class with the parameter values, while Grassroots builds every model through
`make_model` and steps a baseline (and the prevention twins) in lock-step. What is kept from Mesa's grammar: Reset / Step / Play-Pause, a speed control, a
"steps per update" control, views redrawn from the model after every update.

All state changes go through `Dashboard`; every view is a pure function of a `Frame`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import solara
import solara.lab
from solara.alias import rv as v

from grassroots.core.params import ParameterError
from grassroots.policies import load_policy
from grassroots.dashboard.about import ABOUT_HTML
from grassroots.dashboard.state import (
    ADVANCED_PANELS, COMPARE_SEEDS, LARGE_COMMUNITY, MAP_OUTCOMES, MAX_COMPARE_SEEDS,
    PANELS, Control, Frame, Settings, Simulation, community_choices, controls,
    policy_choices, scenario_choices, seed_comparison,
)
from grassroots.dashboard.views import (
    COLOUR_MODES, CurvesCanvas, MapCanvas, NetworkCanvas, capacity_rows, monitor_rows,
    organisation_cells, png,
)
from grassroots.dashboard import fund

log = logging.getLogger(__name__)

#: Days advanced by one Step (and by one update while playing).
STEP_CHOICES = (1, 7, 30)
#: Default pause between updates while playing, in ms.
DEFAULT_DELAY = 100

CSS = """
.gr-label { font-size: 13px; line-height: 1.2; margin-top: 6px; color: #222; }
.gr-unit { color: #666; font-size: 12px; }
.gr-param .v-input__slot { min-height: 28px !important; }
.gr-number input { font-size: 13px; text-align: right; }
.gr-monitor { min-width: 118px; flex: 1 1 0; padding: 6px 8px; border: 1px solid #ddd;
              border-radius: 6px; background: #fafafa; }
.gr-monitor-label { font-size: 12.5px; color: #444; cursor: help; }
.gr-monitor-value { font-size: 20px; font-weight: 600; color: #111; line-height: 1.25; }
.gr-monitor-sub { font-size: 11.5px; color: #555; line-height: 1.3; }
.gr-about { font-size: 14.5px; line-height: 1.5; }
.gr-about h2 { font-size: 20px; margin: 6px 0 8px; }
.gr-about h3 { font-size: 16.5px; margin: 14px 0 6px; }
.gr-about li { margin-bottom: 4px; }
.gr-label[title] { cursor: help; }
.gr-better { color: #1a7f37; font-weight: 600; }
.gr-worse { color: #c62828; font-weight: 600; }
.gr-cell { padding: 3px 7px; border-radius: 5px; border: 1px solid #555; font-size: 11.5px;
           line-height: 1.25; }
.gr-caption { font-size: 12.5px; color: #333; }
.gr-indicators { border-collapse: collapse; }
.gr-indicators td, .gr-indicators th { padding: 2px 14px 2px 0; font-size: 13px;
                                       text-align: left; border-bottom: 1px solid #eee; }
.gr-indicators th { color: #444; }
img.gr-image { width: 100%; max-width: 100%; height: auto; }
img.gr-map { max-width: 760px; }
.gr-header { background: #1f4e79; color: white; font-size: 19px; font-weight: 600;
             padding: 10px 18px; }
.gr-body { align-items: flex-start !important; }
.gr-sidebar { width: 390px; min-width: 390px; max-width: 390px; padding: 10px;
              height: calc(100vh - 46px); overflow-y: auto; background: #f5f7fa;
              border-right: 1px solid #ddd; }
.gr-main { flex: 1 1 auto; min-width: 0; padding: 4px 10px; height: calc(100vh - 46px);
           overflow-y: auto; }
"""


# -- one control per declared parameter ----------------------------------------------------
def _fmt(value) -> str:
    return f"{value:d}" if isinstance(value, int) else f"{value:g}"


@solara.component
def ParamControl(control: Control, value, on_value: Callable[[str, object], str | None],
                 disabled: bool = False):
    """A slider (where the declared range allows one) and a typed field. A typed value is
    parsed and validated by the declaration; an invalid one shows the declaration's message
    in the field and changes nothing."""
    p = control.param
    error, set_error = solara.use_state(None)
    text, set_text = solara.use_state(_fmt(value))
    shown, set_shown = solara.use_state(value)
    if shown != value:  # the value changed elsewhere (a policy package, a reset)
        set_shown(value)
        set_text(_fmt(value))
        set_error(None)

    def typed(new_text: str):
        set_text(new_text)
        set_error(on_value(p.name, new_text))

    def slid(new_value):
        if new_value is None:
            return
        set_error(on_value(p.name, new_value))

    with solara.Column(gap="0px", classes=["gr-param", f"gr-param-{p.name}"]):
        solara.HTML("div", unsafe_innerHTML=(
            f"{control.label} <span class='gr-unit'>({p.unit})</span>"),
            classes=["gr-label"], attributes={"title": control.help})
        with solara.Row(gap="8px", style={"align-items": "center"}):
            if control.slider:
                v.Slider(v_model=value, on_v_model=slid, min=p.low, max=p.high,
                         step=control.step, dense=True, hide_details=True,
                         disabled=disabled, class_=f"gr-slider gr-slider-{p.name}",
                         style_="flex: 1 1 auto;")
            solara.InputText(
                label="" if control.slider else f"allowed: {p.allowed()}",
                value=text, on_value=typed, continuous_update=False,
                error=error or False, dense=True, disabled=disabled,
                classes=["gr-number", f"gr-input-{p.name}"],
                style={"max-width": "96px"} if control.slider else {"width": "100%"})


@solara.component
def GroupPanels(panels: tuple, settings: Settings,
                on_value: Callable[[str, object], str | None], classes: str = ""):
    """One expansion panel per parameter group; a panel's controls exist only while it is
    open, which keeps every re-render of the page small."""
    open_, set_open = solara.use_state([])
    with v.ExpansionPanels(v_model=open_, on_v_model=lambda x: set_open(list(x or [])),
                           multiple=True, accordion=True, class_=classes):
        for k, (group, title) in enumerate(panels):
            with v.ExpansionPanel(class_=f"gr-panel-{group}"):
                v.ExpansionPanelHeader(children=[title])
                with v.ExpansionPanelContent():
                    if k in open_:
                        for control in controls(group):
                            ParamControl(control, settings.values[control.name], on_value)


# -- views ------------------------------------------------------------------------------
@solara.component
def NetworkView(frame: Frame, colour_by: str):
    """The community's ties with residents coloured by state (layout computed once per
    community: the canvas is kept while the layout object is the same)."""
    canvas = solara.use_memo(lambda: NetworkCanvas(frame.layout, colour_by),
                             [id(frame.layout), colour_by])
    image = solara.use_memo(lambda: canvas.render(frame), [frame.version, canvas])
    with solara.Column(gap="4px"):
        solara.Text(canvas.caption(frame), classes=["gr-caption"])
        solara.Image(image, format="png", classes=["gr-image", "gr-network"])
        OrganisationStrip(frame)


@solara.component
def OrganisationStrip(frame: Frame):
    """Organisations that have no place on the map, coloured by working capacity."""
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}, classes=["gr-organisations"]):
        for cell in organisation_cells(frame):
            solara.HTML("div", unsafe_innerHTML=(
                f"<b>{cell['label']}</b><br>{cell['text']}"), classes=["gr-cell"],
                style=f"background: {cell['background']}; color: {cell['color']};")


@solara.component
def CurvesView(frame: Frame):
    p = frame.main.summary["parameters"]
    compare = frame.baseline is not None
    canvas = solara.use_memo(
        lambda: CurvesCanvas(frame.days, frame.windows, p["recovery_epsilon"], compare),
        [frame.days, frame.windows, p["recovery_epsilon"], compare])
    image = solara.use_memo(lambda: canvas.render(frame), [frame.version, canvas])
    with solara.Column(gap="4px"):
        solara.Text(canvas.caption(frame), classes=["gr-caption"])
        solara.Image(image, format="png", classes=["gr-image", "gr-curves"])


@solara.component
def MapView(frame: Frame, outcome: str):
    """The community file's neighbourhoods, recoloured by `outcome` every frame."""
    file = frame.settings.community_file()
    canvas = solara.use_memo(lambda: MapCanvas(file, outcome), [file, outcome])
    image = solara.use_memo(lambda: canvas.render(frame.neighbourhoods[outcome], frame.day),
                            [canvas, frame.version])
    solara.Image(image, format="png", classes=["gr-image", "gr-map"])


@solara.component
def Monitors(frame: Frame):
    compare = frame.baseline is not None
    with solara.Row(gap="8px", style={"flex-wrap": "wrap"}, classes=["gr-monitors"]):
        with solara.Column(gap="0px", classes=["gr-monitor", "gr-monitor-day"]):
            solara.Text("Day", classes=["gr-monitor-label"])
            solara.Text(f"{frame.day} of {frame.days}", classes=["gr-monitor-value", "gr-day"])
            solara.Text("run complete" if frame.done else "simulated days",
                        classes=["gr-monitor-sub"])
        for row in monitor_rows(frame):
            with solara.Column(gap="0px", classes=["gr-monitor", f"gr-monitor-{row['key']}"]):
                solara.HTML("div", unsafe_innerHTML=row["label"], classes=["gr-monitor-label"],
                            attributes={"title": row["help"]})
                solara.Text(row["value"], classes=["gr-monitor-value", "gr-value"])
                if compare:
                    cls = {1: "gr-better", -1: "gr-worse"}.get(row["better"], "")
                    solara.HTML("div", unsafe_innerHTML=(
                        f"baseline {row['baseline']}<br>"
                        f"<span class='{cls}'>diff {row['diff']}</span>"),
                        classes=["gr-monitor-sub"])
                else:
                    solara.Text(row["sub"], classes=["gr-monitor-sub"])


@solara.component
def CapacityIndicators(frame: Frame):
    """Per-capacity indicators (model/run.py, capacity_indicators), so far."""
    rows = capacity_rows(frame.main)
    base = capacity_rows(frame.baseline) if frame.baseline else None
    head = "<tr><th>capacity</th><th>indicator (so far)</th><th>chosen</th>"
    head += "<th>baseline</th></tr>" if base else "</tr>"
    body = []
    for k, (cap, label, value) in enumerate(rows):
        extra = f"<td>{base[k][2]}</td>" if base and k < len(base) and base[k][1] == label \
            else ("<td>–</td>" if base else "")
        body.append(f"<tr><td>{cap}</td><td>{label}</td><td>{value}</td>{extra}</tr>")
    solara.HTML("table", unsafe_innerHTML=head + "".join(body),
                classes=["gr-indicators"])


def _num(value: float, measure: str) -> str:
    if measure.endswith("resilience_index"):
        return f"{value:,.5f}"
    if measure.endswith("loss_of_resilience") or measure.startswith("costs."):
        return f"{value:,.2f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def seed_table(rows: list[dict]) -> str:
    """The comparison over seeds as an HTML table: means, difference with its 95% interval,
    and the verdict coloured where the interval excludes 0."""
    head = ("<tr><th>measure</th><th>baseline</th><th>chosen</th>"
            "<th>difference [95% interval]</th><th></th></tr>")
    body = []
    for r in rows:
        m = r["measure"]
        cls = {"better": "gr-better", "worse": "gr-worse"}.get(r["verdict"], "")
        body.append(
            f"<tr class='gr-seed-row'><td>{r['label']}</td><td>{_num(r['reference'], m)}</td>"
            f"<td>{_num(r['package'], m)}</td>"
            f"<td>{_num(r['difference'], m)} [{_num(r['low'], m)}, {_num(r['high'], m)}]</td>"
            f"<td class='{cls}'>{r['verdict']}</td></tr>")
    return head + "".join(body)


@solara.component
def SeedComparison(ctl: Controller):
    """Your settings against the baseline package over many paired seeds, to the horizon:
    what one seed's live comparison cannot tell, whether a difference is beyond noise."""
    solara.HTML("div", unsafe_innerHTML=(
        "Runs your settings and the <b>baseline</b> package to the horizon on the same "
        "seeds (your seed and the ones after it): each pair shares its community and its "
        "random draws, so their difference is your settings' effect. The interval is the "
        "95% interval of the mean difference over seeds; <span class='gr-better'>better"
        "</span> or <span class='gr-worse'>worse</span> only where it excludes 0. The same "
        "numbers as <code>grassroots compare</code>."), classes=["gr-caption"])
    running = ctl.seed_running.value
    with solara.Row(gap="10px", style={"align-items": "center", "margin-top": "8px"}):
        solara.InputInt(f"Seeds (2–{MAX_COMPARE_SEEDS})", value=ctl.compare_seeds,
                        disabled=running, classes=["gr-compare-seeds"])
        solara.Button("Run the comparison", on_click=ctl.request_seed_comparison,
                      color="primary", small=True, disabled=running,
                      classes=["gr-run-comparison"])
        solara.Text(ctl.seed_status.value, classes=["gr-caption", "gr-seed-status"])
    result = ctl.seed_result.value
    if result is not None:
        title, rows = result
        solara.Text(title, classes=["gr-label", "gr-seed-title"])
        solara.HTML("table", unsafe_innerHTML=seed_table(rows),
                    classes=["gr-indicators", "gr-seed-table"])


@solara.component
def WhatToFund(ctl: Controller):
    """Pick an optimisation and a budget, see its front, pick an allocation within the
    budget and run it against baseline on the same seed (dashboard/fund.py)."""
    choices = list(fund.front_choices())
    name = solara.use_reactive(choices[0] if choices else None)
    budget = solara.use_reactive(None)
    objective = solara.use_reactive(None)
    chosen = solara.use_reactive(None)
    scenario = solara.use_reactive(None)
    solara.HTML("div", unsafe_innerHTML=(
        "A budget-constrained search over the levers (<code>grassroots optimise</code>): "
        "each point of the front is an allocation no other evaluated allocation beats on "
        "every objective. Differences from the <b>baseline</b> package are paired over the "
        "search's seeds, with their 95% intervals. Pick a budget and an allocation, then run "
        "it against baseline on your seed in the Dashboard tab."), classes=["gr-caption"])
    if not choices:
        solara.Warning("No finished optimisation found: start the dashboard with "
                       "--fronts DIR, a folder of grassroots optimise outputs.")
        return
    front = fund.load_front(name.value if name.value in choices else choices[0])
    outcomes = front.outcomes
    obj = objective.value if objective.value in outcomes else outcomes[0]
    costs = front.front["cost"]
    low = float(costs.min()) if len(costs) else 0.0
    high = max([front.budget, *([float(costs.max())] if len(costs) else [])])
    b = budget.value if budget.value is not None and low <= budget.value <= high \
        else front.budget
    within = fund.within_budget(front, b)
    ranks = [int(r) for r in within["rank"]]
    rank = chosen.value if chosen.value in ranks else fund.best_within(front, b, obj)
    scenarios = front.scenarios()
    scen = scenario.value if scenario.value in scenarios else (scenarios or [None])[0]
    with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Optimisation", values=choices, value=front.name,
                      on_value=lambda v: (name.set(v), budget.set(None), chosen.set(None)),
                      classes=["gr-fund-front"])
        solara.Select("Objective looked at", values=outcomes, value=obj,
                      on_value=lambda v: (objective.set(v), chosen.set(None)),
                      classes=["gr-fund-objective"])
    solara.SliderFloat("Budget, WD per resident-year", value=b, min=round(low, 3),
                       max=round(high, 3), step=0.01,
                       on_value=lambda v: (budget.set(v), chosen.set(None)))
    solara.Text(f"Budget {b:.2f} WD per resident-year (the search's own: "
                f"{front.budget:.3g}; costs counted over {front.optimisation['cost_days']} "
                f"days): {len(within)} of the front's {len(front.front)} allocations are "
                f"within it. {front.optimisation.get('description', '')}",
                classes=["gr-caption", "gr-fund-budget"])
    image = png(fund.front_figure(front, b, obj, rank))
    solara.Image(image, format="png", classes=["gr-image", "gr-fund-figure"])
    if rank is None:
        solara.Warning(f"Nothing on the front costs {b:.3g} or less.")
        return
    labels = {fund.label(front, fund.allocation(front, r), obj): r for r in
              sorted(ranks, key=lambda r: fund.allocation(front, r)[obj])}
    current = next(k for k, r in labels.items() if r == rank)
    with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Allocation (within the budget, best first)", values=list(labels),
                      value=current, on_value=lambda v: chosen.set(labels[v]),
                      classes=["gr-fund-allocation"])
        if scen is not None:
            solara.Select("Scenario to run it on", values=scenarios, value=scen,
                          on_value=scenario.set, classes=["gr-fund-scenario"])
            solara.Button("Run it against baseline", color="primary", small=True,
                          on_click=lambda: ctl.run_allocation(front.name, rank, scen),
                          classes=["gr-fund-run"])
    row = fund.allocation(front, rank)
    levers = ", ".join(f"{k.replace('_', ' ')} {row[k]:.3g}" for k in front.levers)
    solara.Text(f"Levers of #{rank}: {levers}.", classes=["gr-caption", "gr-fund-levers"])
    solara.Text(fund.failure_text(front, row["candidate"]),
                classes=["gr-caption", "gr-fund-failures"])
    solara.HTML("table", unsafe_innerHTML=fund.front_rows(front, b, obj),
                classes=["gr-indicators", "gr-fund-table"])


@solara.component
def About():
    # plain HTML: solara.Markdown would ask for KaTeX from a CDN, unreachable offline
    solara.HTML("div", unsafe_innerHTML=ABOUT_HTML, classes=["gr-about"])


# -- the session ---------------------------------------------------------------------------
def _same(a, b) -> bool:
    return a is b


class Controller:
    """One browser session: its simulation and the reactive state the components read.

    Every change of state goes through a method here, and every method turns bad input or
    a failing build into a message instead of an exception."""

    def __init__(self, initial: Settings | None = None):
        self.sim = Simulation(initial or Settings.initial())
        self.settings = solara.reactive(self.sim.settings, equals=_same)
        self.frame = solara.reactive(self.sim.frame(), equals=_same)
        self.message = solara.reactive(None)
        self.playing = solara.reactive(False)
        self.days_per_step = solara.reactive(STEP_CHOICES[0])
        self.delay = solara.reactive(DEFAULT_DELAY)
        self.colour_by = solara.reactive("function")
        self.map_outcome = solara.reactive(MAP_OUTCOMES[0])
        self.done = solara.reactive(self.sim.done)  # fires only when it flips
        # the comparison over seeds: how many, the request that starts one, its state
        self.compare_seeds = solara.reactive(COMPARE_SEEDS)
        self.seed_request = solara.reactive(0)
        self.seed_status = solara.reactive("")
        self.seed_running = solara.reactive(False)
        self.seed_result = solara.reactive(None)  # (title, rows) of the last comparison
        self.tab = solara.reactive(0)  # the main area's tab shown
        self._swap = threading.Lock()

    # -- settings -------------------------------------------------------------------------
    def apply(self, new: Settings) -> str | None:
        """Rebuild the run from new settings (day 0); on failure keep the current run and
        return the message."""
        if new.key() == self.sim.settings.key():
            return None
        self.playing.set(False)
        try:
            sim = Simulation(new)
        except (ParameterError, ValueError) as err:
            msg = str(err).splitlines()[0]
            self.message.set(f"Not applied: {msg}")
            return msg
        except Exception as err:  # a bug must not take the page down
            log.exception("building the model failed")
            self.message.set(f"Not applied (unexpected error): {err}")
            return str(err)
        self._install(sim)
        return None

    def _install(self, sim: Simulation) -> None:
        with self._swap:
            self.sim = sim
        self.message.set(None)
        self.settings.set(sim.settings)
        self._show(sim)

    def _show(self, sim: Simulation) -> None:
        self.done.set(sim.done)
        self.frame.set(sim.frame())

    def change(self, make: Callable[[], Settings]) -> str | None:
        try:
            new = make()
        except (ParameterError, ValueError) as err:
            return str(err).splitlines()[0]
        return self.apply(new)

    def on_param(self, name: str, value) -> str | None:
        return self.change(lambda: self.sim.settings.with_value(name, value))

    def on_seed(self, value) -> None:
        err = self.change(lambda: self.sim.settings.with_seed(value))
        if err:
            self.message.set(f"Not applied: {err}")

    def on_scenario(self, value) -> None:
        # the picker offers shipped names only, but a client can send anything: a name that
        # is not shipped (a path, say) is refused with a message and nothing is read
        if value is not None:
            err = self.change(lambda: self.sim.settings.with_scenario(value))
            if err:
                self.message.set(f"Not applied: {err}")

    def on_policy(self, value) -> None:
        if value is not None:
            err = self.change(lambda: self.sim.settings.with_policy(value))
            if err:
                self.message.set(f"Not applied: {err}")

    def on_community(self, value) -> None:
        # the picker offers names only; a path or another name is refused, nothing read
        if value is not None:
            err = self.change(lambda: self.sim.settings.with_community(value))
            if err:
                self.message.set(f"Not applied: {err}")

    def on_compare(self, value) -> None:
        self.change(lambda: self.sim.settings.with_compare(bool(value)))

    def run_allocation(self, front: str, rank: int, scenario: str) -> str | None:
        """Fill the levers with an allocation of a front, turn the comparison with baseline
        on, and show the dashboard (dashboard/fund.py); a refusal becomes the message."""
        def make() -> Settings:
            return fund.allocation_settings(self.sim.settings, fund.load_front(front), rank,
                                            scenario)
        err = self.change(make)
        if err:
            self.message.set(f"Not applied: {err}")
            return err
        self.tab.set(0)
        return None

    # -- running --------------------------------------------------------------------------
    def reset(self) -> None:
        self.playing.set(False)
        try:
            sim = Simulation(self.sim.settings)
        except Exception as err:  # the settings were valid when applied; guard all the same
            log.exception("reset failed")
            self.message.set(f"Reset failed: {err}")
            return
        self._install(sim)

    def step(self, days: int | None = None) -> None:
        sim = self.sim
        try:
            sim.step(days or self.days_per_step.value)
        except Exception as err:
            log.exception("step failed")
            self.playing.set(False)
            self.message.set(f"Step failed: {err}")
        if sim is self.sim:
            self._show(sim)

    def run_to_end(self) -> None:
        self.playing.set(False)
        self.step(self.sim.days)

    # -- comparison over seeds --------------------------------------------------------------
    def request_seed_comparison(self) -> None:
        if not self.seed_running.value:
            self.seed_request.set(self.seed_request.value + 1)

    def compare_over_seeds(self) -> None:
        """Run the comparison the last request asked for (a task: it runs in a thread so the
        page stays live); the current settings are read once, at the start."""
        if self.seed_request.value == 0 or self.seed_running.value:
            return
        settings, n = self.sim.settings, self.compare_seeds.value
        self.seed_running.set(True)
        self.seed_status.set(f"running 0 of {n} seeds…")
        shown = [time.monotonic()]

        def progress(k: int, total: int) -> None:
            # at most two updates a second: each one re-renders the page
            if time.monotonic() - shown[0] >= 0.5:
                shown[0] = time.monotonic()
                self.seed_status.set(f"running {k} of {total} seeds…")

        try:
            rows = seed_comparison(settings, n, progress=progress)
        except (ParameterError, ValueError) as err:
            self.seed_status.set(f"Not run: {str(err).splitlines()[0]}")
            return
        except Exception as err:  # a bug must not take the page down
            log.exception("comparison over seeds failed")
            self.seed_status.set(f"Comparison failed: {err}")
            return
        finally:
            self.seed_running.set(False)
        last = settings.seed + n - 1
        title = (f"{settings.policy_label()} against baseline · {settings.scenario} · "
                 f"{settings.values['residents']:,} residents · seeds {settings.seed}–{last}")
        self.seed_result.set((title, rows))
        self.seed_status.set(f"done: {n} paired seeds")

    def toggle_play(self) -> None:
        self.playing.set(not self.playing.value)

    def play_loop(self) -> None:
        """While playing: step, show, wait for the rest of the pause; stops at the horizon,
        on an error, or when the run is replaced."""
        while self.playing.value:
            t0 = time.perf_counter()
            sim = self.sim
            if sim.done:
                break
            self.step()
            if sim is not self.sim or sim.done:
                break
            time.sleep(max(0.0, self.delay.value / 1000 - (time.perf_counter() - t0)))
        if self.sim.done:
            self.playing.set(False)


# -- the page ------------------------------------------------------------------------------
@solara.component
def RunCard(ctl: Controller):
    playing = ctl.playing.value
    done = ctl.done.value
    with solara.Card("Run", margin=0, classes=["gr-run"]):
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button("Reset", on_click=ctl.reset, color="primary", outlined=True,
                          small=True, classes=["gr-reset"])
            solara.Button("Step", on_click=ctl.step, color="primary", small=True,
                          disabled=playing or done, classes=["gr-step"])
            solara.Button("Pause" if playing else "Play",
                          icon_name="mdi-pause" if playing else "mdi-play",
                          on_click=ctl.toggle_play, color="primary", small=True,
                          disabled=done and not playing, classes=["gr-play"])
            solara.Button("Run to end", on_click=ctl.run_to_end, color="primary",
                          outlined=True, small=True, disabled=playing or done,
                          classes=["gr-run-to-end"])
        with solara.Row(gap="10px", style={"align-items": "center", "margin-top": "8px"}):
            solara.Text("Days per step", classes=["gr-label"])
            solara.ToggleButtonsSingle(value=ctl.days_per_step, values=list(STEP_CHOICES),
                                       dense=True, classes=["gr-days-per-step"])
        solara.SliderInt("Pause between updates (ms)", value=ctl.delay, min=0, max=1000,
                         step=50)
        solara.Text("Changing any setting below restarts the run at day 0 with the new "
                    "settings.", style={"font-size": "12px", "color": "#555"})


@solara.component
def SetupCard(ctl: Controller):
    settings = ctl.settings.value
    if ctl.message.value:
        solara.Error(ctl.message.value, classes=["gr-error"])
    with solara.Card("Scenario and policy", margin=0):
        solara.InputInt("Seed (integer ≥ 0)", value=settings.seed, on_value=ctl.on_seed,
                        classes=["gr-seed"])
        solara.Select("Scenario", values=scenario_choices(), value=settings.scenario,
                      on_value=ctl.on_scenario, classes=["gr-scenario"])
        solara.Select("Community (synthetic, or a map and census file)",
                      values=list(community_choices()), value=settings.community,
                      on_value=ctl.on_community, classes=["gr-community"])
        solara.Select("Policy package (fills the levers)", values=policy_choices(),
                      value=settings.policy, on_value=ctl.on_policy, classes=["gr-policy"])
        rationale = load_policy(settings.policy).rationale.split(". ")[0].strip()
        solara.Text(rationale + ("" if rationale.endswith(".") else "."),
                    style={"font-size": "12px", "color": "#555"})
        changed = settings.modified_levers()
        if changed:
            solara.Text("Changed from the package: " + ", ".join(changed),
                        style={"font-size": "12px", "color": "#8a4a12"})
        solara.Switch(label="Compare with the baseline package", value=settings.compare,
                      on_value=ctl.on_compare, classes=["gr-compare"])
        with solara.Row(gap="10px", style={"align-items": "center"}):
            solara.Text("Colour residents by", classes=["gr-label"])
            solara.ToggleButtonsSingle(value=ctl.colour_by, values=list(COLOUR_MODES),
                                       dense=True, classes=["gr-colour-by"])
        if settings.values["residents"] > LARGE_COMMUNITY:
            solara.Warning(f"{settings.values['residents']:,} residents: each step takes "
                           "longer; the map shows a sample.", dense=True)


@solara.component
def LeverPanels(ctl: Controller):
    settings = ctl.settings.value
    GroupPanels(PANELS, settings, ctl.on_param, classes="gr-levers")
    solara.Text("Advanced", classes=["gr-label"])
    GroupPanels(ADVANCED_PANELS, settings, ctl.on_param, classes="gr-advanced")


@solara.component
def MainArea(ctl: Controller):
    frame = ctl.frame.value
    with solara.lab.Tabs(value=ctl.tab):
        with solara.lab.Tab("Dashboard"):
            with solara.Column(gap="10px", style={"padding": "6px"}):
                Monitors(frame)
                with solara.Columns([1, 1.09], gutters_dense=True):
                    NetworkView(frame, ctl.colour_by.value)
                    CurvesView(frame)
                if frame.neighbourhoods is not None:
                    with solara.Row(gap="10px", style={"align-items": "center"}):
                        solara.Text(f"Map of {frame.settings.community}: colour by",
                                    classes=["gr-label"])
                        solara.ToggleButtonsSingle(value=ctl.map_outcome,
                                                   values=list(MAP_OUTCOMES), dense=True,
                                                   classes=["gr-map-outcome"])
                    MapView(frame, ctl.map_outcome.value)
                solara.HTML("div", unsafe_innerHTML=(
                    "<b>Per-capacity indicators</b> (so far in this run; prevention compares "
                    "with the same run with every prevention lever off)"),
                    classes=["gr-caption"])
                CapacityIndicators(frame)
        with solara.lab.Tab("Compare over seeds"):
            with solara.Column(style={"max-width": "980px", "padding": "12px"}):
                SeedComparison(ctl)
        with solara.lab.Tab("What to fund"):
            with solara.Column(style={"max-width": "980px", "padding": "12px"}):
                WhatToFund(ctl)
        with solara.lab.Tab("About"):
            with solara.Column(style={"max-width": "900px", "padding": "12px"}):
                About()


@solara.component
def Dashboard(initial: Settings | None = None,
              on_controller: Callable[[Controller], None] | None = None):
    """The whole dashboard: controls on the left, views on the right. A session gets its
    own Controller, made inside the session; `on_controller` is handed it (for tests)."""

    def make() -> Controller:
        ctl = Controller(initial)
        if on_controller is not None:
            on_controller(ctl)
        return ctl

    ctl = solara.use_memo(make, [])
    solara.lab.use_task(ctl.play_loop, dependencies=[ctl.playing.value],
                        prefer_threaded=True)
    solara.lab.use_task(ctl.compare_over_seeds, dependencies=[ctl.seed_request.value],
                        prefer_threaded=True)
    solara.Style(CSS)
    solara.Title("Grassroots — planner dashboard")
    with solara.Column(gap="0px", classes=["gr-page"]):
        solara.HTML("div", unsafe_innerHTML=(
            "Grassroots <span style='font-weight: 400; opacity: .85'>· community "
            "resilience planner</span>"), classes=["gr-header"])
        with solara.Row(gap="0px", classes=["gr-body"]):
            with solara.Column(gap="10px", classes=["gr-sidebar"]):
                RunCard(ctl)
                SetupCard(ctl)
                LeverPanels(ctl)
            with solara.Column(gap="10px", classes=["gr-main"]):
                MainArea(ctl)
