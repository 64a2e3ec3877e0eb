"""dask: a LocalCluster writes a multi-chunk zarr array with the codec in parallel."""

import numpy as np
import pytest
from conftest import synthetic

import brainwire_codec as bw

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")


def test_local_cluster_writes_and_reads_exact(tmp_path):
    x = synthetic(120000, 16)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        arr = da.from_array(x, chunks=(30000, 16))
        path = str(tmp_path / "d.zarr")
        arr.to_zarr(path, compressor=bw.Brainwire(threads=1))
        z = zarr.open(path, mode="r")
        assert z.compressor.codec_id == "brainwire" and z.nchunks_initialized == 4
        back = da.from_zarr(path)
        np.testing.assert_array_equal(back.compute(), x)
        # The workers decode chunks in parallel too.
        total = client.compute(back.astype(np.int64).sum()).result()
        assert total == int(x.astype(np.int64).sum())
