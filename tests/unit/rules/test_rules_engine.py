"""The durable-rules adapter obeys the measured durable-rules facts (DESIGN.md)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
from durable import engine as durable_engine

from rapidreview.rules.engine import EngineBusy, RuleActionError, RulesEngine

CONDITIONS = {
    "adult": {"$gte": {"age": 18}},
    "child": {"$lt": {"age": 18}},
    "young": {"$lt": {"age": 25}},
    "either": {"$or": [{"a": True}, {"b": True}]},
}


def _ruleset() -> str:
    return f"test_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def engine() -> RulesEngine:
    eng = RulesEngine()
    return eng


@pytest.fixture
def ruleset(engine: RulesEngine) -> str:
    name = _ruleset()
    engine.register(name, CONDITIONS)
    return name


def test_every_matching_rule_fires_not_only_the_first(engine: RulesEngine, ruleset: str) -> None:
    assert engine.evaluate(ruleset, {"age": 10, "a": False, "b": False}) == {"child", "young"}


def test_fact_matching_no_rule_is_taken_by_the_catch_all(engine: RulesEngine) -> None:
    name = _ruleset()
    engine.register(name, {"only": {"x": 1}})
    assert engine.evaluate(name, {"x": 2}) == frozenset()


def test_raw_durable_rules_raises_when_no_rule_matches() -> None:
    """Why the catch-all exists: without it durable-rules rejects the fact."""
    host = durable_engine.Host()
    name = _ruleset()
    host.register_rulesets({name: {"only": {"all": [{"m": {"x": 1}}], "run": lambda c: None}}})
    with pytest.raises(durable_engine.MessageNotHandledException):
        host.assert_fact(name, {"sid": "s1", "x": 2})


def test_or_condition_fires_once_per_true_branch_but_is_reported_once() -> None:
    firings: list[str] = []
    eng = RulesEngine(observer=lambda sid, key: firings.append(key))
    name = _ruleset()
    eng.register(name, {"either": CONDITIONS["either"]})
    assert eng.evaluate(name, {"a": True, "b": True}) == {"either"}
    assert firings.count("either") == 2


def test_session_state_is_deleted_after_each_evaluation() -> None:
    sids: list[str] = []
    eng = RulesEngine(observer=lambda sid, key: sids.append(sid))
    name = _ruleset()
    eng.register(name, CONDITIONS)
    eng.evaluate(name, {"age": 30})
    eng.evaluate(name, {"age": 3})
    assert len(set(sids)) == 2, "each evaluation uses a fresh session id"
    assert not any(eng.session_exists(name, sid) for sid in sids)
    assert eng.live_sessions == 0


def test_failed_action_raises_and_the_session_is_still_deleted() -> None:
    sids: list[str] = []

    def failing(sid: str, key: str) -> None:
        sids.append(sid)
        raise RuntimeError("action failed")

    eng = RulesEngine(observer=failing)
    name = _ruleset()
    eng.register(name, {"adult": CONDITIONS["adult"]})
    with pytest.raises(RuleActionError):
        eng.evaluate(name, {"age": 30})
    assert sids and not eng.session_exists(name, sids[0])
    assert eng.live_sessions == 0 and eng.in_flight == 0


def test_five_thousand_evaluations_stay_under_the_session_limit(engine: RulesEngine, ruleset: str) -> None:
    """A ruleset holds at most 1,024 live sessions; 5,000 evaluations only
    succeed when every session is deleted."""
    for i in range(5000):
        assert engine.evaluate(ruleset, {"age": i % 40, "a": True, "b": False})
    assert engine.live_sessions == 0


def test_concurrent_evaluations_are_bounded() -> None:
    limit = 3
    entered = threading.Semaphore(0)
    release = threading.Event()

    def hold(sid: str, key: str) -> None:
        entered.release()
        release.wait()

    eng = RulesEngine(max_concurrent=limit, observer=hold)
    name = _ruleset()
    eng.register(name, {"adult": CONDITIONS["adult"]})
    workers = [threading.Thread(target=eng.evaluate, args=(name, {"age": 40})) for _ in range(limit)]
    for w in workers:
        w.start()
    for _ in range(limit):
        assert entered.acquire(timeout=10)
    try:
        assert eng.in_flight == limit
        with pytest.raises(EngineBusy):
            eng.evaluate(name, {"age": 40}, timeout=0)
    finally:
        release.set()
        for w in workers:
            w.join()
    assert eng.max_in_flight == limit
    assert eng.evaluate(name, {"age": 40}, timeout=0) == {"adult"}


def test_default_bound_is_far_below_the_session_limit() -> None:
    assert RulesEngine().max_concurrent == 64


def test_threads_evaluating_at_once_each_get_their_own_firings(engine: RulesEngine, ruleset: str) -> None:
    errors: list[str] = []

    def work(age: int) -> None:
        expected = {"adult", "young"} if 18 <= age < 25 else ({"adult"} if age >= 25 else {"child", "young"})
        for _ in range(300):
            got = engine.evaluate(ruleset, {"age": age})
            if got != expected:
                errors.append(f"age {age}: {sorted(got)}")

    threads = [threading.Thread(target=work, args=(age,)) for age in (5, 20, 30, 17, 40, 24, 2, 60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert engine.live_sessions == 0


def test_a_registered_ruleset_name_is_never_redefined(engine: RulesEngine) -> None:
    name = _ruleset()
    assert engine.register(name, {"adult": CONDITIONS["adult"]}) is True
    assert engine.register(name, {"adult": {"$gte": {"age": 99}}}) is False
    assert engine.evaluate(name, {"age": 30}) == {"adult"}


def test_unknown_ruleset_is_refused(engine: RulesEngine) -> None:
    with pytest.raises(KeyError):
        engine.evaluate("never_registered", {"age": 1})


def test_the_engine_starts_no_background_threads() -> None:
    # Other tests' threads may end meanwhile: only threads that appear count.
    before = set(threading.enumerate())
    eng = RulesEngine()
    eng.register(_ruleset(), CONDITIONS)
    assert set(threading.enumerate()) - before == set()


async def test_evaluate_async_runs_off_the_event_loop_thread() -> None:
    threads: list[int] = []
    eng = RulesEngine(observer=lambda sid, key: threads.append(threading.get_ident()))
    name = _ruleset()
    eng.register(name, {"adult": CONDITIONS["adult"]})
    results = await asyncio.gather(*(eng.evaluate_async(name, {"age": 30}) for _ in range(20)))
    assert all(r == {"adult"} for r in results)
    assert threading.get_ident() not in threads


def test_an_evaluation_leaves_no_reference_cycle_for_the_garbage_collector(engine: RulesEngine, ruleset: str) -> None:
    """durable-rules' `Promise.run` makes a closure that refers to itself on every firing, which
    held the firing's closure, state and callbacks until a collection: the adapter's actions run
    without it, so what an evaluation makes is freed as soon as it returns."""
    import gc

    engine.evaluate(ruleset, {"age": 10, "a": True, "b": True})
    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            assert engine.evaluate(ruleset, {"age": 10, "a": True, "b": True}) == {"child", "young", "either"}
        left_for_the_collector = gc.collect()
    finally:
        gc.enable()
    assert left_for_the_collector == 0


def test_raw_durable_rules_leaves_a_reference_cycle_on_every_firing() -> None:
    """Why the adapter runs its own actions: durable-rules' own leave cycles behind."""
    import gc

    host = durable_engine.Host()
    name = _ruleset()
    host.register_rulesets({name: {"any": {"all": [{"m": {"x": 1}}], "run": lambda c: None}}})
    host.assert_fact(name, {"sid": "s0", "x": 1})
    gc.collect()
    gc.disable()
    try:
        for i in range(20):
            host.assert_fact(name, {"sid": f"s{i + 1}", "x": 1})
        left_for_the_collector = gc.collect()
    finally:
        gc.enable()
    assert left_for_the_collector >= 20 * 4
