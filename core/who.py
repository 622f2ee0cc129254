"""Who acted: Slack's immutable identity, written to the audit trail and checked by approvals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Who:
    """Slack's immutable identity of whoever acted (not display names, which change)."""

    user_id: str
    team_id: str | None = None
    enterprise_id: str | None = None
    channel_id: str | None = None
