"""examgen generate: files written, determinism, secrecy of the seed, refusals."""

import hashlib
import json

import pytest
from conftest import filled_submission


def tree_digest(directory):
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_generate_writes_sheets_keys_and_blank_submissions(exam):
    for student in ("v001", "v002", "v003"):
        sheet = (exam / "students" / student / "sheet.md").read_text()
        assert sheet.startswith("# ConvNet shapes and parameters")
        assert (exam / "instructor" / "keys" / f"{student}.md").read_text().count("**Answer**") == 5
        blank = json.loads((exam / "students" / student / "submission.json").read_text())
        assert blank["student_id"] == student
        assert all(v == "" for parts in blank["answers"].values() for v in parts.values())
    key = json.loads((exam / "instructor" / "key.json").read_text())
    assert key["seed"] == "test-seed" and len(key["variants"]) == 3


def test_the_same_spec_and_seed_give_byte_identical_files(run, tmp_path):
    run("generate", "-n", "4", "--seed", "s", "--out", "a")
    run("generate", "-n", "4", "--seed", "s", "--out", "b")
    (first,) = (tmp_path / "a").iterdir()
    (second,) = (tmp_path / "b").iterdir()
    assert first.name == second.name
    assert tree_digest(first) == tree_digest(second)


def test_a_different_seed_gives_a_different_exam(run, tmp_path):
    run("generate", "-n", "2", "--seed", "one", "--out", "a")
    run("generate", "-n", "2", "--seed", "two", "--out", "a")
    assert len(list((tmp_path / "a").iterdir())) == 2


def test_a_students_variant_does_not_change_when_the_class_grows(run, tmp_path):
    run("generate", "-n", "2", "--seed", "s", "--out", "small")
    run("generate", "-n", "5", "--seed", "s", "--out", "large")
    (small,) = (tmp_path / "small").iterdir()
    (large,) = (tmp_path / "large").iterdir()
    for name in ("students/v002/sheet.md", "instructor/keys/v002.md"):
        assert (small / name).read_text() == (large / name).read_text()


def test_nothing_printed_for_students_contains_the_seed(run, tmp_path):
    seed = "correct-horse-battery-staple"
    run("generate", "-n", "2", "--seed", seed)
    (exam,) = (tmp_path / "output").iterdir()
    for path in (exam / "students").rglob("*"):
        if path.is_file():
            assert seed not in path.read_text()


def test_an_existing_exam_is_not_overwritten_without_force(run, exam):
    sheet = exam / "students" / "v001" / "sheet.md"
    sheet.write_text("the instructor's edits")
    result = run("generate", "convnet-shapes", "--variants", "3", "--seed", "test-seed")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {exam.relative_to(exam.parent.parent)} already exists: the same spec and seed "
        "make the same exam; another --seed makes another (use --force to replace it)"
    )
    assert sheet.read_text() == "the instructor's edits"
    result = run("generate", "convnet-shapes", "--variants", "3", "--seed", "test-seed", "--force")
    assert result.exit_code == 0
    assert sheet.read_text().startswith("# ConvNet")
    assert [p.name for p in exam.parent.iterdir()] == [exam.name]  # no staging left behind


def test_a_roster_names_folders_and_sheets(run, tmp_path):
    # written by a spreadsheet: a byte-order mark and CRLF line ends
    (tmp_path / "class.csv").write_bytes(
        "\ufeffid,name\r\ns1,Ada Lovelace\r\ns2,Alan Turing\r\n".encode()
    )
    result = run("generate", "--roster", "class.csv", "--seed", "r")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    assert "Name: Ada Lovelace" in (exam / "students" / "s1" / "sheet.md").read_text()
    assert sorted(p.name for p in (exam / "students").iterdir()) == ["s1", "s2"]


@pytest.mark.parametrize(
    ("title", "folder"),
    [
        ("Prüfung: Übung für Anfänger", "prufung-ubung-fur-anfanger-"),
        ("Straße, Łódź & Æsir", "strasse-lodz-aesir-"),
        ("Контрольная", "exam-"),
    ],
)
def test_an_exam_folder_spells_its_title_in_ascii(run, tmp_path, title, folder):
    (tmp_path / "quiz.toml").write_text(
        f'title = "{title}"\n[[questions]]\nfamily = "conv_params"\npoints = 2\n',
        encoding="utf-8",
    )
    result = run("generate", "quiz.toml", "--seed", "r")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    assert exam.name.startswith(folder) and exam.name.isascii()


def test_the_midterm_exam_reproduces_the_seed_problem(run, tmp_path):
    result = run("generate", "midterm-3-3", "--seed", "m")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = (exam / "instructor" / "keys" / "v001.md").read_text()
    assert "10x1x5x5 + 10 = 260" in key and "8x8x10x10 + 10 = 6410" in key
    assert "n = 5 + 1·(3 − 1) = 7" in key


def test_a_spec_file_with_fixed_givens_is_honoured(run, tmp_path):
    (tmp_path / "quiz.toml").write_text(
        'title = "Pooling quiz"\n[[questions]]\nfamily = "conv_output_size"\ncount = 3\n'
        '[questions.givens]\nop = "pool"\nkernel = 2\nstride = 2\n'
    )
    result = run("generate", "quiz.toml", "-n", "2", "--seed", "q")
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        assert [q["id"] for q in variant["questions"]] == ["q1a", "q1b", "q1c"]
        for question in variant["questions"]:
            assert question["params"]["op"] == "pool" and question["params"]["kernel"] == 2


@pytest.mark.parametrize(
    "text,message",
    [
        ("title = ", "quiz.toml: not valid TOML"),
        ('[[questions]]\nfamily = "conv_params"', "quiz.toml: title: is missing"),
        ('title = "t"', "quiz.toml: questions: needs at least one"),
        ('title = "t"\n[[questions]]\nfamily = "nope"', "questions[1].family: unknown family"),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_params"\npoints = "four"',
            "questions[1].points: must be a number from 0.01 to 1000",
        ),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_params"\ndifficulty = "insane"',
            "questions[1].difficulty: must be one of easy, medium, hard",
        ),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_params"\ncolour = 1',
            "questions[1].colour: unknown field",
        ),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_params"\n[questions.givens]\nk = 3',
            "questions[1].givens: conv_params has no given 'k'",
        ),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_output_size"\n[questions.givens]\n'
            "input = 7\nkernel = 2\nstride = 2",
            "question q1.givens: no valid instance",
        ),
        (
            'title = "t"\n[[questions]]\nid = "a"\nfamily = "conv_params"\n'
            '[[questions]]\nid = "a"\nfamily = "conv_params"',
            "question id 'a' is used twice",
        ),
        (
            'title = "t\\u0000"\n[[questions]]\nfamily = "conv_params"',
            "quiz.toml: title: holds a control character",
        ),
        (
            'title = "t"\n[[questions]]\nfamily = "conv_params"\ntitle = "a\\u001bb"',
            "questions[1].title: holds a control character",
        ),
    ],
)
def test_bad_spec_files_get_one_line_naming_file_and_field(run, tmp_path, text, message):
    (tmp_path / "quiz.toml").write_text(text)
    result = run("generate", "quiz.toml", "--seed", "x")
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "output").exists() or not list((tmp_path / "output").iterdir())


@pytest.mark.parametrize(
    "roster,message",
    [
        ("name\nAda\n", "line 1: the first row must be a header with an 'id' column"),
        ("id,name\ns1,A\ns1,B\n", "line 3: student id 's1' appears twice"),
        ("id\n../etc\n", "line 2: student id '../etc' must be"),
        ("id,name\n", "no students listed"),
    ],
)
def test_bad_rosters_are_refused(run, tmp_path, roster, message):
    (tmp_path / "class.csv").write_text(roster)
    result = run("generate", "--roster", "class.csv", "--seed", "x")
    assert result.exit_code == 2
    assert message in result.output


def test_missing_files_and_unknown_builtins_are_named(run):
    result = run("generate", "missing.toml")
    assert result.exit_code == 2 and "missing.toml: no such file" in result.output
    result = run("generate", "nonesuch")
    assert (
        result.exit_code == 2
        and "built-in: convnet-shapes, default, losses-and-gradients, midterm-3-3" in result.output
    )


def test_variants_and_roster_together_are_refused(run, tmp_path):
    (tmp_path / "class.csv").write_text("id\ns1\n")
    result = run("generate", "-n", "2", "--roster", "class.csv")
    assert result.exit_code == 2


def test_without_a_seed_a_random_one_is_recorded_and_reproduces(run, tmp_path):
    result = run("generate", "-n", "2")
    assert "no --seed given" in result.output
    (exam,) = (tmp_path / "output").iterdir()
    seed = json.loads((exam / "instructor" / "key.json").read_text())["seed"]
    run("generate", "-n", "2", "--seed", seed, "--out", "again")
    (again,) = (tmp_path / "again").iterdir()
    assert tree_digest(exam) == tree_digest(again)


def test_the_key_answers_a_full_mark_submission(exam):
    submission = filled_submission(exam)
    assert all(v != "" for parts in submission["answers"].values() for v in parts.values())


def test_the_default_exam_has_the_midterms_structure_and_points(run, tmp_path):
    run("generate", "-n", "2", "--seed", "d")
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    questions = key["questions"]
    true_false = [q for q in questions if q["family"] == "concept_tf"]
    choice = [q for q in questions if q["id"].startswith("mc")]
    short = [q for q in questions if q not in true_false and q not in choice]
    assert (len(true_false), sum(q["points"] for q in true_false)) == (10, 20)
    assert (len(choice), sum(q["points"] for q in choice)) == (10, 40)
    assert sum(q["points"] for q in short) == 40
    from generator import registry
    from generator.exam import spec

    families = {q["family"] for q in short} | {q["family"] for q in choice}
    numeric = {name for name in registry.names() if not name.startswith("concept")}
    # every family of the course's notes; forward passes and training have their own exam
    by_hand = {q.family for q in spec.load("networks-and-training").questions}
    assert numeric - by_hand <= families
    assert not families & by_hand
    for variant in key["variants"]:
        kinds = [q["parts"][0]["type"]["kind"] for q in variant["questions"]]
        assert kinds.count("truefalse") == 10 and kinds.count("multiselect") == 10
