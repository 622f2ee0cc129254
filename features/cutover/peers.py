"""The one door from the cutover to the transfers and validation features: their APIs
(features/transfers/api.py, features/validation/api.py) and nothing else of theirs."""

from __future__ import annotations

from core.who import Who
from features.services import Services
from features.transfers import api as transfers
from features.validation import api as validation
from features.validation.api import ValidationResult
from state.runs import Run


def start_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    return transfers.start(services, transfer_id, who)


def pause_transfer(services: Services, transfer_id: str, who: Who) -> Run:
    return transfers.pause(services, transfer_id, who)


def run_validation(services: Services, validation_id: str, who: Who) -> Run:
    # A runbook step's check: not subject to the bound on checks asked by hand.
    return validation.start(services, validation_id, who, origin="by the cutover")


def validation_result(services: Services, validation_id: str) -> ValidationResult | None:
    return validation.latest_result(services, validation_id)
