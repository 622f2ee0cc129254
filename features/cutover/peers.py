"""The one door from the cutover to the transfers and validation features: their APIs
(features/transfers/api.py, features/validation/api.py) and nothing else of theirs. Each is
imported where it is called: the cutover card and `/migrate status` read the runbook without
loading the transfer engines and their clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.who import Who
from features.services import Services
from state.runs import Run

if TYPE_CHECKING:
    from features.validation.api import ValidationResult


def start_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    from features.transfers import api

    return api.start(services, transfer_id, who)


def pause_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    from features.transfers import api

    return api.pause(services, transfer_id, who)


def run_validation(services: Services, validation_id: str, who: Who, step_id: str = "") -> Run:
    """Run it for a cutover step: its card says it ran for the step, on `who`'s approval (not by hand)."""
    from features.validation import api

    # A runbook step's check (not subject to the bound on checks asked by hand): its card says it
    # ran for the step, on the approval of `who`.
    return api.start(services, validation_id, who, origin=f"cutover step `{step_id}`" if step_id else "cutover")


def validation_result(services: Services, validation_id: str) -> ValidationResult | None:
    from features.validation import api

    return api.latest_result(services, validation_id)
