"""The numcodecs codec: ``numcodecs.get_codec({"id": "brainwire"})``."""

from __future__ import annotations

from numcodecs.abc import Codec
from numcodecs.compat import ensure_ndarray, ndarray_copy

from . import _array


def _lattice_config(lattice):
    """The JSON form of a lattice setting: "auto", "none" or {"step", "offset"}."""
    args = _array._lattice_args(lattice)
    if args["lattice"] == "step":
        return {"step": args["lattice_step"], "offset": args["lattice_offset"]}
    return "none" if args["lattice"] == "identity" else "auto"


class Brainwire(Codec):
    """Lossless codec for (time, channels) integer chunks.

    The config holds what changes the bytes: ``profile`` (None = library
    default), ``channel_axis`` (of 2-D chunks), ``lattice`` ("auto", "none"
    or {"step": s, "offset": o}) and ``checksum``. ``threads`` (0 = all
    cores) is not in the config: it never changes the bytes. Decoding needs
    no config at all: each chunk carries its dtype, shape and order.
    """

    codec_id = "brainwire"

    def __init__(self, profile=None, channel_axis=-1, lattice="auto", checksum=True, threads=0):
        if profile is not None and profile not in _array.profiles():
            raise ValueError(f"unknown brainwire profile {profile!r} (known: {', '.join(_array.profiles())})")
        self.profile = profile
        self.channel_axis = int(channel_axis)
        self.lattice = _lattice_config(lattice)
        self.checksum = bool(checksum)
        self._threads = int(threads)

    @property
    def threads(self) -> int:
        return self._threads

    def encode(self, buf):
        return _array.encode(
            ensure_ndarray(buf),
            profile=self.profile,
            lattice=self.lattice,
            checksum=self.checksum,
            threads=self._threads,
            channel_axis=self.channel_axis,
        )

    def decode(self, buf, out=None):
        return ndarray_copy(_array.decode(buf, threads=self._threads), out)

    def __repr__(self):
        return (
            f"Brainwire(profile={self.profile!r}, channel_axis={self.channel_axis}, "
            f"lattice={self.lattice!r}, checksum={self.checksum}, threads={self._threads})"
        )
