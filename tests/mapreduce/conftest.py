"""A seeded HBase pair with its Hadoop side (SSH gateways, YARN stand-ins) and a Ferry config
pointing at all of it, for the MapReduce validation tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from commands.context import Services
from features.registry import load_config, open_store
from sandbox.mapreduce.pair import MapReducePair
from tests.fixtures.slack import BASE_CONFIG


@dataclass
class MREnv:
    tmp: Path
    seeded: object  # tests.fixtures.hbase.SeededHBase
    pair: MapReducePair

    def estates_yaml(self, **gateway_overrides: object) -> str:
        out = ["estates:"]
        for estate, hbase in (("as-is", self.seeded.asis), ("to-be", self.seeded.tobe)):
            s = self.pair.settings(estate)
            gw = {**s["gateway"], **gateway_overrides}
            items = ", ".join(f"{k}: '{v}'" if isinstance(v, str) else f"{k}: {v}" for k, v in gw.items())
            out += [f"  {estate}:", f"    hbase: {{host: '{hbase.host}', port: {hbase.port}, timeout: 5}}",
                    f"    gateway: {{{items}}}", f"    yarn: {{url: '{s['yarn']['url']}'}}"]
        return "\n".join(out) + "\n"

    def write_config(self, *, engine: str = "mapreduce", name: str = "app.yaml", **gateway_overrides: object) -> Path:
        head = BASE_CONFIG.split("estates:")[0]
        text = head + self.estates_yaml(**gateway_overrides) + f"""
mapreduce:
  poll_every: 0.1s
  hashtable_batch_size: 4KB
tables:
  - id: orders
    as-is: {{hbase: orders}}
    to-be: {{hbase: orders}}
    engine: {engine}
  - id: customers
    as-is: {{hbase: customers}}
    to-be: {{hbase: customers}}
"""
        path = self.tmp / name
        path.write_text(text)
        return path

    def services(self, **kw: object) -> Services:
        cfg = load_config(str(self.write_config(**kw)))
        return Services(config=cfg, store=open_store(cfg.state.path))


@pytest.fixture
def mr_env(tmp_path, hbase_seeded_factory) -> Iterator[MREnv]:
    seeded = hbase_seeded_factory(rows=3_000, regions=4)
    pair = MapReducePair(seeded.asis, seeded.tobe, tmp_path / "mr", rows_per_second=20_000, min_seconds=0.5).start()
    try:
        yield MREnv(tmp_path, seeded, pair)
    finally:
        pair.stop()
