"""The command line: check, serve, console, run, audit, report, sandbox, demo."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import NoReturn

from config import ConfigError

log = logging.getLogger("ferry")

DEFAULT_CONFIG = os.environ.get("FERRY_CONFIG", "app.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ferry: a migration run from Slack.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate app.yaml and the environment")
    p.add_argument("--config", default=DEFAULT_CONFIG)

    p = sub.add_parser("serve", help="run the Slack bot (Socket Mode, or HTTP with --http)")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--http", action="store_true", help="serve HTTP instead of Socket Mode")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)

    p = sub.add_parser("console", help="a terminal chat with Ferry, no Slack needed")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--as", dest="user", help="the Slack user ID you act as")

    p = sub.add_parser("run", help="run one verb from the shell and print its result",
                       usage="python -m bot run VERB [ARGS...] [--config app.yaml] [--as USER_ID] [--json]")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--as", dest="user")
    p.add_argument("--json", action="store_true", help="print the result object as JSON")

    p = sub.add_parser("audit", help="export the audit trail")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--format", choices=("csv", "json"), default="csv")

    p = sub.add_parser("report", help="write the migration report (HTML) to a file")
    p.add_argument("--config", default=DEFAULT_CONFIG)
    p.add_argument("--out", required=True, help="the HTML file to write ('-': standard output)")
    p.add_argument("--no-charts", action="store_true", help="leave the charts out (faster)")

    p = sub.add_parser("sandbox", help="start the embedded AS-IS and TO-BE estate on 127.0.0.1")
    p.add_argument("--estate", default="fieldnote")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--write-config", default=None)

    p = sub.add_parser("demo", help="the sandbox and Ferry together, in a terminal")
    p.add_argument("--config", default=None)

    argv = list(sys.argv[1:] if argv is None else argv)
    words: list[str] = []
    if argv[:1] == ["run"]:
        # The verb's own options (--sample 100, --full) are not ours: keep only Ferry's.
        argv, words = _split_run_args(argv)
    args = parser.parse_args(argv)
    if args.command == "run":
        if not words:
            parser.error("run needs a verb, e.g. `python -m bot run status`")
        if len(words) == 1 and len(words[0].split()) > 1:
            # `python -m bot run "count all"`: the whole command line in one argument.
            from commands.words import split_words

            try:
                words = split_words(words[0])
            except ValueError:
                pass  # the dispatcher explains what it cannot read
        args.verb, args.args = words[0], words[1:]
    logging.basicConfig(level=os.environ.get("FERRY_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = globals()[f"cmd_{args.command}"]
    try:
        return handler(args) or 0
    except ConfigError as e:
        where = getattr(args, "config", "app.yaml")
        if getattr(args, "json", False):  # `run --json`: a script reads JSON, whatever happened
            print(json.dumps({"ok": False, "error": "configuration", "config": where,
                              "problems": [{"key": p.key, "problem": p.problem} for p in e.errors]}, indent=2))
        elif len(e.errors) > 1:
            print(f"Configuration errors in {where} ({len(e.errors)} problems):", file=sys.stderr)
            for p in e.errors:
                print(f"  - {p}", file=sys.stderr)
        else:
            print(f"Configuration error in {where}: {e}", file=sys.stderr)
        return 2


def _split_run_args(argv: list[str]) -> tuple[list[str], list[str]]:
    ours, words, i = ["run"], [], 1
    while i < len(argv):
        word = argv[i]
        if word in ("--config", "--as") and i + 1 < len(argv):
            ours += [word, argv[i + 1]]
            i += 2
            continue
        if word.startswith(("--config=", "--as=")) or word in ("--json", "-h", "--help"):
            ours.append(word)
        else:
            words.append(word)
        i += 1
    return ours, words


# --- check --------------------------------------------------------------------------------------

ENDPOINTS = ("cloudera", "hbase", "warehouse", "aws", "gateway", "yarn")


def _where(endpoint) -> str:
    """Where an endpoint points, without what must stay secret: a URL without its user and
    password, host:port, an AWS region. A warehouse's DSN holds its password: only its host."""
    from urllib.parse import urlsplit

    url = getattr(endpoint, "url", None)
    if url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "") + parts.path.rstrip("/")
    if getattr(endpoint, "dsn", None):
        host = urlsplit(endpoint.dsn).hostname if "://" in endpoint.dsn else None
        return host or ""
    if getattr(endpoint, "host", None):
        user = getattr(endpoint, "user", None)
        return f"{user + '@' if user else ''}{endpoint.host}:{endpoint.port}"
    return getattr(endpoint, "region", "") or ""


def cmd_check(args) -> int:
    from features import registry

    cfg = registry.load_config(args.config)
    print(f"{args.config}: valid (version {cfg.version})")
    print(f"  channel {cfg.slack.channel}; {len(cfg.people.operators)} operator entries, "
          f"{len(cfg.people.approvers)} approver entries; state in {cfg.state.path}")
    for name, estate in cfg.estates.items():
        parts = [f"{k} ({_where(getattr(estate, k))})" if _where(getattr(estate, k)) else k for k in ENDPOINTS
                 if getattr(estate, k)]
        print(f"  estate {name}: {', '.join(parts) or 'no endpoints'}")
    for section, value in cfg.sections.items():
        count = len(value) if hasattr(value, "__len__") else 1
        print(f"  {section}: {count}")
    missing = [v for v in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if not os.environ.get(v)]
    if missing:
        print(f"  note: {', '.join(missing)} not set: `serve` needs them (the console and `run` do not)")
    if not os.environ.get("SLACK_APP_TOKEN"):
        print("  note: SLACK_APP_TOKEN not set: `serve` will need --http (Socket Mode needs an xapp- token)")
    return 0


# --- serve --------------------------------------------------------------------------------------

def cmd_serve(args) -> int:
    from bot.app import make_client

    token = os.environ.get("SLACK_BOT_TOKEN")
    secret = os.environ.get("SLACK_SIGNING_SECRET")
    app_token = os.environ.get("SLACK_APP_TOKEN")
    missing = [n for n, v in (("SLACK_BOT_TOKEN", token), ("SLACK_SIGNING_SECRET", secret)) if not v]
    if missing:
        print(f"serve needs {', '.join(missing)} in the environment (see README: Slack set-up).", file=sys.stderr)
        return 2
    if not args.http and not app_token:
        print("Set SLACK_APP_TOKEN (xapp-…) for Socket Mode, or pass --http to serve HTTP.", file=sys.stderr)
        return 2
    client = make_client(token, os.environ.get("SLACK_API_URL"))
    if _verify_token(client) is False:
        return 2
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.http:
        from bot.serving import start_http

        serving = start_http(args.config, token=token, signing_secret=secret,
                             api_url=os.environ.get("SLACK_API_URL"), host=args.host, port=args.port)
        print(f"Ferry listening on {serving.url}/slack/events (health: {serving.url}/healthz)", flush=True)
        stop.wait()
        _exit_after(serving.stop)
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.serving import prepare

    runtime, app = prepare(args.config, client, secret)
    runtime.start()
    try:
        handler = SocketModeHandler(app, app_token)
        handler.connect()
        print("Ferry connected to Slack in Socket Mode", flush=True)
        stop.wait()
    except BaseException:
        runtime.stop()
        raise

    def close() -> None:
        handler.close()
        runtime.stop()

    _exit_after(close)


STOP_DEADLINE_S = 8.0  # SIGTERM to exit, whatever a worker is doing (systemd waits 90 s, k8s 30 s)


def _exit_after(stop) -> NoReturn:
    """Stop in order, then leave at once. Python would join every worker thread at exit, and a
    worker may be waiting minutes on an outside system; everything that matters is already in the
    state database (a kill -9 at any moment loses nothing), so no worker is waited for. If the
    orderly stop itself hangs, the process still ends at STOP_DEADLINE_S."""
    def give_up() -> None:
        time.sleep(STOP_DEADLINE_S)
        print(f"Ferry did not stop in order within {STOP_DEADLINE_S:.0f} s; exiting.", file=sys.stderr, flush=True)
        os._exit(1)

    threading.Thread(target=give_up, name="ferry-stop-deadline", daemon=True).start()
    code = 0
    try:
        stop()
    except Exception:
        log.exception("stopping Ferry failed")
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _verify_token(client) -> bool | None:
    """auth.test: False for a bad token (stop), None if Slack is unreachable (start anyway: the
    outbox keeps what is queued until Slack answers), True when verified."""
    from slack_sdk.errors import SlackApiError

    try:
        client.auth_test()
    except SlackApiError as e:
        print(f"Slack refused SLACK_BOT_TOKEN: {e.response.get('error')}", file=sys.stderr)
        return False
    except Exception as e:
        log.warning("Slack is not reachable (%s); starting anyway, messages wait in the outbox", type(e).__name__)
        return None
    return True


# --- console and run ----------------------------------------------------------------------------

def cmd_console(args) -> int:
    from bot.console import Console

    Console(args.config, user=args.user).loop()
    return 0


def cmd_run(args) -> int:
    from bot import text as text_render
    from bot.runtime import Runtime
    from commands import dispatch
    from core.who import Who
    from jobs.inline import InlineJobs
    from state import outbox

    runtime = Runtime(args.config, with_scheduler=False)
    cfg = runtime.config
    jobs = runtime.services.jobs = InlineJobs(cfg.state.path, runtime.services)
    user = args.user or next((p for p in cfg.people.operators if not p.startswith("S")), "USCRIPT")
    who = Who(user_id=user, team_id=None, channel_id=cfg.slack.channel)
    first_row = runtime.store.db.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0]
    try:
        words = [args.verb, *args.args]
        import shlex

        reply = dispatch.run_command(runtime.services, who, " ".join(shlex.quote(w) for w in words))
        if reply and reply.message and not reply.ephemeral:
            runtime.services.post(reply.message, card_key=reply.card_key, thread_of=reply.thread_of)
        queued = [r for r in outbox.pending(runtime.store, limit=1000) if r.id > first_row]
    finally:
        jobs.shutdown()
        runtime.services.stopped.set()
    refused = bool(reply and ("error" in reply.data or "refused" in reply.data))
    # The verb ran but its work failed: an outside system, or Ferry itself (exit 1, not 2).
    broke = bool(reply and ("failed" in reply.data or reply.data.get("state") == "failed"))
    failed = refused or broke
    if args.json:
        out = {"ok": not failed, "result": reply.data if reply else {},
               "messages": [r.message for r in queued]}
        print(json.dumps(out, indent=2, default=str))
    else:
        if reply and reply.message and reply.ephemeral:
            print(text_render.render(reply.message, names=cfg.people.names)[0])
        from core.message import Message

        for row in queued:
            print(text_render.render(Message.from_dict(row.message), names=cfg.people.names)[0])
    return 2 if refused else 1 if broke else 0


# --- audit --------------------------------------------------------------------------------------

def cmd_audit(args) -> int:
    from features import registry
    from state import audit

    cfg = registry.load_config(args.config)
    entries = audit.all_entries(registry.open_store(cfg.state.path))
    if args.format == "json":
        print(json.dumps(entries, indent=2, default=str))
    else:
        fields = ["id", "at", "user_id", "team_id", "enterprise_id", "channel_id", "action", "target", "outcome",
                  "reason", "plan_hash", "detail"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields)
        writer.writeheader()
        for e in entries:
            writer.writerow({k: csv_cell(v) for k, v in {**e, "detail": json.dumps(e["detail"])}.items()})
    return 0


# A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(…)` in a
# rejection's reason): OWASP's advice is a leading single quote, which shows the text as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cmd_report(args) -> int:
    from features import registry
    from features.report import api as report
    from features.services import Services

    cfg = registry.load_config(args.config)
    services = Services(config=cfg, store=registry.open_store(cfg.state.path))
    document = report.html(services, charts=not args.no_charts)
    if args.out == "-":
        sys.stdout.write(document)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(document)
    except OSError as e:
        print(f"Could not write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"Wrote {args.out} ({len(document.encode('utf-8')):,} bytes).")
    return 0


# --- sandbox and demo ---------------------------------------------------------------------------

def cmd_sandbox(args) -> int:
    try:
        from sandbox.cli import run_sandbox
    except ImportError:
        print("The sandbox is not built yet.", file=sys.stderr)
        return 2
    return run_sandbox(estate=args.estate, data_dir=args.data_dir, write_config=args.write_config)


def cmd_demo(args) -> int:
    from bot.demo import run_demo

    return run_demo(config=args.config)
