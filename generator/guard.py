"""Running a comparison in a separate process that is killed when it takes too long.

Expression equivalence calls sympy, whose running time no parser bound fully controls, so
it runs in a long-lived child process. A call past its deadline kills the child (a thread
could not be stopped) and the next call starts a fresh one.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

TIMEOUT = float(os.environ.get("EXAMGEN_ANSWER_TIMEOUT", "2.0"))  # seconds per comparison


class Timeout(Exception):
    pass


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

    def __init__(self, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.owner = os.getpid()
        self._process: multiprocessing.Process | None = None
        self._connection: Any = None
        self._pending = 0  # replies to calls sent ahead by prepare()

    def _start(self) -> None:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
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

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
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
        if not self._connection.poll(self.timeout):
            self.stop()
            raise Timeout(f"took longer than {self.timeout:g} s")
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
    """``function(*args)`` under this process's guard."""
    return _process_guard().call(function, *args)


def prepare(function: Callable[..., Any], *args: Any) -> None:
    """Run ``function(*args)`` in this process's guard ahead of use, without waiting."""
    _process_guard().prepare(function, *args)
