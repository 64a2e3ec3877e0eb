#!/usr/bin/env python3
"""Compares brainwire with the numcodecs codecs neuro-engineers use, on the
same arrays, chunked as zarr stores them (1 s x all channels), single thread.

    python python/bench.py [--data ../shared/data.zip] [--seconds 2] [--repeat 3]

Arrays:
  real32-train / real32-heldout: 32 challenge recordings side by side as 32
      channels (train = sorted file index % 4 != 0, held-out = % 4 == 0);
  codes-x12 / codes-x3: the held-out recordings' 10-bit ADC codes times 12
      and times 3 (amplifiers whose LSB is not 1), centred on zero;
  si-384: a SpikeInterface ground-truth recording, 384 channels, int16 codes
      at 2.34 uV per code (Neuropixels-like).
Each codec encodes every chunk, then decodes every chunk; each round trip is
checked exact. MB/s is raw megabytes (10^6 bytes) per second of wall time,
the median of --repeat runs. A codec that fails or is not installed says so.
Install the codecs with `pip install -r python/requirements-bench.txt`.
"""

from __future__ import annotations

import argparse
import io
import os
import pathlib
import statistics
import time
import wave
import zipfile

import numpy as np
from numcodecs.compat import ensure_ndarray

import brainwire_codec as bw
from brainwire_codec import _native

HERE = pathlib.Path(__file__).resolve().parent
CHALLENGE_RATE_HZ = 19531
CHANNELS = 32
UV_PER_CODE = 2.34
NEURALINK_CODES = 1024
FULL_SCALE = 65535


def recordings(path, held_out, count):
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".wav"))
        chosen = [n for i, n in enumerate(names) if (i % 4 == 0) == held_out][:count]
        out = []
        for name in chosen:
            with wave.open(io.BytesIO(z.read(name))) as w:
                out.append(np.frombuffer(w.readframes(w.getnframes()), "<i2"))
    frames = min(len(r) for r in out)
    return np.stack([r[:frames] for r in out], axis=1)


def neuralink_codes(x):
    """The 10-bit ADC code nearest each sample (the challenge's lattice)."""
    v = x.astype(np.int64) + 32768
    return np.rint(v * (NEURALINK_CODES - 1) / FULL_SCALE).astype(np.int64)


def si_recording(channels, seconds, seed=7):
    import spikeinterface.core as si
    import spikeinterface.preprocessing as spre

    rec = si.generate_ground_truth_recording(
        durations=[seconds], sampling_frequency=30000.0, num_channels=channels, num_units=40,
        seed=seed, noise_kwargs={"noise_levels": 12.0, "strategy": "on_the_fly"},
    )[0]
    return spre.scale(rec, gain=1 / UV_PER_CODE, dtype="int16").get_traces()


def arrays(args):
    out = []
    if args.data and pathlib.Path(args.data).is_file():
        train = recordings(args.data, False, CHANNELS)
        held = recordings(args.data, True, CHANNELS)
        codes = neuralink_codes(held) - NEURALINK_CODES // 2
        out += [
            ("real32-train", train, CHALLENGE_RATE_HZ),
            ("real32-heldout", held, CHALLENGE_RATE_HZ),
            ("codes-x12", (codes * 12).astype(np.int16), CHALLENGE_RATE_HZ),
            ("codes-x3", (codes * 3).astype(np.int16), CHALLENGE_RATE_HZ),
        ]
    else:
        print(f"no recordings at {args.data}: only the SpikeInterface array")
    try:
        out.append(("si-384", si_recording(384, args.seconds), 30000))
    except ImportError as e:
        print(f"si-384 skipped: spikeinterface not installed ({e})")
    return out


def codecs():
    """(name, codec or None, why not) for every codec the bench knows."""
    out = []
    for p in bw.profiles():
        out.append((f"brainwire-{p}", bw.Brainwire(profile=p, threads=1), None))
    try:
        from wavpack_numcodecs import WavPack

        for level in (1, 2, 3, 4):
            out.append((f"wavpack-{level}", WavPack(level=level, num_encoding_threads=1, num_decoding_threads=1), None))
    except Exception as e:  # noqa: BLE001 - any import failure means "not installed here"
        out.append(("wavpack-1..4", None, f"not installed ({type(e).__name__}: {e})"))
    try:
        from flac_numcodecs import Flac

        out.append(("flac-5", Flac(level=5), None))
    except Exception as e:  # noqa: BLE001
        out.append(("flac", None, f"not installed ({type(e).__name__}: {e})"))
    import numcodecs
    from numcodecs import Blosc

    numcodecs.blosc.set_nthreads(1)
    # SpikeInterface's default compressor.
    out.append(("blosc-zstd-5-bitshuffle", Blosc(cname="zstd", clevel=5, shuffle=Blosc.BITSHUFFLE), None))
    try:
        from numcodecs.pcodec import PCodec

        out.append(("pcodec-8", PCodec(level=8), None))
    except Exception as e:  # noqa: BLE001
        out.append(("pcodec", None, f"not installed ({type(e).__name__}: {e})"))
    return out


def chunked(x, frames):
    return [np.ascontiguousarray(x[i : i + frames]) for i in range(0, len(x), frames)]


def run(codec, chunks, repeat):
    """(compressed bytes, median encode s, median decode s), or raises."""
    enc_s, dec_s = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        encoded = [codec.encode(c) for c in chunks]
        enc_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        decoded = [codec.decode(e) for e in encoded]
        dec_s.append(time.perf_counter() - t)
    for c, d in zip(chunks, decoded):
        d = ensure_ndarray(d)  # some codecs decode to bytes
        if d.nbytes != c.nbytes or not np.array_equal(d.view(c.dtype).reshape(c.shape), c):
            raise ValueError("round trip is not exact")
    return sum(len(memoryview(e).cast("B")) for e in encoded), statistics.median(enc_s), statistics.median(dec_s)


def python_overhead(chunks, repeat):
    """Seconds per chunk that brainwire's Python layer adds around the Rust
    call (the Rust call replaced by one returning its earlier result), and the
    bare Rust call's seconds per chunk, for encode and decode, with the
    fastest profile (where a fixed cost weighs most). The Python part is
    microseconds, so machine load hardly moves it."""
    runs = max(repeat, 5)
    codec = bw.Brainwire(profile="lite", threads=1)
    streams = [codec.encode(c) for c in chunks]
    decoded = [_native.decode_interleaved(np.frombuffer(s, np.uint8), threads=1) for s in streams]

    def median(f):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        return statistics.median(times) / len(chunks)

    native_e = median(lambda: [_native.encode_interleaved(c, profile="lite", threads=1) for c in chunks])
    native_d = median(lambda: [_native.decode_interleaved(np.frombuffer(s, np.uint8), threads=1) for s in streams])
    real_encode, real_decode = _native.encode_interleaved, _native.decode_interleaved
    try:
        _native.encode_interleaved = lambda *a, **k: streams[0]
        python_e = median(lambda: [codec.encode(c) for c in chunks])
        it = iter(decoded * runs)
        _native.decode_interleaved = lambda *a, **k: next(it)
        python_d = median(lambda: [codec.decode(s) for s in streams])
    finally:
        _native.encode_interleaved, _native.decode_interleaved = real_encode, real_decode
    return python_e, native_e, python_d, native_d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("BRAINWIRE_DATA", str(HERE.parent.parent / "shared" / "data.zip")))
    ap.add_argument("--seconds", type=float, default=2.0, help="length of the SpikeInterface array")
    ap.add_argument("--repeat", type=int, default=3, help="runs per codec; the median time counts")
    ap.add_argument("--only", default="", help="comma-separated codec name prefixes")
    args = ap.parse_args()

    load = os.getloadavg()[0]
    print(f"brainwire-codec bench: {os.cpu_count()} cores, load average {load:.1f} (speeds are noisy when loaded)")
    all_codecs = codecs()
    for name, codec, why in all_codecs:
        if codec is None:
            print(f"  {name}: {why}")
    if args.only:
        prefixes = args.only.split(",")
        all_codecs = [c for c in all_codecs if any(c[0].startswith(p) for p in prefixes)]
    for label, x, rate in arrays(args):
        chunks = chunked(x, rate)
        print(f"\n{label}: {x.shape[0]} frames x {x.shape[1]} channels {x.dtype}, "
              f"{len(chunks)} chunks of {rate} frames, {x.nbytes / 1e6:.1f} MB")
        print(f"  {'codec':<26} {'ratio':>7} {'enc MB/s':>9} {'dec MB/s':>9}")
        for name, codec, _ in all_codecs:
            if codec is None:
                continue
            try:
                size, te, td = run(codec, chunks, args.repeat)
            except Exception as e:  # noqa: BLE001 - the table reports any failure
                msg = str(e).splitlines()[0] if str(e) else type(e).__name__
                print(f"  {name:<26} FAILED: {msg[:70]}")
                continue
            print(f"  {name:<26} {x.nbytes / size:7.3f} {x.nbytes / te / 1e6:9.1f} {x.nbytes / td / 1e6:9.1f}")
        pe, ne, pd, nd = python_overhead(chunks, args.repeat)
        print(f"  brainwire's Python layer per chunk (lite): encode {pe * 1e6:.0f} us = {pe / ne * 100:.2f} % "
              f"of the Rust call, decode {pd * 1e6:.0f} us = {pd / nd * 100:.2f} %")


if __name__ == "__main__":
    main()
