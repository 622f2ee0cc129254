"""The cutover's scheduled jobs and its start-up hook (features/cutover/feature.py).

    features.cutover.watch:run_step   run_soon, once per approved request: start the step's action
    features.cutover.watch:tick       every `cutover.watch_interval` while the runbook is under way:
                                  expiries, voided plans (a gate flipped), running actions, card
    features.cutover.watch:expire     at each approval's expiry: mark it expired, update the card
    on_start(services)            after a restart: re-arm expiries, void plans the edited config
                                  changed, restart actions a crash left approved, watch again

APScheduler keeps these jobs in the state database, and every decision is also re-derived from
state (an approval past its expiry never counts, even before its job fires), so a restart, a
late job or a job that never fires cannot make a wrong decision, only a later card update.
"""

from __future__ import annotations

import logging
from datetime import datetime

from features.cutover import actions, approvals, card
from features.cutover import store as cutover
from features.services import Services

log = logging.getLogger(__name__)

WATCH_JOB = "cutover-watch"


def run_step(services: Services, step_id: str, request_id: str) -> None:
    actions.run_step(services, step_id, request_id)
    card.publish(services)
    arm(services)


def tick(services: Services) -> None:
    check(services)


def expire(services: Services) -> None:
    if approvals.reconcile(services):
        card.publish(services)


def check(services: Services) -> bool:
    """One look at everything that changes by itself; update the card if it changed."""
    changed = approvals.reconcile(services)
    changed |= actions.check_running(services)
    published = card.publish(services, only_if_posted=not changed)
    if approvals.view(services).finished and services.jobs is not None:
        services.jobs.remove(WATCH_JOB)
    return changed or published


def arm(services: Services) -> None:
    """Watch the runbook every `watch_interval` until it is finished."""
    if services.jobs is None:
        return
    book = approvals.runbook(services)
    if not len(book):
        return
    services.jobs.every("features.cutover.watch:tick", job_id=WATCH_JOB, seconds=book.watch_interval_s)


def after_approval(services: Services, step_id: str, request_id: str) -> None:
    """The quorum is met: start the step's action through the scheduler (once per request)."""
    if services.jobs is None:
        actions.run_step(services, step_id, request_id)
        return
    services.jobs.run_soon("features.cutover.watch:run_step", job_id=f"cutover-step:{request_id}",
                           kwargs={"step_id": step_id, "request_id": request_id})


def on_start(services: Services) -> None:
    """Start-up hook: what a restart must resume."""
    store = services.store
    if not len(approvals.runbook(services)) and not cutover.any_request(store):
        return
    approvals.reconcile(services)  # expiries that passed while down; plans the new config changed
    if services.jobs is not None:
        for a in cutover.live_approvals(store):
            services.jobs.at("features.cutover.watch:expire", job_id=f"cutover-expire:{a.id}",
                             when=datetime.fromisoformat(a.expires_at), kwargs={})
    for step_id, record in cutover.step_records(store).items():
        if record.state == "approved":
            after_approval(services, step_id, record.request_id)
    actions.check_running(services)
    card.publish(services, only_if_posted=True)
    if cutover.meta(store, "card_posted") == "1" or cutover.any_request(store):
        arm(services)
