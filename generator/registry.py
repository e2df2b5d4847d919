"""The family registry: built-in families under ``generator.families`` and any a third-party
package declares in the ``examgen.families`` entry-point group."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from generator.errors import UnknownFamilyError
from generator.family import Family

_FAMILIES: dict[str, type[Family]] = {}
# families read from instructors' question files in this run (``generator.question_files``),
# by name: each is one instance, built from its file
_FROM_FILES: dict[str, Family] = {}
FILE_PREFIXES = ("file-", "bank-")
_loaded = False


def register(cls: type[Family]) -> type[Family]:
    """Class decorator that makes a family available under ``cls.name``."""
    if cls.name in _FAMILIES and _FAMILIES[cls.name] is not cls:
        raise ValueError(f"two families are named {cls.name!r}")
    _FAMILIES[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    import generator.families as package

    for module in pkgutil.iter_modules(package.__path__):
        if not module.ispkg:  # families/common/ holds what families share
            importlib.import_module(f"{package.__name__}.{module.name}")
    for entry in entry_points(group="examgen.families"):
        entry.load()
    _loaded = True


def add_from_file(family: Family) -> None:
    """Make a family read from a question file available under its name for this run; a
    file read again (or another of the same name) replaces it. Its name starts with
    ``file-`` or ``bank-``, so it never hides a built-in family."""
    if not family.name.startswith(FILE_PREFIXES):
        raise ValueError(
            f"a question file's family is named file-... or bank-..., not {family.name!r}"
        )
    _FROM_FILES[family.name] = family


def from_question_file(name: str) -> bool:
    """Whether ``name`` is a question file's family: a manifest keeps what rendering and
    grading need of it, so a later run does not need the file."""
    return isinstance(name, str) and name.startswith(FILE_PREFIXES)


def names() -> list[str]:
    _load()
    return [*_FAMILIES, *_FROM_FILES]


def get(name: str) -> Family:
    _load()
    if name in _FROM_FILES:
        return _FROM_FILES[name]
    if name not in _FAMILIES:
        raise UnknownFamilyError(name, list(_FAMILIES))
    return _FAMILIES[name]()
