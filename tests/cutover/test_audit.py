"""The audit trail of a cutover: every request, approval, rejection, refusal, action start and
end, with Slack's immutable IDs (user, team, enterprise), the time and the plan hash, in order;
exported by `python -m bot audit --format json|csv`, and shown by `/migrate audit [N]`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.cutover.conftest import ALICE, BOB, CAROL, DAVE, VIEWER, assert_valid_blocks

ROOT = Path(__file__).resolve().parents[2]
ENTERPRISE = "E0ACME001"


def export(config_path: Path, fmt: str) -> str:
    out = subprocess.run([sys.executable, "-m", "bot", "audit", "--config", str(config_path), "--format", fmt],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_export_holds_every_event_in_order(cut):
    cut.ferry.driver.enterprise_id = ENTERPRISE  # an Enterprise Grid workspace
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), BOB)
    value = cut.button("Approve")
    cut.press("approve", value, BOB)  # four-eyes: refused
    cut.press("approve", value, VIEWER)  # not an approver: refused by the dispatcher
    cut.press("approve", value, CAROL)
    cut.press("approve", value, DAVE)  # quorum: the manual step starts
    cut.wait_state("freeze-writes", "running")
    cut.press("complete", cut.button("Mark done"), ALICE)
    cut.wait_state("freeze-writes", "done")
    cut.press("request", cut.button("Request approval"), ALICE)
    reject = cut.button("Reject")
    cut.ferry.click("ferry:cutover:reject", reject, user=DAVE)
    call = cut.standin.wait_for(lambda s: s.calls_of("views.open") or None)[0]
    view = call.params["view"] if isinstance(call.params["view"], dict) else json.loads(call.params["view"])
    cut.ferry.driver.submit_view(view["callback_id"], view["private_metadata"], "Clients not ready", user=DAVE)
    cut.wait_state("switch-clients", "rejected")

    entries = json.loads(export(cut.ferry.config_path, "json"))
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids)
    ours = [(e["action"], e["outcome"], e["user_id"]) for e in entries if e["plan_hash"]]
    assert ours == [
        ("cutover:request", "requested", BOB),
        ("cutover:approve", "refused", BOB),
        ("cutover:approve", "refused", VIEWER),  # refused by the dispatcher, with the plan hash
        ("cutover:approve", "approved", CAROL),
        ("cutover:approve", "approved", DAVE),
        ("cutover:action", "started", DAVE),
        ("cutover:action", "done", ALICE),
        ("cutover:request", "requested", ALICE),
        ("cutover:reject", "rejected", DAVE),
    ]
    for e in entries:
        if e["plan_hash"]:
            assert (e["team_id"], e["enterprise_id"]) == ("T0SANDBOX", ENTERPRISE), e
            assert e["at"] and len(e["plan_hash"]) == 64
    step1 = {e["plan_hash"] for e in entries if e["plan_hash"] and e["target"].startswith("freeze-writes")}
    assert len(step1) == 1  # every event of the first request carries its one frozen plan
    viewer = next(e for e in entries if e["user_id"] == VIEWER)
    assert (viewer["action"], viewer["outcome"], viewer["reason"]) == ("cutover:approve", "refused", "not in approvers")
    position = {e["id"]: i for i, e in enumerate(entries)}
    requested = next(e for e in entries if e["outcome"] == "requested")
    carol = next(e for e in entries if e["outcome"] == "approved")
    assert position[requested["id"]] < position[viewer["id"]] < position[carol["id"]]
    rejected = next(e for e in entries if e["outcome"] == "rejected")
    assert rejected["reason"] == "Clients not ready"

    rows = list(csv.DictReader(io.StringIO(export(cut.ferry.config_path, "csv"))))
    assert [r["id"] for r in rows] == [str(e["id"]) for e in entries]
    row = next(r for r in rows if r["id"] == str(rejected["id"]))
    assert (row["plan_hash"], row["reason"], row["team_id"]) == (rejected["plan_hash"], "Clients not ready", "T0SANDBOX")


def test_audit_verb_shows_recent_entries(cut):
    cut.command("cutover")
    cut.press("request", cut.button("Request approval"), ALICE)
    before = len(cut.standin.responses)
    cut.command("audit 5", user=VIEWER)
    reply = cut.standin.wait_for(lambda s: s.responses[before:] or None)[0]
    assert_valid_blocks(reply["blocks"])
    text = str(reply["blocks"])
    assert "cutover:request" in text and "requested" in text and f"<@{ALICE}>" in text and "plan `" in text
    before = len(cut.standin.responses)
    cut.command("audit lots", user=VIEWER)
    reply = cut.standin.wait_for(lambda s: s.responses[before:] or None)[0]
    assert "Usage: `/migrate audit [N]`" in str(reply["blocks"])
