"""Kafka partitioning and durability settings (the field note's second finding)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from features.assess.rules.base import Hit, Thresholds, host_list, rule, short

if TYPE_CHECKING:
    from connectors.cloudera import Inventory


def spread(partitions: int, brokers: int) -> list[int]:
    """Partitions of one topic per broker when Kafka spreads them round-robin: 10 on 3 -> [4, 3, 3]."""
    base, extra = divmod(partitions, brokers)
    return [base + 1] * extra + [base] * (brokers - extra)


def _default_note(inv: Inventory, name: str) -> str:
    svc = inv.service("KAFKA")
    return "" if svc is None or svc.config.is_set(name) else " (CM's default, never set)"


@rule("kafka-partitions-not-multiple", "medium", "Kafka num.partitions is not a multiple of the broker count",
      why="""Every broker should carry a balanced share. With a remainder, each new topic puts one more partition
      on some brokers, so they take more produce, fetch and replication traffic than the others and set the pace
      of MirrorMaker or any copy of the topics to TO-BE, which gets the same configuration.""",
      fix="Set num.partitions to a multiple of the broker count.")
def partitions_not_multiple(inv: Inventory, t: Thresholds) -> Hit | None:
    k = inv.kafka
    if k is None or not k.num_partitions or len(k.brokers) < 2:
        return None
    n, p = len(k.brokers), k.num_partitions
    if p % n == 0:
        return None
    per = spread(p, n)
    load = (per[0] / per[-1] - 1) * 100
    evidence = (f"num.partitions = {p} on {n} brokers ({host_list(b.hostname for b in k.brokers)}): each new topic "
                f"puts {'/'.join(map(str, per))} partitions on the brokers, so "
                f"{'one broker carries' if per.count(per[0]) == 1 else f'{per.count(per[0])} brokers carry'} "
                f"{load:.0f}% more of its traffic than the others.")
    hosted = [(short(b.hostname), int(b.partitions)) for b in k.brokers if b.partitions is not None]
    if hosted:
        evidence += " Partition replicas hosted now: " + ", ".join(f"{h} {c}" for h, c in hosted) + "."
    lower, upper = p - p % n, p - p % n + n
    choices = f"{lower} or {upper}" if lower else str(upper)
    fix = (f"Set num.partitions to a multiple of {n} ({choices}) on TO-BE before topics are created there; for "
           f"existing topics, `kafka-topics --alter --partitions {upper}` (keys move to other partitions: do it "
           "before consumers rely on ordering) and rebalance replicas with `kafka-reassign-partitions`.")
    return Hit(evidence, hosts=[short(b.hostname) for b in k.brokers], fix=fix,
               numbers={"num_partitions": p, "brokers": n, "spread": per,
                        "replicas_by_host": dict(hosted)})


@rule("kafka-replication-factor", "high", "Kafka topics get fewer than 3 replicas by default",
      why="""A topic created without an explicit factor gets default.replication.factor copies. Below 3, a broker
      restart (and the migration restarts brokers) makes partitions unavailable or, at 1, loses them; mirroring
      to TO-BE stalls on unavailable partitions.""",
      fix="""Set default.replication.factor = 3 (with min.insync.replicas = 2) and raise existing topics to 3
      replicas with `kafka-reassign-partitions` before mirroring them.""",
      thresholds={"min_kafka_replication": 3})
def replication_factor(inv: Inventory, t: Thresholds) -> Hit | None:
    k = inv.kafka
    want = int(t["min_kafka_replication"])
    if k is None or k.default_replication_factor is None or len(k.brokers) < want:
        return None
    rf = k.default_replication_factor
    if rf >= want:
        return None
    return Hit(f"default.replication.factor = {rf}{_default_note(inv, 'default.replication.factor')} with "
               f"{len(k.brokers)} brokers: a new topic has {rf} cop{'y' if rf == 1 else 'ies'}; "
               f"{'one broker lost loses its partitions' if rf == 1 else 'two brokers down stop it'}.",
               hosts=[short(b.hostname) for b in k.brokers],
               numbers={"default_replication_factor": rf, "brokers": len(k.brokers)})


@rule("kafka-min-insync-replicas", "medium", "Kafka min.insync.replicas gives no durability margin",
      why="""With acks=all a write is acknowledged once min.insync.replicas copies have it. At 1 an acknowledged
      write can live on one broker only and be lost with it; at or above the replication factor, a single broker
      restart during the migration blocks every producer using acks=all.""",
      fix="Set min.insync.replicas = 2 with a replication factor of 3.",
      thresholds={"min_insync_replicas": 2})
def min_insync(inv: Inventory, t: Thresholds) -> Hit | None:
    k = inv.kafka
    if k is None or k.min_insync_replicas is None or len(k.brokers) < 3:
        return None
    isr, rf = k.min_insync_replicas, k.default_replication_factor
    if isr < int(t["min_insync_replicas"]):
        return Hit(f"min.insync.replicas = {isr}{_default_note(inv, 'min.insync.replicas')} on {len(k.brokers)} "
                   "brokers: an acknowledged write may exist on one broker only.",
                   numbers={"min_insync_replicas": isr, "default_replication_factor": rf})
    if rf is not None and rf > 1 and isr >= rf:
        return Hit(f"min.insync.replicas = {isr} with default.replication.factor = {rf}: one broker down blocks "
                   "acks=all producers.", severity="high",
                   numbers={"min_insync_replicas": isr, "default_replication_factor": rf})
    return None


@rule("kafka-unclean-leader-election", "high", "Kafka may elect an out-of-sync leader",
      why="""With unclean.leader.election.enable a replica that missed writes can become leader after a failure:
      acknowledged messages are silently dropped, and the copy on TO-BE would then differ from what producers
      were told was written.""",
      fix="Set unclean.leader.election.enable = false (Kafka's default since 0.11).")
def unclean_election(inv: Inventory, t: Thresholds) -> Hit | None:
    k = inv.kafka
    if k is None or not k.unclean_leader_election:
        return None
    return Hit("unclean.leader.election.enable = true on the Kafka service.", numbers={"unclean": True})


@rule("kafka-auto-create-topics", "low", "Kafka creates topics on first use",
      why="""A typo in a topic name, or a client pointed at TO-BE before its topics exist, silently creates a topic
      with num.partitions and the default replication factor instead of failing: the copy then lands in a topic
      with the wrong layout.""",
      fix="Set auto.create.topics.enable = false on TO-BE and create topics explicitly (partitions, replication).")
def auto_create(inv: Inventory, t: Thresholds) -> Hit | None:
    k = inv.kafka
    if k is None or not k.auto_create_topics:
        return None
    p = k.num_partitions
    rf = k.default_replication_factor
    return Hit(f"auto.create.topics.enable = true{_default_note(inv, 'auto.create.topics.enable')}: a topic made "
               f"on first use gets {p} partitions and {rf} replica{'s' * (rf != 1)}.",
               numbers={"num_partitions": p, "default_replication_factor": rf})
