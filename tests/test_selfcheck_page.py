"""The self-checking practice page in a real headless Chromium, driven over the DevTools
protocol on a pipe (no extra package): typing answers gives the grader's verdicts, and the
page's checker agrees with the Python grader on a table of answers."""

import base64
import json
import os
import re
import shutil
import subprocess
import time

import pytest
from test_rendered_pages import CHROMIUM_FLAGS, tool

from generator.answers.types import answer_type_from_json
from generator.grading.scoring import score_part


class Browser:
    """Chromium with --remote-debugging-pipe: commands on fd 3, replies on fd 4, each a JSON
    message ended by a NUL byte."""

    def __init__(self, tmp_path):
        program = tool("chromium")
        commands_read, self.commands = os.pipe()
        self.replies, replies_write = os.pipe()

        def wire():
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [program, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
             "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(commands_read)
        os.close(replies_write)
        self.buffer, self.next_id, self.session = b"", 0, None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:
                    if "error" in reply:
                        raise RuntimeError(reply["error"])
                    return reply["result"]
            chunk = os.read(self.replies, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raise TimeoutError(method)

    def open(self, url):
        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        attached = self.send(
            "Target.attachToTarget", {"targetId": target, "flatten": True}, session=False
        )
        self.session = attached["sessionId"]

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:  # the page is still loading
                pass
            time.sleep(0.1)
        raise TimeoutError(expression)

    def type_into(self, selector, text):
        """Focus a box, clear it, and type as a person would."""
        found = f"document.querySelector({json.dumps(selector)})"
        self.evaluate(f"{found}.focus(); {found}.value = ''")
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(data["data"]))

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self.commands)
        os.close(self.replies)


@pytest.fixture
def practice(run, tmp_path):
    result = run("practice", "-f", "conv_output_size", "-f", "softmax_loss", "-c", "2", "-s",
                 "selfcheck", "--format", "html")  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "output").iterdir()
    key = json.loads((folder / "instructor" / "key.json").read_text())
    return folder, {q["id"]: q for q in key["variants"][0]["questions"]}


@pytest.fixture
def browser(tmp_path):
    chromium = Browser(tmp_path)
    yield chromium
    chromium.close()


def verdict_after(browser, question, part, answer):
    selector = f'[data-question="{question}"][data-part="{part}"]'
    browser.type_into(f"{selector} input", answer)
    browser.evaluate(f"document.querySelector('{selector} button').click()")
    return browser.evaluate(f"document.querySelector('{selector} .verdict').textContent")


def test_typing_a_wrong_then_a_right_answer_shows_the_verdicts(practice, browser, tmp_path):
    folder, questions = practice
    browser.open((folder / "self-check.html").as_uri())
    browser.wait_for("document.documentElement.dataset.selfcheck === 'ready'")
    browser.wait_for("document.documentElement.dataset.typeset === 'done'")
    size = questions["q1"]["parts"][0]
    assert browser.evaluate("document.getElementById('solution-q1').hidden") is True
    mistake = size["mistakes"][0]
    wrong = verdict_after(browser, "q1", "output", str(mistake["value"]))
    assert wrong == f"✗ not right (known mistake: {mistake['diagnosis']})"
    assert browser.evaluate("document.getElementById('solution-q1').hidden") is False
    assert verdict_after(browser, "q1", "output", str(size["key"])) == "✓ correct"
    probabilities = questions["q2"]["parts"][0]
    shown = answer_type_from_json(probabilities["type"]).display(probabilities["key"])
    typed = (
        "[" + "; ".join(", ".join(f"{v:.4f}" for v in row) for row in probabilities["key"]) + "]"
    )
    assert verdict_after(browser, "q2", "probabilities", typed) == "✓ correct"
    # one part of several tried: the worked solution, which holds every answer, stays shut
    assert browser.evaluate("document.getElementById('solution-q2').hidden") is True
    assert verdict_after(browser, "q2", "probabilities", "[1, 2, 3]").startswith("✗")
    second = verdict_after(browser, "q2", "probabilities", "banana")
    assert second.startswith("✗ write a list") and second.endswith(f"; the answer: {shown}")
    assert browser.evaluate("document.getElementById('solution-q2').hidden") is True
    browser.evaluate("document.querySelector('.reveal[data-question=\"q2\"]').click()")
    assert browser.evaluate("document.getElementById('solution-q2').hidden") is False
    # KaTeX's own source, inside the page since it carries its scripts, names katex-error
    assert not browser.evaluate("document.querySelector('.katex-error')")
    shot = tmp_path / "self-check.png"
    browser.screenshot(shot)
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
    keep = os.environ.get("EXAMGEN_SCREENSHOTS")
    if keep:
        shutil.copy(shot, os.path.join(keep, shot.name))


PARITY = {
    "integer": ["{key}", "{key} + 1", "10x3x5x5 + 10", "1/2", "abc", "", "2^3", "−4"],
    "spatial_size": ["{key}", "{key}x{key}", "31x30", "0", "7 x 7", "(5, 5)", "x"],
    "shape": ["{key}", "32 x 32 x 10", "(4, 4, 2)", "4x4", "foo", "1x1x{key}", "{key}x1x1"],
    "real": ["{key}", "{key} + 0.5", "1/3", "1,5", "1,000", "2.5e-3", "−1", "nan", "1/0"],
    "matrix": ["{key}", "[1, 2; 3, 4]", "[[1, 2], [3, 4]]", "[0.5, 0.5]", "[]", "[1, x]"],
    "truefalse": ["true", "F", "false.", "maybe"],
    "multiselect": ["{key}", "A", "AB", "ABCD", "Z", "a, c"],
}


def parity_cases(manifest_parts):
    for part in manifest_parts:
        kind = part["type"]["kind"]
        key = part["key"]
        key_text = json.dumps(key) if isinstance(key, list) else str(key)
        for template in PARITY.get(kind, []):
            yield part, template.replace("{key}", key_text)
        for mistake in part.get("mistakes", []):
            value = mistake["value"]
            yield part, json.dumps(value) if isinstance(value, list) else str(value)


def test_the_page_checks_answers_as_the_grader_does(run, tmp_path, browser):
    """Every answer in a table, read by the page's checker and by the Python grader: the
    same verdict (correct, partial, wrong, invalid or blank) for each."""
    families = ["conv_output_size", "conv_params", "softmax_loss", "concept_tf", "dropout",
                "network_table", "receptive_field", "hinge_loss", "concept_choice"]  # fmt: skip
    args = [arg for family in families for arg in ("-f", family)]
    run("practice", *args, "-c", str(len(families)), "-s", "parity", "--format", "html")
    (folder,) = (tmp_path / "output").iterdir()
    key = json.loads((folder / "instructor" / "key.json").read_text())
    parts = [part for q in key["variants"][0]["questions"] for part in q["parts"]]
    # an FC layer's outputs as the [notation] of a channels-first course or a strict one
    for shape_type in (
        {"kind": "shape", "fc_volume": True, "layout": "CxHxW"},
        {"kind": "shape", "fc_volume": True},
        {"kind": "shape"},
    ):
        parts.append({"id": "fc", "type": shape_type, "key": "10"})
    browser.open((folder / "self-check.html").as_uri())
    browser.wait_for("document.documentElement.dataset.selfcheck === 'ready'")
    cases = list(parity_cases(parts))
    assert len(cases) > 80
    page = browser.evaluate(
        "("
        + json.dumps([[p, raw] for p, raw in cases])
        + ").map(([p, raw]) => [check(p, raw).status, check(p, raw).message])"
    )
    ranks = 0
    for (part, raw), (seen, message) in zip(cases, page, strict=True):
        expected = score_part(answer_type_from_json(part["type"]), raw, part, {}, {})
        assert seen == expected.status, (part["type"]["kind"], part["key"], raw)
        if re.fullmatch(r"expected \d+ dimensions?, got \d+", expected.feedback or ""):
            ranks += 1
            assert message == f"not right: {expected.feedback}", (part, raw)
    assert ranks


def test_an_exam_sheet_carries_no_key_and_no_checker(run, tmp_path):
    run("generate", "-n", "2", "--seed", "nokey", "--format", "html")
    (exam,) = (tmp_path / "output").iterdir()
    for sheet in exam.glob("students/*/sheet.html"):
        html = sheet.read_text()
        assert "examgen-keys" not in html and "selfcheck.js" not in html
        assert "application/json" not in html
