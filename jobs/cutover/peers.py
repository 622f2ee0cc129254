"""The one door from the cutover to the transfers (issue 5) and validation (issue 6) features.

Only the functions of their contracts are called (/work/helpers/CONTRACTS.md):
jobs.transfers.api.start/pause and jobs.validation.api.run/latest_result. They are imported when
used, so the runbook works (manual steps, the card, approvals) in a build without them, and a
step that needs them fails with a sentence instead of an ImportError.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from commands.context import Services
from state.audit import Who
from state.runs import Run


class Unavailable(Exception):
    """The feature a step needs is not part of this build."""


def _api(module: str, feature: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if e.name and not module.startswith(e.name):
            raise  # a real import error inside the feature: let it show
        raise Unavailable(f"{feature} is not available in this build ({module} is missing)") from None


def start_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    return _api("jobs.transfers.api", "Transfers").start(services, transfer_id, who)


def pause_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    return _api("jobs.transfers.api", "Transfers").pause(services, transfer_id, who)


def run_validation(services: Services, validation_id: str, who: Who) -> Run:
    return _api("jobs.validation.api", "Validation").run(services, validation_id, who)


def validation_result(services: Services, validation_id: str) -> Any:
    """The latest ValidationResult (validation_id, run_id, passed, finished_at, age_s, summary) or None."""
    return _api("jobs.validation.api", "Validation").latest_result(services, validation_id)
