#!/usr/bin/env bash
# Installs brainwire-codec the way a user does (`pip install ./python`, which
# builds the Rust extension with maturin from PyPI) into a fresh venv, adds the
# pinned test dependencies, and runs the pytest suite. Exit status is pytest's;
# "no tests ran" (pytest's 5) fails like any other.
# Then the same in a second venv with zarr 3 for the zarr 3 codec (zarr 3
# cannot share a venv with SpikeInterface and hdmf-zarr, which pin zarr < 3).
#   python/ci.sh            # venvs python/.venv-ci and python/.venv-ci-zarr3, rebuilt each run
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3}"

if [ -z "${BRAINWIRE_DATA:-}" ] && [ -f "$repo/../shared/data.zip" ]; then
    BRAINWIRE_DATA="$(cd "$repo/../shared" && pwd)/data.zip"
    export BRAINWIRE_DATA
fi

# fresh_venv DIR REQUIREMENTS: a new venv with ./python and the requirements.
fresh_venv() {
    echo "-- python: fresh venv $1 ($("$python" --version))"
    rm -rf "$1"
    "$python" -m venv "$1"
    echo "-- python: pip install ./python"
    (cd "$repo" && "$1/bin/python" -m pip install -q ./python)
    echo "-- python: pip install -r $(basename "$2")"
    "$1/bin/python" -m pip install -q -r "$2"
}

# run_pytest VENV ARGS...: pytest's status, where 5 (no tests ran) fails too.
run_pytest() {
    local venv="$1" status=0
    shift
    (cd "$here" && "$venv/bin/pytest" -p no:cacheprovider -rs "$@") || status=$?
    if [ "$status" -eq 5 ]; then
        echo "python/ci.sh: pytest ran no tests" >&2
    fi
    return "$status"
}

fresh_venv "$here/.venv-ci" "$here/requirements-test.txt"
echo "-- python: pytest (zarr 2, numcodecs, SpikeInterface, NWB, dask)"
run_pytest "$here/.venv-ci" tests

fresh_venv "$here/.venv-ci-zarr3" "$here/requirements-test-zarr3.txt"
echo "-- python: pytest (zarr 3)"
run_pytest "$here/.venv-ci-zarr3" tests/test_zarr3.py tests/test_numcodecs_zarr2.py
