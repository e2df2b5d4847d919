"""Record max-pooling output sizes from PyTorch with ceil_mode=True.

Run in an environment with torch installed (it is not a dependency of examgen or its
tests): ``python tests/data/record_torch_sizes.py > tests/data/torch_pool_ceil_sizes.json``.
Each row is [input, kernel, stride, padding, dilation, output length].
"""

import itertools
import json

import torch
import torch.nn.functional as F

rows = []
for i, k, s, p, d in itertools.product(range(1, 17), range(1, 6), range(1, 5), range(3), (1, 2)):
    if 2 * p > k or i + 2 * p < d * (k - 1) + 1:
        continue  # PyTorch refuses these; examgen refuses them too
    x = torch.zeros(1, 1, i)
    out = F.max_pool1d(x, kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=True)
    rows.append([i, k, s, p, d, out.shape[-1]])
print(json.dumps(rows, separators=(",", ":")))
