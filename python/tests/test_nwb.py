"""NWB: an ElectricalSeries written through hdmf-zarr with the codec, read back exact."""

import datetime

import numpy as np
import pytest
from conftest import synthetic

import brainwire_codec as bw

pynwb = pytest.importorskip("pynwb")
hdmf_zarr = pytest.importorskip("hdmf_zarr")


def test_electrical_series_roundtrip(tmp_path):
    from hdmf_zarr import NWBZarrIO, ZarrDataIO
    from pynwb.ecephys import ElectricalSeries

    channels = 32
    x = synthetic(45000, channels)
    nwb = pynwb.NWBFile(session_description="brainwire test", identifier="bw-1",
                        session_start_time=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
    device = nwb.create_device(name="probe")
    group = nwb.create_electrode_group(name="shank0", description="", location="brain", device=device)
    for i in range(channels):
        nwb.add_electrode(x=float(i), y=0.0, z=0.0, imp=np.nan, location="brain", filtering="none", group=group)
    region = nwb.create_electrode_table_region(list(range(channels)), "all electrodes")
    data = ZarrDataIO(data=x, chunks=(30000, channels), compressor=bw.Brainwire())
    nwb.add_acquisition(ElectricalSeries(name="raw", data=data, electrodes=region, rate=30000.0, conversion=0.195e-6))
    path = str(tmp_path / "s.nwb.zarr")
    with NWBZarrIO(path, mode="w") as io:
        io.write(nwb)
    with NWBZarrIO(path, mode="r") as io:
        series = io.read().acquisition["raw"]
        assert series.data.compressor.codec_id == "brainwire"
        np.testing.assert_array_equal(series.data[:], x)
        np.testing.assert_array_equal(series.data[29000:31000, 3], x[29000:31000, 3])
