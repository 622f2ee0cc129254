"""Headless Chromium (Debian's package, driven by Playwright) and the local channel page mounted
on the Slack stand-in that a real Ferry talks to over HTTP."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.channel import mount
from tests.fixtures.slack import APPROVERS, CHANNEL, OPERATOR, VIEWER, FerryHttp

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Without the background-networking flags Chromium keeps dialling Google and this closed network
# refuses it; a fresh profile per run keeps runs independent (see the machine notes).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

USERS = [
    {"id": OPERATOR, "name": "Alice", "role": "operator"},
    {"id": APPROVERS[0], "name": "Bob", "role": "approver"},
    {"id": APPROVERS[1], "name": "Carol", "role": "approver"},
    {"id": VIEWER, "name": "Victor", "role": "viewer"},
]
NAMES = {u["id"]: u["name"] for u in USERS}


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM") or next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None)
    return found or shutil.which("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found (/usr/bin/chromium): `apt-get install chromium`; .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ferry-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1200, "height": 900}, device_scale_factor=1)
        context.set_default_timeout(10_000)
        yield context
        context.close()


@dataclass
class Channel:
    """The page, the Ferry behind it, and helpers to act as one of the users."""

    page: object  # playwright Page
    ferry: FerryHttp
    url: str
    errors: list[str] = field(default_factory=list)

    def act_as(self, user_id: str) -> None:
        self.page.select_option("#user-switcher", user_id)
        self.page.wait_for_function("id => document.body.dataset.me === id", arg=user_id)

    def type(self, text: str) -> None:
        self.page.fill("#composer-input", text)
        self.page.press("#composer-input", "Enter")

    def message(self, text: str):
        """The message (top level) whose text contains `text`."""
        return self.page.locator("#messages .message", has_text=text)


@contextmanager
def open_channel(browser, ferry: FerryHttp, users: list[dict] = USERS, as_user: str = OPERATOR) -> Iterator[Channel]:
    """Mount the page on `ferry`'s stand-in and open it in a new tab, as `as_user`."""
    url = mount(ferry.standin, ferry.driver, channel=CHANNEL, users=users)
    page = browser.new_page()
    result = Channel(page, ferry, url)
    page.on("pageerror", lambda e: result.errors.append(str(e)))
    page.goto(url + f"?as={as_user}")
    page.wait_for_function("document.body.dataset.version !== undefined")
    try:
        yield result
    finally:
        page.close()
    assert result.errors == [], f"the page raised: {result.errors}"


@pytest.fixture
def channel(browser, ferry) -> Iterator[Channel]:
    with open_channel(browser, ferry) as opened:
        yield opened
