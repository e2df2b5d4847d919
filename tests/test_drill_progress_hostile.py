"""A tampered drill progress file: no string from it reaches the terminal as it is, and one
that holds what a terminal would act on is moved aside, as an unreadable file is."""

import json

import pytest

from generator.practice.progress import load

# an ESC sequence that clears the screen, a bidi override, a lone surrogate
HOSTILE = {"esc": "\x1b[2J\x1b[31mowned", "bidi": "dropout\u202e", "surrogate": "drop\ud800out"}


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "drill.json"
    path.parent.mkdir()
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(path))
    # the session started afresh draws the same questions on every run
    monkeypatch.setattr("generator.exam.seeding.new_seed", lambda: "fresh")
    return path


def progress(field: str, value: str) -> dict:
    """An unfinished session of dropout, one question answered, with ``value`` in ``field``."""
    families = {"dropout": {"asked": 1, "right": 1, "hinted": 0, "missed": 0, "mastery": 0.7}}
    session = {
        "seed": "c",
        "families": ["dropout"],
        "count": 3,
        "done": 1,
        "tally": {"dropout": [1, 0, 0]},
        "last": "dropout",
    }
    if field == "family record":
        families[value] = families["dropout"]
    elif field == "session family":
        session["families"].append(value)
    elif field == "tally":
        session["tally"][value] = [4, 5, 6]
    else:
        session[field] = value
    return {"format": 1, "families": families, "session": session}


def shows_nothing_raw(output: str) -> None:
    for character in ("\x1b", "\u202e", "\ud800"):
        assert character not in output


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("field", ["family record", "session family", "tally", "last"])
def test_a_family_name_a_terminal_would_act_on_sets_the_progress_file_aside(
    run, progress_file, field, kind
):
    text = json.dumps(progress(field, HOSTILE[kind]))  # a lone surrogate as JSON writes it
    progress_file.write_text(text)
    result = run("drill", "--resume", input="")
    assert result.exit_code == 0, result.output
    shows_nothing_raw(result.output)
    (warning,) = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert "is not a family name" in warning and warning.endswith("and started afresh")
    assert (progress_file.parent / "drill.json.unreadable-1").read_text() == text
    assert "No unfinished session to resume: starting a new one." in result.output
    assert load(progress_file).families == {}


@pytest.mark.parametrize("kind", ["esc", "bidi"])
def test_a_seed_is_never_printed_so_any_text_resumes(run, progress_file, kind):
    progress_file.write_text(json.dumps(progress("seed", HOSTILE[kind])))
    result = run("drill", "--resume", input="")
    assert result.exit_code == 0, result.output
    shows_nothing_raw(result.output)
    assert "Resuming: question 2 of 3" in result.output
    assert "dropout  " in result.output.split("Summary: 1 of 3 questions")[1]
    assert load(progress_file).session.seed == HOSTILE[kind]


def test_a_seed_with_a_lone_surrogate_sets_the_progress_file_aside(run, progress_file):
    progress_file.write_text(json.dumps(progress("seed", HOSTILE["surrogate"])))
    result = run("drill", "--resume", input="")
    assert result.exit_code == 0, result.output
    shows_nothing_raw(result.output)
    assert "(the seed holds a lone surrogate); moved it to" in result.output
    assert load(progress_file).session.seed == "fresh"


def test_a_tally_of_a_family_outside_the_session_sets_the_progress_file_aside(run, progress_file):
    progress_file.write_text(json.dumps(progress("tally", "relu_gradient")))
    result = run("drill", "--resume", input="")
    assert result.exit_code == 0, result.output
    assert "(the session is inconsistent); moved it to" in result.output
    assert "relu_gradient" not in result.output
