#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time: run_fuzz.sh BINARY SEED_DIR WORK_DIR SECONDS.
# New inputs go to WORK_DIR/corpus (the committed seeds stay untouched); a crash, sanitizer report,
# leak, slow input (over 10 s) or memory use over 2 GB fails the run and is saved under WORK_DIR.
set -euo pipefail
binary=$1 seeds=$2 work=$3 seconds=$4
[[ -x "$binary" ]] || { echo "run_fuzz: $binary is not built" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
