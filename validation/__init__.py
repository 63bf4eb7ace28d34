"""Validation: the model against published patterns (`grassroots validate`).

Modules, bottom-up:

    patterns   the vocabulary: Settings, Check, Measured, Pattern, the registry PATTERNS,
               the seed rule and `run_models` (a pattern's runs, in a process pool or not)
    suite      run_suite: measure the patterns, write validation.json, validation.md, one
               PNG per pattern and manifest.json, atomically
    rescue     who rescues whom after an urban earthquake (Kobe 1995)
    katrina    the catastrophic-flood runs that return, businesses and unequal share
    returning  `return`: return home after a catastrophic flood (New Orleans after Katrina)
    businesses businesses reopened after it (New Orleans, October 2007)
    dislocation household dislocation at the onset against the Lin (2008) logit
    trust      trust after a badly and a well handled response (Katrina, 2005)
    unequal    low-resource households' longer way back to permanent housing
    tenure     renters' longer way back than owner-occupants' (a renter share as New
               Orleans's)
    social_capital  social capital and neighbourhood recovery, damage held in a band (Kobe)

A new pattern is a module that builds a `Pattern` and `register`s it, imported below: the
order of the imports is the order of the report.
"""

from grassroots.validation.patterns import (FULL, PATTERNS, QUICK, Check, Measured, ModelRun,
                                            Pattern, PatternError, Settings, SettingsError,
                                            UnknownPattern, clear_cache, parallel_map,
                                            register, run_models, run_seeds, select)
from grassroots.validation.suite import PatternResult, run_suite

import grassroots.validation.rescue  # noqa: E402,F401  (registers "rescue")
import grassroots.validation.returning  # noqa: E402,F401  ("return")
import grassroots.validation.businesses  # noqa: E402,F401
import grassroots.validation.dislocation  # noqa: E402,F401
import grassroots.validation.trust  # noqa: E402,F401
import grassroots.validation.unequal  # noqa: E402,F401
import grassroots.validation.tenure  # noqa: E402,F401
import grassroots.validation.social_capital  # noqa: E402,F401

__all__ = ["FULL", "PATTERNS", "QUICK", "Check", "Measured", "ModelRun", "Pattern",
           "PatternError", "PatternResult", "Settings", "SettingsError", "UnknownPattern",
           "clear_cache", "parallel_map", "register", "run_models", "run_seeds", "run_suite",
           "select"]
