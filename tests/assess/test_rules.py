"""Every rule on inventories built by hand: one case where it fires (with its numbers and hosts)
and the healthy inventory, where it does not. A meta-test keeps the list complete."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.assess import AssessSettings
from connectors.cloudera import Config, HealthCheck, Inventory
from features.assess.rules import REGISTRY, evaluate, rules, thresholds_for
from features.assess.rules import same_config as same
from features.assess.rules.kafka import spread
from tests.assess.inventories import GiB, TiB, healthy, moved


def fires(inv: Inventory, rule_id: str, settings: AssessSettings | None = None):
    found = [f for f in evaluate(inv, settings) if f.severity != "info" or rule_id == "disk-image-copy"]
    assert [f.rule for f in found] == [rule_id] * len(found) and found, [f.rule for f in found]
    return found


def _set(inv: Inventory, **kw) -> Inventory:
    for path, value in kw.items():
        obj_name, attr = path.split("__")
        setattr(getattr(inv, obj_name), attr, value)
    return inv


def _check(inv: Inventory, summary: str) -> Inventory:
    dn = next(r for r in inv.roles if r.type == "DATANODE")
    dn.health_checks = [HealthCheck("DATA_NODE_FREE_SPACE_REMAINING", summary)]
    return inv


def _stale(inv: Inventory) -> Inventory:
    hb = inv.service("HBASE")
    hb.config_staleness = "STALE"
    for r in hb.roles_of("REGIONSERVER"):
        r.config_staleness = "STALE"
    return inv


def _clock(inv: Inventory) -> Inventory:
    inv.host("w-2").clock_offset_ms = -5200.0
    return inv


def _full(inv: Inventory) -> Inventory:
    inv.hdfs.used_bytes = inv.hdfs.capacity_bytes * 0.9
    return inv


# rule id -> (inventory where it fires, check of the findings)
CASES: dict[str, tuple[Callable[[], Inventory], Callable[[list], None]]] = {
    "zk-on-kafka-hosts": (
        lambda: healthy(moved({"k-1": ["KAFKA_BROKER", "SERVER"], "k-2": ["KAFKA_BROKER", "SERVER"],
                               "k-3": ["KAFKA_BROKER", "SERVER"], "zk-1": ["JOURNALNODE"], "zk-2": [], "zk-3": []})),
        lambda f: (f[0].hosts == ["k-1", "k-2", "k-3"]) and f[0].numbers["shared"] == 3),
    "zk-on-data-hosts": (
        lambda: healthy(moved({"w-1": ["DATANODE", "REGIONSERVER", "SERVER"], "zk-1": ["JOURNALNODE"]})),
        lambda f: f[0].hosts == ["w-1"] and "DataNode and RegionServer" in f[0].evidence),
    "zk-ensemble-size": (
        lambda: healthy(moved({"zk-3": []})),
        lambda f: f[0].numbers["servers"] == 2 and "below 3" in f[0].evidence),
    "kafka-partitions-not-multiple": (
        lambda: _set(healthy(), kafka__num_partitions=10),
        lambda f: f[0].numbers["spread"] == [4, 3, 3] and "4/3/3" in f[0].evidence and "9 or 12" in f[0].fix),
    "kafka-replication-factor": (
        lambda: _set(healthy(), kafka__default_replication_factor=1),
        lambda f: f[0].numbers == {"default_replication_factor": 1, "brokers": 3} and f[0].severity == "high"),
    "kafka-min-insync-replicas": (
        lambda: _set(healthy(), kafka__min_insync_replicas=1),
        lambda f: f[0].numbers["min_insync_replicas"] == 1 and f[0].severity == "medium"),
    "kafka-unclean-leader-election": (
        lambda: _set(healthy(), kafka__unclean_leader_election=True), lambda f: f[0].severity == "high"),
    "kafka-auto-create-topics": (
        lambda: _set(healthy(), kafka__auto_create_topics=True), lambda f: f[0].severity == "low"),
    "hdfs-replication-factor": (
        lambda: _set(healthy(), hdfs__replication=2), lambda f: f[0].numbers["replication"] == 2),
    "hdfs-datanode-imbalance": (
        lambda: healthy(used_pct=(55, 58, 82)),
        # 55 is exactly 10 points below the mean of 65: not past the threshold; 82 is +17
        lambda f: f[0].hosts == ["w-3"] and f[0].numbers["mean_pct"] == 65.0 and "+17 points" in f[0].evidence),
    "hdfs-missing-blocks": (
        lambda: _set(healthy(), hdfs__missing_blocks=3.0), lambda f: f[0].severity == "critical"),
    "hdfs-under-replicated-blocks": (
        lambda: _set(healthy(), hdfs__under_replicated_blocks=120.0),
        lambda f: f[0].numbers["under_replicated_blocks"] == 120),
    "hdfs-namenode-ha": (
        lambda: _set(healthy(moved({"m-2": ["MASTER"]})), hdfs__ha=False, hdfs__namenodes=["m-1.t.internal"]),
        lambda f: f[0].hosts == ["m-1"]),
    "hdfs-free-space": (
        lambda: _full(healthy()), lambda f: f[0].scope == "cluster" and f[0].numbers["free_pct"] < 20),
    "hbase-region-skew": (
        lambda: healthy(regions=(100, 100, 160)),
        lambda f: f[0].hosts == ["w-3"] and f[0].numbers["regions"]["w-3"] == 160),
    "kerberos-off": (
        lambda: _set(healthy(), security__kerberos=False), lambda f: f[0].severity == "high"),
    "wire-encryption-off": (
        lambda: _set(healthy(), security__wire_encryption={"hdfs": False, "hbase": True, "kafka": True,
                                                           "zookeeper": True}),
        lambda f: f[0].numbers["unencrypted_services"] == ["hdfs"]),
    "health-bad": (lambda: _check(healthy(), "BAD"), lambda f: f[0].hosts == ["w-1"]),
    "health-concerning": (
        lambda: _check(healthy(), "CONCERNING"),
        lambda f: "DATA_NODE_FREE_SPACE_REMAINING on hdfs DataNode on w-1" in f[0].evidence),
    "clock-offset": (lambda: _clock(healthy()), lambda f: f[0].numbers["offset_ms"] == {"w-2": -5200.0}),
    "stale-configuration": (
        lambda: _stale(healthy()), lambda f: f[0].numbers["stale_services"] == ["hbase"] and f[0].numbers["stale_roles"] == 3),
    "disk-image-copy": (healthy, lambda f: f[0].severity == "info" and f[0].numbers["replication"] == 3),
}


def checked_rules() -> list[str]:
    return [rule_id for rule_id, r in rules().items() if r.check is not None]


def test_every_rule_has_a_case():
    assert sorted(CASES) == sorted(checked_rules())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(rule_id):
    make, check = CASES[rule_id]
    found = fires(make(), rule_id)
    assert check(found), found
    f = found[0]
    assert f.title and f.evidence and f.why and f.fix  # every finding explains itself


@pytest.mark.parametrize("rule_id", sorted(r for r in CASES if r != "disk-image-copy"))
def test_rule_does_not_fire_on_a_healthy_cluster(rule_id):
    assert not REGISTRY[rule_id].findings(REGISTRY[rule_id].check(healthy(), thresholds_for(None)))


def test_disk_image_note_needs_hdfs():
    inv = healthy()
    inv.hdfs = None
    assert REGISTRY["disk-image-copy"].check(inv, thresholds_for(None)) is None


def test_healthy_inventory_has_only_the_info_note():
    assert [f.rule for f in evaluate(healthy())] == ["disk-image-copy"]


def test_min_insync_at_replication_factor_is_high():
    inv = _set(healthy(), kafka__min_insync_replicas=3)
    (f,) = fires(inv, "kafka-min-insync-replicas")
    assert f.severity == "high"


def test_datanodes_nearly_full():
    inv = healthy(used_pct=(60, 61, 95))
    found = [f for f in evaluate(inv) if f.rule == "hdfs-free-space"]
    assert [(f.scope, f.hosts, f.severity) for f in found] == [("datanodes", ["w-3"], "medium")]


def test_spread():
    assert spread(10, 3) == [4, 3, 3]
    assert spread(12, 3) == [4, 4, 4]
    assert spread(10, 4) == [3, 3, 2, 2]


# -- thresholds, severities and disabled rules from app.yaml ---------------------------------------
def test_threshold_override_changes_what_fires():
    inv = healthy(used_pct=(55, 58, 82))
    assert not [f for f in evaluate(inv, AssessSettings(thresholds={"datanode_spread_points": 20}))
                if f.rule == "hdfs-datanode-imbalance"]
    found = [f for f in evaluate(inv, AssessSettings(thresholds={"datanode_spread_points": 5}))
             if f.rule == "hdfs-datanode-imbalance"]
    assert found[0].hosts == ["w-3", "w-1", "w-2"]  # +17, -10 and -7 points: all past 5


def test_disable_and_severity_override():
    inv = _set(healthy(), kafka__auto_create_topics=True, kafka__unclean_leader_election=True)
    settings = AssessSettings(disabled=frozenset({"kafka-auto-create-topics"}),
                              severity={"kafka-unclean-leader-election": "critical"})
    assert [(f.rule, f.severity) for f in evaluate(inv, settings) if f.severity != "info"] == [
        ("kafka-unclean-leader-election", "critical")]


def test_a_broken_rule_is_a_warning_not_a_failure():
    inv = healthy()
    inv.kafka.brokers = None  # data no rule expects
    warnings: list[str] = []
    found = evaluate(inv, None, warnings)
    assert any("could not run" in w for w in warnings)
    assert "disk-image-copy" in [f.rule for f in found]


# -- AS-IS vs TO-BE ------------------------------------------------------------------------------
def empty(**kw) -> Inventory:
    """A TO-BE twin: same configuration, nothing copied yet."""
    return healthy(used_pct=(0, 0, 0), **kw)


def test_same_configuration_gives_no_difference():
    assert same.compare(healthy(), empty()) == []
    assert same.findings(healthy(), empty(), []) == []


def test_heap_difference_matters_and_reads_in_gib():
    diffs = same.compare(healthy(heap=8 * GiB), empty(heap=4 * GiB))
    assert [(d.area, d.name, d.as_is, d.to_be, d.matters) for d in diffs] == [
        ("HBASE REGIONSERVER", "hbase_regionserver_java_heapsize", "8 GiB", "4 GiB", True)]
    (f,) = same.findings(healthy(heap=8 * GiB), empty(heap=4 * GiB), diffs)
    assert f.rule == "same-config" and "8 GiB" in f.title and "4 GiB" in f.title


def test_versions_security_and_kafka_settings_differ():
    tobe = _set(healthy(), security__kerberos=False)
    tobe.cdh_version = "7.1.9"
    tobe.service("KAFKA").config = Config.of({"num.partitions": 10, "default.replication.factor": 3,
                                              "min.insync.replicas": 2})
    names = {(d.area, d.name, d.as_is, d.to_be) for d in same.compare(healthy(), tobe) if d.matters}
    assert ("cluster", "CDH/CDP version", "7.1.7", "7.1.9") in names
    assert ("security", "Kerberos", "on", "off") in names
    assert ("KAFKA", "num.partitions", "12", "10") in names


def test_values_naming_each_side_hosts_are_not_differences():
    asis, tobe = healthy(), healthy()
    asis.service("HDFS").config = Config.of({"dfs_replication": 3, "nn_host": "m-1.t.internal"})
    tobe.service("HDFS").config = Config.of({"dfs_replication": 3, "nn_host": "m-1.t.internal"})
    tobe.hosts[0].hostname = "m-1.t.internal"
    assert same.compare(asis, tobe) == []


def test_tobe_without_room_for_the_data():
    asis, tobe = healthy(used_pct=(80, 80, 80)), healthy(used_pct=(1, 1, 1))
    tobe.hdfs.capacity_bytes = 2 * TiB
    tobe.hdfs.used_bytes = 0.1 * TiB
    found = same.findings(asis, tobe, [])
    assert [f.rule for f in found] == ["tobe-capacity"] and found[0].severity == "critical"
    assert not same.findings(asis, empty(), [])
