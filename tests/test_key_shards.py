"""Grading one submission reads its variant's key shard, never a stale one."""

import json
import os

from conftest import filled_submission

import generator.batch as batch_module
import generator.manifest as manifest_module
import generator.variant_key as variant_key_module
from generator.render import rendered_questions
from generator.variant_key import read_variant_key, variant_key


def test_each_variant_has_a_shard_that_matches_the_key(exam):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        path = exam / "instructor" / "variants" / f"{variant['variant_id']}.json"
        shard = read_variant_key(path, texts=True)
        assert shard == variant_key(key, variant, rendered_questions(key, variant))
        without_texts = read_variant_key(path)
        assert without_texts == {name: v for name, v in shard.items() if name != "texts"}
        assert [set(text) for text in shard["texts"]] == [
            {"text", "solution", "text_html", "solution_html"}
        ] * len(shard["questions"])
        assert (shard["exam_id"], shard["student_id"]) == (key["exam_id"], variant["student_id"])
        for question, graded in zip(variant["questions"], shard["questions"], strict=True):
            assert [p["key"] for p in question["parts"]] == [p["key"] for p in graded["parts"]]
            types = [shard["types"][p["type"]] for p in graded["parts"]]
            assert types == [p["type"] for p in question["parts"]]


def read_paths(monkeypatch):
    """The key files grading reads, in order."""
    paths = []
    read_key, read_variant_key = manifest_module.read_key, variant_key_module.read_variant_key

    def recording(path):
        paths.append(path.name)
        return read_key(path)

    def recording_variant_key(path, texts=False):
        paths.append(path.name)
        return read_variant_key(path, texts)

    for module in (manifest_module, batch_module, variant_key_module):
        monkeypatch.setattr(module, "read_key", recording)
    monkeypatch.setattr(variant_key_module, "read_variant_key", recording_variant_key)
    return paths


def test_grading_one_submission_reads_only_its_shard(run, exam, tmp_path, monkeypatch):
    submission = filled_submission(exam)
    (tmp_path / "s.json").write_text(json.dumps(submission))
    paths = read_paths(monkeypatch)
    result = run("grade", "s.json")
    assert "Total: 32 / 32" in result.output
    assert paths == [f"{submission['variant_id']}.json"]


def test_a_key_edited_after_generation_wins_over_the_shards(run, exam, tmp_path, monkeypatch):
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["dropped"] = ["q1"]  # a hand edit, after the shards were written
    key_file.write_text(json.dumps(key))
    stat = key_file.stat()
    os.utime(key_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    (tmp_path / "s.json").write_text(json.dumps(filled_submission(exam)))
    paths = read_paths(monkeypatch)
    result = run("grade", "s.json")
    assert paths == ["key.json"]
    assert "q1  conv_output_size: dropped" in result.output


def test_a_hostile_variant_id_never_names_a_path(run, exam, tmp_path, monkeypatch):
    submission = filled_submission(exam)
    submission["variant_id"] = "../../../../etc/passwd"
    (tmp_path / "s.json").write_text(json.dumps(submission))
    paths = read_paths(monkeypatch)
    result = run("grade", "s.json")
    assert paths == ["key.json"]
    assert result.exit_code == 2 and "is not in the key" in result.output


def test_the_index_holds_the_header_and_roster_without_questions(exam):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    index = json.loads((exam / "instructor" / "index.json").read_text())
    assert {k: v for k, v in index.items() if k != "variants"} == {
        k: v for k, v in key.items() if k != "variants"
    }
    assert index["variants"] == [
        {"variant_id": v["variant_id"], "student_id": v["student_id"], "name": v["name"]}
        for v in key["variants"]
    ]


def test_batch_grading_reads_the_shards_and_index_never_the_whole_key(
    run, exam, tmp_path, monkeypatch
):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("v001", "v002"):
        (subs / f"{student}.json").write_text(json.dumps(filled_submission(exam, student)))
    paths = read_paths(monkeypatch)
    result = run("grade", "subs", "--workers", "1", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert "key.json" not in paths and "index.json" in paths
    assert sorted(paths) == sorted(
        ["index.json"] + [f"{v['variant_id']}.json" for v in key["variants"][:2]]
    )


def test_regrade_writes_the_shards_again_after_a_hand_correction(run, exam, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.json").write_text(json.dumps(filled_submission(exam)))
    run("grade", "subs", "--out", "grades")
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    variant = key["variants"][0]
    variant["questions"][0]["parts"][0]["key"] = 999  # the instructor's correction
    key_file.write_text(json.dumps(key))
    stat = key_file.stat()
    os.utime(key_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = run("regrade", "grades")
    assert "32 → " in result.output
    shard = read_variant_key(exam / "instructor" / "variants" / f"{variant['variant_id']}.json")
    assert shard["questions"][0]["parts"][0]["key"] == 999


def test_a_shard_written_by_an_older_examgen_is_passed_over_for_the_key(
    run, exam, tmp_path, monkeypatch
):
    subs = tmp_path / "subs"
    subs.mkdir()
    submission = filled_submission(exam)
    (subs / "a.json").write_text(json.dumps(submission))
    run("grade", "subs", "--workers", "1", "--out", "from-shard")
    shard_file = exam / "instructor" / "variants" / f"{submission['variant_id']}.json"
    older = read_variant_key(shard_file, texts=True)
    older["format"] = 2  # one line, before the shards held the HTML the key shows
    for text in older["texts"]:
        del text["text_html"], text["solution_html"]
    shard_file.write_text(json.dumps(older))
    paths = read_paths(monkeypatch)
    result = run("grade", "subs", "--workers", "1", "--out", "from-key")
    assert result.exit_code == 0, result.output
    assert "key.json" in paths
    for name in ("v001.md", "v001.html"):
        from_key = (tmp_path / "from-key" / "feedback" / name).read_text()
        assert from_key == (tmp_path / "from-shard" / "feedback" / name).read_text()


def test_a_damaged_shard_is_named_with_what_to_do(run, exam, tmp_path):
    submission = filled_submission(exam)
    (tmp_path / "s.json").write_text(json.dumps(submission))
    shard_file = exam / "instructor" / "variants" / f"{submission['variant_id']}.json"
    head, texts, _ = shard_file.read_bytes().split(b"\n")
    damages = (head[:-5] + b"\n" + texts + b"\n", head + b"\n" + texts[:-5] + b"\n")
    for n, damaged in enumerate(damages):
        shard_file.write_bytes(damaged)
        result = run("grade", "s.json", "--out", f"grades-{n}")
        assert result.exit_code == 1 and "Traceback" not in result.output  # the batch went on
        assert f"{shard_file.name}: not a grading key: delete it" in result.output
