"""Plain text of Ferry's mrkdwn for the console, `run` and the demo's terminal (issue 12, item 15):
only real links are links."""

import pytest

from bot.text import plain


@pytest.mark.parametrize("mrkdwn, text", [
    ("`/migrate count <table|all>`", "`/migrate count <table|all>`"),
    ("`/migrate start <transfer>`", "`/migrate start <transfer>`"),
    ("see <https://docs.example/ferry|the docs>", "see the docs (https://docs.example/ferry)"),
    ("see <http://127.0.0.1:8080/x>", "see http://127.0.0.1:8080/x"),
    ("in <#C0FERRY01>, ask <@U0BOB0001>", "in #C0FERRY01, ask @U0BOB0001"),
    ("a &lt;b&gt; &amp; c", "a <b> & c"),
    ("<mailto:ops@example.com|ops>", "ops (mailto:ops@example.com)"),
])
def test_plain(mrkdwn, text):
    assert plain(mrkdwn) == text
