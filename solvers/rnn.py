"""Recurrent layers: their parameter counts in PyTorch's and Keras's conventions, and the
forward pass of a vanilla tanh RNN.

A layer of ``hidden`` units on inputs of size ``inputs`` has, per gate, an input matrix
(hidden × inputs), a recurrent matrix (hidden × hidden) and biases. A vanilla RNN has one
gate, a GRU three, an LSTM four. PyTorch keeps two bias vectors per gate (b_ih and b_hh);
Keras one, except for a GRU with ``reset_after=True``, Keras's default, which keeps an input
and a recurrent bias per gate as PyTorch does.
"""

from __future__ import annotations

import numpy as np

GATES = {"rnn": 1, "gru": 3, "lstm": 4}
BIASES = {"pytorch": 2, "keras": 1}


def bias_vectors(cell: str, convention: str, reset_after: bool = True) -> int:
    """Bias vectors per gate: two in PyTorch and in Keras's GRU with ``reset_after``."""
    if convention == "keras" and cell == "gru" and reset_after:
        return 2
    return BIASES[convention]


def rnn_param_counts(
    cell: str, inputs: int, hidden: int, convention: str, reset_after: bool = True
) -> dict[str, int]:
    """The layer's weights and biases; ``reset_after`` matters for a Keras GRU only."""
    gates = GATES[cell]
    input_weights = gates * hidden * inputs
    recurrent_weights = gates * hidden * hidden
    biases = bias_vectors(cell, convention, reset_after) * gates * hidden
    return {
        "input_weights": input_weights,
        "recurrent_weights": recurrent_weights,
        "biases": biases,
        "total": input_weights + recurrent_weights + biases,
    }


def rnn_steps(
    W_xh: np.ndarray, W_hh: np.ndarray, b: np.ndarray, h0: np.ndarray, xs: list[np.ndarray]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(a_t, h_t) for each step: a_t = W_xh x_t + W_hh h_{t−1} + b, h_t = tanh(a_t)."""
    steps, h = [], h0
    for x in xs:
        a = W_xh @ x + W_hh @ h + b
        h = np.tanh(a)
        steps.append((a, h))
    return steps
