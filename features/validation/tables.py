"""Checks before a compare: both tables exist (a table missing on one side is a finding)."""

from __future__ import annotations

from features.validation.backend import Backend
from features.validation.both import both
from features.validation.model import Finding


def table_findings(asis: Backend, tobe: Backend) -> list[Finding]:
    ea, eb = both(asis.exists, tobe.exists)
    if not ea and not eb:
        return [Finding("both", f"the table is missing on both sides ({asis.where}; {tobe.where})")]
    if not ea:
        return [Finding("as-is", f"the table is missing on AS-IS: {asis.where}")]
    if not eb:
        return [Finding("to-be", f"the table is missing on TO-BE: {tobe.where}")]
    return []
