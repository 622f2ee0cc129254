"""Command text is bounded and split in linear time (issue 12, item 6): the words are those a
shell would give, and a page of text is refused at once, never parsed for minutes."""

import shlex
import time

import pytest

from bot.runtime import Runtime
from commands import dispatch
from commands.words import MAX_COMMAND_CHARS, split_words
from core.who import Who
from state import audit
from tests.fixtures.slack import CHANNEL, OPERATOR, write_config

SAMPLES = [
    "", "status", "  count   all  ", 'compare "my table" --sample 10', "compare 'a b' c", 'a"b c"d',
    "it\\'s", 'say "a \\" quote"', "say 'no \\ escape'", "tab\there", "a\\ b", '""', "''", 'x "" y',
    "--flag=value", "end\\\\", 'mix"ed\'quo"tes', "naïve ünïcode ✓",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_the_words_are_a_shells(text):
    assert split_words(text) == shlex.split(text)


@pytest.mark.parametrize("text", ['say "open', "say 'open", "trailing\\"])
def test_what_a_shell_cannot_read_is_a_value_error(text):
    with pytest.raises(ValueError):
        shlex.split(text)
    with pytest.raises(ValueError):
        split_words(text)


@pytest.fixture
def services(tmp_path):
    rt = Runtime(str(write_config(tmp_path)), with_scheduler=False)
    dispatch.run_command(rt.services, Who(OPERATOR, "T1", channel_id=CHANNEL), "help")  # imports every verb
    yield rt.services
    rt.stop()


@pytest.mark.parametrize("text", ["x" * 1_600_000, "a " * 800_000, '"' + "b" * 1_600_000])
def test_a_page_of_text_is_refused_at_once(services, text):
    who = Who(OPERATOR, "T1", channel_id=CHANNEL)
    t0 = time.perf_counter()
    assert dispatch.answers_inline(text)
    reply = dispatch.run_command(services, who, text)
    assert time.perf_counter() - t0 < 1.0  # shlex took 40 s over 1.6 MB; this is microseconds
    assert f"{MAX_COMMAND_CHARS:,}" in reply.message.text
    assert len(reply.message.text) < 500


def test_text_at_the_cap_is_still_read(services):
    who = Who(OPERATOR, "T1", channel_id=CHANNEL)
    text = "help " + "x" * (MAX_COMMAND_CHARS - 5)
    reply = dispatch.run_command(services, who, text)
    assert f"{MAX_COMMAND_CHARS:,}" not in reply.message.text
    assert audit.recent(services.store, 5) == []  # help acts on nothing
