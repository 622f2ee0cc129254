"""The transfers' part of `/migrate status`: every configured transfer and its latest run."""

from __future__ import annotations

from config.units import human_duration, human_rate
from core.status import STATE_ICONS, StatusPart
from features.services import Services
from features.transfers.backend import RUN_KIND
from features.transfers.card import state_line
from state import runs


def status_part(services: Services) -> StatusPart | None:
    transfers = services.config.transfers
    if not len(transfers):
        return None
    lines, data = [], []
    latest = runs.latest_each(services.store, RUN_KIND, detail_keys=("progress", "stall"))
    for t in transfers:
        run = latest.get(t.id)
        if run is None:
            lines.append(f"• `{t.id}` ({t.kind}) — not started")
            data.append({"transfer": t.id, "state": None})
            continue
        pr = run.detail.get("progress") or {}
        bits = [state_line(run)]
        if pr.get("fraction") is not None:
            bits.append(f"{pr['fraction'] * 100:.0f}%")
        if run.active and pr.get("rate_bps"):
            bits.append(human_rate(pr["rate_bps"]))
        if run.active and pr.get("eta_s") is not None:
            bits.append(f"ETA {human_duration(pr['eta_s'])}")
        lines.append(f"{STATE_ICONS.get(run.state, '•')} `{t.id}` ({t.kind}) — " + " · ".join(bits))
        data.append({"transfer": t.id, "run_id": run.id, "state": run.state, "fraction": pr.get("fraction")})
    return StatusPart("Transfers", lines, {"transfers": data})
