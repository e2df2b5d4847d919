"""Scaled dot-product attention, softmax(QKᵀ/√d) V, row by row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Attention:
    scores: np.ndarray  # QKᵀ/√d, (n_queries, n_keys)
    weights: np.ndarray  # softmax of each row
    output: np.ndarray  # weights V, (n_queries, d_v)


def attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> Attention:
    if Q.shape[1] != K.shape[1] or K.shape[0] != V.shape[0]:
        raise ValueError("Q and K need the same width d; K and V the same number of rows")
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = shifted / shifted.sum(axis=1, keepdims=True)
    return Attention(scores, weights, weights @ V)
