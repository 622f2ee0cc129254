"""The `cutover:` section of app.yaml: the runbook, as ordered steps.

    cutover:
      watch_interval: 10s           # how often running steps, open requests and gates are re-checked
      steps:
        - id: final-copy
          title: Final catch-up copy
          description: Copy what changed since the last run, writes are frozen.
          approvals: 2              # N distinct people of people.approvers (never the requester)
          approval_ttl: 2h          # an approval older than this no longer counts
          gates:
            after: [freeze-writes]  # steps that must be done first (earlier in the list)
            validations: [orders-count, {id: events-sample, max_age: 10m}]
            max_age: 30m            # default freshness of the validations above
          action: start-transfer hbase-orders   # manual | start-transfer <id> | pause-transfer <id>
                                                # | run-validation <id>

References (step ids, transfer ids, validation ids) are checked here, at load, against the
sections parsed before this one (`parsed`), so a typo fails `python -m bot check`, not the cutover.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from config.errors import ConfigError
from config.reader import Reader, join, type_name
from config.units import human_duration, parse_duration

STEP_ID = r"[a-z0-9][a-z0-9._-]*"
ACTION_KINDS = ("manual", "start-transfer", "pause-transfer", "run-validation")
# The card shows every step; Slack shows at most 50 blocks a message.
MAX_STEPS = 30
DEFAULT_TTL = "2h"
DEFAULT_MAX_AGE = "30m"
DEFAULT_WATCH_INTERVAL = "10s"


@dataclass(frozen=True)
class ValidationGate:
    """A named validation that must have passed, no longer than `max_age_s` ago."""

    id: str
    max_age_s: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "max_age_s": self.max_age_s}


@dataclass(frozen=True)
class StepAction:
    kind: str  # one of ACTION_KINDS
    target: str | None = None  # the transfer or validation id

    @property
    def text(self) -> str:
        return self.kind if self.target is None else f"{self.kind} {self.target}"

    def describe(self) -> str:
        if self.kind == "manual":
            return "manual (an operator marks it done)"
        verb = {"start-transfer": "start transfer", "pause-transfer": "pause transfer",
                "run-validation": "run validation"}[self.kind]
        return f"{verb} `{self.target}`"


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str
    approvals: int
    approval_ttl_s: float
    after: tuple[str, ...]
    validations: tuple[ValidationGate, ...]
    action: StepAction

    def definition(self) -> dict[str, Any]:
        """The step as a plain mapping: what a request freezes (and hashes)."""
        return {
            "id": self.id, "title": self.title, "description": self.description, "approvals": self.approvals,
            "approval_ttl_s": self.approval_ttl_s, "after": list(self.after),
            "validations": [v.to_dict() for v in self.validations], "action": self.action.text,
        }

    @property
    def ttl_text(self) -> str:
        return short_duration(self.approval_ttl_s)


@dataclass(frozen=True)
class Runbook:
    steps: tuple[Step, ...] = ()
    watch_interval_s: float = 10.0

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def index(self, step_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)


def parse(value: Any, path: str, parsed: dict[str, Any]) -> Runbook:
    """Parse `cutover:` (a mapping with `steps`, or just the list of steps)."""
    if value is None:
        return Runbook()
    if isinstance(value, list):
        value = {"steps": value}
    r = Reader(value, path)
    watch = _duration(r, "watch_interval", DEFAULT_WATCH_INTERVAL, minimum=0.1)
    raw_steps = r.raw("steps", [])
    if not isinstance(raw_steps, list):
        raise ConfigError(join(path, "steps"), f"expected a list of steps, got {type_name(raw_steps)}")
    if len(raw_steps) > MAX_STEPS:
        raise ConfigError(join(path, "steps"), f"{len(raw_steps)} steps: at most {MAX_STEPS} fit on the card")
    transfers = _ids(parsed.get("transfers"))
    validations = _ids(parsed.get("validations"))
    approvers = parsed["people"].approvers if parsed.get("people") else ()
    steps: list[Step] = []
    for _i, sr in r.items("steps"):
        steps.append(_step(sr, [s.id for s in steps], transfers, validations, approvers))
    r.done()
    return Runbook(steps=tuple(steps), watch_interval_s=watch)


def _step(r: Reader, earlier: list[str], transfers: set[str], validations: set[str],
          approvers: tuple[str, ...]) -> Step:
    ident = r.str("id", pattern=STEP_ID, what="an id (lower-case letters, digits, . _ -)")
    if ident in earlier:
        raise ConfigError(join(r.path, "id"), f"duplicate step id {ident!r}")
    title = r.str("title")
    description = r.str("description", default="")
    approvals = r.int("approvals", default=1, minimum=1)
    # Only plain user IDs can be counted at load; a user group (S…) may hold any number of people.
    if approvers and not any(a.startswith("S") for a in approvers) and approvals > len(approvers):
        raise ConfigError(join(r.path, "approvals"),
                          f"needs {approvals} approvals but people.approvers lists only {len(approvers)}")
    if not approvers:
        raise ConfigError(join(r.path, "approvals"), "people.approvers is empty: nobody could approve this step")
    ttl = _duration(r, "approval_ttl", DEFAULT_TTL, minimum=1.0)
    after, gates = _gates(r.section("gates"), earlier, validations)
    action = _action(r, transfers, validations)
    r.done()
    return Step(id=ident, title=title, description=description, approvals=approvals, approval_ttl_s=ttl,
                after=after, validations=gates, action=action)


def _gates(r: Reader, earlier: list[str], validations: set[str]) -> tuple[tuple[str, ...], tuple[ValidationGate, ...]]:
    after = r.str_list("after", default=(), pattern=STEP_ID, what="a step id")
    for i, dep in enumerate(after):
        if dep not in earlier:
            raise ConfigError(join(join(r.path, "after"), i),
                              f"{dep!r} is not an earlier step (steps run in order; known: {', '.join(earlier) or 'none'})")
    default_age = _duration(r, "max_age", DEFAULT_MAX_AGE, minimum=1.0)
    raw = r.raw("validations", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ConfigError(join(r.path, "validations"), f"expected a list, got {type_name(raw)}")
    gates: list[ValidationGate] = []
    for i, item in enumerate(raw):
        where = join(join(r.path, "validations"), i)
        if isinstance(item, dict):
            g = Reader(item, where)
            name = g.str("id")
            age = _duration(g, "max_age", None, minimum=1.0)
            g.done()
            where = join(where, "id")
        elif isinstance(item, str):
            name, age = item, None
        else:
            raise ConfigError(where, f"expected a validation id or {{id, max_age}}, got {type_name(item)}")
        if name not in validations:
            raise ConfigError(where, _unknown("validation", name, validations, "validations"))
        gates.append(ValidationGate(id=name, max_age_s=age if age is not None else default_age))
    r.done()
    return after, tuple(gates)


def _action(r: Reader, transfers: set[str], validations: set[str]) -> StepAction:
    text = r.str("action", default="manual").strip()
    words = text.split()
    where = join(r.path, "action")
    if not words or words[0] not in ACTION_KINDS:
        raise ConfigError(where, f"{text!r} is not an action (manual, start-transfer <id>, pause-transfer <id>, "
                                 "run-validation <id>)")
    kind = words[0]
    if kind == "manual":
        if len(words) != 1:
            raise ConfigError(where, "`manual` takes no argument")
        return StepAction("manual")
    if len(words) != 2:
        raise ConfigError(where, f"`{kind}` needs exactly one id, e.g. `{kind} orders`")
    target = words[1]
    if kind in ("start-transfer", "pause-transfer") and target not in transfers:
        raise ConfigError(where, _unknown("transfer", target, transfers, "transfers"))
    if kind == "run-validation" and target not in validations:
        raise ConfigError(where, _unknown("validation", target, validations, "validations"))
    return StepAction(kind, target)


def short_duration(seconds: float) -> str:
    """'2h', '30m', '90s' for the round durations people configure; human_duration otherwise."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return human_duration(seconds)


def _unknown(what: str, name: str, known: set[str], section: str) -> str:
    listed = ", ".join(sorted(known)) if known else f"none: the `{section}:` section is empty"
    return f"no {what} {name!r} in `{section}:` (known: {listed})"


def _duration(r: Reader, key: str, default: Any, minimum: float) -> Any:
    raw = r.raw(key, default)
    if raw is None:
        return None
    try:
        seconds = parse_duration(raw)
    except ValueError as e:
        raise ConfigError(join(r.path, key), str(e)) from None
    if seconds < minimum:
        raise ConfigError(join(r.path, key), f"must be at least {human_duration(minimum)}")
    return seconds


def _ids(section: Any) -> set[str]:
    """The ids of an earlier section, whatever shape its parser returns: a mapping keyed by id,
    or a sequence of objects (or dicts) with an `id`."""
    if section is None:
        return set()
    if isinstance(section, dict):
        return {str(k) for k in section}
    items = getattr(section, "items", None)
    if items is not None and not callable(items):  # e.g. a typed section object with `.items`
        section = items
    out = set()
    for item in section:
        ident = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        if ident is not None:
            out.add(str(ident))
    return out
