"""Writing a key's derived files again after key.json changed: a hand correction of a key,
or a question dropped by ``regrade``. Every variant's shard lays out its feedback pages, so
a class of 10,000 takes half a minute of rendering in one process; the shards are split
across the cores.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from generator.errors import OutputError
from generator.exam.manifest import is_fresh, read_key
from generator.exam_folder.files import index_json, shard
from generator.files.writing import write_file
from generator.processes import start_worker

CHUNK = 20  # shards per task
SERIAL_BELOW = 60  # fewer shards than this: starting workers costs more than it saves

# The key being refreshed, for the workers forked from the process that read it: a class's
# key.json runs to hundreds of megabytes, too much to send each one.
_KEY: dict[str, Any] = {}


def refresh_key_shards(
    key_file: Path, workers: int | None = None, manifest: dict[str, Any] | None = None
) -> None:
    """Write every variant's shard and then index.json again, each atomically, if key.json
    changed since index.json was written; the shards with ``workers`` processes (default:
    one per core) where the system can fork. ``manifest``: key.json, if the caller has
    read it already."""
    if is_fresh(key_file.parent / "index.json", key_file):
        return  # written last, after every shard
    try:
        (key_file.parent / "variants").mkdir(exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write {key_file.parent}: {error.strerror or error}") from None
    if manifest is None:
        manifest = read_key(key_file)
    count = len(manifest["variants"])
    spans = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    workers = min(workers or os.cpu_count() or 1, len(spans))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    _KEY.update(manifest=manifest, folder=key_file.parent)
    try:
        if workers <= 1 or count < SERIAL_BELOW or not can_fork:
            for span in spans:
                _write_shards(span)
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                workers, context, initializer=start_worker, initargs=(os.getpid(),)
            ) as pool:
                for _ in pool.map(_write_shards, spans):
                    pass  # a worker's OutputError is raised here
    finally:
        _KEY.clear()
    write_file(key_file.parent / "index.json", index_json(manifest).encode())


def _write_shards(span: tuple[int, int]) -> None:
    manifest, folder = _KEY["manifest"], _KEY["folder"]
    for variant in manifest["variants"][span[0] : span[1]]:
        name, data = shard(manifest, variant)
        write_file(folder / name, data)
