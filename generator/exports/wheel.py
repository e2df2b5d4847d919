"""examgen as a wheel, built from the code that is running: an autograder made by
``export --format gradescope`` installs exactly this version, with no network and no
build tools (``pip wheel`` cannot build from site-packages, and an editable install has no
wheel to copy).

The wheel holds every file of examgen's packages as installed (an editable install's
source tree included, caches left out), and metadata written here from the installed
distribution's: its name, version, requirements and entry points. Its bytes depend only on
those files: names sorted, every date 1980-01-01, so two exports of one installation give
one zip.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from generator.errors import OutputError

DISTRIBUTION = "examgen"
# the packages pyproject.toml installs, when the distribution does not list them
_PACKAGES = ("generator", "solvers", "templates")
_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build's time in the bytes
_SKIPPED_FOLDERS = {"__pycache__"}


def wheel_name(version: str) -> str:
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


def installed() -> importlib.metadata.Distribution:
    """examgen's installed distribution: its metadata is the wheel's."""
    try:
        return importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise OutputError(
            "cannot build examgen's wheel: examgen runs without being installed "
            "(install it with pip install . and export again)"
        ) from None


def installed_version() -> str:
    return installed().version


def installed_requirements() -> list[str]:
    """examgen's requirements as the installed distribution lists them, markers and all."""
    return list(installed().requires or [])


def examgen_wheel() -> tuple[str, bytes]:
    """The file name and bytes of a wheel of the examgen that is running."""
    distribution = installed()
    version = distribution.version
    info = f"{DISTRIBUTION}-{version}.dist-info"
    files = sorted(_package_files(_packages(distribution)))
    members = [(name, path.read_bytes()) for name, path in files]
    members += [
        (f"{info}/METADATA", _metadata(distribution).encode()),
        (f"{info}/WHEEL", _WHEEL.encode()),
        (f"{info}/entry_points.txt", _entry_points(distribution).encode()),
        (f"{info}/top_level.txt", "".join(f"{p}\n" for p in _packages(distribution)).encode()),
    ]
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in members)
    members.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    return wheel_name(version), zip_bytes(members)


_WHEEL = "Wheel-Version: 1.0\nGenerator: examgen\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _packages(distribution: importlib.metadata.Distribution) -> list[str]:
    listed = (distribution.read_text("top_level.txt") or "").split()
    return sorted(listed) if listed else list(_PACKAGES)


def _package_files(packages: list[str]) -> Iterator[tuple[str, Path]]:
    """Each file of the packages, by its path in the wheel, and where it is read from."""
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise OutputError(f"cannot build examgen's wheel: package {package} is not installed")
        root = Path(next(iter(spec.submodule_search_locations)))
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(
                name for name in subfolders if name not in _SKIPPED_FOLDERS and name[0] != "."
            )
            for name in names:
                if name[0] == "." or name.endswith((".pyc", ".pyo")):
                    continue
                path = Path(folder, name)
                yield f"{package}/{path.relative_to(root).as_posix()}", path


def _metadata(distribution: importlib.metadata.Distribution) -> str:
    meta = distribution.metadata
    lines = ["Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {distribution.version}"]
    for field in ("Summary", "Requires-Python", "License"):
        if meta.get(field):
            lines.append(f"{field}: {meta[field]}")
    lines += [f"Requires-Dist: {requirement}" for requirement in distribution.requires or []]
    return "\n".join(lines) + "\n"


def _entry_points(distribution: importlib.metadata.Distribution) -> str:
    groups: dict[str, list[str]] = {}
    for entry in distribution.entry_points:
        groups.setdefault(entry.group, []).append(f"{entry.name} = {entry.value}")
    return "".join(
        f"[{group}]\n" + "".join(f"{line}\n" for line in sorted(lines)) + "\n"
        for group, lines in sorted(groups.items())
    )


def _digest(data: bytes) -> str:
    """A file's hash as a wheel's RECORD writes it: SHA-256, urlsafe base64, unpadded."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def zip_bytes(members: list[tuple[str, bytes]], executable: frozenset[str] = frozenset()) -> bytes:
    """A zip of ``members`` (name, bytes) in their order, the same bytes for the same
    members; the ``executable`` ones marked so, as Unix unzips them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data in members:
            entry = zipfile.ZipInfo(name, _DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (0o100755 if name in executable else 0o100644) << 16
            archive.writestr(entry, data)
    return buffer.getvalue()
