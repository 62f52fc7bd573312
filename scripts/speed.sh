#!/usr/bin/env bash
# The speed benchmark of issue 4, through the real CLI: `cachelab simulate` on a 20 M-request
# Zipf 0.9 oracleGeneral trace over 1 M objects at a 100 k-object cache, one policy, one
# thread. Prints, per policy, million requests per second (wall clock, and per CPU second,
# which is steadier on a busy machine) and peak resident memory; the first rows are the
# reading ceiling (the trace read with no policy), plain and zstd-compressed. After each
# policy libCacheSim has, the same for libCacheSim on the plain trace in the same run (its
# Python binding, scripts/oracle/lcs_speed.py: the whole process, Python's start of about
# 0.2 s included; MQ from the binding of scripts/oracle/requirements-mq.txt). The models
# (redis-lru, redis-lfu, memcached-lru) have no libCacheSim counterpart. Target (issue 4): 3x
# libCacheSim (LRU >= 8 M/s), under 200 MB.
#
# Environment: CACHELAB (binary; default: build and use $CARGO_TARGET_DIR or target's
# release/cachelab), SPEED_DIR (where the traces go; default target/speed, about 670 MB),
# POLICIES (default "lru fifo sieve arc s3fifo twoq slru gdsf lfuda clockpro mq"; policies not
# yet built in are skipped),
# MODELS (the production-cache models, default "redis-lru redis-lfu memcached-lru"; "" to skip),
# REQUESTS (default 20000000: the trace's length),
# TIMEOUT (seconds after which one measured run is stopped and reported so; default 600),
# SKIP_MRC=1 (skip the curve section), ORACLE_PYTHON (libCacheSim's Python; default
# .venv-oracle/bin/python), ORACLE_MQ_PYTHON (the one with MQ; default
# .venv-oracle-mq/bin/python); without them libCacheSim's rows say what to install.
#
# Then the curve section of issue 14, on the same trace, all cores: the exact LRU curve (100
# sizes, one pass) against 20 separate LRU simulations; SHARDS at rate 0.01 (time and mean /
# max absolute error against the exact curve at 20 sizes) against libCacheSim's spatially
# sampled LRU at the same rate; a 10-policy x 20-size sweep from the .zst trace (read once)
# against decoding the trace once plus the slowest policy's own 20 sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CACHELAB:-}" ]]; then
  cargo build --release --quiet
  CACHELAB=${CARGO_TARGET_DIR:-target}/release/cachelab
fi
DIR=${SPEED_DIR:-target/speed}
POLICIES=${POLICIES:-lru fifo sieve arc s3fifo twoq slru gdsf lfuda clockpro mq}
MODELS=${MODELS-redis-lru redis-lfu memcached-lru}
TIMEOUT=${TIMEOUT:-600}
PY=${ORACLE_PYTHON:-.venv-oracle/bin/python}
PY_MQ=${ORACLE_MQ_PYTHON:-.venv-oracle-mq/bin/python}
REQUESTS=${REQUESTS:-20000000}
TRACE=$DIR/zipf09-$REQUESTS.oracleGeneral.bin
mkdir -p "$DIR"

if [[ ! -f $TRACE ]]; then
  echo "generating $TRACE ..." >&2
  "$CACHELAB" trace gen zipf --alpha 0.9 --keys 1000000 --requests $REQUESTS --seed 42 --out "$TRACE" >&2
fi
if [[ ! -f $TRACE.zst ]]; then
  "$CACHELAB" trace convert "$TRACE" "$TRACE.zst" >&2
fi

# measure LABEL COMMAND...: runs COMMAND (output discarded) under /usr/bin/time, stopped after
# TIMEOUT seconds, and prints a row.
measure() {
  local label=$1 log status=0
  shift
  log=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$log" timeout "$TIMEOUT" "$@" >/dev/null 2>&1 || status=$?
  # A failed command's log starts with "Command exited with non-zero status N".
  read -r wall user sys rss < <(tail -n 1 "$log")
  rm -f "$log"
  if [[ $status -ne 0 ]]; then
    [[ $status -eq 124 ]] && printf "%-28s %s\n" "$label" "(stopped after $TIMEOUT s)" ||
      printf "%-28s %s\n" "$label" "(failed: exit status $status)"
    return
  fi
  awk -v l="$label" -v n=$REQUESTS -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {
    c = u + s; if (w < 0.01) w = 0.01; if (c < 0.01) c = 0.01  # /usr/bin/time counts in 10 ms
    printf "%-28s %10.1f %12.1f %10.1f\n", l, n / w / 1e6, n / c / 1e6, r / 1024 }'
}

# measure_libcachesim POLICY: libCacheSim's row for POLICY, when it has the policy.
measure_libcachesim() {
  local policy=$1 python=$PY requirements=requirements.txt
  if [[ $policy == mq ]]; then
    python=$PY_MQ requirements=requirements-mq.txt
  fi
  if ! [[ -x $python ]] || ! "$python" -c "import libcachesim" 2>/dev/null; then
    printf "%-28s %s\n" "libCacheSim $policy" "(no binding at $python: pip install -r scripts/oracle/$requirements)"
  elif "$python" scripts/oracle/lcs_speed.py --has "$policy"; then
    measure "libCacheSim $policy @100k" "$python" scripts/oracle/lcs_speed.py "$TRACE" "$policy" 100000
  fi
}
printf "%-28s %10s %12s %10s\n" "what (1 thread)" "M req/s" "M req/cpu-s" "peak MB"
measure "read oracleGeneral" "$CACHELAB" trace stats --requests-only "$TRACE"
measure "read oracleGeneral.zst" "$CACHELAB" trace stats --requests-only "$TRACE.zst"
known=$("$CACHELAB" list)
for policy in $POLICIES $MODELS; do
  if ! grep -qE "^  $policy " <<<"$known"; then
    printf "%-28s %s\n" "$policy" "(not built in yet: skipped)"
    continue
  fi
  measure "$policy @100k" "$CACHELAB" simulate --trace "$TRACE" --policy "$policy" --size 100000 --threads 1
  measure "$policy @100k (.zst)" "$CACHELAB" simulate --trace "$TRACE.zst" --policy "$policy" --size 100000 --threads 1
  [[ " $MODELS " == *" $policy "* ]] || measure_libcachesim "$policy"
done

[[ -n "${SKIP_MRC:-}" ]] && exit 0

# seconds COMMAND...: wall-clock seconds of COMMAND (output discarded).
seconds() {
  local log
  log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1
  read -r wall rss <"$log"
  rm -f "$log"
  echo "$wall"
}

FOOTPRINT=$("$CACHELAB" trace stats "$TRACE" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["footprint_objects"])')
SIZES20=$(python3 -c "
top=$FOOTPRINT; bottom=max(top/1000,1); out=[]
for i in range(20):
    v=max(int(bottom*(top/bottom)**(i/19)+0.5),1)
    if not out or out[-1]!=v: out.append(v)
print(','.join(map(str,out)))")
echo
printf "%-58s %10s\n" "curves (all cores)" "seconds"
t_exact=$(seconds "$CACHELAB" mrc --trace "$TRACE" --policy lru --method exact)
t_sep=$(seconds "$CACHELAB" simulate --trace "$TRACE" --policy lru --size "$SIZES20")
printf "%-58s %10s\n" "exact LRU curve, 100 sizes, one pass" "$t_exact" \
  "20 separate LRU simulations (simulate --size, 20 sizes)" "$t_sep"
awk -v a="$t_exact" -v b="$t_sep" 'BEGIN { printf "%-58s %9.1fx\n", "exact curve speed-up", b / a }'

# error ROWS_A ROWS_B: mean and max |miss ratio difference| of two JSON row arrays.
error() {
  python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
d = [abs(x["miss_ratio"] - y["miss_ratio"]) for x, y in zip(a, b)]
print(f"{sum(d) / len(d):.4f} {max(d):.4f}")' "$1" "$2"
}
work=$(mktemp -d)
"$CACHELAB" mrc --trace "$TRACE" --policy lru --method exact --size "$SIZES20" --json >"$work/exact.json" 2>/dev/null
t_shards=$(seconds "$CACHELAB" mrc --trace "$TRACE" --policy lru --method shards --rate 0.01 --size "$SIZES20")
"$CACHELAB" mrc --trace "$TRACE" --policy lru --method shards --rate 0.01 --size "$SIZES20" --json >"$work/shards.json" 2>/dev/null
read -r mean max < <(error "$work/exact.json" "$work/shards.json")
awk -v t="$t_shards" -v n=$REQUESTS -v m="$mean" -v x="$max" 'BEGIN {
  printf "%-58s %10s  (%.0f M req/s; error mean %s, max %s)\n", "SHARDS LRU curve, rate 0.01, 20 sizes", t, n / t / 1e6, m, x }'
if [[ -x $PY ]] && "$PY" -c "import libcachesim" 2>/dev/null; then
  "$PY" scripts/oracle/lcs_mrc.py "$TRACE" 0.01 "$SIZES20" --sampled-only >"$work/lcs.json"
  python3 -c '
import json, sys
lcs = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); exact = json.load(open(sys.argv[2])); n = int(sys.argv[3])
d = [abs(a - b["miss_ratio"]) for a, b in zip(lcs["sampled"], exact)]
t = lcs["sampled_s"]
print(f"{\"libCacheSim spatial sampling 0.01 + LRU, 20 sizes\":<58} {t:10.2f}  ({n / t / 1e6:.0f} M req/s; error mean {sum(d)/len(d):.4f}, max {max(d):.4f})")' \
    "$work/lcs.json" "$work/exact.json" $REQUESTS
else
  echo "libCacheSim's Python binding not found at $PY: its SHARDS column skipped (pip install -r scripts/oracle/requirements.txt)"
fi
rm -rf "$work"

ALL="lru,fifo,clock,lfu,sieve,s3fifo,arc,lirs,wtinylfu,belady"
t_sweep=$(seconds "$CACHELAB" simulate --trace "$TRACE.zst" --policy "$ALL" --size "$SIZES20")
t_decode=$(seconds "$CACHELAB" trace stats --requests-only "$TRACE.zst")
t_slowest=$(seconds "$CACHELAB" simulate --trace "$TRACE.zst" --policy wtinylfu --size "$SIZES20")
printf "%-58s %10s\n" "10 policies x 20 sizes from .zst, read once" "$t_sweep" \
  "decode the .zst once" "$t_decode" "slowest policy (wtinylfu) alone, 20 sizes, from .zst" "$t_slowest"
awk -v a="$t_sweep" -v b="$t_decode" -v c="$t_slowest" 'BEGIN {
  printf "%-58s %9.2fx (target <= 2)\n", "sweep / (decode + slowest policy)", a / (b + c) }'
