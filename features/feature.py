"""What a feature hands the rest of Ferry: its tables, what it re-arms at start-up, its part of
`/migrate status`, and what it does when a transfer ends. features/registry.py lists them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.status import StatusPart
from state.schema import Migration

if TYPE_CHECKING:
    from features.services import Services
    from state.runs import Run


@dataclass(frozen=True)
class Feature:
    name: str
    migrations: tuple[Migration, ...] = ()
    on_start: Callable[[Services], None] | None = None  # re-arm what a restart must resume
    status_part: Callable[[Services], StatusPart | None] | None = None
    after_transfer: Callable[[Services, Run], None] | None = None  # once per transfer run that ends done
