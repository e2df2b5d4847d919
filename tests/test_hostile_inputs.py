"""Specs, drill progress files and settings that once gave a traceback or a wrong exam:
each is now one line naming the file and field, or set aside as promised."""

import json
import os

import pytest

from generator.errors import SpecError
from generator.exam.spec import parse
from generator.families.common import bank

SPEC = 'title = "t"\n[[questions]]\nfamily = "{family}"\n'
TF_ITEM = next(item.id for item in bank.items().values() if item.kind == "tf")


@pytest.mark.parametrize(
    "text, field, words",
    [
        (SPEC.format(family="conv_params") + "points = 1" + "0" * 5000, None, "4,300 digits"),
        ('title = "t"\nx = ' + "[" * 100_000 + "]" * 100_000, None, "nested too deeply"),
        (SPEC.format(family="concept_tf") + "rubric = { wrong = nan }", "rubric.wrong", "points"),
        (SPEC.format(family="concept_tf") + "rubric = { wrong = -inf }", "rubric.wrong", "points"),
        (SPEC.format(family="concept_tf") + "points = nan", "points", "from 0.01 to 1000"),
        (SPEC.format(family="concept_tf") + '[questions.givens]\ntopic = "nosuch"',
         "givens.topic", "nosuch"),
        (SPEC.format(family="concept_tf") + f'count = 3\n[questions.givens]\nitem = "{TF_ITEM}"',
         "count", "ask it 3 times"),
        (SPEC.format(family="concept_tf") + f'[questions.givens]\nitem = "{TF_ITEM}"\n'
         + f'[[questions]]\nfamily = "concept_tf"\n[questions.givens]\nitem = "{TF_ITEM}"\n',
         "question q2", "same question as q1"),
    ],
)  # fmt: skip
def test_a_spec_python_or_the_sampler_would_choke_on_is_one_line(text, field, words):
    with pytest.raises(SpecError) as caught:
        parse(text, "exam.toml")
    message = str(caught.value)
    assert message.startswith("exam.toml: ") and words in message, message
    assert field is None or field in message


def test_random_items_never_repeat_a_fixed_one_in_the_same_exam():
    from generator.exam.assemble import assemble
    from generator.exam.roster import numbered_students

    text = (
        SPEC.format(family="concept_tf")
        + f'id = "fixed"\n[questions.givens]\nitem = "{TF_ITEM}"\n'
        + '[[questions]]\nfamily = "concept_tf"\nid = "drawn"\ncount = 8\n'
    )
    manifest = assemble(parse(text, "exam.toml"), "seed", numbered_students(40))
    for variant in manifest["variants"]:
        items = [q["params"]["item"] for q in variant["questions"]]
        assert len(set(items)) == len(items) == 9


def test_a_family_that_samples_givens_with_defaults_is_not_taken_as_fixed():
    from generator.exam.assemble import assemble
    from generator.exam.roster import numbered_students

    spec = parse(SPEC.format(family="conv_params") + "count = 3\n", "exam.toml")
    assert not any(q.fixed for q in spec.questions)
    (variant,) = assemble(spec, "seed", numbered_students(1))["variants"]
    params = [json.dumps(q["params"], sort_keys=True) for q in variant["questions"]]
    assert len(set(params)) == 3


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "drill.json"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(path))
    return path


def saved_session(**change):
    session = {"seed": "s", "families": ["dropout"], "count": 3, "done": 1,
               "tally": {"dropout": [1, 0, 0]}, "last": "dropout"}  # fmt: skip
    return json.dumps({"format": 1, "families": {}, "session": {**session, **change}})


@pytest.mark.parametrize(
    "change",
    [{"tally": {"dropout": [1]}}, {"tally": {"dropout": [1, 0, "x"]}}, {"families": ["nosuch"]},
     {"families": [5]}, {"count": 10**12}],
)  # fmt: skip
def test_a_progress_file_resume_cannot_use_is_moved_aside(run, progress_file, change):
    progress_file.write_text(saved_session(**change))
    result = run("drill", "--resume", input="\n" * 40)
    assert result.exit_code == 0, result.output
    assert "moved it to" in result.output and "started afresh" in result.output
    assert (progress_file.parent / "drill.json.unreadable-1").exists()


def test_a_fifo_in_place_of_the_progress_file_is_moved_aside_not_waited_on(run, progress_file):
    os.mkfifo(progress_file)
    result = run("drill", "-f", "dropout", "-c", "1", "-s", "c", input="\n" * 10)
    assert result.exit_code == 0
    assert "not a regular file; moved it to" in result.output
    assert (progress_file.parent / "drill.json.unreadable-1").exists()


def test_a_resumable_session_still_resumes(run, progress_file):
    progress_file.write_text(saved_session())
    result = run("drill", "--resume", input="\n" * 40)
    assert result.exit_code == 0 and "Resuming: question 2 of 3" in result.output


@pytest.mark.parametrize("variable", ["EXAMGEN_ANSWER_TIMEOUT", "EXAMGEN_SUBMISSION_BUDGET"])
def test_a_time_setting_that_is_no_number_is_one_line_for_every_command(run, monkeypatch, variable):
    monkeypatch.setenv(variable, "2s")
    for command in (["grade", "x.json"], ["drill", "-f", "dropout"], ["regrade", "grades"]):
        result = run(*command)
        assert result.exit_code == 2
        (line,) = result.output.splitlines()
        assert line.startswith(f"error: {variable}='2s': expected a number of seconds")
