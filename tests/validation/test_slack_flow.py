"""Validation through Slack: the count and compare verbs, the alert lifecycle (open → update →
resolve, silence) across a restart, scheduled checks that survive a restart, the after-transfer
hook and the cutover interface. Signed requests over HTTP against the Slack stand-in."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from connectors.hbase import HBaseConnector
from features.validation import api, schedule
from features.validation.store import all_alerts
from state import runs
from tests.fixtures.slack import OPERATOR, VIEWER, start_ferry, stop_ferry
from tests.validation.conftest import bot_messages


def assert_valid(message) -> None:
    assert 0 < len(message.blocks) <= 50
    for b in message.blocks:
        Block.parse(b).validate_json()


def wait_run(ferry, subject: str, timeout: float = 30.0) -> runs.Run:
    def done(_s):
        r = runs.latest(ferry.runtime.store, "validation", subject)
        return r if r is not None and not r.active else None

    return ferry.standin.wait_for(done, timeout)


def card_with(standin, words: str, thread_ts=None):
    return standin.wait_for(lambda s: next((m for m in bot_messages(s, thread_ts) if words in str(m.blocks)), None),
                            timeout=20)


def fix_tobe(seeded) -> None:
    """Copy the missing rows and the changed cell back to TO-BE: the sides agree again."""
    asis = HBaseConnector(seeded.asis.host, seeded.asis.port)
    tobe = HBaseConnector(seeded.tobe.host, seeded.tobe.port)
    keys = list(seeded.report.missing_keys) + [c.row for c in seeded.report.changed_cells]
    tobe.put_many("orders", asis.get_many("orders", keys).items())
    asis.close()
    tobe.close()


def test_count_verb_posts_both_sides_side_by_side(vferry, vsetup):
    vferry.command("count orders", user=VIEWER)  # read-only: anyone in the channel
    reply = vferry.responses_for(1)[0]
    assert "Counting orders" in reply["text"]
    card = card_with(vferry.standin, "difference")
    card = card_with(vferry.standin, "2,000")
    assert_valid(card)
    text = str(card.blocks)
    assert "orders" in text and "2,000" in text and "1,997" in text and "-3" in text
    run = wait_run(vferry, "orders:count")
    assert run.state == "mismatch" and run.detail["results"]["orders"]["difference"] == -3
    assert not all_alerts(vferry.runtime.store)  # a count by hand opens no alert


def test_compare_verbs_list_the_differences(vferry, vsetup, warehouse_seed):
    vferry.command("compare orders --full")
    run = wait_run(vferry, "orders:full")
    result = run.detail["results"]["orders"]
    assert result["missing"] == sorted(k.decode() for k in vsetup.seeded.report.missing_keys)
    assert [c["key"] for c in result["changed"]] == [c.row.decode() for c in vsetup.seeded.report.changed_cells]
    card = card_with(vferry.standin, "missing on TO-BE")
    assert_valid(card)
    vferry.command("compare events --sample 60000 --seed 7")
    run = wait_run(vferry, "events:sample")
    result = run.detail["results"]["events"]
    assert result["seed"] == 7 and sorted(result["missing"]) == sorted(str(k[0]) for k in warehouse_seed.missing_keys())
    card = card_with(vferry.standin, "--seed 7")
    assert_valid(card)


def test_bad_arguments_get_the_usage(vferry):
    vferry.command("compare nope --full")
    reply = vferry.responses_for(1)[0]
    assert "`nope` is not a table" in reply["text"] and "`orders`" in str(reply["blocks"])
    vferry.command("compare orders --sample lots")
    assert "whole number" in vferry.responses_for(2)[1]["text"]
    vferry.command("count")
    assert "Usage" in str(vferry.responses_for(3)[2]["blocks"])


def test_alert_lifecycle_across_a_restart(vsetup):
    ferry = start_ferry(vsetup.config_path, vsetup.standin)
    try:
        services = ferry.runtime.services
        api.run(services, "orders-count", None)
        run1 = wait_run(ferry, "orders-count")
        assert run1.state == "mismatch"
        alert_card = card_with(ferry.standin, "Mismatch: orders")
        assert_valid(alert_card)
        assert "Rerun" in str(alert_card.blocks) and "Silence 3h" in str(alert_card.blocks)
        # A second failing run updates the same alert: same card, a note in its thread.
        ferry.click("ferry:compare:rerun", "orders:count|1|1")
        run2 = ferry.standin.wait_for(lambda s: (r := runs.latest(ferry.runtime.store, "validation", "orders-count"))
                                      and r.id != run1.id and not r.active and r)
        card_with(ferry.standin, "Still failing", thread_ts=alert_card.ts)
        assert [a.failures for a in all_alerts(ferry.runtime.store)] == [2]
        # Silence: operators only.
        ferry.click("ferry:compare:silence", "orders:count|1|3|0", user=VIEWER)
        refused = ferry.responses_for(2)[-1]
        assert "operators" in refused["text"]
        ferry.click("ferry:compare:silence", "orders:count|1|3|0")  # as the card issues it
        card_with(ferry.standin, "silenced until")
        assert all_alerts(ferry.runtime.store)[0].silenced_by == OPERATOR
        assert run2.state == "mismatch"
    finally:
        stop_ferry(ferry)
    alert_posts = len([c for c in vsetup.standin.calls_of("chat.postMessage") if "Mismatch: orders" in str(c.params)])
    assert alert_posts == 1

    # Restart: nothing is posted again; the next failing run updates the same card silently.
    ferry = start_ferry(vsetup.config_path, vsetup.standin)
    try:
        before = len(vsetup.standin.calls_of("chat.postMessage"))
        time.sleep(0.5)
        assert len(vsetup.standin.calls_of("chat.postMessage")) == before
        api.run(ferry.runtime.services, "orders-count", None)
        ferry.standin.wait_for(lambda s: all_alerts(ferry.runtime.store)[0].failures == 3)
        # Fixed: a clean run resolves the alert in place.
        fix_tobe(vsetup.seeded)
        api.run(ferry.runtime.services, "orders-count", None)
        resolved = card_with(ferry.standin, "Resolved: orders")
        assert_valid(resolved)
        assert resolved.ts == alert_card.ts  # the same Slack message, updated in place
        card_with(ferry.standin, "Resolved by run", thread_ts=alert_card.ts)
        assert all_alerts(ferry.runtime.store)[0].state == "resolved"
        result = api.latest_result(ferry.runtime.services, "orders-count")
        assert result.passed and result.age_s < 60 and "2,000 rows on both sides" in result.summary
        # A new mismatch later is a new alert (a new card).
        still = [m for m in bot_messages(vsetup.standin) if "Mismatch: orders" in str(m.blocks)]
        assert still == []
        assert len([c for c in vsetup.standin.calls_of("chat.postMessage")
                    if "Mismatch: orders" in str(c.params)]) == 1
        # Status shows the latest validations.
        ferry.command("status")
        status = ferry.responses_for(1)[-1]
        assert "orders-count" in str(status["blocks"]) and "passed" in str(status["blocks"])
    finally:
        stop_ferry(ferry)


def test_scheduled_validations_survive_a_restart_and_run(vsetup):
    ferry = start_ferry(vsetup.config_path, vsetup.standin)
    try:
        job = ferry.runtime.scheduler.scheduler.get_job("validation:orders-count")
        first_next = job.next_run_time
        assert first_next > datetime.now(UTC)
    finally:
        stop_ferry(ferry)
    ferry = start_ferry(vsetup.config_path, vsetup.standin)
    try:
        job = ferry.runtime.scheduler.scheduler.get_job("validation:orders-count")
        assert job.next_run_time == first_next  # not re-armed: the clock of the interval is kept
        job.modify(next_run_time=datetime.now(UTC))  # fall due now
        run = wait_run(ferry, "orders-count")
        assert run.state == "mismatch" and run.started_by == "schedule"
        card_with(ferry.standin, "Mismatch: orders")  # a scheduled run opens the alert
        assert ferry.runtime.scheduler.scheduler.get_job("validation:orders-count") is not None
    finally:
        stop_ferry(ferry)


def test_after_transfer_hook_and_cutover_interface(vferry):
    services = vferry.runtime.services
    assert api.latest_result(services, "orders-count") is None
    transfer = runs.create(services.store, "transfer", "hbase-orders", state="done")
    schedule.after_transfer(services, transfer)
    run = wait_run(vferry, "orders-count")
    assert run.detail["origin"] == "after transfer hbase-orders"
    result = api.latest_result(services, "orders-count")
    assert result.run_id == run.id and not result.passed and result.state == "mismatch"
    assert "AS-IS 2,000" in result.summary
    # The same validation asked twice while it runs is one run.
    first = api.run(services, "events-full", None)
    second = api.run(services, "events-full", None)
    assert first.id == second.id or not runs.get(services.store, first.id).active
