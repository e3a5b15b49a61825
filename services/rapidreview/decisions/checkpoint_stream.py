"""Where the audit checkpoints live: their own JetStream stream, outside the decisions
database, protected against deletion and purging (a removed checkpoint would let a rewritten
trail pass) and kept 400 days. Only the latest checkpoint is needed to verify, and one is made
at least weekly; operators export them (`rapidreview audit export`) for longer keeping."""

from __future__ import annotations

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

CHECKPOINT_STREAM = "RR_AUDIT_CHECKPOINTS"
#: The signed checkpoint (one message per checkpoint).
CHECKPOINT_SUBJECT = "rr.audit.checkpoint"
#: The chain heads it covers, in parts: rr.audit.heads.<checkpoint id>.<part>.
HEADS_PREFIX = "rr.audit.heads"


def checkpoint_stream_config(replicas: int = 1) -> StreamConfig:
    """RR_AUDIT_CHECKPOINTS: every checkpoint and its heads, 400 days, no delete, no purge."""
    return StreamConfig(
        name=CHECKPOINT_STREAM,
        subjects=[CHECKPOINT_SUBJECT, f"{HEADS_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=400 * 24 * 3600,
        num_replicas=replicas,
        discard=DiscardPolicy.NEW,
        duplicate_window=3600,
        max_msg_size=1024 * 1024,
        deny_delete=True,
        deny_purge=True,
    )
