"""The built-in eval suites, by name. Each module defines `SUITES`: name -> evals.runner.Suite."""

from __future__ import annotations

import importlib

from agent.errors import ConfigError
from evals.runner import Suite

SUITE_MODULES = {
    "seed-briefs": "evals.suites.seed_briefs",
    "reader-metadata": "evals.suites.reader_metadata",
    "critic-adversarial": "evals.suites.critic",
    "critic-demo": "evals.suites.critic",
    "chat-retrieval": "evals.suites.chat_retrieval",
    "readability": "evals.suites.readability",
}


def get_suite(name: str) -> Suite:
    """The suite called `name`; an unknown name is a ConfigError listing the known ones."""
    if name not in SUITE_MODULES:
        raise ConfigError(f"unknown eval suite {name!r}", f"use one of: {', '.join(SUITE_MODULES)}")
    module = importlib.import_module(SUITE_MODULES[name])
    suites: dict[str, Suite] = module.SUITES
    return suites[name]


def all_suites() -> list[Suite]:
    return [get_suite(name) for name in SUITE_MODULES]
