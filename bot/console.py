"""A terminal chat with Ferry: type `/migrate …`, see what Ferry would post, press a button by
its number. Goes through the same dispatcher, state, outbox and poster as Slack."""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import TextIO

from bot import text as text_render
from bot.runtime import Runtime
from commands import dispatch
from commands.context import Reply
from core.message import Message
from core.who import Who


class ConsoleSink:
    """The poster's sink for a terminal: prints what would be posted, numbering the buttons."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._ts = 0
        self._pending: dict[str, bytes] = {}

    def post(self, channel: str, payload: dict, thread_ts: str | None = None) -> str:
        self._ts += 1
        where = f"thread {thread_ts}" if thread_ts else f"#{channel}"
        self.console.show_payload(f"[{where}] message {self._ts}", payload)
        return str(self._ts)

    def update(self, channel: str, ts: str, payload: dict) -> None:
        self.console.show_payload(f"[#{channel}] message {ts} (updated)", payload)

    def ephemeral(self, channel: str, user: str, payload: dict) -> None:
        self.console.show_payload(f"[only you, {user}]", payload)

    # Files (charts, the report) are saved beside the state database and their path printed.
    def upload_url(self, filename: str, length: int, alt: str) -> tuple[str, str]:
        self._ts += 1
        return f"F{self._ts}", f"console:{self._ts}:{Path(filename).name}"

    def upload_bytes(self, upload_url: str, data: bytes, mimetype: str) -> None:
        self._pending[upload_url] = data

    def complete_upload(self, channel: str, file_id: str, title: str, comment: str,
                        thread_ts: str | None) -> None:
        url = next((u for u in self._pending if u.startswith(f"console:{file_id[1:]}:")), None)
        if url is None:
            raise RuntimeError(f"no bytes for {file_id}")
        folder = Path(self.console.runtime.config.state.path).parent / "files"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{file_id}-{url.rsplit(':', 1)[1]}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(self._pending.pop(url))
        where = f"thread {thread_ts}" if thread_ts else f"#{channel}"
        with self.console.lock:
            print(f"\n--- [{where}] file: {title}\n{comment}\n(saved to {path})", file=self.console.out, flush=True)


class Console:
    def __init__(self, config_path: str, user: str | None = None, out: TextIO = sys.stdout) -> None:
        self.out = out
        self.lock = threading.Lock()
        self.buttons: list = []
        self.runtime = Runtime(config_path, sink=ConsoleSink(self), post_interval_s=0.0)
        cfg = self.runtime.config
        self.user = user or next((p for p in cfg.people.operators if not p.startswith("S")), "UCONSOLE")
        self.who = Who(user_id=self.user, team_id="TCONSOLE", channel_id=cfg.slack.channel)
        self._messages: dict[str, Message] = {}
        self._lines = None

    def show_payload(self, title: str, payload: dict) -> None:
        message = text_render.from_block_kit(payload)
        self.show(title, message)

    def show(self, title: str, message: Message) -> None:
        with self.lock:
            body, buttons = text_render.render(message, buttons_from=len(self.buttons) + 1)
            self.buttons.extend(buttons)
            print(f"\n--- {title}\n{body}", file=self.out, flush=True)

    def handle_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        if line.isdigit():
            # ASCII digits of sensible length only: '²' passes isdigit() and int() refuses it.
            index = int(line) - 1 if re.fullmatch(r"[0-9]{1,6}", line) else -1
            if not 0 <= index < len(self.buttons):
                print(f"No button {line}.", file=self.out)
                return
            button = self.buttons[index]
            if button.confirm and not self._confirmed(button.confirm):
                print("Not sent.", file=self.out)
                return
            reply = dispatch.run_action(self.runtime.services, self.who, button.action_id, button.value,
                                        request_key=f"console:{index}:{button.action_id}:{button.value}",
                                        label=button.label)
        elif line.startswith("/migrate"):
            reply = dispatch.run_command(self.runtime.services, self.who, line[len("/migrate"):].strip())
        elif line in ("quit", "exit"):
            raise EOFError
        else:
            print("Type `/migrate help`, a button number, or `quit`.", file=self.out)
            return
        self.deliver(reply)

    def deliver(self, reply: Reply | None) -> None:
        if reply is None:
            return
        if reply.modal:
            answer = self._ask(f"{reply.modal.get('label', 'Reason')} (an empty line cancels): ")
            if not answer.strip():
                print("Cancelled.", file=self.out)
                return
            follow = dispatch.run_action(self.runtime.services, self.who, reply.modal["action_id"],
                                         reply.modal.get("value", ""), inputs={"input": answer})
            self.deliver(follow)
        if reply.message is None:
            return
        if reply.ephemeral:
            self.show(f"[only you, {self.user}]", reply.message)
        else:
            self.runtime.services.post(reply.message, card_key=reply.card_key, thread_of=reply.thread_of)
            if self.runtime.poster:
                self.runtime.poster.drain_once()  # show it before the next prompt

    def _confirmed(self, confirm) -> bool:
        """The confirmation Slack shows before sending a click: its text, then y/N."""
        print(f"\n--- {text_render.plain(confirm.title)}\n{text_render.plain(confirm.text)}",
              file=self.out, flush=True)
        return self._ask(f"{confirm.confirm} [y/N]? ").strip().lower() in ("y", "yes")

    def _ask(self, prompt: str) -> str:
        """The next line typed (or given to loop()): an answer to a question Ferry asked."""
        if self._lines is not None:
            print(prompt, file=self.out, flush=True)
            return next(self._lines, "")
        return input(prompt)

    def loop(self, lines=None) -> None:
        self._lines = iter(lines) if lines is not None else None
        self.runtime.start()
        print(f"Ferry console — you are {self.user} in #{self.runtime.config.slack.channel}. "
              "Type `/migrate help`, a button number, or `quit`.", file=self.out, flush=True)
        try:
            source = self._lines if self._lines is not None else _stdin_lines()
            for line in source:
                try:
                    self.handle_line(line)
                except EOFError:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            if self.runtime.poster:
                self.runtime.poster.drain_once()
            self.runtime.stop()


def _stdin_lines():
    while True:
        try:
            yield input("> ")
        except EOFError:
            return
