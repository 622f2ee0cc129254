"""The assessment as a card (core.message.Message) within Slack's limits, and the complete
report as plain text (Message.attachment: the poster posts it in the card's thread).

Card: header (cluster, versions, hosts, services), counts by severity and what changed since the
last assessment, the top findings with evidence, why and fix, the host × role map, the AS-IS vs
TO-BE differences (TO-BE), the transfer-time estimate. About 20 blocks for `top: 8`.
"""

from __future__ import annotations

import textwrap
from typing import Any

from config.assess import SEVERITIES, AssessSettings
from config.units import human_bytes, human_duration, human_rate
from core.message import Context, Divider, Element, Header, Message, Section, Table
from features.assess import hostmap
from features.assess.assessment import Assessment
from features.assess.history import Changes
from features.assess.rules import Finding
from features.plan.eta import Link, Plan

EMOJI = {"critical": ":red_circle:", "high": ":large_orange_circle:", "medium": ":large_yellow_circle:",
         "low": ":large_blue_circle:", "info": ":white_circle:"}
SERVICE_NAMES = {"HDFS": "HDFS", "HBASE": "HBase", "KAFKA": "Kafka", "ZOOKEEPER": "ZooKeeper", "YARN": "YARN"}
MAX_DIFF_ROWS = 15


def counts(found: list[Finding]) -> dict[str, int]:
    out = dict.fromkeys(SEVERITIES, 0)
    for f in found:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out


def counts_text(c: dict[str, int], bold: bool = True) -> str:
    b = "*" if bold else ""
    return " · ".join(f"{b}{c[s]}{b} {s}" for s in SEVERITIES)


def summary(found: list[Finding]) -> str:
    """'4 high, 7 medium, 1 info' (what /migrate status shows next to the run)."""
    c = counts(found)
    return ", ".join(f"{c[s]} {s}" for s in SEVERITIES if c[s]) or "no findings"


def side_name(side: str) -> str:
    return side.upper()


def estimate(a: Assessment, link: Link) -> dict[str, Any] | None:
    """AS-IS's HDFS data ÷ the usable bandwidth (the whole-cluster transfer-time estimate)."""
    inv = a.source
    if inv is None or inv.hdfs is None or inv.hdfs.logical_bytes is None:
        return None
    logical = inv.hdfs.logical_bytes
    busiest = sorted((h for h in inv.hosts if h.tx_bytes_per_s is not None), key=lambda h: -(h.tx_bytes_per_s or 0))
    return {"logical_bytes": logical, "used_bytes": inv.hdfs.used_bytes, "replication": inv.hdfs.replication,
            "usable_bps": link.usable_bps, "eta_s": logical / link.usable_bps if link.usable_bps else None,
            "busiest_hosts": [(h.short_name, h.tx_bytes_per_s) for h in busiest[:3]]}


# -- the card ----------------------------------------------------------------------------------
def card(a: Assessment, run_id: str, changes: Changes, plan: Plan, settings: AssessSettings,
         est: dict[str, Any] | None) -> Message:
    inv = a.inventory
    c = counts(a.findings)
    blocks: list[Element] = [Header(f"Assessment of {side_name(a.side)}: {inv.cluster_display_name or inv.cluster}"),
                             Section(fields=_header_fields(a, c))]
    blocks.append(Section(_changes_text(a, changes)))
    blocks.append(Divider())
    top = a.findings[:settings.top]
    new = set(changes.new) if not changes.first else set()
    for f in top:
        blocks.append(Section(finding_text(f, new=f.key in new)))
    rest = a.findings[len(top):]
    if rest:
        blocks.append(Context([f"+ {len(rest)} more finding{'s' * (len(rest) > 1)} "
                               f"({summary(rest)}) in the thread, with the complete report."]))
    if not a.findings:
        blocks.append(Section(":white_check_mark: No findings: nothing to fix before the migration."))
    blocks.append(Divider())
    shared = hostmap.co_located(inv)
    blocks.append(Section("*Hosts × roles*  (● runs the role; _note_ flags co-location"
                          + (f": *{shared} host{'s' * (shared > 1)}* share ZooKeeper with Kafka or data roles)"
                             if shared else ")")))
    blocks.append(Table(hostmap.HEADER, hostmap.rows(inv)))
    if a.side == "to-be":
        blocks += _differences_blocks(a)
    blocks.append(Divider())
    blocks.append(Section(estimate_text(est, plan)))
    blocks.append(Context(_footer(a, run_id)))
    text = (f"Assessment of {side_name(a.side)} ({inv.cluster}): {summary(a.findings)}"
            + (f"; {len(changes.new)} new, {len(changes.fixed)} fixed since the last one" if not changes.first else ""))
    return Message(text, blocks, attachment=full_text(a, run_id, changes, plan, est))


def failure(side: str, run_id: str, error: str) -> Message:
    text = f"Assessment of {side_name(side)} failed: {error}"
    return Message(text, [
        Section(f":x: *Assessment of {side_name(side)} failed.*\n{error}"),
        Context([f"Run `{run_id}` is marked failed with this reason. Ferry keeps running: fix it, then "
                 f"`/migrate assess {side}` again."]),
    ])


def finding_text(f: Finding, *, new: bool = False) -> str:
    flag = " :new:" if new else ""
    return (f"{EMOJI.get(f.severity, '')} *{f.title}*{flag}\n`{f.rule}` · {f.severity}\n{f.evidence}\n"
            f"*Why it matters:* {f.why}\n*Fix:* {f.fix}")


def _header_fields(a: Assessment, c: dict[str, int]) -> list[str]:
    inv = a.inventory
    cores = sum(h.cores or 0 for h in inv.hosts)
    mem = sum(h.memory_bytes or 0 for h in inv.hosts)
    names = ", ".join(SERVICE_NAMES.get(s.type, s.type.title()) for s in inv.services)
    fields = [
        f"*Cluster*\n`{inv.cluster}`" + (f" ({inv.cluster_display_name})" if inv.cluster_display_name
                                          and inv.cluster_display_name != inv.cluster else "") + f"\n{inv.cm_url}",
        f"*Versions*\nCM {inv.cm_version or '?'} · CDH/CDP {inv.cdh_version or '?'} · API {inv.api_version}",
        f"*Hosts*\n{len(inv.hosts)} hosts · {cores} cores · {mem / 2**30:,.0f} GiB",
        f"*Services*\n{names or 'none'}",
    ]
    h = inv.hdfs
    if h and h.logical_bytes is not None:
        fields.append(f"*HDFS*\n{human_bytes(h.logical_bytes)} data · {human_bytes(h.used_bytes or 0)} with "
                      f"replication {h.replication} · {h.used_pct or 0:.0f}% used")
    fields.append(f"*Findings*\n{counts_text(c)}")
    return fields


def _changes_text(a: Assessment, changes: Changes) -> str:
    if changes.first:
        return f"First assessment of {side_name(a.side)}: the next one will say what is new and what was fixed."
    at = (changes.previous_at or "")[:16].replace("T", " ")
    lines = [f"*Since the last assessment* ({at} UTC): *{len(changes.new)} new*, *{len(changes.fixed)} fixed*, "
             f"{changes.unchanged} unchanged."]
    by_key = {f.key: f for f in a.findings}
    for key in changes.new[:5]:
        f = by_key.get(key)
        if f:
            lines.append(f":new: {f.title} ({f.severity})")
    for fixed in changes.fixed[:5]:
        lines.append(f":white_check_mark: fixed: ~{fixed['title']}~ ({fixed['severity']})")
    return "\n".join(lines)


def _differences_blocks(a: Assessment) -> list[Element]:
    if a.as_is is None:
        return [Divider(), Section("*AS-IS vs TO-BE*: AS-IS could not be read, so the two were not compared "
                                   "(see the warnings in the thread).")]
    matter = [d for d in a.differences if d.matters]
    others = len(a.differences) - len(matter)
    if not a.differences:
        return [Divider(), Section("*AS-IS vs TO-BE*: :white_check_mark: same versions, services, security and "
                                   "configuration.")]
    out: list[Element] = [Divider(), Section(
        f"*AS-IS vs TO-BE*: *{len(matter)}* difference{'s' * (len(matter) != 1)} that "
        f"matter{'s' * (len(matter) == 1)}"
        + (f" (+{others} other{'s' * (others != 1)} in the thread)" if others else "")
        + ". The plan is a TO-BE cluster with the same configuration.")]
    if matter:
        rows = [[_clip(d.area, 24), _clip(d.name, 40), _clip(d.as_is or "unset", 24), _clip(d.to_be or "unset", 24)]
                for d in matter[:MAX_DIFF_ROWS]]
        out.append(Table(["where", "setting", "AS-IS", "TO-BE"], rows))
    return out


def estimate_text(est: dict[str, Any] | None, plan: Plan) -> str:
    lines = ["*Transfer-time estimate*: the source's usable bandwidth sets the pace (field note)."]
    if est is None:
        lines.append("AS-IS's HDFS size is not known from this assessment.")
    else:
        eta = human_duration(est["eta_s"]) if est["eta_s"] else "unknown"
        lines.append(f"HDFS: {human_bytes(est['logical_bytes'])} of data ({human_bytes(est['used_bytes'] or 0)} raw ÷ "
                     f"replication {est['replication']}) at {plan.link.describe()} → *{eta}*.")
        if est["busiest_hosts"]:
            lines.append("Busiest AS-IS hosts now (production traffic the copy adds to): "
                         + ", ".join(f"{n} {human_rate(r)} out" for n, r in est["busiest_hosts"]) + ".")
    if plan.transfers:
        eta = human_duration(plan.eta_s) if plan.eta_s is not None else "unknown"
        lines.append(f"Configured transfers: {human_bytes(plan.left_bytes)} left in {len(plan.transfers)} → *{eta}*; "
                     f"bottleneck: {plan.bottleneck or 'unknown'}. Details: `/migrate plan`.")
    return "\n".join(lines)


def _footer(a: Assessment, run_id: str) -> list[str]:
    out = [f"Run `{run_id}` · {a.http_calls} Cloudera Manager calls in {a.elapsed_s:.2f} s · "
           "thresholds: `assess:` in app.yaml · complete report in the thread"]
    if a.warnings:
        out.append(f":warning: {len(a.warnings)} warning{'s' * (len(a.warnings) > 1)} (partial data): see the thread")
    return out


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# -- the complete report (plain text, in the card's thread) ---------------------------------------
def full_text(a: Assessment, run_id: str, changes: Changes, plan: Plan, est: dict[str, Any] | None) -> str:
    inv = a.inventory
    out = [f"ASSESSMENT OF {side_name(a.side)}: cluster '{inv.cluster}' at {inv.cm_url}",
           f"CM {inv.cm_version}, CDH/CDP {inv.cdh_version}, API {inv.api_version}; {len(inv.hosts)} hosts; services: "
           + ", ".join(f"{s.name} ({s.type}, {s.state}, {s.health})" for s in inv.services),
           f"Run {run_id}: {a.http_calls} HTTP calls in {a.elapsed_s:.2f} s",
           f"Findings: {counts_text(counts(a.findings), bold=False)}"]
    if not changes.first:
        out.append(f"Since {changes.previous_run}: {len(changes.new)} new ({', '.join(changes.new) or '-'}); "
                   f"{len(changes.fixed)} fixed ({', '.join(f['key'] for f in changes.fixed) or '-'})")
    out.append("")
    for f in a.findings:
        out.append(f"[{f.severity.upper()}] {f.title} ({f.rule})")
        for label, text in (("Evidence", f.evidence), ("Why", f.why), ("Fix", f.fix)):
            out += textwrap.wrap(f"{label}: {text}", 110, initial_indent="  ", subsequent_indent="    ",
                                 break_on_hyphens=False)
        out.append("")
    out.append("HOSTS x ROLES")
    out += table_lines(hostmap.HEADER, hostmap.rows(inv, max_rows=400))
    if a.side == "to-be" and a.differences:
        out += ["", f"AS-IS vs TO-BE: {len(a.differences)} differences (* = matters)"]
        out += table_lines(["", "where", "setting", "AS-IS", "TO-BE"],
                           [["*" if d.matters else "", d.area, d.name, d.as_is or "unset", d.to_be or "unset"]
                            for d in a.differences])
    out += ["", "TRANSFER-TIME ESTIMATE", *[x.replace("*", "") for x in estimate_text(est, plan).splitlines()]]
    if a.warnings:
        out += ["", "WARNINGS", *[f"- {w}" for w in a.warnings]]
    return "\n".join(out)


def table_lines(columns: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max([len(c), *(len(str(r[i])) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(x).ljust(widths[i]) for i, x in enumerate(cells)).rstrip()

    return [line(columns), line(["-" * w for w in widths]), *[line(r) for r in rows]]
