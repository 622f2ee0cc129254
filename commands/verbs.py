"""Every verb, in `/migrate help` order: the one list to extend when a verb is added."""

from __future__ import annotations

from commands import assess, audit, compare, count, cutover, help, plan, report, status
from commands.registry import Verb
from commands.transfer_verbs import cancel, pause, resume, start, throttle

VERBS: tuple[Verb, ...] = (
    help.VERB,
    status.VERB,
    assess.VERB,
    plan.VERB,
    count.VERB,
    compare.VERB,
    cutover.VERB,
    audit.VERB,
    report.VERB,
    start.VERB,
    pause.VERB,
    resume.VERB,
    throttle.VERB,
    cancel.VERB,
)
