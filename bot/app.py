"""The Bolt app: listeners ack at once and do the work after it (DESIGN: ack < 3 s).

    Slack --signed request--> ack() --> after the ack: commands.dispatch --> reply (ephemeral
    via response_url) or outbox (channel messages, sent by bot/poster.py)

Verbs that answer from state alone (status, help, audit, plan) answer inside the ack, computed
in the request thread with a deadline on their state reads (Store.within).
"""

from __future__ import annotations

import json
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot import blocks as block_kit
from bot import requests as slack_requests
from commands import dispatch
from commands.context import Reply, Services
from core.errors import TooSlowForAck

log = logging.getLogger(__name__)

ACTION_PATTERN = re.compile(r"^ferry:")
# Slack waits 3 s for the ack. An answer computed inside it (status, help, audit, plan) gets this
# long to read the state; past it (a locked database, a read cut short) the answer is delivered
# afterwards through the response_url instead, so Slack never shows a timeout.
INLINE_BUDGET_S = 1.5


def make_client(token: str, api_url: str | None = None) -> WebClient:
    """A WebClient that waits out HTTP 429 (Retry-After) and retries dropped connections."""
    return WebClient(
        token=token,
        base_url=api_url or "https://slack.com/api/",
        timeout=15,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5), ConnectionErrorRetryHandler(max_retry_count=2)],
    )


class _UnusedTokenWarning(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN from the environment is unused when given a client: true
    and intended (the client carries the token), so that one line is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_UnusedTokenWarning())


def build_app(services: Services, client: WebClient, signing_secret: str, *, verify_token: bool = True,
              workers: int = 8) -> App:
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=verify_token,
        # Run ack() in the request thread: otherwise Bolt queues it on the listener pool behind
        # the lazy work and polls for it every 10 ms. Lazy listeners still run after the ack.
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ferry-listener"),
    )
    register(app, services, workers)
    app.error(on_error)
    return app


def on_error(error: Exception, logger: logging.Logger) -> BoltResponse | None:
    """A signed payload that is not shaped as Slack's (`"user": "x"`, `"view": null`) fails in
    Bolt's middleware or in bot/requests.py, which reads it: answer 400 with a line in the log,
    not 500 with a traceback. Anything else, the same exception types included when Ferry's
    own code raised them, is Ferry's fault and is logged in full."""
    if isinstance(error, (AttributeError, TypeError, KeyError, ValueError)) and _raised_reading_the_request(error):
        log.warning("a request Ferry cannot read was refused (%s: %s)", type(error).__name__, str(error)[:200])
        return BoltResponse(status=400, body="")
    log.error("unexpected error while handling a Slack request", exc_info=error)
    return None


_STDLIB = os.path.dirname(logging.__file__).rsplit(os.sep, 1)[0] + os.sep
_READERS = (f"{os.sep}slack_bolt{os.sep}", f"{os.sep}slack_sdk{os.sep}", f"{os.sep}bot{os.sep}requests.py")


def _raised_reading_the_request(error: BaseException) -> bool:
    """Whether the innermost frame of the error is in Bolt, slack_sdk or bot/requests.py (or the
    standard library they called), not in the rest of Ferry."""
    last_outside_stdlib = None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not name.startswith(_STDLIB):
            last_outside_stdlib = name
        tb = tb.tb_next
    return last_outside_stdlib is None or any(part in last_outside_stdlib for part in _READERS)


def register(app: App, services: Services, workers: int = 8) -> None:
    def ack_only(ack) -> None:
        ack()

    def on_command(body: dict[str, Any], respond, client) -> None:
        who = slack_requests.who_from_command(body)
        reply = dispatch.run_command(services, who, body.get("text", ""), request_key=body.get("trigger_id"))
        deliver(services, reply, respond=respond, client=client, trigger_id=body.get("trigger_id"),
                channel=who.channel_id)

    def on_action(body: dict[str, Any], respond, client) -> None:
        who = slack_requests.who_from_action(body)
        action = (body.get("actions") or [{}])[0]
        message = body.get("message") or {}
        ref = {"ts": message.get("ts"), "channel": who.channel_id}
        label = (action.get("text") or {}).get("text") if isinstance(action.get("text"), dict) else None
        reply = dispatch.run_action(services, who, action.get("action_id", ""), action.get("value", ""),
                                    message_ref=ref, label=label)
        deliver(services, reply, respond=respond, client=client, trigger_id=body.get("trigger_id"),
                channel=who.channel_id)

    def on_view(ack, body: dict[str, Any], client) -> None:
        ack()
        meta = slack_requests.view_metadata(body)
        who = slack_requests.who_from_view(body, meta.get("channel"))
        callback = body.get("view", {}).get("callback_id", "")
        reply = dispatch.run_action(services, who, callback, meta.get("value", ""),
                                    inputs=slack_requests.view_inputs(body))
        deliver(services, reply, respond=None, client=client, trigger_id=None, channel=who.channel_id,
                user=who.user_id)

    # Work after the ack: commands that act, and inline answers that ran out of time.
    later = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ferry-command")

    def after_ack(work, *args) -> None:
        def run() -> None:
            try:
                work(*args)
            except Exception:  # the person misses one answer; the bot keeps running
                log.exception("work after the ack of a command failed")
        later.submit(run)

    def on_migrate(ack, body: dict[str, Any], respond, client) -> None:
        # One listener, no matcher: Bolt builds a matcher's arguments on every request (about a
        # tenth of the CPU of answering `status`, profiled in process).
        text = body.get("text", "")
        if not dispatch.answers_inline(text):
            ack()
            after_ack(on_command, body, respond, client)
            return
        # Verbs that answer from state alone reply in the ack itself, computed in this request
        # thread: a hand-off to another thread costs two thread wake-ups per request, which
        # under load is most of the ack's time. What could hold such an answer up is the state
        # database (a lock, a long read); Store.within bounds both.
        who = slack_requests.who_from_command(body)
        try:
            reply = answer_within(services, who, text, request_key=body.get("trigger_id"))
        except TooSlowForAck:
            ack()  # in time for Slack; the answer follows through the response_url

            def late() -> None:  # the request was claimed by the first try: this continues it
                reply = dispatch.run_command(services, who, text, request_key=None)
                deliver(services, reply, respond=respond, client=client, trigger_id=None, channel=who.channel_id)

            after_ack(late)
            return
        if reply is None or reply.message is None or not reply.ephemeral:
            ack()
            if reply is not None and reply.message is not None:  # a write: after the ack, unbounded
                after_ack(lambda r=reply: services.post(r.message, card_key=r.card_key, thread_of=r.thread_of))
            return
        payload = block_kit.render(reply.message)
        ack(text=payload["text"], blocks=payload["blocks"], response_type="ephemeral")

    app.command("/migrate")(on_migrate)
    app.action(ACTION_PATTERN)(ack=ack_only, lazy=[on_action])
    app.view(ACTION_PATTERN)(on_view)


def answer_within(services: Services, who, text: str, *, request_key: str | None) -> Reply | None:
    """`/migrate <text>` answered within INLINE_BUDGET_S, or TooSlowForAck."""
    with services.store.within(INLINE_BUDGET_S):
        try:
            return dispatch.run_command(services, who, text, request_key=request_key)
        except TooSlowForAck:
            raise
        except Exception as e:  # a lock wait or a read cut short outside the verb itself
            if services.store.overran():
                raise TooSlowForAck(text[:40]) from e
            raise


def deliver(services: Services, reply: Reply | None, *, respond, client, trigger_id: str | None,
            channel: str | None, user: str | None = None) -> None:
    """Send a verb's reply where it belongs."""
    if reply is None:
        return
    if reply.modal and trigger_id:
        client.views_open(trigger_id=trigger_id, view=modal_view(reply.modal, channel))
    if reply.message is None:
        return
    if reply.ephemeral:
        payload = block_kit.render(reply.message)
        if respond is not None:
            respond(text=payload["text"], blocks=payload["blocks"], response_type="ephemeral",
                    replace_original=False)
        elif user:
            services.post_ephemeral(user, reply.message)
    else:
        services.post(reply.message, card_key=reply.card_key, thread_of=reply.thread_of)


def modal_view(modal: dict[str, Any], channel: str | None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": modal["action_id"],
        "private_metadata": json.dumps({"value": modal.get("value", ""), "channel": channel}),
        "title": {"type": "plain_text", "text": block_kit.clip(modal.get("title", "Ferry"), 24)},
        "submit": {"type": "plain_text", "text": block_kit.clip(modal.get("submit", "Submit"), 24)},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [{
            "type": "input",
            "block_id": "input",
            "label": {"type": "plain_text", "text": block_kit.clip(modal.get("label", "Reason"), 2000)},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True,
                        "min_length": 3, "max_length": 2000},
        }],
    }
