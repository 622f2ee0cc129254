"""Sample compare: a reproducible sample of keys, fetched on both sides in batches, compared
column by column.

The sample is the `size` keys with the smallest MD5(seed:key) over the keys of both sides
(each side returns its own smallest, the union is cut to `size`): the same seed over the same
data picks the same keys, on any engine, and rows extra on TO-BE can be sampled too. The seed
is recorded with the result so anyone can rerun the very same sample.
"""

from __future__ import annotations

import secrets
import time

from features.validation.backend import Backend, MissingTable
from features.validation.both import both
from features.validation.model import CompareResult, Finding
from features.validation.rowdiff import diff_rows
from features.validation.tables import table_findings

#: Keys per multi-get / IN-list batch on each side.
FETCH_BATCH = 500


def new_seed() -> int:
    return secrets.randbelow(2**31)


def sample_compare(table_id: str, asis: Backend, tobe: Backend, size: int, seed: int | None = None) -> CompareResult:
    if size < 1:
        raise ValueError("a sample needs at least one row")
    seed = new_seed() if seed is None else seed
    t0 = time.perf_counter()
    result = CompareResult(table_id, "sample", seed=seed, sample_size=size)
    result.findings = table_findings(asis, tobe)
    if result.findings:
        result.seconds = time.perf_counter() - t0
        return result
    try:
        ka, kb = both(lambda: asis.sample_keys(size, seed), lambda: tobe.sample_keys(size, seed))
    except MissingTable as e:
        result.findings.append(Finding("both", str(e)))
        result.seconds = time.perf_counter() - t0
        return result
    chosen = sorted({*ka, *kb})[:size]  # (hash, key): the union's smallest hashes
    keys = list(dict.fromkeys(k for _, k in chosen))
    for start in range(0, len(keys), FETCH_BATCH):
        batch = keys[start:start + FETCH_BATCH]
        ra, rb = both(lambda b=batch: asis.fetch(b), lambda b=batch: tobe.fetch(b))
        n_a, n_b = diff_rows(result, ra, rb, asis.key_text, use_hash=False)
        result.rows_asis += n_a
        result.rows_tobe += n_b
    result.stats = {"keys": len(keys)}
    result.sort()
    result.seconds = time.perf_counter() - t0
    return result
