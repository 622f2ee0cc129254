"""Full compare: checksums computed inside each engine over key ranges, both sides at once;
only ranges whose checksums differ are split further, until the differing rows are listed.
The idea of reladiff's hashdiff and of HBase's HashTable/SyncTable.

    level 1   |----|----|----|----|----|----|----|----|   ~TARGET_SEGMENTS ranges, ONE query per side
                       ≠              ≠                     (integer keys: an equal-width grid;
    level 2        |-|-|-|-|      |-|-|-|-|                  other keys: quantiles or HBase regions)
                      ≠                 ≠                   split in rows/THRESHOLD parts (≥16), one query per side
    rows             [rows]            [rows]              ≤ ROW_LEVEL_THRESHOLD rows: fetch both sides'
                                                            rows of all such ranges in a few batched
                                                            queries and match them by key

Where the store ships every row to Ferry to digest it (HBase over Thrift 1, whose HashTable is a
MapReduce job Ferry cannot run), a differing range is not split and digested again (a full
transfer per level): both sides' rows of that range are merged as sorted streams instead.

A range empty on one side needs no rows to be counted: all its rows are missing (or extra);
only the first MAX_LISTED keys are fetched to be listed. Memory is bounded by the number of
ranges per round (MAX_RANGES_PER_LEVEL, depth first) and ROWS_PER_FETCH, whatever the size.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from features.validation import bucketdiff
from features.validation.backend import (
    Digest,
    IntegerGrid,
    KeyRange,
    MissingTable,
    RangeDigests,
    Row,
    RowStream,
    differing,
)
from features.validation.batches import by_rows
from features.validation.both import Prefetch, both
from features.validation.model import MAX_LISTED, CompareResult, Duplicate, Finding
from features.validation.rowdiff import diff_rows, merge_sorted
from features.validation.tables import table_findings

DEFAULT_TARGET_SEGMENTS = 16_384
DEFAULT_SPLIT_FACTOR = 16
DEFAULT_ROW_LEVEL_THRESHOLD = 1_024
DEFAULT_ROWS_PER_FETCH = 32_768
DEFAULT_MAX_LEVELS = 24
DEFAULT_FIRST_LEVEL_PARTS = 1
DEFAULT_BUCKET_DIGITS = 4  # the key-hash first level: up to 16**4 = 65,536 buckets
DEFAULT_BUCKET_ROWS_PER_FETCH = 131_072  # rows per side listed by one scan (bucketdiff)
#: The first level: "auto" (an integer grid for one integer column, key-hash buckets for any
#: other key where both stores digest them, else key ranges), or one of them by name.
FIRST_LEVELS = ("auto", "grid", "hash", "ranges")
#: A differing range splits into about rows / row_level_threshold parts, between split_factor and this.
MAX_SPLIT = 256
#: Ranges digested per query round below the first level (bounds memory when everything differs).
MAX_RANGES_PER_LEVEL = 16_384
#: Differing ranges merged at once where the store streams rows (each: two scanners, both sides).
STREAM_WORKERS = 4


@dataclass(frozen=True)
class Tuning:
    target_segments: int = DEFAULT_TARGET_SEGMENTS  # ranges of the first level
    split_factor: int = DEFAULT_SPLIT_FACTOR  # sub-ranges per differing range
    row_level_threshold: int = DEFAULT_ROW_LEVEL_THRESHOLD  # at or below: list rows instead of splitting
    rows_per_fetch: int = DEFAULT_ROWS_PER_FETCH  # rows per side per batched row query
    max_levels: int = DEFAULT_MAX_LEVELS
    first_level_parts: int = DEFAULT_FIRST_LEVEL_PARTS  # the first level's queries, one after the other
    first_level: str = "auto"
    bucket_digits: int = DEFAULT_BUCKET_DIGITS
    bucket_rows_per_fetch: int = DEFAULT_BUCKET_ROWS_PER_FETCH

    def __post_init__(self) -> None:
        if self.target_segments < 1:
            raise ValueError("target_segments must be at least 1")
        if self.split_factor < 2:
            raise ValueError("split_factor must be at least 2")
        if self.row_level_threshold < 1:
            raise ValueError("row_level_threshold must be at least 1")
        if self.rows_per_fetch < self.row_level_threshold:
            raise ValueError("rows_per_fetch must hold at least one range of row_level_threshold rows")
        if self.max_levels < 1:
            raise ValueError("max_levels must be at least 1")
        if self.first_level_parts < 1:
            raise ValueError("first_level_parts must be at least 1")
        if self.first_level not in FIRST_LEVELS:
            raise ValueError(f"first_level is one of {', '.join(FIRST_LEVELS)}")
        if not 1 <= self.bucket_digits <= 4:
            # 16**4 = 65,536 buckets at most, whatever the table's size (5 digits: 644,669 buckets
            # of 2 x 10^6 rows, 696 MB and 4 x a checksum's CPU, measured).
            raise ValueError("bucket_digits must be 1 to 4")
        if self.bucket_rows_per_fetch < self.row_level_threshold:
            raise ValueError("bucket_rows_per_fetch must hold at least one bucket of row_level_threshold rows")


Progress = Callable[[str], None]


def _ranges_from_cuts(lo: Any, hi: Any, cuts: list[Any]) -> list[KeyRange]:
    bounds = [lo]
    for c in cuts:
        if c is None or c == bounds[-1]:
            continue
        bounds.append(c)
    bounds.append(hi)
    return [KeyRange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def narrow(rng: KeyRange, da: Digest, db: Digest) -> list[KeyRange]:
    """The parts of a differing range that differ, from both sides' content-defined chunks
    (`Digest.chunks`): the chunks are summed between the chunk starts both sides have (the
    same keys cut on both, unless a side lacks the key or merged chunks), and only the
    differing stretches are kept (adjacent ones joined). Without chunks: the whole range."""
    if not da.chunks or not db.chunks:
        return [rng]
    common = sorted({c[0] for c in da.chunks if c[0] is not None} & {c[0] for c in db.chunks if c[0] is not None})

    def sums(chunks: tuple) -> list[tuple[int, int]]:
        out = [[0, 0] for _ in range(len(common) + 1)]
        for start, rows, checksum in chunks:
            i = 0 if start is None else bisect.bisect_right(common, start)
            out[i][0] += rows
            out[i][1] += checksum
        return [(r, c) for r, c in out]

    sa, sb = sums(da.chunks), sums(db.chunks)
    parts: list[KeyRange] = []
    for i, (x, y) in enumerate(zip(sa, sb, strict=True)):
        if x == y:
            continue
        lo = rng.lo if i == 0 else common[i - 1]
        hi = rng.hi if i == len(common) else common[i]
        if parts and parts[-1].hi == lo:
            parts[-1] = KeyRange(parts[-1].lo, hi)
        else:
            parts.append(KeyRange(lo, hi))
    return parts or [rng]


class _FullCompare:
    def __init__(self, table_id: str, asis: RangeDigests, tobe: RangeDigests, tuning: Tuning, progress: Progress | None) -> None:
        self.asis, self.tobe, self.t = asis, tobe, tuning
        self.progress = progress or (lambda _msg: None)
        self.result = CompareResult(table_id, "full")
        self.known_duplicates: set[str] = set()
        self.stats = {"levels": 0, "segments": 0, "row_ranges": 0, "rows_fetched": 0, "strategy": ""}
        self.rows = [0, 0]  # rows seen by the first level, AS-IS and TO-BE
        self.streams = isinstance(asis, RowStream) and isinstance(tobe, RowStream)
        self.grid = isinstance(asis, IntegerGrid) and isinstance(tobe, IntegerGrid)
        self.bounds: tuple[Any, Any] | None = None  # integer_bounds of both sides, once asked

    def use_buckets(self) -> bool:
        """Key-hash buckets (bucketdiff) for the first level? "auto": where both stores digest
        them and the key is not one integer column (there the grid wins: its cells are key
        ranges, so lower levels and row listings are index range scans, not scans)."""
        if self.t.first_level in ("grid", "ranges") or not bucketdiff.supported(self.asis, self.tobe):
            return False
        if self.t.first_level == "hash":
            return True
        self.bounds = self.integer_bounds()
        return self.bounds[0] is None or self.bounds[1] is None

    def integer_bounds(self) -> tuple[Any, Any]:
        """Both sides' integer key bounds, or (None, None) where an engine has no integer grid."""
        if not self.grid:
            return None, None
        a, b = cast(IntegerGrid, self.asis), cast(IntegerGrid, self.tobe)
        return both(a.integer_bounds, b.integer_bounds)

    # -- the first level ---------------------------------------------------------------------

    def part_bounds(self, n: int) -> list[tuple[int, int]]:
        """The first level's n ranges cut into parts digested one after the other: while the
        warehouse digests part j+1, part j's differences are listed (their queries are small),
        so only the last part's remain once the scan is done. Sizes fall (weights k, k-1, .., 1)
        so that last part, and what is left to do after the scan, is small."""
        k = max(1, min(self.t.first_level_parts, n))
        weights = list(range(k, 0, -1))
        total = sum(weights)
        bounds, start, acc = [], 0, 0
        for w in weights:
            acc += w
            end = n * acc // total
            if end > start:
                bounds.append((start, end))
                start = end
        return bounds

    def _differing(self, pairs: Iterator[tuple[Any, Digest, Digest]],
                   make: Callable[[Any], KeyRange]) -> tuple[list[KeyRange], list[Digest], list[Digest]]:
        """Only the ranges whose digests differ (ranges are built for those only: the first
        level has thousands of equal ones); the row totals are counted here."""
        ranges, da, db = [], [], []
        for ident, x, y in pairs:
            self.rows[0] += x.rows
            self.rows[1] += y.rows
            if x.rows != y.rows or x.checksum != y.checksum:
                ranges.append(make(ident))
                da.append(x)
                db.append(y)
        return ranges, da, db

    def _differing_cells(self, ga: dict[int, tuple[int, int]], gb: dict[int, tuple[int, int]],
                         make: Callable[[int], KeyRange]) -> tuple[list[KeyRange], list[Digest], list[Digest]]:
        """_differing for a grid's (rows, checksum) cells (tens of thousands of them, mostly
        equal): only the differing ones become KeyRanges and Digests."""
        self.rows[0] += sum(map(itemgetter(0), ga.values()))
        self.rows[1] += sum(map(itemgetter(0), gb.values()))
        ranges, da, db = [], [], []
        for i, x, y in differing(ga, gb):
            ranges.append(make(i))
            da.append(Digest(x[0], x[1]))
            db.append(Digest(y[0], y[1]))
        return ranges, da, db

    def first_level(self) -> Iterator[tuple[list[KeyRange], list[Digest], list[Digest], int]]:
        """The first level in parts: (differing ranges, their digests on each side, how many
        ranges the part compared), part by part."""
        ba, bb = self.bounds if self.bounds is not None else self.integer_bounds()
        if ba is not None and bb is not None and self.t.first_level in ("auto", "grid"):
            lows = [x for x in (ba[0], bb[0]) if x is not None]
            highs = [x for x in (ba[1], bb[1]) if x is not None]
            if not lows:
                yield [], [], [], 1
                return
            lo, hi = int(min(lows)), int(max(highs))
            span = hi - lo + 1
            width = max(1, -(-span // self.t.target_segments))
            n = -(-span // width)
            parts = self.part_bounds(n)
            self.stats["strategy"] = f"integer grid: {n:,} ranges of {width:,} keys" + (
                f", digested in {len(parts)} parts" if len(parts) > 1 else "")
            self.stats["segments"] += n

            def cell(i: int) -> KeyRange:
                return KeyRange(None if i < 0 else (lo + i * width,), None if i >= n else (lo + (i + 1) * width,))

            for a, b in parts:
                ga, gb = both(lambda a=a, b=b: cast(IntegerGrid, self.asis).grid_digests(lo, width, n, (a, b)),
                              lambda a=a, b=b: cast(IntegerGrid, self.tobe).grid_digests(lo, width, n, (a, b)))
                yield (*self._differing_cells(ga, gb, cell), b - a)
            return
        cuts = self.asis.cut_points(self.t.target_segments)
        ranges = _ranges_from_cuts(None, None, cuts)
        self.stats["strategy"] = f"key ranges: {len(ranges):,} (quantiles or regions of AS-IS)"
        self.stats["segments"] += len(ranges)
        # A store that streams rows digests all its regions at once, in parallel: one part.
        parts = [(0, len(ranges))] if self.streams else self.part_bounds(len(ranges))
        for a, b in parts:
            sub = ranges[a:b]
            da, db = both(lambda sub=sub: self.asis.digests(sub), lambda sub=sub: self.tobe.digests(sub))
            yield (*self._differing(zip(sub, da, db, strict=True), lambda r: r), b - a)

    # -- duplicates ----------------------------------------------------------------------------

    def duplicates(self) -> None:
        (ta, la), (tb, lb) = both(lambda: self.asis.duplicates(MAX_LISTED), lambda: self.tobe.duplicates(MAX_LISTED))
        counts: dict[str, list[int]] = {}
        for side, listed in ((0, la), (1, lb)):
            for key, n in listed:
                counts.setdefault(self.asis.key_text(key), [1, 1])[side] = n
        for text, (na, nb) in sorted(counts.items()):
            self.known_duplicates.add(text)
            self.result.add_duplicate(Duplicate(text, na, nb))
        self.result.n_duplicates += max(0, ta - len(la)) + max(0, tb - len(lb))

    # -- one side empty in a range: count, list the first keys ---------------------------------

    def one_sided(self, rng: KeyRange, backend: RangeDigests, rows: int, missing: bool) -> None:
        listed = len(self.result.missing if missing else self.result.extra)
        room = MAX_LISTED - listed
        got = backend.rows([rng], limit=room) if room > 0 else []
        add = self.result.add_missing if missing else self.result.add_extra
        for row in got:
            add(backend.key_text(row.key))
        unlisted = max(0, rows - len(got))
        if missing:
            self.result.n_missing += unlisted
        else:
            self.result.n_extra += unlisted

    # -- row level -----------------------------------------------------------------------------

    def match(self, ka: list[tuple[Any, int]], kb: list[tuple[Any, int]]) -> None:
        """The differences of both sides' (key, hash) pairs of the same ranges (or buckets)."""
        self.stats["rows_fetched"] += len(ka) + len(kb)
        differ: list[Any] = []
        ha, hb = dict(ka), dict(kb)
        if len(ha) == len(ka) and len(hb) == len(kb):
            # No key twice (the usual case): compare the hashes by key, no object per row.
            key_text = self.asis.key_text
            for key, h in ha.items():
                other = hb.get(key)
                if other is None:
                    self.result.add_missing(key_text(key))
                elif other != h:
                    differ.append(key)
            for key in hb.keys() - ha.keys():
                self.result.add_extra(key_text(key))
        else:  # duplicated keys: the general matcher reports them
            diff_rows(self.result, [Row(k, h, {}) for k, h in ka], [Row(k, h, {}) for k, h in kb],
                      self.asis.key_text, use_hash=True, known_duplicates=self.known_duplicates, deferred=differ)
        if differ:
            fa, fb = both(lambda: self.asis.fetch(differ), lambda: self.tobe.fetch(differ))
            before = self.result.n_changed
            diff_rows(self.result, fa, fb, self.asis.key_text, use_hash=False,
                      known_duplicates=self.known_duplicates)
            self.stats["hash_only_changes"] = self.stats.get("hash_only_changes", 0) + (
                len(differ) - (self.result.n_changed - before))

    def row_level(self, ranges: list[tuple[KeyRange, int]]) -> None:
        for batch in by_rows(ranges, self.t.rows_per_fetch):
            # Keys and hashes first; values only of the rows whose hashes differ (few, by design).
            ka, kb = both(lambda b=batch: self.asis.key_hashes(b), lambda b=batch: self.tobe.key_hashes(b))
            self.match(ka, kb)

    # -- streaming merge (stores that ship every row anyway) ----------------------------------

    def stream_ranges(self, ranges: list[KeyRange]) -> None:
        lock = threading.Lock()

        def one(rng: KeyRange) -> None:
            local = CompareResult(self.result.table, "full")
            with Prefetch(cast(RowStream, self.asis).stream(rng)) as ra, Prefetch(cast(RowStream, self.tobe).stream(rng)) as rb:
                n_a, n_b = merge_sorted(local, ra, rb, self.asis.key_text)
            with lock:
                self.result.merge(local)
                self.stats["rows_fetched"] += n_a + n_b

        if ranges:
            with ThreadPoolExecutor(max_workers=min(STREAM_WORKERS, len(ranges)), thread_name_prefix="compare-merge") as ex:
                list(ex.map(one, ranges))

    # -- splitting -----------------------------------------------------------------------------

    def parts(self, rows: int) -> int:
        """Sub-ranges of a differing range: enough to reach row level in one more step when the
        keys are even (one pass over the range whatever the number), at least split_factor."""
        wanted = -(-rows // self.t.row_level_threshold)
        return max(self.t.split_factor, min(MAX_SPLIT, wanted))

    def split(self, rng: KeyRange, da: Digest, db: Digest) -> list[KeyRange] | None:
        firsts = [x for x in (da.first, db.first) if x is not None]
        lasts = [x for x in (da.last, db.last) if x is not None]
        cuts = self.asis.integer_split(rng, min(firsts) if firsts else None, max(lasts) if lasts else None,
                                       self.parts(max(da.rows, db.rows)))
        if cuts is None:
            src, digest = (self.asis, da) if da.rows >= db.rows else (self.tobe, db)
            parts = self.parts(digest.rows)
            if digest.cuts:  # keys the digest saw on its way: no query needed
                step = max(1, len(digest.cuts) // parts)
                cuts = list(digest.cuts[step - 1::step])
            else:
                cuts = src.quantiles(rng, digest.rows, parts)
        if not cuts:
            return None  # one key repeated: nothing to split
        return _ranges_from_cuts(rng.lo, rng.hi, cuts)

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> CompareResult:
        """Duplicates alongside the first level (other connections); each part of the first
        level is descended into (in one worker, in order) while the next part is digested."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="compare-dups") as ex, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="compare-descend") as tail:
            dups = ex.submit(self.duplicates)
            pending: list[Future] = []

            def descend_part(ranges: list[KeyRange], da: list[Digest], db: list[Digest], compared: int) -> None:
                dups.result()  # the duplicated keys must be known to tell them from changes
                self.descend(ranges, da, db, 1, compared=compared)

            try:
                bucketed = self.use_buckets()
                if bucketed:  # the whole compare, in this thread (its levels are scans, one at a time)
                    bucketdiff.BucketCompare(self, dups).compare()
                for ranges, da, db, compared in ([] if bucketed else self.first_level()):
                    for done in [f for f in pending if f.done()]:
                        done.result()  # a failure stops the compare now, not after the scan
                    pending.append(tail.submit(descend_part, ranges, da, db, compared))
            except BaseException:
                for f in pending:
                    f.cancel()  # parts not started yet; the running one ends before the pool closes
                raise
            dups.result()
            for f in pending:
                f.result()
        self.result.rows_asis, self.result.rows_tobe = self.rows
        return self.result

    def descend(self, ranges: list[KeyRange], da: list[Digest], db: list[Digest], level: int,
                compared: int | None = None) -> None:
        """Compare one level's digests; list rows of small differing ranges; split the others and
        descend into them, at most MAX_RANGES_PER_LEVEL ranges at a time (depth first), so memory
        stays bounded even when every range differs."""
        self.stats["levels"] = max(self.stats["levels"], level)
        to_rows: list[tuple[KeyRange, int]] = []
        to_split: list[tuple[KeyRange, Digest, Digest]] = []
        to_stream: list[KeyRange] = []
        for rng, x, y in zip(ranges, da, db, strict=True):
            if x.same(y):
                continue
            if x.rows == 0:
                self.one_sided(rng, self.tobe, y.rows, missing=False)
            elif y.rows == 0:
                self.one_sided(rng, self.asis, x.rows, missing=True)
            elif self.streams:
                to_stream.extend(narrow(rng, x, y))
            elif max(x.rows, y.rows) <= self.t.row_level_threshold or level >= self.t.max_levels:
                to_rows.append((rng, max(x.rows, y.rows)))
            else:
                to_split.append((rng, x, y))
        differ = len(to_rows) + len(to_split) + len(to_stream)
        self.progress(f"level {level}: {len(ranges) if compared is None else compared:,} ranges, {differ:,} differ")
        self.stats["row_ranges"] += len(to_rows) + len(to_stream)
        self.row_level(to_rows)
        self.stream_ranges(to_stream)
        chunk: list[KeyRange] = []

        def flush() -> None:
            if chunk:
                sub = list(chunk)
                chunk.clear()
                sa, sb = both(lambda: self.asis.digests(sub), lambda: self.tobe.digests(sub))
                self.stats["segments"] += len(sub)
                self.descend(sub, sa, sb, level + 1)

        for rng, x, y in to_split:
            parts = self.split(rng, x, y)
            if parts is None:
                self.stats["row_ranges"] += 1
                self.row_level([(rng, max(x.rows, y.rows))])
                continue
            chunk.extend(parts)
            if len(chunk) >= MAX_RANGES_PER_LEVEL:
                flush()
        flush()


def full_compare(table_id: str, asis: RangeDigests, tobe: RangeDigests, *, tuning: Tuning | None = None,
                 progress: Progress | None = None) -> CompareResult:
    """Every missing, extra, changed and duplicated row of the table (counts exact; lists cut at
    MAX_LISTED). A table or column missing on one side is a finding, not an exception."""
    t0 = time.perf_counter()
    run = _FullCompare(table_id, asis, tobe, tuning or Tuning(), progress)
    result = run.result
    result.findings = table_findings(asis, tobe)
    if not result.findings:
        try:
            run.run()
        except MissingTable as e:
            result.findings.append(Finding("both", str(e)))
    result.stats = run.stats
    result.sort()
    result.seconds = time.perf_counter() - t0
    return result
