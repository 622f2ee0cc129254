"""Checks before a compare: both tables exist. A table missing on one side is a finding (the sides
differ); missing on both, the check could not run at all: an error, not a mismatch (most likely
a wrong name in app.yaml), so no mismatch alert is opened for it."""

from __future__ import annotations

from features.validation.backend import Backend
from features.validation.both import both
from features.validation.model import Finding


class MissingOnBothSides(Exception):
    """Neither side has the table: nothing was compared."""


def missing_on_both_sides(asis: Backend, tobe: Backend) -> MissingOnBothSides:
    return MissingOnBothSides(f"the table is missing on both sides ({asis.where}; {tobe.where});"
                              " check its name in app.yaml `tables:`")


def table_findings(asis: Backend, tobe: Backend) -> list[Finding]:
    ea, eb = both(asis.exists, tobe.exists)
    if not ea and not eb:
        raise missing_on_both_sides(asis, tobe)
    if not ea:
        return [Finding("as-is", f"the table is missing on AS-IS: {asis.where}")]
    if not eb:
        return [Finding("to-be", f"the table is missing on TO-BE: {tobe.where}")]
    return []
