"""Dashboard server memory over many sessions (issue 17, item 5): does it come back?

Starts `grassroots dashboard` on loopback, opens a session in headless Chromium (Debian's
`chromium`), steps it once, closes it — `--sessions` times, one after the other — and samples
the server's resident memory (the server process and its children) before, during and after.
The first session is a warm-up (imports, first model, fonts); memory is compared with what the
server held after it. Prints figures; asserts nothing.

    python benchmarks/bench_sessions.py [--sessions 100] [--settle 90]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--headless", "--no-first-run"]


def rss_mb(proc: psutil.Process) -> float:
    total = proc.memory_info().rss
    for c in proc.children(recursive=True):
        try:
            total += c.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--settle", type=float, default=90.0,
                    help="seconds to wait after the last session closes, sampling every 10 s")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "grassroots.cli", "dashboard", "--host",
                               "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        proc = psutil.Process(server.pid)
        start = rss_mb(proc)
        samples = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for k in range(args.sessions):
                ctx = browser.new_context(viewport={"width": 1440, "height": 1250})
                page = ctx.new_page()
                page.set_default_timeout(120_000)
                page.goto(url)
                expect(page.locator("img.gr-curves")).to_be_visible()
                page.get_by_role("button", name="Step").click()
                expect(page.locator(".gr-day")).to_have_text(re.compile(r"^1 of "))
                ctx.close()
                samples.append(rss_mb(proc))
                if (k + 1) % 10 == 0:
                    print(f"  after {k + 1:3d} sessions: server {samples[-1]:.0f} MB",
                          flush=True)
            browser.close()
        gc.collect()
        settle = []
        for _ in range(int(args.settle // 10)):
            time.sleep(10)
            settle.append(rss_mb(proc))
        end = settle[-1] if settle else rss_mb(proc)
        warm = samples[0] if samples else start  # after the warm-up session
        print("  after the last session closed, every 10 s: "
              + ", ".join(f"{m:.0f}" for m in settle) + " MB")
        print(f"server RSS: at start {start:.0f} MB, after the warm-up session {warm:.0f} MB, "
              f"peak {max(samples):.0f} MB, {args.settle:.0f} s after the last of "
              f"{args.sessions} sessions closed {end:.0f} MB: {100 * (end / warm - 1):+.1f}% "
              f"against the warm-up (target within 10%)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
