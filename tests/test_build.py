"""Generating a class in parallel gives the same files, byte for byte, as one process."""

import hashlib
import json

import pytest

import generator.exam_folder.build as build
from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.exam.key_text import key_text
from generator.exam.manifest import scanned_layout
from generator.exam_folder.build import generate_exam
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
    assert written.encode() == key_text(assemble(exam, "key", students))[0]


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
    monkeypatch.setattr(build, "key_layout", lambda *a, **k: (_ for _ in ()).throw(full))
    from generator.errors import OutputError

    with pytest.raises(OutputError, match="full"):
        generate_exam(exam, "x", [Student("s1"), Student("s2")], tmp_path, workers=1)
    assert list(tmp_path.iterdir()) == []


def test_key_json_is_laid_out_a_variant_a_block_and_a_part_a_line(tmp_path, small_chunks):
    target = generate_exam(spec.load("convnet-shapes"), "lines", [Student("s1"), Student("s2")],
                           tmp_path, workers=1)  # fmt: skip
    lines = (target / "instructor" / "key.json").read_text().splitlines()
    assert '      "student_id": "s2",' in lines
    keyed = [line for line in lines if line.lstrip().startswith('{"id":') and '"key":' in line]
    assert keyed and all(line.startswith("            {") for line in keyed)
    assert max(map(len, lines)) < 4000  # no variant on one line


def test_a_key_read_back_and_written_again_keeps_every_variants_digest(tmp_path, small_chunks):
    target = generate_exam(spec.load("convnet-shapes"), "same", [Student("s1"), Student("s2")],
                           tmp_path, workers=1)  # fmt: skip
    data = (target / "instructor" / "key.json").read_bytes()
    again, layout = key_text(json.loads(data))
    assert again == data and scanned_layout(data) == layout
