#!/usr/bin/env bash
# Builds the challenge executables in release mode and puts them at the repo
# root as ./encode and ./decode (what ./eval.sh and the challenge measure),
# then builds the brainwire CLI (target/release/brainwire).
set -euo pipefail
cd "$(dirname "$0")"

# The challenge crate is a workspace of its own with size-minded profiles;
# pin its target dir so a CARGO_TARGET_DIR set for the main workspace does
# not move the executables.
# Static relocation model: the executables are static and not PIE (see
# challenge/build.rs), so code may address its constants absolutely (~190
# bytes less, ~3 instructions a sample less in ./decode). A codegen flag, so
# it cannot be set from build.rs; a plain `cargo build` of challenge/ works
# without it, only larger.
# The lite pair at opt-level "z" (`release`), ./encode and ./decode at 2
# (`release-max`; why in challenge/Cargo.toml).
RUSTFLAGS="${RUSTFLAGS:-} -C relocation-model=static" \
    cargo build --release --manifest-path challenge/Cargo.toml --target-dir challenge/target --bin encode-lite --bin decode-lite
RUSTFLAGS="${RUSTFLAGS:-} -C relocation-model=static" \
    cargo build --profile release-max --manifest-path challenge/Cargo.toml --target-dir challenge/target --bin encode --bin decode
for bin in encode decode encode-lite decode-lite; do
    built=challenge/target/release/$bin
    case $bin in encode | decode) built=challenge/target/release-max/$bin ;; esac
    # Copy to a temporary name and rename, so a running eval never sees a
    # half-written executable.
    cp "$built" ./.$bin.new
    # No section headers: nothing at run time reads them (see the script).
    challenge/strip-sections.sh ./.$bin.new
    mv -f ./.$bin.new ./$bin
done
# x86_64: ./encode and ./decode packed behind a start-up stub that restores
# them in memory (challenge/pack: LZ77 + binary range coding, ~1 KiB of stub,
# a few instructions a sample per run). The lite pair is left as linked.
if [ "$(uname -m)" = x86_64 ]; then
    RUSTFLAGS="${RUSTFLAGS:-} -C relocation-model=static" \
        cargo build --release --manifest-path challenge/pack/Cargo.toml --target-dir challenge/pack/target
    for bin in encode decode; do
        challenge/pack/target/release/pack ./$bin challenge/pack/target/release/unpack ./.$bin.new
        chmod +x ./.$bin.new
        mv -f ./.$bin.new ./$bin
    done
fi
echo "build.sh: ./encode $(stat -c %s encode) bytes, ./decode $(stat -c %s decode) bytes"
echo "build.sh: ./encode-lite $(stat -c %s encode-lite) bytes, ./decode-lite $(stat -c %s decode-lite) bytes (the lite profile's pair)"

cargo build --release -p brainwire-cli
