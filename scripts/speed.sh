#!/usr/bin/env bash
# Speed bench: median MB/s (of WAV bytes) of encode and decode per profile,
# on one thread and on all cores, whole files through the container, plus
# each profile's ratio.
#
#   scripts/speed.sh [DATA_DIR] [--runs N] [--files N] [--profiles lite,tables,max,fast,default]
#
# DATA_DIR defaults to $BRAINWIRE_DATA. Wall-clock figures: on a loaded
# machine compare the rows of one run, and quote them with the load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-${BRAINWIRE_DATA:-}}"
[[ $# -gt 0 ]] && shift
if [[ -z "$data" || ! -d "$data" ]]; then
    echo "usage: $0 DATA_DIR [--runs N] [--files N] [--profiles ...]   (or set BRAINWIRE_DATA)" >&2
    exit 1
fi
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p brainwire-train --bin speed
exec "$root/target/release/speed" "$data" "$@"
