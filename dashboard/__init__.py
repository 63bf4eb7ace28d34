"""The planner dashboard (Solara): `grassroots dashboard`, or
`solara run grassroots.dashboard.app`.

state.py   settings, the running models and the frames (no user interface)
layout.py  where the network view draws each resident (once per community)
views.py   the figures and monitor tables (matplotlib, no Solara)
components.py, app.py   the Solara components and the page
"""
