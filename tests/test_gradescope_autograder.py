"""The Gradescope autograder (export --format gradescope), run as Gradescope runs it: the zip
unpacked into an /autograder-shaped folder, setup.sh in a fresh venv (offline: the tests'
own dependencies stand in for PyPI, examgen itself comes from the zip's wheel), then
run_autograder on good and bad uploads with their metadata, each results.json checked
against a schema written from Gradescope's documentation (docs/gradescope.md)."""

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import filled_submission

from generator.cli import main
from generator.exports.wheel import examgen_wheel

ROSTER = (
    "id,name,email,sid\n"
    "s1,Ada Lovelace,ada@uni.edu,\n"
    "s2,Alan Turing,alan@uni.edu,\n"
    "s3,Grace Hopper,,9003\n"
    "s4,Dee Dee,,\n"
    "s5,Eve Evans,,\n"
)
GROUP_QUIZ = """title = "Group quiz"
[[questions]]
family = "conv_output_size"
points = 4
[gradescope]
visibility = "visible"
allow_groups = true
"""
SEED = "gradescope test seed"
ADA = {"name": "Ada Lovelace", "email": "ada@uni.edu", "id": 11}
ALAN = {"name": "Alan Turing", "email": "alan@uni.edu", "id": 12}

# results.json as Gradescope's autograder specification describes it ("Output format")
VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"]
OUTPUT_FORMATS = ["text", "html", "simple_format", "md", "ansi"]
NUMBER = {"type": "number"}
TEXT = {"type": "string"}
TEST = {
    "type": "object",
    "properties": {
        "score": NUMBER,
        "max_score": NUMBER,
        "status": {"enum": ["passed", "failed"]},
        "name": TEXT,
        "name_format": {"enum": OUTPUT_FORMATS},
        "number": TEXT,
        "output": TEXT,
        "output_format": {"enum": OUTPUT_FORMATS},
        "tags": {"type": "array", "items": TEXT},
        "visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "output", "tests"],  # optional for Gradescope; examgen always says
    "properties": {
        "score": NUMBER,
        "execution_time": NUMBER,
        "output": TEXT,
        "output_format": {"enum": OUTPUT_FORMATS},
        "test_output_format": {"enum": OUTPUT_FORMATS},
        "test_name_format": {"enum": OUTPUT_FORMATS},
        "visibility": {"enum": VISIBILITIES},
        "stdout_visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST},
        "leaderboard": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": False,
}
_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "number": (int, float),
}


def schema_problems(value, schema, where="results") -> list[str]:
    """What in ``value`` breaks ``schema``: the few JSON Schema keywords used above."""
    problems = []
    if "type" in schema and (
        not isinstance(value, _TYPES[schema["type"]]) or isinstance(value, bool)
    ):
        return [f"{where}: not of type {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not one of {schema['enum']}")
    if isinstance(value, dict):
        problems += [
            f"{where}.{name}: missing" for name in schema.get("required", ()) if name not in value
        ]
        known = schema.get("properties", {})
        for name, item in value.items():
            if name in known:
                problems += schema_problems(item, known[name], f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}.{name}: not a field Gradescope reads")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            problems += schema_problems(item, schema["items"], f"{where}[{n}]")
    return problems


def test_the_schema_check_fails_on_what_gradescope_would_not_read():
    assert schema_problems({"score": "1", "output": "", "tests": []}, RESULTS_SCHEMA)
    assert schema_problems({"score": 1, "output": "", "tests": [{"points": 1}]}, RESULTS_SCHEMA)
    assert schema_problems({"score": True, "output": "", "tests": []}, RESULTS_SCHEMA)
    bad_visibility = {"score": 1, "output": "", "tests": [], "visibility": "soon"}
    assert schema_problems(bad_visibility, RESULTS_SCHEMA)
    assert not schema_problems({"score": 1, "output": "", "tests": []}, RESULTS_SCHEMA)


# --- the exams, their zips, and the /autograder folders ------------------------------------


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def exported(folder: Path, spec: str) -> Path:
    """A generated exam, its Gradescope autograder exported: its directory."""
    cli(
        "generate",
        spec,
        "--roster",
        str(folder.parent / "roster.csv"),
        "--seed",
        SEED,
        "--out",
        str(folder / "output"),
    )
    (exam,) = (folder / "output").iterdir()
    cli("export", str(exam), "--format", "gradescope")
    return exam


def dependencies_site(zip_file: Path, folder: Path) -> Path:
    """A folder holding the zip's pinned requirements as installed here (links to them), as
    PyPI would give them to setup.sh: no examgen in it."""
    folder.mkdir()
    pins = zipfile.ZipFile(zip_file).read("requirements.txt").decode().split()
    for pin in pins:
        distribution = importlib.metadata.distribution(pin.split("==")[0])
        tops = {f.parts[0] for f in distribution.files or () if f.parts[0] != ".."}
        for top in sorted(tops):
            target = Path(distribution.locate_file(top))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target)
    return folder


def unpacked(zip_file: Path, root: Path) -> Path:
    """The zip as Gradescope lays it out: its files in source/, run_autograder at the top."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_file) as archive:
        for entry in archive.infolist():
            archive.extract(entry, root / "source")
            mode = entry.external_attr >> 16
            if mode:
                (root / "source" / entry.filename).chmod(mode & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


class Autograder:
    def __init__(self, root: Path, deps: Path) -> None:
        self.root, self.deps = root, deps

    def env(self) -> dict[str, str]:
        return {**os.environ, "AUTOGRADER_ROOT": str(self.root), "PYTHONPATH": str(self.deps)}

    def setup(self) -> subprocess.CompletedProcess:
        env = {**self.env(), "EXAMGEN_PYTHON": sys.executable, "PIP_NO_INDEX": "1"}
        return subprocess.run(
            ["bash", str(self.root / "source" / "setup.sh")],
            cwd=self.root / "source",
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def run(self, files: dict[str, bytes | str | None], users: list[dict] | None) -> dict:
        """results.json of an upload of ``files`` (None: a link) by ``users``."""
        for name in ("submission", "results"):
            shutil.rmtree(self.root / name, ignore_errors=True)
        (self.root / "submission").mkdir()
        for name, data in files.items():
            path = self.root / "submission" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if data is None:
                path.symlink_to(self.root / "source" / "keys" / "index.json")
            else:
                path.write_bytes(data.encode() if isinstance(data, str) else data)
        metadata = self.root / "submission_metadata.json"
        metadata.unlink(missing_ok=True)
        if users is not None:
            record = {
                "id": 1,
                "assignment": {"group_submission": len(users) > 1},
                "submission_method": "upload",
                "users": users,
                "previous_submissions": [],
            }
            metadata.write_text(json.dumps(record))
        done = subprocess.run(
            [str(self.root / "run_autograder")],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        results = json.loads((self.root / "results" / "results.json").read_text())
        assert schema_problems(results, RESULTS_SCHEMA) == []
        results["stdout"] = done.stdout
        return results


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Two exams exported, and an autograder set up for each, sharing one venv."""
    folder = tmp_path_factory.mktemp("course")
    (folder / "roster.csv").write_text(ROSTER)
    midterm = exported(folder / "midterm", "convnet-shapes")
    (folder / "quiz.toml").write_text(GROUP_QUIZ)
    quiz = exported(folder / "quiz", str(folder / "quiz.toml"))
    zip_file = midterm / "instructor" / "gradescope-autograder.zip"
    deps = dependencies_site(zip_file, folder / "deps")
    grader = Autograder(unpacked(zip_file, folder / "autograder"), deps)
    setup = grader.setup()
    assert setup.returncode == 0, setup.stdout + setup.stderr
    # the quiz's zip in its own /autograder, its venv the one setup.sh made (same examgen)
    group = Autograder(
        unpacked(quiz / "instructor" / "gradescope-autograder.zip", folder / "quiz-autograder"),
        deps,
    )
    (group.root / "examgen-venv").symlink_to(grader.root / "examgen-venv")
    return {"midterm": midterm, "quiz": quiz, "grader": grader, "group": group, "setup": setup}


def submission_of(exam: Path, student: str, answers: bool = True) -> dict:
    if answers:
        return filled_submission(exam, student)
    return json.loads((exam / "students" / student / "submission.json").read_text())


def questions(results: dict) -> list[dict]:
    """The tests of the questions: all but the first, the visible line on the upload."""
    upload, *rest = results["tests"]
    assert upload["name"] == "Your upload" and upload["visibility"] == "visible"
    assert upload["output"] == results["output"] and "max_score" not in upload
    return rest


def upload(course, student: str, **changes) -> dict[str, str]:
    data = {**submission_of(course["midterm"], student), **changes}
    return {"submission.json": json.dumps(data)}


# --- the zip ---------------------------------------------------------------------------------


def test_the_zip_holds_gradescopes_layout_and_no_seed_or_worked_steps(course):
    zip_file = course["midterm"] / "instructor" / "gradescope-autograder.zip"
    with zipfile.ZipFile(zip_file) as archive:
        names = archive.namelist()
        modes = {entry.filename: entry.external_attr >> 16 for entry in archive.infolist()}
        keys = b"".join(archive.read(name) for name in names if name.startswith("keys/"))
    version = importlib.metadata.version("examgen")
    assert names[:4] == [
        "setup.sh",
        "run_autograder",
        "requirements.txt",
        f"examgen-{version}-py3-none-any.whl",
    ]
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert len([n for n in names if n.startswith("keys/variants/")]) == 5
    key = json.loads((course["midterm"] / "instructor" / "key.json").read_text())
    assert SEED.encode() not in keys
    steps = key["variants"][0]["questions"][0]["steps"]
    assert json.dumps(steps[0], ensure_ascii=False)[1:-1].encode() not in keys


def members(zip_file: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_file) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_exporting_again_gives_the_same_zip(course, tmp_path):
    exam = course["midterm"]
    first = members(exam / "instructor" / "gradescope-autograder.zip")
    copy = shutil.copytree(exam, tmp_path / exam.name)
    (copy / "instructor" / "gradescope-autograder.zip").unlink()
    cli("export", str(copy), "--format", "gradescope")
    again = members(copy / "instructor" / "gradescope-autograder.zip")
    # the wheel is of the code as it is on disk, which the checkout's editors may change
    # between the two exports: compared on its own, built twice in a row
    wheel = next(name for name in first if name.endswith(".whl"))
    assert {n: d for n, d in first.items() if n != wheel} == {
        n: d for n, d in again.items() if n != wheel
    }
    assert examgen_wheel() == examgen_wheel()


def test_setup_installs_the_exported_examgen_from_the_zips_wheel(course):
    grader = course["grader"]
    python = grader.root / "examgen-venv" / "bin" / "python"
    code = (
        "import generator, importlib.metadata as m; print(generator.__file__, m.version('examgen'))"
    )
    done = subprocess.run(
        [str(python), "-P", "-c", code],
        env=grader.env(),
        cwd=grader.root,
        capture_output=True,
        text=True,
        check=True,
    )
    where, version = done.stdout.split()
    assert Path(where).is_relative_to(grader.root / "examgen-venv")
    assert version == importlib.metadata.version("examgen")
    assert "Successfully installed examgen" in course["setup"].stdout


# --- good uploads ----------------------------------------------------------------------------


def test_the_students_own_file_scores_per_question_hidden_until_published(course):
    results = course["grader"].run(upload(course, "s1"), [ADA])
    key = json.loads((course["midterm"] / "instructor" / "key.json").read_text())
    total = sum(q["points"] for q in key["questions"])
    assert results["score"] == total
    tests = questions(results)
    assert [t["number"] for t in tests] == [str(n) for n in range(1, len(key["questions"]) + 1)]
    assert [t["name"] for t in tests] == [f"{q['id']}: {q['title']}" for q in key["questions"]]
    assert [t["max_score"] for t in tests] == [q["points"] for q in key["questions"]]
    assert sum(t["score"] for t in tests) == results["score"]
    assert {t["visibility"] for t in tests} == {"after_published"}
    assert results["visibility"] == "after_published"
    assert {t["output_format"] for t in tests} == {"md"}
    assert results["output"].startswith("Received 'submission.json': ")
    assert "22 of 22 parts answered" in results["output"]
    assert "publishes the grades" in results["output"]
    assert results["extra_data"]["student_id"] == "s1"


def test_a_wrong_and_a_blank_answer_are_scored_and_said_so(course):
    data = submission_of(course["midterm"], "s2")
    data["answers"]["q1"]["output"] = "7"
    data["answers"]["q2"]["output"] = ""
    results = course["grader"].run({"submission.json": json.dumps(data)}, [ALAN])
    first, second = questions(results)[:2]
    assert first["score"] == 0 and "your answer: 7 ·" in first["output"]
    assert "wrong" in first["output"]
    assert second["score"] == 0 and "(blank)" in second["output"]
    assert "21 of 22 parts answered. Blank: q2 output." in results["output"]


def test_an_uploader_known_by_sid_or_by_name_hands_in_their_own(course):
    by_sid = course["grader"].run(upload(course, "s3"), [{"name": "G", "email": "", "sid": "9003"}])
    assert by_sid["extra_data"]["student_id"] == "s3" and by_sid["score"] > 0
    by_name = course["grader"].run(upload(course, "s4"), [{"name": "Dee Dee", "email": "d@x"}])
    assert by_name["extra_data"]["student_id"] == "s4" and by_name["score"] > 0


def test_the_specs_gradescope_table_sets_visibility_and_allows_groups(course):
    data = submission_of(course["quiz"], "s1")
    results = course["group"].run({"submission.json": json.dumps(data)}, [ADA, ALAN])
    assert results["score"] == 4
    assert results["visibility"] == "visible"
    assert {t["visibility"] for t in questions(results)} == {"visible"}
    assert "are below" in results["output"]


def test_a_student_answer_is_never_read_as_markup(course):
    data = submission_of(course["midterm"], "s1")
    data["answers"]["q1"]["output"] = "![x](http://evil.example/t.png) <img src=x> **7**"
    results = course["grader"].run({"submission.json": json.dumps(data)}, [ADA])
    output = questions(results)[0]["output"]
    assert not re.search(r"(?<!\\)\]\(", output), output  # no link nor image
    assert "<img" not in output and "&lt;img src=x&gt;" in output
    assert "**7**" not in output and "\\*\\*7\\*\\*" in output


# --- bad uploads -----------------------------------------------------------------------------


def refused(results: dict, *fragments: str) -> str:
    assert results["score"] == 0
    assert {t["score"] for t in questions(results)} == {0}
    assert results["tests"][0]["status"] == "failed"
    output = results["output"]
    assert output.startswith("Your upload scores 0: ") and "\n" not in output
    assert "Traceback" not in json.dumps(results)
    for fragment in fragments:
        assert fragment in output, output
    return output


OTHERS = ("s2", "Alan", "alan@", "Turing")  # what a refusal shown to Ada must never name


def never_names_another_student(results: dict) -> None:
    shown = json.dumps({k: v for k, v in results.items() if k != "stdout"})
    assert not any(other in shown for other in OTHERS), shown


@pytest.mark.parametrize(
    "what, files, fragments",
    [
        ("not JSON", {"submission.json": "{'answers': "}, ["'submission.json': not valid JSON"]),
        ("no file", {}, ["the upload holds no file"]),
        (
            "several files",
            {"submission.json": "{}", "notes/notes.txt": "my notes"},
            ["the upload holds 2 files, not one"],
        ),
        ("a link", {"submission.json": None}, ["'submission.json' is not a regular file"]),
        (
            "50 MB",
            {"big.json": b'{"answers": "' + b"x" * 50_000_000 + b'"}'},
            ["'big.json': larger than the 1,000,000-byte limit"],
        ),
        ("a list", {"submission.json": "[1, 2]"}, ["expected a JSON object"]),
        ("a name not UTF-8", {os.fsdecode(b"\xff\x1b[2J.json"): "{"}, ["'\\udcff\\x1b[2J.json'"]),
    ],
)
def test_a_bad_upload_scores_0_with_one_line_saying_why(course, what, files, fragments):
    results = course["grader"].run(files, [ADA])
    refused(results, *fragments)
    never_names_another_student(results)


def test_another_exams_file_scores_0(course):
    data = submission_of(course["quiz"], "s1")
    results = course["grader"].run({"submission.json": json.dumps(data)}, [ADA])
    refused(results, "is not this key's exam")


def test_a_friends_file_scores_0_naming_no_other_student(course):
    results = course["grader"].run(upload(course, "s2"), [ADA])
    output = refused(results, "not on the roster under your Gradescope account ('ada@uni.edu')")
    never_names_another_student(results)
    assert "s2" not in output


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"student_id": "s1"}, "its student_id is not its variant's"),
        ({"variant_id": "0000000000"}, "variant_id '0000000000' is not a variant of this exam"),
        ({"variant_id": "../../keys"}, "is not a variant of this exam"),
    ],
)
def test_a_forged_id_scores_0_naming_no_other_student(course, changes, fragment):
    results = course["grader"].run(upload(course, "s2", **changes), [ADA])
    refused(results, fragment)
    never_names_another_student(results)


def test_an_uploader_the_roster_does_not_give_the_variant_to_scores_0(course):
    # s3 is known by sid only; s4 has neither, and a name that is another student's
    by_sid = course["grader"].run(upload(course, "s3"), [{"name": "Grace Hopper", "sid": "1"}])
    refused(by_sid, "not on the roster under your Gradescope account")
    by_name = course["grader"].run(upload(course, "s4"), [{"name": "Eve Evans", "email": "e@x"}])
    refused(by_name, "not on the roster under your Gradescope account ('e@x')")
    stranger = course["grader"].run(
        upload(course, "s1"), [{"name": "Ada Lovelace", "email": "x@y"}]
    )
    refused(stranger, "('x@y')")


def test_a_group_upload_scores_0_unless_the_spec_allows_groups(course):
    results = course["grader"].run(upload(course, "s1"), [ADA, ALAN])
    refused(results, "this exam is handed in alone, not by a group")
    never_names_another_student({k: v for k, v in results.items() if k != "output"})


def test_an_upload_without_gradescopes_metadata_scores_0(course):
    refused(course["grader"].run(upload(course, "s1"), None), "submission_metadata.json")


def test_a_hostile_answer_text_is_graded_as_wrong_not_a_failed_run(course):
    data = submission_of(course["midterm"], "s1")
    data["answers"]["q1"]["output"] = "9" * 5000
    data["answers"]["q2"]["output"] = "(" * 3000 + "1" + ")" * 3000
    results = course["grader"].run({"submission.json": json.dumps(data)}, [ADA])
    tests = questions(results)
    assert [t["score"] for t in tests[:2]] == [0, 0]
    assert results["score"] == sum(t["max_score"] for t in tests[2:])
    assert len(tests[0]["output"]) < 1000


def test_an_answer_of_a_json_type_no_answer_has_scores_0_naming_its_part(course):
    data = submission_of(course["midterm"], "s1")
    data["answers"]["q3"]["weights"] = [[[[1]]]] * 50
    results = course["grader"].run({"submission.json": json.dumps(data)}, [ADA])
    refused(results, "'submission.json': question q3, part weights")


# --- when examgen itself fails ---------------------------------------------------------------


def test_a_broken_grading_key_gives_the_student_a_line_and_the_instructor_the_traceback(course):
    grader = course["grader"]
    variant = submission_of(course["midterm"], "s1")["variant_id"]
    key = grader.root / "source" / "keys" / "variants" / f"{variant}.json"
    kept = key.read_bytes()
    key.write_bytes(b"{broken")
    try:
        results = grader.run(upload(course, "s1"), [ADA])
    finally:
        key.write_bytes(kept)
    assert results["score"] == 0 and "not a fault of your file" in results["output"]
    assert results["stdout_visibility"] == "hidden" and "Traceback" in results["stdout"]


def test_an_autograder_whose_setup_never_ran_still_writes_results(course, tmp_path):
    zip_file = course["midterm"] / "instructor" / "gradescope-autograder.zip"
    grader = Autograder(unpacked(zip_file, tmp_path / "autograder"), course["grader"].deps)
    results = grader.run(upload(course, "s1"), [ADA])
    assert results["score"] == 0 and "not a fault of your file" in results["output"]


def test_an_examgen_run_without_being_installed_is_refused_on_one_line(exam, run, monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    result = run("export", str(exam), "--format", "gradescope")
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line.startswith("error: cannot build examgen's wheel: examgen runs without being")
    assert not (exam / "instructor" / "gradescope-autograder.zip").exists()
