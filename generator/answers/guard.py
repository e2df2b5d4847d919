"""Running a comparison in a separate process that is killed when it takes too long.

Expression equivalence calls sympy, whose running time no parser bound fully controls, so
it runs in a long-lived child process. A call past its deadline kills the child (a thread
could not be stopped) and the next call starts a fresh one.

Two bounds apply: each comparison gets ``EXAMGEN_ANSWER_TIMEOUT`` seconds (2 by default),
and while a submission is graded (``submission_budget``) all its comparisons together get
``EXAMGEN_SUBMISSION_BUDGET`` seconds (5 by default): six answers built to stall cannot hold
one submission for 12 s. Past the budget, the rest are not compared: graded invalid, with
the reason.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from generator.errors import ExamgenError, quoted

MOST_SECONDS = 600


def seconds_setting(name: str, default: float) -> float:
    """A number of seconds from the environment variable ``name``, else ``default``;
    one line naming the variable when it is not a number of seconds."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MOST_SECONDS:  # NaN and inf fail too
        raise ExamgenError(
            f"{name}={quoted(text)}: expected a number of seconds above 0 and at most "
            f"{MOST_SECONDS}, such as 2 or 0.5"
        )
    return value


def answer_timeout() -> float:
    return seconds_setting("EXAMGEN_ANSWER_TIMEOUT", 2.0)


def submission_seconds() -> float:
    return seconds_setting("EXAMGEN_SUBMISSION_BUDGET", 5.0)


def check_settings() -> None:
    """Read both bounds now, so a bad setting is one line before any work."""
    answer_timeout()
    submission_seconds()


class Timeout(Exception):
    pass


_deadline: float | None = None  # while a submission is graded: when its budget is spent
_budget = 0.0


@contextmanager
def submission_budget() -> Iterator[None]:
    """Bound the comparisons made in this block, together, by the submission budget."""
    global _deadline, _budget
    _budget = submission_seconds()
    _deadline = time.monotonic() + _budget
    try:
        yield
    finally:
        _deadline = None


def _serve(connection: Any) -> None:
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            connection.send((True, function(*args)))
        except Exception as error:  # the caller decides what a failure means
            connection.send((False, repr(error)))


class Guard:
    """Calls ``function(*args)`` in a child process, at most ``timeout`` seconds each."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = answer_timeout() if timeout is None else timeout
        self.owner = os.getpid()
        self._process: multiprocessing.Process | None = None
        self._connection: Any = None
        self._pending = 0  # replies to calls sent ahead by prepare()

    def _start(self) -> None:
        # typeshed types get_context as BaseContext, which names no Process
        context: Any = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self._process.start()
        child.close()
        self._connection = parent

    def prepare(self, function: Callable[..., Any], *args: Any) -> None:
        """Start the child and run ``function(*args)`` in it without waiting: a drill warms
        sympy up while the student reads the question, so checking the answer is quick."""
        if self._process is None or not self._process.is_alive():
            self._start()
        self._connection.send((function, args))
        self._pending += 1

    def call(self, function: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """``function(*args)``, within ``timeout`` seconds (the guard's own by default)."""
        timeout = self.timeout if timeout is None else timeout
        if self._process is None or not self._process.is_alive():
            self._start()
        while self._pending:  # replies to prepare(), in order, before this call's
            if not self._connection.poll(self.timeout):
                self.stop()
                self._start()
                break
            self._connection.recv()
            self._pending -= 1
        self._connection.send((function, args))
        if not self._connection.poll(timeout):
            self.stop()
            raise Timeout(f"took longer than {timeout:.2g} s")
        ok, value = self._connection.recv()
        if not ok:
            raise RuntimeError(value)
        return value

    def stop(self) -> None:
        self._pending = 0
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._connection.close()
        self._process = None


_guard: Guard | None = None


def _process_guard() -> Guard:
    # a forked grading worker gets its own guard, never its parent's child
    global _guard
    if _guard is None or _guard.owner != os.getpid():
        _guard = Guard()
    return _guard


def guarded(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` under this process's guard, and within what is left of the
    submission's budget while one is graded."""
    guard = _process_guard()
    if _deadline is None:
        return guard.call(function, *args)
    left = _deadline - time.monotonic()
    if left <= 0:
        raise Timeout(f"not compared: the submission's {_budget:g} s for comparisons are spent")
    return guard.call(function, *args, timeout=min(left, guard.timeout))


def prepare(function: Callable[..., Any], *args: Any) -> None:
    """Run ``function(*args)`` in this process's guard ahead of use, without waiting."""
    _process_guard().prepare(function, *args)
