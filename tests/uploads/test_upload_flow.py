"""Files reach the channel through Slack's three-step upload, once, whatever fails on the way."""

import time

from core.message import Header, Message, Section
from state import outbox, uploads
from tests.fixtures.slack import CHANNEL

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def wait_stage(store, stage: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.db.execute("SELECT COUNT(*) FROM uploads WHERE stage != ?", [stage]).fetchone()[0] == 0:
            return
        time.sleep(0.05)
    raise TimeoutError(stage)


def card(text: str) -> Message:
    return Message(text, [Header("Transfer"), Section(text)])


def test_a_file_goes_to_its_cards_thread_in_three_steps(ferry):
    services = ferry.runtime.services
    services.post(card("done"), card_key="transfer-card:r1")
    services.upload("throughput.png", PNG, title="Throughput of r1", comment=Message("Throughput over time"),
                    thread_of="transfer-card:r1", dedupe_key="chart:r1")
    shared = ferry.standin.wait_for(lambda s: s.shared_files(CHANNEL))
    parent = next(m for m in ferry.standin.channel_messages(CHANNEL) if m.text == "done")
    assert shared[0].data == PNG and shared[0].title == "Throughput of r1"
    assert shared[0].shared_in == [(CHANNEL, parent.ts)]
    methods = [c.method for c in ferry.standin.calls if c.method.startswith(("files.", "upload"))]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    message = next(m for m in ferry.standin.channel_messages(CHANNEL) if m.files)
    assert message.thread_ts == parent.ts and message.text == "Throughput over time"
    assert message.files[0]["mimetype"] == "image/png"
    # the bytes are dropped from the state once shared; the hash stays
    wait_stage(ferry.runtime.store, "done")
    row = ferry.runtime.store.db.execute("SELECT stage, data, size FROM uploads").fetchone()
    assert row == ("done", None, len(PNG))


def test_the_same_dedupe_key_uploads_once(ferry):
    services = ferry.runtime.services
    assert services.upload("a.png", PNG, title="a", comment=Message("a"), dedupe_key="k") is not None
    assert services.upload("a.png", PNG, title="a", comment=Message("a"), dedupe_key="k") is None
    ferry.standin.wait_for(lambda s: s.shared_files())
    time.sleep(0.3)
    assert len(ferry.standin.shared_files()) == 1
    assert ferry.runtime.store.db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 1


def test_a_failed_post_of_the_bytes_asks_for_a_new_url_and_shares_once(ferry):
    ferry.standin.fail_uploads(1)
    ferry.runtime.services.upload("b.png", PNG, title="b", comment=Message("b"))
    shared = ferry.standin.wait_for(lambda s: s.shared_files(), timeout=15)
    assert len(ferry.standin.calls_of("files.getUploadURLExternal")) == 2
    assert len(shared) == 1 and shared[0].data == PNG


def test_a_rate_limited_completion_is_retried_and_shares_once(ferry):
    ferry.standin.rate_limit("files.completeUploadExternal", times=1, retry_after=1)
    ferry.runtime.services.upload("c.png", PNG, title="c", comment=Message("c"))
    ferry.standin.wait_for(lambda s: s.shared_files(), timeout=15)
    time.sleep(0.5)
    assert len(ferry.standin.shared_files()) == 1
    assert len(ferry.standin.calls_of("upload")) == 1  # the bytes went once


def test_a_completion_cut_off_after_slack_shared_it_is_never_repeated(ferry):
    ferry.standin.drop_reply("files.completeUploadExternal", 1)
    row_id = ferry.runtime.services.upload("d.png", PNG, title="d", comment=Message("d"))
    ferry.standin.wait_for(lambda s: s.shared_files())
    store = ferry.runtime.store
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and outbox.counts(store).get("failed", 0) == 0:
        time.sleep(0.1)
    state, error = store.db.execute("SELECT state, last_error FROM outbox WHERE id = ?", [row_id]).fetchone()
    assert state == "failed" and "not repeated" in error
    assert len(ferry.standin.shared_files()) == 1
    assert len(ferry.standin.calls_of("files.completeUploadExternal")) == 1


def test_a_restart_carries_on_from_the_recorded_step(ferry):
    """A row whose URL was taken and bytes sent before a kill: only the last step is left."""
    store = ferry.runtime.store
    ferry.runtime.poster.stop()
    services = ferry.runtime.services
    row_id = services.upload("e.png", PNG, title="e", comment=Message("e"))
    upload_id = store.db.execute("SELECT upload_id FROM outbox WHERE id = ?", [row_id]).fetchone()[0]
    # what the killed process got done: the URL, then the bytes
    file = ferry.standin._api_files_getUploadURLExternal({"filename": "e.png", "length": str(len(PNG))})
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(file["upload_url"], data=PNG, method="POST"), timeout=5).read()
    uploads.set_stage(store, upload_id, "uploaded", file_id=file["file_id"], upload_url=file["upload_url"])
    from bot.poster import Poster, SlackSink

    Poster(store, SlackSink(ferry.runtime.poster.sink.client), min_interval_s=0).drain_once()
    assert [f.id for f in ferry.standin.shared_files()] == [file["file_id"]]
    assert ferry.standin.calls_of("files.getUploadURLExternal") == []  # the direct call above is not recorded


def test_an_oversized_file_is_refused_before_it_is_queued(ferry):
    import pytest

    with pytest.raises(ValueError, match="at most"):
        ferry.runtime.services.upload("huge.bin", b"x" * (uploads.MAX_BYTES + 1), title="x", comment=Message("x"))


def test_the_console_saves_a_file_and_says_where(tmp_path):
    import io

    from bot.console import Console
    from tests.fixtures.slack import write_config

    out = io.StringIO()
    console = Console(str(write_config(tmp_path)), out=out)
    console.runtime.services.upload("chart.png", PNG, title="A chart", comment=Message("Look at this"))
    console.runtime.poster.drain_once()
    saved = list((tmp_path / "files").iterdir())
    assert len(saved) == 1 and saved[0].read_bytes() == PNG and saved[0].stat().st_mode & 0o077 == 0
    assert "file: A chart" in out.getvalue() and str(saved[0]) in out.getvalue()
    console.runtime.stop()
