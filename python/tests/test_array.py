"""encode/decode round trips over dtypes, shapes, orders and edge cases."""

import numpy as np
import pytest
from conftest import synthetic

import brainwire_codec as bw

DTYPES = ["int8", "int16", "uint16", "int32"]


def roundtrip(x, **kw):
    stream = bw.encode(x, **kw)
    assert isinstance(stream, bytes)
    y = bw.decode(stream)
    assert y.dtype == x.dtype
    assert y.shape == x.shape
    np.testing.assert_array_equal(y, x)
    return stream, y


def with_dtype(x, dtype):
    info = np.iinfo(dtype)
    if dtype == "uint16":
        x = x.astype(np.int64) + 32768
    return np.clip(x, info.min, info.max).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5000,), (3000, 1), (2500, 7), (1, 384), (40001, 3)])
def test_dtypes_and_shapes(dtype, shape):
    frames = shape[0]
    channels = shape[1] if len(shape) == 2 else 1
    x = with_dtype(synthetic(frames, channels, "int32"), dtype).reshape(shape)
    roundtrip(x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_memory_order_is_kept(dtype):
    x = with_dtype(synthetic(3000, 5, "int32"), dtype)
    for a, f_order in [(x, False), (np.asfortranarray(x), True)]:
        _, y = roundtrip(a)
        assert y.flags.f_contiguous == f_order and y.flags.c_contiguous != f_order


def test_channel_axis_zero_is_channels_by_time():
    x = synthetic(4000, 6)
    cxt = np.ascontiguousarray(x.T)  # (channels, time), C order
    s0, y = roundtrip(cxt, channel_axis=0)
    assert y.flags.c_contiguous
    # The same samples coded either way are the same stream but for the layout metadata.
    s1, _ = roundtrip(x, channel_axis=1)
    assert len(s0) == len(s1)
    assert bw.read_info(s0)["channel_axis"] == 0
    # F-order (channels, time) is interleaved memory: coded without a copy, decoded as F.
    _, y = roundtrip(np.asfortranarray(cxt), channel_axis=0)
    assert y.flags.f_contiguous


def test_non_contiguous_and_big_endian():
    x = synthetic(6000, 8)
    roundtrip(x[::3, 1::2])
    roundtrip(x.astype(">i2"))
    roundtrip(x.astype(">i4"))
    roundtrip(np.asfortranarray(x.astype(">u2")))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0,), (0, 384), (10, 0), (0, 0), ()])
def test_empty_and_scalar(dtype, shape):
    x = np.zeros(shape, dtype=dtype)
    roundtrip(x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_frame_constant_extremes(dtype):
    info = np.iinfo(dtype)
    roundtrip(np.full((1, 384), info.min, dtype=dtype))
    roundtrip(np.full((1,), info.max, dtype=dtype))
    roundtrip(np.full((30000, 4), 7, dtype=dtype))
    alternating = np.where(np.arange(20000)[:, None] % 2 == 0, info.min, info.max) * np.ones((1, 3), int)
    roundtrip(alternating.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_incompressible(dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(1)
    x = rng.integers(info.min, info.max, size=(20000, 5), dtype=dtype, endpoint=True)
    stream, _ = roundtrip(x)
    # The container's escape keeps white noise near its raw size.
    assert len(stream) < x.nbytes * 1.05 + 4096


@pytest.mark.parametrize("profile", bw.profiles())
def test_every_profile(profile):
    x = synthetic(30000, 4)
    roundtrip(x, profile=profile)
    roundtrip(x[:1], profile=profile)


def test_profile_by_name_is_checked():
    with pytest.raises(ValueError, match="unknown brainwire profile"):
        bw.encode(np.zeros(10, "int16"), profile="zstd")


def test_lattices():
    codes = synthetic(20000, 4, "int16") // 4
    on_lattice = (codes * 12 + 3).astype("int16")
    for lattice in ["auto", "none", (12, 3), {"step": 12, "offset": 3}]:
        roundtrip(on_lattice, lattice=lattice)
    # A fixed lattice that the samples are not on never gives wrong samples.
    off = synthetic(5000, 2)
    try:
        y = bw.decode(bw.encode(off, lattice=(12, 3)))
    except bw.BrainwireError as e:
        assert str(e)
    else:
        np.testing.assert_array_equal(y, off)
    with pytest.raises(ValueError):
        bw.encode(off, lattice=(0, 0))
    with pytest.raises(ValueError):
        bw.encode(off, lattice="sometimes")


def test_options_that_must_not_change_the_bytes():
    x = synthetic(70000, 6)
    a = bw.encode(x, threads=1, chunk_frames=8192)
    assert bw.encode(x, threads=0, chunk_frames=8192) == a
    assert bw.encode(x, threads=2, chunk_frames=8192) == a
    roundtrip(x, chunk_frames=1)
    roundtrip(x, chunk_frames=10**7)
    roundtrip(x, checksum=False)
    roundtrip(x, rate_hz=30000.0)


def test_decode_accepts_any_buffer():
    x = synthetic(3000, 3)
    s = bw.encode(x)
    for buf in [s, bytearray(s), memoryview(s), np.frombuffer(s, np.uint8)]:
        np.testing.assert_array_equal(bw.decode(buf), x)


def test_read_info():
    x = np.asfortranarray(synthetic(3000, 3, "int32"))
    info = bw.read_info(bw.encode(x, rate_hz=30000.0))
    assert info["dtype"] == np.dtype("int32")
    assert info["shape"] == (3000, 3)
    assert info["order"] == "F"
    assert info["rate_hz"] == 30000.0


def test_refuses_what_it_does_not_code():
    for bad in [np.zeros(10, "float32"), np.zeros(10, "uint8"), np.zeros(10, "int64"), np.zeros((2, 2, 2), "int16")]:
        with pytest.raises((TypeError, ValueError)):
            bw.encode(bad)


def test_damaged_streams_raise_one_line_errors():
    x = synthetic(20000, 4)
    s = bw.encode(x, checksum=True)
    bad = [b"", b"not a brainwire stream", s[: len(s) // 2], s[:-1], s + b"\0"]
    for buf in bad:
        with pytest.raises(bw.BrainwireError) as e:
            bw.decode(buf)
        assert "\n" not in str(e.value)
    # A flipped bit anywhere past the header is caught (CRC per chunk, hash of the whole).
    rng = np.random.default_rng(2)
    for pos in rng.integers(len(s) // 4, len(s), 20):
        damaged = bytearray(s)
        damaged[pos] ^= 1 << int(rng.integers(0, 8))
        with pytest.raises(bw.BrainwireError):
            bw.decode(bytes(damaged))


def test_real_recordings_interleaved(real_32ch):
    x = real_32ch
    for a in [x, (x.astype(np.int32) // 64 * 12).astype("int16"), np.asfortranarray(x)]:
        stream, _ = roundtrip(a)
        print(f"real 32 ch {a.shape}: ratio {a.nbytes / len(stream):.3f}")


def _encode_in_child(x):
    return bw.decode(bw.encode(x))


def test_forked_children_code_after_the_parent_did():
    import multiprocessing

    x = synthetic(40000, 8)
    roundtrip(x, threads=0)  # the parent's global thread pool exists now
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = [pool.apply_async(_encode_in_child, (x,)) for _ in range(2)]
        for r in results:
            np.testing.assert_array_equal(r.get(timeout=120), x)


def test_gil_is_released_while_coding():
    import threading
    import time

    x = synthetic(300000, 8)
    stream = bw.encode(x, profile="lite")
    for call in [lambda: bw.encode(x, profile="lite", threads=1), lambda: bw.decode(stream, threads=1)]:
        done = threading.Event()
        worker = threading.Thread(target=lambda: (call(), done.set()))
        ticks = 0
        worker.start()
        # This thread only runs while the worker's Rust call has let go of the GIL.
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)
        worker.join()
        assert ticks >= 5
