#!/usr/bin/env bash
# x86 instructions per Uxn instruction on the CPU benchmark ROMs.
#
# For each ROM (default: the programs roms/bench/*.tal, assembled by
# `hop asm` into target/bench-roms/) this counts
# - the Uxn instructions it runs, with the model engine's --count;
# - the x86 instructions the tail-call engine (hop's default) runs for it,
#   with valgrind's cachegrind, minus those of a ROM that halts at once,
#   which removes process start-up and shutdown;
# and prints a Markdown table of both and their ratio, with the average.
#
# Usage: benches/x86-per-uxn.sh [--ceiling MEAN] [ROM...]     (needs valgrind)
#
# With --ceiling, it exits with status 1 when the average is above MEAN
# (the test suite runs it so, to catch a codegen regression from a new
# nightly). HOP=path runs that binary instead of building one.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "x86-per-uxn.sh: valgrind is not installed" >&2; exit 1; }
ceiling=
if [ "${1:-}" = "--ceiling" ]; then
    ceiling=$2
    shift 2
fi
if [ -n "${HOP:-}" ]; then
    hop=$HOP
else
    cargo build --release --quiet
    hop=target/release/hop
fi

if [ $# -eq 0 ]; then
    mkdir -p target/bench-roms
    for source in roms/bench/*.tal; do
        rom=target/bench-roms/$(basename "$source" .tal).rom
        "$hop" asm "$source" "$rom" 2>/dev/null || { "$hop" asm "$source" "$rom"; exit 1; }
        set -- "$@" "$rom"
    done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The baseline ROM: LIT 80 LIT 0f DEO BRK, i.e. System/state = 0x80 (exit 0).
printf '\x80\x80\x80\x0f\x17\x00' >"$tmp/halt.rom"

# Uxn instructions run by ROM $1 (hop prints "hop: N Uxn instructions").
uxn_count() {
    "$hop" --headless --engine model --count "$1" 2>&1 >/dev/null |
        awk '/ Uxn instructions$/ { print $2 }'
}

# x86 instructions run by hop on ROM $1 (valgrind prints "==PID== I   refs:  N,NNN").
x86_count() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$hop" --headless "$1" 2>&1 >/dev/null |
        awk '/I[[:space:]]+refs:/ { gsub(",", "", $NF); print $NF }'
}

baseline=$(x86_count "$tmp/halt.rom")
[ -n "$baseline" ] || { echo "x86-per-uxn.sh: no instruction count from valgrind" >&2; exit 1; }

echo "| ROM | Uxn instructions | x86 instructions | x86 per Uxn |"
echo "|---|---:|---:|---:|"
for rom in "$@"; do
    uxn=$(uxn_count "$rom")
    x86=$(x86_count "$rom")
    if [ -z "$uxn" ] || [ -z "$x86" ]; then
        echo "x86-per-uxn.sh: $rom: could not count its instructions" >&2
        exit 1
    fi
    echo "$(basename "$rom" .rom) $uxn $((x86 - baseline))"
done | awk -v ceiling="$ceiling" '
    { ratio = $3 / $2; sum += ratio; n++
      printf "| %s | %.0f | %.0f | %.2f |\n", $1, $2, $3, ratio }
    END {
      if (!n) exit
      printf "| **average** | | | **%.2f** |\n", sum / n
      if (ceiling != "" && sum / n > ceiling) {
        printf "x86-per-uxn.sh: the average %.2f is above the ceiling %s\n", sum / n, ceiling > "/dev/stderr"
        exit 1
      }
    }'
echo
echo "x86 counts are for the tail-call engine, less the $baseline of a ROM that halts at once."
