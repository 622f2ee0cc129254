"""`/migrate start <transfer>`: a confirmation card first (what, from where to where, size, ETA
at the configured bandwidth), then Start. A double click, a Slack retry or a second operator
starting the same transfer gets the run already under way: nothing starts twice."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Action, Permission, Verb
from commands.transfer_verbs.common import act, said, transfer_arg
from config.units import human_bytes, human_duration, human_rate
from core.errors import Refused
from core.message import Actions, Button, Context, Header, Message, Section, escape
from features.transfers import api, confirmations
from features.transfers.card import state_line
from features.transfers.confirmations import CONFIRM_TTL
from features.transfers.kinds import backend_for


def handle(inv: Invocation) -> Reply:
    tid = transfer_arg(inv, "start")
    transfer = act(inv, lambda: api.transfer_of(inv.services, tid))
    running = api.active(inv.services, tid)
    if running is not None:
        return said(f"`{tid}` is already under way ({state_line(running)}); its progress card is in the channel.",
                    running, already=True)
    backend = backend_for(inv.services, transfer)
    try:
        preview = backend.preview()  # e.g. CM's dry run of an HDFS replication
    except Exception:  # the card must show even when the engine cannot be asked right now
        preview = None
    try:
        size = preview.bytes if preview is not None and preview.bytes is not None else backend.estimate()
    except Exception:
        size = None
    api.remember_size(inv.services, tid, size, "dry run" if preview is not None and preview.bytes else "estimate")
    bandwidth = inv.config.network.usable_bandwidth
    pace = min(x for x in (bandwidth, transfer.rate) if x) if (bandwidth or transfer.rate) else None
    eta = size / pace if size and pace else None
    p = transfer.params
    subject = p.subject() if hasattr(p, "subject") else (
        getattr(p, "table", None) or getattr(p, "source_cluster", None) or getattr(p, "task_arn", None) or "?")
    fields = [
        f"*What*\n{transfer.kind}: `{subject}`",
        f"*From → to*\n{transfer.source} → {transfer.target}",
        f"*Size*\n{human_bytes(size) if size else 'unknown (set `size:` in app.yaml)'}",
        f"*ETA*\n{human_duration(eta) if eta else 'unknown'}"
        + (f" at {human_rate(pace)}" if pace else " (set `network.source_bandwidth`)"),
        f"*Cap*\n{human_rate(transfer.rate) if transfer.rate else 'none'}",
    ]
    if preview is not None:
        fields.append(f"*Dry run*\n{preview.text}")
    # Stored server-side: a click acts only on a value issued here, once (a double click, a
    # second operator), before it expires.
    confirmations.forget_expired(inv.services)
    value = confirmations.issue(inv.services, tid, inv.who.user_id)
    message = Message(
        f"Start transfer {tid}?",
        [Header(f"Start transfer {tid}?"),
         Section(escape(transfer.description) if transfer.description else f"Copies {transfer.source} → {transfer.target} with {transfer.kind}.",
                 fields=fields),
         Actions([Button("Start", "ferry:start:confirm", value, style="primary"),
                  Button("Cancel", "ferry:start:dismiss", value)]),
         Context(["ETA = size ÷ the usable bandwidth (network.source_bandwidth × usable_fraction) or the cap. "
                  f"This card can start one run within {int(CONFIRM_TTL.total_seconds() // 60)} minutes."])],
    )
    return Reply(message, data={"transfer": tid, "size": size, "eta_s": eta, "confirm_value": value,
                                "preview": preview.text if preview is not None else None})


def _issued(inv: Invocation, outcome: str) -> tuple[str, bool]:
    """The transfer of the card the click came from, and whether this click is the one that acts
    (False: the card was already used). Refused for a value Ferry did not issue or that expired."""
    try:
        conf = confirmations.spend(inv.services, inv.value, inv.who.user_id, outcome)
    except confirmations.NotIssued:
        raise Refused("That button's value is not one Ferry issued, so it starts nothing. "
                      "`/migrate start <transfer>` shows a confirmation card with a real Start button.") from None
    except confirmations.Expired as e:
        minutes = int(CONFIRM_TTL.total_seconds() // 60)
        raise Refused(f"This confirmation card expired (a card is good for {minutes} minutes), so it starts "
                      f"nothing. `/migrate start {e.transfer_id}` asks again with today's size and ETA.") from None
    if conf is None:
        return confirmations.get(inv.services, inv.value).transfer_id, False
    return conf.transfer_id, True


def confirm(inv: Invocation) -> Reply:
    # One confirmation card, one start, whoever presses it: once its run has ended, the card's
    # Start must not begin another (a new run asks again with `/migrate start`).
    tid, first = _issued(inv, "started")
    if not first:
        running = api.active(inv.services, tid)
        if running is not None:
            return said(f"`{tid}` is already under way ({state_line(running)}); its progress card is in the channel.",
                        running, already=True)
        raise Refused(f"This confirmation card was already used (to start `{tid}`, or its Cancel was pressed), "
                      f"and no run of it is under way. `/migrate start {tid}` asks again for a new run.")
    before = api.active(inv.services, tid)
    try:
        run = act(inv, lambda: api.start(inv.services, tid, inv.who))
    except Exception:
        confirmations.unspend(inv.services, inv.value)  # nothing started: the card may be pressed again
        raise
    if before is not None and before.id == run.id:
        return said(f"`{tid}` is already under way ({state_line(run)}); its progress card is in the channel.",
                    run, already=True)
    return said(f":rocket: `{tid}` is starting; its progress card is in the channel.", run)


def dismiss(inv: Invocation) -> Reply:
    tid = inv.value.split("|")[0]
    act(inv, lambda: api.transfer_of(inv.services, tid))  # a forged value names no transfer
    tid, _ = _issued(inv, "dismissed")  # Cancel spends the card: its Start is void from now on
    running = api.active(inv.services, tid)
    if running is not None:  # Cancel pressed after Start (here or by someone else): say so, stop nothing
        return said(f"`{tid}` is already under way ({state_line(running)}); `/migrate cancel {tid}` stops it.",
                    running, started=True)
    text = f"`{tid}` was not started."
    return Reply(Message(text, [Section(text)]), data={"transfer": tid, "started": False})


VERB = Verb(
    name="start",
    usage="start <transfer>",
    summary="confirm, then start a transfer; a progress card updates in place",
    handler=handle,
    permission=Permission.OPERATE,
    actions={"confirm": Action(confirm, Permission.OPERATE), "dismiss": Action(dismiss, Permission.OPERATE)},
    examples=("start hbase-orders",),
)
