"""Intake: serious incident notifications, their duties and statutory clocks."""
