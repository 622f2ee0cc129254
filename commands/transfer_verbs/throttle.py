"""`/migrate throttle <transfer> <rate>`: cap a running transfer (e.g. `200MB/s`, `1Gbit/s`)."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.errors import UsageError
from commands.registry import Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from config.units import human_rate, parse_rate
from jobs.transfers import api


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "throttle", extra=1)
    try:
        rate = parse_rate(inv.args[1])
    except ValueError as e:
        raise UsageError(str(e)) from None
    if rate <= 0:
        raise UsageError("The rate must be more than 0 (e.g. `200MB/s`).")
    run, how = act(inv, lambda: api.throttle(inv.services, tid, inv.who, rate))
    return said(f":control_knobs: `{tid}` is capped at {human_rate(rate)}: {how}.", run, cap=rate)


VERB = Verb(
    name="throttle",
    usage="throttle <transfer> <rate>",
    summary="cap a transfer's bandwidth, e.g. 200MB/s",
    handler=handle,
    permission=Permission.OPERATE,
    examples=("throttle hbase-orders 200MB/s", "throttle landing-bucket 1Gbit/s"),
)
