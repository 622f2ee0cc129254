"""Kerberos and wire encryption: the data will cross AWS accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from features.assess.rules.base import Hit, Thresholds, rule

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


@rule("kerberos-off", "high", "Kerberos is off",
      why="""Without Kerberos any host that reaches the cluster can act as any user (HDFS trusts the user name the
      client sends). The migration opens a network path between two AWS accounts for the copy: anything on that
      path can read or overwrite HDFS and HBase.""",
      fix="""Kerberize TO-BE before data lands on it (Cloudera Manager: Administration → Security → Enable
      Kerberos), restrict the copy path to the two clusters (security groups), and plan AS-IS's Kerberos with the
      cross-realm trust distcp needs.""")
def kerberos(inv: Inventory, t: Thresholds) -> Hit | None:
    s = inv.security
    if s.kerberos:
        return None
    cm = "also off" if not s.cm_kerberos else f"configured (realm {s.realm})"
    return Hit(f"Cluster '{inv.cluster}' is not kerberized; Kerberos in Cloudera Manager is {cm}.",
               numbers={"kerberos": False, "cm_kerberos": s.cm_kerberos})


_HOW = {"HDFS": "RPC privacy and data transfer encryption off", "HBASE": "RPC privacy off",
        "KAFKA": "no TLS on the brokers", "ZOOKEEPER": "no TLS"}


@rule("wire-encryption-off", "high", "Data travels unencrypted",
      why="""The copy moves every byte from one AWS account to the other; unencrypted RPC and data transfer can be
      read by anything on the path (peering, transit gateway, VPN end points).""",
      fix="""Turn on HDFS data transfer encryption and RPC privacy (hadoop.rpc.protection = privacy), HBase RPC
      privacy, TLS on Kafka and ZooKeeper, at least on TO-BE and for the copy path (distcp over an encrypted
      link, or a VPN between the accounts).""")
def wire_encryption(inv: Inventory, t: Thresholds) -> Hit | None:
    plain = [name for name, on in sorted(inv.security.wire_encryption.items()) if not on]
    if not plain:
        return None
    parts = []
    for name in plain:
        svc = inv.service(name)
        parts.append(f"{name} ({_HOW.get(svc.type if svc else '', 'not encrypted')})")
    return Hit("Not encrypted on the wire: " + ", ".join(parts) + ".", numbers={"unencrypted_services": plain})
