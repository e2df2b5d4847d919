"""A student's drill progress: per family how often they were right, and the session in
progress so ``drill --resume`` continues it. One small JSON file, written atomically after
every question; a file that cannot be read is set aside and reported, never fatal."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator import registry
from generator.errors import ExamgenError, printable, quoted
from generator.files.reading import read_bytes
from generator.files.writing import write_file

PROGRESS_FORMAT = 1
MAX_SESSION = 500  # questions: drill --count's most
MAX_PROGRESS_BYTES = 1_000_000


def default_path() -> Path:
    """$EXAMGEN_PROGRESS, else the XDG state folder: ~/.local/state/examgen/drill.json."""
    if os.environ.get("EXAMGEN_PROGRESS"):
        return Path(os.environ["EXAMGEN_PROGRESS"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "examgen" / "drill.json"


@dataclass
class FamilyRecord:
    asked: int = 0  # questions
    right: int = 0  # parts right at the first try
    hinted: int = 0  # parts right after the hint
    missed: int = 0  # parts missed twice, or skipped
    mastery: float = 0.5  # a moving average of the first-try score, 0 to 1

    def record(self, first_try: int, after_hint: int, missed: int) -> None:
        self.asked += 1
        self.right += first_try
        self.hinted += after_hint
        self.missed += missed
        parts = first_try + after_hint + missed
        score = (first_try + 0.5 * after_hint) / parts if parts else 0.0
        self.mastery = round(0.6 * self.mastery + 0.4 * score, 4)


@dataclass
class Session:
    seed: str
    families: list[str]
    count: int
    done: int = 0  # questions finished
    tally: dict[str, list[int]] = field(default_factory=dict)  # family -> right, hinted, missed
    last: str | None = None  # the family of the last question finished: not asked twice running

    @property
    def finished(self) -> bool:
        return self.done >= self.count


@dataclass
class Progress:
    families: dict[str, FamilyRecord] = field(default_factory=dict)
    session: Session | None = None

    def record(self, family: str) -> FamilyRecord:
        return self.families.setdefault(family, FamilyRecord())


class ProgressProblem(ExamgenError):
    """The progress file exists but is not a progress file examgen can read; uncaught (it
    cannot even be moved aside), the CLI reports it in one line."""


def load(path: Path) -> Progress:
    """The progress in ``path``; empty when the file does not exist yet."""
    try:
        data = read_bytes(path, MAX_PROGRESS_BYTES + 1)  # a FIFO is refused, not waited on
    except FileNotFoundError:
        return Progress()
    except OSError as error:
        raise ProgressProblem(error.strerror or str(error)) from None
    if len(data) > MAX_PROGRESS_BYTES:
        raise ProgressProblem(f"larger than {MAX_PROGRESS_BYTES} bytes")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProgressProblem(f"not valid JSON ({type(error).__name__})") from None
    try:
        return _from_json(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ProgressProblem(f"not a drill progress file ({error})") from None


def _from_json(raw: Any) -> Progress:
    if not isinstance(raw, dict) or raw.get("format") != PROGRESS_FORMAT:
        raise ValueError(f"expected format {PROGRESS_FORMAT}")
    families = {}
    for name, record in raw["families"].items():
        name = _family_name(name)
        values = {key: record[key] for key in ("asked", "right", "hinted", "missed")}
        if not all(isinstance(v, int) and v >= 0 for v in values.values()):
            raise ValueError(f"counts of {quoted(name)} must be whole numbers")
        mastery = float(record["mastery"])
        if not 0 <= mastery <= 1:
            raise ValueError(f"mastery of {quoted(name)} must be between 0 and 1")
        families[name] = FamilyRecord(**values, mastery=mastery)
    session = None
    if raw.get("session") is not None:
        s = raw["session"]
        session = Session(
            seed=_seed(s["seed"]),
            families=[_family_name(f) for f in s["families"]],
            count=int(s["count"]),
            done=int(s["done"]),
            tally={_family_name(k): _tally(v) for k, v in s["tally"].items()},
            last=None if s.get("last") is None else _family_name(s["last"]),
        )
        if not session.families or not 1 <= session.count <= MAX_SESSION:
            raise ValueError("the session is inconsistent")
        if not 0 <= session.done <= session.count:
            raise ValueError("the session is inconsistent")
        # a question file's family is known once the drill names its file again
        drilled = {f for f in session.families if not registry.from_question_file(f)}
        unknown = drilled - set(registry.names())
        if unknown:
            raise ValueError(
                f"the session asks a family examgen does not have: {quoted(sorted(unknown)[0])}"
            )
        named = set(session.tally) | ({session.last} if session.last else set())
        if not named <= set(session.families):  # the summary prints the tally's families
            raise ValueError("the session is inconsistent")
    return Progress(families, session)


def _family_name(value: Any) -> str:
    """A family name as the progress file holds it; one a terminal would act on (an ESC,
    a bidi mark) or that cannot be written as UTF-8 (a lone surrogate) is no family's."""
    if not isinstance(value, str) or not value or printable(value) != value:
        raise ValueError(f"{quoted(value)} is not a family name")
    return value


def _seed(value: Any) -> str:
    """The session's seed: any text a person may give --seed, but a lone surrogate, which
    the seed's key (and the file, when saved) cannot be made of."""
    if not isinstance(value, str):
        raise ValueError("the seed must be a string")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("the seed holds a lone surrogate") from None
    return value


def _tally(value: Any) -> list[int]:
    """A family's right, hinted and missed parts in the session."""
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(type(n) is int and n >= 0 for n in value)
    ):
        raise ValueError("a tally must be three whole numbers: right, hinted, missed")
    return value


def set_aside(path: Path) -> Path:
    """Move an unreadable progress file out of the way, never over another one."""
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}.unreadable-{n}")
        if not target.exists():
            try:
                os.replace(path, target)
            except OSError as error:
                raise ProgressProblem(
                    f"{path}: unreadable, and cannot be moved aside: {error.strerror or error}"
                ) from None
            return target
    raise ProgressProblem(f"{path}: unreadable, with too many unreadable files beside it")


def save(progress: Progress, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": PROGRESS_FORMAT,
        "families": {name: asdict(r) for name, r in sorted(progress.families.items())},
        "session": asdict(progress.session) if progress.session else None,
    }
    write_file(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
