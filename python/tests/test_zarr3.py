"""The zarr 3 codec (runs where zarr 3 is installed: python/ci.sh's second venv)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import synthetic

zarr = pytest.importorskip("zarr")
if int(zarr.__version__.split(".")[0]) < 3:
    pytest.skip(f"zarr {zarr.__version__}: the zarr 3 codec needs zarr >= 3", allow_module_level=True)

from brainwire_codec.zarr3 import BrainwireZarr3  # noqa: E402


@pytest.mark.parametrize("dtype", ["int16", "uint16", "int32", "int8"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_padded_edge_chunks(tmp_path, dtype, order):
    info = np.iinfo(dtype)
    x = synthetic(70001, 7, "int32")
    x = np.clip(x - (x.min() if info.min == 0 else 0), info.min, info.max).astype(dtype)
    path = str(tmp_path / "a.zarr")
    z = zarr.create_array(path, shape=x.shape, chunks=(30000, 4), dtype=dtype, config={"order": order},
                          serializer=BrainwireZarr3(profile="lite"), compressors=None)
    z[:] = x
    np.testing.assert_array_equal(zarr.open_array(path, mode="r")[:], x)
    meta = json.loads((tmp_path / "a.zarr" / "zarr.json").read_text())
    assert meta["codecs"][0] == {"name": "brainwire", "configuration": {
        "profile": "lite", "channel_axis": -1, "lattice": "auto", "checksum": True}}
    # A fresh interpreter finds the codec through the zarr.codecs entry point.
    code = f"import zarr, numpy as np; print(int(np.asarray(zarr.open_array({path!r}, mode='r')[:], 'int64').sum()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == int(x.astype(np.int64).sum())
    z[69990:, 5:] = 1
    x[69990:, 5:] = 1
    np.testing.assert_array_equal(z[69000:, 3:], x[69000:, 3:])


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
