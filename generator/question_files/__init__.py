"""Instructors' own parameterized problems, written as TOML question files, read into
families (docs/question-files.md): ``formulas`` (the whitelisting formula parser),
``givens`` (sampling), ``texts`` (Markdown with ``{{ }}`` slots), ``question_file`` (a
problem), ``concepts`` (true/false and multiple-choice items), ``bank`` (a folder of files)
and ``check`` (the stress test ``examgen check`` runs)."""

from __future__ import annotations

from pathlib import Path

from generator.family import Family
from generator.question_files.bank import BankFamily
from generator.question_files.loading import load
from generator.question_files.question_file import QuestionFileError


def load_file(path: Path) -> Family:
    """The family of the question file at ``path``."""
    return load(path)


def load_bank(folder: Path) -> Family:
    """The family of the question files in ``folder``."""
    return BankFamily(folder)


def load_path(path: Path) -> Family:
    """A question file's family, or a bank's for a folder."""
    return BankFamily(path) if path.is_dir() else load(path)


__all__ = ["QuestionFileError", "load_bank", "load_file", "load_path"]
