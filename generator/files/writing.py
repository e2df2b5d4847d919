"""Writing outputs all or nothing: a file or a whole folder appears complete or not at all,
and an existing one is replaced only when asked, and only when it is one examgen wrote.

A folder is built in a hidden staging folder beside its target and renamed into place. Two
runs writing the same target each build their own; the check that the target is free and
the rename into it happen under one lock on the parent folder, so the second run to finish
is refused instead of silently replacing the first one's results. Each staging folder holds
a lock file for as long as its run lives: one whose lock can be taken was left by a run that
was killed, and the next run into the same parent removes it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.errors import OutputError

try:
    import fcntl
except ImportError:  # not on POSIX: runs are not guarded against each other
    fcntl = None  # type: ignore[assignment]

RUN_LOCK = ".examgen-run"  # inside a staging folder: locked while its run lives


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


def write_folder(
    target: Path,
    fill: Callable[[Path], None],
    force: bool,
    is_ours: Callable[[Path], bool],
    what: str = "a folder",
    why_there: str = "",
) -> None:
    """Build a folder with ``fill(staging)`` and move it to ``target`` in one rename.

    An existing ``target`` is refused unless ``force`` (the message adds ``why_there``, why
    a run may find one), and even then unless ``is_ours`` says it is ``what`` examgen wrote
    (``--out notes.txt --force`` never deletes notes).
    Whatever happens, no staging folder is left behind by this run; those that killed
    runs left beside ``target`` are removed first.
    """
    _check_replaceable(target, force, is_ours, what, why_there=why_there)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging, lock = staging_folder(target.parent, f".{target.name}-")
    except OSError as error:
        raise OutputError(f"cannot write to {target.parent}: {error.strerror or error}") from None
    try:
        fill(staging)
        os.unlink(staging / RUN_LOCK)
        with _parent_locked(target.parent):
            if os.path.lexists(target):  # another run may have written it meanwhile
                _check_replaceable(target, force, is_ours, what, meanwhile=True)
                retired, retired_lock = _staging(target.parent, f".{target.name}-old-")
                try:
                    os.replace(target, retired / "old")
                    try:
                        os.replace(staging, target)
                    except OSError:
                        os.replace(retired / "old", target)  # the old folder stays
                        raise
                    shutil.rmtree(retired, ignore_errors=True)
                finally:
                    os.close(retired_lock)
            else:
                os.rename(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.close(lock)


def _check_replaceable(
    target: Path,
    force: bool,
    is_ours: Callable[[Path], bool],
    what: str,
    meanwhile: bool = False,
    why_there: str = "",
) -> None:
    if not os.path.lexists(target):
        return
    if not force:
        if meanwhile:
            raise OutputError(
                f"{target} was written by another run while this one worked; "
                "nothing was replaced (use --force to replace it)"
            )
        why = f": {why_there}" if why_there else ""
        raise OutputError(f"{target} already exists{why} (use --force to replace it)")
    if target.is_symlink() or not target.is_dir() or not is_ours(target):
        raise OutputError(f"{target} is not {what} examgen wrote: not replaced, even with --force")


def staging_folder(parent: Path, prefix: str) -> tuple[Path, int]:
    """A new hidden folder in ``parent`` for a run to build in, and the descriptor that
    holds its run lock: close it once the folder is moved or removed."""
    remove_stale_staging(parent)
    return _staging(parent, prefix)


def _staging(parent: Path, prefix: str) -> tuple[Path, int]:
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    lock = os.open(folder / RUN_LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    if fcntl is not None:
        # released by the kernel when this process dies; a file system without locks
        # (some network mounts) leaves the folder unlocked, and then never taken as stale
        with contextlib.suppress(OSError):
            fcntl.flock(lock, fcntl.LOCK_EX)
    return folder, lock


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove the staging folders in ``parent`` that runs which were killed left behind:
    hidden folders holding a run lock that no living process holds. Returns them."""
    removed = []
    if fcntl is None:
        return removed
    try:
        entries = [entry for entry in os.scandir(parent) if entry.name.startswith(".")]
    except OSError:
        return removed
    for entry in entries:
        try:
            lock = os.open(os.path.join(entry.path, RUN_LOCK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # not a staging folder, or its run is moving it into place
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a living run's
        finally:
            os.close(lock)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def _parent_locked(parent: Path) -> Iterator[None]:
    """Hold a lock on ``parent`` while checking a target in it and renaming into it."""
    if fcntl is None:
        yield
        return
    handle = os.open(parent, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # no locks on this file system: unguarded
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)
