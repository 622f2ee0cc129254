"""`/migrate status`: what state holds — transfers, validations, cutover stage, open alerts.

Each feature contributes its part of the card (`Feature.status_part` in features/registry.py),
so status grows with the features without knowing them.
"""

from __future__ import annotations

from commands.context import Invocation, Reply, Services
from commands.registry import Verb
from core.errors import UsageError
from core.message import Context, Divider, Element, Header, Message, Section
from core.status import STATE_ICONS, StatusPart
from features import registry
from features.validation.cards import CHECK_TITLES
from state import runs

# Kinds of run that a feature's own part already shows in full.
SHOWN_ELSEWHERE = ("transfer", "cutover-step")
#: Subjects (the newest run of each) the Recent runs part considers.
RECENT_SUBJECTS = 200


def runs_part(services: Services) -> StatusPart | None:
    """Every other kind of run (assessments, validations run by hand, ...): the latest per
    subject, active ones first."""
    configured = set(services.config.validations.ids)  # the Validations part shows those
    latest = [run for kind in runs.kinds(services.store) if kind not in SHOWN_ELSEWHERE
              for run in runs.latest_each(services.store, kind).values()
              if not (kind == "validation" and run.subject in configured)]
    if not latest:
        return None
    recent = sorted(latest, key=lambda r: r.created_at, reverse=True)[:RECENT_SUBJECTS]
    ordered = sorted(recent, key=lambda r: (not r.active, r.kind, r.subject))
    lines = [f"{STATE_ICONS.get(r.state, '•')} *{r.kind}* {_subject(r)} — {r.state}"
             + (f" ({r.detail['summary']})" if r.detail.get("summary") else "")
             + (f" — {r.error}" if r.error and r.error != r.detail.get("summary") else "") for r in ordered[:30]]
    data = [{"id": r.id, "kind": r.kind, "subject": r.subject, "state": r.state, "error": r.error}
            for r in ordered]
    return StatusPart("Recent runs", lines, {"runs": data})


def _subject(run: runs.Run) -> str:
    """A check run by hand is `table:check` inside Ferry; people read `events` full compare (the
    colon form beside a validation named `events-full` read as two names for one thing)."""
    if run.kind == "validation" and ":" in run.subject:
        table, check = run.subject.rsplit(":", 1)
        return f"`{table}` {CHECK_TITLES.get(check, check).lower()} (by hand)"
    return f"`{run.subject}`"


def parts(services: Services) -> list[StatusPart]:
    """Each feature's part (features/registry.py), then the runs no feature shows."""
    found = registry.status_parts(services)
    recent = runs_part(services)
    return found + [recent] if recent else found


def handle(inv: Invocation) -> Reply:
    if inv.args:
        raise UsageError("`status` takes no arguments.")
    found = parts(inv.services)
    title = "Ferry status"
    if not found:
        message = Message(
            "Ferry status: nothing started yet",
            [
                Header(title),
                Section(":seedling: *Nothing started yet.* No transfer, validation or cutover step has run."),
                Context(["Try `/migrate assess` to inventory the source cluster, `/migrate plan` for an ETA, "
                         "or `/migrate help` for every verb."]),
            ],
        )
        return Reply(message, data={"empty": True, "parts": []})
    blocks: list[Element] = [Header(title)]
    for part in found:
        blocks.extend(Section(text) for text in _sections(f"*{part.title}*", part.lines))
        blocks.append(Divider())
    blocks.append(Context([f"Config version `{inv.config.version}`"]))
    summary = "; ".join(f"{p.title}: {len(p.lines)}" for p in found)
    return Reply(Message(f"Ferry status — {summary}", blocks),
                 data={"empty": False, "parts": [{"title": p.title, **p.data} for p in found]})


def _sections(title: str, lines: list[str], budget: int = 2_900) -> list[str]:
    """A part's lines in as many sections as they need (Slack cuts a section at 3,000
    characters): with many transfers or validations, none is dropped from the end."""
    texts, current = [], title
    for line in lines:
        line = line if len(line) <= budget - 100 else line[: budget - 101] + "…"
        if len(current) + 1 + len(line) > budget:
            texts.append(current)
            current = line
        else:
            current += "\n" + line
    texts.append(current)
    return texts


VERB = Verb(
    name="status",
    usage="status",
    summary="transfers, validations, cutover stage, open alerts",
    handler=handle,
    inline=True,
    examples=("status",),
)
