"""Restart-safe: a pending request and its approvals survive a restart; an edited config voids
them (the plan's hash includes the config version) and the card says why."""

from __future__ import annotations

import time

from features.cutover import store as cutover
from state import audit
from tests.cutover.conftest import ALICE, BOB, CAROL, DAVE, MANUAL_RUNBOOK, Cutover, write
from tests.fixtures.slack import start_ferry, stop_ferry


def test_a_pending_request_and_its_approval_survive_a_restart(tmp_path, slack_standin):
    path = write(tmp_path, MANUAL_RUNBOOK)
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        cut.command("cutover")
        cut.press("request", cut.button("Request approval"), ALICE)
        value = cut.button("Approve")
        cut.press("approve", value, BOB)
        cut.card(lambda t: "Approvals 1 of 2" in t)
    finally:
        stop_ferry(ferry)
    ferry = start_ferry(path, slack_standin)  # same file: same config version, same plan
    cut = Cutover(ferry)
    try:
        assert [a.user_id for a in cut.view().get("freeze-writes").approvals] == [BOB]
        assert "quorum reached" in cut.press("approve", value, CAROL)
        cut.wait_state("freeze-writes", "running")
        assert len(cut.cards()) == 1  # the same card, updated in place across the restart
    finally:
        stop_ferry(ferry)


def test_an_edited_config_voids_earlier_approvals_and_the_card_says_why(tmp_path, slack_standin):
    path = write(tmp_path, MANUAL_RUNBOOK)
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        cut.command("cutover")
        cut.press("request", cut.button("Request approval"), ALICE)
        value = cut.button("Approve")
        cut.press("approve", value, BOB)
        cut.card(lambda t: "Approvals 1 of 2" in t)
        old_hash = cutover.get_request(ferry.runtime.store, "freeze-writes#1").plan_hash
        old_version = ferry.runtime.config.version
    finally:
        stop_ferry(ferry)
    path.write_text(path.read_text().replace("approval_ttl: 2h", "approval_ttl: 3h"))
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        card = cut.card(lambda t: "voided" in t)
        text = str(card.blocks)
        assert "the configuration changed" in text and old_version in text
        assert cut.state_of("freeze-writes") == "ready"
        # Bob's approval does not count any more, and the old button says why
        answer = cut.press("approve", value, CAROL)
        assert "is void" in answer and "configuration changed" in answer
        assert cut.view().get("freeze-writes").approvals == []
        void = next(e for e in audit.all_entries(ferry.runtime.store) if e["outcome"] == "void")
        assert void["plan_hash"] == old_hash and void["user_id"] == "ferry"
        # a new request freezes the new plan; approvals count for it
        new_value = cut.button("Request approval")
        assert new_value == "freeze-writes|2"
        cut.press("request", new_value, ALICE)
        approve = cut.button("Approve", other_than=value)
        cut.press("approve", approve, CAROL)
        assert "quorum reached" in cut.press("approve", approve, DAVE)
        new_hash = cutover.get_request(ferry.runtime.store, "freeze-writes#2").plan_hash
        assert new_hash != old_hash
    finally:
        stop_ferry(ferry)


def test_an_approval_that_expired_while_ferry_was_down_is_expired_at_start(tmp_path, slack_standin):
    import time

    path = write(tmp_path, MANUAL_RUNBOOK.replace("approval_ttl: 2h", "approval_ttl: 1s"))
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        cut.command("cutover")
        cut.press("request", cut.button("Request approval"), ALICE)
        cut.press("approve", cut.button("Approve"), CAROL)
    finally:
        stop_ferry(ferry)
    time.sleep(1.2)
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        cut.card(lambda t: "Expired:" in t and "Approvals 0 of 2" in t)
        expired = [e for e in audit.all_entries(ferry.runtime.store) if e["outcome"] == "expired"]
        assert [e["user_id"] for e in expired] == [CAROL]
    finally:
        stop_ferry(ferry)


def test_a_step_approved_just_before_a_crash_starts_after_the_restart(tmp_path, slack_standin):
    """The quorum was recorded, then the process died before the action job ran."""
    from commands.context import Services
    from core.who import Who
    from features.cutover import approvals
    from features.registry import load_config as load
    from features.registry import open_store

    path = write(tmp_path, MANUAL_RUNBOOK)
    cfg = load(str(path))
    services = Services(config=cfg, store=open_store(cfg.state.path))  # no scheduler: as if killed
    step = cfg.cutover.step("freeze-writes")
    plan = approvals.evaluate(services, step)
    req = cutover.create_request(services.store, "freeze-writes", 1, plan.hash, plan.frozen(), Who(ALICE))
    cutover.add_approval(services.store, req, Who(CAROL), ttl_s=60, needed=2, at=services.clock.now())
    assert cutover.add_approval(services.store, req, Who(DAVE), ttl_s=60, needed=2, at=services.clock.now()).quorum
    assert cutover.step_record(services.store, "freeze-writes").state == "approved"
    services.store.close()
    ferry = start_ferry(path, slack_standin)
    cut = Cutover(ferry)
    try:
        cut.wait_state("freeze-writes", "running")
        # The step's state is written just before its `started` audit entry: wait for the entry.
        deadline = time.monotonic() + 10
        while not (started := [e for e in audit.all_entries(ferry.runtime.store) if e["outcome"] == "started"]):
            assert time.monotonic() < deadline, "no `started` audit entry"
            time.sleep(0.05)
        time.sleep(0.3)  # a second start would have written its entry by now
        started = [e for e in audit.all_entries(ferry.runtime.store) if e["outcome"] == "started"]
        assert len(started) == 1 and started[0]["user_id"] == DAVE
    finally:
        stop_ferry(ferry)


def test_approvals_expire_on_the_services_clock_without_waiting(tmp_path):
    """The clock is injected (Services.clock): an expiry is tested by moving time, not sleeping."""
    from commands.context import Services
    from core.clock import ManualClock
    from core.who import Who
    from features.cutover import approvals
    from features.registry import load_config as load
    from features.registry import open_store

    path = write(tmp_path, MANUAL_RUNBOOK)
    cfg = load(str(path))
    clock = ManualClock()
    services = Services(config=cfg, store=open_store(cfg.state.path), clock=clock)
    step = cfg.cutover.step("freeze-writes")
    plan = approvals.evaluate(services, step)
    req = cutover.create_request(services.store, "freeze-writes", 1, plan.hash, plan.frozen(), Who(ALICE))
    cutover.add_approval(services.store, req, Who(CAROL), ttl_s=3600, needed=2, at=clock.now())
    assert [a.user_id for a in approvals.view(services).current.approvals] == [CAROL]
    clock.advance(seconds=3599)
    assert approvals.reconcile(services) is False  # not yet
    clock.advance(seconds=2)
    assert approvals.reconcile(services) is True
    assert approvals.view(services).current.approvals == []
    expired = [e for e in audit.all_entries(services.store) if e["outcome"] == "expired"]
    assert [e["user_id"] for e in expired] == [CAROL]
