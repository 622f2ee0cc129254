"""`/migrate count` and `/migrate compare --full` of a table on `engine: mapreduce`, through Slack:
signed requests over HTTP to Ferry, cards and threads on the Slack stand-in."""

from __future__ import annotations

from state import runs
from tests.fixtures.slack import OPERATOR, start_ferry, stop_ferry
from tests.validation.conftest import bot_messages


def wait_run(ferry, subject: str, timeout: float = 60.0) -> runs.Run:
    def done(_s):
        r = runs.latest(ferry.runtime.store, "validation", subject)
        return r if r is not None and not r.active else None

    return ferry.standin.wait_for(done, timeout)


def card_with(standin, words: str, thread_ts=None, timeout: float = 30.0):
    return standin.wait_for(lambda s: next((m for m in bot_messages(s, thread_ts) if words in str(m.blocks)), None),
                            timeout=timeout)


def test_count_and_full_compare_on_mapreduce_through_slack(mr_env, slack_standin):
    ferry = start_ferry(mr_env.write_config(), slack_standin)
    try:
        ferry.command("count orders", user=OPERATOR)
        run = wait_run(ferry, "orders:count")
        assert run.state == "mismatch", run.error
        card = card_with(slack_standin, "2,997")
        assert "3,000" in str(card.blocks)
        note = card_with(slack_standin, "RowCounter on AS-IS submitted YARN application", thread_ts=card.ts)
        assert "/proxy/application_" in str(note.blocks)

        ferry.command("compare orders --full", user=OPERATOR)
        run = wait_run(ferry, "orders:full")
        assert run.state == "mismatch", run.error
        card = card_with(slack_standin, "missing on TO-BE")
        for key in mr_env.seeded.report.missing_keys:
            assert key.decode() in str(card.blocks)
        assert "MapReduce" in str(card.blocks)  # the strategy line names the engine
    finally:
        stop_ferry(ferry)


def test_bad_gateway_key_gives_a_clear_failed_card(mr_env, slack_standin, tmp_path):
    from sandbox.mapreduce.keys import ensure_key

    ensure_key(tmp_path / "stranger", "stranger")
    ferry = start_ferry(mr_env.write_config(key_file=str(tmp_path / "stranger")), slack_standin)
    try:
        ferry.command("count orders", user=OPERATOR)
        run = wait_run(ferry, "orders:count")
        assert run.state == "failed"
        card = card_with(slack_standin, "refused the key")
        text = str(card.blocks)
        assert "authorized_keys" in text and "Traceback" not in text
    finally:
        stop_ferry(ferry)
