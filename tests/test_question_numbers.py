"""Questions are numbered 1, 2, 3 on every sheet and key, each keeping its id (the name
submission.json uses); a key's answer to a one-part question is the key alone; the key's
"at a glance" list keeps each question's parts together."""

import json
import re

import pytest


@pytest.fixture
def pages(run, tmp_path):
    result = run(
        "generate", "convnet-shapes", "-n", "1", "--seed", "numbers", "--format", "md,html,tex"
    )
    assert result.exit_code == 0, result.output
    (exam,) = (tmp_path / "output").iterdir()
    key = json.loads((exam / "instructor" / "key.json").read_text())
    ids = [q["id"] for q in key["variants"][0]["questions"]]
    return exam, ids


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("students/v001/sheet.md", r"^## (\d+)\. \(([^)]+)\) "),
        ("students/v001/sheet.html", r"<h2>(\d+)\. \(([^)]+)\) "),
        ("students/v001/sheet.tex", r"\\question\{(\d+)\. \(([^)]+)\) "),
        ("instructor/keys/v001.md", r"^## (\d+)\. \(([^)]+)\) "),
        ("instructor/keys/v001.html", r"<h2>(\d+)\. \(([^)]+)\) "),
        ("instructor/keys/v001.tex", r"\\question\{(\d+)\. \(([^)]+)\) "),
    ],
)
def test_every_sheet_and_key_numbers_its_questions_and_keeps_their_ids(pages, path, heading):
    exam, ids = pages
    found = re.findall(heading, (exam / path).read_text(), re.M)
    assert found == [(str(n), qid) for n, qid in enumerate(ids, start=1)]


def test_the_key_of_a_one_part_question_reads_answer_then_the_key_alone(pages):
    exam, _ = pages
    key = json.loads((exam / "instructor" / "key.json").read_text())
    tex = (exam / "instructor" / "keys" / "v001.tex").read_text()
    answers = re.findall(r"\\textbf\{Answer:\} (.*)\\par", tex)
    for question, line in zip(key["variants"][0]["questions"], answers, strict=True):
        if len(question["parts"]) == 1:
            assert "=" not in line and line.startswith(r"\textbf{"), line
        else:
            assert line.count(" = ") == len(question["parts"]), line


def test_the_keys_answers_at_a_glance_keep_each_questions_parts_together(pages):
    exam, ids = pages
    tex = (exam / "instructor" / "keys" / "v001.tex").read_text()
    glance = tex.split(r"\begin{multicols}", 1)[1].split(r"\end{multicols}", 1)[0]
    boxes = re.findall(r"\\begin\{minipage\}.*?\\end\{minipage\}", glance, re.S)
    assert len(boxes) == len(ids)  # one unbreakable box per question, each with all its parts
    assert [box.count(r"\glance{") for box in boxes] == [
        len(q["parts"])
        for q in json.loads((exam / "instructor" / "key.json").read_text())["variants"][0][
            "questions"
        ]
    ]
    html = (exam / "instructor" / "keys" / "v001.html").read_text()
    groups = re.findall(r'<tbody class="question-keys">(.*?)</tbody>', html, re.S)
    assert len(groups) == len(ids)
    assert "tbody.question-keys { break-inside: avoid;" in html
