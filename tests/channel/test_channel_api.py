"""The page's JSON routes on the stand-in, and a clean stop with a tab still open."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.channel import mount
from sandbox.slack import SlackDriver, SlackStandIn
from sandbox.slack.standin import SlackMessage
from tests.channel.conftest import USERS
from tests.fixtures.slack import CHANNEL, OPERATOR, VIEWER


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture
def standin():
    with SlackStandIn() as s:
        yield s


@pytest.fixture
def page_url(standin) -> str:
    # Ferry is not running: the driver points at a closed port, which is what these tests want.
    return mount(standin, SlackDriver("http://127.0.0.1:9", "secret", standin), channel=CHANNEL, users=USERS)


def test_state_shows_each_user_their_own_ephemeral_messages(standin, page_url):
    standin.add_message(SlackMessage(CHANNEL, standin.next_ts(), "for everyone", [], standin.BOT_USER))
    standin.add_message(SlackMessage(CHANNEL, standin.next_ts(), "for alice", [], standin.BOT_USER,
                                     ephemeral_to=OPERATOR))
    standin.add_message(SlackMessage("C0ELSEWHERE", standin.next_ts(), "elsewhere", [], standin.BOT_USER))
    mine = get(f"{page_url}channel/api/state?user={OPERATOR}")
    theirs = get(f"{page_url}channel/api/state?user={VIEWER}")
    assert [m["text"] for m in mine["messages"]] == ["for everyone", "for alice"]
    assert [m["text"] for m in theirs["messages"]] == ["for everyone"]
    assert mine["messages"][1]["ephemeral"] and mine["messages"][0]["author"] == "Ferry"
    assert [u["id"] for u in mine["users"]] == [u["id"] for u in USERS]


def test_state_waits_for_a_change(standin, page_url):
    version = get(f"{page_url}channel/api/state?user={OPERATOR}")["version"]
    started = time.monotonic()
    standin_thread = threading.Timer(
        0.3, lambda: standin.add_message(SlackMessage(CHANNEL, standin.next_ts(), "later", [], OPERATOR)))
    standin_thread.start()
    state = get(f"{page_url}channel/api/state?user={OPERATOR}&since={version}")
    assert 0.2 < time.monotonic() - started < 5
    assert state["version"] > version and state["messages"][-1]["text"] == "later"


def test_unknown_user_is_refused(page_url):
    with pytest.raises(urllib.error.HTTPError) as e:
        get(f"{page_url}channel/api/state?user=U0NOBODY1")
    assert e.value.code == 400


def test_ferry_down_is_dispatch_failed_to_the_typist(standin, page_url):
    answer = post(f"{page_url}channel/api/message", {"user": OPERATOR, "text": "/migrate status"})
    assert answer == {"ok": False, "error": "dispatch_failed", "status": 0}
    shown = standin.channel_messages(CHANNEL, for_user=OPERATOR)
    assert shown[-1].ephemeral_to == OPERATOR and "dispatch_failed" in shown[-1].text


def test_a_waiting_page_ends_with_the_standin():
    standin = SlackStandIn().start()
    url = mount(standin, SlackDriver("http://127.0.0.1:9", "secret", standin), channel=CHANNEL, users=USERS)
    waiter = threading.Thread(target=lambda: get(f"{url}channel/api/state?user={OPERATOR}&since=999"), daemon=True)
    waiter.start()
    time.sleep(0.3)
    started = time.monotonic()
    standin.stop()
    assert time.monotonic() - started < 2
    waiter.join(2)
    assert not waiter.is_alive()


def test_every_emoji_ferry_writes_is_drawn_by_the_page():
    """The page maps shortcodes to Unicode from a short list: keep it in step with Ferry's texts."""
    root = Path(__file__).resolve().parents[2]
    script = (root / "sandbox/channel/static/mrkdwn.js").read_text()
    table = script[script.index("const EMOJI = {"):script.index("};", script.index("const EMOJI = {"))]
    known = set(re.findall(r'"?([a-z0-9_+]+)"?: "', table))
    used = set()
    for folder in ("bot", "commands", "jobs"):
        for source in (root / folder).rglob("*.py"):
            used |= set(re.findall(r"(?<=[\s\"'(\[]):([a-z](?:[a-z0-9_+]*[a-z0-9])?):(?=[\s\"')\],.])", source.read_text()))
    assert used, "found no shortcodes at all: the pattern is wrong"
    assert used - known == set(), "add these to EMOJI in sandbox/channel/static/mrkdwn.js"


def test_shared_files_are_in_the_state_and_served_images_inline_others_as_downloads(standin, page_url):
    from tests.channel.test_channel_page import tiny_png

    png = tiny_png()
    api = standin._api_files_getUploadURLExternal
    for name, data in (("c.png", png), ("r.html", b"<script>alert(1)</script>")):
        file = api({"filename": name, "length": str(len(data))})
        urllib.request.urlopen(urllib.request.Request(file["upload_url"], data=data, method="POST"), timeout=5)
        standin._api_files_completeUploadExternal({"files": json.dumps([{"id": file["file_id"], "title": name}]),
                                                   "channel_id": CHANNEL, "initial_comment": name})
    files = [m["files"][0] for m in get(f"{page_url}channel/api/state?user={OPERATOR}")["messages"]]
    assert [f["mimetype"] for f in files] == ["image/png", "text/html"]
    with urllib.request.urlopen(page_url.rstrip("/") + files[0]["url"], timeout=5) as resp:
        assert resp.read() == png and resp.headers["Content-Type"] == "image/png"
    with urllib.request.urlopen(page_url.rstrip("/") + files[1]["url"], timeout=5) as resp:
        assert resp.headers["Content-Type"] == "application/octet-stream"
        assert resp.headers["Content-Disposition"].startswith("attachment")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(page_url + "files/F0/none.png", timeout=5)
