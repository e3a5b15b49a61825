"""Criteria evaluates on the event loop's thread, as intake decides its duties: handing each
evaluation to the engine's thread pool cost about a fifth more CPU and, with the GIL held by
the evaluation, finished it no sooner (docs/performance.md, seventh round)."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

from rapidreview.criteria.evaluator import CaseEvaluator
from rapidreview.rules import Rulebook, RulesEngine


async def test_an_evaluation_runs_on_the_event_loop_thread_and_gives_what_the_thread_pool_gave(child_k_facts, calendar):
    threads: set[int] = set()
    book = Rulebook.load_default(engine=RulesEngine(observer=lambda sid, key: threads.add(threading.get_ident())))
    evaluator = CaseEvaluator(SimpleNamespace(calendar=calendar), book)  # type: ignore[arg-type]
    edition = book.edition_for(dt.date.fromisoformat(child_k_facts.la_aware_date))
    evaluation = await evaluator.run(child_k_facts, edition, calendar)
    assert threads == {threading.get_ident()}  # every rule fired on this, the loop's, thread
    threads.clear()
    pooled = await book.evaluate_async(child_k_facts, edition=edition, calendar=calendar)
    assert threads and threading.get_ident() not in threads  # the pool's threads, for comparison
    assert evaluation.outcomes
    assert [(o.rule_id, o.status) for o in evaluation.outcomes] == [(o.rule_id, o.status) for o in pooled.outcomes]
