# The two set-up commands of the README:
#   make run    create .venv (Python >= 3.12), install Grassroots, run the flood scenario
#   make test   create .venv, install Grassroots with its test tools, run the whole test suite
# Also: make quick (the quick test tier on both cores), make bench, make gallery, make odd,
# make validate (the model against published patterns -> docs/validation), make levers (each
# lever's effect in people and days -> docs/validation/levers.md), make fronts (the shipped
# three-hazard optimisation -> optimise/fronts/, docs/optimise-front.png).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test quick bench gallery odd validate levers fronts clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else f"Python >= 3.12 is needed, {sys.executable} is {v[0]}.{v[1]}: install 3.12 (pyenv reads .python-version) or run make PYTHON=python3.12 ...")'
	$(PYTHON) -m venv $(VENV)
	@echo "installing Grassroots and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	@( $(VENV)/bin/python -m pip install --upgrade pip && \
	   $(VENV)/bin/python -m pip install -e '.[test]' ) > $(VENV)/install.log 2>&1 \
	   || { tail -n 40 $(VENV)/install.log; echo "install failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/grassroots run --out results/run

# Everything, on both cores, then the tests that time a browser or a render loop on their own.
test: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not serial" -n 2 --dist loadgroup --durations=25
	$(VENV)/bin/python -m pytest -m serial

# The edit-test loop: every test but the slow tier (Dask, Chromium, SIGKILL, notebooks, long
# statistical claims), on two worker processes.
quick: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not slow" -n 2

# Regenerate the ODD's parameter tables from the declaration (core/params.py).
odd: $(STAMP)
	$(VENV)/bin/python -m grassroots.core.odd

gallery: $(STAMP)
	$(VENV)/bin/grassroots gallery --out docs/gallery

# The full validation suite (every registered pattern, full settings) into the committed report.
validate: $(STAMP)
	$(VENV)/bin/grassroots validate --out docs/validation --workers 2

# Each lever's effect in people and days, 30 paired seeds, catastrophic flood and urban
# earthquake (issue 11); about 20 minutes on two cores.
levers: $(STAMP)
	$(VENV)/bin/python -m grassroots.validation.levers --seeds 30 --residents 500 --workers 2 --out docs/validation/levers.md

# The shipped front of the "What to fund" tab and notebook 07: flood, urban earthquake and
# epidemic, every lever, 1,000 residents (issue 13); about 30 minutes on two cores. The light
# files are copied into the package; results/optimise/ keeps the rest (the runs cache).
FRONT := flood_quake_epidemic
fronts: $(STAMP)
	$(VENV)/bin/grassroots optimise experiments/$(FRONT).optimise.toml --workers 2 --no-progress --out results/optimise/$(FRONT) $(if $(wildcard results/optimise/$(FRONT)/manifest.json),--resume,)
	mkdir -p optimise/fronts/$(FRONT)
	cp results/optimise/$(FRONT)/front.parquet results/optimise/$(FRONT)/packages.parquet results/optimise/$(FRONT)/failures.json results/optimise/$(FRONT)/failures.md optimise/fronts/$(FRONT)/
	$(VENV)/bin/python -c 'import json, sys; m = json.load(open(sys.argv[1])); keep = ("optimisation", "started", "finished", "status", "versions", "git", "executor", "sessions", "generations_done", "candidates", "runs", "elapsed_s"); json.dump({k: m[k] for k in keep if k in m}, open(sys.argv[2], "w"), indent=2)' results/optimise/$(FRONT)/manifest.json optimise/fronts/$(FRONT)/manifest.json
	cp results/optimise/$(FRONT)/front.png docs/optimise-front.png

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_core.py
	$(VENV)/bin/python benchmarks/bench_days.py
	$(VENV)/bin/python benchmarks/bench_community.py

clean:
	rm -rf $(VENV) results build *.egg-info
