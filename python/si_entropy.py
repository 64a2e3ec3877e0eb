"""How far below its own entropy would a codec have to go on bench.py's si-384 array?

SpikeInterface's ground-truth generator (bench.py's si_recording: 384 channels,
30 kHz, noise level 12 uV, 40 units) writes near-white Gaussian noise with
sparse spikes. This prints, per channel and averaged, the order-0 (memoryless)
entropy of the int16 samples, the Gaussian entropy of their standard deviation,
and the lag-1 correlation: the bound a codec that models each sample alone can
reach, and how little prediction can add to it.

usage: python python/si_entropy.py [SECONDS]   (in the bench venv; default 2 s, as bench.py)
"""
import sys

import numpy as np

import bench

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
x = bench.si_recording(384, seconds).astype(np.int64)
h0 = []
for c in range(x.shape[1]):
    _, counts = np.unique(x[:, c], return_counts=True)
    p = counts / counts.sum()
    h0.append(-(p * np.log2(p)).sum())
h0 = float(np.mean(h0))
hg = float(np.mean(np.log2(x.std(axis=0) * np.sqrt(2 * np.pi * np.e))))
r1 = float(np.mean([np.corrcoef(x[1:, c], x[:-1, c])[0, 1] for c in range(x.shape[1])]))
print(f"si-384, {x.shape[0]} frames: order-0 entropy {h0:.4f} bits/sample (ratio {16 / h0:.4f}), "
      f"Gaussian entropy of the sd {hg:.4f} ({16 / hg:.4f}), mean lag-1 correlation {r1:.4f} "
      f"(at most {-0.5 * np.log2(1 - r1 * r1):.4f} bits/sample from a one-tap predictor)")
