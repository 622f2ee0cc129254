"""The rules of approval, through signed block_actions requests over HTTP (manual steps)."""

from __future__ import annotations

import time

from features.cutover import store as cutover
from state import audit
from tests.cutover.conftest import ALICE, BOB, CAROL, DAVE, VIEWER, assert_valid_blocks


def test_card_shows_every_step_with_the_request_button(cut):
    cut.command("cutover")
    card = cut.card(lambda t: "Freeze writes on AS-IS" in t and "Switch clients to TO-BE" in t)
    text = str(card.blocks)
    assert "`ready`" in text and "`blocked`" in text
    assert "waits for step 1" in text
    assert cut.button("Request approval") == "freeze-writes|1"


def test_two_of_three_needs_two_distinct_approvers_then_the_next_step_is_ready(cut):
    cut.command("cutover")
    answer = cut.press("request", cut.button("Request approval"), ALICE)
    assert "needs 2 approval" in answer
    value = cut.button("Approve")
    assert value == "freeze-writes|freeze-writes#1|e0"
    assert "1 of 2" in cut.press("approve", value, BOB)
    assert cut.state_of("freeze-writes") == "requested"
    card = cut.card(lambda t: "Approvals 1 of 2" in t)
    assert f"<@{BOB}>" in str(card.blocks)
    assert "quorum reached" in cut.press("approve", value, CAROL)
    cut.wait_state("freeze-writes", "running")  # a manual step: in progress until marked done
    done_value = cut.button("Mark done")
    assert "Marked step `freeze-writes` done" in cut.press("complete", done_value, ALICE)
    cut.wait_state("freeze-writes", "done")
    assert cut.state_of("switch-clients") == "ready"
    card = cut.card(lambda t: "switch-clients|1" in t)
    assert "Done at" in str(card.blocks) and f"<@{BOB}>, <@{CAROL}>" in str(card.blocks)


def test_the_requester_never_approves_their_own_request(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), BOB)  # Bob is operator and approver
    value = cut.button("Approve")
    answer = cut.press("approve", value, BOB)
    assert "four-eyes" in answer
    assert cut.view().get("freeze-writes").approvals == []
    request = cutover.get_request(cut.services.store, "freeze-writes#1")
    entry = next(e for e in audit.all_entries(cut.services.store) if e["outcome"] == "refused")
    assert (entry["user_id"], entry["action"], entry["team_id"]) == (BOB, "cutover:approve", "T0SANDBOX")
    assert entry["plan_hash"] == request.plan_hash and "four-eyes" in entry["reason"]


def test_a_non_approver_is_refused_ephemerally(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Approve")
    for user in (ALICE, VIEWER):
        assert "for approvers only" in cut.press("approve", value, user)
    assert cut.view().get("freeze-writes").approvals == []
    refusals = [e for e in audit.all_entries(cut.services.store) if e["outcome"] == "refused"]
    assert {e["user_id"] for e in refusals} == {ALICE, VIEWER}
    # and a viewer cannot request either
    assert "for operators only" in cut.press("request", "switch-clients|1", VIEWER)


def test_a_double_click_counts_once(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Approve")
    first = cut.press("approve", value, DAVE)
    second = cut.press("approve", value, DAVE)
    assert "1 of 2" in first and "already handled" in second
    assert [a.user_id for a in cut.view().get("freeze-writes").approvals] == [DAVE]
    approved = [e for e in audit.all_entries(cut.services.store) if e["outcome"] == "approved"]
    assert len(approved) == 1


def test_reject_asks_for_a_reason_and_records_it(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Reject")
    before = len(cut.standin.calls_of("views.open"))
    delivery = cut.ferry.click("ferry:cutover:reject", value, user=CAROL)
    assert delivery.status == 200
    call = cut.standin.wait_for(lambda s: s.calls_of("views.open")[before:] or None)[0]
    view = call.params["view"]
    view = view if isinstance(view, dict) else __import__("json").loads(view)
    assert view["callback_id"] == "ferry:cutover:reject"
    assert cut.state_of("freeze-writes") == "requested"  # nothing rejected until the reason is given
    responses = len(cut.standin.responses)
    cut.ferry.driver.submit_view(view["callback_id"], view["private_metadata"], "AS-IS backups not verified",
                                 user=CAROL)
    cut.wait_state("freeze-writes", "rejected")
    card = cut.card(lambda t: "AS-IS backups not verified" in t)
    assert "`rejected`" in str(card.blocks)
    assert cut.button("Request approval") == "freeze-writes|2"  # it can be requested again
    entry = next(e for e in audit.all_entries(cut.services.store) if e["outcome"] == "rejected")
    assert (entry["user_id"], entry["reason"]) == (CAROL, "AS-IS backups not verified")
    assert entry["plan_hash"] == cutover.get_request(cut.services.store, "freeze-writes#1").plan_hash
    # the old Approve button is refused with why
    assert len(cut.standin.responses) >= responses
    assert "was rejected by" in cut.press("approve", value, DAVE)


def test_a_step_cannot_be_requested_out_of_order(cut):
    cut.command("cutover")
    assert "is not next" in cut.press("request", "switch-clients|1", ALICE)


def test_an_approval_expires(tmp_path, slack_standin):
    from tests.cutover.conftest import Cutover, write
    from tests.fixtures.slack import start_ferry, stop_ferry

    path = write(tmp_path, """
        cutover:
          watch_interval: 1h        # so it is the expiry job, not the watcher, that expires it
          steps:
            - id: freeze-writes
              title: Freeze writes on AS-IS
              approvals: 2
              approval_ttl: 1s
        """)
    ferry = start_ferry(path, slack_standin)
    try:
        cut = Cutover(ferry)
        cut.command("cutover")
        cut.press("request", cut.button("Request approval"), ALICE)
        value = cut.button("Approve")
        assert "1 of 2" in cut.press("approve", value, CAROL)
        # the expiry job marks it expired and the card says so, without anyone clicking
        card = cut.card(lambda t: "Expired:" in t, timeout=5)
        assert f"<@{CAROL}>" in str(card.blocks) and "Approvals 0 of 2" in str(card.blocks)
        assert "1 of 2" in cut.press("approve", value, DAVE)  # Carol's no longer counts
        assert cut.state_of("freeze-writes") == "requested"
        expired = [e for e in audit.all_entries(ferry.runtime.store) if e["outcome"] == "expired"]
        assert [e["user_id"] for e in expired] == [CAROL] and expired[0]["plan_hash"]
        time.sleep(1.2)  # Dave's expires too; the card's Approve button carries the expiries
        fresh = cut.button("Approve", other_than=value)
        assert "1 of 2" in cut.press("approve", fresh, CAROL)  # she may approve again: it counts anew
    finally:
        stop_ferry(ferry)


def test_every_card_is_valid_block_kit(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    cut.press("approve", cut.button("Approve"), CAROL)
    cut.card(lambda t: "Approvals 1 of 2" in t)
    for call in cut.standin.calls_of("chat.postMessage") + cut.standin.calls_of("chat.update"):
        blocks = call.params.get("blocks")
        blocks = blocks if isinstance(blocks, list) else __import__("json").loads(blocks or "[]")
        assert_valid_blocks(blocks)


def test_an_operator_through_a_user_group_may_request(cut):
    from tests.fixtures.slack import GROUP_MEMBER

    cut.command("cutover")
    assert "needs 2 approval" in cut.press("request", cut.button("Request approval"), GROUP_MEMBER)
    assert cut.standin.calls_of("usergroups.users.list")  # resolved at click time


def test_two_approvals_at_the_same_moment_start_the_action_once(cut):
    import threading

    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    value = cut.button("Approve")
    before = len(cut.standin.responses)
    threads = [threading.Thread(target=cut.ferry.click, args=("ferry:cutover:approve", value), kwargs={"user": u})
               for u in (CAROL, DAVE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cut.standin.wait_for(lambda s: len(s.responses) >= before + 2)
    cut.wait_state("freeze-writes", "running")
    time.sleep(0.5)
    started = [e for e in audit.all_entries(cut.services.store) if e["outcome"] == "started"]
    assert len(started) == 1
    assert len(cutover.approvals_of(cut.services.store, "freeze-writes#1", ("used",))) == 2


def test_a_request_that_four_eyes_cannot_approve_is_refused(tmp_path, slack_standin):
    from tests.cutover.conftest import Cutover, write
    from tests.fixtures.slack import start_ferry, stop_ferry

    path = write(tmp_path, """
        cutover:
          steps:
            - id: freeze-writes
              title: Freeze writes on AS-IS
              approvals: 3
        """)
    ferry = start_ferry(path, slack_standin)
    try:
        cut = Cutover(ferry)
        cut.command("cutover")
        value = cut.button("Request approval")
        # Bob is one of the three approvers: without him, three approvals cannot be found
        assert "has only 2 people besides you" in cut.press("request", value, BOB)
        assert "needs 3 approval" in cut.press("request", value, ALICE)
    finally:
        stop_ferry(ferry)
