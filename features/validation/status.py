"""Validation's part of `/migrate status`: open alerts, then each validation's latest result."""

from __future__ import annotations

from config.units import human_duration
from core.status import StatusPart
from features.services import Services
from features.validation.api import latest_result
from features.validation.store import open_alerts
from state import runs


def status_part(services: Services) -> StatusPart | None:
    alerts = open_alerts(services.store)
    validations = list(services.config.validations)
    if not alerts and not validations:
        return None
    lines = [f":rotating_light: *{a.fingerprint}* failing since {a.opened_at[:16].replace('T', ' ')} UTC"
             f" ({a.failures} runs): {a.summary}" + (" _(silenced)_" if a.silenced_until else "") for a in alerts]
    data = {"alerts": [{"fingerprint": a.fingerprint, "since": a.opened_at, "failures": a.failures,
                        "summary": a.summary} for a in alerts], "validations": []}
    for v in validations:
        r = latest_result(services, v.id)
        sched = v.schedule.describe() if v.schedule else "by hand"
        current = runs.latest(services.store, "validation", v.id)
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
