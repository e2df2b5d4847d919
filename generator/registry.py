"""The family registry: built-in families under ``generator.families`` and any a third-party
package declares in the ``examgen.families`` entry-point group."""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points

from generator.errors import UnknownFamilyError
from generator.family import Family

_FAMILIES: dict[str, type[Family]] = {}
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


def names() -> list[str]:
    _load()
    return list(_FAMILIES)


def get(name: str) -> Family:
    _load()
    if name not in _FAMILIES:
        raise UnknownFamilyError(name, list(_FAMILIES))
    return _FAMILIES[name]()
