"""The local channel: a browser page that stands in for Slack when Ferry runs on the sandbox.

    mount(standin, driver, channel="C0FERRY01", users=[{"id": "U0ALICE01", "name": "Alice",
          "role": "operator"}, ...]) -> "http://127.0.0.1:PORT/"

The page is served by the Slack Web API stand-in itself (its `extra_get_routes` /
`extra_post_routes`), shows the channel as the selected user sees it, and hands what the user
types or presses to `SlackDriver`, which delivers it to Ferry as signed HTTP requests, exactly
as Slack would. No Ferry code knows the page exists.
"""

from sandbox.channel.page import mount

__all__ = ["mount"]
