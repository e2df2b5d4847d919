"""A spec's instructions reach every sheet.md as they are: raw HTML, links and images are
refused on one line naming the field, formulas and Markdown text pass."""

import pytest


def _spec(tmp_path, instructions: str):
    (tmp_path / "quiz.toml").write_text(
        f'title = "Quiz"\ninstructions = """{instructions}"""\n'
        '[[questions]]\nfamily = "conv_output_size"\npoints = 2\n'
    )


@pytest.mark.parametrize(
    "instructions",
    [
        "<script>alert(7)</script>",
        "Read <img src=x onerror=alert(1)> first.",
        "[the rules](javascript:alert(6))",
        "![logo](http://evil.example/i.png)",
        "See <https://example.org>.",
        "[syllabus](https://example.org/s)",
    ],
)
def test_active_markup_in_instructions_is_refused(run, tmp_path, instructions):
    _spec(tmp_path, instructions)
    result = run("generate", "quiz.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 2
    assert "quiz.toml: instructions:" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "output").exists()


def test_markdown_text_and_formulas_in_instructions_pass(run, tmp_path):
    _spec(tmp_path, "Show **all** work; $a < b$ and 3 < 4; use `x`.\\n\\n- one\\n- two")
    result = run("generate", "quiz.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 0, result.output
