"""Socket Mode: Ferry connects out to Slack over a WebSocket (apps.connections.open), receives
commands and clicks as envelopes and acks them; replies flow as in HTTP mode."""

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import make_client
from bot.serving import prepare
from commands import registry
from commands.context import Reply
from commands.registry import Permission, Verb
from core.message import Message, Section
from sandbox.slack import SlackDriver, SlackStandIn
from sandbox.slack.socket_mode import SocketModeServer
from tests.fixtures.slack import BOT_TOKEN, CHANNEL, OPERATOR, SIGNING_SECRET, VIEWER


@pytest.fixture
def socket_ferry(ferry_config):
    standin = SlackStandIn(token=BOT_TOKEN, app_token="xapp-test").start()
    server = SocketModeServer().start()
    standin.socket_mode = server
    runtime, app = prepare(str(ferry_config), make_client(BOT_TOKEN, standin.api_url), SIGNING_SECRET, 0.05)
    runtime.start()
    handler = SocketModeHandler(app, "xapp-test")
    handler.connect()
    server.wait_connected()
    yield standin, SlackDriver(None, SIGNING_SECRET, standin, socket_mode=server), runtime
    handler.close()
    runtime.stop()
    server.stop()
    standin.stop()


def test_inline_answer_comes_back_in_the_ack(socket_ferry):
    standin, driver, _ = socket_ferry
    delivery = driver.command("help", user=OPERATOR, channel=CHANNEL)
    assert "Ferry: /migrate verbs" in delivery.body
    assert standin.responses[-1]["via"] == "ack"


def test_lazy_work_and_refusals_over_socket_mode(socket_ferry):
    standin, driver, runtime = socket_ferry
    calls = []

    def handle(inv):
        calls.append(inv.args)
        return Reply(Message("done", [Section("done over a socket")]))

    registry.verbs()["sock"] = Verb("sock", "sock", "test", handle, Permission.OPERATE)
    try:
        driver.command("sock now", user=OPERATOR, channel=CHANNEL)
        standin.wait_for(lambda s: any("done over a socket" in str(r) for r in s.responses))
        driver.command("sock now", user=VIEWER, channel=CHANNEL)
        standin.wait_for(lambda s: any("operators only" in str(r) for r in s.responses))
    finally:
        registry.verbs().pop("sock")
    assert calls == [["now"]]
