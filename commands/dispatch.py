"""From a command line or a button click to a verb's reply: parse, check the channel and the
permission, make it idempotent, run, audit. Used alike by Slack, the console and `run`."""

from __future__ import annotations

import difflib
import logging
import re
import secrets

from commands import texts
from commands.context import Invocation, Reply, Services
from commands.permissions import ROLE_NAMES, allowed
from commands.registry import Permission, Verb, parse_action_id, verbs
from commands.words import MAX_COMMAND_CHARS, split_words, too_long
from core.errors import OutsideFailure, Refused, TooSlowForAck, UsageError
from core.message import Context, Message, Section, shown
from core.who import Who
from state import audit, processed

log = logging.getLogger(__name__)

MAX_PROBLEM = 1_500  # characters of a usage error's first line


def run_command(services: Services, who: Who, text: str, *, request_key: str | None = None) -> Reply | None:
    """Handle `/migrate <text>`. Returns None when `request_key` was already handled (a retry)."""
    if too_long(text):
        return usage_reply(texts.TOO_LONG.format(n=len(text), limit=MAX_COMMAND_CHARS), "help")
    try:
        words = split_command(text)
    except ValueError as e:
        return usage_reply(f"Could not read the command: {e}.", "help")
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    if name in HELP_FLAGS:  # `/migrate --help`
        name, args = "help", args[:1]
    elif any(a in HELP_FLAGS for a in args) and name in verbs():  # `/migrate start --help`
        name, args = "help", [name]
    registry = verbs()
    verb = registry.get(name)
    # A repeated delivery acts once. Inline read-only answers (help, status) change nothing, so
    # they skip the write: answering a retry again is harmless and keeps them off the write lock.
    acts = verb is None or not verb.inline or verb.permission is not Permission.READ
    if acts and request_key and not processed.claim(services.store, f"cmd:{request_key}"):
        log.info("duplicate delivery of %s ignored", request_key)
        return None
    if verb is None:
        return _unknown_verb(services, who, name)
    if not _in_channel(services, who):
        return _refuse(services, who, name, " ".join(args),
                       texts.WRONG_CHANNEL.format(channel=services.config.slack.channel), "wrong channel")
    if not allowed(services, who.user_id, verb.permission):
        role = ROLE_NAMES[verb.permission]
        return _refuse(services, who, name, " ".join(args), texts.NOT_ALLOWED.format(verb=name, role=role),
                       f"not in {role}")
    inv = Invocation(verb=name, args=args, who=who, services=services, request_key=request_key)
    return _run(verb, verb.handler, inv, mutating=verb.permission is not Permission.READ)


def answers_inline(text: str) -> bool:
    """Whether `/migrate <text>` can be answered inside Slack's ack (see Verb.inline)."""
    if too_long(text):
        return True  # the refusal is immediate
    words = _tidy(text).split()
    name = words[0].lower() if words else "help"
    if name in HELP_FLAGS or any(w in HELP_FLAGS for w in words[1:]):
        name = "help"
    verb = verbs().get(name)
    return verb is None or verb.inline


HELP_FLAGS = ("--help", "-h")
# What people's keyboards and clipboards put in a command: typographic quotes (macOS, phones),
# non-breaking and other Unicode spaces (pasted from a document), stray control characters.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _tidy(text: str | None) -> str:
    return _SPACES.sub(" ", _CONTROL.sub("", (text or "").translate(_QUOTES))).strip()


def split_command(text: str | None) -> list[str]:
    """The words of a command line, as a shell would split them (quotes group), after tidying
    what keyboards add; `--flag=value` becomes `--flag value`. ValueError for an open quote."""
    words: list[str] = []
    for word in split_words(_tidy(text)):
        if word.startswith("--") and "=" in word:
            words.extend(word.split("=", 1))
        else:
            words.append(word)
    return words


def run_action(services: Services, who: Who, action_id: str, value: str, *, request_key: str | None = None,
               message_ref: dict | None = None, inputs: dict[str, str] | None = None,
               label: str | None = None) -> Reply | None:
    """Handle a button click (`label`: the button's text as the person saw it, for a refusal). `request_key` defaults to action + value + user: a double click
    (or Slack delivering the same click twice) acts once."""
    parsed = parse_action_id(action_id)
    verb = verbs().get(parsed[0]) if parsed else None
    action = verb.actions.get(parsed[1]) if verb and parsed else None
    if verb is None or action is None:
        return Reply(Message("That button is no longer handled by Ferry.",
                             [Section("That button is no longer handled by Ferry. Run the command again.")]))
    target = f"{verb.name}:{parsed[1]}"
    extra = _audit_context(services, action, value)
    if not _in_channel(services, who):
        return _refuse(services, who, target, value,
                       texts.WRONG_CHANNEL.format(channel=services.config.slack.channel), "wrong channel", **extra)
    if not allowed(services, who.user_id, action.permission):
        role = ROLE_NAMES[action.permission]
        button = _label(label) or (verb.name if parsed[1] == "press" else parsed[1]).capitalize()
        return _refuse(services, who, target, value,
                       texts.NOT_ALLOWED_BUTTON.format(button=button, verb=verb.name, role=role),
                       f"not in {role}", **extra)
    key = request_key or f"{action_id}|{value}|{who.user_id}"
    if not processed.claim(services.store, f"act:{key}"):
        said = action.repeated or texts.ALREADY_HANDLED
        return Reply(Message(said, [Context([said])]), data={"repeated": True})
    inv = Invocation(verb=verb.name, args=[], who=who, services=services, request_key=key, value=value,
                     action=parsed[1], message_ref=message_ref or {}, inputs=inputs or {})
    reply = _run(verb, action.handler, inv, mutating=True)
    if (reply.modal and reply.message is None) or "error" in reply.data or "failed" in reply.data:
        # Nothing happened: only a question was asked (a modal), the input was refused (a
        # rejection's reason too short), or an outside system failed. The same click or
        # submission may come again and must then act, not answer "already handled".
        processed.release(services.store, f"act:{key}")
    return reply


def _label(label: str | None) -> str:
    """A button's label for a sentence in bold: it came with the click, so it is plain text of a
    bounded length, without the characters that would end the bold or make a link or mention."""
    text = re.sub(r"[*_~`<>&|\x00-\x1f\u202a-\u202e\u2066-\u2069]", "", label or "").strip()
    return text[:40]


def _audit_context(services: Services, action, value: str) -> dict:
    if action.audit_context is None:
        return {}
    try:
        return action.audit_context(services, value) or {}
    except Exception:  # a stale button: the refusal is still recorded, without the extra
        log.debug("audit context of %s unavailable", value, exc_info=True)
        return {}


def _run(verb: Verb, handler, inv: Invocation, *, mutating: bool) -> Reply:
    target = " ".join(inv.args) or inv.value or None
    action_name = verb.name if not inv.action else f"{verb.name}:{inv.action}"
    try:
        reply = handler(inv)
    except UsageError as e:
        if inv.action:  # a button or a modal: the verb's command-line usage would only confuse
            return Reply(Message(str(e), [Section(f":grey_question: {e}")]), data={"error": str(e), "usage": verb.name})
        return usage_reply(str(e), verb.name)
    except Refused as e:
        if getattr(e, "audited", False):  # the verb wrote its own, richer entry
            return Reply(Message(str(e), [Section(f":no_entry: {e}")]), data={"refused": str(e)})
        return _refuse(inv.services, inv.who, action_name, target, str(e), str(e))
    except OutsideFailure as e:
        audit.append(inv.store, inv.who, action_name, "failed", target=target, reason=str(e))
        return Reply(Message(str(e), [Section(f":warning: {e}")]), data={"failed": str(e)})
    except Exception as e:  # the bot keeps running; the user gets a sentence, the log the trace
        if inv.store.overran():  # an answer inside the ack ran out of time: it is given later
            raise TooSlowForAck(action_name) from e
        ref = secrets.token_hex(3)
        log.exception("verb %s failed (reference %s)", action_name, ref)
        audit.append(inv.store, inv.who, action_name, "failed", target=target,
                     reason=f"{type(e).__name__} (log reference {ref})")
        msg = texts.INTERNAL_ERROR.format(verb=verb.name, ref=ref)
        return Reply(Message(msg, [Section(f":x: {msg}")]), data={"failed": msg})
    # A modal and nothing else is a question (Reject asks for its reason): nothing happened yet.
    asked_only = reply.modal is not None and reply.message is None
    if mutating and not reply.data.get("audited") and not asked_only:
        audit.append(inv.store, inv.who, action_name, "ok", target=target)
    return reply


def usage_reply(problem: str, verb_name: str) -> Reply:
    verb = verbs().get(verb_name)
    # The problem may quote what was typed: a page of it must not push the usage out of the
    # section (Slack cuts a section at 3,000 characters).
    problem = problem if len(problem) <= MAX_PROBLEM else problem[:MAX_PROBLEM - 1] + "…"
    lines = [f":grey_question: {problem}"]
    if verb is not None:
        lines.append(f"Usage: `/migrate {verb.usage}`")
        lines.extend(f"Example: `/migrate {e}`" for e in verb.examples[:2])
    lines.append("`/migrate help` lists every verb.")
    return Reply(Message(problem, [Section("\n".join(lines))]), data={"error": problem, "usage": verb_name})


def _unknown_verb(services: Services, who: Who, name: str) -> Reply:
    problem = texts.UNKNOWN_VERB.format(verb=shown(name, 40))
    close = difflib.get_close_matches(name, list(verbs()), n=1, cutoff=0.6)
    lines = [f":grey_question: {problem}"]
    if close:
        lines.append(texts.DID_YOU_MEAN.format(suggestion=close[0]))
    lines.append("`/migrate help` lists every verb.")
    return Reply(Message(problem, [Section("\n".join(lines))]),
                 data={"error": problem, "did_you_mean": close[0] if close else None})


def _in_channel(services: Services, who: Who) -> bool:
    # No channel is no exception: a request that names none is refused like a wrong one.
    return bool(who.channel_id) and who.channel_id == services.config.slack.channel


def _refuse(services: Services, who: Who, action: str, target: str | None, explanation: str, reason: str,
            plan_hash: str | None = None) -> Reply:
    audit.append(services.store, who, action, "refused", target=target or None, reason=reason, plan_hash=plan_hash)
    return Reply(Message(explanation, [Section(f":no_entry: {explanation}")]),
                 data={"refused": reason, "explanation": explanation})
