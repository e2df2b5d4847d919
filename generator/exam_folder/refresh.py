"""Writing a key's derived files again where they were not made from key.json as it is now:
after a hand correction of a key, a question dropped by ``regrade``, or an exam folder copied
with old grading keys in it. Every variant's shard lays out its feedback pages, so a class of
10,000 takes half a minute of rendering in one process: only the shards whose part of key.json
changed are written again (correcting one student's key writes one), split across the cores.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from generator.errors import BrokenKeyError, OutputError
from generator.exam.manifest import (
    MAX_KEY_BYTES,
    digests,
    layout_from_json,
    read_key,
    roster_entry,
    scanned_layout,
)
from generator.exam_folder.files import index_json, shard
from generator.files.reading import read_bytes
from generator.files.writing import write_file
from generator.grading.variant_key import shard_origin
from generator.processes import start_worker

CHUNK = 20  # shards per task
SERIAL_BELOW = 60  # fewer shards than this: starting workers costs more than it saves

# The key being refreshed, for the workers forked from the process that read it: a class's
# key.json runs to hundreds of megabytes, too much to send each one.
_KEY: dict[str, Any] = {}


def refresh_key_shards(
    key_file: Path, workers: int | None = None, manifest: dict[str, Any] | None = None
) -> None:
    """Write again, each atomically, every variant's shard that is not that variant's, made
    from key.json's bytes as they are now (a missing or damaged one too), then index.json if
    it was made from other bytes; the shards with ``workers`` processes (default: one per
    core) where the system can fork. ``manifest``: key.json, if the caller has read it."""
    if manifest is None:
        manifest = read_key(key_file)
    try:
        data = read_bytes(key_file, MAX_KEY_BYTES)
    except OSError as error:
        raise BrokenKeyError(str(key_file), f"cannot read: {error.strerror or error}") from None
    key_sha256 = hashlib.sha256(data).hexdigest()
    index_file = key_file.parent / "index.json"
    layout = _recorded_layout(index_file, key_sha256, manifest)
    index_is_current = layout is not None
    if layout is None:
        layout = scanned_layout(data)
    if layout is None or len(layout.variants) != len(manifest["variants"]):
        # read_key read it as a key: examgen's own bug if its layout cannot be found
        raise BrokenKeyError(str(key_file), "cannot find where each variant lies in it")
    try:
        (key_file.parent / "variants").mkdir(exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot write {key_file.parent}: {error.strerror or error}") from None
    count = len(manifest["variants"])
    spans = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    workers = min(workers or os.cpu_count() or 1, len(spans))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    _KEY.update(manifest=manifest, folder=key_file.parent, digests=digests(data, layout))
    del data  # a class's key: the workers need only the digests
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
    if not index_is_current:
        write_file(index_file, index_json(manifest, key_sha256, layout).encode())


def _recorded_layout(index_file: Path, key_sha256: str, manifest: dict[str, Any]) -> Any:
    """The layout index.json records when it was made from the key.json whose digest is
    ``key_sha256`` and holds its header and roster; None otherwise (an index.json edited by
    hand is written again)."""
    try:
        index = read_key(index_file, roster_only=True)
    except BrokenKeyError:
        return None
    if index.get("key_sha256") != key_sha256:
        return None
    roster = [roster_entry(variant) for variant in manifest["variants"]]
    recorded = {name: value for name, value in index.items() if name not in _NOT_HEADER}
    header = {name: value for name, value in manifest.items() if name != "variants"}
    if recorded != header or index["variants"] != roster:
        return None
    return layout_from_json(index.get("key_layout"), len(roster))


_NOT_HEADER = ("key_sha256", "key_layout", "variants")


def _write_shards(span: tuple[int, int]) -> None:
    manifest, folder, sources = _KEY["manifest"], _KEY["folder"], _KEY["digests"]
    for n in range(*span):
        variant = manifest["variants"][n]
        path = folder / "variants" / f"{variant['variant_id']}.zst"
        if shard_origin(path) != (variant["variant_id"], sources[n]):
            name, data = shard(manifest, variant, sources[n])
            write_file(folder / name, data)
