"""The assessment's complete report in its card's thread (issue 15): split between findings, never
in the middle of one, and written as wrapping text (no code block whose long lines a narrow thread
cuts at the right edge). Posted by the real poster to the Slack stand-in and read back from it."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from bot import blocks as block_kit
from bot.poster import Poster, SlackSink
from tests.assess.conftest import posted, run_verb
from tests.fixtures.slack import BOT_TOKEN, CHANNEL


def test_the_report_is_split_between_findings_and_wraps(cm_fieldnote, write_app_yaml, runtime_for, slack_standin):
    rt = runtime_for(write_app_yaml(as_is=cm_fieldnote.url))
    data = run_verb(rt, "assess").data
    (card,) = posted(rt)
    assert card.attachment_style == "text" and len(card.attachment) > 6_000  # more than one message's worth
    Poster(rt.store, SlackSink(WebClient(token=BOT_TOKEN, base_url=slack_standin.api_url)),
           min_interval_s=0).drain_once()
    top = [m for m in slack_standin.channel_messages(CHANNEL) if not m.thread_ts]
    assert len(top) == 1 and top[0].text.startswith("Assessment of AS-IS")
    thread = [m for m in slack_standin.channel_messages(CHANNEL) if m.thread_ts == top[0].ts]
    assert len(thread) >= 2
    texts = []
    for m in thread:
        assert 0 < len(m.blocks) <= 50
        for b in m.blocks:
            Block.parse(b).validate_json()
        texts.append("\n".join(b["text"]["text"] for b in m.blocks if b["type"] == "section"))
    assert not any("```" in t for t in texts)  # prose, which wraps at any width
    for f in data["findings"]:
        # the finding's paragraph (title, evidence, why, fix) is whole in one message
        holders = [t for t in texts if f["title"] in t]
        assert len(holders) == 1, f["title"]
        for part in (f["evidence"], f["why"], f["fix"]):
            assert block_kit.escape(part) in holders[0], (f["title"], part[:60])
    assert any(t.startswith("*HOSTS x ROLES*") or "\n\n*HOSTS x ROLES*" in t for t in texts)
    assert any("fn-worker-1: ZK, KB, DN, RS, NM · ZK+Kafka, ZK+data" in t for t in texts)


def test_chunks_keep_paragraphs_whole_and_cut_only_a_paragraph_too_long_for_one():
    paragraphs = [f"paragraph {i}\n" + "\n".join(f"line {i}.{j}" + " word" * 20 for j in range(8)) for i in range(12)]
    huge = "huge\n" + " ".join(["long"] * 2_000)  # alone longer than a message: cut between words
    text = "\n\n".join(paragraphs + [huge])
    for style in ("text", "pre"):
        chunks = block_kit.attachment_chunks(text, style=style)
        assert all(len(c) <= block_kit.SECTION_TEXT for c in chunks)
        for p in paragraphs:
            assert sum(p in c for c in chunks) == 1, (style, p[:20])
        joined = " ".join(c.strip("`\n") for c in chunks)
        assert joined.count("long") == 2_000 and "lon\n" not in joined
