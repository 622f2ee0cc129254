"""The figures of a transfer's progress card read right (issue 15): hbase-copy's bar counts bytes
against a total, the "now" rate never shows a copy above a cap it was just given nor on a card that
is not moving, and the elapsed time leaves pauses out. Each test reads the rendered card."""

from __future__ import annotations

import re
import time

import pytest
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from config.units import parse_size as parse_bytes
from connectors.hbase import HBaseConnector, row_bytes
from core.who import Who
from features.transfers import api, card, checkpoints, watcher
from features.transfers.backend import Progress
from state import runs

ALICE = Who("U0ALICE01")


class _HB:
    host, port = "127.0.0.1", 9


def rendered_text(services, tid: str, run) -> str:
    """The card as Slack gets it (validated Block Kit), as one string."""
    payload = block_kit.render(card.render(services.config.transfers.get(tid), runs.get(services.store, run.id)))
    assert 0 < len(payload["blocks"]) <= 50
    for b in payload["blocks"]:
        Block.parse(b).validate_json()
    return "\n".join(str(b) for b in payload["blocks"])


def field(text: str, name: str) -> str:
    match = re.search(rf"\*{name}\*\\n([^']*)'", text)
    assert match, f"no field {name} in {text[:400]}"
    return match.group(1)


@pytest.fixture
def services(make_services):
    return make_services("""
        - id: hbase-orders
          kind: hbase-copy
          table: orders
        """, asis={"hbase": _HB}, tobe={"hbase": _HB})


def test_hbase_copy_bar_counts_bytes_against_a_total_from_the_start(make_services, hbase_seeded,
                                                                     hbase_server_factory):
    services = make_services("""
        - id: hbase-orders
          kind: hbase-copy
          table: orders
          rate: 60kB/s
          batch_rows: 200
        """, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    transfer = services.config.transfers.get("hbase-orders")
    run = api.start(services, "hbase-orders", ALICE)
    run = watcher.step(services, transfer, run)  # starts the engine: no start card was shown, it estimates
    deadline = time.monotonic() + 30
    while checkpoints.totals(services.store, run.id)[1] < 100_000 and time.monotonic() < deadline:
        time.sleep(0.2)
    run = watcher.step(services, transfer, runs.get(services.store, run.id))
    text = rendered_text(services, "hbase-orders", run)
    done, total = field(text, "Bytes").split(" of ")
    share = parse_bytes(done) / parse_bytes(total)
    # the total is the table's size from the first look on (within the estimate's 10%)
    with HBaseConnector(hbase_seeded.asis.host, hbase_seeded.asis.port) as hb:
        exact = sum(row_bytes(k, c) for k, c in hb.scan("orders"))
    assert abs(parse_bytes(total) - exact) / exact < 0.1
    bar = re.search(r"([▓░]{20}) (\d+)%", text)
    assert bar and abs(int(bar.group(2)) - share * 100) <= 1.5, (bar, share)
    assert int(bar.group(2)) < 50  # no jump to 50% because a region or two finished
    api.cancel(services, "hbase-orders", ALICE)


def test_the_start_card_size_is_the_runs_total(make_services, hbase_seeded, hbase_server_factory):
    services = make_services("""
        - id: hbase-orders
          kind: hbase-copy
          table: orders
        """, asis={"hbase": hbase_seeded.asis}, tobe={"hbase": hbase_server_factory()})
    api.remember_size(services, "hbase-orders", 9_500_000, "estimate")  # what the start card measured
    run = api.start(services, "hbase-orders", ALICE)
    assert run.detail["size_estimate"] == 9_500_000
    backend = watcher.backend_for(services, services.config.transfers.get("hbase-orders"))
    progress = backend._progress("running", 37_000, 3_500_000, None, 8, 0, size=9_500_000)
    assert progress.bytes_total == 9_500_000 and abs(progress.share - 3.5 / 9.5) < 1e-9
    assert progress.step == "37,000 rows · 0/8 regions done"
    api.cancel(services, "hbase-orders", ALICE)


def test_the_card_posted_by_the_throttle_shows_no_rate_from_before_it(services):
    now = time.time()
    run = runs.create(services.store, "transfer", "hbase-orders", state="running", detail={
        "started_at": now - 60, "rate": 2e6, "progress": {"bytes_done": 5e6, "rate_bps": 965e3, "rate_at": now - 1}})
    assert field(rendered_text(services, "hbase-orders", run), "Rate").startswith("now 965.0 kB/s")
    run = runs.update(services.store, run.id, merge={"rate": 500e3, "throttled_at": now})  # as api.throttle does
    text = rendered_text(services, "hbase-orders", run)
    assert field(text, "Cap") == "500.0 kB/s" and field(text, "Rate").startswith("now — · avg")


def test_no_now_rate_above_the_cap_right_after_a_throttle(services):
    transfer = services.config.transfers.get("hbase-orders")
    now = time.time()
    run = runs.create(services.store, "transfer", "hbase-orders", state="running", detail={
        "started_at": now - 60, "active_s": 58.0, "rate": 500e3, "throttled_at": now - 0.5,
        "last_poll": {"t": now - 2.0, "bytes": 0},
        "progress": {"bytes_done": 0, "rate_bps": 2_000e3, "rate_at": now - 2.0}})
    # 1.2 MB since the last look, most of it before the throttle: 614 kB/s would show above the cap
    run = watcher.record(services, transfer, run, Progress("running", 1_228_800, 10_000_000))
    text = rendered_text(services, "hbase-orders", run)
    assert field(text, "Cap") == "500.0 kB/s"
    assert field(text, "Rate").startswith("now — · avg")
    time.sleep(0.3)
    run = watcher.record(services, transfer, run, Progress("running", 1_228_800 + 120_000, 10_000_000))
    now_rate = field(rendered_text(services, "hbase-orders", run), "Rate").split(" · ")[0]
    assert now_rate.startswith("now ") and parse_bytes(now_rate[4:].replace("/s", "")) <= 500e3


@pytest.mark.parametrize("state", ["paused", "done", "cancelled"])
def test_paused_and_finished_cards_show_no_now_rate_and_elapsed_leaves_pauses_out(services, state):
    now = time.time()
    detail = {"started_at": now - 600, "active_s": 300.0, "last_poll": {"t": now - 300, "bytes": 10**9},
              "progress": {"bytes_done": 10**9, "bytes_total": 2 * 10**9, "rate_bps": 7e6, "avg_bps": 3e6}}
    if state != "paused":
        detail["ended_at"] = now
    run = runs.create(services.store, "transfer", "hbase-orders", state=state, detail=detail)
    text = rendered_text(services, "hbase-orders", run)
    assert field(text, "Rate") == "now — · avg 3.0 MB/s"
    assert field(text, "Elapsed") == "5m 00s (+5m 00s paused)"


def test_a_running_cards_elapsed_counts_on_from_the_last_look(services):
    now = time.time()
    run = runs.create(services.store, "transfer", "hbase-orders", state="running", detail={
        "started_at": now - 900, "active_s": 120.0, "last_poll": {"t": now - 30, "bytes": 0}})
    assert field(rendered_text(services, "hbase-orders", run), "Elapsed").startswith("2m 30s (+12m")
