"""The Slack side of the sandbox: a Slack Web API stand-in (`SlackStandIn`) and a driver that
delivers slash commands and button clicks to Ferry as signed HTTP requests, as Slack does."""

from sandbox.slack.driver import SlackDriver
from sandbox.slack.standin import SlackStandIn

__all__ = ["SlackDriver", "SlackStandIn"]
