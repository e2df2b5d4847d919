"""Comparisons that run too long are stopped by killing their process, not waited for."""

import re
import time

import pytest

import generator.answers.guard as guard
from generator.answers.guard import Guard, Timeout
from generator.answers.types import Expression


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
    import generator.answers.equivalence

    monkeypatch.setattr(guard, "_guard", Guard(timeout=0.3))
    monkeypatch.setattr(generator.answers.equivalence, "equivalent", slow_equivalent)
    score = Expression(["x"]).grade("x^2", "x*x")
    assert score.status == "invalid" and "took longer than" in score.feedback
    monkeypatch.undo()
    assert Expression(["x"]).grade("x^2", "x*x").status == "correct"


def test_a_submissions_comparisons_share_one_budget_then_are_not_made(monkeypatch):
    """Six answers built to stall once held one submission for 12 s: past the budget the
    rest are graded invalid at once, with the reason."""
    import generator.answers.equivalence

    monkeypatch.setenv("EXAMGEN_SUBMISSION_BUDGET", "1")
    monkeypatch.setattr(guard, "_guard", Guard(timeout=0.6))
    monkeypatch.setattr(generator.answers.equivalence, "equivalent", slow_equivalent)
    started = time.monotonic()
    with guard.submission_budget():
        scores = [Expression(["x"]).grade("x^2", "x*x") for _ in range(6)]
    assert time.monotonic() - started < 2.5
    assert all(score.status == "invalid" for score in scores)
    assert "took longer than 0.6 s" in scores[0].feedback
    assert re.search(r"took longer than 0\.[34]\d* s", scores[1].feedback)  # what was left
    assert all("1 s for comparisons are spent" in score.feedback for score in scores[2:])
    guard._guard.stop()


def test_outside_a_submission_each_comparison_has_its_own_bound(monkeypatch):
    monkeypatch.setenv("EXAMGEN_SUBMISSION_BUDGET", "0.1")
    g = Guard(timeout=5)
    monkeypatch.setattr(guard, "_guard", g)
    assert guard.guarded(pow, 3, 2) == 9  # no budget applies: the drill, a solve
    g.stop()


@pytest.mark.parametrize("value", ["abc", "2s", "nan", "inf", "-1", "0", "1e9"])
def test_a_time_setting_that_is_no_number_of_seconds_is_one_line(monkeypatch, value):
    from generator.errors import ExamgenError

    monkeypatch.setenv("EXAMGEN_ANSWER_TIMEOUT", value)
    with pytest.raises(ExamgenError, match=r"EXAMGEN_ANSWER_TIMEOUT=.*number of seconds"):
        guard.check_settings()
