"""Validation's part of `/migrate status`: open alerts, then each validation's latest result."""

from __future__ import annotations

from config.units import human_duration
from core.status import StatusPart
from features.services import Services
from features.validation.api import latest_results
from features.validation.runner import KIND
from features.validation.store import open_alerts
from state import runs


def alert_name(alert) -> str:
    """An alert named as its validation is below (`events-full`), with the table when the
    validation has several; an alert of a check by hand by its table and check in words."""
    from features.validation.cards import CHECK_TITLES

    check = CHECK_TITLES.get(alert.check_kind, alert.check_kind).lower()
    if alert.validation_id:
        return f"`{alert.validation_id}` ({alert.table_id} {check})"
    return f"`{alert.table_id}` {check}"


def status_part(services: Services) -> StatusPart | None:
    alerts = open_alerts(services.store)
    validations = list(services.config.validations)
    if not alerts and not validations:
        return None
    lines = [f":rotating_light: {alert_name(a)} failing since {a.opened_at[:16].replace('T', ' ')} UTC"
             f" ({a.failures} failing run{'s' * (a.failures != 1)}): {a.summary}"
             + (" _(silenced)_" if a.silenced_until else "") for a in alerts]
    data = {"alerts": [{"fingerprint": a.fingerprint, "since": a.opened_at, "failures": a.failures,
                        "summary": a.summary} for a in alerts], "validations": []}
    results = latest_results(services) if validations else {}
    newest = runs.latest_each(services.store, KIND, detail_keys=()) if validations else {}
    for v in validations:
        r = results.get(v.id)
        sched = v.schedule.describe() if v.schedule else "by hand"
        current = newest.get(v.id)
        if current is not None and current.active:
            lines.append(f":arrows_counterclockwise: `{v.id}` ({v.check}, {sched}): running now"
                         + (f"; last {r.state} {human_duration(r.age_s)} ago" if r else ""))
        elif r is None:
            lines.append(f"• `{v.id}` ({v.check}, {sched}): not run yet")
        else:
            icon = ":white_check_mark:" if r.passed else (":x:" if r.state == "failed" else ":rotating_light:")
            lines.append(f"{icon} `{v.id}` ({v.check}, {sched}): {r.state} {human_duration(r.age_s)} ago")
        data["validations"].append({"id": v.id, "state": r.state if r else None, "age_s": r.age_s if r else None})
    return StatusPart("Validations", lines[:40], data)
