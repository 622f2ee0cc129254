"""Count: rows on both sides at once (HBase: region-parallel key-only scans; warehouse: COUNT(*))."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from features.validation.backend import Backend, MissingTable
from features.validation.model import CountResult, Finding
from features.validation.tables import missing_on_both_sides


def count_table(table_id: str, asis: Backend, tobe: Backend) -> CountResult:
    t0 = time.perf_counter()

    def side(b: Backend) -> tuple[int | None, float, str | None]:
        s0 = time.perf_counter()
        try:
            return b.count(), time.perf_counter() - s0, None
        except MissingTable as e:
            return None, time.perf_counter() - s0, str(e)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="count-side") as ex:
        fa, fb = ex.submit(side, asis), ex.submit(side, tobe)
        (na, sa, ea), (nb, sb, eb) = fa.result(), fb.result()
    if ea and eb:
        raise missing_on_both_sides(asis, tobe)
    findings = [Finding(s, e) for s, e in (("as-is", ea), ("to-be", eb)) if e]
    return CountResult(table_id, na, nb, sa, sb, time.perf_counter() - t0, findings)
