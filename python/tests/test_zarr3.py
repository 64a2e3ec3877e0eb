"""The zarr 3 codec (runs where zarr 3 is installed: python/ci.sh's second venv)."""

import json

import numpy as np
import pytest
from conftest import check_reopened_and_edge_writes, edge_chunk_input, synthetic

zarr = pytest.importorskip("zarr")
if int(zarr.__version__.split(".")[0]) < 3:
    pytest.skip(f"zarr {zarr.__version__}: the zarr 3 codec needs zarr >= 3", allow_module_level=True)

from brainwire_codec.zarr3 import BrainwireZarr3  # noqa: E402


@pytest.mark.parametrize("dtype", ["int16", "uint16", "int32", "int8"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_padded_edge_chunks(tmp_path, dtype, order):
    x = edge_chunk_input(dtype)
    path = str(tmp_path / "a.zarr")
    z = zarr.create_array(path, shape=x.shape, chunks=(30000, 4), dtype=dtype, config={"order": order},
                          serializer=BrainwireZarr3(profile="lite"), compressors=None)
    z[:] = x
    np.testing.assert_array_equal(zarr.open_array(path, mode="r")[:], x)
    meta = json.loads((tmp_path / "a.zarr" / "zarr.json").read_text())
    assert meta["codecs"][0] == {"name": "brainwire", "configuration": {
        "profile": "lite", "channel_axis": -1, "lattice": "auto", "checksum": True}}
    # A fresh interpreter finds the codec through the zarr.codecs entry point.
    check_reopened_and_edge_writes(z, x, f"zarr.open_array({path!r}, mode='r')")


def test_one_dimensional_constant_and_default_profile(tmp_path):
    for x, chunks in [(synthetic(5001, 1)[:, 0], (1000,)), (np.full((100, 3), -4, "int16"), (1, 3))]:
        z = zarr.create_array(str(tmp_path / f"{x.ndim}.zarr"), shape=x.shape, chunks=chunks, dtype=x.dtype,
                              serializer=BrainwireZarr3(), compressors=None)
        z[:] = x
        np.testing.assert_array_equal(z[:], x)


def test_config_and_refusals():
    c = BrainwireZarr3(lattice=(12, 3), threads=2)
    assert c.to_dict()["configuration"]["lattice"] == {"step": 12, "offset": 3}
    assert BrainwireZarr3.from_dict(c.to_dict()) == c
    with pytest.raises(TypeError):
        zarr.create_array({}, shape=(10,), chunks=(5,), dtype="float32", serializer=BrainwireZarr3(), compressors=None)
