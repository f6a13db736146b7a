#!/usr/bin/env bash
# Wall time of hop's tail-call engine against raven's CPUs, from one
# criterion run of `benches/cpu.rs` (every engine on every program, side by
# side, so the machine's load is the same for all of them).
#
# Prints, per program, the mean time of each engine and hop's time divided
# by raven's, then the geometric means of the ratios.
#
# Usage: benches/versus.sh [--no-run]   (--no-run: read the last run's estimates)
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-run" ]; then
    # hop's model engine is left out: it is not the one compared.
    cargo bench --bench cpu -- "/(tailcall|raven-native|raven-tailcall)$" >&2
fi

python3 - <<'PY'
import json, math, pathlib
root = pathlib.Path("target/criterion")
def mean(program, engine):
    path = root / program / engine / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"] / 1e6
programs = sorted(p.parent.name for p in root.glob("*/tailcall"))
print("| program | hop tail-call (ms) | raven native (ms) | raven tail-call (ms) | hop ÷ native | hop ÷ raven tail-call |")
print("|---|---:|---:|---:|---:|---:|")
ratios = ([], [])
for program in programs:
    hop, native, tail = (mean(program, e) for e in ("tailcall", "raven-native", "raven-tailcall"))
    ratios[0].append(hop / native)
    ratios[1].append(hop / tail)
    print(f"| {program} | {hop:.1f} | {native:.1f} | {tail:.1f} | {hop / native:.2f} | {hop / tail:.2f} |")
geo = [math.exp(sum(map(math.log, r)) / len(r)) for r in ratios]
print(f"| **geomean** | | | | **{geo[0]:.2f}** | **{geo[1]:.2f}** |")
PY
