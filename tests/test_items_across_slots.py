"""stats follows a bank item across the slots it was drawn in, counting a multiple-choice
item's answers in the bank's own letters, whatever each variant's shuffle; a flawed-looking
item comes first with the regrade command that fixes it."""

from generator.grading.item_analysis import item_rows
from generator.grading.stats import item_analysis, stats_text


def submission(student, points, questions):
    return {
        "submission": f"{student}.json",
        "exam_id": "e",
        "variant_id": f"{student:0>10}"[:10],
        "student_id": student,
        "points": points,
        "max_points": 20,
        "questions": questions,
    }


def choice(slot, order, answer, key, points):
    return {
        "id": slot,
        "family": "concept_choice",
        "origin": {"item": "reg-purpose", "order": order},
        "points": points,
        "max_points": 4,
        "parts": [
            {"id": "answer", "answer": answer, "key": key, "status": "wrong", "feedback": None}
        ],
    }


def other(family, points):
    part = {"id": "a", "answer": "8", "key": 8, "status": "correct", "feedback": None}
    return {"id": family[:4], "family": family, "points": points, "max_points": 8, "parts": [part]}


def report():
    """Twelve students; the bank's option A is keyed, but the six strongest choose B, shown
    as a different letter in each of two shuffles and two slots."""
    subs = []
    for n in range(12):
        strong = n < 6
        order = [1, 0, 2] if n % 2 else [0, 1, 2]  # shown A is the bank's B in the first
        slot = "mca" if n % 2 else "mcb"
        shown_a, shown_b = ("B", "A") if n % 2 else ("A", "B")
        answer, points = (shown_b, 0) if strong else (shown_a, 4)
        rest = 8 if strong else 0
        questions = [choice(slot, order, answer, shown_a, points), other("network_table", rest)]
        questions.append(other("conv_output_size", 4))  # everyone right: no discrimination
        subs.append(submission(f"s{n}", points + rest + 4, questions))
    return {"exams": [], "errors": [], "submissions": subs}


def test_a_choice_items_answers_are_counted_in_the_banks_letters_across_slots():
    rows = item_rows(report(), "grades")
    item = next(row for row in rows if row["id"] == "reg-purpose")
    assert all(row["flag"] for row in rows[: rows.index(item) + 1])  # the flawed first
    assert item["id"] == "reg-purpose" and item["slots"] == ["mca", "mcb"]
    assert item["key"] == "A"
    assert {a["answer"]: a["students"] for a in item["answers"]} == {"A": 6, "B": 6}
    assert [(o["option"], o["share"], o["key"]) for o in item["options"]] == [
        ("A", 0.5, True),
        ("B", 0.5, False),
        ("C", 0.0, False),
    ]
    assert item["point_biserial"] < -0.2
    assert "the strongest students chose B over the key A" in item["flag"]
    assert item["command"] == "examgen regrade grades --key-fix reg-purpose=B"
    everyone = next(row for row in rows if row["id"] == "conv_output_size")
    assert everyone["flag"] is None and everyone["point_biserial"] is None
    assert rows[-1] is everyone


def test_the_terminal_lists_a_flawed_item_with_its_command_before_the_families():
    result = item_analysis(report(), "grades/report.json")
    text = stats_text(result)
    assert "examgen regrade grades --key-fix reg-purpose=B" in text
    assert text.index("⚑ reg-purpose") < text.index("By family")
    assert [r["bank_items"] for r in result["questions"] if r["id"] == "mca"] == [1]
