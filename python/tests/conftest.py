import os
import pathlib
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
