"""A step's plan: its definition, the result of each of its gates, and the configuration
version, hashed. A request freezes the plan; approvals count only for that hash.

    plan = evaluate(services, step)        # gates checked now
    plan.hash                              # sha256 of {step, gates (key, ok), config_version}
    why_changed(request.plan, plan)        # "the configuration changed (version 3f2a… → 9c1b…)"

Only whether each gate passes goes into the hash, not how old its evidence is or which run
produced it: a validation that re-runs and passes again does not void approvals; one that fails
or goes stale does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from config.cutover import Step, ValidationGate, short_duration
from config.units import human_duration
from features.cutover import peers
from features.cutover import store as cstate
from features.services import Services


@dataclass(frozen=True)
class Gate:
    key: str  # "after:freeze-writes" or "validation:orders-count"
    ok: bool
    text: str  # what the card shows after ✓ or ✗


@dataclass(frozen=True)
class Plan:
    step: Step
    gates: tuple[Gate, ...]
    config_version: str

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.gates)

    @property
    def blocking(self) -> list[Gate]:
        return [g for g in self.gates if not g.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step.definition(),
            "gates": [{"key": g.key, "ok": g.ok} for g in self.gates],
            "config_version": self.config_version,
        }

    @property
    def hash(self) -> str:
        return plan_hash(self.to_dict())

    def frozen(self) -> dict[str, Any]:
        """What a request stores: the hashed plan plus the gates' texts at the time (not hashed)."""
        return {**self.to_dict(), "gate_texts": {g.key: g.text for g in self.gates}}


def plan_hash(plan: dict[str, Any]) -> str:
    hashed = {k: plan[k] for k in ("step", "gates", "config_version")}
    return hashlib.sha256(json.dumps(hashed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def evaluate(services: Services, step: Step, done_steps: set[str] | None = None) -> Plan:
    if done_steps is None:
        done_steps = {sid for sid, r in cstate.step_records(services.store).items() if r.state == "done"}
    gates = [Gate(f"after:{dep}", dep in done_steps,
                  f"step `{dep}` done" if dep in done_steps else f"step `{dep}` is not done yet")
             for dep in step.after]
    gates += [_validation_gate(services, g) for g in step.validations]
    return Plan(step=step, gates=tuple(gates), config_version=services.config.version)


def _validation_gate(services: Services, gate: ValidationGate) -> Gate:
    key = f"validation:{gate.id}"
    result = peers.validation_result(services, gate.id)
    if result is None:
        return Gate(key, False, f"validation `{gate.id}` has never run")
    finished = _aware(result.finished_at)
    age = (services.clock.now() - finished).total_seconds() if finished else result.age_s
    when = f"at {clock(finished)}" if finished else f"{human_duration(age)} ago"
    if not result.passed:
        summary = f": {result.summary}" if result.summary else ""
        return Gate(key, False, f"validation `{gate.id}` failed {when}{summary}")
    if age > gate.max_age_s:
        return Gate(key, False, f"validation `{gate.id}` is stale: passed {when}, older than the "
                                f"{short_duration(gate.max_age_s)} allowed")
    return Gate(key, True, f"validation `{gate.id}` passed {when} (max age {short_duration(gate.max_age_s)})")


def why_changed(frozen: dict[str, Any], plan: Plan) -> str:
    """One sentence: why the plan a request froze is no longer the plan of now."""
    reasons = []
    if frozen.get("config_version") != plan.config_version:
        reasons.append(f"the configuration changed (version `{frozen.get('config_version')}` → "
                       f"`{plan.config_version}`)")
    elif frozen.get("step") != plan.step.definition():
        reasons.append("the step's definition changed")
    before = {g["key"]: g["ok"] for g in frozen.get("gates", [])}
    for g in plan.gates:
        if g.key not in before:
            reasons.append(f"a gate was added: {g.text}")
        elif before[g.key] != g.ok:
            reasons.append(f"a gate flipped: {g.text}" if not g.ok else f"a gate flipped to passing: {g.text}")
    for key in before.keys() - {g.key for g in plan.gates}:
        reasons.append(f"gate `{key}` was removed")
    return "; ".join(reasons) or "the plan changed"


def clock(moment: datetime | str | None) -> str:
    """A stable time for the card ('18:40 UTC', or 'Nov 27 18:40 UTC' on another day): relative
    times would change the card every minute."""
    if moment is None:
        return "?"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    moment = _aware(moment)
    today = datetime.now(UTC).date()
    return moment.strftime("%H:%M UTC" if moment.date() == today else "%b %d %H:%M UTC")


def _aware(moment: Any) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
