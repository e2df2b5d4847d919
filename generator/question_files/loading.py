"""Reading a question file: a problem (``question_file``) or concept items (``concepts``),
as the file holds ``[answers]`` or ``[[items]]``."""

from __future__ import annotations

import tomllib
from pathlib import Path

from generator.family import Family
from generator.files.reading import read_text
from generator.question_files.concepts import ConceptFileFamily
from generator.question_files.question_file import (
    MAX_FILE_BYTES,
    QuestionFileError,
    QuestionFileFamily,
)


def load(path: Path) -> Family:
    """Read and check the question file at ``path`` (read once, size-bounded)."""
    source = str(path)
    if not path.is_file():
        raise QuestionFileError(source, "no such file, or not a regular file")
    return parse_file(read_text(path, MAX_FILE_BYTES, QuestionFileError), source, path.stem)


def parse_file(text: str, source: str, stem: str) -> Family:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuestionFileError(source, f"not valid TOML: {error}") from None
    except ValueError:  # Python's limit on the digits of one integer
        raise QuestionFileError(
            source, "not valid TOML here: a number with too many digits"
        ) from None
    except RecursionError:
        raise QuestionFileError(source, "not valid TOML here: nested too deeply") from None
    family: QuestionFileFamily | ConceptFileFamily
    if "items" in data:
        family = ConceptFileFamily(data, source, stem)
    else:
        family = QuestionFileFamily(data, source, stem)
    family.file_text = text
    return family
