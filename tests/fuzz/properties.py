"""What every answer must be, whatever the input: a sentence for a person, in time; and the
audit trail only ever grows."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

from commands import texts

# Modest on purpose: these run in `make test` on a 2-core machine. FERRY_FUZZ_EXAMPLES raises
# them for a longer hunt (`FERRY_FUZZ_EXAMPLES=2000 pytest tests/fuzz`); FERRY_FUZZ_RANDOM=1
# draws new examples instead of the same ones every run.
EXAMPLES = int(os.environ.get("FERRY_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("FERRY_FUZZ_RANDOM") is None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                database=None)
IN_TIME_S = 2.5  # Slack wants its ack within 3 s
NOT_FOR_PEOPLE = ("Traceback", "Exception", "Error:", "object at 0x", "<class ", "File \"")
INTERNAL = texts.INTERNAL_ERROR.split("{verb}")[0]


def timed(fn: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = fn()
    took = time.monotonic() - started
    assert took < IN_TIME_S, f"answered in {took:.2f} s"
    return result


def assert_sentence(reply: Any) -> str:
    """The reply is a sentence: some words for a person, no trace, not 'something went wrong'."""
    assert reply is not None and reply.message is not None or reply.modal, reply
    if reply.message is None:
        return str(reply.modal.get("label", ""))
    text = reply.message.text + " " + repr(reply.message.blocks)
    assert any(c.isalpha() for c in reply.message.text), reply.message.text
    for word in NOT_FOR_PEOPLE:
        assert word not in text, f"{word!r} shown to a person: {text[:400]}"
    assert INTERNAL not in text, text[:400]
    # Nothing typed comes back live: no broadcast (<!channel>), no link, no bidi control. Ferry's
    # own mentions (<@U…>, <#C…>) are the only control sequences it writes in these replies.
    live = INJECTED.findall(reply.message.text + " ".join(_texts(reply.message.blocks)))
    assert not live, f"shown live: {live} in {text[:400]}"
    return text


INJECTED = re.compile(r"<![^>]*>|<https?:[^>]*>|<mailto:[^>]*>|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _texts(blocks: Any) -> list[str]:
    """Every string inside the blocks (sections, fields, contexts, buttons, confirms)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)
        elif hasattr(node, "__dataclass_fields__"):
            for name in node.__dataclass_fields__:
                walk(getattr(node, name))

    walk(blocks)
    return out


class AuditLedger:
    """Snapshots of the audit trail: later ones must start with every earlier row, unchanged."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.rows: list[tuple] = self._read()

    def _read(self) -> list[tuple]:
        return self.store.db.execute("SELECT * FROM audit ORDER BY id").fetchall()

    def check(self) -> None:
        now = self._read()
        assert len(now) >= len(self.rows), "audit rows disappeared"
        assert _digest(now[: len(self.rows)]) == _digest(self.rows), "an audit row changed"
        self.rows = now


def _digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()
