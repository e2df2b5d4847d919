"""A grading key (instructor/variants/ID.zst) or index.json is used only when it was made from
key.json's bytes as they are now, and only for its own variant: never judged by file dates."""

import json
import os
import shutil

import zstandard
from conftest import filled_submission

from generator.exam.key_text import key_text
from generator.exam.manifest import digests, read_key, scanned_layout
from generator.files.encoding import to_json
from generator.grading.variant_key import checked_shard


def shard_file(exam, student):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == student)
    return exam / "instructor" / "variants" / f"{variant['variant_id']}.zst"


def handed_in(exam, tmp_path, students, answers=None):
    """A folder of the ``students``' submissions, each the key's answers but ``answers``
    ({student: {(question, part): answer}})."""
    folder = tmp_path / "handed-in"
    folder.mkdir()
    for student in students:
        submission = filled_submission(exam, student)
        for (question, part), answer in (answers or {}).get(student, {}).items():
            submission["answers"][question][part] = answer
        (folder / f"{student}.json").write_text(json.dumps(submission))
    return folder


def graded(tmp_path, out):
    report = json.loads((tmp_path / out / "report.json").read_text())
    return {s["student_id"]: (s["points"], s["max_points"]) for s in report["submissions"]}


def fix_key(exam, student, question, part, value, indent=None):
    """The instructor's hand correction of one key in key.json: laid out as examgen writes
    it, or re-indented by an editor."""
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == student)
    parts = next(q for q in variant["questions"] if q["id"] == question)["parts"]
    next(p for p in parts if p["id"] == part)["key"] = value
    text = key_text(key)[0].decode() if indent is None else json.dumps(key, indent=indent)
    key_file.write_text(text, encoding="utf-8")


def all_dated_alike(folder):
    """As a copy can leave them: every file of the folder with one date."""
    for path in folder.rglob("*"):
        os.utime(path, ns=(10**18, 10**18))


def test_swapped_shards_still_grade_each_student_against_their_own_key(run, exam, tmp_path):
    first, second = shard_file(exam, "v001"), shard_file(exam, "v002")
    one, two = first.read_bytes(), second.read_bytes()
    first.write_bytes(two)
    second.write_bytes(one)
    subs = handed_in(exam, tmp_path, ["v001", "v002"])
    result = run("grade", str(subs), "--workers", "1", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert graded(tmp_path, "grades") == {"v001": (32, 32), "v002": (32, 32)}
    heading = (tmp_path / "grades" / "feedback" / "v001.md").read_text().splitlines()[0]
    assert heading.endswith("feedback for v001")
    single = run("grade", str(subs / "v001.json"))
    assert single.exit_code == 0 and "Total: 32 / 32" in single.output


def test_a_key_fixed_in_place_is_used_though_its_length_and_the_dates_say_nothing(
    run, exam, tmp_path
):
    """The issue's copied folder: the fix changes one digit, so key.json keeps its size and
    every variant its place, and the copy dates every file alike."""
    subs = handed_in(exam, tmp_path, ["v001"], {"v001": {("q1", "output"): "8"}})
    assert "Total: 28 / 32" in run("grade", str(subs / "v001.json")).output
    fix_key(exam, "v001", "q1", "output", 8)  # was 9: the student was right
    copy = tmp_path / "copied"
    shutil.copytree(exam, copy)
    all_dated_alike(copy)
    key = copy / "instructor" / "key.json"
    result = run("grade", str(subs / "v001.json"), "--key", str(key))
    assert result.exit_code == 0, result.output
    assert "Total: 32 / 32" in result.output
    batch = run("grade", str(subs), "--key", str(key), "--workers", "1", "--out", "grades")
    assert batch.exit_code == 0, batch.output
    assert graded(tmp_path, "grades") == {"v001": (32, 32)}


def test_a_re_indented_key_fix_is_used_in_a_copy_dated_alike(run, exam, tmp_path):
    subs = handed_in(exam, tmp_path, ["v001", "v002"], {"v002": {("q1", "output"): "100"}})
    fix_key(exam, "v002", "q1", "output", 100, indent=2)
    copy = tmp_path / "copied"
    shutil.copytree(exam, copy)
    all_dated_alike(copy)
    key = copy / "instructor" / "key.json"
    result = run("grade", str(subs), "--key", str(key), "--workers", "1", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert graded(tmp_path, "grades") == {"v001": (32, 32), "v002": (32, 32)}


def test_a_shard_whose_digest_was_tampered_with_is_never_trusted(run, exam, tmp_path):
    path = shard_file(exam, "v001")
    head, _, pages = zstandard.ZstdDecompressor().decompress(path.read_bytes()).partition(b"\n")
    layout = json.loads(head)
    layout["questions"][0]["parts"][0]["key"] = 1  # another key, for a student to profit from
    for source in ("0" * 64, None, 5):
        tampered = {**layout, "source": source}
        data = json.dumps(tampered).encode() + b"\n" + pages
        path.write_bytes(zstandard.ZstdCompressor().compress(data))
        assert checked_shard(exam / "instructor" / "key.json", path.stem) is None
        result = run("grade", str(handed_in_once(exam, tmp_path)))
        assert result.exit_code == 0 and "Total: 32 / 32" in result.output, source


def handed_in_once(exam, tmp_path):
    path = tmp_path / "v001.json"
    path.write_text(json.dumps(filled_submission(exam, "v001")))
    return path


def test_an_index_made_from_another_key_is_passed_over_for_key_json(run, exam, tmp_path):
    """A gradebook names students as key.json does now: the roster of an index.json left
    from before a hand edit is not used, whatever its date."""
    key_file = exam / "instructor" / "key.json"
    key = json.loads(key_file.read_text())
    key["variants"][0]["name"] = "Ada Lovelace"  # the instructor's correction
    key_file.write_text(to_json(key, compact=True))
    all_dated_alike(exam)
    subs = handed_in(exam, tmp_path, ["v001"])
    result = run("grade", str(subs), "--workers", "1", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert "v001,Ada Lovelace," in (tmp_path / "grades" / "gradebook.csv").read_text()


def test_an_unreadable_index_is_passed_over_for_key_json(run, exam, tmp_path):
    (exam / "instructor" / "index.json").write_text("{not json")
    subs = handed_in(exam, tmp_path, ["v001", "v002"])
    result = run("grade", str(subs), "--workers", "1", "--out", "grades")
    assert result.exit_code == 0, result.output
    assert graded(tmp_path, "grades") == {"v001": (32, 32), "v002": (32, 32)}


def test_regrade_writes_only_the_shards_not_made_from_the_key_as_it_is(run, exam, tmp_path):
    subs = handed_in(exam, tmp_path, ["v001", "v002", "v003"], {"v001": {("q1", "output"): "8"}})
    assert run("grade", str(subs), "--workers", "1", "--out", "grades").exit_code == 0
    fix_key(exam, "v001", "q1", "output", 8)
    first, second, third = (shard_file(exam, s) for s in ("v001", "v002", "v003"))
    second_bytes, third_bytes = second.read_bytes(), third.read_bytes()
    second.write_bytes(third_bytes)  # a colleague's slip: v002's grading key is v003's
    untouched = third.stat().st_ino
    result = run("regrade", "grades")
    assert result.exit_code == 0, result.output
    assert "v001: 28 / 32 → 32 / 32" in result.output
    assert second.read_bytes() == second_bytes  # written again, as generation wrote it
    assert third.stat().st_ino == untouched  # right already: not written again
    key_file = exam / "instructor" / "key.json"
    assert all(checked_shard(key_file, path.stem) for path in (first, second, third))


def test_the_layout_of_a_hand_edited_key_is_found_as_json_reads_it(exam):
    key_file = exam / "instructor" / "key.json"
    key = read_key(key_file)
    key["dropped"] = ["q2"]  # after the variants, as regrade's drop writes it
    shifted = {"variants": [], **key}  # a first "variants" that json.loads overrides
    for text in (
        to_json(key, compact=True),
        json.dumps(key, indent=2, ensure_ascii=False),
        "\ufeff \n" + json.dumps(shifted, indent="\t", ensure_ascii=False) + "\n\n",
    ):
        data = text.encode()
        layout = scanned_layout(data)
        spans = [data[start:end] for start, end in layout.variants]
        assert [json.loads(span) for span in spans] == key["variants"]
        (a, b), (c, d) = layout.around
        header = json.loads(data[a:b] + data[c:d])
        assert header == {name: v for name, v in key.items() if name != "variants"} | {
            "variants": []
        }
        assert len(set(digests(data, layout))) == len(key["variants"])
    for broken in (b"", b"[]", b'{"variants": 3}', b'{"variants": [1,}', b'{"a" 1}'):
        assert scanned_layout(broken) is None
