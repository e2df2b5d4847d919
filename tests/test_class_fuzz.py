"""A hypothesis fuzz over whole class folders: nested folders, planted keys, symlinks, FIFOs
and directories named *.json, hostile ids. Every good submission is always graded, and
nothing is ever written outside --out."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import filled_submission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import grade_main

ESCAPE = "examgen-fuzz-escape"  # a name that must never appear outside --out
HOSTILE_IDS = [
    "",
    ".",
    "..",
    "../" * 8 + f"tmp/{ESCAPE}",
    f"/tmp/{ESCAPE}",
    "a" * 300,
    "\x1b[2J\x1b[31m",
    "\u202eevil",
    "x\x00y",
    "a/b",
    "CON",
    "v001\n",
    "\ud800",
]
STUDENTS = ["v001", "v002", "v003"]


@pytest.fixture(scope="module")
def exam_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    old = os.getcwd()
    os.chdir(root)
    try:
        from generator.cli import main

        result = CliRunner().invoke(
            main,
            ["generate", "convnet-shapes", "-n", "3", "--seed", "fuzz"],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(old)
    (exam,) = (root / "output").iterdir()
    return exam


folder = st.lists(st.sampled_from(["a", "b", "instructor", "deep", ".hidden"]), max_size=3)
hostile = st.sampled_from(HOSTILE_IDS)
item = st.one_of(
    st.tuples(st.just("good"), folder, st.sampled_from(STUDENTS[:2])),
    st.tuples(st.just("bytes"), folder, st.binary(max_size=200)),
    st.tuples(
        st.just("ids"),
        folder,
        st.tuples(st.sampled_from(["exam_id", "student_id", "variant_id"]), hostile),
    ),
    st.tuples(st.just("planted"), folder, hostile),
    st.tuples(st.just("symlink"), folder, st.sampled_from(["/etc/hostname", "/", "nowhere", ".."])),
    st.tuples(st.just("fifo"), folder, st.none()),
    st.tuples(st.just("directory"), folder, st.none()),
)


def snapshot(root: Path, skip: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == skip:
            dirnames.clear()
            continue
        found.update(os.path.join(dirpath, name) for name in dirnames + filenames)
    return found - {str(skip)}


def build(exam: Path, subs: Path, items) -> dict[str, Path]:
    """Lay out the class, always with v003's good file; returns each good student's file."""
    good = {"v003": subs / "v003.json"}
    good["v003"].write_text(json.dumps(filled_submission(exam, "v003")))
    for n, (kind, parts, payload) in enumerate(items):
        where = subs.joinpath(*parts)
        where.mkdir(parents=True, exist_ok=True)
        path = where / f"f{n}.json"
        if kind == "good":
            if payload in good:
                continue  # one file per student: two would rightly be a conflict
            if "instructor" in parts:
                continue  # the instructor's own folders are never read as submissions
            path.write_text(json.dumps(filled_submission(exam, payload)))
            good[payload] = path
        elif kind == "bytes":
            path.write_bytes(payload)
        elif kind == "ids":
            field, value = payload
            data = filled_submission(exam, STUDENTS[n % 3])
            data[field] = "@@"
            text = json.dumps(data).replace('"@@"', json.dumps(value, ensure_ascii=True)[:-1] + '"')
            text = text.replace("\\ud800", "\\\\ud800")  # keep the file valid JSON
            path.write_text(text)
        elif kind == "planted":
            key = json.loads((exam / "instructor" / "key.json").read_text())
            key["variants"][0]["student_id"] = payload
            planted = where / exam.name / "instructor"
            planted.mkdir(parents=True, exist_ok=True)
            (planted / "key.json").write_text(json.dumps(key))
            blank = json.loads((exam / "students" / "v001" / "submission.json").read_text())
            (where / exam.name / f"f{n}.json").write_text(json.dumps(blank))
        elif kind == "symlink":
            os.symlink(payload, path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
    return good


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(item, min_size=1, max_size=12))
def test_every_good_submission_is_graded_and_nothing_is_written_outside_out(exam_folder, items):
    base = Path(tempfile.mkdtemp(prefix="fuzz-class-"))
    try:
        subs, out = base / "subs", base / "grades"
        subs.mkdir()
        good = build(exam_folder, subs, items)
        before = snapshot(base, out)
        watched = snapshot(exam_folder.parent, out)
        result = CliRunner().invoke(
            grade_main,
            [str(subs), "--out", str(out), "--exams", str(exam_folder.parent), "--workers", "1"],
            catch_exceptions=False,
        )
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        report = json.loads((out / "report.json").read_text())
        graded = {s["student_id"]: s for s in report["submissions"]}
        conflicted = {c["student_id"] for c in report["conflicts"]}
        for student, path in good.items():
            if student in conflicted:  # a hostile file claimed them too: both are listed
                conflict = next(c for c in report["conflicts"] if c["student_id"] == student)
                assert str(path) in [f["submission"] for f in conflict["files"]]
                continue
            assert graded[student]["submission"] == str(path), result.output
            assert graded[student]["points"] == graded[student]["max_points"]
        assert snapshot(base, out) == before
        assert snapshot(exam_folder.parent, out) == watched
        assert not Path(f"/tmp/{ESCAPE}").exists()
        for dirpath, _dirs, files in os.walk(out):
            for name in files:
                assert Path(dirpath, name).resolve().is_relative_to(out.resolve())
    finally:
        shutil.rmtree(base, ignore_errors=True)
