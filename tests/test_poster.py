"""The poster: cards updated in place, threads, 429s waited out, nothing lost or doubled by a kill."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from core.message import Actions, Button, Context, Header, Message, Section, Table
from features.registry import open_store
from state import outbox
from tests.fixtures.slack import BOT_TOKEN, CHANNEL, SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent


def card(text: str) -> Message:
    return Message(text, [Header("Transfer"), Section(text)])


def bot_messages(standin, thread_ts=None):
    return [m for m in standin.channel_messages(CHANNEL) if m.thread_ts == thread_ts and not m.ephemeral_to]


def test_card_is_posted_once_then_updated_in_place(ferry):
    services = ferry.runtime.services
    services.post(card("10%"), card_key="transfer:a")
    ferry.standin.wait_for(lambda s: bot_messages(s))
    services.post(card("50%"), card_key="transfer:a")
    services.post(card("90%"), card_key="transfer:a")
    ferry.standin.wait_for(lambda s: any("90%" in m.text for m in bot_messages(s)))
    messages = bot_messages(ferry.standin)
    assert len(messages) == 1 and "90%" in messages[0].text
    assert len(ferry.standin.calls_of("chat.postMessage")) == 1
    assert 1 <= len(ferry.standin.calls_of("chat.update")) <= 2  # superseded updates are coalesced


def test_a_card_deleted_in_slack_is_posted_again_on_its_next_update(ferry):
    services = ferry.runtime.services
    services.post(card("10%"), card_key="transfer:gone")
    first = ferry.standin.wait_for(lambda s: bot_messages(s))[0]
    with ferry.standin._lock:  # someone deletes the card's message in Slack
        ferry.standin.messages.remove(first)
    services.post(card("60%"), card_key="transfer:gone")
    again = ferry.standin.wait_for(lambda s: [m for m in bot_messages(s) if "60%" in m.text])
    assert again[0].ts != first.ts
    services.post(card("90%"), card_key="transfer:gone")  # and is updated in place from then on
    ferry.standin.wait_for(lambda s: [m for m in bot_messages(s) if "90%" in m.text])
    assert len(bot_messages(ferry.standin)) == 1


def test_thread_reply_goes_under_its_card(ferry):
    services = ferry.runtime.services
    services.post(card("running"), card_key="transfer:b")
    services.post(Message("done!", [Section("done!")]), thread_of="transfer:b")
    parent = ferry.standin.wait_for(lambda s: bot_messages(s))[0]
    replies = ferry.standin.wait_for(lambda s: bot_messages(s, thread_ts=parent.ts))
    assert replies[0].text == "done!"


def test_long_report_goes_to_the_thread_in_chunks(ferry):
    report = "\n".join(f"row-{i:05d} missing on TO-BE" for i in range(400))
    ferry.runtime.services.post(Message("compare", [Section("3 rows differ")], attachment=report), card_key="c")
    parent = ferry.standin.wait_for(lambda s: bot_messages(s))[0]
    chunks = ferry.standin.wait_for(lambda s: len(bot_messages(s, parent.ts)) >= 4 and bot_messages(s, parent.ts))
    joined = "".join(str(m.blocks) for m in chunks)
    assert "row-00000" in joined and "row-00399" in joined


def test_429_is_waited_out_and_the_message_arrives_once(ferry):
    ferry.standin.rate_limit("chat.postMessage", times=1, retry_after=1)
    started = time.monotonic()
    ferry.runtime.services.post(card("after 429"), card_key="transfer:c")
    ferry.standin.wait_for(lambda s: bot_messages(s), timeout=15)
    assert time.monotonic() - started >= 0.9  # Retry-After honoured
    assert len(ferry.standin.calls_of("chat.postMessage")) == 2  # the 429, then the one that landed
    time.sleep(0.5)
    assert len(bot_messages(ferry.standin)) == 1


def test_posts_are_paced_per_channel(slack_standin, ferry_config):
    from tests.fixtures.slack import start_ferry, stop_ferry

    ferry = start_ferry(ferry_config, slack_standin, post_interval_s=0.3)
    try:
        for i in range(4):
            ferry.runtime.services.post(Message(f"m{i}", [Section(f"m{i}")]))
        slack_standin.wait_for(lambda s: len(bot_messages(s)) == 4, timeout=10)
        times = [c.at for c in slack_standin.calls_of("chat.postMessage")]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= 0.25
    finally:
        stop_ferry(ferry)


def test_unsent_rows_of_a_killed_process_are_sent_once_after_restart(tmp_path, slack_standin, ferry_config):
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "FERRY_POST_INTERVAL": "0.05"}
    # First life: Slack is unreachable, so everything queued stays in the outbox; then kill -9.
    dead = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config",
                             str(ferry_config)], env={**env, "SLACK_API_URL": "http://127.0.0.1:9/api/"},
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "listening" in dead.stdout.readline()
        store = open_store(str(tmp_path / "state.sqlite"))
        import config
        from commands.context import Services

        services = Services(config=config.load(str(ferry_config)), store=store)
        for i in range(3):
            services.post(Message(f"queued {i}", [Section(f"queued {i}")]), dedupe_key=f"q{i}")
        time.sleep(1.0)  # the poster tries and fails against the dead Slack URL
    finally:
        dead.send_signal(signal.SIGKILL)
        dead.wait(10)
    assert all(c.method != "chat.postMessage" for c in slack_standin.calls)
    # Second life, Slack reachable: each row arrives exactly once.
    alive = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--http", "--port", "0", "--config",
                              str(ferry_config)], env={**env, "SLACK_API_URL": slack_standin.api_url}, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "listening" in alive.stdout.readline()
        slack_standin.wait_for(lambda s: len(bot_messages(s)) >= 3, timeout=20)
        time.sleep(0.5)
        texts = sorted(m.text for m in bot_messages(slack_standin))
        assert texts == ["queued 0", "queued 1", "queued 2"]
        assert outbox.counts(store).get("sent") == 3
    finally:
        alive.send_signal(signal.SIGTERM)
        alive.wait(10)


def test_dedupe_key_queues_once(tmp_path):
    store = open_store(str(tmp_path / "s.sqlite"))
    assert outbox.enqueue(store, CHANNEL, {"text": "a", "blocks": []}, dedupe_key="k") is not None
    assert outbox.enqueue(store, CHANNEL, {"text": "a", "blocks": []}, dedupe_key="k") is None


@pytest.mark.parametrize("size", [1, 60, 500])
def test_rendered_messages_stay_inside_slack_limits(size):
    message = Message(
        "x" * 50_000,
        [Header("h" * 400)]
        + [Section("s" * 5000, fields=["f" * 3000] * 12, button=Button("b" * 100, "ferry:x:y", "v"))] * size
        + [Context(["c" * 3000] * 15), Actions([Button(f"b{i}", f"ferry:x:{i}", "v") for i in range(30)]),
           Table(["key", "as-is", "to-be"], [[f"k{i}", str(i), str(i + 1)] for i in range(2000)], [1, 2])],
    )
    rendered = block_kit.render(message)
    assert len(rendered["blocks"]) <= 50
    for b in rendered["blocks"]:
        Block.parse(b).validate_json()
    json.dumps(rendered)
