"""Full compare by hash buckets of the key: the first level for keys that are not one integer.

    level 1   GROUP BY the first 4 hex digits of a hash of the key   one scan per side, a hash
              -> up to 65,536 buckets: rows and hash sum each        aggregate; no order needed
    level 2   buckets that differ and hold many rows: GROUP BY more digits, only for the rows of
              those buckets (WHERE <its first 4 digits> IN (...)); the rows of the others
              are hashed for nothing
    rows      (key, hash) of every row of the small differing buckets, in one scan per side and
              batch, matched by key in a dictionary

A bucket is named by the key's text, so a row is in the same bucket on both sides whatever the
key's type, the order of the rows or the two engines' collations: no range of keys is ever
compared, which is what makes text, UUID, composite and date keys as cheap as integers, and
correct when the sides sort text differently. The hash is the cheapest both sides compute
alike (connectors.warehouse_checksum.BUCKET_HASHES: MD5; where both are PostgreSQL, its own
64-bit hash of the key's values, or of their text when the key columns' types differ). Each
level after the first is a scan as well (a computed bucket has no index): the levels are few,
as each split goes as fine as the rows of the buckets it splits need.
"""

from __future__ import annotations

import math
from concurrent.futures import Future
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from features.validation.backend import KeyHashBuckets, differing
from features.validation.batches import by_rows
from features.validation.both import both

if TYPE_CHECKING:
    from features.validation.hashdiff import _FullCompare

HEX = 16
#: A split adds at most this many hex digits (at most 65,536 finer buckets per bucket).
MAX_SPLIT_DIGITS = 4
#: How the strategy line names each key hash.
HASH_NAMES = {"md5": "MD5", "hash64": "hashtextextended", "native64": "PostgreSQL's own hash"}
#: Buckets named per query of a level (bounds the SQL text and the digests held).
MAX_BUCKETS_PER_ROUND = 16_384


def supported(asis: Any, tobe: Any) -> bool:
    """Both sides digest hash buckets of the key in the engine (the warehouse does; HBase over
    Thrift streams its rows instead)."""
    return isinstance(asis, KeyHashBuckets) and isinstance(tobe, KeyHashBuckets)


class BucketCompare:
    def __init__(self, run: _FullCompare, duplicates: Future) -> None:
        self.run = run
        self.t = run.t
        self.dups = duplicates

    def compare(self) -> None:
        # supported() chose this path: both sides have the capability.
        self.asis = cast(KeyHashBuckets, self.run.asis)
        self.tobe = cast(KeyHashBuckets, self.run.tobe)
        common = [h for h in self.asis.bucket_hashes() if h in self.tobe.bucket_hashes()]
        if not common:
            raise ValueError("the two sides have no key hash in common")  # supported() said they do
        self.key_hash = common[0]
        # Past all of a hash's digits a bucket is one key (repeated): its rows are listed.
        self.max_digits = min(self.asis.bucket_digits(self.key_hash), self.tobe.bucket_digits(self.key_hash))
        digits = self.t.bucket_digits
        ga, gb = both(lambda: self.asis.bucket_digests(digits, key_hash=self.key_hash),
                      lambda: self.tobe.bucket_digests(digits, key_hash=self.key_hash))
        names = ga.keys() | gb.keys()
        self.run.stats["strategy"] = (f"key hash: {len(names):,} buckets of {digits} hex digits of "
                                      f"{HASH_NAMES.get(self.key_hash.split(':')[0], self.key_hash)}(key)")
        self.run.stats["segments"] += len(names)
        self.run.rows[0] += sum(map(itemgetter(0), ga.values()))
        self.run.rows[1] += sum(map(itemgetter(0), gb.values()))
        found = differing(ga, gb)
        del ga, gb
        self.dups.result()  # the duplicated keys must be known to tell them from changes
        self.descend(found, digits, 1, len(names))

    def split_digits(self, rows: int) -> int:
        """Hex digits to add so that a bucket of `rows` rows splits into buckets of about
        row_level_threshold rows (one more level to the rows when the keys hash evenly)."""
        wanted = max(1.0, rows / self.t.row_level_threshold)
        return max(1, min(MAX_SPLIT_DIGITS, math.ceil(math.log(wanted, HEX))))

    def descend(self, unequal: list[tuple[str, Any, Any]], digits: int, level: int, compared: int) -> None:
        self.run.stats["levels"] = max(self.run.stats["levels"], level)
        self.run.progress(f"level {level}: {compared:,} buckets, {len(unequal):,} differ")
        missing: list[tuple[str, int]] = []
        extra: list[tuple[str, int]] = []
        to_rows: list[tuple[str, int]] = []
        to_split: list[tuple[str, int]] = []
        for b, x, y in unequal:
            rows = max(x[0], y[0])
            if y[0] == 0:
                missing.append((b, x[0]))
            elif x[0] == 0:
                extra.append((b, y[0]))
            elif rows <= self.t.row_level_threshold or level >= self.t.max_levels or digits >= self.max_digits:
                to_rows.append((b, rows))
            else:
                to_split.append((b, rows))
        self.one_sided(missing, digits, self.run.asis, missing=True)
        self.one_sided(extra, digits, self.run.tobe, missing=False)
        self.run.stats["row_ranges"] += len(to_rows)
        self.row_level(to_rows, digits)
        # Buckets of one level all have `digits` digits; a round splits them by enough more digits
        # for the largest of them (the smaller ones get finer buckets than they need: harmless).
        for start in range(0, len(to_split), MAX_BUCKETS_PER_ROUND):
            chunk = to_split[start:start + MAX_BUCKETS_PER_ROUND]
            finer = min(self.max_digits, digits + self.split_digits(max(r for _, r in chunk)))
            names = [b for b, _ in chunk]
            sa, sb = both(lambda n=names, f=finer: self.asis.bucket_digests(f, n, digits, key_hash=self.key_hash),
                          lambda n=names, f=finer: self.tobe.bucket_digests(f, n, digits, key_hash=self.key_hash))
            subs = len(sa.keys() | sb.keys())
            self.run.stats["segments"] += subs
            self.descend(differing(sa, sb), finer, level + 1, subs)

    def one_sided(self, buckets: list[tuple[str, int]], digits: int, backend: Any, missing: bool) -> None:
        """Buckets with rows on one side only: all their rows are missing (or extra). They are
        counted from the digests; only the first keys, up to the listing cap, are fetched."""
        if not buckets:
            return
        from features.validation.model import MAX_LISTED  # read at call time (tests lower it)

        result = self.run.result
        listed = len(result.missing if missing else result.extra)
        room = MAX_LISTED - listed
        got = (backend.bucket_key_hashes([b for b, _ in buckets], digits, limit=room, key_hash=self.key_hash)
               if room > 0 else [])
        add = result.add_missing if missing else result.add_extra
        for key, _h in got:
            add(backend.key_text(key))
        unlisted = max(0, sum(n for _, n in buckets) - len(got))
        if missing:
            result.n_missing += unlisted
        else:
            result.n_extra += unlisted
        self.run.stats["rows_fetched"] += len(got)

    def row_level(self, buckets: list[tuple[str, int]], digits: int) -> None:
        """Rows of the differing buckets, in batches of at most bucket_rows_per_fetch rows a side
        (each batch is one scan per side)."""
        for names in by_rows(buckets, self.t.bucket_rows_per_fetch):
            ka, kb = both(lambda n=names: self.asis.bucket_key_hashes(n, digits, key_hash=self.key_hash),
                          lambda n=names: self.tobe.bucket_key_hashes(n, digits, key_hash=self.key_hash))
            self.run.match(ka, kb)
