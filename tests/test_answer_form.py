"""The answer form that ``generate --format html`` makes of each student's sheet: what it
saves is a submission ``grade`` reads, and the time it was saved reaches the gradebook."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import assert_no_key_in, filled_submission
from test_rendered_pages import REQUIRED, tool

from generator.answers.types import Score, answer_type_from_json


def gradebook_rows(out):
    return list(csv.DictReader((out / "gradebook.csv").read_text().splitlines()))


def test_the_time_a_form_saved_a_file_is_shown_in_the_gradebook(run, exam, tmp_path):
    handed = tmp_path / "handed"
    handed.mkdir()
    late = {**filled_submission(exam, "v001"), "saved_at": "2026-05-14T09:30:00.125Z"}
    (handed / "v001.json").write_text(json.dumps(late))
    (handed / "v002.json").write_text(json.dumps(filled_submission(exam, "v002")))
    result = run("grade", str(handed), "--out", "grades")
    assert result.exit_code == 0, result.output
    rows = {row["student_id"]: row for row in gradebook_rows(tmp_path / "grades")}
    assert rows["v001"]["saved_at"] == "2026-05-14T09:30:00.125Z"
    assert rows["v002"]["saved_at"] == "" and rows["v003"]["saved_at"] == ""
    assert rows["v001"]["total"] == rows["v001"]["max_points"]


@pytest.mark.parametrize(
    "saved_at",
    ["=HYPERLINK(1)", "yesterday", 17, ["2026-05-14T09:30:00Z"], "2026-05-14T09:30:00",
     "２０２６-05-14T09:30:00Z", "2026-05-14T09:30:00Z\n", "2026-13-45T99:99:99Z",
     "2026-02-30T10:00:00Z"],
)  # fmt: skip
def test_a_saved_at_that_is_not_a_utc_time_is_refused_on_one_line(run, exam, tmp_path, saved_at):
    path = tmp_path / "handed.json"
    path.write_text(json.dumps({**filled_submission(exam, "v001"), "saved_at": saved_at}))
    result = run("grade", str(path))
    assert result.exit_code != 0
    (line,) = result.output.strip().splitlines()
    assert str(path) in line and "'saved_at'" in line and "is not a UTC time" in line


# ---- the answer cases: one table, read by the Python grader and by the pages' script ------

CASES = json.loads((Path(__file__).parent / "data" / "answer_cases.json").read_text())


def test_the_grader_reads_every_answer_case_as_the_table_says():
    assert len(CASES) > 100 and sum(case["read"] == "invalid" for case in CASES) > 40
    for case in CASES:
        answer_type = answer_type_from_json(case["type"])
        read = answer_type.read_answer(case["text"])
        seen = read.status if isinstance(read, Score) else "readable"
        assert seen == case["read"], case
        if seen == "invalid":
            assert read.feedback == case["message"], case
        if "verdict" in case:
            assert answer_type.grade(case["text"], case["key"]).status == case["verdict"], case


def launch(playwright):
    """Debian's Chromium, driven by Playwright; skipped where either is missing, unless
    EXAMGEN_REQUIRE_TOOLS=1 (as .ci/run sets) makes that a failure."""
    return playwright.chromium.launch(executable_path=tool("chromium"))


@pytest.fixture(scope="module")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRED:
            pytest.fail("playwright is not installed (pip install '.[test]')")
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def html_exam(run, tmp_path):
    (tmp_path / "roster.csv").write_text('id,name\ns1,"Ada <b>Lovelace</b>"\ns2,Alan Turing\n')
    spec = tmp_path / "form.toml"
    spec.write_text(FORM_SPEC)
    result = run(
        "generate", str(spec), "--roster", "roster.csv", "--seed", "form", "--format", "html"
    )
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    return exam


# every kind of box: a number, a count, a shape, the network table's cells, a matrix grid,
# true/false, letters and an expression
FORM_SPEC = """
title = "Answer form"
[[questions]]
family = "conv_output_size"
points = 2
[[questions]]
family = "network_table"
points = 6
[[questions]]
family = "softmax_loss"
points = 4
[[questions]]
family = "concept_tf"
points = 2
[[questions]]
family = "concept_choice"
points = 4
[[questions]]
family = "chain_rule"
points = 3
"""


def open_page(browser, path, width=1280, alone=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # the form asks for itself and the file it saves, nothing else, on disk or not; the
    # self-check page loads the practice set's assets/ from disk
    allowed = (path.as_uri(), "blob:") if alone else (path.parent.as_uri() + "/", "blob:")
    page.on(
        "request", lambda request: request.url.startswith(allowed) or problems.append(request.url)
    )
    page.goto(path.as_uri())
    return context, page, problems


@pytest.mark.parametrize("page_name", ["form", "self-check"])
def test_the_pages_script_reads_every_answer_case_as_the_table_says(
    run, tmp_path, chromium, html_exam, page_name
):
    if page_name == "form":
        path = html_exam / "students" / "s1" / "sheet.html"
    else:
        run(
            "practice",
            "-f",
            "conv_output_size",
            "-c",
            "1",
            "-s",
            "x",
            "--format",
            "html",
            "--out",
            "p",
        )
        (folder,) = (tmp_path / "p").iterdir()
        path = folder / "self-check.html"
    context, page, problems = open_page(chromium, path, alone=page_name == "form")
    page.wait_for_function(
        "typeof readAnswer === 'function' && typeof check === 'function'"
        if page_name == "self-check"
        else "typeof readAnswer === 'function'"
    )
    seen = page.evaluate(
        """(cases) => cases.map((c) => {
            const read = readAnswer(c.type, c.text);
            return [read.status, read.message ?? "", typeof check === "function" && "key" in c
                ? check({type: c.type, key: c.key, mistakes: []}, c.text).status : null];
        })""",
        CASES,
    )
    for case, (status, message, verdict) in zip(CASES, seen, strict=True):
        assert status == case["read"], case
        if status == "invalid":
            assert message == case["message"], case
        if "verdict" in case and page_name == "self-check":
            assert verdict == case["verdict"], case
    assert not problems
    context.close()


# ---- a student fills the form in: typing, reloading, saving, grading ---------------------

# What the student types, by answer kind: the key (as the form's boxes take it), or a
# wrong, unreadable or hostile answer; letters and true/false are ticked.
HOSTILE = '</script><img src=x onerror="document.title=1">'


def typed_answers(variant):
    """Every part's answer as a student types it into the form, by question and part: a mix
    of right, wrong, unreadable and hostile answers, and one left blank."""
    answers, n = {}, 0
    for question in variant["questions"]:
        for part in question["parts"]:
            kind, key = part["type"]["kind"], part["key"]
            n += 1
            if kind == "truefalse":
                text = "true" if key else "false"
            elif kind == "multiselect":
                text = "".join(sorted(key)) if n % 2 else "A"
            elif kind == "matrix":
                rows = key if key and isinstance(key[0], list) else [key]
                text = "[" + "; ".join(", ".join(repr(v) for v in row) for row in rows) + "]"
            elif kind == "shape":
                text = str(key) if n % 3 else "32x32x"
            elif kind == "real":
                text = "1,000" if n % 2 else repr(key)
            elif kind == "expression":
                text = HOSTILE
            else:
                text = str(key) if n % 4 else "blank"
            answers.setdefault(question["id"], {})[part["id"]] = "" if text == "blank" else text
    return answers


def type_into_form(page, answers):
    for qid, parts in answers.items():
        for pid, text in parts.items():
            part = page.locator(f'[data-question="{qid}"][data-part="{pid}"]')
            form = part.get_attribute("data-form")
            if form == "truefalse":
                if text:
                    part.locator(f'input[value="{text}"]').check()
            elif form == "letters":
                for letter in text:
                    part.locator(f'input[value="{letter}"]').check()
            elif form == "grid":
                rows = [row.split(", ") for row in text[1:-1].split("; ")]
                cells = part.locator("input")
                for n, value in enumerate(v for row in rows for v in row):
                    cells.nth(n).press_sequentially(value)
            else:
                box = page.locator(f'[id="a-{qid}-{pid}"]')
                box.press_sequentially(text)


def part_messages(page):
    return page.evaluate(
        """Object.fromEntries([...document.querySelectorAll("[data-part-answer]")].map((e) => [
            `${e.dataset.question}.${e.dataset.part}`,
            document.getElementById(e.dataset.message).textContent,
        ]))"""
    )


def statuses_of(out):
    """Each part's status in the one submission graded into ``out``."""
    (report,) = json.loads((out / "report.json").read_text())["submissions"]
    return {f"{q['id']}.{p['id']}": p["status"] for q in report["questions"] for p in q["parts"]}


def test_a_student_fills_the_form_reloads_saves_and_grade_reads_it_as_typed_json(
    run, tmp_path, chromium, html_exam
):
    key = json.loads((html_exam / "instructor" / "key.json").read_text())
    variant = next(v for v in key["variants"] if v["student_id"] == "s1")
    answers = typed_answers(variant)
    # the student's folder alone, copied away from the exam: no assets beside it
    alone = tmp_path / "copied"
    alone.mkdir()
    shutil.copy(html_exam / "students" / "s1" / "sheet.html", alone / "sheet.html")
    context, page, problems = open_page(chromium, alone / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    assert page.evaluate("document.querySelectorAll('.katex').length") > 5
    assert page.evaluate("document.querySelectorAll('.katex-error').length") == 0
    type_into_form(page, answers)
    messages = part_messages(page)
    assert any(m.startswith("✗ cannot be read: '1,000' is ambiguous") for m in messages.values())
    assert any("is not a shape: write whole numbers" in m for m in messages.values()), messages
    assert not any("correct" in m or "wrong" in m for m in messages.values())  # never a verdict
    # the network table's boxes are its cells
    assert page.locator("section .question-text table input").count() >= 4
    page.reload()
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    assert part_messages(page) == messages  # kept in the browser, restored on reload
    page.click("#form-save")
    pending = page.locator("#form-pending-list").inner_text()
    assert "Blank (scores 0)" in pending and "Cannot be read (scores 0)" in pending
    with page.expect_download() as download:
        page.click("#form-save-anyway")
    saved = tmp_path / "saved.json"
    download.value.save_as(saved)
    assert page.title() != "1" and not problems  # the hostile answer ran nothing, fetched nothing
    context.close()

    submission = json.loads(saved.read_text())
    assert submission["exam_id"] == key["exam_id"] and submission["student_id"] == "s1"
    assert submission["variant_id"] == variant["variant_id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", submission["saved_at"])
    by_hand = tmp_path / "by-hand.json"
    blank = json.loads((html_exam / "students" / "s1" / "submission.json").read_text())
    by_hand.write_text(json.dumps({**blank, "answers": answers}))
    key_file = str(html_exam / "instructor" / "key.json")
    reports = {}
    for name, path in (("form", saved), ("by hand", by_hand)):
        result = run("grade", str(path), "--key", key_file, "--out", f"g-{name}")
        assert result.exit_code == 0, result.output
        (graded,) = json.loads((tmp_path / f"g-{name}" / "report.json").read_text())["submissions"]
        reports[name] = graded
        rows = gradebook_rows(tmp_path / f"g-{name}")
        saved_at = next(r for r in rows if r["student_id"] == "s1")["saved_at"]
        assert saved_at == (submission["saved_at"] if name == "form" else "")
    assert reports["form"]["points"] == reports["by hand"]["points"]
    assert {"correct", "wrong", "invalid", "blank"} <= set(
        statuses_of(tmp_path / "g-form").values()
    )
    assert statuses_of(tmp_path / "g-form") == statuses_of(tmp_path / "g-by hand")


def load(page, path):
    # the status line still holds the last file's: empty it, then wait for this file's
    page.evaluate("document.getElementById('form-status').textContent = ''")
    page.set_input_files("#form-load", str(path))
    page.wait_for_function("document.getElementById('form-status').textContent !== ''")
    return page.locator("#form-status").inner_text()


def test_a_saved_submission_loads_back_and_another_students_is_refused_on_one_line(
    tmp_path, chromium, html_exam
):
    key = json.loads((html_exam / "instructor" / "key.json").read_text())
    s1 = next(v for v in key["variants"] if v["student_id"] == "s1")
    mine = json.loads((html_exam / "students" / "s1" / "submission.json").read_text())
    answers = typed_answers(s1)
    (tmp_path / "mine.json").write_text(json.dumps({**mine, "answers": answers}))
    friend = json.loads((html_exam / "students" / "s2" / "submission.json").read_text())
    (tmp_path / "friend.json").write_text(json.dumps(friend))
    other_exam = {**mine, "exam_id": "another-exam-1234abcd"}
    (tmp_path / "other-exam.json").write_text(json.dumps(other_exam))
    (tmp_path / "not-json.json").write_text("{'answers': ")
    (tmp_path / "huge.json").write_bytes(b" " * 1_000_001)
    unknown = {**mine, "answers": {"q1": {"<b>bold</b>": "1"}}}
    (tmp_path / "unknown-part.json").write_text(json.dumps(unknown))

    context, page, problems = open_page(chromium, html_exam / "students" / "s1" / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    type_into_form(page, answers)
    typed = part_messages(page)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    assert not any(part_messages(page).values())  # nothing kept: a fresh browser
    assert load(page, tmp_path / "mine.json") == "Loaded mine.json."
    assert part_messages(page) == typed
    refusals = {
        "friend.json": 'student_id "s2", and this sheet is "s1"',
        "other-exam.json": 'exam_id "another-exam-1234abcd", and this sheet is',
        "not-json.json": "not-json.json is not JSON",
        "huge.json": "larger than 1 MB",
        "unknown-part.json": 'part "q1.<b>bold</b>" is not on this sheet',
    }
    for name, reason in refusals.items():
        line = load(page, tmp_path / name)
        assert line.startswith("Not loaded: ") and reason in line and "\n" not in line, line
        assert part_messages(page) == typed  # a refused file changes no answer
    assert page.locator("#form-status b").count() == 0 and not problems
    context.close()


def test_every_box_of_the_form_has_a_label_a_screen_reader_reads(chromium, html_exam):
    context, page, _problems = open_page(chromium, html_exam / "students" / "s1" / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    unnamed = page.evaluate(
        """[...document.querySelectorAll("input, textarea, button")].filter((box) => {
            const label = box.labels && [...box.labels].some((l) => l.textContent.trim());
            const aria = (box.getAttribute("aria-label") || "").trim();
            const text = box.tagName === "BUTTON" && box.textContent.trim();
            return !(label || aria || text);
        }).map((box) => box.outerHTML)"""
    )
    assert unnamed == []
    # a true/false pair is a group named by its question, and can be cleared by keyboard
    group = page.locator('[data-part-answer][data-form="truefalse"] fieldset').first
    assert "answer" in group.locator("legend").inner_text()
    radio = group.locator('input[value="false"]')
    radio.focus()
    page.keyboard.press("Space")
    assert radio.is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Clear button, next in the tab order
    assert not radio.is_checked()
    context.close()


def test_no_byte_of_a_students_folder_with_its_form_reveals_a_key(run, tmp_path):
    """test_batch_grading's check of every file a student gets (which reads the default and
    losses exams' forms too), on the network table, whose boxes the table itself holds."""
    run("generate", "convnet-shapes", "-n", "3", "--seed", "secret-check", "--format", "md,html")
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    assert key["seed"] not in "".join(p.read_text() for p in (exam / "students").rglob("*.*"))
    for variant in key["variants"]:
        folder = exam / "students" / variant["student_id"]
        student_text = "".join(p.read_text() for p in folder.iterdir())
        assert "<script>" in student_text and "data-type=" in student_text
        assert "diagnosis" not in student_text.replace("mistake.diagnosis", "")
        assert_no_key_in(student_text, variant)


def test_printed_the_form_is_the_question_sheet_with_its_boxes(chromium, html_exam):
    context, page, problems = open_page(chromium, html_exam / "students" / "s1" / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    page.locator('[id="a-q1-output"]').press_sequentially("1,000")
    page.emulate_media(media="print")
    hidden = ["#form-save", "#form-load", ".on-screen", ".form-message.invalid", "button.clear"]
    for selector in hidden:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".on-paper").is_visible()
    assert "submission.json beside this sheet" in page.locator(".on-paper").inner_text()
    assert page.locator('[id="a-q1-output"]').is_visible()  # the boxes, and what is typed
    assert page.locator("section .question-text table input").first.is_visible()
    assert not problems
    context.close()


def test_a_practice_sheet_is_a_form_too_and_saves_what_grade_reads(run, tmp_path, chromium):
    run("practice", "-f", "conv_output_size", "-c", "1", "-s", "x", "--format", "html")
    (folder,) = (tmp_path / "output").iterdir()
    context, page, problems = open_page(chromium, folder / "practice.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    page.locator("[data-part-answer] input").first.press_sequentially("7")
    with page.expect_download() as download:
        page.click("#form-save")
    download.value.save_as(folder / "saved.json")
    assert not problems
    context.close()
    result = run("grade", str(folder / "saved.json"), "--key", str(folder / "instructor/key.json"))
    assert result.exit_code == 0, result.output


def test_answers_are_kept_per_student_so_a_shared_browser_mixes_no_one_up(chromium, html_exam):
    context = chromium.new_context()
    page = context.new_page()
    page.goto((html_exam / "students" / "s1" / "sheet.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    page.locator('[id="a-q1-output"]').press_sequentially("13")
    page.goto((html_exam / "students" / "s2" / "sheet.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    assert page.locator('[id="a-q1-output"]').input_value() == ""
    page.goto((html_exam / "students" / "s1" / "sheet.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    assert page.locator('[id="a-q1-output"]').input_value() == "13"
    context.close()


def test_a_grid_box_holding_two_numbers_or_none_is_named_by_its_row_and_column(chromium, html_exam):
    context, page, problems = open_page(chromium, html_exam / "students" / "s1" / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    grid = page.locator('[data-form="grid"]').first
    message = page.locator(f"#{grid.get_attribute('data-message')}")
    cells = grid.locator("input")
    cells.nth(0).press_sequentially("1,5")  # a decimal comma would split the entry in two
    assert message.inner_text() == (
        "✗ cannot be read: entry (1, 1): write one number in each box, with '.' for decimals"
    )
    cells.nth(0).fill("")
    cells.nth(1).press_sequentially("0.5")
    assert message.inner_text() == "✗ cannot be read: entry (1, 1) is empty"
    for n in range(cells.count()):
        cells.nth(n).fill("0.25")
    cells.nth(0).dispatch_event("input")
    assert message.inner_text() == "✓ can be read"
    assert not problems
    context.close()


def test_a_saved_file_with_an_object_where_a_choice_belongs_loads_the_rest_and_names_it(
    tmp_path, chromium, html_exam
):
    key = json.loads((html_exam / "instructor" / "key.json").read_text())
    s1 = next(v for v in key["variants"] if v["student_id"] == "s1")
    mine = json.loads((html_exam / "students" / "s1" / "submission.json").read_text())
    answers = typed_answers(s1)
    odd = []
    for question in s1["questions"]:
        for part in question["parts"]:
            if part["type"]["kind"] in ("truefalse", "multiselect"):
                answers[question["id"]][part["id"]] = {"x": 1} if not odd else [1, 2]
                odd.append(f"{question['id']}.{part['id']}")
    assert len(odd) >= 2
    (tmp_path / "odd.json").write_text(json.dumps({**mine, "answers": answers}))
    context, page, problems = open_page(chromium, html_exam / "students" / "s1" / "sheet.html")
    page.wait_for_function("document.documentElement.dataset.form === 'ready'")
    line = load(page, tmp_path / "odd.json")
    assert line.startswith("Loaded odd.json; these answers do not fit their boxes"), line
    assert all(name in line for name in odd)
    assert not problems  # no script error, no request
    context.close()
