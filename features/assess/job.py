"""The assessment job: runs on the scheduler (never in a Slack listener), stores the findings
with the run, and posts the report card (its complete report goes to the card's thread).

    services.jobs.run_soon("features.assess.job:run", job_id=f"assessment:{run_id}", kwargs={"run_id": run_id})

A failure of Cloudera Manager (wrong password, unknown cluster, CM down) marks the run failed
with the connector's sentence (never the password) and posts it to the channel.
"""

from __future__ import annotations

import logging

from config.assess import AssessSettings
from connectors.cloudera import ClouderaError
from features.assess import history, report
from features.assess.assessment import Assessment, NotConfigured, assess
from features.plan import eta as plan_module
from features.services import Services
from state import runs

log = logging.getLogger(__name__)

KIND = history.KIND
REF = "features.assess.job:run"


def card_key(run_id: str) -> str:
    return f"assessment:{run_id}"


def run(services: Services, run_id: str) -> None:
    """The scheduler's entry point (the scheduler hands in the live services)."""
    execute(services, run_id)


def execute(services: Services, run_id: str, *, sequential: bool = False) -> runs.Run | None:
    store = services.store
    run_ = runs.get(store, run_id)
    if run_ is None or run_.state != "pending":  # already run (the job id is unique: this is a replay)
        return run_
    run_ = runs.update(store, run_id, state="running")
    side = run_.subject
    settings: AssessSettings = getattr(services.config, "assess", None) or AssessSettings()
    try:
        a = assess(services.config, side, settings, sequential=sequential)
    except (ClouderaError, NotConfigured) as e:
        return fail(services, run_id, side, str(e))
    except Exception as e:  # a bug or a surprise: the run says what, the bot keeps going
        log.exception("assessment %s failed", run_id)
        return fail(services, run_id, side, f"{type(e).__name__}: {e}"[:500])
    return finish(services, run_id, a, settings)


def finish(services: Services, run_id: str, a: Assessment, settings: AssessSettings) -> runs.Run:
    store = services.store
    changes = history.changes(history.previous(store, a.side, run_id), a.findings)
    plan = plan_module.compute(services.config, store)
    est = report.estimate(a, plan.link)
    message = report.card(a, run_id, changes, plan, settings, est)
    run_ = runs.update(store, run_id, state="done", detail=detail(a, changes, est))
    services.post(message, card_key=card_key(run_id))
    log.info("assessment %s: %s (%d HTTP calls, %.2f s)", run_id, run_.detail["summary"], a.http_calls, a.elapsed_s)
    return run_


def fail(services: Services, run_id: str, side: str, reason: str) -> runs.Run:
    run_ = runs.update(services.store, run_id, state="failed", error=reason, merge={"side": side})
    services.post(report.failure(side, run_id, reason), card_key=card_key(run_id))
    log.warning("assessment %s failed: %s", run_id, reason)
    return run_


def on_start(services: Services) -> None:
    """Start-up hook (features/assess/feature.py): an assessment cut short by a stop is marked failed and said
    so in the channel; one still waiting for its job is queued again (same job id: runs once)."""
    for run_ in runs.recent(services.store, kind=KIND, active_only=True, limit=50):
        if run_.state == "running":
            fail(services, run_.id, run_.subject, "interrupted: Ferry stopped while it ran. "
                                                  f"`/migrate assess {run_.subject}` starts it again.")
        elif services.jobs is not None:
            services.jobs.run_soon(REF, job_id=card_key(run_.id), kwargs={"run_id": run_.id})


def detail(a: Assessment, changes: history.Changes, est: dict | None) -> dict:
    """What the run keeps: enough to compare the next assessment and to answer `run --json`."""
    inv = a.inventory
    source = a.source
    return {
        "side": a.side, "cluster": inv.cluster, "cm_url": inv.cm_url, "cm_version": inv.cm_version,
        "cdh_version": inv.cdh_version, "api_version": inv.api_version, "hosts": len(inv.hosts),
        "services": [{"name": s.name, "type": s.type, "state": s.state, "health": s.health} for s in inv.services],
        "summary": report.summary(a.findings), "counts": report.counts(a.findings),
        "findings": [f.to_dict() for f in a.findings],
        "differences": [d.to_dict() for d in a.differences],
        "changes": changes.to_dict(),
        "estimate": est,
        "source_hdfs": ({"logical_bytes": source.hdfs.logical_bytes, "used_bytes": source.hdfs.used_bytes,
                         "replication": source.hdfs.replication}
                        if source is not None and source.hdfs is not None else None),
        "http_calls": a.http_calls, "elapsed_s": round(a.elapsed_s, 3), "warnings": a.warnings,
    }
