"""The values of Start buttons: issued by `/migrate start`, stored, spent by one click.

A click is trusted only as far as its value matches one Ferry issued: anyone who can send a
signed click could otherwise start any transfer with `<transfer>|anything`. A value is spent by
the click that acts (Start or Cancel), and expires after CONFIRM_TTL: an old card shows an old
size and ETA, and asks again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from features.services import Services

CONFIRM_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Confirmation:
    value: str
    transfer_id: str
    expires_at: str
    used_at: str | None
    outcome: str | None


class NotIssued(Exception):
    """The value is not one Ferry issued (forged, or made for another transfer)."""


class Expired(Exception):
    def __init__(self, transfer_id: str) -> None:
        super().__init__(transfer_id)
        self.transfer_id = transfer_id


def _now(services: Services) -> str:
    return services.clock.now().isoformat(timespec="milliseconds")


def issue(services: Services, transfer_id: str, user_id: str | None) -> str:
    """A new Start value for a confirmation card of `transfer_id`."""
    value = f"{transfer_id}|{secrets.token_urlsafe(12)}"
    now = services.clock.now()
    services.store.db.execute(
        "INSERT INTO start_confirmations (value, transfer_id, issued_to, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [value, transfer_id, user_id, now.isoformat(timespec="milliseconds"),
         (now + CONFIRM_TTL).isoformat(timespec="milliseconds")])
    return value


def get(services: Services, value: str) -> Confirmation:
    """The issued confirmation `value` stands for; NotIssued otherwise."""
    row = services.store.db.execute(
        "SELECT value, transfer_id, expires_at, used_at, outcome FROM start_confirmations WHERE value = ?",
        [value]).fetchone()
    if row is None:
        raise NotIssued(value)
    return Confirmation(*row)


def spend(services: Services, value: str, user_id: str, outcome: str) -> Confirmation | None:
    """Mark the value used by this click. Returns the confirmation when this click is the one
    that acts; None when it was already spent (a second click, another operator). Expired
    raises: an old card must ask again."""
    conf = get(services, value)
    now = _now(services)
    if conf.used_at is None and conf.expires_at <= now:
        raise Expired(conf.transfer_id)
    cur = services.store.db.execute(
        "UPDATE start_confirmations SET used_at = ?, used_by = ?, outcome = ? WHERE value = ? AND used_at IS NULL",
        [now, user_id, outcome, value])
    return conf if cur.rowcount == 1 else None


def unspend(services: Services, value: str) -> None:
    """The click did not act after all (the start failed): the card may be pressed again."""
    services.store.db.execute(
        "UPDATE start_confirmations SET used_at = NULL, used_by = NULL, outcome = NULL WHERE value = ?", [value])


def forget_expired(services: Services, keep: timedelta = timedelta(days=7)) -> None:
    """Drop values long past their expiry (their cards answer "not issued" from then on)."""
    services.store.db.execute("DELETE FROM start_confirmations WHERE expires_at < ?",
                              [(services.clock.now() - keep).isoformat(timespec="milliseconds")])
