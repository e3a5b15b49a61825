"""Decisions: the people's decisions on a rapid review, the CSPR lifecycle to
publication, action plans and a tamper-evident audit trail."""
