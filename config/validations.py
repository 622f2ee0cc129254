"""`validations:` in app.yaml: named checks of tables, run on a schedule, after a transfer,
from a cutover step, or by hand.

    validations:
      - id: events-hourly-count
        tables: [events, customers]     # or `table: events`; ids from `tables:`
        check: count                    # count | sample | full
        schedule: every 1h              # "every 15m" | "cron */30 * * * *" | {every: 15m} | {cron: "..."}
      - id: events-nightly-full
        table: events
        check: full
        schedule: {cron: "0 2 * * *"}   # UTC
        after_transfers: [warehouse-snapshot]   # also run when these transfers finish
      - id: orders-sample
        table: hbase-orders
        check: sample
        sample: 5000                    # rows (sample checks only; default 1000)
        silence_hours: 4                # what the alert's Silence button offers (default 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.entries import Entries, each_entry
from config.errors import ConfigError
from config.reader import Reader, join, type_name
from config.units import parse_duration

CHECKS = ("count", "sample", "full")
DEFAULT_SAMPLE = 1_000
MAX_SAMPLE = 1_000_000
MAX_SILENCE_HOURS = 8760
DEFAULT_SILENCE_HOURS = 4
MIN_INTERVAL_S = 60.0


@dataclass(frozen=True)
class Schedule:
    every_s: float | None = None
    cron: str | None = None

    def describe(self) -> str:
        if self.every_s is not None:
            from config.units import human_duration

            return f"every {human_duration(self.every_s)}"
        return f"cron `{self.cron}` (UTC)"

    @property
    def signature(self) -> str:
        return f"every:{self.every_s:g}" if self.every_s is not None else f"cron:{self.cron}"


@dataclass(frozen=True)
class ValidationSpec:
    id: str
    tables: tuple[str, ...]
    check: str  # count | sample | full
    schedule: Schedule | None = None
    sample: int = DEFAULT_SAMPLE
    after_transfers: tuple[str, ...] = ()
    silence_hours: int = DEFAULT_SILENCE_HOURS


@dataclass(frozen=True)
class Validations(Entries[ValidationSpec]):
    """The parsed section: `cfg.validations.get("events-hourly-count")`."""


def parse_schedule(value: Any, path: str) -> Schedule | None:
    if value is None:
        return None
    every = cron = None
    if isinstance(value, dict):
        r = Reader(value, path)
        every, cron = r.raw("every", None), r.str("cron", default=None)
        r.done()
        if (every is None) == (cron is None):
            raise ConfigError(path, "give exactly one of `every` or `cron`")
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("every "):
            every = text[len("every "):]
        elif text.startswith("cron "):
            cron = text[len("cron "):]
        elif len(text.split()) == 5:
            cron = text
        else:
            every = text
    else:
        raise ConfigError(path, f"expected `every 15m`, `cron 0 * * * *` or a mapping, got {type_name(value)}")
    if every is not None:
        try:
            seconds = parse_duration(every)
        except ValueError as e:
            raise ConfigError(path, str(e)) from None
        if seconds < MIN_INTERVAL_S:
            raise ConfigError(path, f"runs at most once a minute (got {every})")
        return Schedule(every_s=seconds)
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(cron)
    except ValueError as e:
        raise ConfigError(path, f"{cron!r} is not a crontab expression (minute hour day month weekday): {e}") from None
    return Schedule(cron=cron)


def parse(value: Any, path: str, parsed: dict[str, Any]) -> Validations:
    tables = parsed.get("tables")
    known_tables = set(tables.ids) if tables is not None else set()
    out: list[ValidationSpec] = []
    for ident, r in each_entry(value, path, "validations"):
        if r.has("table") == r.has("tables"):
            raise ConfigError(r.path, "give `table: <id>` or `tables: [<id>, ...]`")
        key = "table" if r.has("table") else "tables"
        names = r.str_list(key)
        if not names:
            raise ConfigError(join(r.path, key), "names no table")
        for j, name in enumerate(names):
            if name not in known_tables:
                where = join(join(r.path, key), j) if key == "tables" else join(r.path, key)
                raise ConfigError(where, f"{name!r} is not in `tables:` (known: {', '.join(sorted(known_tables)) or 'none'})")
        check = r.choice("check", CHECKS)
        sample = r.int("sample", default=DEFAULT_SAMPLE, minimum=1)
        if sample > MAX_SAMPLE:
            raise ConfigError(join(r.path, "sample"), f"at most {MAX_SAMPLE:,} rows")
        if r.has("sample") and check != "sample":
            raise ConfigError(join(r.path, "sample"), "is only for `check: sample`")
        schedule = parse_schedule(r.raw("schedule", None), join(r.path, "schedule"))
        after = r.str_list("after_transfers", default=())
        silence = r.int("silence_hours", default=DEFAULT_SILENCE_HOURS, minimum=1)
        if silence > MAX_SILENCE_HOURS:
            raise ConfigError(join(r.path, "silence_hours"), f"must be at most {MAX_SILENCE_HOURS} (a year), got {silence}")
        r.done()
        out.append(ValidationSpec(ident, tuple(names), check, schedule, sample, tuple(after), silence))
    return Validations(tuple(out))
