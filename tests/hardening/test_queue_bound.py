"""Issue 12 item 8: the same request asked while it is in flight is merged (the second asker is
pointed to the running run's card); past a bound of queued runs of a kind, a clear refusal."""

from __future__ import annotations

from commands.dispatch import run_command
from features.validation import api
from state import outbox, runs
from tests.hardening.conftest import BOB, OPS


def active_checks(services) -> list:
    return runs.recent(services.store, kind="validation", active_only=True, limit=500)


def test_count_all_twice_is_one_run_and_one_card(paused_jobs):
    first = run_command(paused_jobs, OPS, "count all")
    second = run_command(paused_jobs, BOB, "count all")
    assert first.data["run_id"] == second.data["run_id"] and second.data.get("already")
    assert "already" in second.message.text and first.data["run_id"] in second.message.text
    assert len(active_checks(paused_jobs)) == 1
    cards = [r for r in outbox.pending(paused_jobs.store, limit=100) if (r.card_key or "").startswith("run:")]
    assert len(cards) == 1
    other = run_command(paused_jobs, OPS, "count orders")  # not the same request: its own run
    assert other.data["run_id"] != first.data["run_id"]


def test_a_different_sample_is_not_merged_but_the_same_one_is(paused_jobs):
    a = run_command(paused_jobs, OPS, "compare orders --sample 10")
    b = run_command(paused_jobs, OPS, "compare orders --sample 10")
    c = run_command(paused_jobs, OPS, "compare orders --sample 11")
    assert a.data["run_id"] == b.data["run_id"] != c.data["run_id"]


def test_past_the_bound_a_clear_refusal_and_nothing_queued(paused_jobs):
    replies = [run_command(paused_jobs, OPS, f"compare orders --sample {n}") for n in range(1, api.MAX_QUEUED + 6)]
    refused = [r for r in replies if "refused" in r.data]
    assert len(refused) == 5
    assert "queued" in refused[0].message.text and str(api.MAX_QUEUED) in refused[0].message.text
    assert len(active_checks(paused_jobs)) == api.MAX_QUEUED
    again = run_command(paused_jobs, OPS, "compare orders --sample 1")  # merged: still answered
    assert again.data.get("already")
