#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time, one after the
# other (the machine's cores are shared), and fails if any target crashes,
# hangs or leaks.
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60, all)
#
# Needs the nightly toolchain (rustup toolchain install nightly); installs
# cargo-fuzz from crates.io if it is missing. The seeds in fuzz/corpus/<target>
# are read, never written: what the fuzzer learns goes to
# fuzz/target/corpus/<target> (ignored by git) and is reused by the next run.
# A crash leaves its input in fuzz/artifacts/<target>/; reproduce it with
#   cd fuzz && cargo +nightly fuzz run <target> artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
shift || true

if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

# One build for all targets, debug assertions and overflow checks on. No
# sanitizer: the fuzzed crates forbid unsafe code but for the container's
# one call of the SSE4.2 crc32 instruction (register arithmetic, no memory
# access beyond a checked slice), so AddressSanitizer could only slow the
# search (about 4x here), never find more.
cargo +nightly fuzz build --sanitizer none
status=0
for t in "${targets[@]}"; do
    work="target/corpus/$t"
    mkdir -p "$work" "corpus/$t"
    echo "== fuzz $t for ${seconds}s"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: the
    # decoder's memory must stay bounded by its input, not by a header.
    if cargo +nightly fuzz run --sanitizer none "$t" "$work" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 2> "target/fuzz-$t.log"; then
        grep -E "^stat::number_of_executed_units|^Done" "target/fuzz-$t.log" || true
        echo "fuzz $t: ok"
    else
        status=1
        tail -n 40 "target/fuzz-$t.log"
        echo "fuzz $t: FAILED (log: fuzz/target/fuzz-$t.log)"
    fi
done
exit "$status"
