"""The alert lifecycle: open → update (still failing) → resolve, and silence.

One alert per fingerprint (`table:check`). Every transition and the messages it posts happen
in one SQLite transaction (the outbox is in the same database), keyed by the run that caused
it: a job re-executed after a restart finds its run already applied and posts nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.message import Message, Section
from features.services import Services
from features.validation import cards
from features.validation.model import CompareResult, CountResult
from features.validation.store import Alert, get_alert, save_alert
from state.store import now_iso


def fingerprint(table_id: str, check: str) -> str:
    return f"{table_id}:{check}"


def _silenced(alert: Alert, now: datetime) -> bool:
    return bool(alert.silenced_until) and datetime.fromisoformat(alert.silenced_until) > now


def figures(result: CountResult | CompareResult) -> str:
    if isinstance(result, CountResult):
        diff = result.difference
        return (f"AS-IS {result.rows_asis if result.rows_asis is not None else '—'} rows, TO-BE "
                f"{result.rows_tobe if result.rows_tobe is not None else '—'} rows"
                + (f" ({diff:+,})" if diff is not None else ""))
    return (f"AS-IS {result.rows_asis:,} rows, TO-BE {result.rows_tobe:,} rows: {result.n_missing:,} missing,"
            f" {result.n_extra:,} extra, {result.n_changed:,} changed, {result.n_duplicates:,} duplicate keys")


def silence_hours(services: Services, validation_id: str | None) -> int:
    spec = services.config.validations.get(validation_id) if validation_id else None
    return spec.silence_hours if spec else 4


def on_result(services: Services, result: CountResult | CompareResult | None, *, table_id: str, check: str,
              run_id: str, validation_id: str | None, may_open: bool, error: str | None = None) -> str | None:
    """Apply a run's outcome for one table to its alert. Returns the action taken (open, update,
    resolve) or None. `error` (the check could not run) neither opens nor resolves an alert."""
    if error is not None or result is None:
        return None
    fp = fingerprint(table_id, check)
    now = services.clock.now()
    stamp = now_iso()
    detail: dict[str, Any] = {"figures": figures(result)}
    if isinstance(result, CompareResult):
        detail["examples"] = cards.examples(result)
    with services.store.transaction() as db:
        alert = get_alert(db, fp)
        if alert is not None and alert.last_run_id == run_id:
            return None  # this run was applied already (a re-executed job)
        if not result.passed:
            if alert is None or alert.state == "resolved":
                if not may_open:
                    return None
                alert = Alert(fp, table_id, check, "open", (alert.generation + 1) if alert else 1, stamp, stamp,
                              failures=1, validation_id=validation_id, first_run_id=run_id, last_run_id=run_id,
                              summary=result.summary(), detail=detail)
                action = "open"
            else:
                alert.failures += 1
                alert.updated_at = stamp
                alert.last_run_id = run_id
                alert.summary = result.summary()
                alert.detail = detail
                alert.validation_id = validation_id or alert.validation_id
                action = "update"
        else:
            if alert is None or alert.state != "open":
                return None
            alert.detail = {**alert.detail, "last_failure": alert.summary}
            alert.state = "resolved"
            alert.resolved_at = stamp
            alert.updated_at = stamp
            alert.last_run_id = run_id
            alert.summary = result.summary()
            action = "resolve"
        save_alert(db, alert)
        hours = silence_hours(services, alert.validation_id)
        services.post(cards.alert_card(alert, hours), card_key=alert.card_key, dedupe_key=f"{alert.card_key}:{run_id}")
        if action == "update" and not _silenced(alert, now):
            services.post(cards.alert_update(alert), thread_of=alert.card_key,
                          dedupe_key=f"{alert.card_key}:{run_id}:thread")
        elif action == "resolve":
            services.post(cards.alert_resolved_note(alert), thread_of=alert.card_key,
                          dedupe_key=f"{alert.card_key}:{run_id}:resolved")
    return action


def unsilence(services: Services, fp: str, generation: int, who: str) -> Alert | None:
    """Undo a silence: thread notes resume with the next failing run. None if the alert is no
    longer open in that generation or not silenced."""
    with services.store.transaction() as db:
        alert = get_alert(db, fp)
        if alert is None or alert.state != "open" or alert.generation != generation or not alert.silenced_until:
            return None
        turns = int(alert.detail.get("unsilenced", 0)) + 1
        alert.silenced_until = None
        alert.silenced_by = None
        alert.detail = {**alert.detail, "unsilenced": turns}
        alert.updated_at = now_iso()
        save_alert(db, alert)
        hours = silence_hours(services, alert.validation_id)
        services.post(cards.alert_card(alert, hours), card_key=alert.card_key,
                      dedupe_key=f"{alert.card_key}:unsilence:{turns}")
        note = f":bell: Unsilenced by <@{who}>: failing runs post here again."
        services.post(Message(note, [Section(note)]), thread_of=alert.card_key,
                      dedupe_key=f"{alert.card_key}:unsilence:{turns}:thread")
    return alert


def silence(services: Services, fp: str, generation: int, hours: int, who: str) -> Alert | None:
    """Silence the alert for `hours`: its card still updates in place, without thread notes."""
    with services.store.transaction() as db:
        alert = get_alert(db, fp)
        if alert is None or alert.state != "open" or alert.generation != generation:
            return None
        alert.silenced_until = (services.clock.now() + timedelta(hours=hours)).isoformat(timespec="seconds")
        alert.silenced_by = who
        alert.updated_at = now_iso()
        save_alert(db, alert)
        services.post(cards.alert_card(alert, hours), card_key=alert.card_key,
                      dedupe_key=f"{alert.card_key}:silence:{alert.detail.get('unsilenced', 0)}:{alert.silenced_until}")
    return alert
