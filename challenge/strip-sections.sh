#!/usr/bin/env bash
# Drops the section header table (and the non-loaded sections after the last
# segment: `.shstrtab`) from a linked ELF64 little-endian executable, in place.
# The kernel and the dynamic loader read program headers only; section
# headers are for linkers and debuggers (`strip` keeps them, `sstrip` of
# ELFkickers does what this does). Saves ~1.5 KiB of each executable.
#
# usage: challenge/strip-sections.sh FILE
set -euo pipefail
f="$1"
# u N OFFSET: the little-endian unsigned N-byte integer at OFFSET.
u() { od -An -t "u$1" -j "$2" -N "$1" "$f" | tr -d ' '; }
[ "$(od -An -c -N 4 "$f" | tr -d ' ')" = "177ELF" ] || { echo "strip-sections: $f is not ELF" >&2; exit 1; }
[ "$(u 1 4)" = 2 ] && [ "$(u 1 5)" = 1 ] || { echo "strip-sections: $f is not ELF64 little-endian" >&2; exit 1; }
phoff=$(u 8 32) phentsize=$(u 2 54) phnum=$(u 2 56)
end=$((phoff + phentsize * phnum))
for ((i = 0; i < phnum; i++)); do
    ph=$((phoff + i * phentsize))
    e=$(($(u 8 $((ph + 8))) + $(u 8 $((ph + 32)))))
    [ "$e" -gt "$end" ] && end=$e
done
size=$(stat -c %s "$f")
[ "$end" -le "$size" ] || { echo "strip-sections: $f: segments end past the file" >&2; exit 1; }
# e_shoff (8 bytes at 40), then e_shentsize, e_shnum, e_shstrndx (2 each at 58).
printf '\0\0\0\0\0\0\0\0' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
printf '\0\0\0\0\0\0' | dd of="$f" bs=1 seek=58 conv=notrunc status=none
truncate -s "$end" "$f"
