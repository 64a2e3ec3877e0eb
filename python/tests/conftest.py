import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def data_zip():
    """The challenge recordings (env BRAINWIRE_DATA or ../shared/data.zip), or None."""
    env = os.environ.get("BRAINWIRE_DATA")
    path = pathlib.Path(env) if env else REPO.parent / "shared" / "data.zip"
    return path if path.is_file() else None


def read_recordings(count):
    """`count` recordings from the archive as int16 arrays, in sorted name order."""
    import io
    import wave

    path = data_zip()
    if path is None:
        return None
    out = []
    with zipfile.ZipFile(path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".wav"))
        for name in names[:count]:
            with wave.open(io.BytesIO(z.read(name))) as w:
                assert w.getsampwidth() == 2 and w.getnchannels() == 1
                out.append(np.frombuffer(w.readframes(w.getnframes()), "<i2"))
    return out


@pytest.fixture(scope="session")
def real_32ch():
    recs = read_recordings(32)
    if recs is None:
        print("\nSKIP real-data test: no ../shared/data.zip and no BRAINWIRE_DATA")
        pytest.skip("no ../shared/data.zip and no BRAINWIRE_DATA")
    frames = min(len(r) for r in recs)
    return np.stack([r[:frames] for r in recs], axis=1)


def synthetic(frames, channels, dtype="int16", seed=0):
    """Correlated noise with spikes: compressible like a recording, not constant."""
    rng = np.random.default_rng(seed)
    common = np.cumsum(rng.normal(0, 3, frames))
    x = common[:, None] * 0.2 + rng.normal(0, 20, (frames, channels))
    x[rng.integers(0, frames, frames // 500 + 1)] -= 300
    info = np.iinfo(dtype)
    return np.clip(np.round(x), max(info.min, -30000), min(info.max, 30000)).astype(dtype)


def run_fresh_interpreter(code):
    """Standard output of `code` run by a new Python, which has imported
    nothing of this test's process (codecs come from their entry points)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def edge_chunk_input(dtype):
    """70001 x 7 frames of `dtype`: with chunks of (30000, 4), every chunk
    of the last row and column is a padded edge chunk."""
    x = synthetic(70001, 7, "int32")
    info = np.iinfo(dtype)
    return np.clip(x - (x.min() if info.min == 0 else 0), info.min, info.max).astype(dtype)


def check_reopened_and_edge_writes(z, x, open_expr):
    """A zarr array `z` holding `x` (from `edge_chunk_input`) reads back the
    same in a fresh interpreter through `open_expr`, then takes partial
    writes and reads through its edge chunks."""
    code = f"import zarr, numpy as np; print(int(np.asarray({open_expr}[:], 'int64').sum()))"
    assert int(run_fresh_interpreter(code)) == int(x.astype(np.int64).sum())
    z[69990:, 5:] = 1
    x[69990:, 5:] = 1
    np.testing.assert_array_equal(z[69000:, 3:], x[69000:, 3:])
