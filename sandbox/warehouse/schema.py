"""The Redshift-style tables of the sandbox warehouse (the same in ``asis`` and ``tobe``).

Only types Redshift also has (BIGINT, INTEGER, SMALLINT, DECIMAL, VARCHAR, DATE, TIMESTAMP,
TIMESTAMPTZ, BOOLEAN, DOUBLE PRECISION). Primary keys are declared as Redshift allows them
(informational there, enforced here); no DISTKEY/SORTKEY, which PostgreSQL would reject.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxTable:
    """A seeded table: its name, key columns, and the other columns worth comparing."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    ddl: str


SCHEMAS: tuple[str, ...] = ("sales", "analytics")

EVENTS = SandboxTable(
    "public.events",
    ("event_id",),
    ("user_id", "event_type", "amount", "created_at", "payload"),
    """CREATE TABLE public.events (
    event_id    BIGINT        NOT NULL PRIMARY KEY,
    user_id     BIGINT        NOT NULL,
    event_type  VARCHAR(32)   NOT NULL,
    amount      DECIMAL(12,2),
    created_at  TIMESTAMP     NOT NULL,
    payload     VARCHAR(1024)
)""",
)

CUSTOMERS = SandboxTable(
    "public.customers",
    ("region", "customer_no"),
    ("name", "email", "signup_date", "is_active", "credit_limit"),
    """CREATE TABLE public.customers (
    region        VARCHAR(8)    NOT NULL,
    customer_no   INTEGER       NOT NULL,
    name          VARCHAR(256)  NOT NULL,
    email         VARCHAR(256),
    signup_date   DATE          NOT NULL,
    is_active     BOOLEAN       NOT NULL,
    credit_limit  DECIMAL(10,2),
    PRIMARY KEY (region, customer_no)
)""",
)

ORDERS_SUMMARY = SandboxTable(
    "sales.orders_summary",
    ("order_id",),
    ("region", "customer_no", "order_date", "items", "total", "status", "updated_at"),
    """CREATE TABLE sales.orders_summary (
    order_id     VARCHAR(20)    NOT NULL PRIMARY KEY,
    region       VARCHAR(8)     NOT NULL,
    customer_no  INTEGER        NOT NULL,
    order_date   DATE           NOT NULL,
    items        SMALLINT       NOT NULL,
    total        DECIMAL(14,2)  NOT NULL,
    status       VARCHAR(16)    NOT NULL,
    updated_at   TIMESTAMPTZ    NOT NULL
)""",
)

DAILY_REVENUE = SandboxTable(
    "analytics.daily_revenue",
    ("day", "region"),
    ("orders", "revenue", "avg_order"),
    """CREATE TABLE analytics.daily_revenue (
    day        DATE           NOT NULL,
    region     VARCHAR(8)     NOT NULL,
    orders     INTEGER        NOT NULL,
    revenue    DECIMAL(18,2)  NOT NULL,
    avg_order  DOUBLE PRECISION,
    PRIMARY KEY (day, region)
)""",
)

SESSIONS = SandboxTable(
    "public.sessions",
    ("session_id",),
    ("user_id", "device", "started_at", "note"),
    """CREATE TABLE public.sessions (
    session_id  VARCHAR(40)   NOT NULL PRIMARY KEY,
    user_id     BIGINT        NOT NULL,
    device      VARCHAR(16)   NOT NULL,
    started_at  TIMESTAMP     NOT NULL,
    note        VARCHAR(128)
)""",
)

#: Every seeded table, by name.
TABLES: dict[str, SandboxTable] = {t.name: t for t in (EVENTS, CUSTOMERS, ORDERS_SUMMARY, DAILY_REVENUE, SESSIONS)}


def create_statements() -> list[str]:
    """DDL that (re)creates every schema and table, dropping old ones first."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {s}" for s in SCHEMAS]
    statements += [f"DROP TABLE IF EXISTS {t.name}" for t in TABLES.values()]
    statements += [t.ddl for t in TABLES.values()]
    return statements
