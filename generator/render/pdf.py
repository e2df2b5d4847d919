"""Compiling LaTeX sheets and keys to PDF with the machine's pdflatex, in parallel.

examgen does not ship LaTeX: ``--format pdf`` needs pdflatex on PATH (Debian and Ubuntu:
``apt install texlive-latex-recommended texlive-fonts-recommended lmodern``) and says so
plainly when it is missing. PDFs are reproducible: pdfTeX takes its dates and file id from
SOURCE_DATE_EPOCH, set here to a fixed instant, and pypdf writes no date or random id.
pdflatex runs paranoid, in a folder of its own (``compile_batch``).

Starting pdflatex costs about 0.2 s, a sheet inside a running job about 15 ms. So documents
that share a preamble (a class's sheets, and apart from them its keys) compile in batches:
one pdflatex run typesets the preamble once and each document's body between
``\\openpages`` and ``\\closepages`` (templates/sheets/_page.tex.j2), which hold each
document's pages until its last, head them "page k of n" and write the count to the aux
file. The job's PDF is then split into each document's own file by those counts.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from generator.errors import FormatError

INSTALL_HINT = (
    "apt install texlive-latex-recommended texlive-fonts-recommended lmodern, "
    "or any TeX distribution with pdflatex"
)
TIMEOUT = 120  # seconds for a job; a batch of 40 keys takes about two
# Documents a job holds at most. A split PDF holds the fonts of its whole job, so its bytes
# depend on the batch: batches are cut in order, whatever the cores, so that a document's
# PDF is the same on every machine, and adding students changes only the last batch's.
BATCH = 40

_BEGIN = "\n\\begin{document}\n"
_END = "\n\\end{document}\n"
_PAGES = re.compile(r"^\\pagecount\{(\d+)\}$", re.M)
_LINE = re.compile(r"^l\.(\d+)")


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


@dataclass(frozen=True)
class Batch:
    """One pdflatex job's PDF and the page count of each document in it, in order."""

    pdf: bytes
    pages: list[int]


@dataclass(frozen=True)
class _Job:
    """The .tex of a job and, for each document in it, the job's line where its body starts
    and the source's line that is (to name the document and its line in an error)."""

    text: str
    starts: list[tuple[int, int]]


def _job(sources: list[Path], texts: list[str]) -> _Job:
    if len(sources) == 1:
        return _Job(texts[0], [(1, 1)])
    preamble = texts[0].split(_BEGIN, 1)[0] + _BEGIN
    pieces, starts, line = [preamble], [], preamble.count("\n") + 1
    for text in texts:
        body = text.split(_BEGIN, 1)[1].rsplit(_END, 1)[0] + "\n"
        starts.append((line, preamble.count("\n") + 1))
        pieces.append(body)
        line += body.count("\n")
    return _Job("".join(pieces) + _END.lstrip("\n"), starts)


def _preamble(text: str) -> str | None:
    """What a document shares with the others of its batch, or None when it cannot be
    batched (no body between a begin and an end of document on lines of their own)."""
    if _BEGIN not in text or not text.endswith(_END):
        return None
    return text.split(_BEGIN, 1)[0]


def compile_pdf(source: Path, program: str) -> Path:
    """Compile ``source`` alone into the .pdf beside it (see ``compile_batch``)."""
    compile_batch([source], program)
    return source.with_suffix(".pdf")


def compile_batch(sources: list[Path], program: str) -> Batch:
    """Compile documents that share one preamble as one pdflatex job and write each one's
    PDF beside its source. The job runs in a fresh temporary folder holding only its .tex,
    so that pdflatex's own folder has nothing else to read."""
    environment = {key: value for key, value in os.environ.items() if key != "TEXMFOUTPUT"}
    environment |= {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1", **_PARANOID}
    command = [program, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error"]
    try:
        texts = [source.read_text(encoding="utf-8") for source in sources]
        job = _job(sources, texts)
        with tempfile.TemporaryDirectory(prefix="examgen-pdf-") as folder:
            tex = Path(folder) / ("job.tex" if len(sources) > 1 else sources[0].name)
            tex.write_text(job.text, encoding="utf-8")
            done = subprocess.run(
                [*command, tex.name],
                cwd=folder,
                env=environment,
                capture_output=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
            if done.returncode:
                raise _failure(sources, job, tex.with_suffix(".log"))
            data = tex.with_suffix(".pdf").read_bytes()
            counted = _page_counts(tex.with_suffix(".aux"))
    except subprocess.TimeoutExpired:
        raise FormatError(f"{_named(sources)}: pdflatex took longer than {TIMEOUT} s") from None
    except OSError as error:  # no room or no right in the temporary folder or beside source
        where = f" ({error.filename})" if error.filename else ""
        raise FormatError(
            f"{_named(sources)}: cannot compile it: {error.strerror or error}{where}"
        ) from None
    if len(sources) == 1:
        _write(sources[0].with_suffix(".pdf"), data)
        return Batch(data, [sum(counted) or _page_total(data)])
    if len(counted) != len(sources):
        raise FormatError(f"{_named(sources)}: pdflatex counted the pages of only some")
    _split(data, sources, counted)
    return Batch(data, counted)


def _named(sources: list[Path]) -> str:
    extra = f" (and {len(sources) - 1} more in its pdflatex job)" if len(sources) > 1 else ""
    return f"{sources[0]}{extra}"


def _page_counts(aux: Path) -> list[int]:
    try:
        text = aux.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [int(pages) for pages in _PAGES.findall(text)]


def _write(target: Path, data: bytes) -> None:
    try:
        target.write_bytes(data)
    except OSError as error:
        raise FormatError(f"{target}: cannot write it: {error.strerror or error}") from None


def _page_total(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _split(data: bytes, sources: list[Path], counts: list[int]) -> None:
    """Each document's pages of the job's PDF, into the .pdf beside its source."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if sum(counts) != len(reader.pages):
        raise FormatError(
            f"{_named(sources)}: pdflatex counted {sum(counts)} pages but wrote {len(reader.pages)}"
        )
    first = 0
    for source, count in zip(sources, counts, strict=True):
        writer = PdfWriter()
        for page in reader.pages[first : first + count]:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        _write(source.with_suffix(".pdf"), out.getvalue())
        first += count


def _failure(sources: list[Path], job: _Job, log: Path) -> FormatError:
    """The error of a failed job, naming the document it happened in and its line there."""
    problem, line = _first_error(log)
    source, shift = sources[0], 0
    if line is not None and len(sources) > 1:
        for candidate, (start, own) in zip(sources, job.starts, strict=True):
            if start <= line:
                source, shift = candidate, start - own
    if problem is not None and line is not None:
        problem = problem.replace(f"l.{line}", f"l.{line - shift}", 1)
    return FormatError(f"{source}: pdflatex failed: {problem or 'see its output'}")


def _first_error(log: Path) -> tuple[str | None, int | None]:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, None
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
            number = _LINE.match(where)
            return f"{line[1:].strip()} {where}".strip(), int(number[1]) if number else None
    return None, None


def batches_of(sources: list[Path], size: int) -> list[list[Path]]:
    """``sources`` in order, cut into runs of at most ``size`` that share a preamble; a
    document that cannot share a job is a batch of its own."""
    batches: list[list[Path]] = []
    shared: str | None = None
    for source in sources:
        try:
            preamble = _preamble(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            preamble = None  # compile_batch says what is wrong with it
        if batches and preamble is not None and preamble == shared and len(batches[-1]) < size:
            batches[-1].append(source)
        else:
            batches.append([source])
        shared = preamble
    return batches


def compile_groups(
    groups: list[list[Path]],
    workers: int | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> list[list[Batch]]:
    """Compile every document, one pdflatex per core at a time, and return each group's
    batches in order. A group holds documents that may share a job (a class's sheets; its
    keys are another group: no job mixes them). ``progress`` hears the documents done and
    their total after each batch. The failure of the earliest batch that failed is raised."""
    program = pdflatex()
    workers = workers or os.cpu_count() or 1
    total = sum(len(group) for group in groups)
    planned = [(g, batch) for g, group in enumerate(groups) for batch in batches_of(group, BATCH)]
    results: dict[int, Batch] = {}
    failures: dict[int, FormatError] = {}
    done = 0
    progress(0, total)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[Batch], int] = {
            pool.submit(compile_batch, batch, program): n for n, (_, batch) in enumerate(planned)
        }
        for future in as_completed(futures):
            n = futures[future]
            if future.cancelled():  # after another batch failed
                continue
            try:
                results[n] = future.result()
            except FormatError as error:
                failures[n] = error
                for pending in futures:
                    pending.cancel()
                continue
            done += len(planned[n][1])
            progress(done, total)
    if failures:
        raise failures[min(failures)]
    found: list[list[Batch]] = [[] for _ in groups]
    for n, (g, _) in enumerate(planned):
        found[g].append(results[n])
    return found


def print_file(batches: list[Batch], target: Path) -> None:
    """One PDF of every document of ``batches`` in order, each padded with a blank page to
    an even page count, so that double-sided printing starts each on a sheet of its own."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for batch in batches:
        pages = PdfReader(io.BytesIO(batch.pdf)).pages
        first = 0
        for count in batch.pages:
            for page in pages[first : first + count]:
                writer.add_page(page)
            if count % 2:
                writer.add_blank_page()
            first += count
    out = io.BytesIO()
    writer.write(out)
    _write(target, out.getvalue())
