"""`make demo`: the sandbox and Ferry together. Ferry serves HTTP exactly as in production;
the sandbox's Slack stand-in plays Slack, and you talk to it from the local channel page (when
present) or this terminal, as any of the sandbox's users."""

from __future__ import annotations

import signal
import sys
import threading

from bot import text as text_render
from bot.serving import start_http
from sandbox.cli import print_endpoints
from sandbox.slack import SlackDriver, SlackStandIn
from sandbox.stack import SANDBOX_SIGNING_SECRET, USERS, SandboxStack, apply_env

CHANNEL = "C0FERRY01"

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
    """A very small Slack client for the stand-in: prints what the selected user would see."""

    def __init__(self, standin: SlackStandIn, driver: SlackDriver, user: str) -> None:
        self.standin, self.driver, self.user = standin, driver, user
        self.seen: dict[str, int] = {}  # ts -> edits shown
        self.buttons: list[tuple[str, str, str]] = []  # (action_id, value, message ts)
        self.lock = threading.Lock()
        standin.subscribe(self.refresh)

    def refresh(self) -> None:
        with self.lock:
            for m in self.standin.channel_messages(CHANNEL, for_user=self.user):
                if self.seen.get(m.ts) == m.edited:
                    continue
                updated = m.ts in self.seen
                self.seen[m.ts] = m.edited
                message = text_render.from_block_kit({"text": m.text, "blocks": m.blocks})
                body, buttons = text_render.render(message, buttons_from=len(self.buttons) + 1)
                self.buttons.extend((b.action_id, b.value, m.ts) for b in buttons)
                where = "thread" if m.thread_ts else ("only you" if m.ephemeral_to else "#migration")
                print(f"\n--- [{where}] {'(updated) ' if updated else ''}\n{body}", flush=True)

    def handle(self, line: str) -> bool:
        line = line.strip()
        if line in ("quit", "exit"):
            return False
        if line.startswith("/as "):
            wanted = line[4:].strip()
            match = next((u for u in USERS if wanted in (u["id"], u["name"])), None)
            if match:
                self.user = match["id"]
                print(f"You are now {match['name']} ({match['role']}).")
                self.seen.clear()
            else:
                print("Users: " + ", ".join(f"{u['name']} ({u['role']})" for u in USERS))
        elif line.isdigit() and 0 < int(line) <= len(self.buttons):
            action_id, value, ts = self.buttons[int(line) - 1]
            self.driver.click(action_id, value, user=self.user, channel=CHANNEL, message_ts=ts)
        elif line.startswith("/migrate"):
            self.driver.command(line[len("/migrate"):].strip(), user=self.user, channel=CHANNEL)
        elif line:
            print("Type `/migrate …`, a button number, `/as bob`, or `quit`.")
        return True


def run_demo(config: str | None = None) -> int:
    # SIGTERM stops the demo as Ctrl-C does, from the first moment: everything unwinds through
    # the `with` and `finally` below, so no server (PostgreSQL above all) is left running.
    signal.signal(signal.SIGTERM, _interrupt)
    print("Starting the sandbox and Ferry…", flush=True)
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
        print(f"\nThe demo could not start: {type(e).__name__}: {e}", file=sys.stderr)
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


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def _mount_channel(standin: SlackStandIn, driver: SlackDriver) -> str | None:
    try:
        from sandbox.channel import mount
    except ImportError:
        return None
    return mount(standin, driver, channel=CHANNEL, users=USERS)
