"""Independent oracles: brute-force numpy computations that share no code with ``solvers``.

Sizes come from running the operation on real arrays and reading the result's shape;
windows are enumerated one by one ("does the next window still fit?"), never by the output
size formula. Parameter counts are the sizes of the arrays a working forward pass uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def window_starts(length: int, extent: int, stride: int, ceil: bool, left_pad: int, size: int):
    """Window starts over a padded axis of ``length``: floor keeps windows that fit; ceil
    also keeps a last partial window while the previous one left elements uncovered, but
    (PyTorch's rule) never one that starts in the right padding."""
    starts = []
    start = 0
    while True:
        fits = start + extent <= length
        previous_short = starts and starts[-1] + extent < length
        if fits or (ceil and (not starts or previous_short) and start < left_pad + size):
            starts.append(start)
            start += stride
        else:
            return starts


def conv2d(
    x, weights, bias, stride=(1, 1), pad=((0, 0), (0, 0)), dilation=(1, 1), ceil=False, groups=1
):
    """x: (C, H, W); weights: list of one (O/g, C/g, kh, kw) array per group."""
    c, h, w = x.shape
    xp = np.pad(x, ((0, 0), pad[0], pad[1]))
    kh, kw = weights[0].shape[2:]
    ext_h, ext_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    rows = window_starts(xp.shape[1], ext_h, stride[0], ceil, pad[0][0], h)
    cols = window_starts(xp.shape[2], ext_w, stride[1], ceil, pad[1][0], w)
    if ceil:  # a partial last window reads zeros past the edge
        xp = np.pad(xp, ((0, 0), (0, ext_h), (0, ext_w)))
    per_group = c // groups
    outputs = []
    for g, wg in enumerate(weights):
        xg = xp[g * per_group : (g + 1) * per_group]
        out = np.zeros((wg.shape[0], len(rows), len(cols)))
        for a, r in enumerate(rows):
            for b, q in enumerate(cols):
                patch = xg[:, r : r + ext_h : dilation[0], q : q + ext_w : dilation[1]]
                out[:, a, b] = np.tensordot(wg, patch, axes=([1, 2, 3], [0, 1, 2]))
        outputs.append(out)
    result = np.concatenate(outputs)
    if bias is not None:
        result += bias[:, None, None]
    return result


def pool2d(x, k, stride, pad=0, ceil=False, mode="max"):
    """Pooling over (C, H, W); windows may hang over the padded edge only in ceil mode."""
    c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)), constant_values=fill)
    rows = window_starts(xp.shape[1], k, stride, ceil, pad, h)
    cols = window_starts(xp.shape[2], k, stride, ceil, pad, w)
    out = np.zeros((c, len(rows), len(cols)))
    for a, r in enumerate(rows):
        for b, q in enumerate(cols):
            window = xp[:, r : r + k, q : q + k]
            out[:, a, b] = window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))
    return out


def conv_transpose1d_length(size, k, stride, pad, dilation, output_padding):
    """Scatter each input element's kernel into the output, then crop the padding."""
    x = np.random.default_rng(0).random(size) + 0.5
    kernel = np.ones(k)
    span = 0
    for a in range(size):
        span = max(span, a * stride + dilation * (k - 1) + 1)
    full = np.zeros(span + output_padding)
    for a in range(size):
        for t in range(k):
            full[a * stride + dilation * t] += x[a] * kernel[t]
    cropped = full[pad : len(full) - pad] if pad else full
    return cropped.shape[0]


@dataclass
class Net:
    """A tiny framework: layers hold real parameter arrays and run forward on (C, H, W)."""

    layers: list

    def forward(self, x):
        shapes = []
        for layer in self.layers:
            x = layer.forward(x)
            shapes.append(tuple(x.shape))
        return x, shapes

    def param_counts(self):
        return [sum(a.size for a in layer.arrays()) for layer in self.layers]


class ConvLayer:
    def __init__(self, c_in, n, k, s=1, pad=((0, 0), (0, 0)), d=1, g=1, bias=True, rng=None):
        rng = rng or np.random.default_rng(0)
        self.weights = [rng.standard_normal((n // g, c_in // g, k, k)) for _ in range(g)]
        self.bias = rng.standard_normal(n) if bias else None
        self.s, self.pad, self.d, self.g = s, pad, d, g

    def forward(self, x):
        return conv2d(
            x, self.weights, self.bias, (self.s, self.s), self.pad, (self.d, self.d), groups=self.g
        )

    def arrays(self):
        return self.weights + ([self.bias] if self.bias is not None else [])


class PoolLayer:
    def __init__(self, k, s, p=0, mode="max"):
        self.k, self.s, self.p, self.mode = k, s, p, mode

    def forward(self, x):
        return pool2d(x, self.k, self.s, self.p, mode=self.mode)

    def arrays(self):
        return []


class FCLayer:
    def __init__(self, n_in, n, bias=True, rng=None):
        rng = rng or np.random.default_rng(0)
        self.w = rng.standard_normal((n, n_in))
        self.b = rng.standard_normal(n) if bias else None

    def forward(self, x):
        y = self.w @ x.reshape(-1)
        return y + self.b if self.b is not None else y

    def arrays(self):
        return [self.w] + ([self.b] if self.b is not None else [])


class BatchNormLayer:
    def __init__(self, channels):
        self.gamma, self.beta = np.ones(channels), np.zeros(channels)

    def forward(self, x):
        axes = tuple(range(1, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        std = x.std(axis=axes, keepdims=True) + 1e-5
        shape = (-1,) + (1,) * (x.ndim - 1)
        return self.gamma.reshape(shape) * (x - mean) / std + self.beta.reshape(shape)

    def arrays(self):
        return [self.gamma, self.beta]


class ReLULayer:
    def forward(self, x):
        return np.maximum(x, 0)

    def arrays(self):
        return []


class FlattenLayer:
    def forward(self, x):
        return x.reshape(-1)

    def arrays(self):
        return []


def receptive_field_1d(windows, length=400):
    """Receptive field and effective stride measured by perturbation.

    ``windows`` is a list of (kind, k, s, d) with kind "conv" or "maxpool". The signal and
    kernels are positive, so a large bump at one input position changes exactly the outputs
    whose field contains it, through max pooling too. Every input position is bumped at
    once, one per row of a batch.
    """
    rng = np.random.default_rng(1)
    base = rng.random(length) + 1.0
    batch = np.tile(base, (length + 1, 1))
    batch[np.arange(length), np.arange(length)] += 1e6  # last row stays unperturbed
    x = batch
    for kind, k, s, d in windows:
        ext = d * (k - 1) + 1
        starts = range(0, x.shape[1] - ext + 1, s)
        if kind == "conv":
            kernel = rng.random(k) + 0.5
            x = np.stack([x[:, a : a + ext : d] @ kernel for a in starts], axis=1)
        else:
            x = np.stack([x[:, a : a + ext : d].max(axis=1) for a in starts], axis=1)
    changed = x[:-1] != x[-1]  # (input position, output unit)
    middle = x.shape[1] // 2
    seen = np.flatnonzero(changed[:, middle])
    next_seen = np.flatnonzero(changed[:, middle + 1])
    return int(seen.max() - seen.min() + 1), int(next_seen.min() - seen.min())
