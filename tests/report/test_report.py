"""The migration report, read back by parsing the HTML it produces: in process, from the CLI, and
as the file `/migrate report` uploads through the Slack stand-in."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from features.report import api as report
from features.report.gather import trail_hash
from state import audit
from tests.fixtures.slack import CHANNEL, OPERATOR, start_ferry, stop_ferry
from tests.report.conftest import BOB, CAROL, DAVE, HOSTILE
from tests.report.htmldoc import parse

ROOT = Path(__file__).resolve().parents[2]


def cells(row) -> list[str]:
    return [td.text().strip() for td in row.find_all("td")]


def check_document(text: str, history) -> None:
    doc, tags = parse(text)
    assert "script" not in tags  # the hostile reason stayed text
    assert doc.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"].startswith("default-src 'none'")

    # assessment: the latest findings, and what was fixed since the first assessment
    findings = doc.find("table", class_="findings")
    assert [r.attrs["data-key"] for r in findings.find("tbody").find_all("tr")] == ["zk-colocated"]
    assert "evidence of ZooKeeper shares hosts with Kafka <3 hosts>" in findings.text()
    fixed = doc.find("ul", class_="fixed")
    assert "Kafka partitions not a multiple of brokers" in fixed.text() and "kafka-partitions:kafka" in fixed.text()

    # transfers: volume, time, mean rate against the usable bandwidth (80 Mbit/s × 0.5 = 5 MB/s)
    row = doc.by_id("transfer-runs").find("tr", **{"data-run": history.transfer_run})
    c = cells(row)
    assert c[0] == "hbase-orders" and c[2] == "done" and c[3] == OPERATOR
    assert row.find("td", **{"data-bytes": "9500000"}).text() == "9.5 MB"
    assert c[7] == "38s" and c[9] == "250.0 kB/s" and c[10] == "5%" and c[11] == "250.0 kB/s"
    assert "5.0 MB/s usable" in doc.by_id("transfers").text()
    assert "Not started yet: users-copy." in doc.by_id("transfers").text()
    chart = doc.find("img", **{"data-chart": f"transfer:{history.transfer_run}"})
    assert base64.b64decode(chart.attrs["src"].split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"

    # validations: the latest result and the history, newest first
    counts = doc.find("table", **{"data-validation": "orders-count"})
    assert [cells(r)[1:3] for r in counts.find("tbody").find_all("tr")] == [["passed", "0"], ["mismatch", "3"],
                                                                            ["mismatch", "3"]]
    assert doc.by_id("validation-orders-count").text() == "orders-count"
    assert doc.find("span", **{"data-latest": "passed"})
    assert doc.find("img", **{"data-chart": "validation:orders-count"})
    assert "never run" in doc.by_id("validations").text()  # events-full

    # cutover: who requested, who approved and when; the rejection's reason as text
    step = doc.by_id("step-freeze-writes")
    assert "Freeze writes <now>" in step.text()
    requests = doc.find_all("table", class_="requests")[0].find("tbody").find_all("tr")
    first, second = cells(requests[0]), cells(requests[1])
    assert first[1] == OPERATOR and first[4] == "rejected" and first[5].startswith(DAVE) and first[6] == HOSTILE
    assert second[1] == OPERATOR and second[4] == "approved" and second[5].startswith("quorum at ")
    assert second[3].startswith(f"{BOB} at ") and f"; {CAROL} at " in second[3]
    # approved; a serving Ferry has started its (manual) action by now
    assert doc.find_all("span", **{"data-step-state": "approved"}) + doc.find_all(
        "span", **{"data-step-state": "running"})

    # the audit trail's size and hash
    entries = audit.all_entries(history.services.store)
    assert doc.by_id("audit-entries").text() == str(len(entries)) and len(entries) >= 5
    assert doc.by_id("audit-sha256").text() == trail_hash(entries)


def test_the_report_says_what_happened(history):
    check_document(report.html(history.services), history)


def test_cli_writes_the_report_and_its_hash_matches_the_audit_export(history, tmp_path):
    env = {**os.environ, **history.env}
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "bot", "report", "--config", str(history.config_path), "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout
    check_document(out.read_text(encoding="utf-8"), history)
    exported = subprocess.run([sys.executable, "-m", "bot", "audit", "--format", "json", "--config",
                               str(history.config_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
    entries = json.loads(exported.stdout)
    doc, _ = parse(out.read_text(encoding="utf-8"))
    assert doc.by_id("audit-sha256").text() == trail_hash(entries)
    bad = subprocess.run([sys.executable, "-m", "bot", "report", "--config", str(history.config_path), "--out",
                          str(tmp_path / "no" / "such" / "dir.html")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 1 and "Could not write" in bad.stderr and "Traceback" not in bad.stderr


def test_report_verb_uploads_the_document_to_the_channel(history, slack_standin):
    ferry = start_ferry(history.config_path, slack_standin)
    try:
        ferry.command("report")
        reply = ferry.responses_for(1)[0]
        assert "Building the migration report" in reply["text"]
        shared = slack_standin.wait_for(lambda s: s.shared_files(CHANNEL), timeout=60)
        assert shared[0].name.startswith("ferry-report-") and shared[0].mimetype == "text/html"
        assert shared[0].shared_in == [(CHANNEL, None)]
        message = next(m for m in slack_standin.channel_messages(CHANNEL) if m.files)
        assert f"<@{OPERATOR}>" in message.text and "audit entries" in message.text
        check_document(shared[0].data.decode("utf-8"), history)
        ferry.command("report")  # again at once: built once
        assert "moments ago" in ferry.responses_for(2)[1]["text"]
        ferry.command("report now")
        assert "takes no arguments" in ferry.responses_for(3)[2]["text"]
    finally:
        stop_ferry(ferry)


def test_an_empty_migration_still_gives_a_document(tmp_path):
    import config
    from features.registry import open_store
    from features.services import Services
    from tests.fixtures.slack import write_config

    cfg = config.load(str(write_config(tmp_path)))
    doc, _ = parse(report.html(Services(config=cfg, store=open_store(cfg.state.path))))
    assert "No assessment yet" in doc.by_id("assessment").text()
    assert "No transfer has run yet" in doc.by_id("transfers").text()
    assert doc.by_id("audit-entries").text() == "0"


def test_run_report_queues_the_file_for_the_serving_bot(history):
    env = {**os.environ, **history.env}
    done = subprocess.run([sys.executable, "-m", "bot", "run", "report", "--json", "--config",
                           str(history.config_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["ok"] and out["result"]["queued"] is True
    assert any("Migration report for" in m["text"] for m in out["messages"])
    row = history.services.store.db.execute(
        "SELECT o.state, u.stage, u.filename, length(u.data) FROM outbox o JOIN uploads u ON u.id = o.upload_id"
    ).fetchone()
    assert row[0] == "pending" and row[1] == "new" and row[2].startswith("ferry-report-") and row[3] > 10_000
