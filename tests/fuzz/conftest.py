"""The fuzz suite runs Ferry in-process (commands.dispatch, as `run` and the console do) on a
fresh state file, with the real scheduler paused so queued work stays queued; test_http.py
sends a few examples through signed HTTP to the Bolt app."""

from tests.hardening.conftest import paused_jobs, services  # noqa: F401  (fixtures)
