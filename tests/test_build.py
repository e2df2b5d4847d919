"""Generating a class in parallel gives the same files, byte for byte, as one process."""

import hashlib
import json

import pytest

import generator.exam_folder.build as build
from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.exam_folder.build import generate_exam
from generator.files.encoding import to_json
from generator.grading.variant_key import checked_shard


def tree(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(build, "SERIAL_BELOW", 0)
    monkeypatch.setattr(build, "CHUNK", 2)


def test_parallel_generation_writes_the_same_bytes_as_one_process(tmp_path, small_chunks):
    exam = spec.load(None)
    students = [Student(f"s{n}", f"Student {n}") for n in range(7)]
    one = generate_exam(exam, "par", students, tmp_path / "one", formats=("md", "html"), workers=1)
    two = generate_exam(exam, "par", students, tmp_path / "two", formats=("md", "html"), workers=2)
    assert tree(one) == tree(two)
    assert len(tree(one)) > 7 * 5


def test_the_streamed_key_equals_the_assembled_manifest(tmp_path, small_chunks):
    exam = spec.load("convnet-shapes")
    students = [Student(f"s{n}") for n in range(5)]
    target = generate_exam(exam, "key", students, tmp_path, workers=2)
    written = (target / "instructor" / "key.json").read_text()
    assert written == to_json(assemble(exam, "key", students), compact=True)


def test_shards_and_index_are_made_from_the_key_as_written(tmp_path, small_chunks):
    exam = spec.load("convnet-shapes")
    target = generate_exam(exam, "fresh", [Student(f"s{n}") for n in range(4)], tmp_path)
    key_file = target / "instructor" / "key.json"
    shards = sorted((target / "instructor" / "variants").iterdir())
    assert len(shards) == 4 and all(checked_shard(key_file, p.stem) for p in shards)
    index = json.loads((target / "instructor" / "index.json").read_text())
    assert index["key_sha256"] == hashlib.sha256(key_file.read_bytes()).hexdigest()
    assert [v["student_id"] for v in index["variants"]] == [f"s{n}" for n in range(4)]


def test_progress_counts_every_student(tmp_path, small_chunks):
    seen = []
    generate_exam(spec.load("convnet-shapes"), "p", [Student(f"s{n}") for n in range(5)],
                  tmp_path, workers=2, progress=seen.append)  # fmt: skip
    assert sum(seen) == 5


def test_a_failure_halfway_leaves_no_exam(tmp_path, small_chunks, monkeypatch):
    exam = spec.load("convnet-shapes")
    full = OSError(28, "full")  # after key.json is written, before index.json
    monkeypatch.setattr(build, "written_layout", lambda *a, **k: (_ for _ in ()).throw(full))
    from generator.errors import OutputError

    with pytest.raises(OutputError, match="full"):
        generate_exam(exam, "x", [Student("s1"), Student("s2")], tmp_path, workers=1)
    assert list(tmp_path.iterdir()) == []
