"""User groups (S…) resolved through usergroups.users.list, cached in state for a while."""

from __future__ import annotations

import logging

from state import Store, usergroups

log = logging.getLogger(__name__)


class SlackDirectory:
    def __init__(self, client, store: Store, *, max_age_s: float = 600.0) -> None:
        self.client = client
        self.store = store
        self.max_age_s = max_age_s

    def members(self, group_id: str) -> set[str]:
        cached = usergroups.cached(self.store, group_id, self.max_age_s)
        if cached is not None:
            return set(cached)
        try:
            users = list(self.client.usergroups_users_list(usergroup=group_id)["users"])
        except Exception as e:
            # Slack down or the group gone: fall back to the last known members, else nobody.
            log.warning("could not resolve user group %s: %s", group_id, e)
            stale = usergroups.cached(self.store, group_id, float("inf"))
            return set(stale or ())
        usergroups.remember(self.store, group_id, users)
        return set(users)
