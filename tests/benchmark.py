"""Benchmark: generating and grading the default exam at class scale.

Run from the checkout: ``python tests/benchmark.py [--variants 1000] [--repeat 3]``. It is a
script, not a test: timings vary with the machine, so no test asserts on them. Each step
runs ``--repeat`` times and the best time is reported, the least noisy estimate on a shared
machine whose disk is sometimes busy. The README quotes its table.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import spec
from generator.assemble import assemble
from generator.exam_files import write_exam
from generator.grading import grade, report_json
from generator.manifest import read_key_for
from generator.render import render_layouts
from generator.roster import numbered_students
from generator.submission import read_submission


def best(repeat: int, function: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def fill(exam_dir: Path, variant: dict, rng: random.Random) -> dict:
    """A plausible student: 70 % of parts right, the rest a known mistake or blank, so
    grading also diagnoses mistakes and writes partial credit."""
    path = exam_dir / "students" / variant["student_id"] / "submission.json"
    submission = json.loads(path.read_text())
    for question in variant["questions"]:
        for part in question["parts"]:
            if rng.random() < 0.7:
                answer = part["key"]
            else:
                answer = part["mistakes"][0]["value"] if part.get("mistakes") else ""
            submission["answers"][question["id"]][part["id"]] = answer
    return submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.variants, args.repeat
    rows: list[tuple[str, float]] = []
    work = Path(tempfile.mkdtemp(prefix="examgen-bench-"))
    try:
        exam = spec.load(None)
        students = numbered_students(n)
        seconds, manifest = best(repeat, lambda: assemble(exam, "bench", students))
        rows.append((f"assemble {n} variants (sample + solve every question)", seconds))
        seconds, _ = best(
            repeat,
            lambda: [render_layouts(manifest, v, ("sheet", "key")) for v in manifest["variants"]],
        )
        rows.append((f"render {n} sheets and {n} keys", seconds))
        counter = iter(range(repeat))
        seconds, exam_dir = best(repeat, lambda: write_exam(manifest, work / f"out{next(counter)}"))
        rows.append(
            (f"render + write all {4 * n + 2} files (sheets, keys, shards, index)", seconds)
        )
        submissions = []
        rng = random.Random(1)
        for variant in manifest["variants"]:
            path = work / "subs" / f"{variant['student_id']}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(fill(exam_dir, variant, rng)))
            submissions.append(path)
        key_path = exam_dir / "instructor" / "key.json"

        def grade_each() -> None:
            for path in submissions:
                submission = read_submission(path)
                report_json(grade(read_key_for(key_path, submission["variant_id"]), submission, ""))

        seconds, _ = best(repeat, grade_each)
        rows.append((f"grade {n} submissions, one process (read, key shard, grade)", seconds))
        examgen = shutil.which("examgen")
        grade_script = shutil.which("grade")
        if examgen and grade_script:
            for extra, what in (([], "gradebook and feedback"), (["--no-feedback"], "gradebook")):
                counter = iter(range(repeat))
                seconds, _ = best(
                    repeat,
                    lambda extra=extra: subprocess.run(
                        [
                            grade_script,
                            str(work / "subs"),
                            "--key",
                            str(key_path),
                            *extra,
                            "--out",
                            str(work / f"grades{len(extra)}-{next(counter)}"),
                        ],
                        check=True,
                        capture_output=True,
                    ),
                )
                rows.append((f"grade {n} submissions into a {what} (command, all cores)", seconds))
            counter = iter(range(repeat))
            seconds, _ = best(
                repeat,
                lambda: subprocess.run(
                    [
                        examgen,
                        "generate",
                        "-n",
                        str(n),
                        "--seed",
                        "cli",
                        "--out",
                        str(work / f"cli{next(counter)}"),
                    ],
                    check=True,
                    capture_output=True,
                ),
            )
            rows.append((f"examgen generate -n {n} (whole command)", seconds))
            grade_cmd = [
                shutil.which("grade") or "grade",
                str(submissions[0]),
                "--key",
                str(key_path),
            ]
            seconds, _ = best(
                repeat, lambda: subprocess.run(grade_cmd, check=True, capture_output=True)
            )
            rows.append(("grade one submission (whole command, start-up included)", seconds))
            seconds, _ = best(
                repeat, lambda: subprocess.run([examgen, "--help"], check=True, capture_output=True)
            )
            rows.append(("examgen --help", seconds))
        else:
            print("(examgen is not installed: whole-command timings skipped)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(label) for label, _ in rows)
    print(f"| {'step':<{width}} | best of {repeat} |")
    print(f"| {'-' * width} | ---------: |")
    for label, seconds in rows:
        print(f"| {label:<{width}} | {seconds:8.3f} s |")


if __name__ == "__main__":
    main()
