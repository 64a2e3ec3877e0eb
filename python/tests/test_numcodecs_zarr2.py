"""The numcodecs codec on its own and inside zarr 2 arrays."""

import json
import pickle

import numcodecs
import numpy as np
import pytest
from conftest import check_reopened_and_edge_writes, edge_chunk_input, run_fresh_interpreter, synthetic

import brainwire_codec as bw

zarr = pytest.importorskip("zarr")
ZARR2 = int(zarr.__version__.split(".")[0]) == 2


def test_get_codec_needs_no_import():
    # A fresh interpreter that never imports brainwire_codec: the entry point finds it.
    code = (
        "import numcodecs, numpy as np, sys\n"
        "c = numcodecs.get_codec({'id': 'brainwire', 'profile': 'lite'})\n"
        "x = (np.arange(3000, dtype='int16') % 97).reshape(1000, 3)\n"
        "assert (c.decode(c.encode(x)) == x).all()\n"
        "print(type(c).__module__, c.get_config())\n"
    )
    assert run_fresh_interpreter(code).startswith("brainwire_codec.codec")


def test_config_holds_only_what_changes_the_bytes():
    c = bw.Brainwire(profile="lite", channel_axis=1, lattice=(12, 3), checksum=False, threads=2)
    config = c.get_config()
    assert config == {"id": "brainwire", "profile": "lite", "channel_axis": 1,
                      "lattice": {"step": 12, "offset": 3}, "checksum": False}
    assert json.loads(json.dumps(config)) == config
    again = numcodecs.get_codec(dict(config))
    assert again == c and again.threads == 0
    assert bw.Brainwire().get_config() == {"id": "brainwire", "profile": None, "channel_axis": -1,
                                           "lattice": "auto", "checksum": True}
    assert bw.Brainwire(lattice="none").lattice == "none"
    with pytest.raises(ValueError):
        bw.Brainwire(profile="gzip")


def test_pickles_with_threads():
    c = bw.Brainwire(profile="max", threads=1)
    d = pickle.loads(pickle.dumps(c))
    assert d == c and d.threads == 1
    x = synthetic(2000, 4)
    assert d.encode(x) == c.encode(x)


@pytest.mark.parametrize("dtype", ["int8", "int16", "uint16", "int32"])
def test_encode_decode_with_out(dtype):
    c = bw.Brainwire()
    x = synthetic(5000, 6, "int32")
    x = (x - x.min()).astype(dtype) if dtype == "uint16" else np.clip(x, -128, 127).astype(dtype) if dtype == "int8" else x.astype(dtype)
    enc = c.encode(x)
    np.testing.assert_array_equal(c.decode(enc), x)
    out = np.empty_like(x)
    c.decode(enc, out=out)
    np.testing.assert_array_equal(out, x)
    flat = np.empty(x.size, dtype)
    c.decode(enc, out=flat)
    np.testing.assert_array_equal(flat.reshape(x.shape), x)
    fx = np.asfortranarray(x)
    out = np.empty_like(fx, order="F")
    c.decode(c.encode(fx), out=out)
    np.testing.assert_array_equal(out, x)


@pytest.mark.skipif(not ZARR2, reason="zarr 2 API")
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", ["int16", "uint16", "int32", "int8"])
def test_zarr2_padded_edge_chunks(tmp_path, order, dtype):
    x = edge_chunk_input(dtype)
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=x.shape, chunks=(30000, 4), dtype=dtype, order=order,
                  compressor=bw.Brainwire())
    z[:] = x
    assert z.nchunks_initialized == 3 * 2
    meta = json.loads((tmp_path / "a.zarr" / ".zarray").read_text())
    assert meta["compressor"]["id"] == "brainwire"
    np.testing.assert_array_equal(zarr.open(path, mode="r")[:], x)
    # Reopened in a fresh interpreter: the entry point supplies the codec.
    check_reopened_and_edge_writes(z, x, f"zarr.open({path!r}, mode='r')")


@pytest.mark.skipif(not ZARR2, reason="zarr 2 API")
def test_zarr2_one_dimensional_and_tiny_chunks(tmp_path):
    x = synthetic(2001, 1)[:, 0]
    z = zarr.array(x, chunks=(1,), compressor=bw.Brainwire(), store=str(tmp_path / "b.zarr"))
    np.testing.assert_array_equal(z[:50], x[:50])
    z = zarr.array(x, chunks=(4096,), compressor=bw.Brainwire(profile="lite"))
    np.testing.assert_array_equal(z[:], x)
    # Constant and empty arrays, and a chunk shape with one frame.
    for a, chunks in [(np.full((1000, 3), -5, "int16"), (1, 3)), (np.zeros((0, 3), "int16"), (10, 3))]:
        np.testing.assert_array_equal(zarr.array(a, chunks=chunks, compressor=bw.Brainwire())[:], a)
