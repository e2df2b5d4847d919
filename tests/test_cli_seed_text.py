"""A seed typed on the command line is stored as UTF-8: bytes that are no text are refused
at once on one line, for every command that takes a seed."""

import pytest

NOT_TEXT = "a\udced\udca0\udc80"  # what Python makes of the bytes ED A0 80 in an argument


@pytest.mark.parametrize(
    "command",
    [
        ["generate", "convnet-shapes", "-n", "1"],
        ["practice", "--family", "conv_output_size", "--out", "practice"],
        ["drill", "--count", "1", "--progress", "drill.json"],
    ],
)
def test_a_seed_that_is_not_text_is_refused_on_one_line(run, tmp_path, command):
    result = run(*command, "--seed", NOT_TEXT, input="")
    assert result.exit_code == 2
    assert "--seed" in result.output and "not UTF-8" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "output").exists() and not (tmp_path / "practice").exists()
