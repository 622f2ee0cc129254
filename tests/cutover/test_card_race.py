"""Two threads publishing the runbook card at once (an approval's answer, and the step the
quorum started): the card queued last, and the digest remembered, are of the newer state."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from config import load
from core.message import Message
from core.who import Who
from features.cutover import approvals, card
from features.cutover import store as cutover
from features.registry import open_store
from features.services import Services
from state import outbox
from tests.cutover.conftest import ALICE, MANUAL_RUNBOOK, write


@dataclass
class HeldPost(Services):
    """Services whose first post waits (up to a second) until another card has been queued: the
    moment between a publish reading the state and queuing its card, held open."""

    entered: threading.Event = field(default_factory=threading.Event)
    other_queued: threading.Event = field(default_factory=threading.Event)
    held: bool = False

    def post(self, message: Message, **kwargs) -> int | None:  # type: ignore[no-untyped-def]
        if kwargs.get("card_key") and not kwargs.get("thread_of"):  # the card itself, not a note
            if not self.held:
                self.held = True
                self.entered.set()
                self.other_queued.wait(1.0)
            else:
                self.other_queued.set()
        return super().post(message, **kwargs)


def test_the_card_queued_last_is_built_from_the_newest_state(tmp_path):
    cfg = load(str(write(tmp_path, MANUAL_RUNBOOK)))
    services = HeldPost(config=cfg, store=open_store(cfg.state.path))
    first = threading.Thread(target=card.publish, args=(services,))
    first.start()  # reads the state (step ready), then waits in post
    assert services.entered.wait(5)
    approvals.request(services, Who(ALICE, channel_id=cfg.slack.channel), "freeze-writes|1")
    second = threading.Thread(target=card.publish, args=(services,))
    second.start()  # the step is requested now
    first.join(5)
    second.join(5)
    queued = [r for r in outbox.pending(services.store, limit=100) if r.card_key and not r.thread_of]
    assert queued and "requested" in queued[-1].message["text"], [r.message["text"] for r in queued]
    assert cutover.meta(services.store, "card_digest") == card.digest_of(card.build(services))
