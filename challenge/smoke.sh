#!/usr/bin/env bash
# Smoke test of the challenge executables' contract: round trips for every
# profile, and the exit code, message and file-system effect of each failure
# (usage 1, I/O 2, bad input 3; never a partial or temporary file left; only
# regular files replaced).
#
# usage: challenge/smoke.sh ENCODE DECODE
set -euo pipefail
enc="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
dec="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
t="$(mktemp -d "${TMPDIR:-/tmp}/brainwire-smoke.XXXXXX")"
trap 'rm -rf "$t"' EXIT
cd "$t"
failures=0
fail() { echo "smoke: FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that its
# one-line stderr matches PATTERN.
expect() {
    local want="$1" pattern="$2"; shift 2
    local code=0
    "$@" 2> err || code=$?
    [ "$code" -eq "$want" ] || fail "$* exited $code, want $want"
    grep -q -- "$pattern" err || fail "$*: stderr '$(cat err)' lacks '$pattern'"
    [ "$(wc -l < err)" -eq 1 ] || fail "$*: stderr is not one line"
}

le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }

# A mono 16-bit WAV on the Neuralink 10-bit lattice: a slow triangle plus
# LCG noise, 4000 samples.
n=4000
{
    printf RIFF; le32 $((36 + 2 * n)); printf 'WAVEfmt '; le32 16; le16 1; le16 1
    le32 19531; le32 39062; le16 2; le16 16; printf data; le32 $((2 * n))
    seed=1
    for ((i = 0; i < n; i++)); do
        seed=$(((seed * 1103515245 + 12345) & 2147483647))
        tri=$((i % 200)); [ $tri -gt 100 ] && tri=$((200 - tri))
        code=$((480 + tri / 4 + (seed >> 16) % 5))
        r=$([ $code -lt 512 ] && echo 1022 || echo 0)
        le16 $(((code * 65535 + r) / 1023 - 32768))
    done
} > rec.wav
printf 'not a recording\n' > text.txt
: > empty

for p in lite default max; do
    for f in rec.wav text.txt empty; do
        "$enc" --profile $p "$f" "$f.$p.bw" || fail "encode --profile $p $f"
        "$dec" "$f.$p.bw" "$f.$p.out" || fail "decode $f.$p.bw"
        cmp -s "$f" "$f.$p.out" || fail "$p round trip of $f differs"
    done
done
"$enc" rec.wav rec.bw && "$dec" rec.bw rec.out && cmp -s rec.wav rec.out || fail "default round trip"
[ "$(stat -c %s rec.bw)" -lt "$(stat -c %s rec.wav)" ] || fail "rec.wav did not shrink"

expect 1 usage "$enc"
expect 1 usage "$enc" rec.wav
expect 1 usage "$enc" --profile fastest rec.wav x
expect 1 usage "$dec" a b c
expect 2 "encode: cannot read missing.wav: No such file or directory" "$enc" missing.wav x.bw
expect 2 "encode: cannot write nodir/x.bw: No such file or directory" "$enc" rec.wav nodir/x.bw
expect 3 "decode: rec.wav is not a brainwire file" "$dec" rec.wav x.wav
expect 3 "decode: empty is not a brainwire file" "$dec" empty x.wav

cp rec.wav keep.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav keep.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav ./keep.wav
ln keep.wav hard.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav hard.wav
cmp -s rec.wav keep.wav || fail "input changed by a refused encode"

# Damage: a failed decode leaves an existing OUT untouched and no temp file.
echo previous > old.out
head -c 60 rec.bw > cut.bw
expect 3 "decode: cut.bw is damaged" "$dec" cut.bw old.out
cp rec.bw flip.bw
printf '\xff' | dd of=flip.bw bs=1 seek=100 conv=notrunc status=none
expect 3 "decode: flip.bw is damaged" "$dec" flip.bw old.out
printf 'BW\x09\x01' > future.bw
expect 3 "needs a newer decoder (format version 9)" "$dec" future.bw old.out
[ "$(cat old.out)" = previous ] || fail "a failed decode changed OUT"
! ls ./*.tmp* > /dev/null 2>&1 || fail "temporary files left: $(ls ./*.tmp*)"

# Success replaces an existing OUT.
"$dec" rec.bw old.out && cmp -s rec.wav old.out || fail "decode did not replace OUT"

# Only regular files are ever replaced: a symbolic link keeps pointing at
# its (rewritten) target, a FIFO or device is written in place (replacing
# /dev/null with a regular file would break the machine).
echo old > target.out
ln -s target.out link.out
"$dec" rec.bw link.out || fail "decode through a symlink"
[ -L link.out ] && cmp -s rec.wav target.out || fail "symlink replaced or its target not written"
mkfifo pipe.out
timeout 10 cat pipe.out > from-pipe &
"$dec" rec.bw pipe.out || fail "decode into a FIFO"
wait
[ -p pipe.out ] && cmp -s rec.wav from-pipe || fail "FIFO replaced or not written"
if mknod null.dev c 1 3 2> /dev/null; then
    "$dec" rec.bw null.dev || fail "decode into a null device"
    [ -c null.dev ] || fail "a device node was replaced by a regular file"
fi
mkdir dir.out
expect 2 "decode: cannot write dir.out: Is a directory" "$dec" rec.bw dir.out

if [ "$failures" -ne 0 ]; then
    echo "smoke: $failures failure(s)" >&2
    exit 1
fi
echo "smoke: encode/decode contract holds (round trips, exit codes, no partial output)"
