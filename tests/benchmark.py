"""Benchmark: generating, grading and drilling the default exam at class and course scale.

Run from the checkout, with examgen installed: ``python tests/benchmark.py``. Options:
``--variants 1000`` (the class size), ``--scaling 100,1000`` (class sizes to time; add
10000 for course scale, a few minutes), ``--pdf 200`` (the class printed: sheets and keys
as PDF; 0 leaves it out), ``--repeat 2`` (best of), ``--profile`` (name the
hot spots), ``--instructions`` (count each grading step's instructions; needs valgrind and
at least 300 variants). It is a script, not a test: timings vary with the machine, so no
test asserts on them. Each step reports its best time, the least noisy estimate on a shared
machine. docs/performance.md quotes its tables.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.answers.types import answer_type_from_json
from generator.exam import spec
from generator.exam.assemble import Student, assemble
from generator.exam.roster import numbered_students
from generator.exam_folder.build import generate_exam
from generator.grading.scoring import grade
from generator.grading.submission import read_submission
from generator.grading.variant_key import key_for

Row = tuple[str, float, str]
PAGE = os.sysconf("SC_PAGE_SIZE")


def best(repeat: int, function: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def tree_rss(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc). Read
    from each process's one-line stat file: the sampler shares the cores it measures."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()  # the name may hold spaces
        except (OSError, IndexError):
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * PAGE
    family, grew = {root_pid}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(rss.get(pid, 0) for pid in family)


def run_measured(command: list[str]) -> tuple[float, int, float]:
    """Wall time, peak memory and CPU time (user + system) of a whole command with its
    worker processes. CPU time changes little with the shared machine's load, where wall
    time changes threefold. Files the last command wrote go to disk first, so the kernel
    does not write them during this one."""
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {errors.decode()[-500:]}")
    # the workers count too: the command waited for them, as this process for the command
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, peak, cpu


def machine_speed() -> float:
    """Seconds a fixed pure-Python loop takes: shared machines change speed from hour to
    hour, so figures are comparable only beside this (1.1 s on a quiet 2-core machine)."""

    def loop() -> None:
        total = 0
        for i in range(20_000_000):
            total += i * i

    return best(3, loop)


def exam_size() -> str:
    """The default exam's questions and parts, as one variant of it has them."""
    variant = assemble(spec.load(None), "bench", [Student("s1")])["variants"][0]
    parts = sum(len(question["parts"]) for question in variant["questions"])
    return f"{len(variant['questions'])} questions, {parts} parts"


def examgen(*args: str) -> list[str]:
    found = shutil.which("examgen")
    if found is None:
        raise SystemExit("install examgen first (pip install .): whole commands are timed")
    return [found, *args]


def generation_rows(work: Path, sizes: list[int], repeat: int) -> list[Row]:
    rows = []
    for n in sizes:
        for formats in ("md", "md,html"):
            runs = [
                run_measured(
                    examgen(
                        "generate",
                        "-n",
                        str(n),
                        "--seed",
                        "bench",
                        "--format",
                        formats,
                        "--out",
                        str(work / f"gen-{n}-{formats}-{k}"),
                    )
                )
                for k in range(repeat if n <= 1000 else 1)
            ]
            for k in range(len(runs)):
                shutil.rmtree(work / f"gen-{n}-{formats}-{k}", ignore_errors=True)
            seconds, peak, _ = min(runs)
            cpu = min(run[2] for run in runs)
            rows.append(
                (
                    f"examgen generate -n {n} --format {formats}",
                    seconds,
                    f"{peak >> 20} MB, CPU {cpu:.1f} s",
                )
            )
    return rows


def pdf_rows(work: Path, n: int, repeat: int) -> list[Row]:
    """A class printed: its sheets and keys compiled to PDF, and the print file of every
    sheet. pdflatex runs as the command's child processes, so its memory counts too."""
    if shutil.which("pdflatex") is None:
        return [(f"examgen generate -n {n} --format pdf", float("nan"), "no pdflatex")]
    runs = []
    for k in range(repeat):
        out = work / f"pdf-{n}-{k}"
        runs.append(
            run_measured(
                examgen("generate", "-n", str(n), "-s", "bench", "--format", "pdf", "-o", str(out))
            )
        )
        shutil.rmtree(out, ignore_errors=True)
    seconds, peak, _ = min(runs)
    return [
        (
            f"examgen generate -n {n} --format pdf (sheets, keys, print file)",
            seconds,
            f"{peak >> 20} MB",
        )
    ]


def question_rows(work: Path, n: int) -> list[Row]:
    """Cost per variant as the exam grows: the default exam's first 9, 18 and 36 questions."""
    default = spec.load(None)
    rows = []
    for count in (9, 18, 36):
        exam = dataclasses.replace(default, questions=default.questions[:count])
        students = [Student(f"s{k}") for k in range(n)]
        target = work / f"questions-{count}"
        start = time.perf_counter()
        generate_exam(exam, "bench", students, target, formats=("md", "html"), workers=1)
        per = (time.perf_counter() - start) / n
        rows.append(
            (f"one variant of {count} questions, md + html, one process", per, "per variant")
        )
        shutil.rmtree(target)
    return rows


def fill(exam_dir: Path, variant: dict, rng: random.Random) -> dict:
    """A plausible student, typing answers as text into the blank submission: 70 % of parts
    right, the rest a known mistake or blank, so grading also parses, diagnoses mistakes and
    writes partial credit."""
    path = exam_dir / "students" / variant["student_id"] / "submission.json"
    submission = json.loads(path.read_text())
    for question in variant["questions"]:
        for part in question["parts"]:
            shown = answer_type_from_json(part["type"]).display
            if rng.random() < 0.7:
                answer = shown(part["key"])
            else:
                answer = shown(part["mistakes"][0]["value"]) if part.get("mistakes") else ""
            submission["answers"][question["id"]][part["id"]] = answer
    return submission


def grading_rows(work: Path, n: int, repeat: int) -> list[Row]:
    exam_dir = generate_exam(spec.load(None), "grading", numbered_students(n), work / "graded")
    key_path = exam_dir / "instructor" / "key.json"
    manifest = json.loads(key_path.read_text())
    rng = random.Random(1)
    subs = work / "subs"
    subs.mkdir()
    for variant in manifest["variants"]:
        (subs / f"{variant['student_id']}.json").write_text(
            json.dumps(fill(exam_dir, variant, rng))
        )
    files = sorted(subs.iterdir())

    def grade_each() -> None:
        for path in files:
            submission = read_submission(path)
            grade(key_for(key_path, submission, ""), submission, "")

    rows = [
        (
            f"grade {n} submissions, one process (read, key shard, grade)",
            best(repeat, grade_each),
            "",
        )
    ]
    grader = shutil.which("grade") or "grade"
    for extra, what in (([], "gradebook and feedback"), (["--no-feedback"], "gradebook")):
        runs = [
            run_measured(
                [
                    grader,
                    str(subs),
                    "--key",
                    str(key_path),
                    *extra,
                    "--out",
                    str(work / f"grades-{len(extra)}-{k}"),
                ]
            )
            for k in range(repeat)
        ]
        seconds, peak, _ = min(runs)
        rows.append((f"grade {n} submissions into a {what} (command)", seconds, f"{peak >> 20} MB"))
    one = [grader, str(files[0]), "--key", str(key_path)]
    rows.append(
        (
            "grade one submission (command, start-up included)",
            min(run_measured(one)[0] for _ in range(repeat)),
            "",
        )
    )
    return rows


# One grading step over the first ``n`` of a class's submissions, in one process; everything
# before the step is the same whatever ``n``, so two counts differ by the step's work alone.
_STEP = """
import sys
from pathlib import Path
from generator.grading import batch as batch, feedback, grading, processes, submission, variant_key
key, step, n = Path(sys.argv[1]), sys.argv[3], int(sys.argv[4])
paths = sorted(Path(sys.argv[2]).iterdir())[:400]
subs = [submission.read_submission(p) for p in paths]
keys = [variant_key.key_for(key, s, "", True) for s in subs]
reports = [grading.grade(k, s, "") for k, s in zip(keys, subs)]
processes.tune_collector()  # as a worker does: the setup's objects are not scanned again
out = Path(sys.argv[5])
(out / "f").mkdir()
if step == "read":
    [submission.read_submission(p) for p in paths[:n]]
elif step == "key":
    [variant_key.key_for(key, s, "", True) for s in subs[:n]]
elif step == "grade":
    [grading.grade(k, s, "") for k, s in zip(keys[:n], subs[:n])]
elif step == "fill":
    [feedback.feedback_pages(k, r) for k, r in zip(keys[:n], reports[:n])]
else:
    batch._grade_chunk(list(enumerate(map(str, paths[:n]))), key, Path("."), out / "f", out)
"""

_STEPS = {
    "read": "read a submission",
    "key": "read its key shard, with the feedback pages",
    "grade": "grade it",
    "fill": "fill its two feedback pages",
    "all": "all a worker does, writing files included",
}


def instruction_rows(work: Path, key_path: Path) -> list[tuple[str, float]]:
    """Instructions per submission of each grading step, counted by callgrind (valgrind):
    unlike time, the count does not change with the hour, so it shows a change of a few
    percent. It leaves out the kernel's work and memory stalls: confirm a change by timing
    two processes side by side."""

    def count(step: str, n: int) -> int:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        out = tempfile.mkdtemp(dir=work)
        command += [
            sys.executable,
            "-c",
            _STEP,
            str(key_path),
            str(work / "subs"),
            step,
            str(n),
            out,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return int(done.stderr.rsplit("Collected : ", 1)[1].split()[0])

    return [(what, (count(step, 300) - count(step, 100)) / 200) for step, what in _STEPS.items()]


def startup_rows(repeat: int) -> list[Row]:
    return [("examgen --help", min(run_measured(examgen("--help"))[0] for _ in range(repeat)), "")]


def drill_rows() -> list[Row]:
    """One drill answer checked after start-up: a number, and an expression once sympy has
    warmed up while the student read the question (as the drill arranges)."""
    from generator.answers.equivalence import warm_up
    from generator.answers.guard import prepare
    from generator.answers.types import answer_type_from_json
    from generator.exam.seeding import secret_key
    from generator.grading.scoring import score_part
    from generator.practice import drill as drills
    from generator.practice.progress import Session

    key = secret_key("bench")
    rows = []
    for family, level, kind in (
        ("softmax_loss", "medium", "matrix"),
        ("chain_rule", "hard", "expression"),
    ):
        for n in range(100):
            question = drills.instance(Session("bench", [family], 100, n), family, level, key)
            parts = [p for p in question["parts"] if p["type"]["kind"] == kind]
            if parts:
                break
        part = parts[0]
        if kind == "expression":
            prepare(warm_up)
            time.sleep(3)  # the student reads the question
        answer_type = answer_type_from_json(part["type"])
        start = time.perf_counter()
        score_part(answer_type, part["key"], part, {}, {})
        rows.append((f"one drill answer checked ({kind})", time.perf_counter() - start, ""))
    return rows


AREAS = [  # where a profiled function lives -> what a person calls that work
    ("markdown_it", "Markdown to HTML (markdown-it)"),
    ("mdit_py_plugins", "Markdown to HTML (markdown-it)"),
    ("generator/render/markup.py", "Markdown to HTML (examgen's fast path)"),
    ("jinja2", "templates (jinja2)"),
    ("templates/", "templates (jinja2)"),
    ("generator/render/", "rendering (render/: pages, answer form)"),
    ("markupsafe", "HTML escaping (markupsafe)"),
    ("generator/families/", "sampling and solving (families, solvers)"),
    ("solvers/", "sampling and solving (families, solvers)"),
    ("numpy", "sampling and solving (families, solvers)"),
    ("generator/question_files/", "question files (draws, formulas)"),
    ("fractions.py", "exact arithmetic (fractions)"),
    ("decimal", "exact arithmetic (fractions)"),
    ("generator/answers/", "reading keys and mistakes (answers/)"),
    ("generator/exam/seeding.py", "seeding (HMAC streams)"),
    ("hmac", "seeding (HMAC streams)"),
    ("generator/exam/", "assembly (exam/)"),
    ("generator/family.py", "assembly (exam/)"),
    ("generator/grading/", "grading keys and feedback frames (grading/)"),
    ("zstandard", "grading keys and feedback frames (grading/)"),
    ("json/", "JSON"),
    ("orjson", "JSON"),
    ("<built-in method io.open>", "writing files"),
    ("<built-in method posix.mkdir>", "writing files"),
    ("write", "writing files"),
]


def hot_spots(work: Path, n: int = 100) -> list[tuple[str, float]]:
    """Where generating md + html spends its time, by a profiler: each function's own time,
    summed by the area of examgen or the library it belongs to."""
    profile = cProfile.Profile()
    students = numbered_students(n)
    profile.enable()
    generate_exam(
        spec.load(None), "profile", students, work / "profiled", formats=("md", "html"), workers=1
    )
    profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, function) -> (cc, nc, own, cumulative, _)
    areas: dict[str, float] = {}
    total = 0.0

    def area_of(entry: tuple[str, int, str], depth: int = 0) -> str:
        file, _line, function = entry
        where = f"{file} {function}".replace(os.sep, "/")
        found = next((name for key, name in AREAS if key in where), None)
        callers = stats[entry][4]
        if found is None and callers and depth < 3:
            # a built-in (str.join, isinstance) counts for the area that calls it most
            return area_of(max(callers, key=lambda c: callers[c][3]), depth + 1)
        return found or "other Python"

    for entry, (_cc, _nc, own, _cum, _callers) in stats.items():
        area = area_of(entry)
        areas[area] = areas.get(area, 0.0) + own
        total += own
    return sorted(((name, own / total) for name, own in areas.items()), key=lambda a: -a[1])


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def size_table(work: Path, n: int) -> str:
    """What an exam folder of ``n`` variants in md and html holds, and its instructor/ part
    by what it is for: the manifest, the grading keys, the readable answer keys."""
    exam_dir = generate_exam(
        spec.load(None), "sizes", numbered_students(n), work / "sized", formats=("md", "html")
    )
    instructor = exam_dir / "instructor"
    parts = [
        ("the whole exam folder", exam_dir),
        ("students/ (sheets, blank submissions)", exam_dir / "students"),
        ("instructor/", instructor),
        ("instructor/key.json (the manifest)", instructor / "key.json"),
        ("instructor/variants/ (grading keys)", instructor / "variants"),
        ("instructor/keys/ (readable answer keys)", instructor / "keys"),
    ]
    width = max(len(what) for what, _ in parts)
    lines = [f"\nExam folder of {n} variants, md + html\n", f"| {'what':<{width}} |      size |"]
    lines.append(f"| {'-' * width} | --------: |")
    for what, path in parts:
        size = path.stat().st_size if path.is_file() else folder_bytes(path)
        lines.append(f"| {what:<{width}} | {size / 1e6:6.1f} MB |")
    return "\n".join(lines)


def table(title: str, rows: list[Row]) -> str:
    width = max(len(label) for label, _, _ in rows)
    lines = [
        f"\n{title}\n",
        f"| {'step':<{width}} | time       | note        |",
        f"| {'-' * width} | ---------: | ----------- |",
    ]
    for label, seconds, note in rows:
        shown = f"{seconds * 1000:7.1f} ms" if seconds < 1 else f"{seconds:8.2f} s"
        lines.append(f"| {label:<{width}} | {shown:>10} | {note:<11} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--scaling", default="100,1000")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--pdf", type=int, default=200, help="students printed (0: none)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--instructions", action="store_true", help="count each grading step's (valgrind)"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.scaling.split(",")]
    work = Path(tempfile.mkdtemp(prefix="examgen-bench-"))
    try:
        print(f"{os.cpu_count()} cores; the default exam: {exam_size()} per variant")
        print(f"machine speed: the reference loop took {machine_speed():.2f} s (quiet: 1.1 s)")
        # Grading first: on ext4 without a journal, creating files searches past every inode
        # freed in the last half minute, so a class's feedback written just after the
        # generation steps delete their folders takes longer for that alone.
        grading = grading_rows(work, args.variants, args.repeat)
        # the machine's speed drifts over a long run: the loop again, beside the grading
        speed = f"reference loop {machine_speed():.2f} s just after"
        print(
            table(
                "Generating (whole command, all cores; memory: the command and its workers)",
                generation_rows(work, sizes, args.repeat),
            )
        )
        if args.pdf:
            print(
                table("Printing (whole command, all cores)", pdf_rows(work, args.pdf, args.repeat))
            )
        print(table("How cost grows with questions", question_rows(work, 100)))
        print(table(f"Grading ({speed})", grading))
        print(table("Start-up and drill", startup_rows(args.repeat) + drill_rows()))
        print(size_table(work, min(args.variants, 1000)))
        if args.instructions:
            print("\nInstructions per submission, by grading step (callgrind)\n")
            key_path = next((work / "graded").glob("*/instructor/key.json"))
            for what, count in instruction_rows(work, key_path):
                print(f"  {count / 1e6:5.2f} M  {what}")
        if args.profile:
            print("\nHot spots: where 100 variants in md + html spend their time (cProfile)\n")
            for name, share in hot_spots(work):
                print(f"  {share:6.1%}  {name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
