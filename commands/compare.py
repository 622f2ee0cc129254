"""`/migrate compare <table> [--sample N [--seed S] | --full]`, and the buttons of validation
alerts (Rerun, Full compare, Silence), which are for operators."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.count import queued_reply, table_arg
from commands.registry import Action, Permission, Verb
from config.validations import MAX_SAMPLE
from core.errors import Refused, UsageError
from core.message import Message, Section, shown
from features.validation import alerts, api
from features.validation.status import alert_name
from features.validation.store import get_alert

DEFAULT_SAMPLE = 1_000
MAX_SILENCE_HOURS = 24 * 365


def _int(value: str, what: str, minimum: int = 0) -> int:
    try:
        n = int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise UsageError(f"{what} must be a whole number, not `{shown(value, 40)}`.") from None
    if n < minimum:
        raise UsageError(f"{what} must be at least {minimum}.")
    return n


def handle(inv: Invocation) -> Reply:
    if not inv.args:
        raise UsageError("Name the table to compare.")
    table = table_arg(inv, inv.args[0])
    check, sample, seed = "sample", DEFAULT_SAMPLE, None
    rest = list(inv.args[1:])
    while rest:
        flag = rest.pop(0)
        if flag == "--full":
            check = "full"
        elif flag == "--sample" and rest:
            sample = _int(rest.pop(0), "The sample size", 1)
            if sample > MAX_SAMPLE:
                raise UsageError(f"A sample is at most {MAX_SAMPLE:,} rows; use `--full` to compare everything.")
        elif flag == "--seed" and rest:
            seed = _int(rest.pop(0), "The seed")
        elif flag in ("--sample", "--seed"):
            raise UsageError(f"`{flag}` needs a number after it, e.g. `{flag} {'5000' if flag == '--sample' else '42'}`.")
        else:
            raise UsageError(f"`{shown(flag, 40)}` is not understood here: after the table come `--sample N`, `--seed S` "
                             "or `--full`.")
    if check == "full" and ("--sample" in inv.args or seed is not None):
        raise UsageError("Choose `--sample N` or `--full`, not both.")
    run = api.run_check(inv.services, [table], check, inv.who, sample=sample, seed=seed)
    what = f"Full compare of {table}" if check == "full" else f"Sample compare of {table} ({sample:,} rows)"
    return queued_reply(inv, run.id, what, already=bool(run.detail.get("merged")))


def _alert_from(inv: Invocation):
    parts = inv.value.split("|")
    if len(parts) not in (3, 4):  # fingerprint|generation|n[|unsilences]
        raise UsageError("That button is out of date.")
    alert = get_alert(inv.store.db, parts[0])
    if alert is None or str(alert.generation) != parts[1]:
        raise UsageError("That alert is no longer current.")
    return alert, parts


def rerun(inv: Invocation) -> Reply:
    alert, _ = _alert_from(inv)
    if alert.validation_id and inv.config.validations.get(alert.validation_id):
        run = api.run(inv.services, alert.validation_id, inv.who)
    else:
        run = api.run_check(inv.services, [alert.table_id], alert.check_kind, inv.who, origin="alert rerun")
    return queued_reply(inv, run.id, f"Rerunning the {alert.check_kind} check of {alert.table_id}",
                        already=bool(run.detail.get("merged")))


def full(inv: Invocation) -> Reply:
    alert, _ = _alert_from(inv)
    run = api.run_check(inv.services, [alert.table_id], "full", inv.who, origin="alert: full compare")
    return queued_reply(inv, run.id, f"Full compare of {alert.table_id}", already=bool(run.detail.get("merged")))


def _turns_match(alert, parts: list[str], at: int, button: str) -> None:
    """Silence and Unsilence carry how many times the alert was unsilenced: a value with another
    count (an older card's, or one Ferry never issued) does nothing."""
    turns = str(int(alert.detail.get("unsilenced", 0)))
    if len(parts) != at + 1 or parts[at] != turns:
        raise UsageError(f"That {button} button is out of date: use the one on the alert's latest card.")


def silence(inv: Invocation) -> Reply:
    alert, parts = _alert_from(inv)
    hours = _int(parts[2], "Hours", 1)
    if hours > MAX_SILENCE_HOURS:  # a forged value: datetime cannot go that far
        raise UsageError(f"An alert can be silenced for at most {MAX_SILENCE_HOURS:,} hours (a year).")
    offered = alerts.silence_hours(inv.services, alert.validation_id)
    if hours != offered:  # the card offers one duration: another one is a value Ferry did not issue
        raise Refused(f"That Silence button is not one Ferry issued: this alert's card offers {offered} h. "
                      "Press the button on the alert's card.")
    _turns_match(alert, parts, 3, "Silence")
    done = alerts.silence(inv.services, alert.fingerprint, alert.generation, hours, inv.who.user_id)
    if done is None:
        text = "That alert is already resolved."
    else:
        text = (f"Silenced {alert_name(alert)} for {hours} h: its card still updates, without thread notes. "
                "*Unsilence* on the card undoes it.")
    return Reply(Message(text, [Section(text)]), data={"silenced_until": done.silenced_until if done else None})


def unsilence(inv: Invocation) -> Reply:
    alert, parts = _alert_from(inv)
    _turns_match(alert, parts, 2, "Unsilence")
    done = alerts.unsilence(inv.services, alert.fingerprint, alert.generation, inv.who.user_id)
    if done is None:
        text = "That alert is not silenced (or no longer open)."
    else:
        text = f"Unsilenced {alert_name(alert)}: each failing run posts in its thread again."
    return Reply(Message(text, [Section(text)]), data={"unsilenced": done is not None})


VERB = Verb(
    name="compare",
    usage="compare <table> [--sample N [--seed S] | --full]",
    summary="compare rows of both sides: a reproducible sample, or every row (checksums pushed down)",
    handler=handle,
    actions={
        "rerun": Action(rerun, Permission.OPERATE),
        "full": Action(full, Permission.OPERATE),
        "silence": Action(silence, Permission.OPERATE),
        "unsilence": Action(unsilence, Permission.OPERATE),
    },
    examples=("compare events --sample 5000", "compare events --full"),
)
