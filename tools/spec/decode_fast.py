#!/usr/bin/env python3
"""Independent decoder for brainwire containers holding a `fast` stream (profile 5, 6 or 8) or a `swift` one (9).

Written from crates/brainwire-core/FORMAT.md (range coder, max's analog axis,
the fast section) and the container's FORMAT.md (through decode_lite.py's
container reader), not from the Rust source; only the generated constants
are read from src/fast/priors.bin (its layout: FORMAT.md, the fast section). A check that the format documents are
complete. Slow (pure Python, ~100k samples in tens of seconds).

usage: decode_fast.py IN.bw OUT.wav   (exit 0: decoded; exit 3: refused)
"""
import os, struct, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decode_lite as dl
from decode_lite import Refuse, Lattice

PRIORS_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'crates', 'brainwire-core', 'src', 'fast', 'priors.bin')
M32 = (1 << 32) - 1

def differences(coded, order, n):
    """Values stored as their order-th differences (wrapping u32), each a
    zigzag LEB128 varint, missing trailing ones 0."""
    pos, sums, out = 0, [0] * order, []
    for _ in range(n):
        v, shift = 0, 0
        while pos < len(coded):
            b = coded[pos]; pos += 1
            v |= (b & 127) << shift; shift += 7
            if b < 128:
                break
        d = ((v >> 1) ^ -(v & 1)) & M32
        for i in reversed(range(order)):
            sums[i] = (sums[i] + d) & M32
            d = sums[i]
        out.append(d)
    return out

def load_priors():
    """priors.bin, little-endian: 1024 code widths (bytes), 16 i32 weights,
    u16 steps per sigma (64), u16 CDF length, the difference order (a byte),
    then the CDF's packed differences to the end."""
    b = open(PRIORS_BIN, 'rb').read()
    widths = list(b[:1024])
    weights = list(struct.unpack('<16i', b[1024:1088]))
    steps, n = struct.unpack('<HH', b[1088:1092])
    assert steps == 64, 'steps per sigma'
    phi = differences(b[1093:], b[1092], n)
    return widths, phi, weights

def wrap32(x):
    x &= M32
    return x - (1 << 32) if x >> 31 else x

def isqrt(v):
    lo, hi = 0, 1 << 32
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid * mid <= v: lo = mid
        else: hi = mid
    return lo

class RangeDecoder:
    def __init__(self, data):
        self.data, self.pos, self.overrun = data, 0, 0
        self.range = M32
        self.code = 0
        for _ in range(4):
            self.code = (self.code << 8) | self.byte()
    def byte(self):
        if self.pos < len(self.data):
            b = self.data[self.pos]; self.pos += 1
            return b
        self.overrun += 1
        return 0
    def target(self, total):
        t = self.code // (self.range // total)
        if t >= total:
            raise Refuse('target outside its total')
        return t
    def consume(self, cum, freq, total):
        r = self.range // total
        self.code = (self.code - r * cum) & M32
        self.range = r * freq
        while self.range < 1 << 24:
            self.range = (self.range << 8) & M32
            self.code = ((self.code << 8) | self.byte()) & M32
    def check_end(self):
        if self.overrun or self.pos != len(self.data) or self.code != 0:
            raise Refuse('stream does not end where the encoder ended it')
    def bits(self, k):
        v = self.target(1 << k)
        self.consume(v, 1, 1 << k)
        return v

class LearnedAxis:
    """Profile 8's analog axis: code widths learned from the codes coded
    (FORMAT.md, "Fast profile payload with learned code widths")."""
    W, K, A = 1024, 8, 16
    CURVED = [825, 660, 415, 135, -117, -260, -195, 195]
    CURVED_SUM = 3316

    def __init__(self, N):
        self.N = N
        S = 2 * sum(c * c for c in self.CURVED)
        self.noise = 256 + (256 * S + self.CURVED_SUM ** 2 // 2) // self.CURVED_SUM ** 2
        self.base = min(max(N // 2 - 512, 0), N - self.W)
        self.count = [0] * self.W
        self.total = 0
        self.edge = [128 * (self.base + j) for j in range(self.W + 1)]
        self.mid = [e + 64 for e in self.edge[:self.W]]
        self.above = 0

    def E(self, c):
        j = c - self.base
        if 0 <= j <= self.W:
            return self.edge[j]
        return 128 * c if c < self.base else 128 * c + self.above

    def M(self, c):
        j = c - self.base
        if 0 <= j < self.W:
            return self.mid[j]
        return 128 * c + 64 if c < self.base else 128 * c + 64 + self.above

    def learn(self, c, n, mean):
        W = self.W
        if 0 <= c - self.base < W:
            self.count[c - self.base] += 1
            self.total += 1
        if n not in (256, 512, 1024, 2048) and n % 4096 != 0:
            return
        # 1. Move the window to the running mean's code.
        base = min(max((mean >> 12) - 512, 0), self.N - W)
        d = base - self.base
        self.count = [self.count[j + d] if 0 <= j + d < W else 0 for j in range(W)]
        self.base = base
        self.total = sum(self.count)
        # 2. Halve.
        if self.total >= 1 << 22:
            self.count = [k >> 1 for k in self.count]
            self.total = sum(self.count)
        cnt = self.count
        # 3. The signal share.
        chi, codes = 0, 0
        for j in range(self.K, W - self.K):
            D = max(0, sum(self.CURVED[d - 1] * (cnt[j - d] + cnt[j + d]) for d in range(1, 9)))
            if D < 8 * self.CURVED_SUM:
                continue
            dev = cnt[j] * self.CURVED_SUM - D
            chi += min(((dev * dev) << 8) // (D * self.CURVED_SUM), 16 << 8)
            codes += 1
        sh = 0 if codes == 0 else max(0, 256 - (256 * self.noise) // max(chi // codes, 1))
        # 4, 5. Widths and edges.
        e = 128 * base
        for j in range(W):
            T = V = 0
            for d in range(1, 9):
                for i in (j - d, j + d):
                    if 0 <= i < W:
                        T += (9 - d) * cnt[i]
                        V += 9 - d
            den = T + self.A * V
            r = ((cnt[j] + self.A) * V * 64 + den // 2) // den
            w = min(max((max(64 * 256 + sh * r - sh * 64, 0) + 128) >> 8, 16), 256)
            self.edge[j] = e
            self.mid[j] = e + w
            e += 2 * w
        self.edge[W] = e
        self.above = e - 128 * (base + W)

def setup(lat, learned):
    """The analog axis (E, M) and the tables built at start (the fast section)."""
    widths, phi, weights0 = load_priors()
    N = lat.N
    axis = None
    if learned:
        axis = LearnedAxis(N)
        E, M = axis.E, axis.M
    elif N == 1024:
        S = [0]
        for w in widths:
            S.append(S[-1] + w)
        E = lambda c: 2 * S[c]
        M = lambda c: 2 * S[c] + widths[c]
    else:
        E = lambda c: 128 * c
        M = lambda c: 128 * c + 64
    fine = []
    for k in range(16384):
        z = (k - 8192) * 4
        a = abs(z); j = a >> 6
        v = 1 << 31 if j >= 512 else phi[j] + (((phi[j + 1] - phi[j]) * (a & 63)) >> 6)
        fine.append(v if z >= 0 else (1 << 31) - v)
    rows = []
    for q in range(656):
        B, n = (q >> 4) + 10, q & 15
        s = max(isqrt((2 * (16 + n) + 1) << (B - 5)), 32)
        half = min(6 * s // 128 + 2, 2048)
        rows.append(((1 << 40) // s, half, (1 << 16) - 2 - (2 * half + 1)))
    recip = [(1 << 31) // (128 + j) for j in range(128)]
    return E, M, fine, rows, recip, axis, weights0

def code_sample(rc, lat, E, M, fine, P, row):
    """Decodes one sample from prediction P (Q4) and scale row: (code, value, m)."""
    N = lat.N
    inv_s, half, spare = row
    i, f = P >> 4, P & 15
    m = M(i) + (((M(i + 1) - M(i)) * f) >> 4) if i + 1 < N else M(i)
    lo, hi = max(i - half, 0), min(i + half, N - 1)
    def cum(c):
        if c <= lo:
            return 0
        C = 1 << 31 if c == N else fine[min(max((((E(c) - m) * inv_s) >> 30) + 8192, 0), 16383)]
        return ((C * spare) >> 31) + (c - lo)
    t = rc.target(1 << 16)
    if t < (1 << 16) - 2:
        if t >= cum(hi + 1):
            raise Refuse('target beyond the window')
        a, bb = lo, hi + 1          # cum(a) <= t < cum(bb)
        while bb - a > 1:
            mid = (a + bb) // 2
            if cum(mid) <= t: a = mid
            else: bb = mid
        c = a
        ca = cum(c)
        rc.consume(ca, cum(c + 1) - ca, 1 << 16)
        value = lat.value(c)
    else:
        rc.consume((1 << 16) - 2, 2, 1 << 16)
        t = rc.target(4096)
        if t < 2048:
            rc.consume(0, 2048, 4096)
            value = rc.bits(16)
            value = value - 65536 if value >= 32768 else value
            if lat.code_of(value) is not None:
                raise Refuse('escaped value on the lattice')
            c = lat.nearest(value)
        else:
            rc.consume(2048, 2048, 4096)
            c = rc.bits(10 if N == 1024 else 16)
            if c >= N or lo <= c <= hi:
                raise Refuse('escaped code inside the window')
            value = lat.value(c)
    if rc.overrun:
        raise Refuse('stream cut')
    return c, value, m

def bucket_of(v):
    v = max(v, 1024)
    b = v.bit_length() - 1
    return ((b - 10) << 4) | ((v >> (b - 4)) & 15)

def decode_fast(payload, lat, nsamples, level=False, learned=False):
    E, M, fine, rows, recip, axis, weights0 = setup(lat, learned)
    N = lat.N
    rc = RangeDecoder(payload)
    last, w, h, power, pd = (N // 2) * 16, list(weights0), [0] * 16, 0, 0
    var_fast = var_slow = 6553600
    seen = 0
    # Version 6's level term.
    mean, wl, lp, lv = last << 8, 0, 0, 0
    out = []
    for _ in range(nsamples):
        # Predict.
        pd = wrap32(sum(wrap32(a * b) for a, b in zip(w, h))) >> 12
        if level:
            lv = ((last << 8) - mean) >> 8
            pd += (wl * lv) >> 16
        P = min(max(last + pd, 0), (N - 1) * 16)
        # Code.
        c, value, m = code_sample(rc, lat, E, M, fine, P, rows[bucket_of((var_fast + 3 * var_slow) >> 6)])
        out.append(value)
        # Learn: the scale, then the predictor.
        e = M(c) - m
        e2 = (e * e) << 4
        var_fast += (e2 - var_fast) >> 4
        var_slow += (e2 - var_slow) >> min((seen + 2).bit_length() - 1, 10)
        seen = min(seen + 1, (1 << 32) - 1)
        x = 16 * c
        d = min(max((x - last) >> 4, -4095), 4095)
        err = min(max((x - last) - pd, -(1 << 16)), 1 << 16)
        norm = power + 17
        nb = norm.bit_length() - 1
        g = (err * recip[((norm << 7) >> nb) & 127]) >> (nb + 7)
        if seen % 4 == 0:
            w = [wrap32(wk + (wrap32(wrap32(g * hk) + (1 << 12)) >> 13)) for wk, hk in zip(w, h)]
        power += d * d - h[15] * h[15]
        h = [d] + h[:15]
        last = x
        if level:
            lp += (lv * lv - lp) >> 6
            norm = lp + 256
            nb = norm.bit_length() - 1
            step = (err * lv * recip[((norm << 7) >> nb) & 127]) >> (nb + 16)
            wl = min(max(wl + step, -65536), 0)
            mean += ((x << 8) - mean) >> 8
        if axis is not None:
            axis.learn(c, seen, mean)
    rc.check_end()
    return out

def decode_swift(payload, lat, nsamples):
    """Profile 9 (FORMAT.md, "Swift profile payload")."""
    E, M, fine, rows, _, _, _ = setup(lat, False)
    N, Cn = lat.N, lat.N // 2
    rc = RangeDecoder(payload)
    out, x, left = [], None, 0
    coef, sh, mean, q = [0] * 16, 4, 0, 0
    for _ in range(nsamples):
        if left == 0:
            order = rc.bits(5)
            if order > 16:
                raise Refuse('predictor order above 16')
            coef, sh = [0] * 16, 4
            if order > 0:
                sh = rc.bits(4) + 4
                for j in range(order):
                    v = rc.bits(16)
                    coef[j] = v - 65536 if v >= 32768 else v
            mean = rc.bits(10 if N == 1024 else 16)
            q = rc.bits(10)
            if mean >= N or q >= 656:
                raise Refuse('block header out of range')
            if x is None:
                x = [mean - Cn] * 16
            off = (mean - Cn) * sum(coef)
            left = 32768
        left -= 1
        acc = wrap32(sum(a * b for a, b in zip(coef, x)))
        P = min(max(16 * mean + ((acc - off) >> (sh - 4)), 0), (N - 1) * 16)
        c, value, _ = code_sample(rc, lat, E, M, fine, P, rows[q])
        out.append(value)
        x = [c - Cn] + x[:15]
    rc.check_end()
    return out

def decode_stream(stream, nsamples):
    if len(stream) < 2:
        raise Refuse('stream too short')
    if stream[0] == 9:
        return decode_swift(stream[2:], Lattice(stream[1]), nsamples)
    if stream[0] not in (5, 6, 8):
        raise Refuse('profile %d not supported by this decoder' % stream[0])
    return decode_fast(stream[2:], Lattice(stream[1]), nsamples, level=stream[0] in (6, 8), learned=stream[0] == 8)

if __name__ == '__main__':
    dl.decode_stream = decode_stream
    data = open(sys.argv[1], 'rb').read()
    try:
        out = dl.decode_container(data)
    except Refuse as e:
        sys.stderr.write('decode_fast: refused: %s\n' % e)
        sys.exit(3)
    open(sys.argv[2], 'wb').write(out)
