"""Every feature, by explicit import: the one list to extend when a feature is added.

The store is opened with the features' migrations, the runtime calls their start-up hooks, and
`/migrate status` shows their parts, in this order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import config
from config.assess import RuleNames
from core.status import StatusPart
from features.assess.feature import FEATURE as ASSESS
from features.assess.rules import known_rule_ids, known_thresholds
from features.cutover.feature import FEATURE as CUTOVER
from features.feature import Feature
from features.services import Services
from features.transfers.feature import FEATURE as TRANSFERS
from features.validation.feature import FEATURE as VALIDATION
from state import Store
from state.runs import Run
from state.schema import Migration

log = logging.getLogger(__name__)

FEATURES: tuple[Feature, ...] = (TRANSFERS, VALIDATION, CUTOVER, ASSESS)


def migrations() -> list[Migration]:
    return [m for f in FEATURES for m in f.migrations]


def load_config(path: str, env: Mapping[str, str] | None = None) -> config.Config:
    """app.yaml, read with what the features declare (the assessment's rules, the transfer kinds)."""
    return config.load(path, env, **vocabulary())


def vocabulary() -> dict:
    """The names the configuration is checked against, for config.load and config.load_text: the
    assessment's rules and the transfer kinds."""
    from features.transfers.kinds import TRANSFER_KINDS

    return {"rules": RuleNames(frozenset(known_rule_ids()), known_thresholds()), "kinds": TRANSFER_KINDS}


def open_store(path: str) -> Store:
    """The state database with every feature's tables."""
    return Store(path, migrations=migrations())


def after_transfer_hooks() -> tuple[Callable[[Services, Run], None], ...]:
    return tuple(f.after_transfer for f in FEATURES if f.after_transfer)


def on_start(services: Services) -> None:
    for feature in FEATURES:
        if feature.on_start is None:
            continue
        try:
            feature.on_start(services)
        except Exception:  # one feature failing to re-arm must not stop the bot
            log.exception("start-up hook of %s failed", feature.name)


def status_parts(services: Services) -> list[StatusPart]:
    parts = (f.status_part(services) for f in FEATURES if f.status_part)
    return [p for p in parts if p is not None]
