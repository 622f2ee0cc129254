"""The one place Slack payloads become Ferry's plain objects (who, what, where)."""

from __future__ import annotations

import json
from typing import Any

from core.who import Who


def who_from_command(body: dict[str, Any]) -> Who:
    return Who(user_id=body.get("user_id", ""), team_id=body.get("team_id"),
               enterprise_id=body.get("enterprise_id"), channel_id=body.get("channel_id"))


def who_from_action(body: dict[str, Any]) -> Who:
    user = body.get("user") or {}
    team = body.get("team") or {}
    enterprise = body.get("enterprise") or {}
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    return Who(user_id=user.get("id", ""), team_id=team.get("id") or user.get("team_id"),
               enterprise_id=enterprise.get("id") if isinstance(enterprise, dict) else enterprise,
               channel_id=channel.get("id") or container.get("channel_id"))


def who_from_view(body: dict[str, Any], channel_id: str | None) -> Who:
    user = body.get("user") or {}
    team = body.get("team") or {}
    enterprise = body.get("enterprise") or {}
    return Who(user_id=user.get("id", ""), team_id=team.get("id") or user.get("team_id"),
               enterprise_id=enterprise.get("id") if isinstance(enterprise, dict) else enterprise,
               channel_id=channel_id)


def view_metadata(body: dict[str, Any]) -> dict[str, str]:
    """What Ferry put in the modal's private_metadata: a dict of strings, or {} when it is not
    (a forged or damaged submission gets "out of date", not a crash)."""
    try:
        meta = json.loads(body.get("view", {}).get("private_metadata") or "{}")
    except ValueError:
        return {}
    if not isinstance(meta, dict):
        return {}
    return {k: v for k, v in meta.items() if isinstance(v, str)}


def view_inputs(body: dict[str, Any]) -> dict[str, str]:
    """The text typed into a modal's inputs, by block id."""
    out = {}
    for block_id, actions in (body.get("view", {}).get("state", {}).get("values") or {}).items():
        for action in actions.values():
            if action.get("type") == "plain_text_input":
                out[block_id] = action.get("value") or ""
    return out
