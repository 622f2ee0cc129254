"""Charts: a transfer's throughput when its run ends, a validation's differences when its result
changes, uploaded to the card's thread through the Slack stand-in's upload flow."""

from __future__ import annotations

import struct
import time
from datetime import UTC, datetime, timedelta

from core.who import Who
from features.charts import jobs, render
from features.registry import open_store
from features.transfers import api as transfers
from features.transfers import samples
from features.validation import api as validations
from state import outbox, runs
from tests.fixtures.slack import CHANNEL, OPERATOR
from tests.transfers.test_slack_e2e import ferry_hbase  # noqa: F401 - the fixture
from tests.validation.test_slack_flow import fix_tobe, wait_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    return struct.unpack(">II", data[16:24])


def test_a_transfer_run_ends_with_its_throughput_chart_in_the_cards_thread(ferry_hbase):  # noqa: F811
    ferry, standin = ferry_hbase, ferry_hbase.standin
    run = transfers.start(ferry.runtime.services, "hbase-orders", Who(OPERATOR, channel_id=CHANNEL))
    shared = standin.wait_for(lambda s: s.shared_files(CHANNEL), timeout=90)
    run = runs.get(ferry.runtime.store, run.id)
    assert run.state == "done"
    card = next(m for m in standin.channel_messages(CHANNEL) if m.text.startswith("Transfer hbase-orders")
                and m.thread_ts is None)
    assert shared[0].shared_in == [(CHANNEL, card.ts)]
    assert png_size(shared[0].data) == (880, 396)
    assert shared[0].title == "Throughput of hbase-orders"
    comment = next(m for m in standin.channel_messages(CHANNEL) if m.files)
    assert comment.thread_ts == card.ts and "Throughput of `hbase-orders`" in comment.text and "mean" in comment.text
    history = transfers.throughput(ferry.runtime.services, run.id)
    assert len(history) >= jobs.MIN_SAMPLES and all(s.cap_bps == 250_000 for s in history)
    # the chart job again (a restart re-running it) uploads nothing more
    jobs.transfer_chart(ferry.runtime.services, run.id)
    time.sleep(0.5)
    assert len(standin.shared_files()) == 1


def test_a_validation_chart_is_posted_when_its_result_changes_only(vferry, vsetup):
    services = vferry.runtime.services
    first = validations.run(services, "orders-count", None)
    wait_run(vferry, "orders-count")
    second = validations.run(services, "orders-count", None)
    assert second.id != first.id
    wait_run(vferry, "orders-count")
    time.sleep(1.0)
    assert vferry.standin.shared_files() == []  # the first result, then the same again: no chart
    fix_tobe(vsetup.seeded)
    third = validations.run(services, "orders-count", None)
    assert wait_run(vferry, "orders-count").state == "passed"
    shared = vferry.standin.wait_for(lambda s: s.shared_files(CHANNEL), timeout=20)
    card = outbox.card_ts(vferry.runtime.store, f"run:{third.id}")  # the run's card
    assert shared[0].shared_in == [card] and png_size(shared[0].data)[0] == 880
    comment = next(m for m in vferry.standin.channel_messages(CHANNEL) if m.files)
    assert "mismatch, 3 differing → passed, 0 differing" in comment.text
    assert [p.differences for p in validations.history(services, "orders-count")] == [3, 3, 0]


def test_throughput_samples_stay_bounded_over_a_long_run(tmp_path):
    store = open_store(str(tmp_path / "s.sqlite"))
    for i in range(3 * samples.MAX_SAMPLES):
        samples.add(store, "r", 1000.0 + i * 5, i * 1_000_000, 2e6)
    kept = samples.of_run(store, "r")
    assert len(kept) <= samples.MAX_SAMPLES
    assert kept[0].t == 1000.0 and kept[-1].t == 1000.0 + (3 * samples.MAX_SAMPLES - 1) * 5  # the whole run
    assert samples.of_run(store, "other") == []
    samples.add(store, "r2", 1.0, None, None)  # an engine without byte counts: nothing to draw
    assert samples.of_run(store, "r2") == []


def test_rate_points_break_the_line_across_a_pause():
    polls = [(0, 0, None), (5, 5_000_000, None), (10, 10_000_000, 1e6), (600, 10_000_000, 1e6),
             (605, 15_000_000, 1e6), (610, 20_000_000, 1e6)]
    points = render.rate_points(polls)
    rates = [p.bytes_per_s for p in points]
    assert rates[:2] == [1e6, 1e6] and rates[2] is None and rates[3] is None and rates[-1] == 1e6
    assert render.rate_points(polls[:1]) == []


def test_charts_render_without_a_display_and_stay_small():
    points = render.rate_points([(i * 5.0, i * 5_000_000, 1e6) for i in range(100)])
    png = render.throughput_png("Transfer t", points, usable_bps=875e6)
    assert png_size(png) == (880, 396) and len(png) < 200_000
    at = datetime(2026, 12, 6, tzinfo=UTC)
    diffs = [render.DiffPoint(at + timedelta(minutes=15 * i), d, s)
             for i, (d, s) in enumerate([(3, "mismatch"), (None, "failed"), (0, "passed")])]
    assert png_size(render.differences_png("Validation v", diffs)) == (880, 396)


def test_result_changed_compares_with_the_run_before():
    at = datetime(2026, 12, 6, tzinfo=UTC)
    h = [validations.HistoryPoint(f"r{i}", at, s, d, "") for i, (s, d) in
         enumerate([("mismatch", 3), ("mismatch", 3), ("mismatch", 2), ("failed", None)])]
    assert [jobs.result_changed(h, f"r{i}") for i in range(4)] == [False, False, True, True]
    assert not jobs.result_changed(h, "unknown")



def test_short_verbs_do_not_load_matplotlib():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, bot.app, bot.cli, commands.verbs, features.registry, features.report.api, "
            "features.transfers.watcher, features.validation.runner; print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
