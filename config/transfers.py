"""The `transfers:` section: the copies Ferry starts, watches and reports.

    transfers:
      - id: hbase-orders
        kind: hbase-copy                # cloudera-replication | datasync | redshift-snapshot | hbase-copy
        from: as-is                     # the side it reads (default as-is)
        to: to-be                       # the side it writes (default to-be)
        table: orders                   # kind-specific keys: each kind's Params class, beside its
                                        # engine in features/transfers/ (README "Transfers")
        rate: 50MB/s                    # optional starting cap (bytes/s); `/migrate throttle` changes it
        size: 40GB                      # optional: shown on the confirmation card when the engine cannot tell
        tables: [orders]                # optional: table ids whose validations run when it ends done
        poll_every: 10s                 # how often the watcher looks (default 5s)
        stall_alert_after: 15m          # alert the channel when stalled this long (default 15m)

Each kind names the estate endpoint Ferry drives with `via` (default: the CM of the TO-BE side for
cloudera-replication, the AWS account of the TO-BE side for datasync), and the parser checks
that the estates it refers to have the endpoints its kind needs, so a typo fails at start.

The kinds are not listed here: `load(..., kinds=...)` is given them (`TransferKind`: how to read
the kind's own keys, which endpoints it needs), by features.registry.load_config from the
transfer engines (features/transfers/kinds.py). A new kind is written beside its engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from config.entries import ID_PATTERN, Entries, each_entry
from config.errors import ConfigError
from config.reader import Reader, join
from config.units import parse_duration, parse_rate, parse_size

ESTATES = ("as-is", "to-be")
DEFAULT_POLL_EVERY_S = 5.0
DEFAULT_STALL_ALERT_AFTER_S = 15 * 60.0
MIN_POLL_EVERY_S = 0.2


@dataclass(frozen=True)
class TransferKind:
    """What the configuration needs to know of a kind: how to read its own keys into its params
    object, and which estate endpoints it needs: (estate attribute, "source" | "target" | "via")."""

    parse_params: Callable[[Reader], Any]
    needs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Transfer:
    id: str
    kind: str
    source: str  # estate name it reads: as-is | to-be
    target: str  # estate name it writes
    via: str  # estate whose endpoint (CM, AWS) drives the engine
    params: Any  # the kind's own params object (TransferKind.parse_params)
    description: str = ""
    rate: float | None = None  # starting cap, bytes/s
    size: int | None = None  # bytes, as configured
    tables: tuple[str, ...] = ()
    poll_every_s: float = DEFAULT_POLL_EVERY_S
    stall_alert_after_s: float = DEFAULT_STALL_ALERT_AFTER_S


@dataclass(frozen=True)
class Transfers(Entries[Transfer]):
    """The configured transfers, in file order. `cfg.transfers.get("hbase-orders")`."""


def parse(value: Any, path: str, parsed: dict[str, Any]) -> Transfers:
    entries = list(each_entry(value, path, "transfers"))
    if entries and not parsed.get("kinds"):
        raise ConfigError(path, "this loader was given no transfer kinds (load the configuration with "
                                "features.registry.load_config)")
    return Transfers(tuple(_transfer(ident, r, parsed) for ident, r in entries))


def _transfer(ident: str, r: Reader, parsed: dict[str, Any]) -> Transfer:
    kinds: dict[str, TransferKind] = parsed["kinds"]
    kind = r.choice("kind", tuple(kinds))
    source = r.choice("from", ESTATES, default="as-is")
    target = r.choice("to", ESTATES, default="to-be")
    if source == target:
        raise ConfigError(join(r.path, "to"), f"a transfer reads one side and writes the other; both are {source!r}")
    via = r.choice("via", ESTATES, default=target)
    params = kinds[kind].parse_params(r)
    rate = unit(r, "rate", parse_rate)
    size = unit(r, "size", parse_size)
    poll = unit(r, "poll_every", parse_duration)
    stall = unit(r, "stall_alert_after", parse_duration)
    if poll is not None and poll < MIN_POLL_EVERY_S:
        raise ConfigError(join(r.path, "poll_every"), f"must be at least {MIN_POLL_EVERY_S}s")
    if rate is not None and rate <= 0:
        raise ConfigError(join(r.path, "rate"), "must be positive (leave it out for no cap)")
    transfer = Transfer(
        id=ident, kind=kind, source=source, target=target, via=via, params=params,
        description=r.str("description", default=""),
        rate=rate, size=size,
        tables=r.str_list("tables", default=(), pattern=ID_PATTERN, what="a table id"),
        poll_every_s=poll if poll is not None else DEFAULT_POLL_EVERY_S,
        stall_alert_after_s=stall if stall is not None else DEFAULT_STALL_ALERT_AFTER_S,
    )
    r.done()
    _check_endpoints(transfer, kinds[kind], r.path, parsed.get("estates") or {})
    return transfer


def unit(r: Reader, key: str, parser: Callable[[Any], Any]) -> Any:
    """A key read with a units parser (parse_rate, parse_size, parse_duration); None if absent."""
    raw = r.raw(key, None)
    if raw is None:
        return None
    try:
        return parser(raw)
    except ValueError as e:
        raise ConfigError(join(r.path, key), str(e)) from None


def _check_endpoints(t: Transfer, kind: TransferKind, path: str, estates: dict[str, Any]) -> None:
    for endpoint, side_attr in kind.needs:
        side = getattr(t, side_attr)
        estate = estates.get(side)
        if estate is not None and getattr(estate, endpoint, None) is None:
            raise ConfigError(join(path, "kind"), f"a {t.kind} transfer needs estates.{side}.{endpoint}, "
                                                  "which is not configured")
