"""The errors examgen reports to a person: each says where (file, field, question) and what."""

from __future__ import annotations

import difflib
import re

# What a message must not carry to a terminal as it is: control characters (an ESC starts a
# sequence that rewrites the instructor's screen), lone surrogates (which cannot be printed
# as UTF-8) and the marks that reorder text on screen. Line breaks fold to spaces first.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
MAX_MESSAGE = 1000  # characters: a message quotes ids and paths, never whole files


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape."""
    return _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def quoted(value: object, most: int = 60) -> str:
    """A value from a file people hand in, as an error message quotes it: in quotes,
    escaped (``printable``) and cut after ``most`` characters."""
    text = str(value)
    cut = "…" if len(text) > most else ""
    return f"'{printable(text[:most])}{cut}'"


class ExamgenError(Exception):
    """Base of every error caused by user input; the CLI prints it as one line and exits 2."""

    exit_code = 2

    def __str__(self) -> str:
        # One short line, whatever the message holds, so stderr stays greppable and safe.
        text = printable(" ".join(super().__str__().split()))
        return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "…"

    def __reduce__(self) -> tuple[object, ...]:
        # A worker's error reaches the parent pickled, and unpickling calls the class with
        # the message alone, which the subclasses' own arguments refuse: the pool then broke
        # with a traceback instead of the one line. Rebuilt from the message, and as it was.
        return (_rebuilt, (type(self), self.args, self.__dict__))


def _rebuilt(
    cls: type[ExamgenError], args: tuple[object, ...], state: dict[str, object]
) -> ExamgenError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class GivenError(ExamgenError):
    """A family's givens are unknown, missing or invalid."""

    def __init__(self, family: str, message: str, given: str | None = None) -> None:
        where = f"{family}: given '{given}'" if given else family
        super().__init__(f"{where}: {message}")
        self.given, self.problem = given, message


class UnknownFamilyError(ExamgenError):
    """A family name that is not registered: the closest names are suggested, not all."""

    def __init__(self, name: str, known: list[str]) -> None:
        close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}?" if close else "see examgen families"
        super().__init__(f"unknown family {quoted(name)} ({hint})")


class SpecError(ExamgenError):
    """An exam spec or roster file is malformed."""

    def __init__(self, source: str, message: str, field: str | None = None) -> None:
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {message}")


class SubmissionError(ExamgenError):
    """A submission file cannot be graded as a whole."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")


class KeyFileError(ExamgenError):
    """An instructor key file is missing or malformed."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")


class BrokenKeyError(KeyFileError):
    """A key.json or index.json that does not hold what examgen needs: nothing can be
    graded or exported against it, so a class's grading stops before it writes anything."""


class OutputError(ExamgenError):
    """Generated files cannot be written where asked."""


class FormatError(ExamgenError):
    """An output format is unknown, or cannot be made on this machine (pdf without LaTeX)."""
