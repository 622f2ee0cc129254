"""The poster: the only code that calls chat.postMessage / chat.update / chat.postEphemeral, and
uploads files (files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal).

It drains the outbox (state/outbox.py) in order: a card's first row posts it and records its
`ts`, later rows update that message in place; thread rows go under their card. It keeps to
about one message a second per channel (Slack's chat.postMessage limit); HTTP 429 is waited out
by the client's RateLimitErrorRetryHandler. After a restart it sends what was still unsent.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from typing import Protocol

from bot import blocks as block_kit
from core.message import Message
from state import Store, outbox, uploads

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_REPORT_PARTS = 20  # thread messages of one report (about 60,000 characters)
UPLOAD_TIMEOUT_S = 60


class Sink(Protocol):
    """Where messages go: Slack (SlackSink) or a terminal (bot/console.py)."""

    def post(self, channel: str, payload: dict, thread_ts: str | None = None) -> str: ...

    def update(self, channel: str, ts: str, payload: dict) -> None: ...

    def ephemeral(self, channel: str, user: str, payload: dict) -> None: ...

    # A file, in Slack's three steps (each may be retried, but only the last one shares it).
    def upload_url(self, filename: str, length: int, alt: str) -> tuple[str, str]: ...  # (file_id, upload_url)

    def upload_bytes(self, upload_url: str, data: bytes, mimetype: str) -> None: ...

    def complete_upload(self, channel: str, file_id: str, title: str, comment: str,
                        thread_ts: str | None) -> None: ...


class NotShared(Exception):
    """files.completeUploadExternal certainly did not share the file (rate limited): try again."""


class PermanentError(Exception):
    """Slack refused the message itself (invalid_blocks, channel_not_found, ...): retrying won't help."""


class MessageGone(PermanentError):
    """The card's message is no longer in Slack (deleted, or another workspace's): post it anew."""


class SlackSink:
    def __init__(self, client) -> None:  # a slack_sdk WebClient
        from slack_sdk import WebClient
        from slack_sdk.http_retry import RateLimitErrorRetryHandler

        self.client = client
        # files.completeUploadExternal shares the file: slack_sdk's default retry on a broken
        # connection would share it twice when Slack acted but its answer was lost. Only a 429
        # (certainly not done) is retried on this client.
        self._share_client = WebClient(
            token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl, proxy=client.proxy,
            headers=client.headers,
            retry_handlers=[h for h in client.retry_handlers if isinstance(h, RateLimitErrorRetryHandler)])

    def post(self, channel: str, payload: dict, thread_ts: str | None = None) -> str:
        resp = self._call(self.client.chat_postMessage, channel=channel, thread_ts=thread_ts, **payload)
        return resp["ts"]

    def update(self, channel: str, ts: str, payload: dict) -> None:
        self._call(self.client.chat_update, channel=channel, ts=ts, **payload)

    def ephemeral(self, channel: str, user: str, payload: dict) -> None:
        self._call(self.client.chat_postEphemeral, channel=channel, user=user, **payload)

    def upload_url(self, filename: str, length: int, alt: str) -> tuple[str, str]:
        resp = self._call(self.client.files_getUploadURLExternal, filename=filename, length=length,
                          alt_txt=alt or None)
        return resp["file_id"], resp["upload_url"]

    def upload_bytes(self, upload_url: str, data: bytes, mimetype: str) -> None:
        # As slack_sdk's files_upload_v2 does it: the raw bytes in a POST to the signed URL.
        request = urllib.request.Request(upload_url, data=data, method="POST",
                                         headers={"Content-Type": mimetype or "application/octet-stream"})
        with urllib.request.urlopen(request, timeout=UPLOAD_TIMEOUT_S) as resp:  # noqa: S310 - Slack's URL
            if resp.status != 200:
                raise RuntimeError(f"the upload URL answered HTTP {resp.status}")
            resp.read()

    def complete_upload(self, channel: str, file_id: str, title: str, comment: str,
                        thread_ts: str | None) -> None:
        from slack_sdk.errors import SlackApiError

        try:
            self._call(self._share_client.files_completeUploadExternal, files=[{"id": file_id, "title": title}],
                       channel_id=channel, initial_comment=comment or None, thread_ts=thread_ts)
        except SlackApiError as e:
            if e.response is not None and (e.response.status_code == 429 or e.response.get("error") == "ratelimited"):
                raise NotShared("rate limited") from None
            raise

    @staticmethod
    def _call(method, **kwargs):
        from slack_sdk.errors import SlackApiError

        try:
            return method(**kwargs)
        except SlackApiError as e:
            error = e.response.get("error", "unknown") if e.response is not None else "unknown"
            status = e.response.status_code if e.response is not None else 0
            if status == 429 or status >= 500 or error in ("ratelimited", "internal_error", "fatal_error"):
                raise  # transient: try again later
            if error == "message_not_found":
                raise MessageGone(f"Slack no longer has the message ({method.__name__}: {error})") from None
            raise PermanentError(f"Slack refused {method.__name__}: {error}") from None


class Poster:
    def __init__(self, store: Store, sink: Sink, *, min_interval_s: float = 1.0, poll_s: float = 0.2) -> None:
        self.store = store
        self.sink = sink
        self.min_interval_s = min_interval_s
        self.poll_s = poll_s
        self._last_post: dict[str, float] = {}
        self._drain_lock = threading.Lock()  # one pass at a time, whoever calls it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- running ---------------------------------------------------------------------------
    def start(self) -> Poster:
        self._thread = threading.Thread(target=self._loop, name="ferry-poster", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except Exception:  # the poster never dies; the row stays pending
                log.exception("poster pass failed")
            self._stop.wait(self.poll_s)
        self.store.close()

    # -- one pass ---------------------------------------------------------------------------
    def drain_once(self) -> int:
        """Send everything pending now. Returns how many rows were sent."""
        sent = 0
        with self._drain_lock:
            for row in outbox.pending(self.store):
                if self._stop.is_set():
                    break
                if self._send(row):
                    sent += 1
        return sent

    def _send(self, row: outbox.OutboxRow) -> bool:
        if row.upload_id is not None:
            return self._send_upload(row, row.upload_id)
        message = Message.from_dict(row.message)
        payload = block_kit.render(message)
        outbox.mark_sending(self.store, row.id)
        try:
            if row.user_id:
                self.sink.ephemeral(row.channel, row.user_id, payload)
            elif row.card_key and not row.thread_of and (known := outbox.card_ts(self.store, row.card_key)):
                try:
                    self.sink.update(known[0], known[1], payload)
                except MessageGone:
                    # Someone deleted the card in Slack: the card lives on as a new message.
                    log.warning("card %s was gone from Slack; posting it again", row.card_key)
                    outbox.forget_card(self.store, row.card_key)
                    self._pace(row.channel)
                    outbox.set_card(self.store, row.card_key, row.channel, self.sink.post(row.channel, payload))
            else:
                ready, thread_ts = self._thread_of(row)
                if not ready:
                    return False
                self._pace(row.channel)
                ts = self.sink.post(row.channel, payload, thread_ts=thread_ts)
                if row.card_key and not row.thread_of:
                    outbox.set_card(self.store, row.card_key, row.channel, ts)
                if message.attachment:
                    self._post_attachment(row.channel, ts if not thread_ts else thread_ts, message.attachment,
                                          message.attachment_style)
        except PermanentError as e:
            log.error("outbox row %s dropped: %s", row.id, e)
            outbox.mark_failed(self.store, row.id, str(e))
            return False
        except Exception as e:
            self._failed_attempt(row, e)
            return False
        outbox.mark_sent(self.store, row.id)
        return True

    def _thread_of(self, row: outbox.OutboxRow) -> tuple[bool, str | None]:
        """(whether the row can go now, the thread it goes in). A reply waits for its parent card
        to be posted (the row is put back), unless the parent is lost: then it goes to the channel."""
        if not row.thread_of:
            return True, None
        parent = outbox.card_ts(self.store, row.thread_of)
        if parent is None and not self._parent_lost(row.thread_of):
            outbox.mark_retry(self.store, row.id, "waiting for the parent card")
            return False, None
        return True, parent[1] if parent else None

    def _failed_attempt(self, row: outbox.OutboxRow, e: Exception) -> None:
        error = f"{type(e).__name__}: {e}"[:500]
        if row.attempts + 1 >= MAX_ATTEMPTS:
            log.error("outbox row %s failed %d times, giving up: %s", row.id, MAX_ATTEMPTS, error)
            outbox.mark_failed(self.store, row.id, error)
        else:
            log.warning("outbox row %s not sent (%s); will retry", row.id, error)
            outbox.mark_retry(self.store, row.id, error)
            time.sleep(min(5.0, 0.5 * 2 ** row.attempts))

    def _send_upload(self, row: outbox.OutboxRow, upload_id: int) -> bool:
        """A file, step by step, each step recorded before the next (state/uploads.py)."""
        upload = uploads.get(self.store, upload_id)
        if upload is None or upload.stage == "done":
            outbox.mark_sent(self.store, row.id)
            return upload is not None
        if upload.stage == "completing":
            # Killed (or cut off) while Slack was sharing it: it may be in the channel already.
            # Sharing it again could show it twice, so it is not repeated: at most once.
            note = "interrupted while Slack shared the file; not repeated (it may or may not be in the channel)"
            log.warning("upload %s (%s): %s", upload_id, upload.filename, note)
            outbox.mark_failed(self.store, row.id, note)
            return False
        ready, thread_ts = self._thread_of(row)
        if not ready:
            return False
        outbox.mark_sending(self.store, row.id)
        try:
            if upload.stage == "new" or not upload.upload_url or not upload.file_id:
                file_id, url = self.sink.upload_url(upload.filename, upload.size, upload.alt)
                uploads.set_stage(self.store, upload_id, "url", file_id=file_id, upload_url=url)
            else:
                file_id, url = upload.file_id, upload.upload_url
            if upload.stage != "uploaded":
                try:
                    self.sink.upload_bytes(url, upload.data or b"", upload.mimetype)
                except Exception:
                    uploads.set_stage(self.store, upload_id, "new")  # an expired URL: ask for a new one
                    raise
                uploads.set_stage(self.store, upload_id, "uploaded")
            self._pace(row.channel)
            uploads.set_stage(self.store, upload_id, "completing")
            try:
                comment = str(row.message.get("text") or "")
                self.sink.complete_upload(row.channel, file_id, upload.title, comment, thread_ts)
            except (NotShared, PermanentError):
                uploads.set_stage(self.store, upload_id, "uploaded")  # certainly not shared
                raise
            uploads.mark_done(self.store, upload_id)
        except PermanentError as e:
            log.error("upload %s (%s) dropped: %s", upload_id, upload.filename, e)
            outbox.mark_failed(self.store, row.id, str(e))
            return False
        except Exception as e:
            self._failed_attempt(row, e)
            return False
        outbox.mark_sent(self.store, row.id)
        return True

    def _post_attachment(self, channel: str, thread_ts: str, text: str, style: str = "pre") -> None:
        """The report in the card's thread, in at most MAX_REPORT_PARTS parts. The card is already
        posted: a failure here must not fail the row (a retry would post the card twice), so it is
        logged, and what could not be posted is said in the thread when Slack lets us."""
        chunks = block_kit.attachment_chunks(text, style=style)
        shown = chunks[:MAX_REPORT_PARTS]
        try:
            for chunk in shown:
                self._pace(channel)
                self.sink.post(channel, {"text": "report", "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}]}, thread_ts=thread_ts)
            if len(chunks) > len(shown):
                note = (f"… {len(chunks) - len(shown)} more parts of this report were not posted (a thread shows "
                        f"at most {MAX_REPORT_PARTS}); the complete result is kept with its run in Ferry's state.")
                self._pace(channel)
                self.sink.post(channel, {"text": note, "blocks": [
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]}, thread_ts=thread_ts)
        except Exception as e:
            log.warning("report in thread %s cut short: %s", thread_ts, f"{type(e).__name__}: {e}"[:300])

    def _parent_lost(self, card_key: str) -> bool:
        """A thread reply whose card will never be posted (failed) goes to the channel instead."""
        row = self.store.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE card_key = ? AND thread_of IS NULL AND state IN ('pending','sending')",
            [card_key]).fetchone()
        return row[0] == 0

    def _pace(self, channel: str) -> None:
        wait = self._last_post.get(channel, 0) + self.min_interval_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_post[channel] = time.monotonic()
