"""Parsers of the core sections: slack, people, state, estates, network."""

from __future__ import annotations

import os
import re

from config.errors import ConfigError
from config.model import (
    AwsEndpoint,
    ClouderaEndpoint,
    Estate,
    GatewayEndpoint,
    HBaseEndpoint,
    Network,
    People,
    SlackConfig,
    StateConfig,
    WarehouseEndpoint,
    YarnEndpoint,
)
from config.reader import Reader, join
from config.units import parse_rate

CHANNEL_ID = r"[CG][A-Z0-9]{2,}"
USER_OR_GROUP_ID = r"[UWS][A-Z0-9]{2,}"
ESTATE_NAMES = ("as-is", "to-be")


def parse_slack(r: Reader) -> SlackConfig:
    cfg = SlackConfig(channel=r.str("channel", pattern=CHANNEL_ID, what="a Slack channel ID (C…)"))
    r.done()
    return cfg


def parse_people(r: Reader) -> People:
    what = "a Slack user ID (U…/W…) or user-group ID (S…)"
    people = People(
        operators=r.str_list("operators", pattern=USER_OR_GROUP_ID, what=what),
        approvers=r.str_list("approvers", default=(), pattern=USER_OR_GROUP_ID, what=what),
    )
    r.done()
    return people


def parse_state(r: Reader, base_dir: str) -> StateConfig:
    path = r.str("path", default="var/ferry.sqlite")
    r.done()
    if not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    return StateConfig(path=path)


def parse_estates(r: Reader) -> dict[str, Estate]:
    estates = {}
    for name in ESTATE_NAMES:
        estates[name] = _parse_estate(name, r.section(name, required=True))
    r.done()
    return estates


def _parse_estate(name: str, r: Reader) -> Estate:
    cloudera = hbase = warehouse = aws = None
    if r.has("cloudera"):
        c = r.section("cloudera")
        cloudera = ClouderaEndpoint(
            url=c.str("url", pattern=r"https?://.+", what="an http(s):// URL of Cloudera Manager"),
            username=c.str("username"),
            password=c.str("password"),
            cluster=c.str("cluster", default=None),
            verify_tls=c.bool("verify_tls", default=True),
            timeout_s=c.float("timeout", default=10.0, minimum=0.1),
        )
        c.done()
    if r.has("hbase"):
        h = r.section("hbase")
        hbase = HBaseEndpoint(host=h.str("host"), port=h.int("port", default=9090, minimum=1),
                              timeout_s=h.float("timeout", default=10.0, minimum=0.1))
        h.done()
    if r.has("warehouse"):
        w = r.section("warehouse")
        warehouse = WarehouseEndpoint(
            dsn=w.str("dsn", pattern=r"(postgres(ql)?|redshift)://.+", what="a postgresql:// DSN"),
            timeout_s=w.float("timeout", default=10.0, minimum=0.1),
        )
        w.done()
    if r.has("aws"):
        a = r.section("aws")
        aws = AwsEndpoint(
            region=a.str("region"),
            endpoint_url=a.str("endpoint_url", default=None),
            account_id=a.str("account_id", default=None, pattern=r"[0-9]{12}", what="a 12-digit AWS account ID"),
            access_key_id=a.str("access_key_id", default=None),
            secret_access_key=a.str("secret_access_key", default=None),
        )
        a.done()
    gateway, yarn = _parse_gateway(r), _parse_yarn(r)
    r.done()
    return Estate(name=name, cloudera=cloudera, hbase=hbase, warehouse=warehouse, aws=aws, gateway=gateway, yarn=yarn)


def _parse_gateway(r: Reader) -> GatewayEndpoint | None:
    """`gateway: {host, port, user, key_file, known_hosts, hdfs, zookeeper}` (README: MapReduce validation)."""
    if not r.has("gateway"):
        return None
    g = r.section("gateway")
    gw = GatewayEndpoint(
        host=g.str("host"), port=g.int("port", default=22, minimum=1), user=g.str("user", pattern=r"[a-z_][a-z0-9_.-]*",
                                                                                   what="a Unix user name"),
        key_file=os.path.expanduser(g.str("key_file")),
        known_hosts=os.path.expanduser(g.str("known_hosts", default="~/.ssh/known_hosts")),
        timeout_s=g.float("timeout", default=15.0, minimum=0.1),
        hdfs=g.str("hdfs", default=None, pattern=r"hdfs://[^\s/]+", what="an hdfs://namenode:port address"),
        zookeeper=g.str("zookeeper", default=None, pattern=r"[^\s]+:[0-9]+:/\S*", what="a quorum as host[,host]:port:/znode"),
    )
    g.done()
    return gw


def _parse_yarn(r: Reader) -> YarnEndpoint | None:
    if not r.has("yarn"):
        return None
    y = r.section("yarn")
    url = "an http(s):// URL of the ResourceManager"
    yarn = YarnEndpoint(url=y.str("url", pattern=r"https?://.+", what=url),
                        history_url=y.str("history_url", default=None, pattern=r"https?://.+", what="an http(s):// URL"),
                        timeout_s=y.float("timeout", default=10.0, minimum=0.1))
    y.done()
    return yarn


def parse_network(r: Reader) -> Network:
    def rate(key: str) -> float | None:
        raw = r.raw(key, None)
        if raw is None:
            return None
        try:
            return parse_rate(raw)
        except ValueError as e:
            raise ConfigError(join(r.path, key), str(e)) from None

    net = Network(
        source_bandwidth=rate("source_bandwidth"),
        usable_fraction=r.float("usable_fraction", default=0.7, minimum=0.01),
        target_bandwidth=rate("target_bandwidth"),
    )
    if net.usable_fraction > 1:
        raise ConfigError(join(r.path, "usable_fraction"), "must be between 0 and 1")
    r.done()
    return net


# Keys whose values are secrets: they may only come from the environment (${VAR}).
SECRET_KEYS = re.compile(r"(^|_)(password|secret|token|secret_access_key)$")
ENV_ONLY = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
DSN_PASSWORD = re.compile(r"^[a-z]+://[^:/@]+:(?P<pw>[^@]*)@")
