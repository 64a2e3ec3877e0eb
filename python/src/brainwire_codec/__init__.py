"""brainwire: lossless compression of multi-channel electrode recordings.

``encode``/``decode`` code numpy arrays; ``Brainwire`` is the numcodecs codec
(zarr 2, SpikeInterface, hdmf-zarr/NWB, dask); ``brainwire_codec.zarr3``
holds the zarr 3 codec.
"""

from ._array import SAMPLE_TYPES, BrainwireError, decode, encode, profiles, read_info
from .codec import Brainwire

__all__ = ["SAMPLE_TYPES", "Brainwire", "BrainwireError", "decode", "encode", "profiles", "read_info"]
