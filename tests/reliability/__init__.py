"""Reliability suites: faults, bad events, load and scale-out against the
embedded stack (every service a real subprocess, real nats-server and
PostgreSQL on loopback). `scripts/reliability` runs the long profiles."""
