"""Writing outputs all or nothing: a file or a whole folder appears complete or not at all,
and an existing one is replaced only when asked."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from generator.errors import OutputError


def write_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)  # mkstemp makes files private
        os.replace(temporary, path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def write_folder(target: Path, fill: Callable[[Path], None], force: bool) -> None:
    """Build a folder with ``fill(staging)`` and move it to ``target`` in one rename.

    An existing ``target`` is refused unless ``force``, and replaced only once the new
    folder is complete; whatever happens, no staging folder is left behind.
    """
    if target.exists() and not force:
        raise OutputError(f"{target} already exists (use --force to replace it)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as error:
        raise OutputError(f"cannot write to {target.parent}: {error.strerror or error}") from None
    try:
        fill(staging)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            os.replace(target, retired / "old")
            os.replace(staging, target)
            shutil.rmtree(retired)
        else:
            os.replace(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
