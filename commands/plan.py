"""`/migrate plan`: the verb. The estimate itself (volume ÷ usable bandwidth, the bottleneck) is
features/plan/eta.py, which the assessment's job also uses."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from features.plan.eta import compute, message


def handle(inv: Invocation) -> Reply:
    if inv.args:
        raise UsageError("`plan` takes no arguments.")
    plan = compute(inv.config, inv.store)
    return Reply(message(plan), data=plan.to_dict())



VERB = Verb(
    name="plan",
    usage="plan",
    summary="data volume ÷ usable bandwidth → ETA per transfer and in total, with the bottleneck",
    handler=handle,
    inline=True,
    examples=("plan",),
)
