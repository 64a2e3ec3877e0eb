#!/usr/bin/env bash
# The brainwire CLI in a hostile environment (issue 16), as a user's shell
# sees it: memory and thread limits, /dev/full, a closed pipe, a FIFO in an
# input directory, two batches at once, kill -9 then a rerun, 255-byte and
# non-UTF-8 names, '-' and /dev/stdout, a read-only output directory.
# Every case must end with its documented exit code: never 101 (panic), 134
# (abort) or a hang, never a silent overwrite, never a leftover after the
# next run. Prints "N passed, N failed"; exits 1 if any case failed.
#
#   scripts/hostile.sh [path/to/brainwire]   (default: target/release/brainwire)
#
# Runs in well under a minute on 2 cores; as root it drops to nobody (via
# setpriv) for the cases that need permissions to bite.
set -uo pipefail
cd "$(dirname "$0")/.."
BW=$(realpath "${1:-target/release/brainwire}")
[ -x "$BW" ] || { echo "hostile.sh: no brainwire at $BW (run ./build.sh)"; exit 1; }
T=$(mktemp -d /tmp/bw-hostile.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
# A copy where the unprivileged user of the permission cases can run it,
# whatever the modes of the directories above the repo.
cp "$BW" "$T/brainwire" && chmod 755 "$T/brainwire"
BW=$T/brainwire
cd "$T"

passed=0
failed=0
# check NAME EXPECTED_EXIT ACTUAL_EXIT [CONDITION_STATUS]
check() {
    local name=$1 want=$2 got=$3 cond=${4:-0}
    if [ "$got" = "$want" ] && [ "$cond" = 0 ]; then
        passed=$((passed + 1))
        echo "ok    $name (exit $got)"
    else
        failed=$((failed + 1))
        echo "FAIL  $name: exit $got, wanted $want; condition $cond"
        sed 's/^/      | /' err 2>/dev/null | head -5
    fi
}
# one_line: stderr (file err) is exactly one line naming the tool
one_line() { [ "$(wc -l < err)" = 1 ] && grep -q '^brainwire: ' err; }
timed() { timeout 60 "$@"; }

"$BW" synth -o data --files 4 --seconds 0.2 --seed 5 > /dev/null
wav=$(ls data/*.wav | head -1)
"$BW" encode "$wav" -o a.bw 2> /dev/null > /dev/null

# 1. multi-byte and non-UTF-8 names
cp a.bw éab
timed "$BW" decode éab > /dev/null 2> err; check "decode éab (not a char boundary)" 0 $? $(cmp -s éab.decoded "$wav"; echo $?)
mkdir raw && cp "$wav" raw/$'\xff.wav' && cp "$wav" raw/$'\xfe.wav'
timed "$BW" encode raw -o rawp > /dev/null 2> err; check "two non-UTF-8 names" 0 $? $([ "$(ls rawp | wc -l)" = 2 ]; echo $?)

# 2. out of memory while decoding: 16 MB of silence from a few kB
# A canonical mono 16-bit WAV header for 8 Mi samples (16 MiB), then zeros.
{
    printf 'RIFF\x24\x00\x00\x01WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00'
    printf '\x4b\x4c\x00\x00\x96\x98\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x01'
    head -c 16777216 /dev/zero
} > silence.wav
"$BW" encode silence.wav --profile max -o oom/silence.wav.bw > /dev/null 2>&1
cp a.bw oom/small.wav.bw
(ulimit -v 12000; timed "$BW" -j 1 decode oom -o oomout > out 2> err); rc=$?
check "decode under ulimit -v 12000" 5 $rc $(grep -q 'out of memory' err && grep -q 'decoded 1 of 2' out; echo $?)

# 3. no threads: ulimit -v 10000 (one worker, after a warning), and
# ulimit -u 2 as nobody
(ulimit -v 10000; timed "$BW" decode a.bw -o - > /dev/null 2> err); rc=$?
check "ulimit -v 10000 (thread pool)" 0 $rc $(grep -q 'working on 1 thread' err; echo $?)
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
    timeout 60 setpriv --reuid 65534 --regid 65534 --clear-groups bash -c "ulimit -u 2; exec '$BW' -j 2 decode a.bw -o - > /dev/null" 2> err
    check "ulimit -u 2 as nobody, -j 2" 0 $? $(grep -q 'working on 1 thread' err; echo $?)
fi

# 4. standard output: a full disk, a closed pipe
timed "$BW" inspect a.bw > /dev/full 2> err; check "inspect > /dev/full" 2 $? $(one_line; echo $?)
timed "$BW" decode a.bw -o - > /dev/full 2> err; check "decode -o - > /dev/full" 2 $? $(one_line; echo $?)
(sleep 0.3; timed "$BW" decode a.bw -o b.wav 2> err) | true; check "decode -o b.wav | true (closed pipe)" 2 "${PIPESTATUS[0]}" $(one_line; echo $?)

# 5. a FIFO (and a text file) in an input directory
mkdir fifo && cp data/*.wav fifo/ && mkfifo fifo/stuck.wav && echo notes > fifo/notes.txt
timed "$BW" encode fifo -o fifop > out 2> err; check "FIFO in an input directory" 0 $? $(grep -q 'FIFO/device/socket not opened' out && grep -q '1 file that is not .wav' out; echo $?)

# 6. two batches into one directory at once
mkdir many && for i in $(seq 1 24); do cp "$wav" many/f$i.wav; done
# Three at once, so the runs overlap even when one starts late.
"$BW" encode many -o race > o1 2> e1 & p1=$!
"$BW" encode many -o race > o2 2> e2 & p2=$!
"$BW" encode many -o race > o3 2> e3 & p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
n=$(sed -n 's/^encoded \([0-9]*\) .*/\1/p' o1 o2 o3 | awk '{s += $1} END {print s + 0}')
cat e1 e2 e3 > err
check "concurrent batches: each output written once" 0 0 $([ "$n" = 24 ] && [ $r1 -le 1 ] && [ $r2 -le 1 ] && [ $r3 -le 1 ] && ! grep -v -e 'already exists' -e 'appeared while' -e 'files failed' err; echo $?)

# 7. kill -9 mid-batch, then a rerun leaves nothing behind
"$BW" encode many -o killed > /dev/null 2>&1 & pk=$!
sleep 0.05; kill -9 $pk 2> /dev/null; wait $pk 2> /dev/null
sh -c 'exit 0' & dead=$!; wait $dead
mkdir -p killed && echo half > "killed/.bw-$(printf %x $dead)-0123abcd.tmp"
timed "$BW" encode many -o killed --force > /dev/null 2> err
check "rerun after kill -9 cleans temporary files" 0 $? $([ -z "$(ls -A killed | grep '\.tmp')" ] && [ "$(ls killed | wc -l)" = 24 ]; echo $?)

# 8. 255-byte output names
long=$(printf 'a%.0s' $(seq 1 248)).wav
cp "$wav" "$long"
timed "$BW" encode "$long" > /dev/null 2> err; check "255-byte output name" 0 $? $([ -f "$long.bw" ]; echo $?)

# 9. '-' and /dev/stdout; a link to a device stays a link
if [ -L /dev/stdout ]; then
    timed "$BW" encode "$wav" -o /dev/stdout --force > viastdout.bw 2> err
    rc=$?
    link=0
    if [ ! -L /dev/stdout ]; then
        # A brainwire that replaced the link (the bug this case is about):
        # put it back, so the machine keeps a working /dev/stdout.
        link=1
        rm -f /dev/stdout && ln -s /proc/self/fd/1 /dev/stdout
    fi
    check "-o /dev/stdout --force" 0 $rc $([ $link = 0 ] && "$BW" decode viastdout.bw -o - 2> /dev/null | cmp -s - "$wav"; echo $?)
else
    echo "SKIP  -o /dev/stdout: /dev/stdout is not a symbolic link here"
fi
timed "$BW" encode - < "$wav" 2> err | "$BW" decode - > back.wav 2>> err; check "encode - | decode -" 0 $? $(cmp -s back.wav "$wav" && [ ! -e ./- ]; echo $?)
ln -s /dev/null null.bw
timed "$BW" encode "$wav" -o null.bw --force > /dev/null 2> err; check "link to /dev/null written in place" 0 $? $([ -L null.bw ]; echo $?)

# 10. damaged streams: one line, exit 3, nothing written
head -c $(( $(stat -c %s a.bw) * 2 / 3 )) a.bw > cut.bw
timed "$BW" decode cut.bw -o cut.wav 2> err; check "truncated stream" 3 $? $(one_line && grep -q truncated err && [ ! -e cut.wav ]; echo $?)

# 11. a read-only output directory, found before any work
mkdir locked && chmod 555 locked
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv > /dev/null; then
        setpriv --reuid 65534 --regid 65534 --clear-groups timeout 60 "$BW" encode many -o locked > out 2> err
        check "read-only output directory (as nobody)" 2 $? $(one_line && [ ! -s out ]; echo $?)
    else
        echo "SKIP  read-only output directory: root and no setpriv"
    fi
else
    timed "$BW" encode many -o locked > out 2> err
    check "read-only output directory" 2 $? $(one_line && [ ! -s out ]; echo $?)
fi

echo "hostile: $passed passed, $failed failed"
[ "$failed" = 0 ]
