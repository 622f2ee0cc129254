"""Ack latency of `serve --http` under load, against a bare Bolt app on the same server.

32 concurrent clients send signed `/migrate status` requests over HTTP to `serve --http` while
the bot's poster is busy sending a stream of channel messages (background work). The same
clients then send the same requests to a bare Bolt app (its handler only acks) served by the
same server (bot/server.py) in its own process. Prints p50, p99, max of both and the ratio of
the p99s. Target: Ferry's p99 at most 1.5x the bare app's (an absolute figure varies with the
machine; a ratio in the same run does not).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.message import Message, Section  # noqa: E402
from features.registry import open_store  # noqa: E402
from sandbox.slack import SlackDriver, SlackStandIn  # noqa: E402
from state import outbox  # noqa: E402

TARGET_RATIO = 1.5
CLIENTS = 32
ROUNDS = int(os.environ.get("FERRY_BENCH_ROUNDS", "16"))
REQUESTS_PER_CLIENT = int(os.environ.get("FERRY_BENCH_REQUESTS", "8"))  # each round
SECRET = "bench-secret"
TOKEN = "xoxb-bench"
CHANNEL = "C0FERRY01"


def serve_bare(port: int = 0) -> None:
    """The baseline: a Bolt app whose /migrate handler only acks, on Ferry's own server."""
    from slack_bolt import App
    from slack_sdk import WebClient

    from bot.server import WsgiServer, slack_wsgi

    # Set up as Ferry's own app is (bot/app.py): the Slack stand-in as its Web API, ack in the
    # request thread.
    app = App(signing_secret=SECRET, client=WebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"]),
              token_verification_enabled=False, process_before_response=True)
    app.command("/migrate")(lambda ack: ack())
    server = WsgiServer(slack_wsgi(app), port=port).start()
    print(f"bare Bolt app listening on {server.url}/slack/events", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    server.stop()


def start(args: list[str], env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, line.split("listening on ")[1].split("/slack/events")[0]


def warm_up(driver: SlackDriver) -> None:
    for _ in range(20):
        driver.command("status", user="U0ALICE01", channel=CHANNEL)


def load(driver: SlackDriver) -> tuple[list[float], float]:
    """CLIENTS clients, REQUESTS_PER_CLIENT signed `/migrate status` each: latencies (ms), wall s."""
    def client(n: int) -> list[float]:
        out = []
        for _ in range(REQUESTS_PER_CLIENT):
            t0 = time.perf_counter()
            d = driver.command("status", user="U0ALICE01", channel=CHANNEL)
            out.append((time.perf_counter() - t0) * 1000)
            assert d.status == 200, d
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        latencies = sorted(x for xs in pool.map(client, range(CLIENTS)) for x in xs)
    return latencies, time.perf_counter() - t0


def p99(latencies: list[float]) -> float:
    return latencies[int(len(latencies) * 0.99) - 1]


def report(name: str, latencies: list[float], wall: float) -> None:
    print(f"  {name:<9} p50 {statistics.median(latencies):6.1f} ms   p99 {p99(latencies):6.1f} ms   "
          f"max {latencies[-1]:6.1f} ms   {len(latencies) / wall:5.0f} req/s")


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ferry-bench-"))
    (tmp / "app.yaml").write_text(f"""
slack: {{channel: {CHANNEL}}}
people: {{operators: [U0ALICE01], approvers: [U0BOB0001]}}
state: {{path: state.sqlite}}
estates: {{as-is: {{}}, to-be: {{}}}}
""")
    busy_flag = tmp / "busy"
    procs: list[subprocess.Popen] = []
    bare: list[float] = []
    ferry: list[float] = []
    walls = {"bare": 0.0, "ferry": 0.0}
    try:
        # The Slack stand-in (which receives the poster's messages) and the writer that keeps the
        # poster busy run in a process of their own: in the clients' process they would slow the
        # clients during Ferry's rounds only, and that is not Ferry's latency.
        proc, api_url = start([str(Path(__file__).resolve()), "--helper", str(tmp / "state.sqlite"),
                               str(busy_flag)], dict(os.environ))
        procs.append(proc)
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": api_url, "FERRY_POST_INTERVAL": "0.02"}
        proc, bare_url = start([str(Path(__file__).resolve()), "--bare"], env)
        procs.append(proc)
        proc, url = start(["-m", "bot", "serve", "--http", "--port", "0", "--config", str(tmp / "app.yaml")], env)
        procs.append(proc)
        # Short rounds alternate between the two, so load from elsewhere on the machine (other
        # test suites, other benchmarks) falls on both alike.
        bare_driver, ferry_driver = SlackDriver(bare_url, SECRET), SlackDriver(url, SECRET)
        warm_up(bare_driver)
        warm_up(ferry_driver)
        for _ in range(ROUNDS):
            latencies, wall = load(bare_driver)
            bare += latencies
            walls["bare"] += wall
            busy_flag.touch()  # the helper streams messages into Ferry's outbox
            latencies, wall = load(ferry_driver)
            busy_flag.unlink()
            ferry += latencies
            walls["ferry"] += wall
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    bare.sort()
    ferry.sort()
    ratio = p99(ferry) / p99(bare)
    print(f"ack latency over {len(ferry)} signed /migrate status requests each, {CLIENTS} concurrent clients, "
          f"{ROUNDS} alternating rounds")
    report("bare Bolt", bare, walls["bare"])
    report("Ferry", ferry, walls["ferry"])
    met = ratio <= TARGET_RATIO
    print(f"  Ferry p99 / bare p99 = {ratio:.2f}   target <= {TARGET_RATIO}: {'met' if met else 'NOT met'}   "
          f"(Ferry p99 / 3000 ms, Slack's deadline = {p99(ferry) / 3000:.4f})")
    return 0 if met else 1


def helper(state_path: str, busy_flag: str) -> None:
    """The Slack stand-in, and a writer that enqueues a message every 10 ms into Ferry's outbox
    while `busy_flag` exists (its poster then sends and updates cards all through the round)."""
    standin = SlackStandIn(token=TOKEN).start()
    print(f"stand-in listening on {standin.api_url}/slack/events", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    store = None
    i = 0
    while not stopped.is_set():
        if not os.path.exists(busy_flag):
            stopped.wait(0.02)
            continue
        store = store or open_store(state_path)
        outbox.enqueue(store, CHANNEL, Message(f"bg {i}", [Section(f"background {i}")]).to_dict(),
                       card_key=f"bg:{i % 5}")
        i += 1
        time.sleep(0.01)
    standin.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--bare"]:
        serve_bare()
        raise SystemExit(0)
    if sys.argv[1:2] == ["--helper"]:
        helper(*sys.argv[2:4])
        raise SystemExit(0)
    raise SystemExit(main())
