"""Setting up the worker processes that generate and grade in parallel."""

from __future__ import annotations

import gc


def tune_collector() -> None:
    """A worker makes millions of short-lived objects and keeps few: freezing what it
    inherits and collecting cycles less often saves a seventh to a fifth of its time."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
