"""The cutover's tables: the migrations features/cutover/feature.py declares."""

from __future__ import annotations

import sqlite_utils


def migrate(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        -- A request freezes a plan (the step, its gate results, the config version) under a hash;
        -- approvals count only for that hash. A rejection closes it with a reason.
        CREATE TABLE cutover_requests (
            id TEXT PRIMARY KEY,               -- <step id>#<seq>
            step_id TEXT NOT NULL,
            seq INTEGER NOT NULL,              -- 1, 2, ... per step (a new request after a void or rejection)
            plan_hash TEXT NOT NULL,
            plan TEXT NOT NULL,                -- JSON of the frozen plan
            requested_by TEXT NOT NULL, team_id TEXT, enterprise_id TEXT,
            requested_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open', -- open, approved, rejected, void
            closed_at TEXT,
            closed_by TEXT, closed_team_id TEXT, closed_enterprise_id TEXT,
            reason TEXT,                       -- the rejection's reason, or why the plan was voided
            UNIQUE (step_id, seq)
        );
        CREATE TABLE cutover_approvals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            request_id TEXT NOT NULL REFERENCES cutover_requests (id),
            plan_hash TEXT NOT NULL,
            user_id TEXT NOT NULL, team_id TEXT, enterprise_id TEXT,
            approved_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'live'  -- live, expired, void (the plan changed), used (quorum met)
        );
        -- One live approval per person and request: a double click counts once.
        CREATE UNIQUE INDEX cutover_approvals_once ON cutover_approvals (request_id, user_id)
            WHERE state IN ('live', 'used');
        -- The outcome of each step's action: approved (about to start), running, done, failed.
        CREATE TABLE cutover_steps (
            step_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            request_id TEXT NOT NULL,
            plan_hash TEXT NOT NULL,
            run_id TEXT,                       -- the cutover-step run in `runs`
            target_run_id TEXT,                -- the transfer or validation run it started
            started_by TEXT, team_id TEXT, enterprise_id TEXT,
            updated_at TEXT NOT NULL,
            error TEXT
        );
        CREATE TABLE cutover_meta (
            key TEXT PRIMARY KEY,              -- card_digest, card_posted
            value TEXT NOT NULL
        );
        """
    )


MIGRATIONS = (("cutover.v1", migrate),)
