"""Shared kernel: configuration, logging, database, event bus, gRPC bootstrap,
working-day calendar and authentication. Nothing domain-specific lives here."""
