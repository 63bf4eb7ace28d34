"""The Solara app: `solara run grassroots.dashboard.app` (or `grassroots dashboard`)."""

import solara

from grassroots.dashboard.components import Dashboard


@solara.component
def Page():
    Dashboard()
