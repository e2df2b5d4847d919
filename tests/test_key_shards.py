"""Grading one submission reads its variant's key shard, never a stale one."""

import json
import os
from concurrent.futures import ProcessPoolExecutor

import zstandard
from conftest import filled_submission
from hypothesis import given, settings
from hypothesis import strategies as st

import generator.exam.manifest as manifest_module
import generator.exam_folder.refresh as key_refresh
import generator.grading.batch as batch_module
import generator.grading.variant_key as variant_key_module
from generator.answers.types import Real, answer_type_from_json
from generator.grading.feedback import feedback_pages
from generator.grading.frames import pages_bytes, read_frame, read_pages, slot
from generator.grading.scoring import grade, score_part
from generator.grading.variant_key import checked_shard, read_variant_key, variant_key
from generator.render.pages import rendered_questions


def test_each_variant_has_a_shard_that_matches_the_key(exam):
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        path = exam / "instructor" / "variants" / f"{variant['variant_id']}.zst"
        shard = read_variant_key(path, feedback=True)
        assert shard == variant_key(key, variant, rendered_questions(key, variant))
        without_pages = read_variant_key(path)
        assert without_pages == {name: v for name, v in shard.items() if name != "feedback"}
        assert set(shard["feedback"]) == {"md", "html"}
        assert (shard["exam_id"], shard["student_id"]) == (key["exam_id"], variant["student_id"])
        for question, graded in zip(variant["questions"], shard["questions"], strict=True):
            assert [p["key"] for p in question["parts"]] == [p["key"] for p in graded["parts"]]
            types = [shard["types"][p["type"]] for p in graded["parts"]]
            assert types == [p["type"] for p in question["parts"]]


def read_paths(monkeypatch):
    """The key files grading reads, in order."""
    paths = []
    read_key, read_shard = manifest_module.read_key, variant_key_module._read_shard

    def recording(path, roster_only=False):
        paths.append(path.name)
        return read_key(path, roster_only)

    def recording_shard(path, feedback=False):
        paths.append(path.name)
        return read_shard(path, feedback)

    for module in (manifest_module, batch_module, variant_key_module):
        monkeypatch.setattr(module, "read_key", recording)
    monkeypatch.setattr(variant_key_module, "_read_shard", recording_shard)
    return paths


def test_grading_one_submission_reads_only_its_shard(run, exam, tmp_path, monkeypatch):
    submission = filled_submission(exam)
    (tmp_path / "s.json").write_text(json.dumps(submission))
    paths = read_paths(monkeypatch)
    result = run("grade", "s.json")
    assert "Total: 32 / 32" in result.output
    # index.json says where the variant lies in key.json, whose bytes there are hashed
    assert paths == ["index.json", f"{submission['variant_id']}.zst"]


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
    assert paths == ["index.json", "key.json"]  # key.json's size is not the one recorded
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
    made_from = ("key_sha256", "key_layout")  # what it was made from: the key's bytes
    assert {k: v for k, v in index.items() if k not in ("variants", *made_from)} == {
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
    assert sorted(path for path in paths if path != "index.json") == sorted(
        f"{v['variant_id']}.zst" for v in key["variants"][:2]
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
    shard = read_variant_key(exam / "instructor" / "variants" / f"{variant['variant_id']}.zst")
    assert shard["questions"][0]["parts"][0]["key"] == 999


def test_shards_written_again_by_workers_are_the_bytes_generation_wrote(exam, monkeypatch):
    """After key.json changes, its shards are written again across worker processes: with
    the key's content the same, the same bytes as generation's, and all trusted again."""
    pools = []

    class RecordedPool(ProcessPoolExecutor):
        def __init__(self, *args, **options):
            pools.append(args)
            super().__init__(*args, **options)

    monkeypatch.setattr(key_refresh, "ProcessPoolExecutor", RecordedPool)
    monkeypatch.setattr(key_refresh, "SERIAL_BELOW", 0)  # three variants: workers anyway
    monkeypatch.setattr(key_refresh, "CHUNK", 1)
    folder = exam / "instructor"
    written = {path: path.read_bytes() for path in (folder / "variants").iterdir()}
    written[folder / "index.json"] = (folder / "index.json").read_bytes()
    for path in written:
        path.unlink()  # index.json gone: the derived files are stale
    key_refresh.refresh_key_shards(folder / "key.json", workers=2)
    assert [args[0] for args in pools] == [2]
    assert {path: path.read_bytes() for path in written} == written
    shards = [path for path in written if path.suffix == ".zst"]
    assert all(checked_shard(folder / "key.json", path.stem) for path in shards)


def test_a_shard_written_by_an_older_examgen_is_passed_over_for_the_key(
    run, exam, tmp_path, monkeypatch
):
    subs = tmp_path / "subs"
    subs.mkdir()
    submission = filled_submission(exam)
    (subs / "a.json").write_text(json.dumps(submission))
    run("grade", "subs", "--workers", "1", "--out", "from-shard")
    shard_file = exam / "instructor" / "variants" / f"{submission['variant_id']}.zst"
    older = read_variant_key(shard_file)
    older["format"] = 5  # before the shards held the feedback pages: a line of texts instead
    texts = [{"text": "", "solution": "", "text_html": "", "solution_html": ""}]
    older_bytes = json.dumps(older) + "\n" + json.dumps(texts * len(older["questions"]))
    shard_file.write_bytes(zstandard.ZstdCompressor().compress(older_bytes.encode()))
    paths = read_paths(monkeypatch)
    result = run("grade", "subs", "--workers", "1", "--out", "from-key")
    assert result.exit_code == 0, result.output
    assert "key.json" in paths
    for name in ("v001.md", "v001.html"):
        from_key = (tmp_path / "from-key" / "feedback" / name).read_text()
        assert from_key == (tmp_path / "from-shard" / "feedback" / name).read_text()


def test_a_damaged_shard_is_passed_over_for_key_json(run, exam, tmp_path):
    submission = filled_submission(exam)
    (tmp_path / "s.json").write_text(json.dumps(submission))
    shard_file = exam / "instructor" / "variants" / f"{submission['variant_id']}.zst"
    pack = zstandard.ZstdCompressor().compress
    packed = shard_file.read_bytes()
    data = zstandard.ZstdDecompressor().decompress(packed)
    head, _, pages = data.partition(b"\n")
    layout = json.loads(head)

    def relaid(**change: object) -> bytes:
        return pack(json.dumps({**layout, **change}).encode() + b"\n" + pages)

    streamed = zstandard.ZstdCompressor(write_content_size=False).compress(data)
    md, html = layout["page_slots"]
    damages = (
        data,  # not packed
        packed[:-5],  # the frame cut short
        packed[:40] + bytes(40) + packed[80:],  # bytes inside it changed
        streamed,  # a frame that does not say its size: it could unpack to gigabytes
        pack(bytes(65 << 20)),  # one that says a size past any grading key's
        pack(head[:-5] + b"\n" + pages),  # not JSON
        pack(data[:-5]),  # the pages cut short
        relaid(page_slots=[md, [html[0], 9999, *html[2:]]]),  # a slot the page does not have
        relaid(page_slots=[md, [html[0], "0", *html[2:]]]),
        relaid(page_slots=[md, [10**9, *html[1:]]]),  # past the page's end
        relaid(page_slots=[md[2:4] + md[:2] + md[4:], html]),  # out of order
        relaid(page_slots=[md]),
        relaid(page_bytes=[layout["page_bytes"][0] + 1, layout["page_bytes"][1]]),
    )
    for n, damaged in enumerate(damages):
        shard_file.write_bytes(damaged)
        result = run("grade", "s.json", "--out", f"grades-{n}")
        assert result.exit_code == 0, (n, result.output)  # graded from key.json, as a swapped one
        assert (
            "v001,,{},graded".format(submission["variant_id"])
            in (tmp_path / f"grades-{n}" / "gradebook.csv").read_text()
        )


def test_every_key_typed_as_the_sheets_show_it_earns_full_marks(run, tmp_path):
    """The key as the key pages and feedback show it (``shown``), typed by a student, is
    right for every part of the default exam, and so is each known mistake wrong."""
    run("generate", "-n", "4", "--seed", "flags")
    (exam,) = (tmp_path / "output").iterdir()
    for path in sorted((exam / "instructor" / "variants").iterdir()):
        shard = read_variant_key(path)
        types = [answer_type_from_json(data) for data in shard["types"]]
        for question in shard["questions"]:
            by_id = {part["id"]: part for part in question["parts"]}
            for part in question["parts"]:
                answer_type = types[part["type"]]
                assert score_part(answer_type, part["shown"], part, {}, by_id).status == "correct"
                for mistake in part.get("mistakes", ()):
                    shown = answer_type.display(mistake["value"])
                    score = score_part(answer_type, shown, part, {}, by_id)
                    assert score.status != "correct", (part, mistake)


def test_a_key_with_markup_is_escaped_at_generation_for_both_feedback_pages(exam):
    """A shard keeps a key's text escaped for the feedback tables where it needs it, and
    the pages show it escaped: in the key column, and as the answer of a student who typed
    it; keys that need nothing carry nothing."""
    key = json.loads((exam / "instructor" / "key.json").read_text())
    variant = key["variants"][0]
    rendered = rendered_questions(key, variant)
    shown = '<i>k</i> | "x" &\n y'
    rendered[0]["parts"][0]["key"] = shown
    graded_key = variant_key(key, variant, rendered)
    first, *rest = [p for q in graded_key["questions"] for p in q["parts"]]
    md_cell, html_text = '<i>k</i> \\| "x" & y', "&lt;i&gt;k&lt;/i&gt; | &quot;x&quot; &amp;\n y"
    assert first["shown_escaped"] == [md_cell, html_text]
    assert not any("shown_escaped" in part for part in rest)
    submission = filled_submission(exam, variant["student_id"])
    submission["answers"][graded_key["questions"][0]["id"]][first["id"]] = shown
    markdown, html = (
        page.decode()
        for page in feedback_pages(graded_key, grade(graded_key, submission, "s.json"))
    )
    assert f"| {md_cell} | {md_cell} |" in markdown
    assert f"<td>{html_text}</td><td>{html_text}</td>" in html
    assert "<i>k" not in html


def test_a_key_shown_rounded_past_its_tolerance_is_not_taken_as_right():
    tight = Real(rtol=1e-9, atol=0)
    assert tight.grade(tight.display(0.123456789), 0.123456789).status == "wrong"
    assert Real().grade(Real().display(0.123456789), 0.123456789).status == "correct"


no_nul = st.binary(max_size=12).map(lambda data: data.replace(b"\x00", b""))


@st.composite
def pages_drawn(draw, slots: int):
    """A rendered page with slots 0 to ``slots`` - 1, and values for some of them, in
    order: (page, values)."""
    page = draw(no_nul) + b"".join(slot(n).encode() + draw(no_nul) for n in range(slots))
    values = [(n, draw(no_nul)) for n in range(slots) if draw(st.booleans())]
    return page, values


two_pages = st.integers(0, 6).flatmap(
    lambda slots: st.tuples(st.just(slots), pages_drawn(slots), pages_drawn(slots))
)


@settings(max_examples=200, deadline=None)
@given(two_pages, st.binary(max_size=8))
def test_feedback_pages_read_back_as_they_were_laid_out(pages, head) -> None:
    slots, md, html = pages
    frames = {
        "md": read_frame(md[0], slots),
        "html": read_frame(html[0], slots),
    }
    texts, places = pages_bytes(frames)
    data = head + b"".join(texts)
    sizes = [len(text) for text in texts]
    assert read_pages(data, len(head), sizes, places, slots) == frames
    assert read_pages(data, len(head), sizes, places, slots + 1) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6).flatmap(lambda slots: st.tuples(st.just(slots), pages_drawn(slots))))
def test_a_filled_frame_is_the_page_with_each_slot_given_or_empty(drawn) -> None:
    slots, (page, values) = drawn
    given_values = dict(values)
    pieces = page.split(b"\x00")
    pieces[1::2] = [given_values.get(int(n), b"") for n in pieces[1::2]]
    assert read_frame(page, slots).filled(values) == b"".join(pieces)


def test_a_page_must_have_each_slot_once_in_order() -> None:
    for numbers in ([1, 1], [1, 0], [0, 2], [0]):
        page = b"a" + b"b".join(slot(n).encode() for n in numbers)
        assert read_frame(page, 2) is None
    assert read_frame(b"a" + slot(0).encode() + b"b" + slot(1).encode(), 2) is not None
