"""Drill sessions under scripted input and a real pseudo-terminal, and practice sets."""

import json
import os
import pty
import re
import select
import sys
import time

import pytest

from generator import registry
from generator.answers.types import answer_type_from_json
from generator.exam.seeding import secret_key
from generator.practice import drill as drills
from generator.practice.progress import FamilyRecord, Progress, Session, load
from generator.render.plain_math import plain_formula


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "drill.json"
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(path))
    return path


def first_question(family, seed, done=0, mastery=0.5):
    """The question a new session of ``family`` asks first (or after ``done``)."""
    session = Session(seed, [family], 10, done)
    return drills.instance(session, family, drills.difficulty(mastery), secret_key(seed))


def key_text(part):
    answer_type = answer_type_from_json(part["type"])
    return answer_type.display(part["key"])


def test_a_right_answer_is_confirmed_at_once(run, progress_file):
    (part,) = first_question("conv_output_size", "d1")["parts"]
    result = run(
        "drill", "-f", "conv_output_size", "-c", "1", "-s", "d1", input=key_text(part) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "✓ correct" in result.output and "Hint" not in result.output
    assert "conv_output_size      1           0       0" in result.output
    saved = load(progress_file)
    assert saved.families["conv_output_size"].right == 1 and saved.session.finished


def test_a_wrong_answer_gets_a_hint_then_the_answer_and_the_solution(run, progress_file):
    (part,) = first_question("conv_output_size", "d2")["parts"]
    result = run("drill", "-f", "conv_output_size", "-c", "1", "-s", "d2", input="999\n998\n")
    assert result.output.count("✗ not right") == 2
    hint = next(line for line in result.output.splitlines() if line.startswith("Hint: "))
    assert "(in + 2p − k)/s + 1" in result.output and hint.endswith("= ?")
    assert f"The answer: {key_text(part)}" in result.output
    assert "Worked solution:" in result.output
    # the key is not shown before the second try
    before_second = result.output.split("second try>")[0]
    assert f"expected {key_text(part)}" not in before_second


def test_a_table_missed_row_by_row_never_shows_a_row_still_to_come(run, progress_file):
    question = first_question("network_table", "d10")  # two POOL2 layers
    parts = question["parts"]
    script = "1\n1\n" * len(parts)  # wrong everywhere: every hint, answer and step is shown
    result = run("drill", "-f", "network_table", "-c", "1", "-s", "d10", input=script)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # as one line: the terminal wraps at 80 columns
    starts = [text.index(f"[{part['id']}]") for part in parts]
    solution = text.index("Worked solution:")
    assert solution > starts[-1] and text.count("Worked solution:") == 1

    def stated(key, where):
        return re.search(rf"(?<![\w.]){re.escape(key)}(?!\w|\.\d)", where)

    asked = text[: starts[0]]  # an FC-128's 128 outputs are in the question itself
    long_keys = [
        (i, key_text(part))
        for i, part in enumerate(parts)
        if len(key_text(part)) > 2 and not stated(key_text(part), asked)
    ]
    for i, start in enumerate(starts):
        until_reveal = text[: text.index("second try>", start)]
        for j, key in long_keys:
            revealed = {key_text(part) for part in parts[:i]}  # 16x16x32 twice: same padding
            if j >= i and key not in revealed:  # not this part's key before its second try,
                # nor a later one's
                assert not stated(key, until_reveal), (parts[i]["id"], key)
    # after the second miss the part's own step shows its answer, though a later row shares it
    for i, part in enumerate(parts):
        segment = text[starts[i] : starts[i + 1] if i + 1 < len(parts) else solution]
        assert stated(key_text(part), segment.split("Worked step:")[1]), part["id"]
    # each row's hint is its own layer's step, the second of two like layers included
    hints = re.findall(r"Hint: (.*?) second try>", text)
    for part, hint in zip(parts, hints, strict=True):
        if part["id"].startswith("row"):
            layer = part["label"].split(" (layer")[0]
            assert hint.startswith(f"{layer}:"), (part["id"], hint)
    pools = [(p, h) for p, h in zip(parts, hints, strict=True) if p["label"].startswith("POOL2 (")]
    assert len(pools) == 4  # shape and parameters of each of two, each layer its own step
    for kind in ("shape", "params"):
        assert len({h for p, h in pools if p["id"].endswith(kind)}) == 2
    # the first pool's shape hint keeps its parameter count, asked next, hidden
    assert "parameters: 0" not in pools[0][1] and pools[0][0]["id"].endswith("shape")


def test_a_right_second_try_counts_as_after_the_hint(run, progress_file):
    (part,) = first_question("conv_output_size", "d3")["parts"]
    script = "999\n" + key_text(part) + "\n"
    result = run("drill", "-f", "conv_output_size", "-c", "1", "-s", "d3", input=script)
    assert "✓ correct" in result.output
    assert load(progress_file).families["conv_output_size"].hinted == 1


def test_a_known_mistake_is_named(run, progress_file):
    question = first_question("conv_params", "d4")
    part = next(p for p in question["parts"] if p.get("mistakes"))
    mistake = part["mistakes"][0]
    answers = []
    for p in question["parts"]:
        answers.append(str(mistake["value"]) if p is part else key_text(p))
        if p is part:
            answers.append(key_text(p))
    result = run(
        "drill", "-f", "conv_params", "-c", "1", "-s", "d4", input="\n".join(answers) + "\n"
    )
    assert f"(known mistake: {mistake['diagnosis']})" in result.output


def test_eof_ends_with_a_summary_and_resume_asks_the_same_next_question(run, progress_file):
    first = first_question("receptive_field", "r1")
    script = "\n".join(key_text(p) for p in first["parts"]) + "\n"
    ended = run("drill", "-f", "receptive_field", "-c", "3", "-s", "r1", input=script)
    assert ended.exit_code == 0 and "Session ended." in ended.output
    assert ended.output.startswith("An empty answer skips a part. Ctrl-D or Ctrl-C ends")
    assert "Summary: 1 of 3 questions" in ended.output
    mastery = load(progress_file).families["receptive_field"].mastery
    second = first_question("receptive_field", "r1", done=1, mastery=mastery)
    resumed = run("drill", "--resume", input="")
    assert "Resuming: question 2 of 3" in resumed.output
    assert drills.terminal_text(drills.render_question("receptive_field", second)["question"]) in (
        resumed.output
    )


def test_a_corrupt_progress_file_is_set_aside_and_the_drill_goes_on(run, progress_file):
    progress_file.parent.mkdir(parents=True)
    progress_file.write_text('{"format": 1, "families": {"x": {"asked": -3}}')
    result = run("drill", "-f", "dropout", "-c", "1", "-s", "c", input="\n" * 10)
    assert result.exit_code == 0
    assert "moved it to" in result.output and "started afresh" in result.output
    assert (progress_file.parent / "drill.json.unreadable-1").read_text().startswith('{"format"')
    assert load(progress_file).session.families == ["dropout"]


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not utf-8", b"[]", b'{"format": 2}', b'{"format": 1, "families": {}, "session": '
     b'{"seed": "s", "families": [], "count": 1, "done": 0, "tally": {}}}', b"{" * 100_000],
)  # fmt: skip
def test_no_progress_file_crashes_the_drill(run, progress_file, content):
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    progress_file.write_bytes(content)
    result = run("drill", "-f", "dropout", "-c", "1", "-s", "c", input="\n" * 10)
    assert result.exit_code == 0 and "started afresh" in result.output


def test_missed_families_come_back_more_often_than_mastered_ones():
    progress = Progress(
        {"dropout": FamilyRecord(mastery=0.0), "hinge_loss": FamilyRecord(mastery=1.0)}
    )
    drawn = []
    for n in range(400):
        session = Session("w", ["dropout", "hinge_loss"], 400, n)
        drawn.append(drills.next_family(progress, session))
    assert drawn.count("dropout") > 10 * drawn.count("hinge_loss") > 0


def test_a_missed_family_comes_back_easier_and_a_mastered_one_harder():
    assert drills.difficulty(0.1) == "easy"
    assert drills.difficulty(0.5) == "medium"
    assert drills.difficulty(0.9) == "hard"
    record = FamilyRecord()
    record.record(first_try=0, after_hint=0, missed=3)
    record.record(first_try=0, after_hint=0, missed=3)
    assert drills.difficulty(record.mastery) == "easy"


def test_drill_options_are_checked(run, progress_file):
    unknown = run("drill", "-f", "nope")
    assert unknown.exit_code == 2 and "unknown family 'nope'" in unknown.output
    topic = run("drill", "-t", "astrology")
    assert topic.exit_code == 2 and "unknown topic 'astrology'" in topic.output
    both = run("drill", "--resume", "-f", "dropout")
    assert both.exit_code == 2 and "give it alone" in both.output


def test_the_topic_picks_its_families(run, progress_file):
    assert drills.choose_families((), "convolution") == [
        "conv_forward",
        "conv_output_size",
        "conv_params",
        "network_table",
        "receptive_field",
    ]


def test_a_drill_under_a_real_terminal_ends_cleanly_on_ctrl_c(tmp_path):
    """The drill in a pseudo-terminal: answer a part, then press Ctrl-C at the prompt."""
    (part,) = first_question("conv_output_size", "pty")["parts"]
    env = {**os.environ, "EXAMGEN_PROGRESS": str(tmp_path / "drill.json")}
    code = "from generator.cli import main; main()"
    args = ["drill", "-f", "conv_output_size", "-c", "3", "-s", "pty"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the drill, on the terminal's slave side
        os.execve(sys.executable, [sys.executable, "-c", code, *args], env)
    output = b""

    def read_until(text, times=1, timeout=30):
        """Read until ``text`` has appeared ``times`` times in all the output so far."""
        nonlocal output
        deadline = time.monotonic() + timeout
        while output.count(text.encode()) < times and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 4096)
                except OSError:
                    break
        return output.count(text.encode()) >= times

    assert read_until("> ")
    os.write(fd, key_text(part).encode() + b"\r")
    assert read_until("✓ correct")
    assert read_until("Question 2 of 3") and read_until("> ", times=2)  # its own prompt
    # a person reads the question first: a SIGINT in the microseconds between input()
    # writing its prompt and blocking on the terminal is lost (CPython's own race)
    time.sleep(1)
    os.write(fd, b"\x03")  # Ctrl-C: the terminal sends SIGINT
    assert read_until("Progress saved in"), output.decode(errors="replace")[-1500:]
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Session ended." in text and "Summary: 1 of 3 questions" in text
    assert "Traceback" not in text
    saved = json.loads((tmp_path / "drill.json").read_text())
    assert saved["session"]["done"] == 1


# --- practice sets -----------------------------------------------------------------------


def test_practice_writes_questions_and_separate_solutions(run, tmp_path):
    result = run("practice", "-f", "hinge_loss", "-f", "dropout", "-c", "3", "-s", "p",
                 "--format", "md,html,tex")  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "output").iterdir()
    assert folder.name.startswith("practice-mixed-")
    for suffix in ("md", "html", "tex"):
        sheet = (folder / f"practice.{suffix}").read_text()
        sheet = re.sub(r"<script>.*?</script>", "", sheet, flags=re.S)  # the form's KaTeX
        solutions = (folder / f"solutions.{suffix}").read_text()
        assert "Worked solution" not in sheet and "Worked solution" in solutions
        # nobody sits a practice set: no name box, no "Student id: practice"
        assert "Student id" not in sheet and "Name:" not in sheet
        assert "student practice" not in solutions
    key = json.loads((folder / "instructor" / "key.json").read_text())
    assert [q["family"] for q in key["questions"]] == ["hinge_loss", "dropout", "hinge_loss"]
    # every page carries KaTeX itself, the solutions too (test_pages_alone)
    html = (folder / "solutions.html").read_text()
    assert 'data-math="mathml"' in html and "<link" not in html


def test_a_practice_submission_is_graded_where_it_lies(run, tmp_path, monkeypatch):
    run("practice", "-f", "conv_output_size", "-c", "2", "-s", "g")
    (folder,) = (tmp_path / "output").iterdir()
    key = json.loads((folder / "instructor" / "key.json").read_text())
    submission = json.loads((folder / "submission.json").read_text())
    for question in key["variants"][0]["questions"]:
        for part in question["parts"]:
            submission["answers"][question["id"]][part["id"]] = part["key"]
    (folder / "submission.json").write_text(json.dumps(submission))
    monkeypatch.chdir(folder)
    result = run("grade", "submission.json", "--key", "instructor/key.json")
    assert "Total: 2 / 2 (100.0%)" in result.output


def test_practice_needs_a_family_or_topic(run):
    result = run("practice", "-c", "2")
    assert result.exit_code == 2 and "--family" in result.output


def test_a_resumed_session_asks_what_the_uninterrupted_one_would_have(run, tmp_path, monkeypatch):
    families = ["dropout", "hinge_loss", "gradient_clipping"]
    args = [arg for family in families for arg in ("-f", family)]
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(tmp_path / "whole.json"))
    whole = run("drill", *args, "-c", "3", "-s", "same", input="\n" * 60)
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(tmp_path / "split.json"))
    first = run("drill", *args, "-c", "3", "-s", "same", input="\n" * 4)
    asked = first.output.count("── Question")
    rest = run("drill", "--resume", input="\n" * 60)

    def titles(text):
        return [line for line in text.splitlines() if line.startswith("── Question")]

    resumed = titles(first.output)[: asked - 1] + titles(rest.output)
    assert resumed == titles(whole.output)


def test_an_unreadable_progress_file_that_cannot_be_moved_is_one_line(run, progress_file):
    progress_file.mkdir(parents=True)  # a folder where the file belongs: unreadable, unmovable
    (progress_file / "x").write_text("")
    for n in range(1, 1000):
        (progress_file.parent / f"drill.json.unreadable-{n}").mkdir()
    result = run("drill", "-f", "dropout", "-c", "1", input="\n")
    assert result.exit_code == 2
    assert "unreadable, with too many unreadable files beside it" in result.output
    assert (progress_file / "x").exists()


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        (r"\partial L / \partial s", "∂L/∂s"),  # one symbol: never wrapped at its spaces
        (r"L = \frac{1}{2}\lVert z_2 - y \rVert^2", "L = 1/2‖z_2 - y‖^2"),
        (r"\mathrm{softmax}(QK^\top / \sqrt{d})\, V", "softmax(QKᵀ/√d) V"),
        (
            r"L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + 1)",
            "L_i = Σ_(j ≠ y_i) max(0, s_j - s_(y_i) + 1)",
        ),
        (r"\delta_1 = (W_2^\top \delta_2) \odot g'(z_1)", "δ_1 = (W_2ᵀ δ_2) ⊙ g'(z_1)"),
        (r"\theta \leftarrow \theta - \eta \nabla L", "θ ← θ - η ∇L"),
        (r"h = \operatorname{sigmoid}(z_1), \hat{y}", "h = sigmoid(z_1), y\u0302"),
        (r"\frac{a + b}{2c} + \sqrt{x + 1}", "(a + b)/2c + √(x + 1)"),
        (r"\unknown{x} \frac{1}{", r"\unknown{x} 1/()"),  # kept as written; never an error
    ],
)
def test_formulas_read_as_plain_symbols_in_the_terminal(tex, plain):
    assert plain_formula(tex) == plain
    assert drills.terminal_text(f"where ${tex}$.") == f"where {plain}."


@pytest.mark.parametrize("family", registry.names())
def test_no_tex_reaches_a_drill_question_or_its_solution(family):
    for level in ("easy", "medium", "hard"):
        for seed in ("t1", "t2"):
            session = Session(seed, [family], 10)
            question = drills.instance(session, family, level, secret_key(seed))
            rendered = drills.render_question(family, question)
            texts = [rendered["question"], rendered["solution"]]
            texts += [part["label"] for part in question["parts"]]
            texts += rendered["choice"]["options"] if rendered["choice"] else []
            for text in map(drills.terminal_text, texts):
                assert not re.search(r"\\[A-Za-z,]|\$", text), text


def test_a_drill_question_reads_as_plain_text_at_80_columns():
    """No line past the width, no word broken, no Markdown table or code marks, no TeX."""
    from generator.render.terminal import terminal_text

    for family in ("hinge_loss", "softmax_loss", "network_table", "conv_forward"):
        session = Session("cols", [family], 3)
        question = drills.instance(session, family, "hard", secret_key("cols"))
        rendered = drills.render_question(family, question)
        for source in (rendered["question"], rendered["solution"]):
            text = terminal_text(source, width=80)
            unwrapped = terminal_text(source, width=10**6)

            def words(shown):
                return sorted(w for w in shown.split() if set(w) != {"-"})

            assert words(text) == words(unwrapped)  # wrapped between words, none broken
            for line in text.splitlines():
                assert len(line) <= 80 or " " not in line.strip(), line
                assert "`" not in line and "|---" not in line and "{" not in line, line


def test_a_hint_is_the_parts_own_step_and_never_states_its_answer():
    from generator.answers import answer_type_from_json

    hints = own = 0
    for family in registry.names():
        for level in ("easy", "medium", "hard"):
            session = Session("hint", [family], 3)
            question = drills.instance(session, family, level, secret_key("hint"))
            for part in question["parts"]:
                answer_type = answer_type_from_json(part["type"])
                hint = drills.part_hint(question["steps"], answer_type, part)
                if hint is None:
                    continue
                hints += 1
                own += "?" in hint
                shown = str(answer_type.display(part["key"]))
                if "?" not in hint:  # a step chosen for its method must not state the key
                    assert not re.search(rf"(?<![\w.]){re.escape(shown)}(?!\w|\.\d)", hint, re.I)
    assert hints > 100 and own > hints / 2  # most parts get the step that computes them


def test_relus_hint_is_the_relu_step_not_the_first():
    from generator.answers import answer_type_from_json

    family = registry.get("activation_identities")
    params = family.read_givens({"x": -0.2, "alpha": 0.1})
    solution = family.solved(params)
    part = next(p for p in family.parts(params, solution) if p.id == "relu_grad")
    entry = {"key": part.key, "type": part.answer.to_json()}
    hint = drills.part_hint(solution.steps, answer_type_from_json(entry["type"]), entry)
    assert hint.startswith("ReLU'(x) is 1 for x > 0") and hint.endswith("= ?")


def test_a_matrix_reads_as_an_aligned_grid_in_the_terminal():
    text = drills.terminal_text(
        r"Input: $\begin{bmatrix} 11 & -6 \\ 8 & 13 \\ -9 & 0.5 \end{bmatrix}$, then more.", 80
    )
    assert text.splitlines() == [
        "Input: ⎡ 11   -6 ⎤",
        "       ⎢  8   13 ⎥",
        "       ⎣ -9  0.5 ⎦",
        "then more.",
    ]
    assert drills.terminal_text(r"a row $[1, 2]$ stays inline", 80) == "a row [1, 2] stays inline"
