"""The errors examgen reports to a person: each says where (file, field, question) and what."""

from __future__ import annotations


class ExamgenError(Exception):
    """Base of every error caused by user input; the CLI prints it as one line and exits 2."""

    exit_code = 2

    def __str__(self) -> str:
        # One line, whatever the message holds, so stderr stays greppable.
        return " ".join(super().__str__().split())


class GivenError(ExamgenError):
    """A family's givens are unknown, missing or invalid."""

    def __init__(self, family: str, message: str, given: str | None = None) -> None:
        where = f"{family}: given '{given}'" if given else family
        super().__init__(f"{where}: {message}")


class UnknownFamilyError(ExamgenError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown family '{name}' (known: {', '.join(known)})")


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


class OutputError(ExamgenError):
    """Generated files cannot be written where asked."""


class FormatError(ExamgenError):
    """An output format is unknown, or cannot be made on this machine (pdf without LaTeX)."""
