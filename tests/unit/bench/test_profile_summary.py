"""bench/profile_summary.py: what a py-spy profile says a service's CPU is spent on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import profile_summary
from bench.profile_summary import BUILDING_BLOCKS, PRODUCT, by_kind, kind_of, summarise

_ROOT = "_run_module_as_main (<frozen runpy>:198);run (uvloop/__init__.py:105)"


@pytest.mark.parametrize(("frame", "kind", "family"), [
    ("Runner.run (asyncio/runners.py:118)", "event loop and drivers' native code", BUILDING_BLOCKS),
    ("Thread.run (threading.py:982)", "gRPC core thread and gRPC library", BUILDING_BLOCKS),
    ("PreparedStatement.__do_execute (asyncpg/prepared_stmt.py:261)",
     "PostgreSQL client (asyncpg, SQLAlchemy)", BUILDING_BLOCKS),
    ("SQLCompiler.construct_params (sqlalchemy/sql/compiler.py:1800)",
     "PostgreSQL client (asyncpg, SQLAlchemy)", BUILDING_BLOCKS),
    ("Parser.parse (nats/protocol/parser.py:70)", "NATS client", BUILDING_BLOCKS),
    ("Ruleset.assert_fact (durable/engine.py:500)", "rules engine (durable-rules)", BUILDING_BLOCKS),
    ("evaluate_edition (rapidreview/rules/evaluation.py:90)", "rules adapter and facts", PRODUCT),
    ("KeyRing.encrypt (rapidreview/kernel/crypto.py:40)",
     "shared kernel (consumers, outbox, db, server)", PRODUCT),
    ("render_request (rapidreview/gathering/domain/requests.py:12)", "services' own code", PRODUCT),
    ("JSONDecoder.raw_decode (json/decoder.py:353)", "serialisation (json, protobuf)", PRODUCT),
    ("uuid4 (uuid.py:723)", "other", PRODUCT),
])
def test_a_sample_is_classified_by_its_innermost_frame(frame: str, kind: str, family: str) -> None:
    assert kind_of(frame) == (kind, family)


def test_a_profile_splits_its_samples_by_kind_of_the_innermost_frame(tmp_path: Path) -> None:
    profile = tmp_path / "gathering.txt"
    profile.write_text(
        f"{_ROOT};Runner.run (asyncio/runners.py:118) 6\n"
        f"{_ROOT};GatheringHandlers.submit (rapidreview/gathering/handlers.py:80);"
        "PreparedStatement.__do_execute (asyncpg/prepared_stmt.py:261) 3\n"
        f"{_ROOT};GatheringHandlers.submit (rapidreview/gathering/handlers.py:80) 1\n"
        "not a sample line\n"
    )
    total, kinds = by_kind(profile)
    assert total == 10
    assert kinds == {
        ("event loop and drivers' native code", BUILDING_BLOCKS): 6,
        ("PostgreSQL client (asyncpg, SQLAlchemy)", BUILDING_BLOCKS): 3,
        ("services' own code", PRODUCT): 1,
    }
    # The inclusive view still counts a function once per sample, wherever it is on the stack.
    _, inclusive = summarise(profile)
    assert inclusive["GatheringHandlers.submit (rapidreview/gathering/handlers.py)"] == 4


def test_shares_become_milliseconds_a_case_summed_across_profiles(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "intake.txt", tmp_path / "criteria.txt"
    first.write_text(f"{_ROOT};Runner.run (asyncio/runners.py:118) 3\n"
                     f"{_ROOT};notify (rapidreview/intake/handlers.py:1) 1\n")
    second.write_text(f"{_ROOT};Ruleset.assert_fact (durable/engine.py:500) 1\n")
    profile_summary.print_by_kind([(first, 8.0), (second, 2.0)])
    out = capsys.readouterr().out
    assert "   6.00 ms  event loop and drivers' native code [building blocks]" in out
    assert "   2.00 ms  services' own code [product]" in out
    assert "   8.00 ms  all building blocks" in out
    assert "   2.00 ms  all product" in out
