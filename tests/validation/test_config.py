"""`tables:` and `validations:` in app.yaml: typed, checked against the estates and each other,
errors that name the key."""

from __future__ import annotations

import textwrap

import pytest

import config
from config import ConfigError
from features.registry import vocabulary

HEAD = """
slack: {channel: C0FERRY01}
people: {operators: [U0ALICE01], approvers: [U0BOB0001]}
estates:
  as-is:
    hbase: {host: 127.0.0.1, port: 9090}
    warehouse: {dsn: "postgresql://ferry:${PW}@127.0.0.1:5439/asis"}
  to-be:
    hbase: {host: 127.0.0.1, port: 9091}
    warehouse: {dsn: "postgresql://ferry:${PW}@127.0.0.1:5439/tobe"}
"""

GOOD = """
tables:
  - id: events
    as-is: {warehouse: public.events}
    to-be: {warehouse: public.events}
    key: [event_id]
    columns: [amount, payload]
    filter: "created_at < DATE '2026-11-01'"
  - id: hbase-orders
    as-is: {hbase: orders}
    to-be: {hbase: orders}
    columns: [d]
    key_from: order-
validations:
  - id: events-count
    tables: [events, hbase-orders]
    check: count
    schedule: every 15m
  - id: events-full
    table: events
    check: full
    schedule: {cron: "0 2 * * *"}
    after_transfers: [snapshot]
  - id: orders-sample
    table: hbase-orders
    check: sample
    sample: 5000
    silence_hours: 2
"""


def load(extra: str):
    return config.load_text(HEAD + textwrap.dedent(extra), env={"PW": "x"}, source_path="/tmp/x/app.yaml", **vocabulary())


def test_sections_are_typed():
    cfg = load(GOOD)
    events = cfg.tables.get("events")
    assert (events.kind, events.as_is.name, events.key, events.columns) == ("warehouse", "public.events", ("event_id",),
                                                                             ("amount", "payload"))
    assert cfg.tables.get("hbase-orders").key_from == "order-" and cfg.tables.ids == ["events", "hbase-orders"]
    count, full, sample = cfg.validations
    assert count.tables == ("events", "hbase-orders") and count.schedule.every_s == 900
    assert full.schedule.cron == "0 2 * * *" and full.after_transfers == ("snapshot",)
    assert (sample.sample, sample.silence_hours, sample.schedule) == (5000, 2, None)


@pytest.mark.parametrize(("extra", "key", "words"), [
    ("tables: [{id: t, as-is: {warehouse: a.b}, to-be: {hbase: b}, key: [id]}]", "tables[0].to-be", "same kind"),
    ("tables: [{id: t, as-is: {warehouse: a.b}, to-be: {warehouse: a.b}}]", "tables[0].key", "is required"),
    ("tables: [{id: t, as-is: {warehouse: a.b.c}, to-be: {warehouse: a.b}, key: [id]}]", "tables[0].as-is.warehouse",
     "not a table name"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}, filter: x}]", "tables[0].filter", "key_from"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}, colums: [d]}]", "tables[0].colums", "did you mean"),
    ("tables: [{id: t, as-is: {warehouse: a.b}, to-be: {warehouse: a.b}, key: [id], columns: [id]}]",
     "tables[0].columns", "key column"),
    ("validations: [{id: v, table: nope, check: count}]", "validations[0].table", "not in `tables:`"),
    ("validations: [{id: v, check: count}]", "validations[0]", "table"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]\nvalidations: [{id: v, table: t, check: exact}]",
     "validations[0].check", "not one of"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]\nvalidations: [{id: v, table: t, check: count, "
     "schedule: every 5s}]", "validations[0].schedule", "once a minute"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]\nvalidations: [{id: v, table: t, check: count, "
     "schedule: {cron: '61 * * * *'}}]", "validations[0].schedule", "crontab"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]\nvalidations: [{id: v, table: t, check: count, "
     "sample: 10}]", "validations[0].sample", "only for"),
    ("tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]\nvalidations: [{id: v, table: t, check: count, "
     "silence_hours: 100000000}]", "validations[0].silence_hours", "at most 8760"),
])
def test_errors_name_the_key(extra, key, words):
    with pytest.raises(ConfigError) as err:
        load(extra)
    assert err.value.key == key and words in err.value.problem


def test_a_table_needs_its_estate_endpoint():
    with pytest.raises(ConfigError) as err:
        config.load_text(textwrap.dedent("""
            slack: {channel: C0FERRY01}
            people: {operators: [U0ALICE01]}
            estates: {as-is: {}, to-be: {}}
            tables: [{id: t, as-is: {hbase: a}, to-be: {hbase: a}}]
            """), env={})
    assert err.value.key == "tables[0].as-is.hbase" and "not configured" in err.value.problem


def test_the_shipped_app_yaml_parses():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: "x" for k in ("CM_ASIS_PASSWORD", "CM_TOBE_PASSWORD", "WAREHOUSE_ASIS_PASSWORD", "WAREHOUSE_TOBE_PASSWORD")}
    cfg = config.load_text((root / "app.yaml").read_text(), env=env, source_path=str(root / "app.yaml"), **vocabulary())
    assert len(cfg.tables) >= 2 and len(cfg.validations) >= 2
