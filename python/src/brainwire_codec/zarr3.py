"""The zarr 3 codec: an array -> bytes codec named "brainwire".

    import zarr
    from brainwire_codec.zarr3 import BrainwireZarr3
    z = zarr.create_array(store, shape=(n, 384), chunks=(30000, 384), dtype="int16",
                          serializer=BrainwireZarr3())

It replaces zarr's "bytes" serializer (it sees the chunk as an array, so it
codes channels as channels). zarr finds it through the `zarr.codecs` entry
point when it reads an array's metadata. The configuration holds what
changes the bytes: profile, channel_axis, lattice, checksum; `threads` is
not stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np
from zarr.abc.codec import ArrayBytesCodec
from zarr.core.common import parse_named_configuration

from . import _array
from .codec import _lattice_config

CODEC_NAME = "brainwire"


@dataclass(frozen=True)
class BrainwireZarr3(ArrayBytesCodec):
    profile: str | None = None
    channel_axis: int = -1
    lattice: object = "auto"
    checksum: bool = True
    threads: int = field(default=0, compare=False)

    is_fixed_size = False

    def __post_init__(self):
        if self.profile is not None and self.profile not in _array.profiles():
            raise ValueError(f"unknown brainwire profile {self.profile!r} (known: {', '.join(_array.profiles())})")
        object.__setattr__(self, "lattice", _lattice_config(self.lattice))
        object.__setattr__(self, "channel_axis", int(self.channel_axis))
        object.__setattr__(self, "checksum", bool(self.checksum))

    @classmethod
    def from_dict(cls, data):
        _, config = parse_named_configuration(data, CODEC_NAME, require_configuration=False)
        return cls(**(config or {}))

    def to_dict(self):
        return {
            "name": CODEC_NAME,
            "configuration": {
                "profile": self.profile,
                "channel_axis": self.channel_axis,
                "lattice": self.lattice,
                "checksum": self.checksum,
            },
        }

    def validate(self, *, shape, dtype, chunk_grid):
        native = dtype.to_native_dtype()
        _array._check_dtype(np.dtype(native))
        if len(shape) > 2:
            raise ValueError(f"brainwire codes 0-, 1- and 2-D arrays, not {len(shape)}-D ones")

    def compute_encoded_size(self, input_byte_length, chunk_spec):
        raise NotImplementedError("brainwire's encoded size depends on the samples")

    def _encode_sync(self, chunk_array, chunk_spec):
        stream = _array.encode(
            chunk_array.as_numpy_array(),
            profile=self.profile,
            lattice=self.lattice,
            checksum=self.checksum,
            threads=self.threads,
            channel_axis=self.channel_axis,
        )
        return chunk_spec.prototype.buffer.from_bytes(stream)

    def _decode_sync(self, chunk_bytes, chunk_spec):
        x = _array.decode(chunk_bytes.as_numpy_array(), threads=self.threads)
        if x.shape != tuple(chunk_spec.shape):
            raise _array.BrainwireError(
                f"ill-formed chunk: decoded shape {x.shape}, the array's chunks are {tuple(chunk_spec.shape)}"
            )
        return chunk_spec.prototype.nd_buffer.from_numpy_array(x)

    async def _encode_single(self, chunk_array, chunk_spec):
        # The Rust coder releases the GIL: chunks code in parallel threads.
        return await asyncio.to_thread(self._encode_sync, chunk_array, chunk_spec)

    async def _decode_single(self, chunk_bytes, chunk_spec):
        return await asyncio.to_thread(self._decode_sync, chunk_bytes, chunk_spec)
