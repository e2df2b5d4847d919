"""The files HTML pages load, shipped with examgen so pages work offline: KaTeX and the
script that runs it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib.resources import files
from pathlib import Path


def asset_files() -> Iterator[tuple[str, bytes]]:
    """KaTeX and the script that runs it, shipped with examgen: HTML pages work offline."""
    root = files("templates") / "assets"
    stack = [(root, "assets")]
    while stack:
        folder, prefix = stack.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                stack.append((entry, f"{prefix}/{entry.name}"))
            elif not entry.name.startswith((".", "__")):
                yield f"{prefix}/{entry.name}", entry.read_bytes()


def write_files(root: Path, files: Iterable[tuple[str, bytes]]) -> None:
    """Write each file, by path under ``root``, making its folders."""
    for path, data in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
