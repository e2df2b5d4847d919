"""Runs that overlap, or are killed, never lose results or leave anything behind."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import filled_submission

from generator.errors import OutputError
from generator.files.writing import RUN_LOCK, remove_stale_staging, write_folder

GRADE = "from generator.cli import grade_main; grade_main()"
EXAMGEN = "from generator.cli import main; main()"


def examgen(code: str, *args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_run_that_finds_its_target_written_meanwhile_replaces_nothing(tmp_path):
    target = tmp_path / "grades"

    def fill(staging: Path) -> None:
        (staging / "report.json").write_text("mine")
        target.mkdir()  # another run finished first
        (target / "report.json").write_text("theirs")

    with pytest.raises(OutputError, match="written by another run"):
        write_folder(target, fill, False, lambda p: True)
    assert (target / "report.json").read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades"]  # no staging left


def test_two_grading_runs_into_one_folder_never_both_report_success(run, exam, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("v001", "v002", "v003"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    runs = [examgen(GRADE, "subs", "--out", "grades", cwd=tmp_path) for _ in range(2)]
    errors = [process.communicate(timeout=60)[1] for process in runs]
    assert sorted(process.returncode for process in runs) == [0, 2], errors
    assert len((tmp_path / "grades" / "gradebook.csv").read_text().splitlines()) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_force_never_replaces_what_is_not_a_folder_examgen_wrote(run, exam, tmp_path):
    (tmp_path / "notes.txt").write_text("my notes")
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.tex").write_text("...")
    path = exam / "students" / "v001" / "submission.json"
    path.write_text(json.dumps(filled_submission(exam)))
    for out in ("notes.txt", "thesis"):
        result = run("grade", str(path), "--out", out, "--force")
        assert result.exit_code == 2
        assert "not a grading folder examgen wrote" in result.output
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    assert (tmp_path / "thesis" / "chapter1.tex").exists()
    (exam / "instructor" / "key.json").rename(tmp_path / "key.json")  # no longer an exam
    result = run("generate", "convnet-shapes", "--variants", "3", "--seed", "test-seed", "--force")
    assert result.exit_code == 2 and "is not an exam folder examgen wrote" in result.output


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="workers die with their parent on Linux")
def test_a_killed_generate_leaves_no_workers_and_the_next_run_clears_its_staging(tmp_path):
    process = examgen(EXAMGEN, "generate", "-n", "2000", "--seed", "k", cwd=tmp_path)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2:
        workers = children_of(process.pid)
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    errors = process.communicate()[1]
    assert len(workers) >= 2, errors
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(alive, workers)):
        time.sleep(0.05)
    assert not any(map(alive, workers))
    out = tmp_path / "output"
    left = [p for p in out.iterdir() if p.name.startswith(".")]
    assert left and all((p / RUN_LOCK).exists() for p in left)  # a killed run's staging
    assert remove_stale_staging(out) == left
    assert list(out.iterdir()) == []


def test_a_living_runs_staging_is_never_removed(tmp_path):
    removed = []

    def fill(staging: Path) -> None:
        (staging / "report.json").write_text("{}")
        removed.extend(remove_stale_staging(tmp_path))  # another run starting meanwhile
        assert staging.exists()

    write_folder(tmp_path / "grades", fill, False, lambda p: True)
    assert removed == [] and (tmp_path / "grades" / "report.json").exists()
    assert not (tmp_path / "grades" / RUN_LOCK).exists()
