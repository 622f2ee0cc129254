"""`/migrate assess [as-is|to-be]`: queue an assessment and answer at once.

The work (Cloudera Manager calls, rules, report) runs on the scheduler (features/assess/job.py),
never in a Slack listener; the asker gets "Assessing… (card follows)" and the channel gets the
report card. Under `python -m bot run`, the job runs inline: the reply then carries the result
(findings, counts, changes) for `--json`, and the card is in the printed messages.
"""

from __future__ import annotations

from datetime import UTC, datetime

from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from core.message import Context, Message, Section, shown
from state import runs

SIDES = {"as-is": "as-is", "asis": "as-is", "source": "as-is", "to-be": "to-be", "tobe": "to-be", "target": "to-be"}
# An assessment takes seconds; one still "running" after this long was cut short (Ferry restarted).
STALE_AFTER_S = 600.0


def handle(inv: Invocation) -> Reply:
    if len(inv.args) > 1:
        raise UsageError("`assess` takes one side at most: `as-is` (the default) or `to-be`.")
    word = inv.args[0].lower() if inv.args else "as-is"
    side = SIDES.get(word)
    if side is None:
        raise UsageError(f"`{shown(inv.args[0], 40)}` is not a side: use `as-is` (the source) or `to-be` (the target).")
    # The assessment brings the Cloudera Manager client: imported by the verb that uses it only.
    from features.assess import job
    from features.assess.assessment import NotConfigured, endpoint

    try:
        ep = endpoint(inv.config, side)
    except NotConfigured as e:
        return Reply(Message(str(e), [Section(f":grey_question: {e}")]), data={"error": str(e), "side": side})
    store = inv.store
    with store.transaction():  # two people asking at once get one assessment
        running, stale = _active(store, side)
        if running is None:
            run = runs.create(store, job.KIND, side, started_by=inv.who.user_id,
                              detail={"side": side, "cm_url": ep.url, "cluster": ep.cluster})
    for old in stale:
        runs.update(store, old.id, state="failed", error="interrupted: Ferry stopped while it ran")
    if running is not None:
        text = (f"An assessment of {side.upper()} is already running (started by <@{running.started_by}>); "
                "its card follows in the channel.")
        return Reply(Message(text, [Section(f":hourglass_flowing_sand: {text}")]),
                     data={"run_id": running.id, "side": side, "state": running.state, "already": True})
    if inv.services.jobs is None:
        job.execute(inv.services, run.id)
    else:
        inv.services.jobs.run_soon(job.REF, job_id=job.card_key(run.id), kwargs={"run_id": run.id})
    done = runs.get(store, run.id)
    if done is not None and not done.active:  # ran inline (`python -m bot run`): answer with the result
        return _result(done)
    where = f"`{ep.cluster}` at {ep.url}" if ep.cluster else ep.url
    text = f"Assessing {side.upper()} ({where}) through Cloudera Manager… (card follows)"
    return Reply(Message(text, [Section(f":mag: {text}"),
                                Context(["Read-only calls. The report card appears in the channel in a few seconds; "
                                         "the complete report in its thread."])]),
                 data={"run_id": run.id, "side": side, "state": "pending"})


def _active(store, side: str) -> tuple[runs.Run | None, list[runs.Run]]:
    """The assessment of `side` under way, if any, and those left behind by a stop (to mark failed)."""
    from features.assess import job

    stale = []
    for run in runs.recent(store, kind=job.KIND, subject=side, active_only=True, limit=5):
        age = (datetime.now(UTC) - datetime.fromisoformat(run.updated_at)).total_seconds()
        if age < STALE_AFTER_S:
            return run, stale
        stale.append(run)
    return None, stale


def _result(run: runs.Run) -> Reply:
    side = run.subject
    if run.state == "failed":
        text = f"Assessment of {side.upper()} failed: {run.error}"
        return Reply(Message(text, [Section(f":x: {text}")]),
                     data={"run_id": run.id, "side": side, "state": "failed", "error": run.error})
    d = run.detail
    text = f"Assessment of {side.upper()} done: {d.get('summary')}. The report card is in the channel."
    return Reply(Message(text, [Section(f":white_check_mark: {text}")]),
                 data={"run_id": run.id, "state": run.state, **d})


VERB = Verb(
    name="assess",
    usage="assess [as-is|to-be]",
    summary="inventory via Cloudera Manager, risk findings, transfer-time estimate",
    handler=handle,
    examples=("assess", "assess to-be"),
)
