"""Keyed seeds and ids: each (student, question) draws from its own stream, and nothing a
student sees lets them compute the instructor's seed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

import numpy as np

# A slow derivation of the secret key means a guessed seed costs real time to test against a
# variant id printed on a sheet; instructors should still use long seeds (see docs/exam-spec.md).
_KDF_ROUNDS = 100_000


def new_seed() -> str:
    return secrets.token_hex(16)


@lru_cache(maxsize=64)
def secret_key(seed: str) -> bytes:
    """The key every id and stream of an exam derives from; slow on purpose, so cached."""
    return hashlib.pbkdf2_hmac("sha256", seed.encode(), b"examgen-secret-key", _KDF_ROUNDS)


def keyed_id(key: bytes, *parts: str, length: int = 10) -> str:
    message = "\x00".join(parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:length]


def question_rng(key: bytes, student_id: str, question_id: str) -> np.random.Generator:
    """A stream that depends only on the seed, the student and the question, so adding a
    student or a question never changes anyone else's variant."""
    digest = hmac.digest(key, f"rng\x00{student_id}\x00{question_id}".encode(), "sha256")
    words = np.frombuffer(digest, "<u4")  # eight 32-bit little-endian words
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(words)))
