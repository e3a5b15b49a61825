"""Prometheus metrics. Labels are service, RPC method, status code and consumer
names only: never anything about a case or a person."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server

RPC_CALLS = Counter("rapidreview_rpc_calls_total", "gRPC calls by method and status code", ["service", "method", "code"])
RPC_SECONDS = Histogram(
    "rapidreview_rpc_duration_seconds", "gRPC call duration", ["service", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_CONSUMED = Counter("rapidreview_events_consumed_total", "Events acknowledged after processing", ["service", "consumer"])
EVENTS_ALREADY_HANDLED = Counter(
    "rapidreview_events_already_handled_total",
    "Events delivered again after they had been handled: skipped by the inbox (no second effect) and acknowledged "
    "(also counted in rapidreview_events_consumed_total)",
    ["service", "consumer"],
)
EVENTS_NOT_NEEDED = Counter(
    "rapidreview_events_not_needed_total",
    "Events acknowledged without a transaction: their payload shows the consumer has nothing to do, everything "
    "it would record coming with another event (also counted in rapidreview_events_consumed_total)",
    ["service", "consumer"],
)
EVENTS_HELD = Counter("rapidreview_events_held_total",
                      "Fetched events told 'in progress' while they waited behind the others of their fetch, so that "
                      "JetStream did not redeliver them meanwhile",
                      ["service", "consumer"])
EVENTS_RETRIED = Counter("rapidreview_events_retried_total",
                         "Events handed back for a later redelivery after a failed attempt (such as a case not known yet)",
                         ["service", "consumer"])
EVENTS_DEAD_LETTERED = Counter("rapidreview_events_dead_lettered_total", "Events moved to the dead-letter stream", ["service", "consumer"])
EVENTS_PUBLISHED = Counter("rapidreview_events_published_total", "Outbox rows published to JetStream", ["service"])
EVENTS_SWEPT = Counter("rapidreview_outbox_events_swept_total",
                       "Outbox rows the relay's sweep published: not published on commit, or not marked in time "
                       "(a failed publish, a process stopped in between)", ["service"])
EVENTS_PARKED = Counter("rapidreview_outbox_events_parked_total",
                        "Outbox rows that can never be published, set aside so that the rows behind them go on (alert on any)",
                        ["service", "reason"])
ACCESS_LOG_REPLACED = Counter("rapidreview_access_log_entries_replaced_total",
                              "Access log entries the database refused, written with their caller values replaced", ["service"])
ACCESS_LOG_DROPPED = Counter("rapidreview_access_log_entries_dropped_total",
                             "Access log entries dropped (buffer full while the database is away, or refused even when replaced)",
                             ["service"])


def serve_metrics(listen: str) -> None:
    """Serves /metrics on HOST:PORT in a background thread ("" does nothing)."""
    if not listen:
        return
    host, _, port = listen.rpartition(":")
    start_http_server(int(port), addr=host)
