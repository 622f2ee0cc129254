"""The services a feature runs with: configuration, state, the Slack directory, the job runner, and
posting to the migration channel through the outbox. Built once by bot/runtime.py (or `run`)
and handed to verbs (Invocation.services) and to scheduled jobs (jobs/scheduler.py passes it as
the first argument), so no module reaches for a global."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from config import Config
from core.clock import Clock, SystemClock
from core.message import Message
from core.ports import Directory, JobRunner, NoDirectory
from state import Store, outbox, uploads
from state.runs import Run


@dataclass
class Services:
    config: Config
    store: Store
    directory: Directory = field(default_factory=NoDirectory)
    jobs: JobRunner | None = None
    clock: Clock = field(default_factory=SystemClock)  # tests hand in a ManualClock
    # Set when the runtime stops: long-running work of this runtime (hbase-copy threads) ends.
    stopped: threading.Event = field(default_factory=threading.Event)
    # What other features do when a transfer run ends done (features/registry.py fills it).
    after_transfer: tuple[Callable[[Services, Run], None], ...] = ()

    def post(self, message: Message, *, card_key: str | None = None, thread_of: str | None = None,
             dedupe_key: str | None = None) -> int | None:
        """Queue a message for the migration channel (the poster sends it)."""
        return outbox.enqueue(self.store, self.config.slack.channel, message.to_dict(), card_key=card_key,
                              thread_of=thread_of, dedupe_key=dedupe_key)

    def upload(self, filename: str, data: bytes, *, title: str, comment: Message, mimetype: str = "image/png",
               alt: str = "", thread_of: str | None = None, dedupe_key: str | None = None) -> int | None:
        """Queue a file for the migration channel (in the thread of card `thread_of`); the poster
        uploads it with Slack's three-step flow, once (state/uploads.py)."""
        return uploads.enqueue(self.store, self.config.slack.channel, filename=filename, data=data, title=title,
                               mimetype=mimetype, comment=comment.to_dict(), alt=alt, thread_of=thread_of,
                               dedupe_key=dedupe_key)

    def post_ephemeral(self, user_id: str, message: Message) -> int | None:
        return outbox.enqueue(self.store, self.config.slack.channel, message.to_dict(), user_id=user_id)


def members_of(services: Services, ids: tuple[str, ...]) -> set[str]:
    users = {i for i in ids if not i.startswith("S")}
    for group in (i for i in ids if i.startswith("S")):
        users |= services.directory.members(group)
    return users
