#!/usr/bin/env bash
# Smoke test of the challenge executables' contract: round trips for every
# profile, and the exit code, message and file-system effect of each failure
# (usage 1, I/O 2, bad input 3; never a partial or temporary file left; only
# regular files replaced).
#
# usage: challenge/smoke.sh ENCODE DECODE [PROFILE]
# PROFILE (default max) is the one profile the pair writes (lite for
# ./encode-lite and ./decode-lite).
set -euo pipefail
profiles="${3:-max}"
first="${profiles%% *}"
# The tools name themselves in their messages.
ename="$(basename "$1")" dname="$(basename "$2")"
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

for p in $profiles; do
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
expect 2 "$ename: cannot read missing.wav: No such file or directory" "$enc" missing.wav x.bw
expect 2 "$ename: cannot write nodir/x.bw: No such file or directory" "$enc" rec.wav nodir/x.bw
expect 3 "$dname: rec.wav is not a brainwire file" "$dec" rec.wav x.wav
expect 3 "$dname: empty is not a brainwire file" "$dec" empty x.wav

cp rec.wav keep.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav keep.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav ./keep.wav
ln keep.wav hard.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav hard.wav
cmp -s rec.wav keep.wav || fail "input changed by a refused encode"

# Damage: a failed decode leaves an existing OUT untouched and no temp file.
echo previous > old.out
head -c 60 rec.bw > cut.bw
expect 3 "$dname: cut.bw is damaged" "$dec" cut.bw old.out
cp rec.bw flip.bw
printf '\xff' | dd of=flip.bw bs=1 seek=100 conv=notrunc status=none
expect 3 "$dname: flip.bw is damaged" "$dec" flip.bw old.out
printf 'BW\x09\x01' > future.bw
expect 3 "needs a newer decoder (format version 9)" "$dec" future.bw old.out
[ "$(cat old.out)" = previous ] || fail "a failed decode changed OUT"
! ls ./*.tmp* > /dev/null 2>&1 || fail "temporary files left: $(ls ./*.tmp*)"

# Hostile input: every damaged stream exits 3 with one line, leaves an
# existing OUT untouched and leaves no temporary file.
size() { stat -c %s "$1"; }
# flip FILE OFFSET MASK: XORs one byte in place.
flip() {
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "\\x$(printf %02x $((b ^ $3)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# refused FILE WHAT [ORIGINAL]: decode FILE must fail cleanly; when ORIGINAL
# is given, success that restores exactly ORIGINAL is tolerated too (the
# whole-file CRC vouches for it: e.g. the profile byte flipped between two
# profiles that decode alike, or a flip in flush bits no sample uses).
tolerated=0
refused() {
    local code=0
    "$dec" "$1" old.out 2> err || code=$?
    if [ "$code" -eq 0 ] && [ -n "${3:-}" ] && cmp -s old.out "$3"; then
        tolerated=$((tolerated + 1)); cases=$((cases + 1))
        echo previous > old.out
        return
    fi
    [ "$code" -eq 3 ] || fail "decode $1 ($2) exited $code, want 3: $(cat err)"
    grep -q "^$dname: $1 " err && [ "$(wc -l < err)" -eq 1 ] || fail "decode $1 ($2): stderr '$(cat err)'"
    [ "$(cat old.out)" = previous ] || { fail "decode $1 ($2) changed OUT"; echo previous > old.out; }
    cases=$((cases + 1))
}
echo previous > old.out
cases=0
for p in $profiles; do
    bw="rec.wav.$p.bw"
    n=$(size "$bw")
    # The fixed part, header and codec-stream header, then spread over the
    # payload (the last bytes are left out: a range coder's flush has bits
    # no sample depends on). Mask 2, not 1, so byte 19 (the codec profile)
    # never turns one profile id into another.
    for off in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 $((n / 4)) $((n / 2)) $((3 * n / 4)) $((n - 12)); do
        for mask in 2 128; do
            cp "$bw" bad.bw; flip bad.bw "$off" "$mask"
            refused bad.bw "$p: byte $off ^ $mask" rec.wav
        done
    done
    for cut in 0 1 2 3 4 7 8 9 12 16 19 20 24 $((n / 3)) $((n / 2)) $((n - 5)) $((n - 1)); do
        head -c "$cut" "$bw" > bad.bw
        refused bad.bw "$p: cut to $cut bytes"
    done
    for at in 8 20 $((n / 2)); do
        cp "$bw" bad.bw
        head -c 16 /dev/zero | dd of=bad.bw bs=1 seek="$at" conv=notrunc status=none
        refused bad.bw "$p: 16 zero bytes at $at"
    done
    for v in 0 2 255; do
        cp "$bw" bad.bw; printf "\\x$(printf %02x $v)" | dd of=bad.bw bs=1 seek=2 conv=notrunc status=none
        refused bad.bw "$p: version $v"
    done
done
# Random bytes, bare and behind the fixed part of a stored container.
seed=7
for k in 1 2 3 4; do
    for ((i = 0; i < 100 * k; i++)); do
        seed=$(((seed * 1103515245 + 12345) & 2147483647))
        printf "\\x$(printf %02x $(((seed >> 16) & 255)))"
    done > noise.bw
    refused noise.bw "random bytes"
    { printf 'BW\x01\x00'; cat noise.bw; } > stored.bw
    refused stored.bw "random stored container"
done
# The codec stream of one recording behind the header of another: same
# sample count and rate, so the 19-byte headers line up.
{ head -c 44 rec.wav; tail -c +47 rec.wav; head -c 46 rec.wav | tail -c 2; } > rot.wav
"$enc" rot.wav rot.bw
{ head -c 19 rec.wav.$first.bw; tail -c +20 rot.bw; } > swap.bw
refused swap.bw "stream of another recording"
# A header that claims 2^60 samples for a 6-byte stream (a valid header
# CRC): refused at once, nothing allocated for the claim.
crc32c() {
    local c=$((0xFFFFFFFF)) b k
    for b in "$@"; do
        c=$((c ^ b))
        for k in 1 2 3 4 5 6 7 8; do
            c=$(((c >> 1) ^ (0x82F63B78 & -(c & 1))))
        done
    done
    echo $((c ^ 0xFFFFFFFF))
}
hdr=(66 87 1 1 0 0 0 0 0 0xCB 0x98 0x01 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x80 0x10 0)
c=$(crc32c "${hdr[@]}")
{
    for b in "${hdr[@]}"; do printf "\\x$(printf %02x $b)"; done
    for s in 0 8 16 24; do printf "\\x$(printf %02x $(((c >> s) & 255)))"; done
    printf '\x02\x01\x00\x00\x00\x00'
} > huge.bw
refused huge.bw "2^60 samples claimed"
grep -q "truncated" err || fail "huge.bw: '$(cat err)' should say truncated"
! ls ./*.tmp* > /dev/null 2>&1 || fail "temporary files left: $(ls ./*.tmp*)"
echo "smoke: $cases damaged or hostile inputs refused with exit 3 ($tolerated of them decoded to the exact original instead)"

# Paths: a directory is neither readable as a file nor writable over, and a
# symlink to the input is the input.
mkdir adir
expect 2 "$dname: cannot read adir: Is a directory" "$dec" adir x.wav
expect 2 "$ename: cannot write adir: Is a directory" "$enc" rec.wav adir
[ -z "$(ls -A adir)" ] && ! ls ./*.tmp* > /dev/null 2>&1 || fail "a refused write left files"
ln -s keep.wav link.wav
expect 1 "refusing to overwrite the input" "$enc" keep.wav link.wav
expect 1 "refusing to overwrite the input" "$dec" rec.bw rec.bw
cmp -s rec.wav keep.wav || fail "input changed by a refused command"

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
expect 2 "$dname: cannot write dir.out: Is a directory" "$dec" rec.bw dir.out

if [ "$failures" -ne 0 ]; then
    echo "smoke: $failures failure(s)" >&2
    exit 1
fi
echo "smoke: encode/decode contract holds (round trips, exit codes, no partial output)"
