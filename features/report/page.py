"""The report as one self-contained HTML file: inline CSS, charts as data: URIs, no script, and a
Content-Security-Policy that lets nothing else load. Everything that came from people or from
outside systems (finding texts, ids, reasons, summaries) goes through `esc` (html.escape, quotes
included): a rejection reason of `<script>` prints as text. Printable (the browser's Print → PDF
gives the PDF; see README)."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from config.units import human_bytes, human_duration, human_rate
from features.report.gather import Report, TransferRun, ValidationReport

CSS = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1c1d; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #1d4e89; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #616061; } nav a { margin-right: 1em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1.2em; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sev-high, .state-failed, .state-mismatch, .state-rejected { color: #b00020; font-weight: 600; }
.sev-medium, .state-void { color: #a35c00; } .state-passed, .state-done, .state-approved { color: #1a7f37; }
code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; word-break: break-all; }
img.chart { max-width: 100%; border: 1px solid #eee; margin: 0.4em 0; }
.none { color: #868686; font-style: italic; }
@media print { nav { display: none; } h2 { break-before: page; } img.chart { break-inside: avoid; } }
"""
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def render(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Ferry: migration report</title>", f"<style>{CSS}</style></head><body>",
        "<h1>Migration report</h1>",
        f'<p class="meta" id="generated">Generated {esc(report.generated_at.isoformat(timespec="seconds"))} by Ferry '
        f"for channel <code>{esc(report.channel)}</code> · app.yaml version <code>{esc(report.config_version[:12])}</code></p>",
        '<nav><a href="#assessment">Assessment</a><a href="#transfers">Transfers</a>'
        '<a href="#validations">Validations</a><a href="#cutover">Cutover</a><a href="#audit">Audit trail</a></nav>',
        _assessment(report), _transfers(report), _validations(report), _cutover(report), _audit(report),
        "</body></html>",
    ]
    return "\n".join(parts)


def _chart(report: Report, key: str, alt: str) -> str:
    png = report.charts.get(key)
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="chart" data-chart="{esc(key)}" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def _none(text: str) -> str:
    return f'<p class="none">{esc(text)}</p>'


def _assessment(report: Report) -> str:
    out = ['<section id="assessment"><h2>Assessment</h2>']
    if not report.assessments:
        out.append(_none("No assessment yet: /migrate assess reads the cluster through Cloudera Manager."))
    for a in report.assessments:
        counts = ", ".join(f"{n} {sev}" for sev, n in a.counts.items() if n) or "no findings"
        out.append(f'<h3 id="assessment-{esc(a.side)}">{esc(a.side.upper())}: {esc(a.cluster)}</h3>')
        out.append(f"<p>{esc(a.versions)} · {a.hosts} hosts · latest assessment {esc(a.at)} "
                   f"(<code>{esc(a.run_id)}</code>, {a.assessments} in all) · {esc(counts)}</p>")
        if a.assessments > 1:
            out.append(f"<h4>Fixed since the first assessment ({esc(a.first_at)})</h4>")
            if a.fixed:
                out.append(f'<ul class="fixed" data-side="{esc(a.side)}">' + "".join(
                    f'<li><span class="sev-{esc(f["severity"])}">{esc(f["severity"])}</span> {esc(f["title"])} '
                    f'<code>{esc(f["key"])}</code></li>' for f in a.fixed) + "</ul>")
            else:
                out.append(_none("Nothing fixed yet."))
        rows = "".join(
            f'<tr data-key="{esc(f.get("key"))}"><td class="sev-{esc(f.get("severity"))}">{esc(f.get("severity"))}</td>'
            f'<td>{esc(f.get("title"))}</td><td>{esc(f.get("evidence"))}</td><td>{esc(f.get("why"))}</td>'
            f'<td>{esc(f.get("fix"))}</td></tr>' for f in a.findings)
        out.append(f'<table class="findings" data-side="{esc(a.side)}"><thead><tr><th>Severity</th><th>Finding</th>'
                   f"<th>Evidence</th><th>Why it matters</th><th>Fix</th></tr></thead><tbody>{rows}</tbody></table>"
                   if a.findings else _none("No findings."))
    out.append("</section>")
    return "\n".join(out)


def _duration(s: float | None) -> str:
    return human_duration(s) if s is not None else "—"


def _transfer_row(t: TransferRun, usable: float | None) -> str:
    share = t.share_of(usable)
    return (f'<tr data-run="{esc(t.run_id)}"><td>{esc(t.transfer_id)}</td><td>{esc(t.kind)}</td>'
            f'<td class="state-{esc(t.state)}">{esc(t.state)}</td><td>{esc(t.started_by or "—")}</td>'
            f"<td>{esc(t.started_at)}</td><td>{esc(t.ended_at or '—')}</td>"
            f'<td class="num" data-bytes="{t.bytes_moved if t.bytes_moved is not None else ""}">'
            f"{esc(human_bytes(t.bytes_moved) if t.bytes_moved is not None else '—')}</td>"
            f'<td class="num">{esc(_duration(t.active_s))}</td><td class="num">{esc(_duration(t.wall_s))}</td>'
            f'<td class="num">{esc(human_rate(t.mean_bps) if t.mean_bps is not None else "—")}</td>'
            f'<td class="num">{esc(f"{share * 100:.0f}%" if share is not None else "—")}</td>'
            f'<td class="num">{esc(human_rate(t.cap_bps) if t.cap_bps else "none")}</td></tr>')


def _transfers(report: Report) -> str:
    out = ['<section id="transfers"><h2>Transfers</h2>', f"<p>Usable bandwidth: {esc(report.link)}.</p>"]
    if not report.transfers:
        out.append(_none("No transfer has run yet."))
    else:
        out.append('<table id="transfer-runs"><thead><tr><th>Transfer</th><th>Kind</th><th>State</th><th>Started by</th>'
                   "<th>Started (UTC)</th><th>Ended (UTC)</th><th>Volume</th><th>Time copying</th><th>Elapsed</th>"
                   "<th>Mean rate</th><th>Of usable</th><th>Cap</th></tr></thead><tbody>"
                   + "".join(_transfer_row(t, report.usable_bps) for t in report.transfers) + "</tbody></table>")
        never = [t for t in report.configured_transfers if t not in {r.transfer_id for r in report.transfers}]
        if never:
            out.append(f"<p>Not started yet: {esc(', '.join(never))}.</p>")
        for key in (k for k in report.charts if k.startswith("transfer:")):
            out.append(_chart(report, key, f"Throughput of run {key.split(':', 1)[1]}"))
    out.append("</section>")
    return "\n".join(out)


def _validation(v: ValidationReport, report: Report) -> str:
    latest = v.latest
    head = (f'<h3 id="validation-{esc(v.id)}">{esc(v.id)}</h3><p>{esc(v.check)} of {esc(", ".join(v.tables))} · '
            + (f'latest: <span class="state-{esc(latest.state)}" data-latest="{esc(latest.state)}">{esc(latest.state)}'
               f"</span> at {esc(latest.finished_at.isoformat(timespec='seconds'))}: {esc(latest.summary)}"
               if latest else "never run") + "</p>")
    if not v.history:
        return head
    rows = "".join(
        f'<tr data-run="{esc(p.run_id)}"><td>{esc(p.finished_at.isoformat(timespec="seconds"))}</td>'
        f'<td class="state-{esc(p.state)}">{esc(p.state)}</td>'
        f'<td class="num">{esc(f"{p.differences:,}" if p.differences is not None else "—")}</td>'
        f"<td>{esc(p.started_by or 'schedule')}</td><td>{esc(p.summary)}</td></tr>" for p in reversed(v.history))
    table = (f'<table class="validation-history" data-validation="{esc(v.id)}"><thead><tr><th>Finished (UTC)</th>'
             f"<th>Result</th><th>Rows that differ</th><th>Run by</th><th>Summary</th></tr></thead><tbody>{rows}"
             "</tbody></table>")
    return head + _chart(report, f"validation:{v.id}", f"Differences of {v.id} over time") + table


def _validations(report: Report) -> str:
    out = ['<section id="validations"><h2>Validations</h2>']
    if not report.validations:
        out.append(_none("No validations are configured (app.yaml `validations:`)."))
    out.extend(_validation(v, report) for v in report.validations)
    out.append("</section>")
    return "\n".join(out)


def _cutover(report: Report) -> str:
    out = ['<section id="cutover"><h2>Cutover</h2>']
    if not report.cutover:
        out.append(_none("No runbook is configured (app.yaml `cutover:`)."))
    for i, s in enumerate(report.cutover, 1):
        out.append(f'<h3 id="step-{esc(s.id)}">{i}. {esc(s.title)} <code>{esc(s.id)}</code></h3>')
        action = (f" · action {esc(s.action_state)}" + (f" by {esc(s.action_by)}" if s.action_by else "")
                  + (f" at {esc(s.action_at)}" if s.action_at else "") + (f": {esc(s.error)}" if s.error else "")
                  if s.action_state else "")
        out.append(f'<p>State: <span class="state-{esc(s.state)}" data-step-state="{esc(s.state)}">{esc(s.state)}'
                   f"</span>{' (' + esc(s.note) + ')' if s.note else ''} · action <code>{esc(s.action)}</code> · "
                   f"{s.approvals_needed} approval{'s' if s.approvals_needed != 1 else ''} needed{action}</p>")
        if not s.requests:
            out.append(_none("Never requested."))
            continue
        rows = []
        for r in s.requests:
            approvers = "; ".join(f"{esc(a.user_id)} at {esc(a.at)}" + (f" ({esc(a.state)})" if a.state != "used" else "")
                                  for a in r.approvals) or "—"
            if r.state == "approved":  # closed by the approval that completed the quorum
                closed = f"quorum at {esc(r.closed_at)}"
            elif r.closed_at:  # rejected by a person, or voided by Ferry (the plan changed)
                closed = f"{esc(r.closed_by or 'Ferry')} at {esc(r.closed_at)}"
            else:
                closed = "—"
            rows.append(f'<tr data-request="{r.seq}"><td>#{r.seq}</td><td class="requested-by">{esc(r.requested_by)}</td>'
                        f"<td>{esc(r.requested_at)}</td><td class=\"approved-by\">{approvers}</td>"
                        f'<td class="state-{esc(r.state)}">{esc(r.state)}</td><td>{closed}</td>'
                        f'<td class="reason">{esc(r.reason or "")}</td><td><code>{esc(r.plan_hash[:12])}</code></td></tr>')
        out.append('<table class="requests"><thead><tr><th>Request</th><th>Requested by</th><th>At (UTC)</th>'
                   "<th>Approved by</th><th>Outcome</th><th>Closed by</th><th>Reason</th><th>Plan</th></tr></thead>"
                   f"<tbody>{''.join(rows)}</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _audit(report: Report) -> str:
    a = report.audit
    if a is None:
        return ""
    span = f" from {esc(a.first_at)} to {esc(a.last_at)}" if a.entries else ""
    return ('<section id="audit"><h2>Audit trail</h2>'
            f'<p><span id="audit-entries">{a.entries}</span> entries{span}. SHA-256 over the trail: '
            f'<code id="audit-sha256">{esc(a.sha256)}</code></p>'
            "<p>To check it: <code>python -m bot audit --format json</code> lists the same entries; the hash is "
            "SHA-256 over each entry, oldest first, as compact JSON with sorted keys "
            "(<code>json.dumps(e, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)</code>) followed "
            "by a newline. Entries appended after this report change it.</p></section>")
