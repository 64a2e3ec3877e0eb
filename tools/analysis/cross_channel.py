"""Finds the recordings of the challenge set that were made at the same time on
neighbouring electrodes, and estimates what a lag-0 cross-channel term would
save on them.

usage: python3 tools/analysis/cross_channel.py DATA_DIR     (needs numpy)

For each file: the residual of a 16-tap least-squares predictor on first
differences (a stand-in for the codec's NLMS). Pairs are ranked by the lag-0
correlation of their signals; for the pairs above 0.5 it prints the residual
correlation, the in-sample Gaussian bound -0.5*log2(1 - rho^2), and a causal
estimate: the second channel's residual minus c * the first's, with c from
all earlier 1024-sample blocks, the better direction of the two.
"""
import glob
import sys
import wave

import numpy as np

ORDER = 16
BLOCK = 1024
PAIR_THRESHOLD = 0.5


def read(path):
    with wave.open(path) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def residual(x):
    d = np.diff(x)
    a = np.stack([d[ORDER - k - 1 : len(d) - k - 1] for k in range(ORDER)], 1)
    y = d[ORDER:]
    w, *_ = np.linalg.lstsq(a, y, rcond=None)
    return np.concatenate([np.zeros(ORDER + 1), y - a @ w])


def correlation(m):
    m = m - m.mean(1, keepdims=True)
    m /= np.linalg.norm(m, axis=1, keepdims=True) + 1e-12
    c = m @ m.T
    np.fill_diagonal(c, 0)
    return c


def causal_saving(ra, rb):
    nb = len(ra) // BLOCK
    ra, rb = ra[: nb * BLOCK], rb[: nb * BLOCK]
    starts = np.arange(0, nb * BLOCK, BLOCK)
    sab = np.concatenate([[0], np.cumsum(np.add.reduceat(ra * rb, starts))[:-1]])
    saa = np.concatenate([[1e-9], np.cumsum(np.add.reduceat(ra * ra, starts))[:-1]])
    e = rb - np.repeat(sab / saa, BLOCK) * ra
    return 0.5 * np.log2(np.mean(rb**2) / np.mean(e**2))


def main():
    files = sorted(glob.glob(sys.argv[1] + "/*.wav"))
    signals = [read(f) for f in files]
    n = min(len(s) for s in signals)
    x = np.stack([s[:n] for s in signals])
    r = np.stack([residual(s) for s in x])
    cs, cr = correlation(x.copy()), correlation(r.copy())
    i, j = np.triu_indices(len(files), 1)
    ranked = [k for k in np.argsort(-np.abs(cs[i, j])) if abs(cs[i[k], j[k]]) > PAIR_THRESHOLD]
    name = lambda k: files[k].rsplit("/", 1)[-1][:8]
    print(f"{len(files)} files, {n} samples compared; {len(ranked)} pairs with |signal rho| > {PAIR_THRESHOLD}")
    print("pair               signal_rho residual_rho bound_bits causal_bits")
    saved = []
    for k in ranked:
        a, b = i[k], j[k]
        bound = -0.5 * np.log2(1 - cr[a, b] ** 2)
        causal = max(causal_saving(r[a], r[b]), causal_saving(r[b], r[a]))
        saved.append(causal)
        print(f"{name(a)} {name(b)}  {cs[a, b]:+.3f}     {cr[a, b]:+.3f}       {bound:.4f}     {causal:.4f}")
    saved = np.array(saved)
    print(
        f"causal saving on the predicted channel of a pair: mean {saved.mean():.4f}, median {np.median(saved):.4f}, "
        f"max {saved.max():.4f} bits/sample; pairs saving > 0.02: {(saved > 0.02).sum()} of {len(saved)}"
    )


if __name__ == "__main__":
    main()
