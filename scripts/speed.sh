#!/usr/bin/env bash
# The speed benchmark of issue 4, through the real CLI: `cachelab simulate` on a 20 M-request
# Zipf 0.9 oracleGeneral trace over 1 M objects at a 100 k-object cache, one policy, one
# thread. Prints, per policy, million requests per second (wall clock, and per CPU second,
# which is steadier on a busy machine) and peak resident memory; the first rows are the
# reading ceiling (the trace read with no policy), plain and zstd-compressed.
#
# libCacheSim on exactly such a trace: LRU 2.6 M/s, FIFO 3.3, SIEVE 3.8, ARC 2.6, S3-FIFO 1.4,
# 600 MB-1 GB peak; reading alone 44 M/s. Target: 3x (LRU >= 8 M/s), under 200 MB.
#
# Environment: CACHELAB (binary; default: build and use target/release/cachelab),
# SPEED_DIR (where the traces go; default target/speed, about 670 MB),
# POLICIES (default "lru fifo sieve arc s3fifo twoq slru gdsf lfuda clockpro mq"; policies not
# yet built in are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CACHELAB:-}" ]]; then
  cargo build --release --quiet
  CACHELAB=target/release/cachelab
fi
DIR=${SPEED_DIR:-target/speed}
POLICIES=${POLICIES:-lru fifo sieve arc s3fifo twoq slru gdsf lfuda clockpro mq}
REQUESTS=20000000
TRACE=$DIR/zipf09-20M.oracleGeneral.bin
mkdir -p "$DIR"

if [[ ! -f $TRACE ]]; then
  echo "generating $TRACE ..." >&2
  "$CACHELAB" trace gen zipf --alpha 0.9 --keys 1000000 --requests $REQUESTS --seed 42 --out "$TRACE" >&2
fi
if [[ ! -f $TRACE.zst ]]; then
  "$CACHELAB" trace convert "$TRACE" "$TRACE.zst" >&2
fi

# measure LABEL COMMAND...: runs COMMAND (output discarded) under /usr/bin/time and prints a row.
measure() {
  local label=$1 log
  shift
  log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>&1
  read -r wall user sys rss <"$log"
  rm -f "$log"
  awk -v l="$label" -v n=$REQUESTS -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    printf "%-28s %10.1f %12.1f %10.1f\n", l, n / w / 1e6, n / (u + s) / 1e6, r / 1024 }'
}

printf "%-28s %10s %12s %10s\n" "what (1 thread)" "M req/s" "M req/cpu-s" "peak MB"
measure "read oracleGeneral" "$CACHELAB" trace stats --requests-only "$TRACE"
measure "read oracleGeneral.zst" "$CACHELAB" trace stats --requests-only "$TRACE.zst"
known=$("$CACHELAB" list)
for policy in $POLICIES; do
  if ! grep -qE "^  $policy " <<<"$known"; then
    printf "%-28s %s\n" "$policy" "(not built in yet: skipped)"
    continue
  fi
  measure "$policy @100k" "$CACHELAB" simulate --trace "$TRACE" --policy "$policy" --size 100000 --threads 1
  measure "$policy @100k (.zst)" "$CACHELAB" simulate --trace "$TRACE.zst" --policy "$policy" --size 100000 --threads 1
done
