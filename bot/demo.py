"""`make demo`: the sandbox and Ferry together. Ferry serves HTTP exactly as in production;
the sandbox's Slack stand-in plays Slack, and you talk to it from the local channel page (when
present) or this terminal, as any of the sandbox's users."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from bot import text as text_render
from bot.serving import start_http
from core.message import Button
from sandbox.cli import print_endpoints
from sandbox.slack import SlackDriver, SlackStandIn
from sandbox.stack import SANDBOX_SIGNING_SECRET, USERS, SandboxStack, apply_env

CHANNEL = "C0FERRY01"
LOG_PATH = Path("var/demo.log")  # beside var/sandbox, in the folder the demo runs in

TOUR = """
A short tour (you are alice, an operator; `/as bob` switches to an approver):
  /migrate help                 every verb
  /migrate status               what is running, what failed, open alerts
  /migrate assess               inventory the AS-IS cluster through Cloudera Manager, with risks
  /migrate plan                 how long the copy takes at the usable bandwidth
  /migrate count all            row counts on both sides (the sandbox has drift on purpose)
  /migrate compare orders --full    every differing row (on the clusters' MapReduce: HashTable + SyncTable)
  /migrate start hbase-orders   copy a table, watch its progress card
  /migrate cutover              the runbook, with Approve / Reject buttons
Press a button by typing its number. Ctrl-C (or `quit`) stops Ferry and the whole sandbox.
"""


class TerminalClient:
    """A very small Slack client for the stand-in: prints what the selected user would see, and
    asks what Slack would ask: a button's confirmation (y/N) and a modal's text (Reject's reason).
    A question waits for the next line typed; nothing typed ends the terminal but `quit`."""

    def __init__(self, standin: SlackStandIn, driver: SlackDriver, user: str, out: TextIO | None = None) -> None:
        self.standin, self.driver, self.user = standin, driver, user
        self.out = out
        self.seen: dict[str, int] = {}  # ts -> edits shown
        self.buttons: list[tuple[Button, str]] = []  # (button, message ts), numbered from 1
        self.lock = threading.Lock()
        self.confirming: tuple[Button, str] | None = None
        self.views: list[dict] = []  # modals opened for our clicks, oldest first
        self._triggers: set[str] = set()
        self._views_seen = 0
        standin.subscribe(self.refresh)

    def say(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def refresh(self) -> None:
        with self.lock:
            for m in self.standin.channel_messages(CHANNEL, for_user=self.user):
                if self.seen.get(m.ts) == m.edited:
                    continue
                updated = m.ts in self.seen
                self.seen[m.ts] = m.edited
                message = text_render.from_block_kit({"text": m.text, "blocks": m.blocks})
                body, buttons = text_render.render(message, buttons_from=len(self.buttons) + 1)
                for f in m.files:  # a chart or the report: where to open it
                    body += f"\n[file] {f.get('title') or f.get('name')}: {f.get('url_private')}"
                self.buttons.extend((b, m.ts) for b in buttons)
                where = "thread" if m.thread_ts else ("only you" if m.ephemeral_to else "#migration")
                self.say(f"\n--- [{where}] {'(updated) ' if updated else ''}\n{body}")
            self._pick_up_views()

    def _pick_up_views(self) -> None:
        calls = self.standin.calls_of("views.open")
        for call in calls[self._views_seen:]:
            view = call.params.get("view")
            if isinstance(view, str):
                try:
                    view = json.loads(view)
                except ValueError:
                    continue
            if call.params.get("trigger_id") in self._triggers and isinstance(view, dict):
                self.views.append(view)
                self._ask_view(view)
        self._views_seen = len(calls)

    def _ask_view(self, view: dict) -> None:
        title = (view.get("title") or {}).get("text", "Ferry")
        label = next((b.get("label", {}).get("text", "") for b in view.get("blocks", []) if b.get("type") == "input"),
                     "Your answer")
        self.say(f"\n--- [{title}] {label}\nType your answer on one line (an empty line cancels).")

    def handle(self, line: str) -> bool:
        line = line.strip()
        if line in ("quit", "exit"):
            return False
        with self.lock:
            view = self.views.pop(0) if self.views else None
        if view is not None:
            self._answer_view(view, line)
        elif self.confirming is not None:
            button, ts = self.confirming
            self.confirming = None
            if line.lower() in ("y", "yes"):
                self._click(button, ts)
            else:
                self.say("Not sent.")
        elif line.startswith("/as "):
            wanted = line[4:].strip()
            match = next((u for u in USERS if wanted in (u["id"], u["name"])), None)
            if match:
                self.user = match["id"]
                self.say(f"You are now {match['name']} ({match['role']}).")
                self.seen.clear()
            else:
                self.say("Users: " + ", ".join(f"{u['name']} ({u['role']})" for u in USERS))
        elif re.fullmatch(r"[0-9]{1,6}", line) and 0 < int(line) <= len(self.buttons):
            # ASCII digits only: '²' passes str.isdigit() and int() refuses it.
            button, ts = self.buttons[int(line) - 1]
            if button.confirm:
                c = button.confirm
                self.confirming = (button, ts)
                self.say(f"\n--- {text_render.plain(c.title)}\n{text_render.plain(c.text)}\n"
                         f"{c.confirm} [y/N]?")
            else:
                self._click(button, ts)
        elif line.startswith("/migrate"):
            self.driver.command(line[len("/migrate"):].strip(), user=self.user, channel=CHANNEL)
        elif line:
            self.say("Type `/migrate …`, a button number, `/as bob`, or `quit`.")
        return True

    def _click(self, button: Button, ts: str) -> None:
        trigger = f"{time.time_ns()}.terminal"
        with self.lock:
            self._triggers.add(trigger)
        self.driver.click(button.action_id, button.value, user=self.user, channel=CHANNEL, message_ts=ts,
                          trigger_id=trigger, label=button.label)

    def _answer_view(self, view: dict, text: str) -> None:
        if not text:
            self.say("Cancelled.")
            return
        delivery = self.driver.submit_view(view.get("callback_id", ""), view.get("private_metadata", ""), text,
                                           user=self.user)
        body = json.loads(delivery.body) if delivery.body.strip().startswith("{") else {}
        if body.get("response_action") == "errors":  # Slack keeps the modal open and says why
            self.say("  " + "; ".join(str(v) for v in (body.get("errors") or {}).values()))
            with self.lock:
                self.views.insert(0, view)
            self._ask_view(view)


def run_demo(config: str | None = None) -> int:
    # SIGTERM stops the demo as Ctrl-C does, from the first moment: everything unwinds through
    # the `with` and `finally` below, so no server (PostgreSQL above all) is left running.
    signal.signal(signal.SIGTERM, _interrupt)
    terminal_err = _logs_to_file(LOG_PATH)
    print(f"Starting the sandbox and Ferry… (their logs: {LOG_PATH})", flush=True)
    try:
        with SandboxStack(data_dir="var/sandbox") as stack:
            apply_env(stack.env)
            serving = start_http(str(config or stack.config_path), token=stack.env["SLACK_BOT_TOKEN"],
                                 signing_secret=SANDBOX_SIGNING_SECRET, api_url=stack.slack.api_url)
            try:
                _run(stack, serving)
            finally:
                serving.stop()
    except KeyboardInterrupt:
        pass
    except Exception as e:  # a part that would not start: say which and why, no trace
        print(f"\nThe demo could not start: {type(e).__name__}: {e} (details in {LOG_PATH})", file=terminal_err)
        logging.getLogger("ferry.demo").exception("the demo could not start")
        return 1
    print("\nFerry and the sandbox stopped.")
    return 0


def _run(stack: SandboxStack, serving) -> None:
    driver = SlackDriver(serving.url, SANDBOX_SIGNING_SECRET, stack.slack)
    print_endpoints(stack)
    print(f"  {'Ferry'.ljust(22)}  {serving.url}/slack/events")
    page = _mount_channel(stack.slack, driver)
    if page:
        print(f"\nOpen the channel in a browser: {page}")
    print(TOUR, flush=True)
    if not sys.stdin.isatty():
        threading.Event().wait()  # until Ctrl-C or SIGTERM
        return
    client = TerminalClient(stack.slack, driver, USERS[0]["id"])
    try:
        while client.handle(input("> ")):
            pass
    except EOFError:
        pass


def _logs_to_file(path: Path) -> TextIO:
    """Log lines and stray tracebacks (a browser tab closed during a long poll is a
    BrokenPipeError in the page's server thread) go to `path`, not into the chat: every log
    handler, and sys.stderr, which is where Python prints a thread's uncaught exception. The
    terminal's own stderr is returned for the few lines meant for the person."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # 0600 like the state: log lines may quote what people typed. Open for the process's life.
    log_file = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", buffering=1,
                         encoding="utf-8")
    level = os.environ.get("FERRY_LOG_LEVEL", "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=[logging.StreamHandler(log_file)], force=True)
    terminal_err = sys.stderr
    sys.stderr = log_file
    return terminal_err


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _mount_channel(standin: SlackStandIn, driver: SlackDriver) -> str | None:
    try:
        from sandbox.channel import mount
    except ImportError:
        return None
    return mount(standin, driver, channel=CHANNEL, users=USERS)
