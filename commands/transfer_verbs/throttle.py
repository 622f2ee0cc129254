"""`/migrate throttle <transfer> <rate>`: cap a running transfer (e.g. `200MB/s`, `1Gbit/s`)."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from config.units import human_rate, parse_rate
from core.errors import UsageError
from core.message import shown
from features.transfers import api

# Below this a copy barely moves (and DataSync takes whole bytes per second); above it the
# number only overflows engines (DataSync's BytesPerSecond is a 64-bit integer).
MIN_RATE = 1_000  # 1 kB/s
MAX_RATE = 10**15  # 1 PB/s


def handle(inv: Invocation) -> Reply:
    if len(inv.args) > 2:  # `throttle x 10 MB/s`: the rate typed with a space
        inv.args = [inv.args[0], "".join(inv.args[1:])]
    tid = transfer_arg(inv, "throttle", extra=1)
    try:
        rate = parse_rate(inv.args[1])
    except ValueError:
        raise UsageError(f"`{shown(inv.args[1])}` is not a rate (examples: 200MB/s, 1Gbit/s, 10Gbps).") from None
    if rate <= 0:
        raise UsageError("The rate must be more than 0 (e.g. `200MB/s`).")
    if rate < MIN_RATE:
        raise UsageError(f"A cap must be at least {human_rate(MIN_RATE)}: below that the copy all but stops. "
                         f"`/migrate pause {shown(tid)}` stops it.")
    if rate > MAX_RATE:
        raise UsageError(f"A cap can be at most {human_rate(MAX_RATE)}.")
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
