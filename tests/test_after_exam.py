"""After the exam: a flawed bank item is found by stats and fixed with one command, a
question is credited to all and manual points are merged; then every output that shows the
key -- key.json, the grading report, feedback pages, readable keys, exports, stats -- agrees
with the corrected key, and no place shows the old one."""

import csv
import io
import json
import re
import zipfile
from collections import Counter

import pytest
from conftest import assert_carries_katex, filled_submission

VARIANTS = 30
# A true/false slot drawn from a topic of four items: each item in most variants
SPEC = """title = "After the exam"
[[questions]]
id = "tf"
family = "concept_tf"
points = 2
count = 3
[questions.givens]
topic = "classifiers"
[[questions]]
id = "mc"
family = "concept_choice"
points = 4
[[questions]]
id = "table"
family = "network_table"
points = 6
[[questions]]
id = "graph"
family = "chain_rule"
points = 4
[[questions]]
id = "size"
family = "conv_output_size"
points = 2
"""


@pytest.fixture
def flawed_class(run, tmp_path):
    """A graded class of the default exam in which a true/false bank item behaves as if its
    key were wrong: the strong half answers it against the key, the weak half with it.
    Returns (exam folder, the item, its key, the answer the strong students gave)."""
    (tmp_path / "after.toml").write_text(SPEC)
    result = run("generate", "after.toml", "--variants", str(VARIANTS), "--seed", "after",
                 "--format", "md,html,moodle,qti")  # fmt: skip
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    drawn = Counter(
        q["params"]["item"] for v in key["variants"] for q in v["questions"]
        if q["params"].get("item") and q["id"].startswith("tf")
    )  # fmt: skip
    item = drawn.most_common(1)[0][0]
    (tmp_path / "subs").mkdir()
    for n, variant in enumerate(key["variants"]):
        submission = filled_submission(exam, variant["student_id"])
        for question in variant["questions"]:
            answer = question["parts"][0]["key"]
            if question["params"].get("item") == item:
                flipped = n < VARIANTS // 2  # the strong half
                submission["answers"][question["id"]]["answer"] = (
                    (not answer) if flipped else answer
                )
            elif n >= VARIANTS // 2 and question["id"] in ("table", "graph", "size"):
                for part in submission["answers"][question["id"]]:
                    submission["answers"][question["id"]][part] = ""  # the weak half
        (tmp_path / "subs" / f"{variant['student_id']}.json").write_text(json.dumps(submission))
    assert run("grade", "subs", "--out", "grades").exit_code == 0
    old = next(
        q["parts"][0]["key"] for v in key["variants"] for q in v["questions"]
        if q["params"].get("item") == item
    )  # fmt: skip
    return exam, item, old


def _word(value: bool) -> str:
    return "true" if value else "false"


def test_a_flawed_item_is_found_fixed_in_one_command_and_no_output_shows_the_old_key(
    run, tmp_path, flawed_class
):
    exam, item, old = flawed_class
    new = not old
    stats = run("stats", "grades")
    assert stats.exit_code == 0, stats.output
    command = f"examgen regrade grades --key-fix {item}={_word(new)}"
    assert command in stats.output  # found, with the command that fixes it
    assert stats.output.index(command) < stats.output.index("By family")
    (tmp_path / "paper.csv").write_text(
        "\ufeffStudent ID;question;points;comment\nv001;table;5,5;work on paper, page 2\n"
    )
    result = run("regrade", "grades", "--key-fix", f"{item}={_word(new)}",
                 "--full-credit", "graph", "--manual", "paper.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"adjusted: key of {item}: {_word(new)} (was {_word(old)})" in result.output
    stale = [line for line in result.output.splitlines() if line.startswith("stale:")]
    assert all("grade by the keys alone" in line for line in stale)  # none shows the old key

    key = json.loads((exam / "instructor" / "key.json").read_text())
    places = {
        (v["student_id"], q["id"]): q
        for v in key["variants"]
        for q in v["questions"]
        if q["params"].get("item") == item
    }
    assert len(places) >= 3
    assert all(q["parts"][0]["key"] is new for q in places.values())
    assert all(q["steps"][0].startswith(f"{_word(new).title()}. ") for q in places.values())

    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    for submission in report["submissions"]:
        for question in submission["questions"]:
            if (submission["student_id"], question["id"]) in places:
                assert question["parts"][0]["key"] is new
            if question["id"] == "graph":
                assert question["points"] == question["max_points"]  # credited to all
        if submission["student_id"] == "v001":
            table = next(q for q in submission["questions"] if q["id"] == "table")
            assert table["points"] == 5.5

    old_word, new_word = _word(old), _word(new)
    for (student, qid), _question in places.items():
        page = (tmp_path / "grades" / "feedback" / f"{student}.md").read_text()
        section = _section(page, _heading(page, qid), "\n## ")
        (row,) = [line for line in section.splitlines() if line.startswith("| answer |")]
        assert row.split("|")[3].strip() == new_word, row
        assert f"1. {new_word.title()}. " in section and f"1. {old_word.title()}. " not in section
        html = (tmp_path / "grades" / "feedback" / f"{student}.html").read_text()
        section = _section(html, f'id="{qid}"', "</section>")
        (cell,) = re.findall(r"<td>answer</td><td>[^<]*</td><td>([^<]*)</td>", section)
        assert cell == new_word
        readable = (exam / "instructor" / "keys" / f"{student}.md").read_text()
        glance = next(line for line in readable.splitlines() if f". ({qid}) |" in line)
        assert glance.split("|")[3].strip() == new_word
        section = _section(readable, _heading(readable, qid), "\n## ")
        assert f"**{new_word}**" in section and f"**{old_word}**" not in section
        readable = (exam / "instructor" / "keys" / f"{student}.html").read_text()
        section = _section(readable, f'id="{qid}"', "</section>")
        assert f'<span class="key">{new_word}</span>' in section
        assert f'<span class="key">{old_word}</span>' not in section
        assert_carries_katex(readable)  # written again, it still works alone

    statement = next(iter(places.values()))["answers"]["statement"]
    moodle = (exam / "instructor" / "moodle.xml").read_text()
    for found in re.finditer(re.escape(statement), moodle):
        question = moodle[found.end() : moodle.index("</question>", found.end())]
        right = re.search(r'fraction="100" format="html">\s*<text>(\w+)</text>', question)
        assert right and right[1] == new_word.title()
    with zipfile.ZipFile(exam / "instructor" / "canvas-qti.zip") as archive:
        qti = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    for found in re.finditer(re.escape(statement), qti):
        item_xml = qti[found.end() : qti.index("</item>", found.end())]
        labels = dict(
            re.findall(r'ident="(choice\d)">\s*<material>\s*<mattext[^>]*>(\w+)<', item_xml)
        )
        (correct,) = re.findall(r"<varequal[^>]*>(choice\d)</varequal>", item_xml)
        assert labels[correct] == new_word.title()

    analysed = json.loads((tmp_path / "grades" / "stats.json").read_text())
    row = next(r for r in analysed["items"] if r["id"] == item)
    assert row["key"] == new_word and row["flag"] is None

    gradebook = list(
        csv.DictReader(io.StringIO((tmp_path / "grades" / "gradebook.csv").read_text()))
    )
    first = next(r for r in gradebook if r["student_id"] == "v001")
    assert first["table (6)"] == "5.5"
    feedback = (tmp_path / "grades" / "feedback" / "v001.md").read_text()
    assert "Points set by the instructor: 5.5 of 6. work on paper, page 2" in feedback

    adjustments = (exam / "instructor" / "adjustments.toml").read_text()
    assert f'target = "{item}"' in adjustments and f'was = "{old_word}"' in adjustments
    again = run("regrade", "grades")  # every later regrade applies them again, the same
    assert again.exit_code == 0, again.output
    assert "no student's points changed" in again.output
    assert json.loads((exam / "instructor" / "key.json").read_text()) == key


def _heading(text: str, qid: str) -> str:
    """A question's heading in a Markdown page: ## 2. (qid) ..."""
    return re.search(rf"^## \d+\. \({re.escape(qid)}\) ", text, re.M).group(0)


def _section(text: str, start: str, end: str) -> str:
    at = text.index(start)
    stop = text.find(end, at + len(start))
    return text[at : stop if stop >= 0 else len(text)]


def test_an_accepted_answer_earns_the_marks_and_the_key_stays(run, tmp_path, flawed_class):
    exam, item, old = flawed_class
    before = json.loads((tmp_path / "grades" / "report.json").read_text())
    result = run("regrade", "grades", "--accept", f"{item}={_word(not old)}")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    points = {s["student_id"]: s["points"] for s in report["submissions"]}
    earlier = {s["student_id"]: s["points"] for s in before["submissions"]}
    had = {
        s["student_id"] for s in before["submissions"]
        for q in s["questions"] if q.get("origin", {}).get("item") == item
    }  # fmt: skip
    strong = {s for s in had if int(s[1:]) <= VARIANTS // 2}
    assert strong and all(points[s] == earlier[s] + 3 for s in strong)  # -1 was +2 now
    assert all(points[s] == earlier[s] for s in points if s not in strong)
    key = json.loads((exam / "instructor" / "key.json").read_text())
    parts = [
        q["parts"][0] for v in key["variants"] for q in v["questions"]
        if q["params"].get("item") == item
    ]  # fmt: skip
    assert all(p["key"] is old and p["accept"] == [not old] for p in parts)


@pytest.mark.parametrize(
    "option,message",
    [
        (["--key-fix", "no-such-item=true"], "--key-fix no-such-item=true: no question, bank item"),
        (["--key-fix", "tfa=false"], "--key-fix tfa=false: it holds"),
        (["--key-fix", "table=3"], "--key-fix table=3: table has several parts: name one"),
        (["--key-fix", "size=abc"], "is no "),
        (["--accept", "graph"], "--accept: 'graph' must be ITEM=VALUE"),
    ],
)
def test_an_adjustment_that_names_nothing_or_holds_no_key_is_refused_on_one_line(
    run, tmp_path, flawed_class, option, message
):
    exam, _item, _old = flawed_class
    key_before = (exam / "instructor" / "key.json").read_bytes()
    result = run("regrade", "grades", *option)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ") and message in line
    assert (exam / "instructor" / "key.json").read_bytes() == key_before
    assert not (exam / "instructor" / "adjustments.toml").exists()


@pytest.mark.parametrize(
    "rows,message",
    [
        ("student,question,points\nv001,table,7\n", "points 7 must be from 0 to 6"),
        ("student,question,points\nnobody,table,1\n", "no student 'nobody'"),
        ("student,question,points\nv001,table,lots\n", "line 2: points 'lots' must be a number"),
        ("who,points\nv001,1\n", "line 1: the header names no student column"),
    ],
)
def test_a_bad_csv_of_manual_points_is_refused_on_one_line(
    run, tmp_path, flawed_class, rows, message
):
    (tmp_path / "paper.csv").write_text(rows)
    result = run("regrade", "grades", "--manual", "paper.csv")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: paper.csv: line ") and message in line, line


def test_a_corrected_given_solves_each_variant_again_and_names_the_sheets_stale(
    run, tmp_path, flawed_class
):
    from generator import registry

    exam, _item, _old = flawed_class
    result = run("regrade", "grades", "--key-fix", "size.stride=1")
    assert result.exit_code == 0, result.output
    assert "adjusted: size.stride = 1" in result.output
    assert f"stale: {exam.name}/students/v001/sheet.md shows the givens as handed out" in (
        result.output
    )
    family = registry.get("conv_output_size")
    key = json.loads((exam / "instructor" / "key.json").read_text())
    report = json.loads((tmp_path / "grades" / "report.json").read_text())
    graded = {s["student_id"]: s for s in report["submissions"]}
    for variant in key["variants"]:
        question = next(q for q in variant["questions"] if q["id"] == "size")
        assert question["params"]["stride"] == 1
        solution = family.solve(family.read_givens(question["params"]))
        answers = json.loads(json.dumps(solution.answers))
        assert question["answers"] == answers and question["steps"] == solution.steps
        (part,) = question["parts"]
        assert part["key"] == answers[part["id"]]
        shown = next(q for q in graded[variant["student_id"]]["questions"] if q["id"] == "size")
        assert shown["parts"][0]["key"] == part["key"]
        readable = (exam / "instructor" / "keys" / f"{variant['student_id']}.md").read_text()
        assert "stride 1," in _section(readable, _heading(readable, "size"), "\n## ")


def test_exports_that_cannot_carry_an_accepted_answer_are_named_stale(run, tmp_path, flawed_class):
    exam, item, old = flawed_class
    result = run("regrade", "grades", "--accept", f"{item}={_word(not old)}")
    assert result.exit_code == 0, result.output
    assert (
        f"stale: {exam.name}/instructor/moodle.xml and instructor/canvas-qti.zip grade by the "
        "keys alone" in result.output
    )


def test_an_entry_removed_from_the_adjustments_file_is_undone_by_the_next_regrade(
    run, tmp_path, flawed_class
):
    exam, item, old = flawed_class
    first = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert run("regrade", "grades", "--accept", f"{item}={_word(not old)}").exit_code == 0
    adjustments = exam / "instructor" / "adjustments.toml"
    text = adjustments.read_text()
    adjustments.write_text(text[: text.index("[[accept]]")])  # the instructor takes it back
    result = run("regrade", "grades")
    assert result.exit_code == 0, result.output
    again = json.loads((tmp_path / "grades" / "report.json").read_text())
    assert [s["points"] for s in again["submissions"]] == [
        s["points"] for s in first["submissions"]
    ]
    key = json.loads((exam / "instructor" / "key.json").read_text())
    assert not any(
        "accept" in p for v in key["variants"] for q in v["questions"] for p in q["parts"]
    )


@pytest.mark.parametrize(
    "text,message",
    [
        ("[[key_fix]]\ntarget = 'x\n", "not TOML"),
        ("[[key_fix]]\ntarget = 'tfa'\n", "key_fix[0].value must be a non-empty string"),
        ("[[bonus]]\ntarget = 'tfa'\n", "unknown table [[bonus]]"),
        ("[[manual]]\nstudent = 'v001'\nquestion = 'table'\npoints = 'ten'\n", "manual[0].points"),
        ('[[drop]]\ntarget = "\\u001b[2J"\n', "drop[0] '\\x1b[2J': no question, bank item"),
    ],
)
def test_a_broken_adjustments_file_is_refused_on_one_line_naming_the_entry(
    run, tmp_path, flawed_class, text, message
):
    exam, _item, _old = flawed_class
    key_before = (exam / "instructor" / "key.json").read_bytes()
    (exam / "instructor" / "adjustments.toml").write_text(text)
    result = run("regrade", "grades")
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: {exam.relative_to(tmp_path)}/instructor/adjustments.toml")
    assert message in line, line
    assert (exam / "instructor" / "key.json").read_bytes() == key_before


def test_a_dropped_bank_item_lowers_only_its_students_maximum(run, tmp_path, flawed_class):
    exam, item, _old = flawed_class
    result = run("regrade", "grades", "--drop", item)
    assert result.exit_code == 0, result.output
    key = json.loads((exam / "instructor" / "key.json").read_text())
    had = {
        v["student_id"] for v in key["variants"]
        if any(q["params"].get("item") == item for q in v["questions"])
    }  # fmt: skip
    assert 0 < len(had) < VARIANTS
    gradebook = (tmp_path / "grades" / "gradebook.csv").read_text()
    for row in csv.DictReader(io.StringIO(gradebook)):
        assert row["max_points"] == ("20" if row["student_id"] in had else "22"), row
    feedback = (tmp_path / "grades" / "feedback" / f"{sorted(had)[0]}.md").read_text()
    assert "The instructor dropped this question" in feedback


FIXED = """title = "Fixed"
[[questions]]
id = "size"
family = "conv_output_size"
points = 2
[questions.givens]
input = 32
kernel = 5
stride = 1
padding = 0
"""


def test_a_key_fixed_to_a_known_mistakes_answer_no_longer_calls_it_a_mistake(run, tmp_path):
    (tmp_path / "fixed.toml").write_text(FIXED)
    assert run("generate", "fixed.toml", "--variants", "3", "--seed", "f").exit_code == 0
    (exam,) = (tmp_path / "output").iterdir()
    (tmp_path / "subs").mkdir()
    for student in ("v001", "v002", "v003"):
        submission = json.loads((exam / "students" / student / "submission.json").read_text())
        submission["answers"]["size"]["output"] = "27"
        (tmp_path / "subs" / f"{student}.json").write_text(json.dumps(submission))
    assert run("grade", "subs", "--out", "grades").exit_code == 0
    result = run("regrade", "grades", "--key-fix", "size=27")
    assert result.exit_code == 0, result.output
    assert "v001: 0 / 2 → 2 / 2 (size +2)" in result.output
    key = json.loads((exam / "instructor" / "key.json").read_text())
    for variant in key["variants"]:
        (part,) = variant["questions"][0]["parts"]
        assert part["key"] == 27 and "mistakes" not in part and "tells_apart" not in part
        assert "forgetting the + 1 for the first window" in part["same_as_key"]
        assert "The steps above reach the old key" in variant["questions"][0]["steps"][-1]
