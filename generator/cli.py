"""The command line: ``examgen`` (a click group) and the standalone ``grade``.

Heavy modules are imported inside the commands so ``examgen --help`` starts fast.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from generator.errors import ExamgenError
from generator.formatting import counted


def _fail(error: ExamgenError) -> NoReturn:
    click.echo(f"error: {error}", err=True)
    sys.exit(error.exit_code)


class _ReportsErrors:
    """Turns an ExamgenError raised by a command into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except ExamgenError as error:
            _fail(error)


class _Group(_ReportsErrors, click.Group):
    pass


class _Command(_ReportsErrors, click.Command):
    pass


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="examgen", prog_name="examgen")
def main() -> None:
    """Write, solve, render and grade deep-learning exam problems.

    \b
    examgen families                         list the problem families
    examgen solve conv_params -g in_channels=3 -g out_channels=10 -g kernel=5
    examgen generate --variants 30 --seed "a long secret" --format md,html,pdf
    grade output/EXAM/students/v001/submission.json
    examgen drill --topic convolution
    examgen practice --family mlp_backprop --count 3 --format html
    """


@main.command()
def families() -> None:
    """List the problem families with one-line descriptions."""
    from generator import registry

    names = registry.names()
    width = max(map(len, names))
    for name in names:
        click.echo(f"{name:<{width}}  {registry.get(name).summary}")


def _family_or_file(name: str) -> str:
    """A family's name: a built-in's as given, or that of the question file or bank folder
    ``name`` is a path to, read and registered for this run."""
    path = Path(name)
    if not (name.endswith(".toml") or path.is_dir() or path.is_file()):
        return name
    from generator import registry
    from generator.question_files import load_path

    family = load_path(path)
    registry.add_from_file(family)
    return family.name


def _families_or_files(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_family_or_file(name) for name in names)


@main.command()
@click.argument("target")
@click.option(
    "--count",
    "-c",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="How many instances to draw.",
)
@click.option(
    "--difficulty",
    type=click.Choice(["easy", "medium", "hard"]),
    default="medium",
    show_default=True,
    help="The level to draw at (question files have one).",
)
def check(target: str, count: int, difficulty: str) -> None:
    """Stress-test a question file, each file of a folder, or a built-in FAMILY.

    Draws COUNT instances and reports each given's and answer's range, how many instances
    are distinct, and any instance whose answer is undefined, whose key its own answer
    type does not accept as shown, whose named mistake scores as correct, or whose key is
    so near 0 that 0 is accepted; exits 1 on any such problem.

    \b
    examgen check questions/stride_trick.toml
    examgen check questions/
    examgen check conv_output_size --count 300
    """
    from generator import registry
    from generator.question_files import load_file
    from generator.question_files.bank import question_paths
    from generator.question_files.check import check_family

    path = Path(target)
    if path.is_dir():  # a folder as a bank is read: the same files, the same bound
        families = [load_file(p) for p in question_paths(path)]
    else:
        families = [registry.get(_family_or_file(target))]
    failed = 0
    for family in families:
        report = check_family(family, count, difficulty)
        for line in report.lines():
            click.echo(line)
        failed += not report.ok
    if failed:
        click.echo(f"{counted(failed, 'family', 'families')} with problems", err=True)
        sys.exit(1)


@main.command()
@click.option(
    "--copy",
    "target",
    type=click.Path(path_type=Path),
    default=None,
    help="Copy them into this folder, to start your own from.",
)
def questions(target: Path | None) -> None:
    """List the question files shipped with examgen (docs/question-files.md), or copy them."""
    from importlib.resources import files

    from generator.errors import OutputError
    from generator.question_files import load_file

    shipped = Path(str(files("templates").joinpath("questions")))
    paths = sorted(shipped.glob("*.toml"))
    if target is None:
        for path in paths:
            click.echo(f"{path.name:<26}  {load_file(path).summary}")
        return
    clashes = [path.name for path in paths if (target / path.name).exists()]
    if clashes:
        raise OutputError(f"{target / clashes[0]}: exists already; examgen never overwrites it")
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        (target / path.name).write_bytes(path.read_bytes())
    click.echo(f"Copied {counted(len(paths), 'question file')} to {target}")


def _parse_given(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"'{text}' is not name=value", param_hint="--given")
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        parsed = value
    return name.strip(), parsed


@main.command()
@click.argument("family")
@click.option(
    "--given",
    "-g",
    "givens",
    multiple=True,
    metavar="NAME=VALUE",
    help="A given of the problem; VALUE is read as JSON when it parses, else as text.",
)
@click.option("--json", "as_json", is_flag=True, help="Print only a JSON object of the answers.")
def solve(family: str, givens: tuple[str, ...], as_json: bool) -> None:
    """Solve one instance of FAMILY (or of a question file), with worked steps.

    \b
    examgen solve conv_output_size -g input=32 -g kernel=5 -g padding=2
    examgen solve network_table -g input=32x32x1 -g layers='CONV5-10, POOL2, FC-10'
    """
    from generator import registry
    from generator.errors import GivenError

    problem = registry.get(_family_or_file(family))
    raw: dict[str, Any] = {}
    for text in givens:
        name, value = _parse_given(text)
        if name in raw:
            raise GivenError(family, "given twice", name)
        raw[name] = value
    params = problem.read_givens(raw)
    solution = problem.solved(params)
    if as_json:
        click.echo(json.dumps(solution.answers, ensure_ascii=False))
        return
    click.echo(f"{problem.name}: {problem.title}")
    click.echo("Givens: " + ", ".join(f"{k}={_given_text(v)}" for k, v in params.items()))
    from generator.render.terminal import terminal_text, terminal_width

    click.echo("\nWorked solution:")
    steps = "\n".join(f"{n}. {step}" for n, step in enumerate(solution.steps, start=1))
    click.echo(textwrap.indent(terminal_text(steps, terminal_width() - 2), "  "))
    click.echo("\nAnswer:")
    for name, value in solution.answers.items():
        text = _answer_text(value)
        click.echo(f"  {name} =" + (text if text.startswith("\n") else f" {text}"))


def _given_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _answer_text(value: Any) -> str:
    """Answers as a person reads them: numbers to six digits, matrices as [a, b; c, d]."""
    from generator.formatting import short_number

    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return short_number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_answer_text(v)}" for k, v in value.items())
    if value and all(isinstance(item, dict) for item in value):
        return "".join(f"\n    {_answer_text(item)}" for item in value)
    if value and all(isinstance(item, list) for item in value):
        return "[" + "; ".join(_answer_text(row)[1:-1] for row in value) + "]"
    return "[" + ", ".join(_answer_text(item) for item in value) + "]"


def _seed_text(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    """A seed is stored in key files and progress files as UTF-8: bytes a terminal passed
    that are no text (read as lone surrogates) are refused here, not when it is written."""
    if value is not None and any("\ud800" <= c <= "\udfff" for c in value):
        raise click.BadParameter("must be text (it holds bytes that are not UTF-8)")
    return value


def _format_option(more: str = "", **defaults: Any) -> Callable[[Any], Any]:
    """--format LIST, the same on generate, export and practice; ``more``, the formats
    only this command makes."""
    return click.option(
        "--format",
        "formats",
        metavar="LIST",
        help=f"Any of md, html, tex, pdf, moodle, qti{more} (comma-separated).",
        **defaults,
    )


def _family_options(verb: str, count: int, most: int) -> Callable[[Any], Any]:
    """--family, --topic and --count, the same on drill and practice."""

    def add(function: Any) -> Any:
        for option in reversed(
            [
                click.option(
                    "--family", "-f", "families", multiple=True,
                    help=f"A family to {verb} (repeat for more).",
                ),
                click.option(
                    "--topic", "-t", default=None, help=f"{verb.title()} a topic's families."
                ),
                click.option(
                    "--count", "-c", type=click.IntRange(1, most), default=count,
                    show_default=True, help="How many questions.",
                ),
            ]
        ):  # fmt: skip
            function = option(function)
        return function

    return add


@main.command()
@click.argument("spec", required=False)
@click.option(
    "--variants",
    "-n",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Number of anonymous variants (default 1 when no roster is given).",
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with a header row, an 'id' column and an optional 'name' column.",
)
@click.option(
    "--seed",
    "-s",
    default=None,
    callback=_seed_text,
    help="Secret seed (any text; long is safer). Default: a random one, recorded in the key.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Directory the exam directory is written under.",
)
@_format_option(default="md", show_default=True)
@click.option("--pdf", is_flag=True, help="Also compile the LaTeX sheets and keys to PDF.")
@click.option("--force", is_flag=True, help="Replace an existing exam directory.")
@click.option(
    "--calibrate",
    multiple=True,
    metavar="GRADES",
    type=click.Path(path_type=Path),
    help="A graded class (the folder grade --out wrote; its key under --out) whose scores "
    "set each feature's difficulty: every student's predicted score is kept in a band. "
    "Repeatable.",
)
def generate(
    spec: str | None,
    variants: int | None,
    roster: Path | None,
    seed: str | None,
    out: Path,
    formats: str,
    pdf: bool,
    force: bool,
    calibrate: tuple[Path, ...],
) -> None:
    """Generate question sheets, answer keys and blank submissions.

    SPEC is a TOML exam spec (docs/exam-spec.md) or the name of a built-in exam:

    \b
    default                the midterm's shape: 10 true/false, 10 multiple choice, 40 points
                           of short answers (used when SPEC is left out)
    convnet-shapes         ConvNet shapes, parameters and receptive fields
    midterm-3-3            the midterm review's Problem 3.3, as in the notes
    losses-and-gradients   every loss, backprop and initialization family
    networks-and-training  forward passes, training steps, recurrent layers, attention
    """
    from generator.exam import spec as specs
    from generator.exam.roster import numbered_students, read_roster
    from generator.exam.seeding import new_seed
    from generator.exam_folder.build import generate_exam
    from generator.exam_folder.formats import parse_formats

    if variants is not None and roster is not None:
        raise click.UsageError("give --variants or --roster, not both")
    chosen_formats = parse_formats(formats + (",pdf" if pdf else ""))
    exam = specs.load(spec)
    if calibrate:  # drawn again until each variant's predicted score lies in a band
        from generator.grading.difficulty import calibration_for

        exam = calibration_for(exam, list(calibrate), out)
    students = read_roster(roster) if roster else numbered_students(variants or 1)
    chosen = seed if seed is not None else exam.seed
    if chosen is None:
        chosen = new_seed()
        click.echo("note: no --seed given; using a random one (recorded in the key)", err=True)
    show = sys.stderr.isatty()
    with click.progressbar(
        length=len(students), label="Generating", file=sys.stderr, hidden=not show
    ) as bar:
        target = generate_exam(
            exam,
            chosen,
            students,
            out,
            force,
            chosen_formats,
            progress=bar.update,
            roster=str(roster or "the roster"),
            compiling=_compiling if show else lambda done, total: None,
        )
    click.echo(f"Wrote {counted(len(students), 'variant')} of '{exam.title}' to {target}")
    for line in _written(chosen_formats):
        click.echo(f"  {line}")
    if calibrate:
        from generator.exam.manifest import read_key
        from generator.grading.difficulty import calibration_lines

        for line in calibration_lines(read_key(target / "instructor" / "key.json")):
            click.echo(line)


def _compiling(done: int, total: int) -> None:
    """PDFs compiled so far, on a line of their own below the bar, counting up."""
    click.echo(f"{'' if done else chr(10)}\rCompiling PDFs  {done}/{total}", nl=False, err=True)


def _patterns(paths: list[str]) -> dict[str, int]:
    """The files written, one line per kind: a student's folder or key named <id>."""
    patterns: dict[str, int] = {}
    for path in paths:
        parts = path.split("/")
        if parts[0] == "students" and len(parts) > 2:
            parts[1] = "<id>"
        elif parts[:2] == ["instructor", "keys"] and len(parts) == 3:
            parts[2] = "<id>" + parts[2][parts[2].rfind(".") :]
        pattern = "/".join(parts)
        patterns[pattern] = patterns.get(pattern, 0) + 1
    return patterns


def _written(formats: tuple[str, ...]) -> list[str]:
    """What a person finds where, for the formats written."""
    pages = [name for name in ("md", "html", "tex", "pdf") if name in formats]
    sheets = ", ".join(f"sheet.{name}" for name in pages)
    keys = ", ".join(f"<id>.{name}" for name in pages)
    lines = [f"students/<id>/{sheets + ', ' if sheets else ''}submission.json  (hand out)"]
    lines.append(f"instructor/key.json{', instructor/keys/' + keys if keys else ''}  (keep secret)")
    if "pdf" in formats:
        lines.append("print/sheets.pdf  (every sheet in roster order, for double-sided printing)")
    if "moodle" in formats:
        lines.append("instructor/moodle.xml  (Moodle: Question bank > Import > Moodle XML)")
    if "qti" in formats:
        lines.append("instructor/canvas-qti.zip  (Canvas: Settings > Import > QTI .zip)")
    return lines


@main.command()
@click.argument("exam_dir", type=click.Path(path_type=Path))
@_format_option(", gradescope", required=True)
@click.option("--force", is_flag=True, help="Replace files of these formats that exist.")
def export(exam_dir: Path, formats: str, force: bool) -> None:
    """Write an exam generated earlier in more formats, from its instructor/key.json.

    EXAM_DIR is the exam's directory (output/EXAM_ID).
    """
    from generator.exam_folder.files import export_exam
    from generator.exam_folder.formats import EXPORT_FORMATS, parse_formats

    chosen = parse_formats(formats, EXPORT_FORMATS)
    made = export_exam(exam_dir, chosen, force)
    click.echo(f"Wrote {counted(len(made), 'file')} to {exam_dir}")
    for pattern, count in _patterns(made).items():
        click.echo(f"  {pattern}" + (f"  ({count} files)" if count > 1 else ""))
    if "gradescope" in chosen:
        click.echo(
            "  Gradescope: a Programming Assignment > Configure Autograder > Zip file upload "
            "(keep it secret: it holds the keys)"
        )


@main.command()
@_family_options("drill", count=10, most=500)
@click.option(
    "--seed",
    "-s",
    default=None,
    callback=_seed_text,
    help="Seed of the questions (default: random).",
)
@click.option("--resume", is_flag=True, help="Continue the last unfinished session.")
@click.option(
    "--progress",
    "progress_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Progress file (default: $EXAMGEN_PROGRESS or ~/.local/state/examgen/drill.json).",
)
def drill(
    families: tuple[str, ...],
    topic: str | None,
    count: int,
    seed: str | None,
    resume: bool,
    progress_path: Path | None,
) -> None:
    """Practise in the terminal: one question at a time, each answer checked at once.

    A wrong answer gets its diagnosis and a hint, a second wrong try the answer; the worked
    solution follows the question's last part. Families you miss come back more often. An
    empty answer skips a part; Ctrl-C or Ctrl-D ends the session with a summary, and
    --resume continues it.
    """
    from generator import registry
    from generator.answers.guard import check_settings
    from generator.exam.seeding import new_seed
    from generator.practice import drill as drills
    from generator.practice import progress as progress_files
    from generator.render.terminal import terminal_text

    check_settings()
    # question files first: a saved session of one is read against its family
    families = _families_or_files(families)
    path = progress_path or progress_files.default_path()
    try:
        progress = progress_files.load(path)
    except progress_files.ProgressProblem as problem:
        moved = progress_files.set_aside(path)
        click.echo(f"warning: {path}: {problem}; moved it to {moved} and started afresh", err=True)
        progress = progress_files.Progress()
    session = progress.session
    if resume and (
        any(not registry.from_question_file(f) for f in families) or topic or seed is not None
    ):
        raise click.UsageError(
            "--resume continues the saved session: give it alone, or with the question "
            "files it drills (--family FILE)"
        )
    if resume and session is not None and not session.finished:
        click.echo(f"Resuming: question {session.done + 1} of {session.count}")
    else:
        if resume:
            click.echo("No unfinished session to resume: starting a new one.")
        chosen = drills.choose_families(families, topic)
        progress.session = progress_files.Session(seed or new_seed(), chosen, count)

    def ask(prompt: str) -> str:
        return click.prompt(prompt, default="", show_default=False, prompt_suffix="")

    def save() -> None:
        progress_files.save(progress, path)

    save()
    click.echo(
        terminal_text(
            "An empty answer skips a part. Ctrl-D or Ctrl-C ends the session; "
            "examgen drill --resume continues it."
        )
    )
    try:
        drills.run(progress, drills.Terminal(ask, click.echo), save)
    except (click.Abort, EOFError, KeyboardInterrupt):
        click.echo("\nSession ended.")
    click.echo("")
    for line in drills.summary(progress):
        click.echo(line)
    click.echo(f"Progress saved in {path}")


@main.command()
@_family_options("practise", count=5, most=200)
@click.option(
    "--difficulty",
    type=click.Choice(["easy", "medium", "hard"]),
    default="medium",
    show_default=True,
    help="How hard the questions are.",
)
@click.option(
    "--seed",
    "-s",
    default=None,
    callback=_seed_text,
    help="Seed (default: random, recorded in the key).",
)
@_format_option(default="md", show_default=True)
@click.option("--pdf", is_flag=True, help="Also compile the sheets to PDF.")
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), default=Path("output"), show_default=True
)
@click.option("--force", is_flag=True, help="Replace an existing practice folder.")
def practice(
    families: tuple[str, ...],
    topic: str | None,
    count: int,
    difficulty: str,
    seed: str | None,
    formats: str,
    pdf: bool,
    out: Path,
    force: bool,
) -> None:
    """Write a practice set: a question sheet and a separate solutions sheet.

    The folder also holds a blank submission.json: fill it in and run
    `grade submission.json --key instructor/key.json` there to have it checked as an exam
    would be.
    """
    from generator.exam.seeding import new_seed
    from generator.exam_folder.formats import parse_formats
    from generator.practice.drill import choose_families
    from generator.practice.sets import practice_spec, write_practice

    if not families and topic is None:
        raise click.UsageError("name what to practise: --family F (or --topic T)")
    chosen = parse_formats(formats + (",pdf" if pdf else ""))
    picked = choose_families(_families_or_files(families), topic)
    if families and count < len(picked):  # each family named is asked at least once
        raise click.UsageError(
            f"--count {count} cannot ask each of the {len(picked)} families named: "
            f"give --count {len(picked)} or more"
        )
    spec = practice_spec(picked, count, difficulty)
    target = write_practice(spec, seed or new_seed(), out, chosen, force)
    pages = [name for name in ("md", "html", "tex", "pdf") if name in chosen]
    click.echo(f"Wrote a practice set of {counted(count, 'question')} to {target}")
    if pages:
        suffix = pages[0] if len(pages) == 1 else f"{{{','.join(pages)}}}"
        click.echo(f"  practice.{suffix}   the questions")
        click.echo(f"  solutions.{suffix}  answers and worked solutions")
    if "html" in chosen:
        click.echo("  self-check.html  answer boxes that check themselves, in any browser")
    click.echo(
        "  submission.json  fill in, then run there: "
        "grade submission.json --key instructor/key.json"
    )


# grade and regrade find keys by exam id in the same folder
def _curves(context: click.Context, parameter: click.Parameter, texts: tuple[str, ...]) -> Any:
    from generator.grading.curves import parse_curve

    try:
        return tuple(parse_curve(text) for text in texts)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


_exams_option = click.option(
    "--exams",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="The folder generate wrote the exams to, where keys are found by exam id.",
)

_grade_options = [
    click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
    click.option(
        "--key",
        "key_path",
        type=click.Path(path_type=Path),
        default=None,
        help="The exam's instructor/key.json (default: EXAMS/EXAM_ID/instructor/key.json).",
    ),
    _exams_option,
    click.option(
        "--out",
        "-o",
        type=click.Path(path_type=Path),
        default=None,
        help="Write a gradebook, feedback and report.json here (default for a batch: ./grades).",
    ),
    click.option("--force", is_flag=True, help="Replace an existing --out folder."),
    click.option(
        "--prefer",
        multiple=True,
        metavar="FILE",
        type=click.Path(path_type=Path),
        help="Of several files claiming one student, grade this one. Repeatable.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1, 256),
        default=None,
        help="Processes to grade with (default: one per core).",
    ),
    click.option(
        "--json", "as_json", is_flag=True, help="One submission: print its report as JSON."
    ),
    click.option(
        "--no-feedback",
        is_flag=True,
        help="A class: write only the gradebook and report.json (much faster for thousands).",
    ),
    click.option(
        "--bom",
        is_flag=True,
        help="Start the gradebooks with a UTF-8 byte-order mark, so Excel shows names such "
        "as Gödel (regrade keeps it).",
    ),
]


def _grade(
    paths: tuple[Path, ...],
    key_path: Path | None,
    exams: Path,
    out: Path | None,
    force: bool,
    prefer: tuple[Path, ...],
    workers: int | None,
    as_json: bool,
    no_feedback: bool,
    bom: bool,
) -> None:
    """Grade submissions against their exam's key.

    \b
    grade submission.json             one submission: points and feedback on screen
    grade submissions/ --out grades   a class: gradebook.csv, feedback/, report.json

    Two files claiming one student are never settled by file order: the student is marked
    conflict, every claiming file is listed with its points, and --prefer FILE keeps one.

    A file another student handed in (their folder, Gradescope's metadata or a Canvas
    file name says so) is graded as the variant inside it and flagged.

    Exit status: 0 when every submission was graded, 1 when some could not be, a student
    is in conflict or a file is flagged (each is named on stderr and in report.json; the
    rest are graded), 2 for bad usage or a bad key.
    """
    from generator.answers.guard import check_settings
    from generator.grading.scoring import grade, report_text
    from generator.grading.submission import find_key, read_submission
    from generator.grading.variant_key import key_for

    check_settings()
    if len(paths) == 1 and not paths[0].is_dir() and out is None:
        source = str(paths[0])
        data = read_submission(paths[0])
        key_file = key_path or find_key(paths[0], data["exam_id"], exams)
        report = grade(key_for(key_file, data, source), data, source)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            click.echo(report_text(report))
        return
    _grade_batch(
        list(paths),
        key_path,
        exams,
        out or Path("grades"),
        force,
        workers,
        not no_feedback,
        [str(path) for path in prefer],
        bom,
    )


def _grade_batch(
    paths: list[Path],
    key_path: Path | None,
    exams: Path,
    out: Path,
    force: bool,
    workers: int | None,
    feedback: bool = True,
    prefer: Sequence[str] = (),
    bom: bool = False,
) -> None:
    from generator.grading.batch import collect
    from generator.grading.gradebook import conflict_line, flag_line, grade_class

    files = collect(paths)
    for note in files.notes:
        click.echo(f"note: {note}", err=True)
    if not files and not files.refused:
        raise click.UsageError("no submission files found")
    _check_chosen(prefer, files, "the files graded")
    show = sys.stderr.isatty()
    with click.progressbar(
        length=len(files), label="Grading", file=sys.stderr, hidden=not show
    ) as bar:
        summary = grade_class(
            files,
            key_path,
            exams,
            out,
            force,
            workers=workers,
            progress=bar.update,
            feedback=feedback,
            prefer=prefer,
            refused=files.refused,
            bom=bom,
        )
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    for error in summary.errors:
        click.echo(f"error: {error['error']}", err=True)
    for conflict in summary.conflicts:
        click.echo(f"conflict: {conflict_line(conflict)}", err=True)
    for entry in summary.flags:
        click.echo(f"flag: {flag_line(entry)}", err=True)
    graded = sum(exam["graded"] for exam in summary.exams)
    missing = sum(len(exam["missing"]) for exam in summary.exams)
    # what was written: no exam's key found, no gradebook; nobody graded, no feedback
    made = ["gradebook"] if summary.exams else []
    made += ["feedback/"] if feedback and summary.kept else []
    written = ", ".join([*made, "report.json"])
    conflicts = f", {len(summary.conflicts)} in conflict" if summary.conflicts else ""
    flagged = f", {len(summary.flags)} flagged" if summary.flags else ""
    click.echo(
        f"Graded {counted(graded, 'submission')} into {out}/: {written}"
        f" ({len(summary.errors)} could not be graded, {missing} missing{conflicts}{flagged})"
    )
    if summary.errors or summary.conflicts or summary.flags:
        sys.exit(1)


@main.command()
@click.argument("grades", type=click.Path(path_type=Path))
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="The exam's instructor/key.json (default: found from the exam id).",
)
@_exams_option
@click.option(
    "--prefer",
    multiple=True,
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="Of several files claiming one student, grade this one (added to earlier choices).",
)
@click.option(
    "--key-fix",
    multiple=True,
    metavar="ITEM=VALUE",
    help="Correct a key: lr-decay=false, table.row2.shape=14x14x10, or a computed "
    "question's given, size.padding=2 (solved again). Repeatable.",
)
@click.option(
    "--accept",
    multiple=True,
    metavar="ITEM=VALUE",
    help="Accept this answer too, besides the key. Repeatable.",
)
@click.option(
    "--full-credit", multiple=True, metavar="ITEM", help="Full credit for everyone. Repeatable."
)
@click.option(
    "--drop",
    multiple=True,
    metavar="ITEM",
    help="Drop a question or bank item for everyone. Repeatable.",
)
@click.option(
    "--manual",
    "manual_csv",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE.csv",
    help="Points set by hand: a CSV of student, question, points, comment.",
)
@click.option(
    "--curve",
    multiple=True,
    metavar="QID:FEATURE=VALUE:FACTOR",
    callback=_curves,
    help="Multiply the points of the students whose instance of QID had FEATURE=VALUE (as "
    "stats shows) by FACTOR, never past the question's points; FACTOR drop drops the "
    "question for them, 1 takes a curve back. Recorded in key.json. Repeatable.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Processes to write the students' grading keys again and grade (default: one per core).",
)
def regrade(
    grades: Path,
    key_path: Path | None,
    exams: Path,
    prefer: tuple[Path, ...],
    key_fix: tuple[str, ...],
    accept: tuple[str, ...],
    full_credit: tuple[str, ...],
    drop: tuple[str, ...],
    manual_csv: Path | None,
    curve: tuple[Any, ...],
    workers: int | None,
) -> None:
    """Grade a class again after a key fix, and show what changed per student.

    GRADES is the folder an earlier `grade --out` wrote. ITEM is a question id (tfa), a
    part (table.row2.shape), a bank item (lr-decay) or a family, in every variant it is
    in. Each action is recorded in instructor/adjustments.toml and applied again by every
    later regrade; key.json, the grading keys, the readable keys and exports follow it.
    The same submission files are graded again; GRADES is replaced and gains changes.json.
    """
    from generator.answers.guard import check_settings
    from generator.exam.manifest import read_key
    from generator.exam_folder.refresh import refresh_key_shards
    from generator.files.encoding import to_json
    from generator.grading.batch import collect
    from generator.grading.gradebook import conflict_line, flag_line, grade_class
    from generator.grading.regrade import change_lines, changes, previous_report, sources_of
    from generator.grading.submission import find_key

    check_settings()
    before = previous_report(grades)
    sources = sources_of(before, grades)  # found from here, wherever grade ran
    walked = collect(sources.folders)
    for note in walked.notes:
        click.echo(f"note: {note}", err=True)
    files = list(dict.fromkeys([*sources.files, *walked]))
    _check_chosen(prefer, files, f"the files {grades}/report.json graded")
    exam_ids = [exam["exam_id"] for exam in before["exams"]]
    if key_path is None and len(exam_ids) == 1 and (files or sources.gone):
        key_path = find_key(grades / "report.json", exam_ids[0], exams)
    if key_path is None:
        raise click.UsageError("give --key: the report covers several exams or no files")
    manifest, notes = _adjust(key_path, key_fix, accept, full_credit, drop, manual_csv)
    if curve:  # a group's points curved, or the question dropped for it
        from generator.grading.curves import apply_curves

        manifest = apply_curves(key_path, manifest or read_key(key_path), list(curve))
    refresh_key_shards(key_path, workers, manifest)  # after a hand correction, or adjustments
    notes["stale"] += _rewrite_after_fix(key_path, manifest, notes.pop("applied"))
    found: list[dict[str, Any]] = []

    def changes_file(summary: Any) -> dict[str, str]:
        found.extend(changes(before, summary.submissions))
        return {"changes.json": to_json({"changes": found, **notes})}

    had_stats = (grades / "stats.json").is_file()  # the new folder replaces it: made again
    gradebook = grades / "gradebook.csv"  # a gradebook begun with a BOM keeps it
    bom = gradebook.is_file() and gradebook.read_bytes().startswith(b"\xef\xbb\xbf")
    chosen = list(dict.fromkeys([*sources.preferred, *map(str, prefer)]))
    summary = grade_class(
        files,
        key_path,
        exams,
        grades,
        True,
        workers=workers,
        extra=changes_file,
        prefer=chosen,
        refused=walked.refused,
        bom=bom,
        gone=sources.gone,
    )
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    for line in change_lines(found) or ["no student's points changed"]:
        click.echo(line)
    for line in notes["stale"]:
        click.echo(f"stale: {line}", err=True)
    graded = {report["student_id"] for report in summary.submissions}
    for student in (s for s in notes["manual"] if s not in graded):
        click.echo(
            f"note: {student}'s manual points count once a file of theirs is graded", err=True
        )
    for error in summary.errors:
        click.echo(f"error: {error['error']}", err=True)
    for conflict in summary.conflicts:
        click.echo(f"conflict: {conflict_line(conflict)}", err=True)
    for entry in summary.flags:
        click.echo(f"flag: {flag_line(entry)}", err=True)
    if had_stats and summary.kept:
        _write_stats(grades, exams)
        click.echo(f"Wrote {grades}/stats.html, histogram.png and stats.json again")
    if summary.errors or summary.conflicts or summary.flags:
        sys.exit(1)


def _check_chosen(prefer: Sequence[str | Path], files: list[Path], graded: str) -> None:
    """Refuse a ``--prefer`` FILE that is not among the files graded (``graded`` says which):
    it would settle no conflict, and a typo would leave one unsettled without a word (and a
    regrade would record it as a choice for good)."""
    import os

    from generator.errors import SubmissionError, quoted

    chosen = {os.path.realpath(path) for path in files}
    for path in prefer:
        if os.path.realpath(path) not in chosen:
            raise SubmissionError(f"--prefer {quoted(str(path))}", f"not among {graded}")


def _adjust(
    key_path: Path,
    key_fix: tuple[str, ...],
    accept: tuple[str, ...],
    full_credit: tuple[str, ...],
    drop: tuple[str, ...],
    manual_csv: Path | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record regrade's adjustments beside the key and apply them all to key.json; the key
    as it now is, and what was adjusted (``applied``: for the files that show keys)."""
    from generator.grading.adjustments import (
        Action,
        adjust_key,
        adjustments_file,
        parse_assignment,
        read_adjustments,
        read_manual_csv,
    )

    actions = [
        Action(kind, *parse_assignment(text, option), option=f"{option} {text}")
        for kind, option, texts in (
            ("key_fix", "--key-fix", key_fix),
            ("accept", "--accept", accept),
        )
        for text in texts
    ]
    actions += [Action("full_credit", t, option=f"--full-credit {t}") for t in full_credit]
    actions += [Action("drop", t, option=f"--drop {t}") for t in drop]
    manual = read_manual_csv(manual_csv) if manual_csv is not None else []
    manifest, applied = adjust_key(key_path, actions, manual)
    for line in applied.lines:
        click.echo(f"adjusted: {line}")
    students = sorted({row.student for row in read_adjustments(adjustments_file(key_path)).manual})
    notes = {"adjusted": applied.lines, "manual": students, "stale": [], "applied": applied}
    return manifest, notes


def _rewrite_after_fix(key_path: Path, manifest: dict[str, Any], applied: Any) -> list[str]:
    """Write again the readable keys and exports of the variants adjusted; the stale files."""
    from generator.exam_folder.after_fix import rewrite_after_fix

    written, stale = rewrite_after_fix(key_path, manifest, applied.changed, applied.resolved)
    if written:
        click.echo(f"Wrote {counted(written, 'file')} that show the keys again")
    return stale


@main.command()
@click.argument("grades", type=click.Path(path_type=Path))
@_exams_option
def stats(grades: Path, exams: Path) -> None:
    """Item analysis of a graded class: difficulty, discrimination, common wrong answers.

    GRADES is the folder `grade --out` wrote. Prints a table and writes
    GRADES/stats.json, GRADES/stats.html and GRADES/histogram.png.
    """
    click.echo(_write_stats(grades, exams))
    click.echo(f"\nWrote {grades}/stats.html, histogram.png and stats.json")


def _write_stats(grades: Path, exams: Path) -> str:
    """Write the item analysis of ``grades`` beside its report, with the variants' difficulty
    where the keys under ``exams`` are found; the table, for a terminal."""
    import markupsafe

    from generator.files.encoding import to_json
    from generator.files.writing import write_file
    from generator.grading.difficulty import keys_of
    from generator.grading.regrade import previous_report
    from generator.grading.stats import item_analysis, stats_text
    from generator.render.pages import html_environment
    from generator.render.png import bar_chart
    from generator.render.svg import bar_chart_svg

    report = previous_report(grades)
    manifests, notes = keys_of(report, exams)
    result = item_analysis(report, str(grades / "report.json"), manifests)
    if not result["students"]:
        raise click.UsageError(f"{grades}/report.json has no graded submissions")
    counts, labels = result["histogram"]["counts"], result["histogram"]["labels"]
    png = bar_chart(counts, labels)
    html = (
        html_environment()
        .get_template("sheets/stats.html.j2")
        .render(stats=result, chart=markupsafe.Markup(bar_chart_svg(counts, labels)))
    )
    for name, data in (
        ("histogram.png", png),
        ("stats.html", html.encode()),
        ("stats.json", to_json(result).encode()),
    ):
        write_file(grades / name, data)
    return "\n".join([stats_text(result), *(f"note: {note}" for note in notes)])


def _with_options(function: Any) -> Any:
    for option in reversed(_grade_options):
        function = option(function)
    return function


main.command(name="grade")(_with_options(_grade))
grade_main = click.command(
    name="grade", cls=_Command, context_settings={"help_option_names": ["-h", "--help"]}
)(_with_options(_grade))
