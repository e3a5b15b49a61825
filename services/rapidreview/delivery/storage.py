"""The delivery record, in the owning service's schema (the criteria service).

`delivery_tables(metadata)` adds the table to that service's MetaData; its
Alembic revision creates it with `create_delivery_tables(op)` (or autogenerate
picks it up from the MetaData).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, func

TABLE = "summary_deliveries"


@dataclass(frozen=True)
class DeliveryTables:
    deliveries: Table


def delivery_tables(metadata: MetaData) -> DeliveryTables:
    """Defines (once) the delivery table in `metadata` and returns it.

    One row per summary.ready event that was handled: `status` is `sent`
    (with the message id, attempts and the SHA-256 of what was attached),
    `failed` (a permanent SMTP failure, e.g. credentials refused: fix the
    configuration and redeliver) or `skipped` (no recipients configured for the
    partnership, or already delivered for this evaluation and format)."""
    key = f"{metadata.schema}.{TABLE}" if metadata.schema else TABLE
    if key in metadata.tables:
        return DeliveryTables(metadata.tables[key])
    table = Table(
        TABLE,
        metadata,
        Column("delivery_id", String(36), primary_key=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("case_id", String(36), nullable=False, index=True),
        Column("evaluation_id", String(36), nullable=False),
        Column("partnership", String(64), nullable=False),
        Column("format", Integer, nullable=False),
        Column("mode", String(8), nullable=False),  # attach | link
        Column("status", String(16), nullable=False),  # sent | failed | skipped
        Column("reason", String(200), nullable=False, default=""),
        Column("recipients", Text, nullable=False, default="[]"),  # JSON list of addresses (staff mailboxes)
        Column("refused", Text, nullable=False, default="[]"),  # JSON list of addresses the server refused
        Column("attempts", Integer, nullable=False, default=0),
        Column("message_id", String(255), nullable=False, default=""),
        Column("document_sha256", String(64), nullable=False, default=""),
        Column("event_sha256", String(64), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True), nullable=True),
    )
    return DeliveryTables(table)


def create_delivery_tables(op, schema: str) -> None:  # type: ignore[no-untyped-def]
    """For the owning service's Alembic revision: creates the delivery table in `schema`."""
    from rapidreview.kernel.db import service_metadata

    delivery_tables(service_metadata(schema)).deliveries.create(op.get_bind(), checkfirst=True)


def drop_delivery_tables(op, schema: str) -> None:  # type: ignore[no-untyped-def]
    from rapidreview.kernel.db import service_metadata

    delivery_tables(service_metadata(schema)).deliveries.drop(op.get_bind(), checkfirst=True)
