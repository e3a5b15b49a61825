"""Shared bits of the examples: the client from the environment and printing errors."""

from __future__ import annotations

import sys

from rapidreview_client import RapidReviewClient, RapidReviewError


def client_from_env() -> RapidReviewClient:
    """Addresses from RR_INTAKE_ADDR / RR_GATHERING_ADDR, token from RR_TOKEN or RR_TOKEN_FILE,
    TLS from RR_TLS_CA_FILE (+ RR_TLS_CLIENT_CERT_FILE / RR_TLS_CLIENT_KEY_FILE for mutual TLS)."""
    return RapidReviewClient.from_env()


def report(error: RapidReviewError) -> int:
    """Prints a failed call the way a partner system would log it; returns the exit status."""
    print(f"{error.code.name}: {error.message}", file=sys.stderr)
    for violation in error.field_violations:
        print(f"  {violation.field}: {violation.description}", file=sys.stderr)
    print(f"  request id {error.request_id} (quote it to the Rapid Review service desk)", file=sys.stderr)
    return 1
