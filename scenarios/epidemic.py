"""Epidemic: SIR contagion over the social ties (scenarios/contagion.py, the same code).

  * `seeds` imported cases (default 5) arrive spread over the first `duration` days (default 1);
  * each day an infectious resident infects a susceptible tie partner with probability
    beta x tie strength x scale, beta = 1 - (1 - transmissibility)^(1/infectious_days);
    scale = 1 - quarantine for residents whose need is known to the committee (reported,
    found by a party member or by monitoring, or on the plan's list), 1 otherwise: known
    cases are isolated;
  * recovered residents are immune for the rest of the run;
  * an infectious resident's health gap is at least intensity x (epidemic_severity_base +
    epidemic_severity_vulnerability x vulnerability) (defaults 0.3, 0.7);
  * the health department is strained: its capacity is at most 1 - min(epidemic_strain_max, health_strain x prevalence);
  * enterprises lose the share of their employees who are ill (absenteeism).
Keys: transmissibility (0-1, default 0.3), infectious_days (1-60, default 7), seeds (>= 1,
default 5), quarantine (0-1, default 0.7). No warning: a new pathogen is not foreseen.
"""

from __future__ import annotations

import numpy as np

from grassroots.core.vocabulary import HEALTH, HEALTH_DEPT
from grassroots.scenarios.base import Shock, count_key, share_key
from grassroots.scenarios.contagion import INFECTIOUS, SIR, beta_for


class Epidemic(Shock):
    kind = "epidemic"
    reaction_possible = False
    keys = {"transmissibility": share_key, "infectious_days": count_key(1, 60),
            "seeds": count_key(1, 1_000_000), "quarantine": share_key}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transmissibility = self.extra.get("transmissibility", 0.3)
        self.infectious_days = self.extra.get("infectious_days", 7)
        self.seeds = self.extra.get("seeds", 5)
        self.quarantine = self.extra.get("quarantine", 0.7)
        self.process: SIR | None = None
        self._imported = 0

    def strike(self, model) -> None:
        self.process = SIR(model.ties.csr, beta_for(self.transmissibility, self.infectious_days),
                           self.infectious_days)
        self._imported = 0

    def daily(self, model, day: int) -> None:
        sir = self.process
        if sir is None:
            return
        pop = model.residents
        if day < self.onset + self.duration:
            due = round(self.seeds * (day - self.onset + 1) / self.duration) - self._imported
            susceptible = np.flatnonzero(sir.state == 0)
            due = min(due, len(susceptible))
            if due > 0:
                self._imported += due
                sir.infect(model.hazard_rng.choice(susceptible, due, replace=False), day)
        scale = np.where(pop.known, 1.0 - self.quarantine, 1.0)
        sir.step(day, model.hazard_rng, scale)
        ill = sir.state == INFECTIOUS
        model.infectious += int(ill.sum())
        if not ill.any():
            return
        p = model.p
        severity = self.intensity * (p["epidemic_severity_base"]
                                     + p["epidemic_severity_vulnerability"] * pop.vulnerability)
        pop.gap[HEALTH] = np.where(ill, np.maximum(pop.gap[HEALTH], severity), pop.gap[HEALTH])
        cap = model.department_capacity
        strain = min(p["epidemic_strain_max"], p["health_strain"] * ill.mean())
        cap[HEALTH_DEPT] = min(cap[HEALTH_DEPT], 1.0 - strain)
        if len(model.enterprise_capacity) and len(pop.employed):
            emp = pop.employer[pop.employed]
            staff = np.bincount(emp, minlength=len(model.enterprise_capacity))
            sick = np.bincount(emp[ill[pop.employed]], minlength=len(staff))
            present = 1.0 - np.divide(sick, staff, out=np.zeros(len(staff)), where=staff > 0)
            np.minimum(model.enterprise_capacity, present, out=model.enterprise_capacity)

    def active(self, model, day: int) -> bool:
        return day < self.onset + self.duration or (
            self.process is not None and bool((self.process.state == INFECTIOUS).any()))

    def ever_infected(self) -> int:
        return 0 if self.process is None else int((self.process.state != 0).sum())
