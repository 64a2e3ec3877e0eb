"""SpikeInterface: save a generated 384-channel recording to zarr with the
codec (process pool, so the codec pickles) and load it back bit-exact."""

import numpy as np
import pytest

import brainwire_codec as bw

si = pytest.importorskip("spikeinterface.core")
spre = pytest.importorskip("spikeinterface.preprocessing")

#: Neuropixels 1.0 AP band: microvolts per ADC code.
UV_PER_CODE = 2.34


def neuropixels_like(channels, seconds, seed):
    """A ground-truth recording (units, templates, noise) in int16 ADC codes."""
    rec = si.generate_ground_truth_recording(
        durations=[seconds], sampling_frequency=30000.0, num_channels=channels, num_units=40,
        seed=seed, noise_kwargs={"noise_levels": 12.0, "strategy": "on_the_fly"},
    )[0]
    return spre.scale(rec, gain=1 / UV_PER_CODE, dtype="int16")


def test_save_load_384_channels_bit_exact(tmp_path):
    rec = neuropixels_like(384, 1.0, seed=7)
    folder = tmp_path / "rec.zarr"
    saved = rec.save(format="zarr", folder=folder, compressor=bw.Brainwire(profile="lite"), chunk_duration="0.4s",
                     n_jobs=2, progress_bar=False)
    loaded = si.load(folder) if hasattr(si, "load") else si.read_zarr(folder)
    original = rec.get_traces()
    assert original.dtype == np.int16 and original.shape == (30000, 384)
    for r in [saved, loaded]:
        np.testing.assert_array_equal(r.get_traces(), original)
        np.testing.assert_array_equal(r.get_traces(start_frame=11990, end_frame=12010, channel_ids=rec.channel_ids[5:9]),
                                      original[11990:12010, 5:9])
    import zarr
    root = zarr.open(str(folder), mode="r")
    z = root["traces_seg0"]
    assert z.compressor.codec_id == "brainwire"
    compressed = sum(f.stat().st_size for f in (folder / "traces_seg0").iterdir() if not f.name.startswith("."))
    print(f"SpikeInterface 384 ch int16, 1 s, lite: ratio {original.nbytes / compressed:.3f}")
