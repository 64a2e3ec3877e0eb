"""ndarray <-> brainwire-chunked stream.

The Rust layer codes a C-contiguous (frames, channels) array of native
integers. This module maps every accepted ndarray onto that and back, and
keeps what the stream's header does not say (number of dimensions, which
axis holds the channels, memory order, byte order, the exact shape) in the
stream's application metadata, laid out as FORMAT.md's "numpy metadata".
"""

from __future__ import annotations

import os
import struct
import sys

import numpy as np

from . import _native

BrainwireError = _native.BrainwireError

#: Sample types the format codes, by numpy name.
SAMPLE_TYPES = ("int8", "int16", "uint16", "int32")

_MAGIC = b"BWNP"
_VERSION = 1
# magic, version, ndim, channel axis, order, byte order; then ndim u64 sizes.
_HEAD = struct.Struct("<4sBBBcc")
_MAX_NDIM = 2


# rayon's global pool (threads=0) does not survive fork(): its worker threads
# stay in the parent, and a forked child (a process pool of SpikeInterface,
# dask or multiprocessing) that uses it waits forever. A forked child asks for
# a pool of its own instead; the bytes never depend on the thread count.
_forked = False


def _after_fork_in_child() -> None:
    global _forked
    _forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _threads(threads) -> int:
    threads = int(threads)
    if threads < 0:
        raise ValueError(f"threads must be >= 0 (0 = all cores), got {threads}")
    if threads == 0 and _forked:
        return os.cpu_count() or 1
    return threads


def profiles() -> list[str]:
    """Names of the profiles this build can encode."""
    return list(_native.profiles())


def _check_dtype(dtype: np.dtype) -> None:
    if dtype.kind not in "iu" or dtype.newbyteorder("=").name not in SAMPLE_TYPES:
        raise TypeError(
            f"brainwire codes {', '.join(SAMPLE_TYPES)} samples, not {dtype} "
            "(convert first, e.g. array.astype('int16') when the values fit)"
        )


def _lattice_args(lattice) -> dict:
    """The Rust layer's lattice keywords for a Python lattice setting."""
    if lattice is None or lattice == "auto":
        return {"lattice": "auto"}
    if lattice in ("none", "identity"):
        return {"lattice": "identity"}
    if isinstance(lattice, dict):
        step, offset = lattice.get("step"), lattice.get("offset", 0)
    elif isinstance(lattice, (tuple, list)) and len(lattice) == 2:
        step, offset = lattice
    elif isinstance(lattice, (int, np.integer)) and not isinstance(lattice, bool):
        step, offset = lattice, 0
    else:
        raise ValueError(
            f"lattice must be 'auto', 'none', a step, (step, offset) or "
            f"{{'step': s, 'offset': o}}, got {lattice!r}"
        )
    step, offset = int(step), int(offset)
    if step < 1:
        raise ValueError(f"lattice step must be >= 1, got {step}")
    return {"lattice": "step", "lattice_step": step, "lattice_offset": offset}


def _channel_axis(ndim: int, channel_axis: int) -> int:
    if ndim < 2:
        return 0
    if channel_axis not in (-2, -1, 0, 1):
        raise ValueError(f"channel_axis must be 0, 1, -1 or -2 for 2-D arrays, got {channel_axis}")
    return channel_axis % 2


def _is_big_endian(dtype: np.dtype) -> bool:
    return dtype.byteorder == ">" or (dtype.byteorder == "=" and sys.byteorder == "big")


def encode(
    array,
    profile: str | None = None,
    lattice="auto",
    chunk_frames: int | None = None,
    checksum: bool = True,
    threads: int = 0,
    *,
    channel_axis: int = -1,
    rate_hz: float | None = None,
) -> bytes:
    """Compresses a 0-, 1- or 2-D int8/int16/uint16/int32 array losslessly.

    A 2-D array is (time, channels) unless ``channel_axis=0``. ``profile``
    None is the library default (``profiles()`` lists the others);
    ``lattice`` is "auto" (found per channel), "none", or a fixed step and
    offset; ``chunk_frames`` None is 1 s at ``rate_hz`` (30000 frames without
    a rate). ``threads`` 0 uses all cores and never changes the bytes.
    """
    a = np.asarray(array)
    _check_dtype(a.dtype)
    if a.ndim > _MAX_NDIM:
        raise ValueError(f"brainwire codes 0-, 1- and 2-D arrays, not {a.ndim}-D ones")
    ca = _channel_axis(a.ndim, channel_axis)
    order = b"F" if a.ndim == 2 and a.flags.f_contiguous and not a.flags.c_contiguous else b"C"
    big = _is_big_endian(a.dtype)
    if a.dtype.byteorder not in ("=", "|"):
        a = a.astype(a.dtype.newbyteorder("="))

    if a.ndim == 2:
        interleaved = a if ca == 1 else a.T
        channels = a.shape[ca]
    else:
        interleaved = a.reshape(-1, 1)
        channels = 1
    if a.size == 0:
        # No samples: the stream keeps one channel's worth of nothing and the
        # metadata keeps the shape.
        interleaved = np.empty((0, max(channels, 1)), dtype=a.dtype)
    interleaved = np.ascontiguousarray(interleaved)  # no copy when already interleaved

    metadata = _HEAD.pack(_MAGIC, _VERSION, a.ndim, ca, order, b">" if big else b"<")
    metadata += struct.pack(f"<{a.ndim}Q", *a.shape)
    return _native.encode_interleaved(
        interleaved,
        profile=profile,
        chunk_frames=None if chunk_frames is None else int(chunk_frames),
        checksum=bool(checksum),
        threads=_threads(threads),
        rate_hz=None if rate_hz is None else float(rate_hz),
        metadata=metadata,
        **_lattice_args(lattice),
    )


def _as_stream(buf) -> np.ndarray:
    if isinstance(buf, np.ndarray):
        return np.asarray(buf, order="C").reshape(-1).view(np.uint8)
    return np.frombuffer(memoryview(buf).cast("B") if not isinstance(buf, bytes) else buf, np.uint8)


class _Layout:
    """The numpy metadata of a stream, or None for a stream without it (as
    the CLI writes): then the array is (frames, channels) in C order."""

    def __init__(self, ndim, channel_axis, order, big_endian, shape):
        self.ndim, self.channel_axis, self.order = ndim, channel_axis, order
        self.big_endian, self.shape = big_endian, shape

    @classmethod
    def parse(cls, metadata: bytes) -> _Layout | None:
        if not metadata.startswith(_MAGIC):
            return None
        if len(metadata) < _HEAD.size:
            raise BrainwireError("ill-formed numpy metadata: truncated header")
        magic, version, ndim, ca, order, byteorder = _HEAD.unpack_from(metadata)
        if version != _VERSION:
            raise BrainwireError(f"unsupported numpy metadata version {version}")
        if ndim > _MAX_NDIM or ca > 1 or order not in (b"C", b"F") or byteorder not in (b"<", b">"):
            raise BrainwireError("ill-formed numpy metadata: bad layout fields")
        if len(metadata) != _HEAD.size + 8 * ndim:
            raise BrainwireError("ill-formed numpy metadata: bad shape length")
        shape = struct.unpack_from(f"<{ndim}Q", metadata, _HEAD.size)
        return cls(ndim, ca, order.decode(), byteorder == b">", tuple(shape))


def _decoded_array(info, raw: np.ndarray) -> np.ndarray:
    dtype_name, frames, channels, _rate, metadata = info
    base = np.dtype(dtype_name).newbyteorder("<")
    x = raw.view(base)
    if not x.flags.aligned:
        x = x.copy()
    x = x.reshape(frames, channels)
    layout = _Layout.parse(bytes(metadata))
    if layout is None:
        return x
    size = int(np.prod(layout.shape, dtype=np.uint64))
    if size != x.size or (size and layout.ndim == 2 and layout.shape[layout.channel_axis] != channels):
        raise BrainwireError(
            f"ill-formed stream: metadata shape {layout.shape} does not match "
            f"{frames} frames x {channels} channels"
        )
    if layout.big_endian:
        x = x.astype(base.newbyteorder(">"))
    if size == 0:
        return np.empty(layout.shape, dtype=x.dtype, order=layout.order)
    y = x.T if layout.ndim == 2 and layout.channel_axis == 0 else x.reshape(layout.shape)
    # np.asarray, not np.ascontiguousarray: that one makes 0-D arrays 1-D.
    return np.asarray(y, order=layout.order)


def decode(buf, threads: int = 0) -> np.ndarray:
    """Decompresses a stream from ``encode`` into an array of the same dtype,
    shape and memory order. ``buf`` is any bytes-like object or ndarray."""
    info, raw = _native.decode_interleaved(_as_stream(buf), threads=_threads(threads))
    return _decoded_array(info, raw)


def read_info(buf) -> dict:
    """A stream's header without decoding it: dtype, shape, order, rate."""
    dtype_name, frames, channels, rate_hz, metadata = _native.read_info(_as_stream(buf))
    layout = _Layout.parse(bytes(metadata))
    dtype = np.dtype(dtype_name)
    if layout is None:
        return {"dtype": dtype, "shape": (frames, channels), "order": "C", "rate_hz": rate_hz}
    if layout.big_endian:
        dtype = dtype.newbyteorder(">")
    return {"dtype": dtype, "shape": layout.shape, "order": layout.order, "rate_hz": rate_hz,
            "channel_axis": layout.channel_axis if layout.ndim == 2 else None}
