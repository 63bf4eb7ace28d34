"""End to end: the dashboard served by `grassroots dashboard`, driven in headless Chromium.

Debian's `chromium` (installed by .ci/run) is driven by Playwright with its executable path
set to it; Playwright's own browser download is not used. The server listens on loopback
only, and every request the page makes to anywhere else is blocked and reported: the page
must work with no internet access.

Set DASHBOARD_SCREENSHOTS=DIR to also write DIR/dashboard-default.png,
DIR/dashboard-comparison.png, DIR/dashboard-seeds.png, DIR/dashboard-fund.png and
DIR/dashboard-map.png (the screenshots in docs/ are made that way).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--headless"]
VIEWPORT = {"width": 1440, "height": 1250}
TIMEOUT = 60_000  # ms, for one thing to appear

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed Debian's chromium",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); outside CI the "
                "browser test is skipped", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


#: The running server's log file (for the message of a failed wait).
SERVER_LOG: list[Path] = []
#: Lines of the server log that are noise: Solara's warning about cookies over plain http.
NOISE = ("samesite", "Cookies with", "x-forwarded", "iframe", "developer.mozilla",
         "documentation", "self-hosted", "howto/embed", "warnings.warn")


def _server_says() -> str:
    """What the server logged beyond start-up noise (its last 40 such lines)."""
    if not SERVER_LOG or not SERVER_LOG[0].exists():
        return "(no server log)"
    lines = [ln for ln in SERVER_LOG[0].read_text(errors="replace").splitlines()
             if ln.strip() and not any(n in ln for n in NOISE)]
    return "\n".join(lines[-40:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "grassroots.cli", "dashboard", "--host", "127.0.0.1",
             "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    SERVER_LOG[:] = [log]
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(15)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page (a fresh dashboard session), offline but for the server."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.outside, pg.errors = [], []
    local = server.rstrip("/")

    def route(r):
        url = r.request.url
        if url.startswith((local, local.replace("http", "ws"), "data:", "blob:")):
            r.continue_()
        else:
            pg.outside.append(url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.goto(server)
    expect(pg.locator("img.gr-curves")).to_be_visible()
    expect(pg.locator("img.gr-network")).to_be_visible()
    yield pg
    context.close()


def _day(page) -> str:
    return page.locator(".gr-day").inner_text()


def _wait_day(page, day: int, timeout: int = TIMEOUT):
    """Wait until the day counter reads `day`; on failure say what the page and the server
    showed (the dashboard's own message, if any, and the server log), so a failure in CI
    can be diagnosed from its output alone."""
    try:
        expect(page.locator(".gr-day")).to_have_text(re.compile(rf"^{day} of \d+"),
                                                    timeout=timeout)
    except AssertionError as err:
        errors = page.locator(".gr-error")
        message = errors.first.inner_text() if errors.count() else "(no message)"
        raise AssertionError(
            f"day {day} not reached: the counter reads {_day(page)!r}; the dashboard's "
            f"message: {message}; page errors: {getattr(page, "errors", None)}\nserver log:\n{_server_says()}"
        ) from err


def _settled(page, seconds: float = 1.0, limit: float = 60.0):
    """Wait until the two figures have stopped changing for `seconds` (a figure is sent
    after the numbers above it, so a screenshot taken as soon as the numbers show can catch
    the previous day's figure half drawn)."""
    def sources():
        return tuple(page.locator(f"img.{c}").get_attribute("src")
                     for c in ("gr-curves", "gr-network"))
    last, since, deadline = sources(), time.monotonic(), time.monotonic() + limit
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        now = sources()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def _shot(page, name: str):
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        _settled(page)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def test_change_a_lever_step_and_the_views_update(page, tmp_path):
    _wait_day(page, 0)
    in_need = page.locator(".gr-monitor-in_need .gr-monitor-sub")
    assert in_need.inner_text() == "now; peak so far 0"
    curves = page.locator("img.gr-curves").screenshot()
    network = page.locator("img.gr-network").screenshot()

    # a lever: open the recovery panel, type a value, press Enter
    page.get_by_text("4 · Recovery (multi-party mobilisation)").click()
    field = page.locator(".gr-input-mutual_aid_strength input")
    field.fill("0.9")
    field.press("Enter")
    expect(page.get_by_text("Changed from the package: mutual_aid_strength")).to_be_visible()
    expect(page.locator(".gr-slider-mutual_aid_strength input")).to_have_value("0.9")

    # step 30 days at a time, past the flood of day 60
    page.locator(".gr-days-per-step").get_by_text("30", exact=True).click()
    for day in (30, 60, 90):
        page.get_by_role("button", name="Step").click()
        _wait_day(page, day)
    expect(in_need).not_to_have_text("now; peak so far 0")
    peak = int(re.search(r"peak so far ([\d,]+)", in_need.inner_text()).group(1)
               .replace(",", ""))
    assert peak > 0
    expect(page.locator(".gr-monitor-ttr .gr-value")).not_to_have_text("no shock yet")
    assert page.locator("img.gr-curves").screenshot() != curves
    assert page.locator("img.gr-network").screenshot() != network
    assert "flood scenario" in page.locator(".gr-caption").nth(1).inner_text()

    # invalid input: a message, nothing changes, the model still steps
    page.get_by_text("Community", exact=True).click()
    residents = page.locator(".gr-input-residents input")
    residents.fill("lots")
    residents.press("Enter")
    expect(page.get_by_text("residents: got 'lots'; allowed: an integer in [10, 2000000]")
           ).to_be_visible()
    page.get_by_role("button", name="Step").click()
    _wait_day(page, 120)

    page.screenshot(path=str(tmp_path / "dashboard.png"))
    assert page.outside == [], f"the page asked for outside resources: {page.outside}"
    assert page.errors == [], page.errors


def test_default_view_and_comparison_view(page):
    # the default view in the middle of the flood (day 63), then run to the end
    page.locator(".gr-days-per-step").get_by_text("7", exact=True).click()
    for day in range(7, 64, 7):
        page.get_by_role("button", name="Step").click()
        _wait_day(page, day)
    expect(page.locator(".gr-monitor-displaced .gr-value")).not_to_have_text("0")
    _shot(page, "dashboard-default.png")
    page.get_by_role("button", name="Run to end").click()
    _wait_day(page, 365)
    expect(page.locator(".gr-monitor-ttr .gr-value")).to_have_text(re.compile(r"\d+ days"))

    # comparison: a package against the baseline, same seed and scenario
    page.locator(".gr-policy").click()
    page.locator(".v-menu__content").get_by_text("all-of-society", exact=True).click()
    page.get_by_text("Compare with the baseline package").click()
    expect(page.locator(".gr-monitor-loss .gr-monitor-sub")).to_contain_text("baseline")
    page.get_by_role("button", name="Run to end").click()
    _wait_day(page, 365)
    expect(page.locator(".gr-caption").nth(1)).to_contain_text("vs baseline")
    expect(page.locator(".gr-indicators")).to_contain_text("baseline")
    diff = page.locator(".gr-monitor-loss .gr-monitor-sub").inner_text()
    assert re.search(r"diff [-+]\d", diff), diff
    _shot(page, "dashboard-comparison.png")

    # the comparison over seeds: all-of-society against baseline, paired, with intervals
    page.get_by_role("tab", name="Compare over seeds").click()
    seeds = page.locator(".gr-compare-seeds input")
    seeds.fill("4")
    seeds.press("Enter")
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.locator(".gr-seed-status")).to_have_text("done: 4 paired seeds",
                                                         timeout=180_000)
    table = page.locator(".gr-seed-table")
    expect(table).to_contain_text("resident-days in need")
    first = page.locator(".gr-seed-row").first.inner_text()
    assert re.search(r"[-+]?[\d,.]+ \[[-+]?[\d,.]+, [-+]?[\d,.]+\]", first), first
    expect(page.locator(".gr-seed-title")).to_contain_text("seeds 0–3")
    _shot(page, "dashboard-seeds.png")

    # the About panel
    page.get_by_role("tab", name="About").click()
    expect(page.get_by_role("heading", name="The five capacities")).to_be_visible()
    assert page.outside == [], f"the page asked for outside resources: {page.outside}"
    assert page.errors == [], page.errors


def test_what_to_fund_shows_the_front_and_runs_an_allocation_against_baseline(page):
    page.get_by_role("tab", name="What to fund").click()
    figure = page.locator("img.gr-fund-figure")
    expect(figure).to_be_visible()
    expect(page.locator(".gr-fund-table")).to_contain_text("resident days in need vs baseline")
    assert page.locator(".gr-front-row").count() >= 1
    expect(page.locator(".gr-fund-failures")).to_contain_text("sampled hazard conditions")
    # another objective redraws the figure and the proposed allocation
    before = figure.get_attribute("src")
    page.locator(".gr-fund-objective").click()
    page.locator(".v-menu__content").get_by_text("deaths", exact=True).click()
    expect(figure).not_to_have_attribute("src", before)
    page.locator(".gr-fund-objective").click()
    page.locator(".v-menu__content").get_by_text("resident_days_in_need", exact=True).click()
    _shot_fund(page)
    # run the proposed allocation on the urban earthquake against baseline, same seed
    page.locator(".gr-fund-scenario").click()
    page.locator(".v-menu__content").get_by_text("urban_earthquake", exact=True).click()
    page.get_by_role("button", name="Run it against baseline").click()
    expect(page.locator("img.gr-curves")).to_be_visible()
    expect(page.get_by_text("Changed from the package:")).to_be_visible()
    expect(page.locator(".gr-monitor-loss .gr-monitor-sub")).to_contain_text("baseline")
    page.get_by_role("button", name="Step").click()
    _wait_day(page, 1)
    assert page.outside == [], f"the page asked for outside resources: {page.outside}"
    assert page.errors == [], page.errors


def test_a_community_file_is_picked_and_its_map_recolours_after_step(page):
    page.locator(".gr-community").click()
    page.locator(".v-menu__content").get_by_text("riverside", exact=True).click()
    page.get_by_text("Map of riverside: colour by").wait_for()
    the_map = page.locator("img.gr-map")
    expect(the_map).to_be_visible()
    before = the_map.get_attribute("src")
    page.locator(".gr-days-per-step").get_by_text("30", exact=True).click()
    for day in (30, 60, 90):
        page.get_by_role("button", name="Step").click()
        _wait_day(page, day)
    expect(the_map).not_to_have_attribute("src", before)
    page.locator(".gr-map-outcome").get_by_text("in_need", exact=True).click()
    expect(the_map).not_to_have_attribute("src", before)
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        page.wait_for_timeout(1500)
        the_map.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(folder) / "dashboard-map.png"), full_page=True)
    assert page.outside == [], f"the page asked for outside resources: {page.outside}"
    assert page.errors == [], page.errors


def _shot_fund(page):
    folder = os.environ.get("DASHBOARD_SCREENSHOTS")
    if folder:
        page.wait_for_timeout(1500)
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "dashboard-fund.png"))


SESSIONS = 20


def test_twenty_sessions_at_once_stay_apart(browser, server):
    """Twenty browser contexts (twenty dashboard sessions) open on one server at once; each
    picks its own seed and steps its own number of days, interleaved with the others. Every
    session ends with exactly its own seed and day: no state leaks between sessions."""
    contexts, pages = [], []
    try:
        for k in range(SESSIONS):
            ctx = browser.new_context(viewport=VIEWPORT)
            pg = ctx.new_page()
            pg.set_default_timeout(TIMEOUT * 3)
            pg.goto(server)
            expect(pg.locator("img.gr-curves")).to_be_visible()
            contexts.append(ctx)
            pages.append(pg)
        for k, pg in enumerate(pages):  # each its own community
            seed = pg.locator(".gr-seed input")
            seed.fill(str(100 + k))
            seed.press("Enter")
        for k, pg in enumerate(pages):
            expect(pg.locator(".gr-seed input")).to_have_value(str(100 + k))
            _wait_day(pg, 0)
        steps = [1 + k % 4 for k in range(SESSIONS)]
        for round_ in range(max(steps)):  # interleaved: one step per session per round
            for k, pg in enumerate(pages):
                if round_ < steps[k]:
                    pg.get_by_role("button", name="Step").click()
                    _wait_day(pg, round_ + 1)
        for k, pg in enumerate(pages):
            _wait_day(pg, steps[k])
            expect(pg.locator(".gr-seed input")).to_have_value(str(100 + k))
            assert f"seed {100 + k}" in pg.locator(".gr-caption").nth(1).inner_text()
    finally:
        for ctx in contexts:
            ctx.close()
