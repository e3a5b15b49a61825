"""Decisions domain logic: pure, with clock and calendar injected."""
