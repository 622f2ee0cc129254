"""What validation posts: result cards, alert cards and their thread notes (plain messages;
bot/blocks.py renders them). All user-facing text of validation is here."""

from __future__ import annotations

from typing import Any

from config.units import human_duration
from core.message import Actions, Button, Context, Divider, Element, Header, Message, Section, Table
from features.validation.model import CompareResult, CountResult, result_from_dict

CHECK_TITLES = {"count": "Count", "sample": "Sample compare", "full": "Full compare"}
EXAMPLES = 5  # differences shown in a card; the list goes to the thread
THREAD_LISTED = 500  # per kind in the thread (the poster posts at most 20 chunks); all are in the run's detail
STATE_LINES = {
    "pending": ":hourglass_flowing_sand: queued", "running": ":arrows_counterclockwise: running",
    "passed": ":white_check_mark: the sides agree", "mismatch": ":rotating_light: the sides differ",
    "failed": ":x: could not finish",
}


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def examples(result: CompareResult, limit: int = EXAMPLES) -> list[str]:
    lines: list[str] = []
    for key in result.missing[:limit]:
        lines.append(f"• `{key}` missing on TO-BE")
    for key in result.extra[:max(0, limit - len(lines))]:
        lines.append(f"• `{key}` extra on TO-BE")
    for c in result.changed[:max(0, limit - len(lines))]:
        cols = ", ".join(f"{col}: {c.asis.get(col, '?')} → {c.tobe.get(col, '?')}" for col in c.columns[:3])
        lines.append(f"• `{c.key}` changed ({cols})")
    for d in result.duplicates[:max(0, limit - len(lines))]:
        lines.append(f"• `{d.key}` duplicate key (AS-IS ×{d.asis}, TO-BE ×{d.tobe})")
    return lines[:limit]


def full_listing(result: CompareResult) -> str:
    out = [f"{result.summary()}"]
    if result.seed is not None:
        out.append(f"seed {result.seed} (rerun: /migrate compare {result.table} --sample {result.sample_size} "
                   f"--seed {result.seed})")
    n = THREAD_LISTED
    for title, keys, total in (("missing on TO-BE", result.missing, result.n_missing),
                               ("extra on TO-BE", result.extra, result.n_extra)):
        if keys:
            out.append(f"\n{title} ({min(len(keys), n):,} of {total:,}):")
            out.extend(f"  {k}" for k in keys[:n])
    if result.changed:
        out.append(f"\nchanged ({min(len(result.changed), n):,} of {result.n_changed:,}):")
        for c in result.changed[:n]:
            out.append(f"  {c.key}: " + "; ".join(f"{col}: {c.asis.get(col)} -> {c.tobe.get(col)}" for col in c.columns))
    if result.duplicates:
        out.append(f"\nduplicate keys ({min(len(result.duplicates), n):,} of {result.n_duplicates:,}):")
        out.extend(f"  {d.key}: AS-IS x{d.asis}, TO-BE x{d.tobe}" for d in result.duplicates[:n])
    if result.differences > 4 * n or result.truncated:
        out.append(f"\n(the thread lists {n:,} per kind; `python -m bot run` with --json, or the run's stored"
                   " detail, holds up to 10,000 per kind; the counts are exact)")
    return "\n".join(out)


def result_blocks(result: CountResult | CompareResult) -> list[Element]:
    if isinstance(result, CountResult):
        return []  # counts are one table for all tables: see run_card
    icon = ":white_check_mark:" if result.passed else (":warning:" if result.findings else ":rotating_light:")
    lines = [f"{icon} *{result.table}*: {result.summary().split(': ', 1)[-1]}"]
    if not result.findings:
        lines.append(f"AS-IS {_n(result.rows_asis)} rows · TO-BE {_n(result.rows_tobe)} rows"
                     + (f" (of a {result.sample_size:,}-key sample)" if result.check == "sample" else "")
                     + f" · {human_duration(result.seconds)}")
    lines.extend(examples(result))
    if result.differences > EXAMPLES:
        lines.append("_The complete list is in the thread._")
    ctx = []
    if result.seed is not None:
        ctx.append(f"Seed `{result.seed}`: `/migrate compare {result.table} --sample {result.sample_size} "
                   f"--seed {result.seed}` reruns this very sample.")
    if result.stats.get("strategy"):
        ctx.append(f"{result.stats['strategy']} · {result.stats.get('levels', 0)} levels · "
                   f"{result.stats.get('rows_fetched', 0):,} rows fetched")
    return [Section("\n".join(lines)[:2900])] + ([Context(ctx)] if ctx else [])


def run_card(run: Any) -> Message:
    """The card of a validation run: queued/running, then its results."""
    d = run.detail
    check = d.get("check", "count")
    name = d.get("validation_id") or ", ".join(d.get("tables", []))
    title = f"{CHECK_TITLES.get(check, check)}: {name}"[:150]
    blocks: list[Element] = [Header(title), Section(STATE_LINES.get(run.state, run.state)
                                                     + (f" — {run.error}" if run.error else ""))]
    results = [result_from_dict(r) for r in d.get("results", {}).values()]
    counts = [r for r in results if isinstance(r, CountResult)]
    if counts:
        rows = [[r.table, _n(r.rows_asis), _n(r.rows_tobe),
                 "—" if r.difference is None else f"{r.difference:+,}", human_duration(r.seconds)] for r in counts]
        blocks.append(Table(["table", "AS-IS", "TO-BE", "difference", "time"], rows, align_right=[1, 2, 3, 4]))
        for r in counts:
            for f in r.findings:
                blocks.append(Section(f":warning: *{r.table}*: {f.problem}"))
    for r in results:
        if isinstance(r, CompareResult):
            blocks.extend(result_blocks(r))
    for table, error in d.get("errors", {}).items():
        blocks.append(Section(f":x: *{table}*: {error}"[:2900]))
    if d.get("progress") and run.active:
        blocks.append(Context([d["progress"]]))
    who = f"<@{run.started_by}>" if run.started_by and run.started_by.startswith(("U", "W")) else (run.started_by or "Ferry")
    blocks.append(Context([f"Run `{run.id}` · started by {who} · {d.get('origin', 'by hand')}"]))
    listing = "" if run.active else "\n\n".join(
        full_listing(r) for r in results if isinstance(r, CompareResult) and r.differences > EXAMPLES)
    summary = d.get("summary") or title
    return Message(f"{title}: {summary}"[:300], blocks[:45], attachment=listing or None)


# -- alerts -------------------------------------------------------------------------------------


def alert_card(alert: Any, silence_hours: int) -> Message:
    check = CHECK_TITLES.get(alert.check_kind, alert.check_kind).lower()
    d = alert.detail
    if alert.state == "resolved":
        return Message(
            f"Resolved: {alert.table_id} {check}",
            [Header(f"Resolved: {alert.table_id} ({check})"[:150]),
             Section(f":white_check_mark: The sides agree again (run `{alert.last_run_id}`).\n"
                     f"Was failing from {alert.opened_at[:16].replace('T', ' ')} UTC, {alert.failures} failing run(s)."),
             Context([f"Last mismatch: {d.get('last_failure', alert.summary or '')}"[:300]])],
        )
    lines = [f":rotating_light: *{alert.summary}*"]
    if d.get("figures"):
        lines.append(d["figures"])
    lines.extend(d.get("examples", [])[:EXAMPLES])
    since = alert.opened_at[:16].replace("T", " ")
    ctx = [f"Failing since {since} UTC · {alert.failures} failing run(s) · last run `{alert.last_run_id}`"]
    if alert.silenced_until:
        ctx.append(f":zipper_mouth_face: silenced until {alert.silenced_until[:16].replace('T', ' ')} UTC"
                   f" by <@{alert.silenced_by}>")
    value = f"{alert.fingerprint}|{alert.generation}|{alert.failures}"
    buttons = [
        Button("Rerun", "ferry:compare:rerun", value, style="primary"),
        Button("Full compare", "ferry:compare:full", value),
        Button(f"Silence {silence_hours}h", "ferry:compare:silence", f"{alert.fingerprint}|{alert.generation}|{silence_hours}"),
    ]
    title = f"Mismatch: {alert.table_id} ({check})"
    return Message(f"{title}: {alert.summary}"[:300],
                   [Header(title[:150]), Section("\n".join(lines)[:2900]), Context(ctx), Divider(), Actions(buttons)])


def alert_update(alert: Any) -> Message:
    d = alert.detail
    text = (f"Still failing (run `{alert.last_run_id}`, {alert.failures} failing runs since "
            f"{alert.opened_at[:16].replace('T', ' ')} UTC): {alert.summary}")
    lines = [text] + ([d["figures"]] if d.get("figures") else []) + d.get("examples", [])[:EXAMPLES]
    return Message(text[:300], [Section("\n".join(lines)[:2900])])


def alert_resolved_note(alert: Any) -> Message:
    text = f":white_check_mark: Resolved by run `{alert.last_run_id}`: {alert.summary}"
    return Message(text[:300], [Section(text[:2900])])
