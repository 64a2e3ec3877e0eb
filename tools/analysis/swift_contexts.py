"""Would per-block probability tables pay for swift? Counts, per block of
32768 samples of every 8th recording, the distinct Q4 predictions a block-
wise LPC-16 makes (the contexts a table keyed by prediction would need, the
code widths being irregular) and the window each would hold (2 * (6 sd + 2)
+ 1 codes, as fast's window), so the table entries a block would build.

usage: python3 tools/analysis/swift_contexts.py DATA_DIR   (numpy)
"""
import glob
import sys
import wave

import numpy as np

BLOCK = 32768
uniq, sig = [], []
for f in sorted(glob.glob(sys.argv[1] + '/*.wav'))[::8]:
    w = wave.open(f)
    c = (np.frombuffer(w.readframes(w.getnframes()), '<i2').astype(np.int64) + 32768) >> 6
    for s in range(0, len(c) - 1000, BLOCK):
        x = c[s:s + BLOCK].astype(float)
        n, d = len(x), x - x.mean()
        r = np.array([np.dot(d[l:], d[:n - l]) for l in range(17)])
        R = np.array([[r[abs(i - j)] for j in range(16)] for i in range(16)])
        a = np.linalg.solve(R + 1e-9 * np.eye(16), r[1:17])
        p = np.full(n, x.mean())
        for j in range(16):
            p[j + 1:] += a[j] * d[:n - 1 - j]
        uniq.append(len(np.unique(np.floor(16 * p).astype(int))))
        sig.append((x - p).std())
uniq, sig = np.array(uniq), np.array(sig)
window = 2 * (6 * sig + 2) + 1
print(f"{len(uniq)} blocks: distinct Q4 predictions per block median {np.median(uniq):.0f} (p90 {np.percentile(uniq, 90):.0f}, max {uniq.max()}); "
      f"residual sd median {np.median(sig):.2f} codes; window median {np.median(window):.0f} codes; "
      f"table entries per block median {np.median(uniq * window):.0f} ({np.median(uniq * window) / BLOCK:.2f} a sample)")
