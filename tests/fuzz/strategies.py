"""What people (and forgers) type: any Unicode, and near misses of what Ferry understands."""

from __future__ import annotations

from hypothesis import strategies as st

from commands.registry import verbs

VERBS = sorted(verbs())
WORDS = ["all", "orders", "events", "hbase-orders", "hbase-events", "as-is", "to-be", "--full", "--sample",
         "--seed", "--help", "-h", "10", "0", "-1", "²", "1e3", "200MB/s", "10 MB/s", "0.5B/s", "9" * 30,
         "<!channel>", "<@U0BOB0001>", "<https://evil.example|Approve>", "\u202e", '"', "'", "\u201c", "`", "|",
         "freeze-writes", "freeze-writes#1", "&amp;", "\x00", "\n", "\t", " "]
ANY_TEXT = st.text(max_size=200)
WORD = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=30))
COMMAND = st.one_of(
    ANY_TEXT,
    st.builds(lambda v, ws: " ".join([v, *ws]), st.sampled_from(VERBS + ["HELP", "Count", "strat", ""]),
              st.lists(WORD, max_size=5)),
    st.builds(lambda n: "x" * n, st.integers(3_900, 6_000)),  # around the length cap
    # a verb and something that would ping the channel or disguise a link if shown live
    st.builds(lambda v, w: f"{v} {w}", st.sampled_from(VERBS), st.sampled_from(
        ["<!channel>", "<https://evil.example|Approve>", "x\u202ey", "<!here|here>"])),
)


def action_ids() -> list[str]:
    return [f"ferry:{v.name}:{a}" for v in verbs().values() for a in v.actions]


ACTION_ID = st.one_of(st.sampled_from(action_ids()), st.text(max_size=40),
                      st.builds(lambda v, a: f"ferry:{v}:{a}", st.sampled_from(VERBS), st.text(max_size=10)))
PART = st.one_of(st.sampled_from(["hbase-orders", "hbase-events", "freeze-writes", "freeze-writes#1", "orders:count",
                                  "1", "0", "4", "8000", "transfer:hbase-orders:abcdef", ""]),
                 st.text(max_size=20))
VALUE = st.one_of(ANY_TEXT, st.builds("|".join, st.lists(PART, min_size=1, max_size=4)),
                  st.builds(lambda n: "\u2603" * n + "|x", st.integers(1000, 3000)))
