"""app.yaml for MapReduce validation: the estates' gateway and yarn, the `mapreduce:` section and
each HBase table's engine (explicit, or chosen by its size hints)."""

from __future__ import annotations

import pytest

import config
from config.errors import ConfigError
from features.registry import vocabulary
from features.validation import mapreduce_backend

HEAD = """
slack: {channel: C0FERRY01}
people: {operators: [U0ALICE01]}
"""
GATEWAY = ("    gateway: {host: edge.example, user: ferry, key_file: /k, known_hosts: /kh, "
           "hdfs: 'hdfs://nn.example:8020', zookeeper: 'zk1,zk2:2181:/hbase'}\n"
           "    yarn: {url: 'http://rm.example:8088'}\n")


def load(estate_extra: str = GATEWAY, tables: str = "", section: str = ""):
    text = HEAD + "estates:\n"
    for name in ("as-is", "to-be"):
        text += f"  {name}:\n    hbase: {{host: 127.0.0.1, port: 9090}}\n{estate_extra}"
    text += section + "tables:\n  - id: orders\n    as-is: {hbase: orders}\n    to-be: {hbase: orders}\n" + tables
    return config.load_text(text, env={}, **vocabulary())


def test_gateway_and_yarn_are_parsed():
    cfg = load()
    gw = cfg.as_is.gateway
    assert (gw.host, gw.port, gw.user, gw.key_file, gw.zookeeper) == ("edge.example", 22, "ferry", "/k", "zk1,zk2:2181:/hbase")
    assert cfg.to_be.yarn.url == "http://rm.example:8088"
    assert cfg.mapreduce.hashtable_batch_size == 32 * 1024


def test_engine_mapreduce_needs_gateways_and_yarn():
    with pytest.raises(ConfigError, match="mapreduce needs estates.as-is.gateway"):
        load(estate_extra="", tables="    engine: mapreduce\n")
    with pytest.raises(ConfigError, match="not one of thrift, mapreduce"):
        load(tables="    engine: spark\n")


def test_default_engine_follows_the_size_hints():
    assert mapreduce_backend.engine(load(), load().tables.get("orders")) == "thrift"  # no hint: Thrift
    big = load(tables="    rows: 2000000000\n")
    assert mapreduce_backend.engine(big, big.tables.get("orders")) == "mapreduce"
    sized = load(tables="    size: 3TB\n", section="mapreduce: {above_size: 1TB}\n")
    assert mapreduce_backend.engine(sized, sized.tables.get("orders")) == "mapreduce"
    small = load(tables="    size: 3TB\n", section="mapreduce: {above_size: 5TB}\n")
    assert mapreduce_backend.engine(small, small.tables.get("orders")) == "thrift"
    no_gateway = load(estate_extra="", tables="    rows: 2000000000\n")
    assert mapreduce_backend.engine(no_gateway, no_gateway.tables.get("orders")) == "thrift"


def test_bad_values_name_their_key():
    with pytest.raises(ConfigError, match=r"gateway.zookeeper"):
        load(estate_extra=GATEWAY.replace("zk1,zk2:2181:/hbase", "zk1"))
    with pytest.raises(ConfigError, match=r"mapreduce.work_dir"):
        load(section="mapreduce: {work_dir: relative/path}\n")
    with pytest.raises(ConfigError, match=r"mapreduce.poll_every"):
        load(section="mapreduce: {poll_every: soon}\n")
