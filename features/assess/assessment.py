"""One assessment, with no Slack and no state: inventory a side through Cloudera Manager, run the
rules, and for TO-BE compare its configuration with AS-IS's.

    a = assess(config, "to-be")      # both CMs are read at the same time
    a.findings, a.differences, a.inventory, a.as_is

Raises `NotConfigured` when the side has no Cloudera Manager in app.yaml, and the connector's
`ClouderaError` (AuthError, NotFoundError, UnreachableError, ApiError) when its CM fails.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from config.assess import AssessSettings
from config.model import ClouderaEndpoint, Config
from connectors.cloudera import ClouderaError, ClouderaManager, Inventory
from features.assess.rules import Finding, apply_settings, evaluate, same_config, sort_findings
from features.assess.rules.same_config import Difference

SIDES = ("as-is", "to-be")


class NotConfigured(LookupError):
    """The side has no `cloudera:` endpoint in app.yaml."""


@dataclass
class Assessment:
    side: str
    inventory: Inventory
    findings: list[Finding]
    differences: list[Difference] = field(default_factory=list)  # TO-BE only: vs AS-IS
    as_is: Inventory | None = None  # AS-IS's inventory, read alongside a TO-BE assessment
    warnings: list[str] = field(default_factory=list)
    http_calls: int = 0
    elapsed_s: float = 0.0

    @property
    def source(self) -> Inventory | None:
        """The cluster whose data the migration moves (for the transfer-time estimate)."""
        return self.inventory if self.side == "as-is" else self.as_is


def endpoint(config: Config, side: str) -> ClouderaEndpoint:
    estate = config.estates.get(side)
    if estate is None or estate.cloudera is None:
        raise NotConfigured(f"estates.{side}.cloudera is not configured in app.yaml: Ferry has no Cloudera Manager "
                            f"to assess for {side.upper()}.")
    return estate.cloudera


def connect(ep: ClouderaEndpoint, *, sequential: bool = False) -> ClouderaManager:
    return ClouderaManager(ep.url, ep.username, ep.password, verify_tls=ep.verify_tls, timeout=ep.timeout_s,
                           sequential=sequential)


def inventory(ep: ClouderaEndpoint, *, sequential: bool = False) -> Inventory:
    with connect(ep, sequential=sequential) as cm:
        return cm.inventory(ep.cluster)


def assess(config: Config, side: str, settings: AssessSettings | None = None, *,
           sequential: bool = False) -> Assessment:
    """Assess one side. For TO-BE, AS-IS is read at the same time (when configured) for the
    same-configuration check; if only AS-IS fails, the TO-BE report says so instead of failing.
    sequential=True makes every CM call one after another (the benchmark's baseline)."""
    if side not in SIDES:
        raise ValueError(side)
    t0 = time.perf_counter()
    ep = endpoint(config, side)
    other_ep = None
    if side == "to-be":
        try:
            other_ep = endpoint(config, "as-is")
        except NotConfigured:
            other_ep = None
    warnings: list[str] = []
    as_is: Inventory | None = None
    if other_ep is None:
        inv = inventory(ep, sequential=sequential)
    else:
        # sequential (the benchmark's baseline): one CM after the other, as well as one call at a time
        with ThreadPoolExecutor(max_workers=1 if sequential else 2, thread_name_prefix="assess") as pool:
            f_side = pool.submit(inventory, ep, sequential=sequential)
            f_asis = pool.submit(inventory, other_ep, sequential=sequential)
            inv = f_side.result()
            try:
                as_is = f_asis.result()
            except ClouderaError as e:
                warnings.append(f"AS-IS could not be read, so it was not compared with TO-BE: {e}")
    if side == "to-be" and other_ep is None:
        warnings.append("estates.as-is.cloudera is not configured: TO-BE was not compared with AS-IS.")
    warnings += inv.warnings
    found = evaluate(inv, settings, warnings)
    differences: list[Difference] = []
    if as_is is not None:
        differences = same_config.compare(as_is, inv)
        found = sort_findings(found + apply_settings(same_config.findings(as_is, inv, differences), settings))
    calls = inv.http_calls + (as_is.http_calls if as_is else 0)
    return Assessment(side=side, inventory=inv, findings=found, differences=differences, as_is=as_is,
                      warnings=warnings, http_calls=calls, elapsed_s=time.perf_counter() - t0)
