"""Item analysis of a graded class: how hard each question was, how well it separates strong
from weak students, which wrong answers were common and what mistake they come from."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import PurePath
from typing import Any

from generator.errors import SubmissionError, printable
from generator.formatting import counted
from generator.grading.item_analysis import correlation, item_rows, items_text, slot_items

UPPER_LOWER = 0.27  # Kelley's upper and lower groups
# How large, and how small but for 0, a report's points may be: shares and correlations of
# such numbers stay far from overflow, and no exam is worth a billion points.
_MOST_POINTS = 1e9
# the known mistake a feedback line names; reports of examgen before 0.2 worded it otherwise
_DIAGNOSIS = re.compile(r"\(known mistake: (.+)\)$|this is the answer (.+) gives")


def _refuse_extreme_points(report: dict[str, Any], source: str) -> None:
    """Refuse, on one line naming ``source`` and the field, points a hand edit made extreme
    (1e308, 5e-324, a negative maximum): a share of them would overflow."""
    for n, submission in enumerate(report["submissions"]):
        entries = [(f"submissions[{n}]", submission)]
        entries += [
            (f"submissions[{n}].questions[{m}]", question)
            for m, question in enumerate(submission["questions"])
        ]
        for where, entry in entries:
            points, most = entry["points"], entry["max_points"]
            if not (most == 0 or 1 / _MOST_POINTS <= most <= _MOST_POINTS):
                problem = f"max_points must be 0 or from {1 / _MOST_POINTS:g} to {_MOST_POINTS:g}"
                raise SubmissionError(source, f"{where}.{problem}, not {_shown(most)}")
            if not abs(points) <= _MOST_POINTS:
                problem = f"points must be from {-_MOST_POINTS:g} to {_MOST_POINTS:g}"
                raise SubmissionError(source, f"{where}.{problem}, not {_shown(points)}")


def _shown(number: float) -> str:
    text = repr(number)  # an integer of thousands of digits, cut to fit the line
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"


def _told_apart(part: dict[str, Any], where: str, source: str) -> list[str]:
    """The named mistakes a graded part's variant told apart from its key, as printable
    text; a hand-edited report's list that is not one of strings is refused."""
    listed = part.get("tells_apart", [])
    if not isinstance(listed, list) or not all(isinstance(d, str) for d in listed):
        raise SubmissionError(source, f"{where}.tells_apart must be a list of strings")
    return [printable(" ".join(d.split())[:120]) for d in listed]


def item_analysis(
    report: dict[str, Any],
    source: str = "report.json",
    manifests: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The item analysis of a report.json (``source``) that ``regrade.previous_report`` read;
    with the exams' keys (``manifests`` by exam id), how the score depends on the variant."""
    _refuse_extreme_points(report, source)
    submissions = report["submissions"]
    totals = [s["points"] for s in submissions]
    order = sorted(range(len(submissions)), key=lambda i: totals[i])
    group = max(1, round(UPPER_LOWER * len(submissions)))
    lower, upper = set(order[:group]), set(order[-group:])
    questions: dict[str, dict[str, Any]] = {}
    for index, submission in enumerate(submissions):
        for m, q in enumerate(submission["questions"]):
            if not q["parts"]:
                continue  # dropped
            entry = questions.setdefault(
                q["id"],
                {
                    "id": q["id"],
                    "family": q["family"],
                    "max_points": q["max_points"],
                    "scores": [],
                    "rest": [],
                    "upper": [],
                    "lower": [],
                    "wrong": defaultdict(Counter),
                    "diagnosis": {},
                    "tested": Counter(),
                },
            )
            fraction = q["points"] / q["max_points"] if q["max_points"] else 0.0
            entry["scores"].append(q["points"])
            entry["rest"].append(totals[index] - q["points"])
            if index in upper:
                entry["upper"].append(fraction)
            if index in lower:
                entry["lower"].append(fraction)
            for k, part in enumerate(q["parts"]):
                where = f"submissions[{index}].questions[{m}].parts[{k}]"
                for mistake in _told_apart(part, where, source):
                    entry["tested"][(part["id"], mistake)] += 1
                if part["status"] in ("wrong", "partial", "invalid"):
                    # a student's text, shown in a terminal and on a page: escaped
                    answer = printable(" ".join(str(part["answer"]).split())[:60])
                    entry["wrong"][part["id"]][answer] += 1
                    found = _DIAGNOSIS.search(part["feedback"] or "")
                    if found:
                        entry["diagnosis"][(part["id"], answer)] = found[1] or found[2]
    rows = []
    for entry in questions.values():
        n = len(entry["scores"])
        mean = sum(entry["scores"]) / n
        common = []
        for part_id, counter in entry["wrong"].items():
            for answer, count in counter.most_common(3):
                common.append(
                    {
                        "part": part_id,
                        "answer": answer,
                        "count": count,
                        "diagnosis": entry["diagnosis"].get((part_id, answer), ""),
                    }
                )
        common.sort(key=lambda c: -c["count"])
        upper_mean = sum(entry["upper"]) / len(entry["upper"]) if entry["upper"] else 0.0
        lower_mean = sum(entry["lower"]) / len(entry["lower"]) if entry["lower"] else 0.0
        rows.append(
            {
                "id": entry["id"],
                "family": entry["family"],
                "students": n,
                "mean": mean,
                "max_points": entry["max_points"],
                "difficulty": mean / entry["max_points"] if entry["max_points"] else 0.0,
                "point_biserial": correlation(entry["scores"], entry["rest"]),
                "upper_lower": upper_mean - lower_mean,
                "common_wrong": common[:5],
                # which named mistakes the students' variants told apart from the key
                "tested": [
                    {"part": part_id, "mistake": mistake, "students": count}
                    for (part_id, mistake), count in entry["tested"].items()
                ],
            }
        )
    families: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        families[row["family"]].append(row)
    by_family = [
        {
            "family": family,
            "questions": len(items),
            "difficulty": sum(r["difficulty"] for r in items) / len(items),
        }
        for family, items in sorted(families.items())
    ]
    held = slot_items(report)  # a slot of several bank items: its answers are by item
    for row in rows:
        row["bank_items"] = held.get(row["id"], 0)
    maximum = max((s["max_points"] for s in submissions), default=0)
    bins = [0] * 10
    for total in totals:
        share = total / maximum if maximum else 0.0
        bins[min(9, max(0, int(share * 10)))] += 1
    return {
        "students": len(submissions),
        "questions": rows,
        "families": by_family,
        "items": item_rows(report, str(PurePath(source).parent)),
        # tenths of the maximum; the last holds the full marks too, and says so
        "histogram": {
            "labels": [*(f"{10 * b}-{10 * b + 9}" for b in range(9)), "90-100"],
            "counts": bins,
        },
        "mean_total": sum(totals) / len(totals) if totals else 0.0,
        "max_points": maximum,
        **({"variants": _variants(report, manifests)} if manifests is not None else {}),
    }


def _variants(report: dict[str, Any], manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    # numpy, for the permutations, only when asked for
    from generator.grading.difficulty import answers_of, variant_difficulty

    return variant_difficulty(answers_of(report, manifests))


def stats_text(stats: dict[str, Any]) -> str:
    def number(value: float | None, digits: int = 2) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    lines = [
        f"{stats['students']} students, mean total {stats['mean_total']:.2f} / "
        f"{stats['max_points']:g}",
        "",
        f"{'question':<10} {'family':<22} {'mean':>7} {'difficulty':>10} "
        f"{'pt-biserial':>11} {'upper-lower':>11}",
    ]
    for row in stats["questions"]:
        lines.append(
            f"{row['id']:<10} {row['family']:<22} {row['mean']:>7.2f} "
            f"{row['difficulty']:>10.2f} {number(row['point_biserial']):>11} "
            f"{number(row['upper_lower']):>11}"
        )
        if row.get("bank_items", 0) > 1:
            lines.append(f"    {row['bank_items']} bank items in this slot: see by item below")
        for wrong in row["common_wrong"][:2] if row.get("bank_items", 0) <= 1 else []:
            why = f"  ({wrong['diagnosis']})" if wrong["diagnosis"] else ""
            lines.append(f"    {wrong['count']}x {wrong['part']} = {wrong['answer']}{why}")
        tested: dict[str, list[str]] = defaultdict(list)
        for item in row["tested"]:
            tested[item["part"]].append(f"{item['mistake']} ({item['students']}/{row['students']})")
        for part_id, mistakes in tested.items():
            lines.append(f"    {part_id} tells apart: {'; '.join(mistakes)}")
    lines += ["", *items_text(stats.get("items", []))]
    lines += ["", "By family (difficulty = mean share of points):"]
    lines += [
        f"  {f['family']:<24} {f['difficulty']:.2f} over {counted(f['questions'], 'question')}"
        for f in stats["families"]
    ]
    if "variants" in stats:
        from generator.grading.difficulty import difficulty_text

        lines += ["", *difficulty_text(stats["variants"])]
    return "\n".join(map(printable, lines))  # a family or id from a hand-edited report too
