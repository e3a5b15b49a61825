"""Fixtures of the rules tests: the repository's rule editions and Child K."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from google.protobuf import json_format

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules import Rulebook
from rapidreview.v1 import facts_pb2

REPO = Path(__file__).resolve().parents[3]
RULES_DIR = REPO / "rules"
CHILD_K = REPO / "docs" / "examples" / "case-facts.json"


def calendar_on(day: str) -> WorkingDayCalendar:
    """A working-day calendar whose today is `day`."""
    fixed = dt.date.fromisoformat(day)
    return WorkingDayCalendar(lambda: fixed)


@pytest.fixture(scope="session")
def book() -> Rulebook:
    return Rulebook.load(RULES_DIR)


@pytest.fixture
def child_k() -> facts_pb2.CaseFacts:
    return json_format.Parse(CHILD_K.read_text(), facts_pb2.CaseFacts())


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of rules/ that a test may edit."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target
