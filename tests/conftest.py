import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from generator.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run ``examgen ARGS`` in a fresh directory; returns click's Result."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def exam(run, tmp_path):
    """A generated exam of the ConvNet shapes spec, 3 variants: returns its directory."""
    result = run("generate", "convnet-shapes", "--variants", "3", "--seed", "test-seed")
    assert result.exit_code == 0, result.output
    (directory,) = (tmp_path / "output").iterdir()
    return directory


def filled_submission(exam_dir: Path, student: str = "v001") -> dict:
    """The blank submission of ``student`` filled in with the key's answers."""
    key = json.loads((exam_dir / "instructor" / "key.json").read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == student)
    submission = json.loads((exam_dir / "students" / student / "submission.json").read_text())
    for question in variant["questions"]:
        for part in question["parts"]:
            submission["answers"][question["id"]][part["id"]] = part["key"]
    return submission


def sampled(family, difficulty: str, count: int):
    """(seed, canonical givens, answers) of ``count`` sampled instances of ``family``."""
    for seed in range(count):
        params = family.read_givens(family.sample(np.random.default_rng(seed), difficulty))
        yield seed, params, family.solve(params).answers


def assert_carries_katex(page: str) -> None:
    """An HTML page as written holds KaTeX itself, once, where it was rendered with KaTeX's
    mark (``render.assets.with_katex``), and no mark is left."""
    from importlib.resources import files

    from generator.render.assets import KATEX_MARK

    katex = files("templates").joinpath("assets", "katex", "katex.min.js").read_text("utf-8")
    assert KATEX_MARK not in page
    assert page.count(f"<script>{katex}</script>") == 1


def assert_no_key_in(student_text: str, variant: dict) -> None:
    """No key of ``variant`` stands in ``student_text`` (everything a student receives), as a
    whole token: the key 32x1 is not revealed by a 32x32x10 elsewhere. True/false and
    option letters are left out (they appear in every sheet's instructions), and so are
    keys of under four characters or that are among the question's own givens."""
    import re

    for question in variant["questions"]:
        givens = json.dumps(question["params"])
        for part in question["parts"]:
            value = part["key"]
            if isinstance(value, bool) or part["type"]["kind"] == "multiselect":
                continue
            text = value if isinstance(value, str) else json.dumps(value)
            if len(text) < 4 or text in givens:
                continue
            token = re.compile(rf"(?<![\w.]){re.escape(text)}(?![\w.])")
            assert not token.search(student_text), (question["id"], part["id"], text)


# A page laid out in a frame 390 pixels wide (headless Chromium lays out no window narrower
# than 500), measured once it has loaded and typeset its formulas
_PHONE_FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" width="390" height="900" style="border:0" srcdoc="{page}"></iframe>
<script>
document.getElementById("phone").addEventListener("load", (event) => {{
  const inner = event.target.contentDocument;
  let right = 0;
  for (const e of inner.querySelectorAll("body *"))
    right = Math.max(right, e.getBoundingClientRect().right);
  const cells = [...inner.querySelectorAll("table.cells td")];
  document.body.dataset.measured = JSON.stringify({{
    width: inner.documentElement.clientWidth,
    scroll_width: inner.documentElement.scrollWidth,
    right: Math.ceil(right),
    cells: cells.length,
    cell_labels: cells
      .map((c) => getComputedStyle(c, "::before").content)
      .filter((c) => c !== "none"),
  }});
}});
</script></body></html>"""


def at_phone_width(page: str, tmp_path: Path) -> dict:
    """How an HTML page lays out 390 pixels wide in headless Chromium: the frame's ``width``,
    the document's ``scroll_width``, the right edge of its widest element (``right``), and
    what the page's CSS writes before the cells of a matrix key (``cell_labels``, of
    ``cells``). Skips the test where Chromium is not installed."""
    import html
    import re
    import shutil
    import subprocess

    program = shutil.which("chromium")
    if program is None:
        pytest.skip("chromium is not installed")
    frame = tmp_path / "phone.html"
    frame.write_text(_PHONE_FRAME.format(page=html.escape(page, quote=True)))
    done = subprocess.run(
        [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'phone-profile'}",
            "--window-size=800,1000",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'data-measured="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found[1]))
