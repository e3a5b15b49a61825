"""The tables the kernel needs in every service's schema: outbox, inbox and access log.

A service's storage module calls `add_kernel_tables(metadata)` so that its
Alembic migrations create them alongside its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from rapidreview.kernel.access_log import access_log_table
from rapidreview.kernel.consumer import inbox_table
from rapidreview.kernel.outbox import outbox_table


@dataclass(frozen=True)
class KernelTables:
    outbox: Table
    inbox: Table
    access_log: Table


def add_kernel_tables(metadata: MetaData) -> KernelTables:
    """Adds (once) and returns the kernel's tables in `metadata`'s schema."""
    existing = {t.name: t for t in metadata.tables.values()}
    return KernelTables(
        outbox=existing["outbox"] if "outbox" in existing else outbox_table(metadata),
        inbox=existing["inbox"] if "inbox" in existing else inbox_table(metadata),
        access_log=existing["access_log"] if "access_log" in existing else access_log_table(metadata),
    )
