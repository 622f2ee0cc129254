"""The `assess:` section of app.yaml: thresholds, disabled rules and severities, checked against the
rules themselves so a typo fails at start with the key named."""

from __future__ import annotations

import pytest

import config
from config import ConfigError
from config.assess import AssessSettings, RuleNames
from features.assess.rules import known_rule_ids, known_thresholds
from tests.assess.conftest import config_text

RULES = RuleNames(frozenset(known_rule_ids()), known_thresholds())  # as features.registry.load_config

ENV = {"FERRY_TEST_CM_PASSWORD": "admin"}


def load(extra: str):
    return config.load_text(config_text(as_is="http://cm.test:7180", extra=extra), env=ENV, rules=RULES)


def test_absent_section_gives_the_defaults():
    assert load("").assess == AssessSettings()


def test_section_is_parsed():
    cfg = load("assess:\n  thresholds: {datanode_spread_points: 15, clock_offset_ms: 500}\n"
               "  disable: [kafka-auto-create-topics]\n  severity: {hdfs-namenode-ha: high}\n  top: 12\n")
    assert cfg.assess == AssessSettings(thresholds={"datanode_spread_points": 15.0, "clock_offset_ms": 500.0},
                                        disabled=frozenset({"kafka-auto-create-topics"}),
                                        severity={"hdfs-namenode-ha": "high"}, top=12)


@pytest.mark.parametrize("extra, key, words", [
    ("assess:\n  thresholds: {datanode_spread_pts: 5}\n", "assess.thresholds.datanode_spread_pts",
     "did you mean 'datanode_spread_points'"),
    ("assess:\n  thresholds: {clock_offset_ms: fast}\n", "assess.thresholds.clock_offset_ms", "expected a number"),
    ("assess:\n  disable: [zk-on-kafka]\n", "assess.disable[0]", "is not a rule"),
    ("assess:\n  severity: {kerberos-off: urgent}\n", "assess.severity.kerberos-off", "not one of critical"),
    ("assess:\n  top: 40\n", "assess.top", "at most 25"),
    ("assess:\n  limits: {}\n", "assess.limits", "unknown key"),
])
def test_mistakes_name_the_key(extra, key, words):
    with pytest.raises(ConfigError) as e:
        load(extra)
    assert str(e.value).startswith(key) and words in str(e.value), str(e.value)
