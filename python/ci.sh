#!/usr/bin/env bash
# Installs brainwire-codec the way a user does (`pip install ./python`, which
# builds the Rust extension with maturin from PyPI) into a fresh venv, adds the
# pinned test dependencies, and runs the pytest suite. Exit status is pytest's;
# "no tests ran" (pytest's 5) fails like any other.
#   python/ci.sh                 # venv in python/.venv-ci, rebuilt each run
#   BRAINWIRE_PY_VENV=DIR python/ci.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
venv="${BRAINWIRE_PY_VENV:-$here/.venv-ci}"
python="${PYTHON:-python3}"

echo "-- python: fresh venv $venv ($("$python" --version))"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
echo "-- python: pip install ./python"
(cd "$repo" && "$venv/bin/python" -m pip install -q ./python)
echo "-- python: test dependencies"
"$venv/bin/python" -m pip install -q -r "$here/requirements-test.txt"

if [ -z "${BRAINWIRE_DATA:-}" ] && [ -f "$repo/../shared/data.zip" ]; then
    export BRAINWIRE_DATA="$(cd "$repo/../shared" && pwd)/data.zip"
fi
echo "-- python: pytest"
cd "$here"
status=0
"$venv/bin/python" -m pytest -p no:cacheprovider -rs tests || status=$?
if [ "$status" -eq 5 ]; then
    echo "python/ci.sh: pytest collected no tests" >&2
fi
exit "$status"
