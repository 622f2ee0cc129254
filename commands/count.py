"""`/migrate count <table|all>`: row counts on both sides, side by side (a card in the channel)."""

from __future__ import annotations

from commands.context import Invocation, Reply
from commands.registry import Verb
from core.errors import UsageError
from core.message import Context, Message, Section, did_you_mean, shown
from features.validation.api import run_check
from state import runs


def known_tables(inv: Invocation) -> list[str]:
    return inv.config.tables.ids


def table_arg(inv: Invocation, name: str) -> str:
    known = known_tables(inv)
    if name not in known:
        listed = ", ".join(f"`{t}`" for t in known) or "none: add them under `tables:` in app.yaml"
        raise UsageError(f"`{shown(name)}` is not a table in app.yaml. Tables: {listed}." + did_you_mean(name, known))
    return name


def queued_reply(inv: Invocation, run_id: str, what: str, *, already: bool = False) -> Reply:
    run = runs.get(inv.store, run_id)
    text = f"{what}: the result will be posted in the channel (run `{run_id}`)."
    data = {"run_id": run_id, "state": run.state if run else "pending"}
    if already and run is not None and run.active:  # the same request in flight: one run, one card
        who = f" (asked by <@{run.started_by}>)" if run.started_by else ""
        text = (f"{what}: already under way as run `{run_id}`{who}; its card in the channel will show the "
                "result, so nothing new was queued.")
        data["already"] = True
    if run is not None and not run.active:
        data.update({"passed": run.detail.get("passed"), "summary": run.detail.get("summary"),
                     "results": run.detail.get("results", {}), "errors": run.detail.get("errors", {})})
        text = f"{what}: {run.state} — {run.detail.get('summary') or run.error or ''}"
    return Reply(Message(text[:300], [Section(text[:2900]), Context([f"Run `{run_id}`"])]), data=data)


def handle(inv: Invocation) -> Reply:
    if len(inv.args) != 1:
        raise UsageError("`count` takes one table id, or `all`.")
    name = inv.args[0]
    everything = name.lower() == "all" and "all" not in known_tables(inv)
    tables = known_tables(inv) if everything else [table_arg(inv, name)]
    if not tables:
        raise UsageError("No tables are configured: add them under `tables:` in app.yaml.")
    run = run_check(inv.services, tables, "count", inv.who)
    return queued_reply(inv, run.id, f"Counting {'all' if everything else name}",
                        already=bool(run.detail.get("merged")))


VERB = Verb(
    name="count",
    usage="count <table|all>",
    summary="row counts on both sides, side by side",
    handler=handle,
    examples=("count events", "count all"),
)
