#!/usr/bin/env python3
"""Independent decoder for brainwire containers holding a `lite` (profile 1) stream.

Written by a reviewer from crates/brainwire-core/FORMAT.md and
crates/brainwire-container/FORMAT.md alone, without reading the Rust source
(only the generated constant CODE_LENGTHS_CODED is parsed from
src/lite/tables.rs): a check that the format documents are complete. Slow
(pure Python, ~100k samples a few seconds); scripts/spec-check.sh runs it
against ./encode on synthetic recordings.

usage: decode_lite.py IN.bw OUT.wav   (exit 0: decoded; exit 3: refused)
"""
import re, struct, sys, bisect

import os

# The generated constant table is the only thing read from the Rust tree.
TABLES_RS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'crates', 'brainwire-core', 'src', 'lite', 'tables.rs')

class Refuse(Exception):
    pass

# ---------------------------------------------------------------- tables
def load_tables(path=TABLES_RS):
    txt = open(path).read()
    m = re.search(r'CODE_LENGTHS_CODED\s*:[^=]*=\s*\[(.*?)\];', txt, re.S)
    clc = [int(x, 0) for x in re.findall(r'0x[0-9a-fA-F]+|\d+', m.group(1))]
    return bytes(clc)

def canonical(lengths, maxlen=15):
    """DEFLATE canonical codes: returns {sym: (code, len)} for len>0."""
    count = [0] * (maxlen + 1)
    for l in lengths:
        if l:
            count[l] += 1
    count[0] = 0
    code = 0
    first = [0] * (maxlen + 1)
    for l in range(1, maxlen + 1):
        code = (code + count[l - 1]) << 1
        first[l] = code
    out = {}
    for s, l in enumerate(lengths):
        if l:
            out[s] = (first[l], l)
            first[l] += 1
    return out

class BitReader:
    def __init__(self, data):
        self.data = data
        self.nbits = len(data) * 8
        self.big = int.from_bytes(data, 'big') if data else 0
        self.pos = 0
    def peek(self, n):
        # bits past the end read as 0
        end = self.pos + n
        if end <= self.nbits:
            return (self.big >> (self.nbits - end)) & ((1 << n) - 1)
        avail = self.nbits - self.pos
        if avail <= 0:
            return 0
        v = self.big & ((1 << avail) - 1)
        return v << (n - avail)
    def read(self, n):
        v = self.peek(n)
        self.pos += n
        return v

def build_lengths(clc):
    """The 192 x 96 code lengths (FORMAT.md, Code lengths)."""
    rd = BitReader(clc)
    def eg0():
        n = 0
        while rd.read(1) == 0:
            n += 1
            if n > 15:
                raise Refuse('damaged length table')
        return ((1 << n) | rd.read(n)) - 1
    L = [[0] * 96 for _ in range(192)]
    for ctx in range(192):
        q = ctx % 16
        if q > 0:
            pred = [L[ctx - 1][sym + 1] if sym <= 93 else L[ctx - 1][sym] for sym in range(96)]
        elif ctx >= 16:
            pred = list(L[ctx - 16])
        else:
            pred = [8] * 96
        row = pred
        sym = 0
        while True:
            sym += eg0()
            if sym >= 96:
                break
            neg = rd.read(1)
            size = 1
            while rd.read(1) == 0:
                size += 1
            row[sym] = (row[sym] - size) % 16 if neg else (row[sym] + size) % 16
            sym += 1
        L[ctx] = row
    return L, rd

# ---------------------------------------------------------------- lattice
class Lattice:
    def __init__(self, lid):
        if lid == 0:
            self.N = 65536
            self.values = None
        elif lid == 1:
            self.N = 1024
            self.values = [(c * 65535 + (1022 if c < 512 else 0)) // 1023 - 32768 for c in range(1024)]
            self.index = {v: c for c, v in enumerate(self.values)}
        else:
            raise Refuse('unknown lattice %d' % lid)
    def value(self, c):
        return c - 32768 if self.values is None else self.values[c]
    def code_of(self, v):
        if self.values is None:
            return v + 32768
        return self.index.get(v)
    def nearest(self, v):
        if self.values is None:
            return v + 32768
        vals = self.values
        i = bisect.bisect_left(vals, v)
        if i == 0:
            return 0
        if i >= len(vals):
            return len(vals) - 1
        # vals[i-1] < v <= vals[i]
        dl, du = v - vals[i - 1], vals[i] - v
        if dl != du:
            return i - 1 if dl < du else i
        # Exact tie: FORMAT.md's rounded position on the 10-bit scale.
        return ((v + 32768) * 1023 + 32767) // 65535

# ---------------------------------------------------------------- lite payload
P16 = [4096, 4277, 4467, 4664, 4871, 5087, 5312, 5547, 5793, 6049, 6317, 6597, 6889, 7194, 7512, 7845]
def pw(k):
    return P16[k % 16] << (k // 16)

def make_state_update():
    thr = [None] + [pw(2 * j - 1) for j in range(1, 48)]
    def upd(state, a):
        m = (7 * pw(2 * state) + (a << 12)) >> 3
        j = 47
        while j > 0 and thr[j] > m:
            j -= 1
        return j
    return upd

_TABLES = None
def get_tables():
    global _TABLES
    if _TABLES is None:
        clc = load_tables()
        L, _ = build_lengths(clc)
        luts = [None] * 192
        _TABLES = (L, luts)
    return _TABLES

def ctx_lut(L, luts, ctx):
    t = luts[ctx]
    if t is None:
        t = [None] * 32768
        for s, (c, l) in canonical(L[ctx]).items():
            lo = c << (15 - l)
            hi = (c + 1) << (15 - l)
            e = (s, l)
            for k in range(lo, hi):
                t[k] = e
        luts[ctx] = t
    return t

def decode_lite(payload, lat, nsamples, endcheck=True, trace=None):
    L, luts = get_tables()
    N = lat.N
    br = BitReader(payload)
    upd = make_state_update()
    last = N // 2
    mean = ((N // 2) << 4) + 32
    state = 21
    out = []
    for _ in range(nsamples):
        p = (mean + 48 * last) >> 6
        ctx = (state // 4) * 16 + (p & 15)
        lut = luts[ctx] or ctx_lut(L, luts, ctx)
        e = lut[br.peek(15)]
        if e is None:
            raise Refuse('no codeword')
        sym, l = e
        br.pos += l
        if sym < 95:
            r = sym - 47
            c = p + r
            if not (0 <= c < N):
                raise Refuse('code out of range')
            v = lat.value(c)
        else:
            z = 0
            while br.read(1) == 0:
                z += 1
                if z > 15:
                    raise Refuse('escape with > 15 zeros')
            br.pos -= 1
            vv = br.read(z + 6)
            u = vv - 32
            if u == 0:
                pat = br.read(16)
                v = pat - 65536 if pat >= 32768 else pat
                if lat.code_of(v) is not None:
                    raise Refuse('off-lattice escape on lattice')
                c = lat.nearest(v)
            else:
                zz = u - 1
                r = zz // 2 if zz % 2 == 0 else -(u // 2)
                if abs(r) <= 47:
                    raise Refuse('escaped small residual')
                c = p + r
                if not (0 <= c < N):
                    raise Refuse('code out of range')
                v = lat.value(c)
        if br.pos > br.nbits:
            raise Refuse('sample runs past end of payload')
        out.append(v)
        if trace is not None: trace.append((p, ctx, state, c, br.pos, v))
        a = min(abs(c - p), 127)
        state = upd(state, a)
        mean = mean + (((c << 4) + 32 - mean) >> 3)
        last = c
    if not endcheck:
        return out
    unread = br.nbits - br.pos
    if unread >= 8 or (unread > 0 and br.peek(unread) != 0):
        raise Refuse('trailing bits after last sample')
    return out

def decode_stream(stream, nsamples):
    if len(stream) < 2:
        raise Refuse('stream too short')
    profile, lid = stream[0], stream[1]
    if profile != 1:
        raise Refuse('profile %d not supported by this decoder' % profile)
    lat = Lattice(lid)
    return decode_lite(stream[2:], lat, nsamples)

# ---------------------------------------------------------------- container
def crc32c(data):
    tab = crc32c.tab
    if tab is None:
        tab = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            tab.append(c)
        crc32c.tab = tab
    c = 0xFFFFFFFF
    for b in data:
        c = tab[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF
crc32c.tab = None

def read_varint(buf, pos):
    v = 0
    shift = 0
    start = pos
    while True:
        if pos >= len(buf):
            raise Refuse('truncated')
        b = buf[pos]; pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
        if pos - start >= 10:
            raise Refuse('damaged header (varint too long)')
    if pos - start > 1 and buf[pos - 1] == 0:
        raise Refuse('damaged header (overlong varint)')
    if v >= 1 << 64:
        raise Refuse('damaged header (varint overflow)')
    return v, pos

def decode_container(f):
    if len(f) < 2 or f[:2] != b'BW':
        raise Refuse('not a brainwire file')
    if len(f) < 8:
        raise Refuse('truncated')
    if f[2] != 1:
        raise Refuse('version')
    kind = f[3]
    crc = struct.unpack_from('<I', f, 4)[0]
    if kind == 0:
        orig = f[8:]
    elif kind == 1:
        pos = 8
        if pos >= len(f):
            raise Refuse('truncated')
        mode = f[pos]; pos += 1
        if mode == 0:
            rate, pos = read_varint(f, pos)
            if rate >= 1 << 32:
                raise Refuse('damaged header')
            prefix = None
        elif mode == 1:
            plen, pos = read_varint(f, pos)
            if pos + plen > len(f):
                raise Refuse('truncated')
            prefix = f[pos:pos + plen]; pos += plen
        else:
            raise Refuse('header mode')
        n, pos = read_varint(f, pos)
        tlen, pos = read_varint(f, pos)
        if pos + tlen > len(f):
            raise Refuse('truncated')
        trailer = f[pos:pos + tlen]; pos += tlen
        if pos + 4 > len(f):
            raise Refuse('truncated')
        hcrc = struct.unpack_from('<I', f, pos)[0]
        if crc32c(f[:pos]) != hcrc:
            raise Refuse('header damaged')
        pos += 4
        stream = f[pos:]
        if n > (len(stream) << 19):
            raise Refuse('truncated')
        if prefix is None:
            D = 2 * n
            if D >= (1 << 32) - 36 or 2 * rate >= 1 << 32:
                raise Refuse('damaged')
            prefix = (b'RIFF' + struct.pack('<I', 36 + D) + b'WAVEfmt ' +
                      struct.pack('<IHHIIHH', 16, 1, 1, rate, 2 * rate, 2, 16) +
                      b'data' + struct.pack('<I', D))
        samples = decode_stream(stream, n)
        orig = prefix + struct.pack('<%dh' % n, *samples) + trailer
    else:
        raise Refuse('unknown kind')
    if crc32c(orig) != crc:
        raise Refuse('CRC mismatch')
    return orig

if __name__ == '__main__':
    data = open(sys.argv[1], 'rb').read()
    try:
        out = decode_container(data)
    except Refuse as e:
        sys.stderr.write('decode_lite: refused: %s\n' % e)
        sys.exit(3)
    open(sys.argv[2], 'wb').write(out)
