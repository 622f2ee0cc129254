"""What every QA test checks of a reply: valid Block Kit within Slack's limits, and a clear
sentence (no trace, no exception name, no raw repr)."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

NOT_FOR_PEOPLE = ("Traceback", "Exception", "Error:", "object at 0x", "<class ")


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def assert_clear(payload: dict) -> str:
    """The reply's text and blocks as one string, after checking them."""
    blocks = payload.get("blocks") or []
    assert 0 < len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()
    text = (payload.get("text") or "") + dump(blocks)
    for word in NOT_FOR_PEOPLE:
        assert word not in text, f"{word!r} shown to a person: {text[:500]}"
    return text


def sections(payload: dict) -> str:
    """The visible text of the reply's sections, joined."""
    return "\n".join((b.get("text") or {}).get("text", "") for b in payload.get("blocks") or []
                     if b.get("type") == "section")
