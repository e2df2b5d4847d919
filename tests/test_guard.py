"""Comparisons that run too long are stopped by killing their process, not waited for."""

import time

import pytest

import generator.guard as guard
from generator.answers import Expression
from generator.guard import Guard, Timeout


def slow_equivalent(*args):
    time.sleep(30)


def test_a_call_past_its_deadline_is_killed_and_the_next_call_works():
    g = Guard(timeout=0.3)
    with pytest.raises(Timeout):
        g.call(time.sleep, 30)
    assert g._process is None  # killed, not left running
    assert g.call(pow, 2, 10) == 1024
    g.stop()


def test_a_failure_in_the_child_is_reported_not_raised_as_is():
    g = Guard(timeout=5)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        g.call(divmod, 1, 0)
    g.stop()


def test_a_timed_out_expression_is_graded_invalid_and_grading_goes_on(monkeypatch):
    import generator.equivalence

    monkeypatch.setattr(guard, "_guard", Guard(timeout=0.3))
    monkeypatch.setattr(generator.equivalence, "equivalent", slow_equivalent)
    score = Expression(["x"]).grade("x^2", "x*x")
    assert score.status == "invalid" and "took longer than" in score.feedback
    monkeypatch.undo()
    assert Expression(["x"]).grade("x^2", "x*x").status == "correct"
