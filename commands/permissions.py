"""Who may do what: read-only verbs anyone in the channel; mutating verbs operators; cutover
approvals approvers. Lists may name user groups (S…), resolved through the directory."""

from __future__ import annotations

from commands.context import Services
from commands.registry import Permission
from features.services import members_of


def allowed(services: Services, user_id: str, permission: Permission) -> bool:
    people = services.config.people
    if permission is Permission.READ:
        return True
    if permission is Permission.OPERATE:
        return user_id in members_of(services, people.operators)
    return user_id in members_of(services, people.approvers)


ROLE_NAMES = {Permission.OPERATE: "operators", Permission.APPROVE: "approvers"}
