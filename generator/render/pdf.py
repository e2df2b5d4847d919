"""Compiling LaTeX sheets and keys to PDF with the machine's pdflatex, in parallel.

examgen does not ship LaTeX: ``--format pdf`` needs pdflatex on PATH (Debian and Ubuntu:
``apt install texlive-latex-recommended texlive-fonts-recommended lmodern``) and says so
plainly when it is missing. PDFs are reproducible: pdfTeX takes its dates and file id from
SOURCE_DATE_EPOCH, set here to a fixed instant. pdflatex runs paranoid, in a folder of its
own (``compile_pdf``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.errors import FormatError

INSTALL_HINT = (
    "apt install texlive-latex-recommended texlive-fonts-recommended lmodern, "
    "or any TeX distribution with pdflatex"
)
TIMEOUT = 120  # seconds for one document; a sheet takes about one


def pdflatex() -> str:
    """The pdflatex to run, or a FormatError saying how to get one."""
    found = shutil.which("pdflatex")
    if found is None:
        raise FormatError(f"--format pdf needs pdflatex, which is not on PATH ({INSTALL_HINT})")
    return found


# pdflatex may open only files in its own folder (no absolute path, no "..", no dot file)
# and run no shell command: a sheet beside instructor/keys/ must not be able to print a key,
# whatever TeX reached it. TEXMFOUTPUT would name a second folder it may write to.
_PARANOID = {"openin_any": "p", "openout_any": "p", "shell_escape": "f"}


def compile_pdf(source: Path, program: str) -> Path:
    """Compile ``source`` into the .pdf beside it, in a fresh temporary folder holding only
    a copy of the .tex, so that pdflatex's own folder has nothing else to read."""
    environment = {key: value for key, value in os.environ.items() if key != "TEXMFOUTPUT"}
    environment |= {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1", **_PARANOID}
    command = [
        program,
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        source.name,
    ]
    try:
        with tempfile.TemporaryDirectory(prefix="examgen-pdf-") as folder:
            copy = Path(folder) / source.name
            shutil.copyfile(source, copy)
            done = subprocess.run(
                command,
                cwd=folder,
                env=environment,
                capture_output=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
            if done.returncode:
                problem = _first_error(copy.with_suffix(".log"))
                raise FormatError(f"{source}: pdflatex failed: {problem or 'see its output'}")
            pdf = source.with_suffix(".pdf")
            shutil.move(copy.with_suffix(".pdf"), pdf)
    except subprocess.TimeoutExpired:
        raise FormatError(f"{source}: pdflatex took longer than {TIMEOUT} s") from None
    except OSError as error:  # no room or no right in the temporary folder or beside source
        where = f" ({error.filename})" if error.filename else ""
        raise FormatError(
            f"{source}: cannot compile it: {error.strerror or error}{where}"
        ) from None
    return pdf


def _first_error(log: Path) -> str | None:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for n, line in enumerate(lines):
        if line.startswith("!"):
            where = next(
                (
                    lines[m]
                    for m in range(n + 1, min(n + 8, len(lines)))
                    if lines[m].startswith("l.")
                ),
                "",
            )
            return f"{line[1:].strip()} {where}".strip()
    return None


def compile_all(sources: list[Path], workers: int | None = None) -> list[Path]:
    """Compile every source, one pdflatex per core at a time; the first failure is raised."""
    program = pdflatex()
    workers = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda source: compile_pdf(source, program), sources))
