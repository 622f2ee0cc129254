"""Start Ferry serving Slack over HTTP in this process: runtime (state, scheduler, poster),
Bolt app and HTTP server. Used by `serve --http`, `demo` and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import build_app, make_client
from bot.directory import SlackDirectory
from bot.poster import SlackSink
from bot.runtime import Runtime
from bot.server import HttpServer


@dataclass
class Serving:
    runtime: Runtime
    server: HttpServer

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()
        self.runtime.stop()


def prepare(config_path: str, client: WebClient, signing_secret: str,
            post_interval_s: float | None = None) -> tuple[Runtime, App]:
    """The runtime (not started yet) and the Bolt app, for HTTP or Socket Mode alike."""
    runtime = Runtime(config_path, sink=SlackSink(client), post_interval_s=post_interval_s)
    runtime.services.directory = SlackDirectory(client, runtime.store)
    return runtime, build_app(runtime.services, client, signing_secret, verify_token=False)


def start_http(config_path: str, *, token: str, signing_secret: str, api_url: str | None = None,
               host: str = "127.0.0.1", port: int = 0, post_interval_s: float | None = None) -> Serving:
    runtime, app = prepare(config_path, make_client(token, api_url), signing_secret, post_interval_s)
    runtime.start()
    try:
        server = HttpServer(app, runtime.store, host, port).start()
    except BaseException:
        runtime.stop()
        raise
    return Serving(runtime, server)
