"""What HBase's MapReduce tools compute, over the HBase stand-in's tables (no Thrift: the jobs run
"on the cluster", beside the data, as the real ones do).

- RowCounter: rows of a table (optionally a key range), the `ROWS` counter.
- HashTable: the table cut into batches of about `batchsize` bytes, each batch's start key and an
  MD5 over its cells (row, family, qualifier, timestamp, value), written to an output folder of
  the sandbox's HDFS: `manifest` (JSON), `partitions` and `hashes` (hex start key, hex hash).
- SyncTable --dryrun: re-hashes the target table over the source's batch boundaries; per batch
  whose hash differs, compares the rows and counts what a sync would fix. It logs each differing
  batch as the real SyncMapper does at DEBUG ("Hash mismatch.  Key range: <hex> to <hex> ...").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.hbase.store import Table

ROWCOUNTER_GROUP = "org.apache.hadoop.hbase.mapreduce.RowCounter$RowCounterMapper$Counters"
TASK_GROUP = "org.apache.hadoop.mapreduce.TaskCounter"  # MAP_INPUT_RECORDS: rows a TableInputFormat job read
SYNCTABLE_GROUP = "org.apache.hadoop.hbase.mapreduce.SyncTable$SyncMapper$Counter"
SYNC_COUNTERS = ("BATCHES", "HASHES_MATCHED", "HASHES_NOT_MATCHED", "SOURCEMISSINGROWS", "SOURCEMISSINGCELLS",
                 "TARGETMISSINGROWS", "TARGETMISSINGCELLS", "ROWSWITHDIFFS", "DIFFERENTCELLVALUES",
                 "MATCHINGROWS", "MATCHINGCELLS", "EMPTY_BATCHES", "RANGESMATCHED", "RANGESNOTMATCHED")
DEFAULT_BATCH_SIZE = 8_000  # HashTable's default --batchsize (bytes)


class ToolError(Exception):
    """The tool refuses before it submits a job (bad arguments, missing table): exit code 1 or 2."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Outcome:
    """A finished job: counters by group, the number of rows it read (its duration follows), log lines
    its tasks wrote (aggregated logs), and output files to write."""

    counters: dict[str, dict[str, int]]
    rows_read: int
    task_log: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path in the cluster's HDFS -> text


def _cells(table: Table, key: bytes, families: set[bytes] | None) -> list[tuple[bytes, bytes, int]]:
    row = table.rows.get(key) or {}
    out = []
    for column in sorted(row):
        if families is not None and column.split(b":", 1)[0] not in families:
            continue
        value, ts = table.latest(row[column])
        out.append((column, value, ts))
    return out


def _keys(table: Table, start: bytes, stop: bytes) -> Iterator[bytes]:
    after = None
    while True:
        batch = table.keys_from(start, stop, after, 10_000)
        if not batch:
            return
        yield from batch
        after = batch[-1]


def row_counter(table: Table, start: bytes = b"", stop: bytes = b"") -> Outcome:
    with table.lock:
        n = sum(1 for _ in _keys(table, start, stop))
    return Outcome({ROWCOUNTER_GROUP: {"ROWS": n}, TASK_GROUP: {"MAP_INPUT_RECORDS": n}}, n)


def _row_bytes(key: bytes, cells: list[tuple[bytes, bytes, int]]) -> int:
    return sum(len(key) + len(c) + len(v) + 8 for c, v, _ in cells)


def _hash_update(h, key: bytes, cells: list[tuple[bytes, bytes, int]]) -> None:
    h.update(key)
    for column, value, ts in cells:
        fam, _, qual = column.partition(b":")
        h.update(fam)
        h.update(qual)
        h.update(ts.to_bytes(8, "big"))
        h.update(value)


def hash_table(table: Table, out_dir: Path, *, batch_size: int = DEFAULT_BATCH_SIZE, start: bytes = b"",
               stop: bytes = b"", families: set[bytes] | None = None) -> Outcome:
    """Batches of about `batch_size` bytes: [(start key, md5 hex)], written under `out_dir`."""
    batches: list[tuple[bytes, str]] = []
    h = None
    size = rows = 0
    with table.lock:
        for key in _keys(table, start, stop):
            cells = _cells(table, key, families)
            if h is None or size >= batch_size:
                if h is not None:
                    batches[-1] = (batches[-1][0], h.hexdigest())
                h = hashlib.md5()
                batches.append((key, ""))
                size = 0
            _hash_update(h, key, cells)
            size += _row_bytes(key, cells)
            rows += 1
    if h is not None:
        batches[-1] = (batches[-1][0], h.hexdigest())
    manifest = {"table": table.name.decode(), "targetBatchSize": batch_size, "numHashFiles": 1,
                "startRowHex": start.hex(), "stopRowHex": stop.hex(), "scanBatch": 0, "versions": 1,
                "families": sorted(f.decode() for f in families) if families else None}
    files = {str(out_dir / "manifest"): json.dumps(manifest),
             str(out_dir / "partitions"): "\n".join(k.hex() for k, _ in batches[1:]),
             str(out_dir / "hashes" / "part-r-00000"): "\n".join(f"{k.hex()}\t{v}" for k, v in batches)}
    return Outcome({TASK_GROUP: {"MAP_INPUT_RECORDS": rows}}, rows, files=files)


def read_hashes(out_dir: Path) -> tuple[dict, list[tuple[bytes, str]]]:
    try:
        manifest = json.loads((out_dir / "manifest").read_text())
        lines = (out_dir / "hashes" / "part-r-00000").read_text().splitlines()
    except (OSError, ValueError) as e:
        raise ToolError(f"java.io.FileNotFoundException: {out_dir}/manifest: no HashTable output there ({e})") from None
    batches = []
    for line in lines:
        k, _, v = line.partition("\t")
        batches.append((bytes.fromhex(k), v))
    return manifest, batches


def sync_table(source: Table, target: Table, manifest: dict, batches: list[tuple[bytes, str]]) -> Outcome:
    """Compare `target` with the source hashes (and, in a differing batch, with the source rows).
    Only a dry run: the sandbox never writes to the target (the gateway refuses --dryrun=false)."""
    c = dict.fromkeys(SYNC_COUNTERS, 0)
    log: list[str] = []
    families = {f.encode() for f in manifest["families"]} if manifest.get("families") else None
    stop_all = bytes.fromhex(manifest.get("stopRowHex") or "")
    rows_read = 0
    with source.lock, target.lock:
        for i, (lo, source_hash) in enumerate(batches):
            hi = batches[i + 1][0] if i + 1 < len(batches) else stop_all
            c["BATCHES"] += 1
            h = hashlib.md5()
            keys = list(_keys(target, lo, hi))
            rows_read += len(keys)
            for key in keys:
                _hash_update(h, key, _cells(target, key, families))
            if not keys:
                c["EMPTY_BATCHES"] += 1
            if h.hexdigest() == source_hash:
                c["HASHES_MATCHED"] += 1
                continue
            c["HASHES_NOT_MATCHED"] += 1
            log.append(f"DEBUG [main] org.apache.hadoop.hbase.mapreduce.SyncTable$SyncMapper: Hash mismatch.  "
                       f"Key range: {lo.hex()} to {hi.hex()} sourceHash: {source_hash} targetHash: {h.hexdigest()}")
            _sync_range(source, target, lo, hi, families, c)
    return Outcome({SYNCTABLE_GROUP: c, TASK_GROUP: {"MAP_INPUT_RECORDS": rows_read}}, rows_read, task_log=log)


def _sync_range(source: Table, target: Table, lo: bytes, hi: bytes, families: set[bytes] | None,
                c: dict[str, int]) -> None:
    """SyncMapper.syncRange: row by row, cell by cell, what differs."""
    src = {k: _cells(source, k, families) for k in _keys(source, lo, hi)}
    tgt = {k: _cells(target, k, families) for k in _keys(target, lo, hi)}
    matched = True
    for key in sorted(set(src) | set(tgt)):
        a, b = src.get(key), tgt.get(key)
        if b is None:
            c["TARGETMISSINGROWS"] += 1
            c["TARGETMISSINGCELLS"] += len(a)
            matched = False
            continue
        if a is None:
            c["SOURCEMISSINGROWS"] += 1
            c["SOURCEMISSINGCELLS"] += len(b)
            matched = False
            continue
        da, db = {col: (v, ts) for col, v, ts in a}, {col: (v, ts) for col, v, ts in b}
        diff = False
        for col in sorted(set(da) | set(db)):
            if col not in db:
                c["TARGETMISSINGCELLS"] += 1
                diff = True
            elif col not in da:
                c["SOURCEMISSINGCELLS"] += 1
                diff = True
            elif da[col] != db[col]:
                c["DIFFERENTCELLVALUES"] += 1
                diff = True
            else:
                c["MATCHINGCELLS"] += 1
        if diff:
            c["ROWSWITHDIFFS"] += 1
            matched = False
        else:
            c["MATCHINGROWS"] += 1
    c["RANGESMATCHED" if matched else "RANGESNOTMATCHED"] += 1
