#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one at a time,
# and prints how many inputs each one ran. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); the corpora start from the repository's
# .tal files and, when ../shared is there, its small ROMs. The corpora,
# crashes and build stay out of git (.gitignore).
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 240, all)
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-240}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(engines rom asm script file_path)

mkdir -p corpus/{engines,rom,asm,script,file_path}
# Seeds from the repository's sources, renamed so that nothing walking the
# repository for .tal files (tests/asm_drifblim.rs) picks them up.
for source in ../../roms/bench/*.tal ../tal/*.tal; do
    cp "$source" "corpus/asm/$(basename "$source" .tal).seed"
done
if [ -d ../../../shared/roms ]; then
    find ../../../shared/roms -name '*.rom' -size -16k -exec cp {} corpus/rom/ \;
fi
[ -n "$(ls corpus/script)" ] || printf '2 mouse 100 80\n3 mousedown 1\n10 text hi\\n\n20 press right\n' >corpus/script/seed

cargo fuzz build --fuzz-dir . -s none >/dev/null
for target in "${targets[@]}"; do
    extra=()
    case $target in
        rom) extra=(-max_len=16384) ;;
        asm) extra=(-dict=dict.asm) ;;
        file_path) extra=(-dict=dict.file) ;;
    esac
    log=$(mktemp)
    cargo fuzz run --fuzz-dir . -s none "$target" corpus/"$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        "${extra[@]}" >"$log" 2>&1 || { tail -40 "$log"; echo "$target: FAILED (log: $log)"; exit 1; }
    runs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$log")
    echo "$target: $runs inputs in $seconds s, no failure"
    rm -f "$log"
done
