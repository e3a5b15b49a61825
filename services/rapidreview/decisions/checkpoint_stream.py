"""Where the audit checkpoints live: their own JetStream stream, outside the decisions
database, kept for good and protected against deletion and purging (a removed checkpoint
would let a rewritten trail pass)."""

from __future__ import annotations

from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

CHECKPOINT_STREAM = "RR_AUDIT_CHECKPOINTS"
#: The signed checkpoint (one message per checkpoint).
CHECKPOINT_SUBJECT = "rr.audit.checkpoint"
#: The chain heads it covers, in parts: rr.audit.heads.<checkpoint id>.<part>.
HEADS_PREFIX = "rr.audit.heads"


def checkpoint_stream_config(replicas: int = 1) -> StreamConfig:
    """RR_AUDIT_CHECKPOINTS: every checkpoint and its heads, no expiry, no delete, no purge."""
    return StreamConfig(
        name=CHECKPOINT_STREAM,
        subjects=[CHECKPOINT_SUBJECT, f"{HEADS_PREFIX}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=0,
        num_replicas=replicas,
        discard=DiscardPolicy.NEW,
        duplicate_window=3600,
        max_msg_size=1024 * 1024,
        deny_delete=True,
        deny_purge=True,
    )
