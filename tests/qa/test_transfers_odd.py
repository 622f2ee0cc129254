"""Odd transfer input through signed Slack requests against real HBase servers: caps that would
freeze a copy, a rate typed with a space, and an old confirmation card pressed again."""

from __future__ import annotations

import threading
import time

import pytest

from features.transfers.ratelimit import RateLimiter
from state import runs
from tests.fixtures.slack import GROUP_MEMBER, OPERATOR, start_ferry, stop_ferry
from tests.qa.helpers import assert_clear, dump
from tests.transfers.conftest import config_text

BOB = "U0BOB0001"
TRANSFERS = """
- id: hbase-orders
  kind: hbase-copy
  table: orders
  batch_rows: 100
  rate: 50kB/s
  poll_every: 0.3s
"""


@pytest.fixture
def ferry(tmp_path, slack_standin, hbase_seeded, hbase_server_factory, monkeypatch):
    text, env = config_text(TRANSFERS, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    text = text.replace(f"operators: [{OPERATOR}", f"operators: [{OPERATOR}, {BOB}")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    path = tmp_path / "app.yaml"
    path.write_text(text)
    running = start_ferry(path, slack_standin)
    yield running
    stop_ferry(running)


def ask(ferry, text: str, user: str = OPERATOR) -> dict:
    before = len(ferry.standin.responses)
    ferry.command(text, user=user)
    return ferry.standin.wait_for(lambda s: s.responses[before] if len(s.responses) > before else None)


def press(ferry, action_id: str, value: str, user: str = OPERATOR) -> dict:
    before = len(ferry.standin.responses)
    ferry.click(action_id, value, user=user)
    return ferry.standin.wait_for(lambda s: s.responses[before] if len(s.responses) > before else None, 15)


@pytest.mark.parametrize("rate", ["0.5B/s", "10B/s", "999B/s", "2000PB/s"])
def test_a_cap_that_would_freeze_or_overflow_the_copy_gets_the_usage(ferry, rate):
    shown = assert_clear(ask(ferry, f"throttle hbase-orders {rate}"))
    assert "Usage: `/migrate throttle" in shown and ("at least" in shown or "at most" in shown)


def test_a_rate_typed_with_a_space_is_read(ferry):
    shown = assert_clear(ask(ferry, "throttle hbase-orders 10 MB/s"))
    assert "not running" in shown  # understood: only, nothing runs yet


def test_a_new_cap_frees_a_copy_waiting_under_the_old_one():
    limiter = RateLimiter(1.0)  # 1 B/s: the next 100 bytes may go in 100 s
    limiter.acquire(100)
    stop, done = threading.Event(), threading.Event()
    waiter = threading.Thread(target=lambda: (limiter.acquire(100, stop), done.set()), daemon=True)
    waiter.start()
    time.sleep(0.3)
    limiter.set_rate(10**9)
    assert done.wait(2.0), "a copy stayed parked under the old cap"
    stop.set()


def test_an_old_confirmation_card_does_not_start_a_second_run(ferry):
    card = ask(ferry, "start hbase-orders")
    value = next(el["value"] for b in card["blocks"] for el in b.get("elements", [])
                 if el.get("action_id") == "ferry:start:confirm")
    assert "is starting" in dump(press(ferry, "ferry:start:confirm", value))
    again = assert_clear(press(ferry, "ferry:start:confirm", value, user=BOB))  # a second operator, same card
    assert "already under way" in again
    assert "cancelled" in dump(ask(ferry, "cancel hbase-orders"))
    # a third operator (by user group) presses the same card after the run ended
    late = assert_clear(press(ferry, "ferry:start:confirm", value, user=GROUP_MEMBER))
    assert "already used" in late and "/migrate start hbase-orders" in late
    store = ferry.runtime.store
    assert len(runs.recent(store, kind="transfer", subject="hbase-orders")) == 1


def test_stopping_ferry_stops_its_copy_threads(ferry):
    card = ask(ferry, "start hbase-orders")
    value = next(el["value"] for b in card["blocks"] for el in b.get("elements", [])
                 if el.get("action_id") == "ferry:start:confirm")
    press(ferry, "ferry:start:confirm", value)
    run = ferry.standin.wait_for(lambda s: runs.latest(ferry.runtime.store, "transfer", "hbase-orders"))
    ferry.standin.wait_for(lambda s: any(run.id in t.name for t in threading.enumerate()), timeout=15)
    stop_ferry(ferry)
    deadline = time.monotonic() + 10
    while any(run.id in t.name for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [t.name for t in threading.enumerate() if run.id in t.name], "copy threads outlived Ferry"


@pytest.mark.parametrize("text, suggestion", [("start HBASE-ORDERS", "hbase-orders"), ("pause hbase-order", "hbase-orders")])
def test_a_near_miss_of_a_transfer_id_gets_a_suggestion(ferry, text, suggestion):
    shown = assert_clear(ask(ferry, text))
    assert f"Did you mean `{suggestion}`?" in shown and "Usage:" in shown


def test_extra_words_are_named(ferry):
    shown = assert_clear(ask(ferry, "start hbase-orders now please"))
    assert "`now please` is more than it understands" in shown and "Usage: `/migrate start" in shown


def test_a_forged_cancel_on_a_confirmation_card_names_no_transfer(ferry):
    shown = assert_clear(press(ferry, "ferry:start:dismiss", "\u2603" * 1500 + "|abcd"))
    assert "is not a transfer" in shown and "was not started" not in shown
