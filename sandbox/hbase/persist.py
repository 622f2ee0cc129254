"""Keep the sandbox's HBase tables in a file, so a restarted sandbox finds them again.

The file is a pickle of built-in types only (bytes, str, int, bool, dict, list, tuple), read back
with an unpickler that refuses every class: loading a tampered file cannot run code.
Writes go to a temporary file renamed over the old one, so a crash mid-save keeps the old copy.
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

from sandbox.hbase.store import Table

FORMAT_VERSION = 1


class _BuiltinsOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> None:  # type: ignore[override]
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from an HBase sandbox data file")


def save_tables(path: str | os.PathLike[str], tables: dict[bytes, Table]) -> None:
    snapshot = []
    for table in list(tables.values()):
        with table.lock:
            snapshot.append(
                {
                    "name": table.name,
                    "families": {k: dict(v) for k, v in table.families.items()},
                    "split_points": list(table.split_points),
                    "enabled": table.enabled,
                    "region_id": table.region_id,
                    "base_ts": table.base_ts,
                    # rows in key order; each row dict copied under the lock (cells are tuples,
                    # immutable), so a write during the save cannot break the pickling
                    "rows": [(key, dict(table.rows[key])) for key in table.sorted_keys()],
                }
            )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump({"format": FORMAT_VERSION, "tables": snapshot}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def load_tables(path: str | os.PathLike[str]) -> dict[bytes, Table]:
    data = _BuiltinsOnly(io.BytesIO(Path(path).read_bytes())).load()
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path} is not an HBase sandbox data file (format {FORMAT_VERSION})")
    tables: dict[bytes, Table] = {}
    for t in data["tables"]:
        table = Table(
            name=t["name"],
            families=t["families"],
            split_points=t["split_points"],
            enabled=t["enabled"],
            region_id=t["region_id"],
            base_ts=t.get("base_ts", 0),
            rows=dict(t["rows"]),
        )
        tables[table.name] = table
    return tables
