"""Question files: an instructor's own parameterized problems in TOML, treated as built-in
families by every format, the grader, feedback, stats, the drill and the exports; and the
hostile ones, refused on one line naming the file and the field."""

import json
import shutil
import zipfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from conftest import filled_submission

from generator import registry
from generator.question_files import load_file
from generator.question_files.formulas import FormulaError, evaluate, parse

SHIPPED = Path(str(files("templates").joinpath("questions")))

SPEC = """title = "Mixed quiz"
[[questions]]
id = "knn"
file = "questions/knn_distances.toml"
points = 4
[[questions]]
id = "size"
file = "questions/conv_output_size.toml"
points = 2
format = "choice"
[[questions]]
id = "params"
family = "conv_params"
points = 2
"""


def _copy_questions(folder: Path) -> Path:
    target = folder / "questions"
    target.mkdir()
    for name in ("knn_distances.toml", "conv_output_size.toml"):
        shutil.copy(SHIPPED / name, target / name)
    return target


@pytest.fixture(autouse=True)
def no_families_left_behind(monkeypatch):
    """Families read from these tests' files live for the test alone: the suite's other
    tests take every registered family for a built-in one."""
    monkeypatch.setattr(registry, "_FROM_FILES", {})


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "state" / "drill.json"
    monkeypatch.setenv("EXAMGEN_PROGRESS", str(path))
    return path


def test_a_question_file_goes_through_every_format_the_grader_stats_and_the_lms_exports(
    run, tmp_path, monkeypatch
):
    questions = _copy_questions(tmp_path)
    (tmp_path / "quiz.toml").write_text(SPEC, encoding="utf-8")
    formats = "md,html,tex,moodle,qti" + (",pdf" if shutil.which("pdflatex") else "")
    result = run("generate", "quiz.toml", "--variants", "2", "--seed", "q", "--format", formats)
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    assert [q["family"] for q in key["questions"]] == [
        "file-knn_distances",
        "file-conv_size",
        "conv_params",
    ]
    knn = key["variants"][0]["questions"][0]
    first_coordinates = [x for x, _ in knn["params"]["X"]]
    table_row = "| $x_{i1}$ | " + " | ".join(map(str, first_coordinates)) + " |"
    assert table_row in knn["texts"]["question"]
    assert [p["id"] for p in knn["parts"]] == ["d1", "d2", "nearest", "vote"]
    student = exam / "students" / "v001"
    assert table_row in (student / "sheet.md").read_text()
    html = (student / "sheet.html").read_text()
    assert "<td>" + str(knn["params"]["X"][0][0]) in html and 'id="a-knn-d1"' in html  # the form
    assert "k-NN classifier" in (student / "sheet.tex").read_text()
    assert "Which of the options below is the output size?" in (student / "sheet.md").read_text()
    moodle = (exam / "instructor" / "moodle.xml").read_text()
    assert "k-NN classifier" in moodle and "the L1 distances to points 1 to 5" in moodle
    with zipfile.ZipFile(exam / "instructor" / "canvas-qti.zip") as archive:
        assert any("k-NN classifier" in archive.read(n).decode() for n in archive.namelist())

    # from here on the manifest alone: no question file, no family read from one
    shutil.rmtree(questions)
    monkeypatch.setattr(registry, "_FROM_FILES", {})
    for student_id in ("v001", "v002"):
        path = exam / "students" / student_id / "submission.json"
        path.write_text(json.dumps(filled_submission(exam, student_id)), encoding="utf-8")
    result = run("grade", str(exam / "students"), "--out", "grades")
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()[1:]
    assert [row.split(",")[6:8] for row in rows] == [["8", "8"], ["8", "8"]], rows
    feedback = (tmp_path / "grades" / "feedback" / "v001.md").read_text()
    assert "majority vote is class" in feedback and table_row in feedback
    assert "L2 distances" in (tmp_path / "grades" / "feedback" / "v001.html").read_text()
    result = run("stats", "grades")
    assert result.exit_code == 0 and "file-knn_distances" in result.output
    result = run("export", str(exam), "--format", "moodle,qti,gradescope", "--force")
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(exam / "instructor" / "gradescope-autograder.zip")
    assert (exam / "instructor" / "moodle.xml").read_text() == moodle


def test_a_question_file_is_drilled_and_practised_as_a_family(run, tmp_path, progress_file):
    path = str(_copy_questions(tmp_path) / "conv_output_size.toml")
    result = run("practice", "--family", path, "-c", "2", "-s", "p", "--format", "md")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "output").iterdir()
    key = json.loads((folder / "instructor" / "key.json").read_text())
    assert "A convolutional layer with a" in (folder / "practice.md").read_text()
    answers = {q["id"]: {"out": q["parts"][0]["key"]} for q in key["variants"][0]["questions"]}
    submission = json.loads((folder / "submission.json").read_text())
    submission["answers"] = answers
    (folder / "submission.json").write_text(json.dumps(submission))
    result = run(
        "grade", str(folder / "submission.json"), "--key", str(folder / "instructor/key.json")
    )
    assert result.exit_code == 0 and "2 / 2" in result.output, result.output
    result = run("drill", "-f", path, "-c", "1", "-s", "d1", input="0\n0\n")
    assert result.exit_code == 0, result.output
    assert "✗ not right" in result.output and "Formula:" in result.output
    assert "file-conv_size" in result.output


def test_the_conv_question_file_gives_the_built_in_keys_on_1000_seeds():
    built_in = registry.get("conv_output_size")
    from_file = load_file(SHIPPED / "conv_output_size.toml")
    for seed in range(1000):
        params = built_in.read_givens(built_in.sample(np.random.default_rng(seed), "easy"))
        key = built_in.solve(params).answers["output"]
        givens = {"n": params["input"], "k": params["kernel"], "s": params["stride"]}
        solution = from_file.solved({**givens, "p": params["padding"]})
        assert solution.answers["out"] == key, (seed, params)


@pytest.mark.parametrize(
    "table",
    [
        {"int": [0, 6], "size": [5, 2]},
        {"int": [-3, 10**9], "size": 7},
        {"real": [-1, 1], "step": 0.25, "size": [2, 3]},
        {"choice": ["a", "b", "c"], "size": 4},
    ],
)
def test_a_vector_or_matrix_given_draws_what_drawing_its_entries_one_by_one_would(table):
    """A given's entries are drawn in one call (givens.Sampler.draw): the same numbers as
    one call each, so the instances a seed gives do not depend on how they are drawn."""
    from generator.question_files.givens import sampler

    given = sampler(table)
    for seed in range(200):
        drawn = given.draw(np.random.default_rng(seed))
        one_by_one = np.random.default_rng(seed)
        count = len(given.options) if given.kind == "choice" else given.points
        entries = np.array(drawn, dtype=object).flatten().tolist()
        assert entries == [given._value(int(one_by_one.integers(count))) for _ in entries]


def test_solve_check_and_the_json_answers_of_a_question_file(run, tmp_path):
    path = str(_copy_questions(tmp_path) / "conv_output_size.toml")
    result = run("solve", path, "-g", "n=32", "-g", "k=5", "-g", "s=1", "-g", "p=2", "--json")
    assert result.exit_code == 0 and json.loads(result.output) == {"out": 32}
    result = run("check", path, "--count", "200")
    assert result.exit_code == 0, result.output
    assert "200 instances drawn" in result.output and "no problems found" in result.output
    assert "  k: 1 to 7 (4 distinct)" in result.output
    result = run("check", "receptive_field", "--count", "50")
    assert result.exit_code == 0 and "no problems found" in result.output


def _question_file(folder: Path, text: str, name: str = "bad.toml") -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = """
question = "What is {{ a }} + {{ b }}?"
solution = "{{ a }} + {{ b }} = {{ total }}."
[givens]
a = { int = [1, 9] }
b = { int = [1, 9] }
[answers.total]
type = "integer"
value = "a + b"
"""


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (
            ('value = "a + b"', "value = \"__import__('os').system('true')\""),
            "answers.total.value",
            "unexpected",
        ),
        (('value = "a + b"', 'value = "a.__class__"'), "answers.total.value", "unexpected"),
        (('"What is', '"$\\\\input{/etc/passwd}$ What is'), "question", "\\input"),
        (
            ("[givens]", 'constraints = ["a > 100"]\n[givens]'),
            "constraints[0]",
            "no instance meets",
        ),
        (('value = "a + b"', 'value = "10^10^10"'), "answers.total.value", "exponents are limited"),
        (
            ("b = { int = [1, 9] }", "b = { int = [1, 9], size = [100, 100] }"),
            "givens.b.size",
            "400",
        ),
        (('value = "a + b"', 'value = "range(10000)"'), "answers.total.value", "400 entries"),
        (("[givens]", "oops = 1\n[givens]"), "oops", "unknown field"),
        (('"What is', '"<script>alert(1)</script> What is'), "question", "raw HTML"),
        (
            ('type = "integer"', 'label = "sum\\u001b[2J"\ntype = "integer"'),
            "answers.total.label",
            "control character",
        ),
        (('"What is', '"[click](javascript:alert(1)) What is'), "question", "a link or image"),
    ],
)
def test_a_hostile_question_file_gets_one_line_naming_the_file_and_field(
    run, tmp_path, change, field, says
):
    path = _question_file(tmp_path, GOOD.replace(*change))
    result = run("check", path, "--count", "20")
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: {path}: {field}: ") and says in line, line


def test_an_unsatisfiable_constraint_stops_generate_on_one_line(run, tmp_path):
    _question_file(tmp_path, GOOD.replace("[givens]", 'constraints = ["a == b + 20"]\n[givens]'))
    (tmp_path / "quiz.toml").write_text('title = "Q"\n[[questions]]\nfile = "bad.toml"\n')
    result = run("generate", "quiz.toml", "--variants", "1", "--seed", "s")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "bad.toml: constraints[0]: no instance meets 'a == b + 20' in 1,000 draws" in line


def test_formulas_are_parsed_never_evaluated_as_python():
    for text in ("__import__('os')", "a.real", "lambda: 1", "[x for x in a]", "a; b", "`a`"):
        with pytest.raises(FormulaError):
            evaluate(parse(text, {"a", "b"}), {})


def test_formulas_are_exact_where_they_can_be():
    from fractions import Fraction

    assert evaluate(parse("1/3 + 1/6", set()), {}) == Fraction(1, 2)
    assert evaluate(parse("sqrt(9/4)", set()), {}) == Fraction(3, 2)
    assert evaluate(parse("norm([3, 4])", set()), {}) == 5
    assert evaluate(parse("[[1, 2], [3, 4]] @ [1, 1]", set()), {}) == (3, 7)


def test_check_reports_a_mistake_that_scores_and_a_key_tolerance_takes_for_zero(run, tmp_path):
    scoring = GOOD.replace(
        'value = "a + b"',
        'value = "a + b"\nmistakes = [{ value = "a + b + 1", diagnosis = "one too many" }]',
    ).replace('type = "integer"', 'type = "real"\nrtol = 0.5')
    result = run("check", _question_file(tmp_path, scoring), "--count", "30")
    assert result.exit_code == 1 and "the mistake 'one too many' scores as correct" in result.output
    near_zero = GOOD.replace(
        'type = "integer"\nvalue = "a + b"', 'type = "real"\nrtol = 2\nvalue = "a / 1000"'
    )
    result = run("check", _question_file(tmp_path, near_zero, "zero.toml"), "--count", "30")
    assert result.exit_code == 1 and "so near 0 that 0 is accepted" in result.output
    assert "first: {" in result.output


def test_a_bank_asks_different_items_per_student_and_keeps_their_ids(run, tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    for name in ("knn_distances.toml", "conv_output_size.toml", "knn_concepts.toml"):
        shutil.copy(SHIPPED / name, bank / name)
    (tmp_path / "quiz.toml").write_text('title = "B"\n[[questions]]\nbank = "bank"\npick = 2\n')
    result = run("generate", "quiz.toml", "--variants", "4", "--seed", "b")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        items = [q["params"]["item"] for q in variant["questions"]]
        assert len(set(items)) == 2 and all(
            q["features"]["item"] in items for q in variant["questions"]
        )
    (tmp_path / "quiz.toml").write_text('title = "B"\n[[questions]]\nbank = "bank"\npick = 4\n')
    result = run("generate", "quiz.toml", "--variants", "1", "--seed", "b")
    assert (
        result.exit_code == 2
        and "questions[1].pick: must be a whole number from 1" in result.output
    )


def test_a_drill_of_a_question_file_never_sets_the_progress_file_aside(
    run, tmp_path, progress_file, monkeypatch
):
    path = str(_copy_questions(tmp_path) / "conv_output_size.toml")
    result = run("drill", "-f", path, "-c", "2", "-s", "d1", input="")
    assert result.exit_code == 0 and "Session ended." in result.output, result.output
    monkeypatch.setattr(registry, "_FROM_FILES", {})  # each run a process of its own
    result = run("drill", "--resume", "-f", path, input="")
    assert result.exit_code == 0 and "Resuming: question 1 of 2" in result.output, result.output
    monkeypatch.setattr(registry, "_FROM_FILES", {})
    result = run("drill", "-f", "dropout", "-c", "1", "-s", "d2", input="")
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert progress_file.exists() and not list(progress_file.parent.glob("*.bad*"))


def test_the_shipped_question_files_are_listed_copied_and_never_overwritten(run, tmp_path):
    result = run("questions")
    assert result.exit_code == 0 and "knn_distances.toml" in result.output
    assert run("questions", "--copy", "mine").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == sorted(
        p.name for p in SHIPPED.glob("*.toml")
    )
    (tmp_path / "mine" / "knn_concepts.toml").write_text("# my own edits")
    result = run("questions", "--copy", "mine")
    assert result.exit_code == 2 and "exists already" in result.output
    assert (tmp_path / "mine" / "knn_concepts.toml").read_text() == "# my own edits"


def test_constraints_that_would_take_long_to_meet_are_refused(run, tmp_path):
    slow = GOOD.replace("b = { int = [1, 9] }", "b = { int = [1, 9], size = [10, 10] }").replace(
        "[givens]", 'constraints = ["sum(b @ b) < 0"]\n[givens]'
    )
    result = run("check", _question_file(tmp_path, slow), "--count", "5")
    assert result.exit_code == 2, result.output
    assert "constraints: the constraints take more than 200,000 steps to meet" in result.output


def test_a_formula_that_would_run_long_is_refused_naming_its_field(run, tmp_path):
    slow = GOOD.replace("b = { int = [1, 9] }", "b = { int = [1, 9], size = [20, 20] }").replace(
        'value = "a + b"', 'value = "sum(b @ b @ b @ b @ b @ b @ b @ b)"'
    )
    result = run("check", _question_file(tmp_path, slow), "--count", "5")
    assert result.exit_code == 2, result.output
    assert "answers.total.value: takes more than 20,000 steps" in result.output


def test_every_answer_type_and_a_choice_answers_options_reach_the_sheet(run, tmp_path):
    text = GOOD.replace(
        '[answers.total]\ntype = "integer"\nvalue = "a + b"',
        """[answers.total]
type = "integer"
value = "a + b"
[answers.ex]
type = "expression"
symbols = ["x"]
value = "{{ a }}*x^2"
[answers.even]
label = "which are even"
type = "choice"
options = [
  { text = "$a = {{ a }}$", correct = "a % 2 == 0" },
  { text = "$b = {{ b }}$", correct = "b % 2 == 0 or a % 2 == 1" },
]""",
    )
    path = _question_file(tmp_path, text, "types.toml")
    result = run("solve", path, "-g", "a=3", "-g", "b=4", "--json")
    assert json.loads(result.output) == {"total": 7, "ex": "3*x^2", "even": "B"}
    (tmp_path / "q.toml").write_text('title = "T"\n[[questions]]\nfile = "types.toml"\n')
    assert run("generate", "q.toml", "--variants", "1", "--seed", "t").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    sheet = (exam / "students" / "v001" / "sheet.md").read_text()
    assert "`even`: which are even\n\n- (A) $a = " in sheet and "- (B) $b = " in sheet


def test_a_question_files_plot_is_svg_in_html_and_a_latex_picture_with_labels_escaped():
    from generator.render.markup import escape_latex
    from generator.render.scatter import read_plot, scatter_latex, scatter_svg

    plot = read_plot(
        {
            "points": [[0, 1], [2, 3]],
            "labels": ["<script>x</script>", "\\input{a}"],
            "query": [1, 1],
        }
    )
    svg = scatter_svg(plot)
    assert svg.startswith('<figure class="plot"><svg') and "<script>" not in svg
    assert "&lt;script&gt;" in svg and svg.count("<text") >= 4
    latex = scatter_latex(plot, escape_latex)
    assert r"\begin{picture}" in latex and r"\input{a}" not in latex
    assert r"\textbackslash{}input" in latex
    assert read_plot({"points": [[0, "1; DROP"]]}) is None and read_plot([1]) is None


def test_the_knn_question_plots_its_points_on_html_and_latex_sheets(run, tmp_path):
    _copy_questions(tmp_path)
    (tmp_path / "q.toml").write_text(
        'title = "K"\n[[questions]]\nfile = "questions/knn_distances.toml"\n'
    )
    assert (
        run(
            "generate", "q.toml", "--variants", "1", "--seed", "k", "--format", "html,tex"
        ).exit_code
        == 0
    )
    (exam,) = (tmp_path / "output").iterdir()
    html = (exam / "students" / "v001" / "sheet.html").read_text()
    assert html.count('<figure class="plot"><svg') == 1 and "class 1: dots" in html
    tex = (exam / "students" / "v001" / "sheet.tex").read_text()
    assert tex.count(r"\begin{picture}") == 1 and r"\blacksquare" in tex


def test_a_spec_naming_a_missing_question_file_or_bank_says_which_entry(run, tmp_path):
    (tmp_path / "q.toml").write_text('title = "Q"\n[[questions]]\nfile = "nowhere.toml"\n')
    result = run("generate", "q.toml", "--variants", "1", "--seed", "s")
    assert result.exit_code == 2
    assert result.output.startswith("error: q.toml: questions[1].file: no question file")
    (tmp_path / "q.toml").write_text('title = "Q"\n[[questions]]\nbank = "q.toml"\npick = 1\n')
    result = run("generate", "q.toml", "--variants", "1", "--seed", "s")
    assert "questions[1].bank: no folder of question files" in result.output


def test_a_question_that_shows_an_answer_is_refused_naming_it(run, tmp_path):
    stride = (Path(__file__).parent.parent / "templates" / "questions" / "stride.toml").read_text()
    leak = stride.replace("How many samples remain?", "How many samples remain ({{ kept }})?")
    assert leak != stride
    (tmp_path / "leak.toml").write_text(leak)
    result = run("check", "leak.toml")
    assert result.exit_code == 2
    assert "leak.toml: question: shows the answer 'kept'" in result.output


def test_an_answer_label_with_a_slot_is_refused(run, tmp_path):
    (tmp_path / "label.toml").write_text(
        'question = "n is {{ n }}"\nsolution = "s"\n[givens]\nn = { int = [1, 9] }\n'
        '[answers.a]\ntype = "integer"\nvalue = "n"\nlabel = "a for {{ n }}"\n'
    )
    result = run("check", "label.toml")
    assert result.exit_code == 2
    assert "answers.a.label: is plain text" in result.output


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("file", "/etc/hostname.toml", "is not in the spec's folder or below it"),
        ("file", "../elsewhere.toml", "is not in the spec's folder or below it"),
        ("file", "", "must name a question file"),
        ("bank", "", "must name a folder of question files"),
        ("bank", "..", "is not in the spec's folder or below it"),
    ],
)
def test_a_spec_names_question_files_beside_it_only(run, tmp_path, key, value, says):
    (tmp_path / "elsewhere.toml").write_text("")
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "quiz.toml").write_text(f'title = "Q"\n[[questions]]\n{key} = "{value}"\n')
    result = run("generate", str(folder / "quiz.toml"), "-n", "1", "--seed", "s")
    assert result.exit_code == 2
    assert f"questions[1].{key}: " in result.output and says in result.output


def test_check_refuses_a_folder_larger_than_a_bank_may_be(run, tmp_path):
    stride = (Path(__file__).parent.parent / "templates" / "questions" / "stride.toml").read_text()
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(201):
        (folder / f"q{n:03d}.toml").write_text(stride)
    result = run("check", "many")
    assert result.exit_code == 2
    assert "holds more than 200 question files" in result.output


def test_check_stops_a_slow_family_at_its_budget_and_says_so():
    from generator import registry
    from generator.question_files.check import check_family

    report = check_family(registry.get("conv_output_size"), count=1000, budget=0.0)
    assert report.drawn == 1
    assert any("stopped after 0 s with 1 of 1000 drawn" in line for line in report.lines())


def test_a_word_given_that_brings_a_file_primitive_into_a_formula_is_refused(run, tmp_path):
    # the file's texts pass when read; the word a draw puts in the slot is checked when filled
    (tmp_path / "words.toml").write_text(
        'question = "Use $x{{ w }}$ now"\nsolution = "s"\n'
        '[givens]\nw = { choice = ["1", "\\\\input{/etc/hostname}"] }\n'
        '[answers.a]\ntype = "integer"\nvalue = "1"\n'
    )
    result = run("check", "words.toml")
    assert result.exit_code == 2
    assert (
        "words.toml: question: the formula 'x\\input{/etc/hostname}' uses \\input" in result.output
    )


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('[answers.a]\ntype = "real"\nvalue = "round(n, 100000000)"\n', "round takes at most"),
        ('[values]\nv = "softmax([])"\n[answers.a]\ntype = "integer"\nvalue = "n"\n', "no value"),
        ('[values]\nv = "argmin([])"\n[answers.a]\ntype = "integer"\nvalue = "n"\n', "no value"),
        ('[values]\nv = "[] @ []"\n[answers.a]\ntype = "integer"\nvalue = "n"\n', "v"),
    ],
)
def test_a_formula_python_would_choke_on_is_one_line_not_a_hang(run, tmp_path, extra, says):
    (tmp_path / "bad.toml").write_text(
        'question = "n is {{ n }}"\nsolution = "s"\n[givens]\nn = { int = [1, 9] }\n' + extra
    )
    result = run("check", "bad.toml")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: bad.toml: ") and says in line


def test_a_fixed_given_with_a_billion_digit_exponent_is_refused_at_once(run, tmp_path):
    stride = (Path(__file__).parent.parent / "templates" / "questions" / "stride.toml").read_text()
    (tmp_path / "stride.toml").write_text(stride)
    (tmp_path / "g.toml").write_text(
        'title = "G"\n[[questions]]\nfile = "stride.toml"\n[questions.givens]\nn = "1e999999999"\n'
    )
    result = run("generate", "g.toml", "-n", "1", "--seed", "s")
    assert result.exit_code == 2
    assert "questions[1].givens.n: expected a number such as 3" in result.output


def test_a_string_in_a_slot_is_checked_as_the_text_it_brings(run, tmp_path):
    (tmp_path / "literal.toml").write_text(
        'question = "n is {{ n }} {{ \'<img src=x onerror=alert(1)>\' }}"\nsolution = "s"\n'
        '[givens]\nn = { int = [1, 9] }\n[answers.a]\ntype = "integer"\nvalue = "n"\n'
    )
    result = run("check", "literal.toml")
    assert result.exit_code == 2
    assert "literal.toml: question: raw HTML '<img src=x onerror=alert(1)>'" in result.output


def test_a_question_that_quotes_katexs_mark_gets_katex_only_where_the_page_put_it(run, tmp_path):
    """Pages are written with KaTeX in place of the mark their template puts before the end
    of an HTML page (render.assets.with_katex): the same mark quoted in a question's text,
    in a code span, stays text on every page."""
    from conftest import assert_carries_katex

    from generator.render.assets import KATEX_MARK

    path = _copy_questions(tmp_path) / "stride.toml"
    path.write_text(
        (SHIPPED / "stride.toml")
        .read_text()
        .replace("How many samples remain?", f"How many samples remain (`{KATEX_MARK}`)?")
    )
    (tmp_path / "quiz.toml").write_text(
        'title = "Quiz"\n[[questions]]\nid = "s"\nfile = "questions/stride.toml"\npoints = 1\n'
    )
    result = run("generate", "quiz.toml", "-n", "1", "-s", "m", "--format", "md,html,tex")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    katex = (SHIPPED.parent / "assets" / "katex" / "katex.min.js").read_text()
    for name in ("sheet.md", "sheet.tex"):
        page = (exam / "students" / "v001" / name).read_text()
        assert "examgen:katex" in page and katex[:100] not in page, name  # quoted, as text
    for page in (exam / "students" / "v001" / "sheet.html", exam / "instructor/keys/v001.html"):
        assert_carries_katex(page.read_text())


def test_a_question_file_no_draw_meets_fails_a_large_class_on_one_line(run, tmp_path):
    """Sixty students and more are generated in worker processes: the file's error is still
    one line, not a broken process pool's traceback."""
    (tmp_path / "bad.toml").write_text(
        'name = "bad"\ntitle = "Bad"\nquestion = "{{ a }}?"\nsolution = "{{ a }}."\n'
        'constraints = ["a == b + 20"]\n[givens]\na = { int = [0, 5] }\nb = { int = [0, 5] }\n'
        '[answers.x]\nlabel = "a"\ntype = "integer"\nvalue = "a"\n'
    )
    (tmp_path / "spec.toml").write_text(
        'title = "Quiz"\n[[questions]]\nid = "q"\nfile = "bad.toml"\npoints = 2\n'
    )
    result = run("generate", "spec.toml", "-n", "60", "-s", "x")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ") and "constraints[0]: no instance meets" in line
