"""Start the dashboard's web server: `grassroots dashboard [--host H] [--port N]`.

The process becomes Solara's server (`solara run grassroots.dashboard.app --production`), so
stopping it (Ctrl-C, or a signal to its process id) stops the server. Solara's front-end
files come from the `solara-assets` package installed with Grassroots: the page needs no
internet access.
"""

from __future__ import annotations

import ipaddress
import os
import sys

APP = "grassroots.dashboard.app"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: the environment variable that hands `--fronts` folders to the server (dashboard/fund.py)
FRONTS_ENV = "GRASSROOTS_FRONTS"
#: ... and `--communities` folders (dashboard/state.py community_choices)
COMMUNITIES_ENV = "GRASSROOTS_COMMUNITIES"


def solara_command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    return [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port),
            "--production", "--no-open"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          fronts: list[str] | None = None, communities: list[str] | None = None) -> None:
    """Replace this process with the Solara server (never returns). `fronts`: folders of
    optimisation outputs the "What to fund" tab offers (dashboard/fund.py)."""
    env = dict(os.environ)
    if fronts:
        env[FRONTS_ENV] = os.pathsep.join(fronts)
    if communities:
        env[COMMUNITIES_ENV] = os.pathsep.join(communities)
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # no overlay over the views
    where = f"http://{host}:{port}/" if port else f"{host}, a free port (see below)"
    print(f"Grassroots dashboard on {where}  (Ctrl-C stops it)", flush=True)
    if not is_loopback(host):
        print(f"note: listening on {host}: other machines on the network can open it",
              flush=True)
    cmd = solara_command(host, port)
    os.execve(cmd[0], cmd, env)
