"""The rules engine adapter: durable-rules 2.0.28 behind one small interface.

A compiled ruleset is a mapping of rule keys to conditions in durable-rules'
JSON form (the `m` expression of one fact). `RulesEngine.evaluate` asserts one
fact and returns the keys whose condition matched. Everything durable-rules
needs to be used safely stays in this module (see docs/rules.md, "Engine"):

- every rule is evaluated with `assert_fact` (a `post`ed event fires only the
  first matching rule);
- each evaluation uses a fresh session id whose state is deleted in `finally`
  (a ruleset holds at most 1,024 live sessions and the 1,025th raises
  MemoryError), and concurrent evaluations are bounded far below that;
- a catch-all rule matches every fact (a fact no rule matches raises);
- a rule whose condition has an OR fires once per true branch, so firings are
  collected into a set and the actions only record;
- a ruleset can never be changed or removed once registered: each is
  registered once under its own name and later registrations of the same name
  are no-ops;
- durable-rules records nothing about which rules fired, so each rule's action
  records its own key against the session id.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from durable import engine as durable_engine

Condition = Mapping[str, Any]
FiringObserver = Callable[[str, str], None]

CATCH_ALL = "__catch_all__"
# Every fact the adapter asserts carries this field, so a condition on it
# matches every fact: the catch-all rule and the notation's `always` use it.
FACT_TYPE_FIELD = "fact_type"
FACT_TYPE = "case"
ALWAYS: dict[str, Any] = {FACT_TYPE_FIELD: FACT_TYPE}

DEFAULT_MAX_CONCURRENT = 64


class EngineBusy(RuntimeError):
    """No evaluation slot became free within the caller's timeout."""


class RuleActionError(RuntimeError):
    """Recording a firing failed; the evaluation's result would be incomplete."""


@dataclass
class _Session:
    fired: set[str] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)


class _SynchronousHost(durable_engine.Host):
    """A durable-rules host that never starts its dispatch threads.

    The stock host polls every ruleset from two timer threads. Its dispatcher
    can pick up an action queued by `assert_fact` before the asserting thread
    runs it, so the action would run on another thread after `evaluate` had
    already read the firings. All our actions run synchronously inside
    `assert_fact`, and we use no timers, so the threads only add idle CPU and
    that race.
    """

    def _run(self) -> None:
        return None


class _Action(durable_engine.Promise):
    """A rule's action, run as durable-rules runs a synchronous action (`Promise.run`: the
    function, a failure noted in the session state, then `complete`), without the closure that
    `Promise.run` makes on every run for its asynchronous actions' timeouts. That closure refers
    to itself, a reference cycle that held each firing's closure, state and callbacks (about 27
    objects) until the garbage collector found them: some 8% of the CPU of intake and criteria went to
    collecting them (docs/performance.md, change 23). Our actions are synchronous and chain
    nothing (`continue_with` is never used)."""

    def run(self, c: Any, complete: Callable[[Any], None]) -> None:
        try:
            self._func(c)
        except BaseException as error:  # noqa: BLE001 - as durable-rules: noted in the state; `evaluate` re-raises ours
            c.s.exception = f"exception caught {error}"
        complete(None)


class RulesEngine:
    """Evaluates facts against registered rulesets; safe to share between threads.

    One instance per process is enough (see `default_engine`); tests may make
    their own.
    """

    def __init__(
        self,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        observer: FiringObserver | None = None,
    ) -> None:
        if not 1 <= max_concurrent <= 512:
            raise ValueError("max_concurrent must be between 1 and 512")
        self.max_concurrent = max_concurrent
        self._host = _SynchronousHost()
        self._registered: set[str] = set()
        self._register_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._sessions: dict[str, _Session] = {}
        self._observer = observer
        self._count_lock = threading.Lock()
        self._in_flight = 0
        self._max_in_flight = 0
        self._executor = ThreadPoolExecutor(
            max_workers=min(max_concurrent, 16), thread_name_prefix="rules-engine"
        )

    # -- registration -------------------------------------------------------

    def is_registered(self, ruleset: str) -> bool:
        """True once `ruleset` has been registered in this engine."""
        return ruleset in self._registered

    def register(self, ruleset: str, conditions: Mapping[str, Condition]) -> bool:
        """Registers `conditions` (rule key -> condition) under `ruleset`.

        Returns False, and changes nothing, when the name is already
        registered: a registered ruleset can never be changed, so a new
        version of the rules must come with a new name.
        """
        if CATCH_ALL in conditions:
            raise ValueError(f"rule key {CATCH_ALL!r} is reserved")
        with self._register_lock:
            if ruleset in self._registered:
                return False
            definition: dict[str, dict[str, Any]] = {
                key: {"all": [{"m": dict(condition)}], "run": _Action(self._recorder(key))}
                for key, condition in conditions.items()
            }
            definition[CATCH_ALL] = {"all": [{"m": dict(ALWAYS)}], "run": _Action(self._recorder(CATCH_ALL))}
            self._host.register_rulesets({ruleset: definition})
            self._registered.add(ruleset)
            return True

    def _recorder(self, key: str) -> Callable[[Any], None]:
        # durable-rules swallows exceptions raised by actions (it only notes
        # them in the session state), so a failure is kept and re-raised by
        # `evaluate` rather than silently losing a firing.
        def record(closure: Any) -> None:
            sid = closure.s.sid
            session = self._sessions.get(sid)
            if session is None:
                return
            try:
                session.fired.add(key)
                if self._observer is not None:
                    self._observer(sid, key)
            except BaseException as exc:  # noqa: BLE001 - re-raised by evaluate
                session.errors.append(exc)

        return record

    # -- evaluation ---------------------------------------------------------

    def evaluate(
        self, ruleset: str, fact: Mapping[str, Any], timeout: float | None = None
    ) -> frozenset[str]:
        """Asserts `fact` in a fresh session of `ruleset` and returns the keys
        of the rules that fired (catch-all excluded), each once.

        Blocks while `max_concurrent` evaluations are running; with a
        `timeout` (seconds, 0 = don't wait) raises EngineBusy instead of
        waiting longer. The session is always deleted before returning.
        """
        if ruleset not in self._registered:
            raise KeyError(f"ruleset {ruleset!r} is not registered")
        acquired = self._slots.acquire() if timeout is None else self._slots.acquire(timeout=timeout)
        if not acquired:
            raise EngineBusy(f"no evaluation slot free (limit {self.max_concurrent})")
        try:
            self._enter()
            sid = uuid.uuid4().hex
            session = self._sessions[sid] = _Session()
            try:
                payload = dict(fact)
                payload["sid"] = sid
                payload[FACT_TYPE_FIELD] = FACT_TYPE
                self._host.assert_fact(ruleset, payload)
            finally:
                del self._sessions[sid]
                self._host.delete_state(ruleset, sid)
                self._leave()
        finally:
            self._slots.release()
        if session.errors:
            raise RuleActionError(f"a rule action failed in {ruleset}") from session.errors[0]
        session.fired.discard(CATCH_ALL)
        return frozenset(session.fired)

    async def evaluate_async(
        self, ruleset: str, fact: Mapping[str, Any], timeout: float | None = None
    ) -> frozenset[str]:
        """`evaluate` run in the engine's thread pool, off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.evaluate, ruleset, fact, timeout)

    def run_in_executor(self, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Runs `func(*args)` in the engine's thread pool (for callers that wrap
        `evaluate` with their own pre- and post-processing)."""
        return asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def _enter(self) -> None:
        with self._count_lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._count_lock:
            self._in_flight -= 1

    # -- introspection (health, metrics, tests) -----------------------------

    @property
    def live_sessions(self) -> int:
        """Sessions created and not yet deleted (0 when idle)."""
        return len(self._sessions)

    @property
    def in_flight(self) -> int:
        """Evaluations running now."""
        return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most evaluations that ran at once since start-up."""
        return self._max_in_flight

    def session_exists(self, ruleset: str, sid: str) -> bool:
        """True when durable-rules still holds state for `sid` in `ruleset`."""
        try:
            self._host.get_state(ruleset, sid)
        except Exception:  # durable_rules_engine.error: "Could not get state"
            return False
        return True


_default_engine: RulesEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> RulesEngine:
    """The process-wide engine (one durable-rules host per process)."""
    global _default_engine
    with _default_lock:
        if _default_engine is None:
            _default_engine = RulesEngine()
        return _default_engine
