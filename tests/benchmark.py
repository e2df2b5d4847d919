"""Benchmark: generating and grading the default exam at class scale.

Run from the checkout: ``python tests/benchmark.py [--variants 1000]``. It is a script, not a
test: timings vary with the machine, so no test asserts on them. It prints a table the
README quotes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import spec  # noqa: E402
from generator.assemble import assemble  # noqa: E402
from generator.exam_files import write_exam  # noqa: E402
from generator.grading import grade  # noqa: E402
from generator.roster import numbered_students  # noqa: E402
from generator.submission import read_key, read_submission  # noqa: E402


def timed(label: str, function, rows: list) -> object:
    start = time.perf_counter()
    result = function()
    rows.append((label, time.perf_counter() - start))
    return result


def fill(exam_dir: Path, variant: dict) -> dict:
    path = exam_dir / "students" / variant["student_id"] / "submission.json"
    submission = json.loads(path.read_text())
    for question in variant["questions"]:
        for part in question["parts"]:
            submission["answers"][question["id"]][part["id"]] = part["key"]
    return submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    work = Path(tempfile.mkdtemp(prefix="examgen-bench-"))
    try:
        exam = spec.load(None)
        students = numbered_students(args.variants)
        manifest = timed(f"assemble {args.variants} variants (sample + solve)",
                         lambda: assemble(exam, "bench", students), rows)
        exam_dir = timed(f"render + write {3 * args.variants} files",
                         lambda: write_exam(manifest, work / "output"), rows)
        submissions = []
        for variant in manifest["variants"]:
            path = work / "subs" / f"{variant['student_id']}.json"
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(fill(exam_dir, variant)))
            submissions.append(path)
        key = timed("read the key", lambda: read_key(exam_dir / "instructor" / "key.json"), rows)

        def grade_all() -> float:
            total = 0.0
            for path in submissions:
                report = grade(key, read_submission(path), str(path))
                total += float(report.points)
            return total

        timed(f"grade {len(submissions)} submissions (read + grade)", grade_all, rows)
        examgen = shutil.which("examgen")
        if examgen:
            command = [examgen, "generate", "-n", str(args.variants), "--seed", "cli",
                       "--out", str(work / "cli")]
            timed(f"examgen generate -n {args.variants} (whole command)",
                  lambda: subprocess.run(command, check=True, capture_output=True), rows)
            grade_cmd = [shutil.which("grade") or "grade", str(submissions[0]), "--key",
                         str(exam_dir / "instructor" / "key.json")]
            timed("grade one submission (whole command, start-up included)",
                  lambda: subprocess.run(grade_cmd, check=True, capture_output=True), rows)
            timed("examgen --help", lambda: subprocess.run(
                [examgen, "--help"], check=True, capture_output=True), rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds:7.3f} s")


if __name__ == "__main__":
    main()
